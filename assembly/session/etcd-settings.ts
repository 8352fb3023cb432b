// The validated settings of the etcd session store (`session.etcd` in the configuration), as
// config/session-etcd.ts reads them. Defaults here are the documented defaults (docs/configuration.md).
import * as K from "../config/keys/session";

/** What a request does when the store cannot be asked whether it has a session. */
export const enum WhenUnavailable {
  /** 503 with Retry-After: never hand the upstream an empty session in place of a real one. */
  Refuse = 0,
  /** Go on with an empty session that is never saved (a read-only visitor for this request). */
  Empty = 1,
}

export class EtcdStoreSettings {
  /** The Envoy cluster (under NGINX: `host:port`) the callouts go to. Required. */
  cluster: string = "";
  /** Put in front of every etcd key (UTF-8 bytes as a byte string). */
  keyPrefix: string = K.etcdKeyPrefix.stringDefault;
  /** Each callout's timeout, milliseconds. */
  timeoutMillis: i32 = <i32>K.etcdTimeoutMs.intDefault;
  /** Extra Txn attempts after another proxy changed the session between read and write. */
  casRetries: i32 = <i32>K.etcdCasRetries.intDefault;
  whenUnavailable: WhenUnavailable = WhenUnavailable.Refuse;
  /** How long a key replaced by a changed session still opens it, in seconds (0: not at all). */
  graceSeconds: i32 = <i32>K.etcdGraceSeconds.intDefault;
  /** Lifetime, from its last save, of a session saved without an expiry of its own (no max_age). */
  idleTimeoutSeconds: i32 = <i32>K.etcdIdleTimeoutSeconds.intDefault;
  /** Largest stored session (the encoded, possibly encrypted bytes) accepted. */
  maxValueBytes: i32 = <i32>K.etcdMaxValueBytes.intDefault;
}
