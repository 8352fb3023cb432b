// mod_session_crypto's cookie, byte for byte (2.4.25 and later; encrypt_string, decrypt_string and
// compute_auth in httpd's modules/session/mod_session_crypto.c):
//
//   value = Base64( MAC[8] ‖ SALT[16] ‖ IV[16] ‖ CIPHERTEXT )      standard alphabet, `=` padded
//   KEY   = PBKDF2-HMAC-SHA1(passphrase, SALT, 4096, 16 | 24 | 32)  aes128 | aes192 | aes256
//   CIPHERTEXT = AES-CBC(KEY, IV, PKCS#7(identity-encoded session))
//   MAC   = SipHash-2-4(key = MD5(passphrase), SALT ‖ IV ‖ CIPHERTEXT), 64 bits little-endian
//
// Apache pays 4,096 PBKDF2 iterations per passphrase on every load and every save. Here derived keys are
// cached per (passphrase, salt), and a worker seals with one salt of its own for its whole life, with a
// fresh random IV per cookie: a steady-state request derives nothing. Reusing the salt is safe — the
// salt only diversifies the key, CBC's security rests on the random IV, and readers (Apache included)
// take the salt from each cookie. The salt is not a secret; the key still comes from the configured
// passphrase, so every worker and every Apache server reads every cookie.
//
// Only cookies whose MAC verifies reach PBKDF2, and forging a MAC needs the passphrase, so a client
// cannot make the filter derive keys (or flood the cache) with made-up salts.
import { Services } from "../core/services";
import { byteStringFromBytes, byteStringToBytes } from "../core/bytes";
import { aprBase64Decode, base64Encode } from "../codecs/base64";
import { AesKey } from "../crypto/aes";
import { constantTimeEqualPtr } from "../crypto/compare";
import { md5 } from "../crypto/md5";
import { pbkdf2HmacSha1 } from "../crypto/pbkdf2";
import { siphash24Bytes } from "../crypto/siphash";
import { hexEncode } from "../codecs/hex";
import { OpenedSession, SessionSealer } from "./sealer";
import { CryptoCipher } from "./settings";

export const APACHE_MAC_LENGTH: i32 = 8;   // 0..7
export const APACHE_SALT_LENGTH: i32 = 16;  // 8..23
export const APACHE_IV_LENGTH: i32 = 16;    // 24..39, then the ciphertext
export const APACHE_PBKDF2_ITERATIONS: i32 = 4096;
/** Derived keys kept per worker: one per sealing worker and rotation passphrase is the steady state. */
export const DERIVED_KEY_CACHE_SIZE: i32 = 64;

export function apacheKeyLength(cipher: CryptoCipher): i32 {
  return cipher == CryptoCipher.Aes128 ? 16 : cipher == CryptoCipher.Aes192 ? 24 : 32;
}

/** A bounded map (passphrase index, salt) → expanded AES key, evicting the oldest entry. */
export class DerivedKeyCache {
  private keys: Map<string, AesKey> = new Map<string, AesKey>();
  private order: string[] = new Array<string>();
  /** PBKDF2 derivations performed (for tests and benchmarks). */
  derivations: i32 = 0;

  constructor(public capacity: i32) {}

  get size(): i32 { return this.order.length; }

  obtain(passphrase: Uint8Array, index: i32, salt: Uint8Array, keyLength: i32): AesKey | null {
    const tag = index.toString() + ":" + hexEncode(salt);
    if (this.keys.has(tag)) return this.keys.get(tag);
    this.derivations++;
    const key = AesKey.create(pbkdf2HmacSha1(passphrase, salt, APACHE_PBKDF2_ITERATIONS, keyLength));
    if (key == null) return null;
    if (this.order.length >= this.capacity) {
      const oldest = this.order.shift();
      this.keys.delete(oldest);
    }
    this.order.push(tag);
    this.keys.set(tag, key);
    return key;
  }
}

export class ApacheSealer extends SessionSealer {
  keyLength: i32;
  macKeys: Uint8Array[] = [];
  cache: DerivedKeyCache = new DerivedKeyCache(DERIVED_KEY_CACHE_SIZE);
  private sealSalt: Uint8Array | null = null;

  constructor(public passphrases: Uint8Array[], cipher: CryptoCipher) {
    super();
    this.keyLength = apacheKeyLength(cipher);
    for (let i = 0; i < passphrases.length; i++) this.macKeys.push(md5(passphrases[i]));
  }

  seal(plaintext: string, expiryMicros: i64, cookieName: string, services: Services): string {
    let existing = this.sealSalt;
    let salt: Uint8Array;
    if (existing != null) {
      salt = existing;
    } else {
      salt = new Uint8Array(APACHE_SALT_LENGTH);
      services.fillRandom(salt);
      // Shaped like the version-4 UUID apr_uuid_get gives Apache on Linux.
      salt[6] = (salt[6] & 0x0f) | 0x40;
      salt[8] = (salt[8] & 0x3f) | 0x80;
      this.sealSalt = salt;
    }
    const key = this.cache.obtain(this.passphrases[0], 0, salt, this.keyLength);
    if (key == null) return "";
    const iv = new Uint8Array(APACHE_IV_LENGTH);
    services.fillRandom(iv);
    const ct = key.cbcEncrypt(iv, byteStringToBytes(plaintext));
    const out = new Uint8Array(APACHE_MAC_LENGTH + APACHE_SALT_LENGTH + APACHE_IV_LENGTH + ct.length);
    out.set(salt, APACHE_MAC_LENGTH);
    out.set(iv, APACHE_MAC_LENGTH + APACHE_SALT_LENGTH);
    out.set(ct, APACHE_MAC_LENGTH + APACHE_SALT_LENGTH + APACHE_IV_LENGTH);
    out.set(siphash24Bytes(this.macKeys[0], out.subarray(APACHE_MAC_LENGTH)), 0);
    return base64Encode(out, false, true);
  }

  open(value: string, cookieName: string, services: Services): OpenedSession | null {
    const raw = aprBase64Decode(value);
    const header = APACHE_MAC_LENGTH + APACHE_SALT_LENGTH + APACHE_IV_LENGTH;
    // At least one cipher block; CBC lengths are whole blocks.
    if (raw.length < header + 16 || ((raw.length - header) & 15) != 0) return null;
    const body = raw.subarray(APACHE_MAC_LENGTH);
    const salt = raw.slice(APACHE_MAC_LENGTH, APACHE_MAC_LENGTH + APACHE_SALT_LENGTH);
    const iv = raw.slice(APACHE_MAC_LENGTH + APACHE_SALT_LENGTH, header);
    const ct = raw.slice(header);
    for (let i = 0; i < this.passphrases.length; i++) {
      const mac = siphash24Bytes(this.macKeys[i], body);
      if (!constantTimeEqualPtr(mac.dataStart, raw.dataStart, APACHE_MAC_LENGTH)) continue;
      const key = this.cache.obtain(this.passphrases[i], i, salt, this.keyLength);
      if (key == null) continue;
      const plain = key.cbcDecrypt(iv, ct);
      if (plain != null) return new OpenedSession(byteStringFromBytes(plain), 0);
    }
    return null;
  }
}
