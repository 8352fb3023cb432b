import { ObjectReader } from "./reader";
import { isPrintable, isToken as isHttpToken } from "../codecs/ascii";
import { readSharedStore } from "./session-shared";
import { readEtcdStore } from "./session-etcd";
import {
  CryptoCipher, CryptoFormat, SessionCryptoSettings, SessionSettings, StoreKind,
} from "../session/settings";

/** Most cookies a session may span: RFC 6265 promises 50 per domain, and 16 × 4 KiB fills Envoy's default 60 KiB request-header limit. */
export const MAX_CHUNKS_LIMIT: i64 = 16;
/** Set to true where features.ts wires the shared-data backend. */
export const SHARED_STORE_AVAILABLE = true;
/** 2^31-1 seconds, the range of Apache's int-typed SessionMaxAge. */
const MAX_SECONDS: i64 = 2147483647;

/** Reads the `session` section. */
export function readSession(r: ObjectReader): SessionSettings {
  const s = new SessionSettings();
  s.enabled = r.bool("enabled", true);

  const name = r.string("cookie_name", s.cookieName);
  if (!isToken(name)) {
    r.fail("cookie_name", "must be a non-empty cookie name (letters, digits and !#$%'*+-.^_`|~), got \"" + name + "\"");
  } else {
    s.cookieName = name;
  }
  if (r.has("cookie_attributes")) {
    const attrs = r.string("cookie_attributes", "");
    if (!isPrintable(attrs)) {
      r.fail("cookie_attributes", "must be printable ASCII without control characters");
    } else if (attrs.length) {
      s.cookieAttributes = attrs;
    }
  }
  s.cookieRemove = r.bool("cookie_remove", false);
  s.maxAge = r.int("max_age", 0, 0, MAX_SECONDS);
  s.expiryUpdateInterval = r.int("expiry_update_interval", 0, 0, MAX_SECONDS);
  s.absoluteMaxAge = r.int("absolute_max_age", 0, 0, MAX_SECONDS);
  s.include = r.strings("include");
  s.exclude = r.strings("exclude");
  s.upstreamHeader = headerName(r, "upstream_header");
  s.responseHeader = headerName(r, "response_header");
  s.maxChunks = <i32>r.int("max_chunks", s.maxChunks, 1, MAX_CHUNKS_LIMIT);
  const store = r.choice("store", "cookie", ["cookie", "shared", "etcd"]);
  s.store = store == "shared" ? StoreKind.Shared : store == "etcd" ? StoreKind.Etcd : StoreKind.Cookie;
  // The shared-data store plugs in behind session/backend.ts (branch `store`); until it is wired in
  // features.ts a configuration asking for it must not silently fall back to cookies.
  if (s.store == StoreKind.Shared && !SHARED_STORE_AVAILABLE) {
    r.fail("store", "\"shared\" is not available in this build; use \"cookie\"");
  }

  s.shared = readSharedStore(r.object("shared"));
  const etcd = r.object("etcd");
  if (s.store == StoreKind.Etcd) {
    s.etcd = readEtcdStore(etcd, r);
  } else if (etcd != null) {
    r.fail("etcd", "applies only to store \"etcd\"");
  }

  const crypto = r.object("crypto");
  if (crypto != null) s.crypto = readCrypto(crypto);
  r.rejectUnknownKeys();
  return s;
}

function readCrypto(r: ObjectReader): SessionCryptoSettings {
  const c = new SessionCryptoSettings();
  const format = r.choice("format", "aead", ["aead", "apache"]);
  c.format = format == "apache" ? CryptoFormat.Apache : CryptoFormat.Aead;
  if (c.format == CryptoFormat.Apache) {
    const cipher = r.choice("cipher", "aes256", ["aes256", "aes192", "aes128"]);
    c.cipher = cipher == "aes128" ? CryptoCipher.Aes128 : cipher == "aes192" ? CryptoCipher.Aes192 : CryptoCipher.Aes256;
  } else {
    const cipher = r.choice("cipher", "xchacha20-poly1305", ["xchacha20-poly1305", "chacha20-poly1305"]);
    c.cipher = cipher == "chacha20-poly1305" ? CryptoCipher.ChaCha20Poly1305 : CryptoCipher.XChaCha20Poly1305;
  }
  const list = r.strings("passphrases");
  if (!r.has("passphrases") || list.length == 0) {
    // A secret made up per VM would log visitors out whenever a request lands on another worker.
    r.fail("passphrases", "at least one passphrase is required to encrypt sessions (the first encrypts, all decrypt)");
  }
  for (let i = 0; i < list.length; i++) {
    if (list[i].length == 0) {
      r.errors.push(r.pathOf("passphrases") + "[" + i.toString() + "]: must not be empty");
      continue;
    }
    c.passphrases.push(Uint8Array.wrap(String.UTF8.encode(list[i])));
  }
  r.rejectUnknownKeys();
  return c;
}

function headerName(r: ObjectReader, key: string): string {
  const v = r.string(key, "");
  if (v.length == 0) return "";
  if (!isToken(v)) {
    r.fail(key, "must be an HTTP header name, got \"" + v + "\"");
    return "";
  }
  return v.toLowerCase();
}

/** RFC 9110 token without `&`: Apache forbids `&` in a session cookie name (it splits pairs). */
export function isToken(s: string): bool {
  return isHttpToken(s) && s.indexOf("&") < 0;
}
