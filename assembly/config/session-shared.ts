// Each key's name, default and range come from its row in keys/session.ts.
import { ObjectReader } from "./reader";
import * as K from "./keys/session";
import { SharedStoreSettings, WhenFull } from "../session/shared-settings";
import { utf8ByteString } from "../core/bytes";
import { MAX_KEY_PREFIX_CHARS } from "../session/key-prefix";

/** Reads the `session.shared` object (absent: every default). */
export function readSharedStore(r: ObjectReader | null): SharedStoreSettings {
  const s = new SharedStoreSettings();
  if (r == null) return s;
  // Absent (or null): the store derives the prefix from the plugin's name (session/key-prefix.ts).
  if (r.has(K.sharedKeyPrefix.name)) {
    const prefix = r.string(K.sharedKeyPrefix.name, s.keyPrefix);
    if (prefix.length == 0 || prefix.length > MAX_KEY_PREFIX_CHARS) {
      r.fail(K.sharedKeyPrefix.name, "must be 1 to " + MAX_KEY_PREFIX_CHARS.toString() + " characters, got " + prefix.length.toString());
    } else if (!printableAscii(prefix)) {
      r.fail(K.sharedKeyPrefix.name, "must be printable ASCII without spaces, got \"" + prefix + "\"");
    } else {
      s.keyPrefix = utf8ByteString(prefix);
      s.keyPrefixConfigured = true;
    }
  }
  s.capacity = <i32>r.intKey(K.sharedCapacity);
  s.graceSeconds = <i32>r.intKey(K.sharedGraceSeconds);
  s.idleTimeoutSeconds = <i32>r.intKey(K.sharedIdleTimeoutSeconds);
  s.sweepSlotsPerTick = <i32>r.intKey(K.sharedSweepSlotsPerTick);
  s.sweepPeriodMillis = <i32>r.intKey(K.sharedSweepPeriodMillis);
  const full = r.keywordKey(K.sharedWhenFull);
  s.whenFull = full == "evict_oldest" ? WhenFull.EvictOldest : WhenFull.Refuse;
  s.probes = <i32>r.intKey(K.sharedProbes);
  s.casRetries = <i32>r.intKey(K.sharedCasRetries);
  s.maxValueBytes = <i32>r.intKey(K.sharedMaxValueBytes);
  r.rejectUnknownKeys();
  return s;
}

function printableAscii(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}
