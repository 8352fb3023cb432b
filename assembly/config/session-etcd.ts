// Each key's name, default and range come from its row in keys/session.ts.
import { ObjectReader } from "./reader";
import * as K from "./keys/session";
import { EtcdStoreSettings, WhenUnavailable } from "../session/etcd-settings";
import { utf8ByteString } from "../core/bytes";

/** Reads the `session.etcd` object; `r` is null when absent (then `cluster` is missing). */
export function readEtcdStore(r: ObjectReader | null, parent: ObjectReader): EtcdStoreSettings {
  const s = new EtcdStoreSettings();
  if (r == null) {
    parent.fail(K.etcd.name, "the object with at least \"cluster\" is required with store \"etcd\"");
    return s;
  }
  if (!r.has(K.etcdCluster.name)) {
    r.fail(K.etcdCluster.name, "is required: the name of the Envoy cluster of the etcd members");
  } else {
    const cluster = r.stringKey(K.etcdCluster);
    if (cluster.length == 0 || cluster.length > K.MAX_ETCD_CLUSTER_CHARS || !visibleAscii(cluster)) {
      r.fail(K.etcdCluster.name, "must be 1 to " + K.MAX_ETCD_CLUSTER_CHARS.toString() + " printable ASCII characters without spaces, got \"" + cluster + "\"");
    } else {
      s.cluster = cluster;
    }
  }
  const prefix = r.stringKey(K.etcdKeyPrefix);
  if (prefix.length == 0 || prefix.length > K.MAX_ETCD_KEY_PREFIX_CHARS || !visibleAscii(prefix)) {
    r.fail(K.etcdKeyPrefix.name, "must be 1 to " + K.MAX_ETCD_KEY_PREFIX_CHARS.toString() + " printable ASCII characters without spaces, got \"" + prefix + "\"");
  } else {
    s.keyPrefix = utf8ByteString(prefix);
  }
  s.timeoutMillis = <i32>r.intKey(K.etcdTimeoutMs);
  s.casRetries = <i32>r.intKey(K.etcdCasRetries);
  const when = r.keywordKey(K.etcdOnUnavailable);
  s.whenUnavailable = when == "empty" ? WhenUnavailable.Empty : WhenUnavailable.Refuse;
  s.graceSeconds = <i32>r.intKey(K.etcdGraceSeconds);
  s.idleTimeoutSeconds = <i32>r.intKey(K.etcdIdleTimeoutSeconds);
  s.maxValueBytes = <i32>r.intKey(K.etcdMaxValueBytes);
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
