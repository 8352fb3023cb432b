// The validated settings of the shared-data session store (`session.shared` in the configuration), as
// config/session-shared.ts reads them. Defaults here are the documented defaults (docs/configuration.md).
import { DEFAULT_KEY_PREFIX } from "./key-prefix";
import * as K from "../config/keys/session";

/** What `create` does when every slot it looked at holds a live session. */
export const enum WhenFull {
  /** No session is created; the request goes on without one (counted in `.full`). */
  Refuse = 0,
  /**
   * The least recently written of the live sessions this search read is overwritten (counted in `.full`
   * and `.evicted`); its owner's next request finds no session.
   */
  EvictOldest = 1,
}

export class SharedStoreSettings {
  /**
   * Put in front of every shared-data key. Shared data is keyed only by vm_id and Istio sets none, so
   * every plugin on a proxy shares one key space; on NGINX the part before the first `/` names the
   * `shm_kv` zone. Byte string (UTF-8 of the configured text). Used only when keyPrefixConfigured: else
   * the store derives its prefix from the plugin's name (key-prefix.ts).
   */
  keyPrefix: string = DEFAULT_KEY_PREFIX;
  /** Whether the configuration set `key_prefix` (then it wins over the plugin's name). */
  keyPrefixConfigured: bool = false;
  /** Number of slots: the most sessions alive at once and the most keys the store ever creates. */
  capacity: i32 = <i32>K.sharedCapacity.intDefault;
  /** How long a rotated-out token still opens its session, in seconds (0: not at all). */
  graceSeconds: i32 = <i32>K.sharedGraceSeconds.intDefault;
  /** Lifetime, from its last use, of a session saved without an expiry of its own (no max_age). */
  idleTimeoutSeconds: i32 = <i32>K.sharedIdleTimeoutSeconds.intDefault;
  /** Slots each worker examines per tick when reclaiming expired sessions. */
  sweepSlotsPerTick: i32 = <i32>K.sharedSweepSlotsPerTick.intDefault;
  /** Period of that tick, in milliseconds. */
  sweepPeriodMillis: i32 = <i32>K.sharedSweepPeriodMillis.intDefault;
  whenFull: WhenFull = WhenFull.Refuse;
  /** A new session reads at most 2 × probes slots looking for a free one (see SharedSessionStore.create). */
  probes: i32 = <i32>K.sharedProbes.intDefault;
  /** Extra attempts of a read-modify-write after another worker changed the entry in between. */
  casRetries: i32 = <i32>K.sharedCasRetries.intDefault;
  /** Largest stored session (the encoded, possibly encrypted bytes) accepted. */
  maxValueBytes: i32 = <i32>K.sharedMaxValueBytes.intDefault;
}
