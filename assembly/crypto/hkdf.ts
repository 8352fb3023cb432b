// HKDF with HMAC-SHA256 (RFC 5869).

import { HashKind } from "./md";
import { Hmac } from "./hmac";

/** HKDF-Extract: the pseudorandom key from input keying material and a salt (empty salt = 32 zero bytes). */
export function hkdfSha256Extract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return new Hmac(HashKind.SHA256, salt.length == 0 ? new Uint8Array(32) : salt).mac(ikm);
}

/** HKDF-Expand: `length` bytes from a pseudorandom key; null when `length` is negative or > 255 * 32. */
export function hkdfSha256Expand(prk: Uint8Array, info: Uint8Array, length: i32): Uint8Array | null {
  if (length < 0 || length > 255 * 32) return null;
  const out = new Uint8Array(length);
  const hmac = new Hmac(HashKind.SHA256, prk);
  const counter = new Uint8Array(1);
  let prev = new Uint8Array(0);
  let pos = 0;
  for (let i = 1; pos < length; i++) {
    const h = hmac.begin();
    h.update(prev);
    h.update(info);
    counter[0] = <u8>i;
    h.update(counter);
    prev = hmac.finishMac(h);
    const take = min(32, length - pos);
    memory.copy(out.dataStart + <usize>pos, prev.dataStart, <usize>take);
    pos += take;
  }
  return out;
}

/** HKDF-SHA256 (extract then expand); null when `length` is negative or > 255 * 32. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: i32): Uint8Array | null {
  if (length < 0 || length > 255 * 32) return null;
  return hkdfSha256Expand(hkdfSha256Extract(salt, ikm), info, length);
}
