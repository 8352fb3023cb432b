// The validated settings of the session feature, as config/session.ts reads them from the JSON configuration.
// Each field names the Apache directive it stands for; docs/configuration.md ("session") is the reference.
import { SharedStoreSettings } from "./shared-settings";
import { EtcdStoreSettings } from "./etcd-settings";
import * as K from "../config/keys/session";

/** Apache's attribute string when SessionCookieName gives none (util_cookies.h DEFAULT_ATTRS). */
export const APACHE_DEFAULT_ATTRIBUTES = "HttpOnly;Secure;Version=1";

export const enum CryptoFormat { None = 0, Apache = 1, Aead = 2 }

export const enum CryptoCipher {
  /** format "apache" */
  Aes128 = 0, Aes192 = 1, Aes256 = 2,
  /** format "aead" */
  XChaCha20Poly1305 = 3, ChaCha20Poly1305 = 4,
}

export const enum StoreKind { Cookie = 0, Shared = 1, Etcd = 2 }

export class SessionCryptoSettings {
  format: CryptoFormat = CryptoFormat.Aead;
  cipher: CryptoCipher = CryptoCipher.XChaCha20Poly1305;
  /** SessionCryptoPassphrase: the first encrypts, every one decrypts. UTF-8 bytes of the configured text. */
  passphrases: Uint8Array[] = [];
}

export class SessionSettings {
  enabled: bool = true;
  /** SessionCookieName's first word. */
  cookieName: string = K.cookieName.stringDefault;
  /** SessionCookieName's remaining words, verbatim; null = none configured (Apache then writes its defaults). */
  cookieAttributes: string | null = null;
  /** SessionCookieRemove */
  cookieRemove: bool = false;
  /** SessionMaxAge, seconds; 0 = no expiry. */
  maxAge: i64 = 0;
  /** SessionExpiryUpdateInterval, seconds; 0 = rewrite on every request (with maxAge). */
  expiryUpdateInterval: i64 = 0;
  /** Hard limit on a session's life from its creation, seconds; 0 = none. No Apache equivalent. */
  absoluteMaxAge: i64 = 0;
  /** SessionInclude prefixes; empty = every path. */
  include: string[] = [];
  /** SessionExclude prefixes; win over include. */
  exclude: string[] = [];
  /** SessionEnv On: the request header (lower-case) carrying the decoded session upstream; "" = off. */
  upstreamHeader: string = "";
  /** SessionHeader: the response header (lower-case) whose pairs are merged into the session; "" = off. */
  responseHeader: string = "";
  /** How many cookies one session may span (NAME, NAME_2 … NAME_n); 1 = never split. */
  maxChunks: i32 = <i32>K.maxChunks.intDefault;
  store: StoreKind = StoreKind.Cookie;
  /** The shared-data store's settings (`session.shared`), used when store is Shared. */
  shared: SharedStoreSettings = new SharedStoreSettings();
  /** The etcd store's settings (`session.etcd`), used when store is Etcd. */
  etcd: EtcdStoreSettings = new EtcdStoreSettings();
  /** mod_session_crypto; null = sessions are stored in clear (as Apache without SessionCryptoPassphrase). */
  crypto: SessionCryptoSettings | null = null;
}
