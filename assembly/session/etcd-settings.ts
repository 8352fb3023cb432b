// The validated settings of the etcd session store (`session.etcd` in the configuration), as
// config/session-etcd.ts reads them. Defaults here are the documented defaults (docs/configuration.md).

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
  keyPrefix: string = "clicktrail/session/";
  /** Each callout's timeout, milliseconds. */
  timeoutMillis: i32 = 500;
  /** Extra Txn attempts after another proxy changed the session between read and write. */
  casRetries: i32 = 4;
  whenUnavailable: WhenUnavailable = WhenUnavailable.Refuse;
  /** How long a key replaced by a changed session still opens it, in seconds (0: not at all). */
  graceSeconds: i32 = 10;
  /** Lifetime, from its last save, of a session saved without an expiry of its own (no max_age). */
  idleTimeoutSeconds: i32 = 3600;
  /** Largest stored session (the encoded, possibly encrypted bytes) accepted. */
  maxValueBytes: i32 = 8192;
}
