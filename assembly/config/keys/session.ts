// The `session` section's keys (see key.ts): Apache mod_session, mod_session_cookie, mod_session_crypto,
// and the server-side stores (`shared`, `etcd`) in place of mod_session_dbd.
import {
  Key, boolKey, intKey, keywordKey, objectKey, optionalStringKey, stringKey, stringsKey,
  DOCS,
} from "./key";
import { PRINTABLE, TCHAR_NO_AMP } from "./patterns";
import { MAX_KEY_PREFIX_CHARS } from "../../session/key-prefix";

/** 2^31-1 seconds, the range of Apache's int-typed SessionMaxAge. */
export const MAX_SECONDS: i64 = 2147483647;
/** Most cookies a session may span: RFC 6265 promises 50 per domain, and 16 × 4 KiB fills Envoy's default 60 KiB request-header limit. */
export const MAX_CHUNKS_LIMIT: i64 = 16;
/** Slot numbers are written as four base64url characters in keys and cookies: 24 bits. */
export const MAX_CAPACITY: i64 = 1 << 24;
/** Longest idle timeout of a stored session: 366 days. */
const MAX_IDLE_SECONDS: i64 = 366 * 86400;
/** Longest etcd cluster name and key prefix. */
export const MAX_ETCD_CLUSTER_CHARS = 255;
export const MAX_ETCD_KEY_PREFIX_CHARS = 128;

/** A pattern and its words: 1 to `max` visible ASCII characters. */
function visibleChars(max: i32): string { return "^[!-~]{1," + max.toString() + "}$"; }
function visibleCharsText(max: i32): string { return "1 – " + max.toString() + " printable ASCII characters, no spaces"; }

// session.shared
export const sharedKeyPrefix = optionalStringKey("key_prefix", DOCS ? "Prefix of every shared-data key: 1 to 128 printable ASCII characters without spaces. Unset: the plugin's name urlencoded and \"/\" (\"clicktrail/\" for envoy/envoy.yaml, \"default.clicktrail/\" for the WasmPlugin clicktrail in namespace default), \"clicktrail/\" when the host names none." : "")
  .withPattern(DOCS ? visibleChars(MAX_KEY_PREFIX_CHARS) : "", DOCS ? visibleCharsText(MAX_KEY_PREFIX_CHARS) : "").withDefaultText(DOCS ? "the plugin's name and `/`" : "");
export const sharedCapacity = intKey("capacity", 10000, 1, MAX_CAPACITY, DOCS ? "Most sessions stored (slots)." : "");
export const sharedGraceSeconds = intKey("grace_seconds", 10, 0, 3600, DOCS ? "Seconds an old token still opens a session after it rotated." : "");
export const sharedIdleTimeoutSeconds = intKey("idle_timeout_seconds", 3600, 2, MAX_IDLE_SECONDS, DOCS ? "Seconds after which an untouched session is reclaimed." : "");
export const sharedSweepSlotsPerTick = intKey("sweep_slots_per_tick", 128, 1, 65536, DOCS ? "Slots examined per sweep tick." : "");
export const sharedSweepPeriodMillis = intKey("sweep_period_millis", 1000, 10, 3600000, DOCS ? "Milliseconds between sweep ticks." : "");
export const sharedWhenFull = keywordKey("when_full", "refuse", ["refuse", "evict_oldest"], DOCS ? "What a new session does when every slot is taken. Any letter case." : "");
export const sharedProbes = intKey("probes", 16, 1, 64, DOCS ? "Slots probed to place a new session." : "");
export const sharedCasRetries = intKey("cas_retries", 8, 0, 64, DOCS ? "Compare-and-swap retries before a save gives up." : "");
export const sharedMaxValueBytes = intKey("max_value_bytes", 8192, 16, 1 << 20, DOCS ? "Largest stored session in bytes." : "");
export const shared = objectKey("shared", DOCS ? "In place of mod_session_dbd: the session store in proxy-wasm shared data (store \"shared\"). Istio sets no vm_id, so every plugin of a proxy shares one key space: each plugin's keys start with its own prefix." : "", [
  sharedKeyPrefix, sharedCapacity, sharedGraceSeconds, sharedIdleTimeoutSeconds, sharedSweepSlotsPerTick,
  sharedSweepPeriodMillis, sharedWhenFull, sharedProbes, sharedCasRetries, sharedMaxValueBytes,
]);

// session.etcd
export const etcdCluster = optionalStringKey("cluster", DOCS ? "The Envoy cluster of the etcd members (the callouts' target). Required." : "")
  .withPattern(DOCS ? visibleChars(MAX_ETCD_CLUSTER_CHARS) : "", DOCS ? visibleCharsText(MAX_ETCD_CLUSTER_CHARS) : "").isRequired();
export const etcdKeyPrefix = stringKey("key_prefix", "clicktrail/session/", DOCS ? "Prefix of every etcd key: 1 to 128 printable ASCII characters without spaces." : "")
  .withPattern(DOCS ? visibleChars(MAX_ETCD_KEY_PREFIX_CHARS) : "", DOCS ? visibleCharsText(MAX_ETCD_KEY_PREFIX_CHARS) : "");
export const etcdTimeoutMs = intKey("timeout_ms", 500, 10, 60000, DOCS ? "Each callout's timeout in milliseconds." : "");
export const etcdCasRetries = intKey("cas_retries", 4, 0, 32, DOCS ? "Txn retries after another proxy changed the session between read and write." : "");
export const etcdOnUnavailable = keywordKey("on_unavailable", "refuse", ["refuse", "empty"], DOCS ? "When the store cannot be asked on load: \"refuse\" answers 503 with Retry-After; \"empty\" goes on with an empty session that is never saved. Any letter case." : "");
export const etcdGraceSeconds = intKey("grace_seconds", 10, 0, 3600, DOCS ? "Seconds the key of a session before its last change still opens it." : "");
export const etcdIdleTimeoutSeconds = intKey("idle_timeout_seconds", 3600, 2, MAX_IDLE_SECONDS, DOCS ? "Lifetime in seconds, from its last save, of a session without max_age." : "");
export const etcdMaxValueBytes = intKey("max_value_bytes", 8192, 16, 1 << 20, DOCS ? "Largest stored session in bytes." : "");
export const etcd = objectKey("etcd", DOCS ? "The session store in an etcd v3 cluster reached by HTTP callouts (store \"etcd\"): one store for a fleet of proxies. Required with store \"etcd\", refused otherwise. Not available under NGINX (no callouts from the response phase)." : "", [
  etcdCluster, etcdKeyPrefix, etcdTimeoutMs, etcdCasRetries, etcdOnUnavailable, etcdGraceSeconds,
  etcdIdleTimeoutSeconds, etcdMaxValueBytes,
]);

// session.crypto
export const APACHE_CIPHERS: string[] = ["aes256", "aes192", "aes128"];
export const AEAD_CIPHERS: string[] = ["xchacha20-poly1305", "chacha20-poly1305"];
export const cryptoPassphrases = stringsKey("passphrases", DOCS ? "SessionCryptoPassphrase secret [secret ...]: the first encrypts, all decrypt (rotation). Required, never generated." : "")
  .withPattern(DOCS ? "" : "", DOCS ? "non-empty" : "").withMinLength(1).isRequired().withApache(DOCS ? "SessionCryptoPassphrase" : "")
  .withApacheText(DOCS ? "`SessionCryptoPassphrase secret [secret …]`" : "");
export const cryptoFormat = keywordKey("format", "aead", ["aead", "apache"], DOCS ? "\"aead\" (XChaCha20-Poly1305) or \"apache\" (mod_session_crypto's exact cookie, Apache 2.4.25+). Any letter case." : "");
/** The cipher's choices and default depend on the format: see AEAD_CIPHERS and APACHE_CIPHERS (first = default). */
export const cryptoCipher = keywordKey("cipher", "", ["xchacha20-poly1305", "chacha20-poly1305", "aes256", "aes192", "aes128"], DOCS ? "SessionCryptoCipher. Format aead: xchacha20-poly1305 (default) or chacha20-poly1305; format apache: aes256 (default), aes192 or aes128. Any letter case." : "")
  .withApache(DOCS ? "SessionCryptoCipher" : "").withDefaultText(DOCS ? "format aead: `\"xchacha20-poly1305\"`; format apache: `\"aes256\"`" : "");
export const crypto = objectKey("crypto", DOCS ? "mod_session_crypto: encrypts the session. Requires passphrases." : "", [cryptoPassphrases, cryptoFormat, cryptoCipher])
  .withDefaultText(DOCS ? "none (sessions in clear)" : "")
  .withApacheText(DOCS ? "`mod_session_crypto`" : "");

export const enabled = boolKey("enabled", true, DOCS ? "Session On|Off. A present section is on unless this is false." : "").withApache(DOCS ? "Session" : "").withDefaultText(DOCS ? "`true` (a present section is on)" : "")
  .withApacheText(DOCS ? "`Session On|Off`" : "");
export const cookieName = stringKey("cookie_name", "session", DOCS ? "SessionCookieName (first word): the session cookie's name. A token without \"&\"." : "")
  .withPattern(DOCS ? "^[" + TCHAR_NO_AMP + "]+$" : "", DOCS ? "cookie-name token without `&`" : "")
  .withApacheText(DOCS ? "`SessionCookieName` (first word)" : "");
export const cookieAttributes = optionalStringKey("cookie_attributes", DOCS ? "SessionCookieName (the words after the name): cookie attributes copied verbatim. Default: Apache's HttpOnly;Secure;Version=1." : "")
  .withPattern(DOCS ? "^[" + PRINTABLE + "]*$" : "", DOCS ? "printable ASCII" : "").withDefaultText(DOCS ? "none: Apache's `HttpOnly;Secure;Version=1`" : "")
  .withApacheText(DOCS ? "`SessionCookieName` (the rest, verbatim)" : "");
export const cookieRemove = boolKey("cookie_remove", false, DOCS ? "SessionCookieRemove on|off: cut the session cookie out of the request before the upstream sees it." : "")
  .withApache(DOCS ? "SessionCookieRemove" : "");
export const maxAge = intKey("max_age", 0, 0, MAX_SECONDS, DOCS ? "SessionMaxAge: seconds; each save moves the expiry to now + max_age. 0 = no expiry." : "")
  .withApache(DOCS ? "SessionMaxAge" : "").withDefaultText(DOCS ? "`0` (no expiry)" : "");
export const expiryUpdateInterval = intKey("expiry_update_interval", 0, 0, MAX_SECONDS, DOCS ? "SessionExpiryUpdateInterval: seconds an unchanged session's expiry may move before it is rewritten." : "")
  .withApache(DOCS ? "SessionExpiryUpdateInterval" : "");
export const absoluteMaxAge = intKey("absolute_max_age", 0, 0, MAX_SECONDS, DOCS ? "No Apache directive: a hard limit in seconds from the session's creation that renewal cannot extend. 0 = none." : "")
  .withDefaultText(DOCS ? "`0` (none)" : "");
export const include = stringsKey("include", DOCS ? "SessionInclude (repeatable): path prefixes where the session is active. Empty: everywhere." : "")
  .withApache(DOCS ? "SessionInclude" : "").withDefaultText(DOCS ? "`[]` (every path)" : "");
export const exclude = stringsKey("exclude", DOCS ? "SessionExclude (repeatable): path prefixes where it is not; wins over include." : "")
  .withApache(DOCS ? "SessionExclude" : "");
export const upstreamHeader = optionalStringKey("upstream_header", DOCS ? "SessionEnv On: the request header carrying the decoded session to the upstream (Apache's HTTP_SESSION). A client-sent header of that name is always removed. \"\" or absent: off." : "")
  .withPattern(DOCS ? "^[" + TCHAR_NO_AMP + "]*$" : "", DOCS ? "header name" : "")
  .withApacheText(DOCS ? "`SessionEnv On`" : "");
export const responseHeader = optionalStringKey("response_header", DOCS ? "SessionHeader: the response header whose urlencoded pairs are merged into the session, then removed. \"\" or absent: off." : "")
  .withPattern(DOCS ? "^[" + TCHAR_NO_AMP + "]*$" : "", DOCS ? "header name" : "").withApache(DOCS ? "SessionHeader" : "");
export const maxChunks = intKey("max_chunks", 9, 1, MAX_CHUNKS_LIMIT, DOCS ? "No Apache directive: the most cookies one session may span (4096 bytes each)." : "");
export const store = keywordKey("store", "cookie", ["cookie", "shared", "etcd"], DOCS ? "Where the session lives: \"cookie\" (mod_session_cookie), \"shared\" (proxy-wasm shared data, in place of mod_session_dbd's SessionDBD* directives) or \"etcd\" (an etcd cluster shared by every proxy, configured under etcd). Any letter case." : "")
  .withApacheText(DOCS ? "`mod_session_cookie` / (`mod_session_dbd`)" : "");

export const SECTION: Key = objectKey("session", DOCS ? "Apache mod_session with mod_session_cookie and mod_session_crypto (and, with store \"shared\", a server-side store in place of mod_session_dbd). The section's presence turns it on." : "", [
  enabled, cookieName, cookieAttributes, cookieRemove, maxAge, expiryUpdateInterval, absoluteMaxAge, include, exclude,
  upstreamHeader, responseHeader, maxChunks, store, shared, etcd, crypto,
]);
