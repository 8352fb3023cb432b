import { ObjectReader } from "./reader";
import { EtcdStoreSettings, WhenUnavailable } from "../session/etcd-settings";
import { utf8ByteString } from "../core/bytes";

/** Reads the `session.etcd` object; `r` is null when absent (then `cluster` is missing). */
export function readEtcdStore(r: ObjectReader | null, parent: ObjectReader): EtcdStoreSettings {
  const s = new EtcdStoreSettings();
  if (r == null) {
    parent.fail("etcd", "the object with at least \"cluster\" is required with store \"etcd\"");
    return s;
  }
  if (!r.has("cluster")) {
    r.fail("cluster", "is required: the name of the Envoy cluster of the etcd members");
  } else {
    const cluster = r.string("cluster", "");
    if (cluster.length == 0 || cluster.length > 255 || !visibleAscii(cluster)) {
      r.fail("cluster", "must be 1 to 255 printable ASCII characters without spaces, got \"" + cluster + "\"");
    } else {
      s.cluster = cluster;
    }
  }
  const prefix = r.string("key_prefix", s.keyPrefix);
  if (prefix.length == 0 || prefix.length > 128 || !visibleAscii(prefix)) {
    r.fail("key_prefix", "must be 1 to 128 printable ASCII characters without spaces, got \"" + prefix + "\"");
  } else {
    s.keyPrefix = utf8ByteString(prefix);
  }
  s.timeoutMillis = <i32>r.int("timeout_ms", s.timeoutMillis, 10, 60000);
  s.casRetries = <i32>r.int("cas_retries", s.casRetries, 0, 32);
  const when = r.choice("on_unavailable", "refuse", ["refuse", "empty"]);
  s.whenUnavailable = when == "empty" ? WhenUnavailable.Empty : WhenUnavailable.Refuse;
  s.graceSeconds = <i32>r.int("grace_seconds", s.graceSeconds, 0, 3600);
  s.idleTimeoutSeconds = <i32>r.int("idle_timeout_seconds", s.idleTimeoutSeconds, 2, 366 * 86400);
  s.maxValueBytes = <i32>r.int("max_value_bytes", s.maxValueBytes, 16, 1 << 20);
  r.rejectUnknownKeys();
  return s;
}

function visibleAscii(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}
