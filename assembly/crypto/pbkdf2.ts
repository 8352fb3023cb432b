// PBKDF2 (RFC 8018 §5.2) with HMAC-SHA1 and HMAC-SHA256. mod_session_crypto runs 4,096 iterations of the
// SHA-1 variant per cookie load and save, so the iteration loop works on raw chaining words: the keyed
// ipad/opad states are computed once, and each iteration is exactly two compressions of a pre-padded block
// (the message, U, is always one digest long).

import { HashKind, compress, digestLengthOf } from "./md";
import { Hmac } from "./hmac";

/** Longest derived key accepted; far beyond any use here, it bounds memory on hostile arguments. */
export const PBKDF2_MAX_LENGTH: i32 = 1 << 20;

function pbkdf2(kind: HashKind, password: Uint8Array, salt: Uint8Array, iterations: i32, length: i32): Uint8Array {
  if (iterations < 1 || length <= 0 || length > PBKDF2_MAX_LENGTH) return new Uint8Array(0);
  const dl = digestLengthOf(kind);
  const words = dl >> 2;
  const out = new Uint8Array(length);
  const hmac = new Hmac(kind, password);
  const istate = changetype<usize>(hmac.inner.h);
  const ostate = changetype<usize>(hmac.outer.h);
  const salted = hmac.begin();
  salted.update(salt);
  // innerBlock: U || 0x80 || 0… || bit length of (ipad block + U). outerBlock likewise for the inner digest.
  const innerBlock = new StaticArray<u8>(64);
  const outerBlock = new StaticArray<u8>(64);
  const ib = changetype<usize>(innerBlock);
  const ob = changetype<usize>(outerBlock);
  const padBits = bswap<u64>(<u64>(64 + dl) << 3);
  store<u8>(ib + <usize>dl, 0x80);
  store<u64>(ib + 56, padBits);
  store<u8>(ob + <usize>dl, 0x80);
  store<u64>(ob + 56, padBits);
  const st = new StaticArray<u32>(8);
  const t = new StaticArray<u32>(8);
  const s = changetype<usize>(st);
  const tp = changetype<usize>(t);
  const counter = new Uint8Array(4);
  let pos = 0;
  for (let block: u32 = 1; pos < length; block++) {
    // U1 = HMAC(P, S || INT(block)), through the general path.
    const first = hmac.begin();
    first.copyFrom(salted);
    store<u32>(counter.dataStart, bswap<u32>(block));
    first.update(counter);
    const u1 = hmac.finishMac(first);
    memory.copy(ib, u1.dataStart, <usize>dl);
    for (let i = 0; i < words; i++) store<u32>(tp + (<usize>i << 2), bswap<u32>(load<u32>(ib + (<usize>i << 2))));
    for (let it = 1; it < iterations; it++) {
      memory.copy(s, istate, 32);
      compress(kind, s, ib);
      for (let i = 0; i < words; i++) store<u32>(ob + (<usize>i << 2), bswap<u32>(load<u32>(s + (<usize>i << 2))));
      memory.copy(s, ostate, 32);
      compress(kind, s, ob);
      for (let i = 0; i < words; i++) {
        const w = load<u32>(s + (<usize>i << 2));
        store<u32>(tp + (<usize>i << 2), load<u32>(tp + (<usize>i << 2)) ^ w);
        store<u32>(ib + (<usize>i << 2), bswap<u32>(w));
      }
    }
    const take = min(dl, length - pos);
    for (let i = 0; i < take; i++) {
      const w = load<u32>(tp + (<usize>(i >> 2) << 2));
      store<u8>(out.dataStart + <usize>(pos + i), <u8>(w >> (24 - ((i & 3) << 3))));
    }
    pos += take;
  }
  return out;
}

/**
 * PBKDF2-HMAC-SHA1 (what APR's OpenSSL driver uses for mod_session_crypto keys). Arguments no caller
 * should pass (`iterations` < 1, `length` <= 0 or above PBKDF2_MAX_LENGTH) give an empty array, which
 * every cipher here rejects as a key, so the mistake surfaces as an error value rather than a trap.
 */
export function pbkdf2HmacSha1(password: Uint8Array, salt: Uint8Array, iterations: i32, length: i32): Uint8Array {
  return pbkdf2(HashKind.SHA1, password, salt, iterations, length);
}

/** PBKDF2-HMAC-SHA256; an empty array under the same conditions as pbkdf2HmacSha1. */
export function pbkdf2HmacSha256(password: Uint8Array, salt: Uint8Array, iterations: i32, length: i32): Uint8Array {
  return pbkdf2(HashKind.SHA256, password, salt, iterations, length);
}
