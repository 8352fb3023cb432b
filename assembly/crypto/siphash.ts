// SipHash-2-4 (Aumasson and Bernstein, 2012): the MAC mod_session_crypto puts in front of its cookies
// (keyed with MD5 of the passphrase, stored little-endian: compute_auth in httpd's
// modules/session/mod_session_crypto.c, 2.4.25 and later).

// @ts-ignore: decorator
@inline
function loadKeyWord(key: Uint8Array, at: i32): u64 {
  // A key shorter than 16 bytes reads as zero-padded rather than trapping; callers pass 16.
  let w: u64 = 0;
  for (let i = 0; i < 8; i++) {
    const j = at + i;
    if (j < key.length) w |= <u64>unchecked(key[j]) << (<u64>i << 3);
  }
  return w;
}

/** SipHash-2-4 of `data` under the first 16 bytes of `key16` (k0, k1 read little-endian). */
export function siphash24(key16: Uint8Array, data: Uint8Array): u64 {
  return siphash24Ptr(loadKeyWord(key16, 0), loadKeyWord(key16, 8), data.dataStart, data.length);
}

/** SipHash-2-4 over raw memory with the key as two words. */
export function siphash24Ptr(k0: u64, k1: u64, ptr: usize, len: i32): u64 {
  let v0: u64 = k0 ^ 0x736f6d6570736575;
  let v1: u64 = k1 ^ 0x646f72616e646f6d;
  let v2: u64 = k0 ^ 0x6c7967656e657261;
  let v3: u64 = k1 ^ 0x7465646279746573;
  const n = len < 0 ? 0 : len;
  const end = n & ~7;
  for (let i = 0; i < end; i += 8) {
    const m = load<u64>(ptr + <usize>i);
    v3 ^= m;
    for (let r = 0; r < 2; r++) {
      v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
      v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
      v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
      v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
    }
    v0 ^= m;
  }
  let last: u64 = <u64>(n & 0xff) << 56;
  for (let i = end; i < n; i++) last |= <u64>load<u8>(ptr + <usize>i) << (<u64>(i - end) << 3);
  v3 ^= last;
  for (let r = 0; r < 2; r++) {
    v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
    v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
  }
  v0 ^= last;
  v2 ^= 0xff;
  for (let r = 0; r < 4; r++) {
    v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
    v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
  }
  return v0 ^ v1 ^ v2 ^ v3;
}

/** The 8 bytes of siphash24 as APR's apr_siphash24_auth writes them: little-endian. */
export function siphash24Bytes(key16: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8);
  store<u64>(out.dataStart, siphash24(key16, data));
  return out;
}
