// Each key's name, default and range come from its row in keys/session.ts.
import { ObjectReader } from "./reader";
import * as K from "./keys/session";
import { isPrintable, isToken as isHttpToken } from "../codecs/ascii";
import { readSharedStore } from "./session-shared";
import { readEtcdStore } from "./session-etcd";
import {
  CryptoCipher, CryptoFormat, SessionCryptoSettings, SessionSettings, StoreKind,
} from "../session/settings";

/** Reads the `session` section. */
export function readSession(r: ObjectReader): SessionSettings {
  const s = new SessionSettings();
  s.enabled = r.boolKey(K.enabled);

  const name = r.stringKey(K.cookieName);
  if (!isToken(name)) {
    r.fail(K.cookieName.name, "must be a non-empty cookie name (letters, digits and !#$%'*+-.^_`|~), got \"" + name + "\"");
  } else {
    s.cookieName = name;
  }
  if (r.has(K.cookieAttributes.name)) {
    const attrs = r.stringKey(K.cookieAttributes);
    if (!isPrintable(attrs)) {
      r.fail(K.cookieAttributes.name, "must be printable ASCII without control characters");
    } else if (attrs.length) {
      s.cookieAttributes = attrs;
    }
  }
  s.cookieRemove = r.boolKey(K.cookieRemove);
  s.maxAge = r.intKey(K.maxAge);
  s.expiryUpdateInterval = r.intKey(K.expiryUpdateInterval);
  s.absoluteMaxAge = r.intKey(K.absoluteMaxAge);
  s.include = r.strings(K.include.name);
  s.exclude = r.strings(K.exclude.name);
  s.upstreamHeader = headerName(r, K.upstreamHeader.name);
  s.responseHeader = headerName(r, K.responseHeader.name);
  s.maxChunks = <i32>r.intKey(K.maxChunks);
  const store = r.keywordKey(K.store);
  s.store = store == "shared" ? StoreKind.Shared : store == "etcd" ? StoreKind.Etcd : StoreKind.Cookie;

  s.shared = readSharedStore(r.object(K.shared.name));
  const etcd = r.object(K.etcd.name);
  if (s.store == StoreKind.Etcd) {
    s.etcd = readEtcdStore(etcd, r);
  } else if (etcd != null) {
    r.fail(K.etcd.name, "applies only to store \"etcd\"");
  }

  const crypto = r.object(K.crypto.name);
  if (crypto != null) s.crypto = readCrypto(crypto);
  r.rejectUnknownKeys();
  return s;
}

function readCrypto(r: ObjectReader): SessionCryptoSettings {
  const c = new SessionCryptoSettings();
  const format = r.keywordKey(K.cryptoFormat);
  c.format = format == "apache" ? CryptoFormat.Apache : CryptoFormat.Aead;
  // The cipher's choices depend on the format: the first of each list is the default.
  const ciphers = c.format == CryptoFormat.Apache ? K.APACHE_CIPHERS : K.AEAD_CIPHERS;
  const cipher = r.choice(K.cryptoCipher.name, ciphers[0], ciphers);
  if (c.format == CryptoFormat.Apache) {
    c.cipher = cipher == "aes128" ? CryptoCipher.Aes128 : cipher == "aes192" ? CryptoCipher.Aes192 : CryptoCipher.Aes256;
  } else {
    c.cipher = cipher == "chacha20-poly1305" ? CryptoCipher.ChaCha20Poly1305 : CryptoCipher.XChaCha20Poly1305;
  }
  const list = r.strings(K.cryptoPassphrases.name);
  if (!r.has(K.cryptoPassphrases.name) || list.length == 0) {
    // A secret made up per VM would log visitors out whenever a request lands on another worker.
    r.fail(K.cryptoPassphrases.name, "at least one passphrase is required to encrypt sessions (the first encrypts, all decrypt)");
  }
  for (let i = 0; i < list.length; i++) {
    if (list[i].length == 0) {
      r.errors.push(r.pathOf(K.cryptoPassphrases.name) + "[" + i.toString() + "]: must not be empty");
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
