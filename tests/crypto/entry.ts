// A standalone wasm of the crypto and codec modules for the Node tests and bench/crypto.mjs, driven
// through @assemblyscript/loader: byte arguments and results are Uint8Arrays, byte strings are strings.
// Built by `npm run build:crypto-test` into build/crypto-test.wasm.

import { sha1 } from "../../assembly/crypto/sha1";
import { sha256 } from "../../assembly/crypto/sha256";
import { md5 } from "../../assembly/crypto/md5";
import { hmacSha1 as hmacSha1Impl, hmacSha256 as hmacSha256Impl } from "../../assembly/crypto/hmac";
import { pbkdf2HmacSha1, pbkdf2HmacSha256 } from "../../assembly/crypto/pbkdf2";
import { hkdfSha256 } from "../../assembly/crypto/hkdf";
import { siphash24Bytes } from "../../assembly/crypto/siphash";
import { crc8Smbus } from "../../assembly/crypto/crc8";
import { AesKey, aesCbcEncrypt as cbcEnc, aesCbcDecrypt as cbcDec } from "../../assembly/crypto/aes";
import {
  chacha20 as chacha20Impl, poly1305 as poly1305Impl, hchacha20 as hchacha20Impl,
  chacha20Poly1305Seal, chacha20Poly1305Open, xchacha20Poly1305Seal, xchacha20Poly1305Open,
} from "../../assembly/crypto/chacha20poly1305";
import { constantTimeEqual } from "../../assembly/crypto/compare";
import { base64Encode as b64enc, base64Decode as b64dec, aprBase64Decode as aprDec } from "../../assembly/codecs/base64";
import { hexEncode as hexEnc, hexDecode as hexDec } from "../../assembly/codecs/hex";
import { escapeUrlencoded as esc, percentDecode, PercentMode } from "../../assembly/codecs/percent";

export const UINT8ARRAY_ID = idof<Uint8Array>();

export function hashSha1(d: Uint8Array): Uint8Array { return sha1(d); }
export function hashSha256(d: Uint8Array): Uint8Array { return sha256(d); }
export function hashMd5(d: Uint8Array): Uint8Array { return md5(d); }
export function hmacSha1(k: Uint8Array, d: Uint8Array): Uint8Array { return hmacSha1Impl(k, d); }
export function hmacSha256(k: Uint8Array, d: Uint8Array): Uint8Array { return hmacSha256Impl(k, d); }
export function pbkdf2Sha1(p: Uint8Array, s: Uint8Array, iterations: i32, length: i32): Uint8Array { return pbkdf2HmacSha1(p, s, iterations, length); }
export function pbkdf2Sha256(p: Uint8Array, s: Uint8Array, iterations: i32, length: i32): Uint8Array { return pbkdf2HmacSha256(p, s, iterations, length); }
export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: i32): Uint8Array | null { return hkdfSha256(ikm, salt, info, length); }
export function siphash(k: Uint8Array, d: Uint8Array): Uint8Array { return siphash24Bytes(k, d); }
export function crc8(d: Uint8Array): i32 { return crc8Smbus(d); }
export function ctEqual(a: Uint8Array, b: Uint8Array): bool { return constantTimeEqual(a, b); }
export function aesCbcEncrypt(k: Uint8Array, iv: Uint8Array, p: Uint8Array): Uint8Array { return cbcEnc(k, iv, p); }
export function aesCbcDecrypt(k: Uint8Array, iv: Uint8Array, c: Uint8Array): Uint8Array | null { return cbcDec(k, iv, c); }
export function aesEncryptBlock(k: Uint8Array, b: Uint8Array): Uint8Array | null {
  const key = AesKey.create(k);
  return key == null ? null : key.encrypt(b);
}
export function chacha20(k: Uint8Array, n: Uint8Array, counter: u32, d: Uint8Array): Uint8Array { return chacha20Impl(k, n, counter, d); }
export function poly1305(k: Uint8Array, m: Uint8Array): Uint8Array | null { return poly1305Impl(k, m); }
export function hchacha20(k: Uint8Array, n: Uint8Array): Uint8Array | null { return hchacha20Impl(k, n); }
export function aeadSeal(k: Uint8Array, n: Uint8Array, p: Uint8Array, aad: Uint8Array): Uint8Array { return chacha20Poly1305Seal(k, n, p, aad); }
export function aeadOpen(k: Uint8Array, n: Uint8Array, c: Uint8Array, aad: Uint8Array): Uint8Array | null { return chacha20Poly1305Open(k, n, c, aad); }
export function xaeadSeal(k: Uint8Array, n: Uint8Array, p: Uint8Array, aad: Uint8Array): Uint8Array { return xchacha20Poly1305Seal(k, n, p, aad); }
export function xaeadOpen(k: Uint8Array, n: Uint8Array, c: Uint8Array, aad: Uint8Array): Uint8Array | null { return xchacha20Poly1305Open(k, n, c, aad); }
export function base64Encode(d: Uint8Array, urlSafe: bool, pad: bool): string { return b64enc(d, urlSafe, pad); }
export function base64Decode(s: string, urlSafe: bool): Uint8Array | null { return b64dec(s, urlSafe); }
export function aprBase64Decode(s: string): Uint8Array { return aprDec(s); }
export function hexEncode(d: Uint8Array): string { return hexEnc(d); }
export function hexDecode(s: string): Uint8Array | null { return hexDec(s); }
export function escapeUrlencoded(s: string): string { return esc(s); }
/** "<status>:<value>" (status 0, 400 or 404). */
export function unescapeUrlencoded(s: string): string {
  const r = percentDecode(s, PercentMode.FORM);
  return r.status.toString() + ":" + r.value;
}

// mod_session_crypto's format with keys cached the way a filter would cache them: one AES key (derived
// from passphrase and a salt already seen) and the MAC key MD5(passphrase).
let apacheKey: AesKey | null = null;
let apacheMacKey = new Uint8Array(16);

export function apacheSetKeys(aesKey: Uint8Array, macKey: Uint8Array): bool {
  apacheKey = AesKey.create(aesKey);
  apacheMacKey = macKey.slice(0);
  return apacheKey != null;
}

/** Base64(MAC8 || salt16 || iv16 || AES-CBC(plaintext)) with the cached keys. */
export function apacheSeal(salt: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): string {
  const key = apacheKey;
  if (key == null || salt.length != 16 || iv.length != 16) return "";
  const ct = key.cbcEncrypt(iv, plaintext);
  const raw = new Uint8Array(8 + 32 + ct.length);
  raw.set(salt, 8);
  raw.set(iv, 24);
  raw.set(ct, 40);
  raw.set(siphash24Bytes(apacheMacKey, raw.subarray(8)), 0);
  return b64enc(raw, false, true);
}

/** The plaintext of an Apache cookie value under the cached keys, or null. */
export function apacheOpen(value: string): Uint8Array | null {
  const key = apacheKey;
  if (key == null) return null;
  const raw = aprDec(value);
  if (raw.length < 40) return null;
  if (!constantTimeEqual(siphash24Bytes(apacheMacKey, raw.subarray(8)), raw.subarray(0, 8))) return null;
  return key.cbcDecrypt(raw.subarray(24, 40), raw.subarray(40));
}
