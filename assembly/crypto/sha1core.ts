// SHA-1 compression (FIPS 180-4 §6.1.2) over raw memory, for the engine in md.ts. SHA-1 is here for
// HMAC-SHA1 and PBKDF2-HMAC-SHA1, which mod_session_crypto's key derivation requires; HMAC does not rely
// on SHA-1's broken collision resistance.

const W = new StaticArray<u32>(80);

/** Absorbs the 64-byte block at `block` into the 5 state words at `state`. */
export function sha1Compress(state: usize, block: usize): void {
  const w = changetype<usize>(W);
  for (let i = 0; i < 16; i++) {
    store<u32>(w + (<usize>i << 2), bswap<u32>(load<u32>(block + (<usize>i << 2))));
  }
  for (let i = 16; i < 80; i++) {
    const p = w + (<usize>i << 2);
    store<u32>(p, rotl<u32>(load<u32>(p - 12) ^ load<u32>(p - 32) ^ load<u32>(p - 56) ^ load<u32>(p - 64), 1));
  }
  let a = load<u32>(state, 0);
  let b = load<u32>(state, 4);
  let c = load<u32>(state, 8);
  let d = load<u32>(state, 12);
  let e = load<u32>(state, 16);
  for (let i = 0; i < 80; i++) {
    let f: u32;
    let k: u32;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    const t = rotl<u32>(a, 5) + f + e + k + load<u32>(w + (<usize>i << 2));
    e = d;
    d = c;
    c = rotl<u32>(b, 30);
    b = a;
    a = t;
  }
  store<u32>(state, load<u32>(state, 0) + a, 0);
  store<u32>(state, load<u32>(state, 4) + b, 4);
  store<u32>(state, load<u32>(state, 8) + c, 8);
  store<u32>(state, load<u32>(state, 12) + d, 12);
  store<u32>(state, load<u32>(state, 16) + e, 16);
}
