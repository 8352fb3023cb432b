// Loads build/crypto-test.wasm (tests/crypto/entry.ts) with @assemblyscript/loader and wraps each export
// so it takes and returns plain Uint8Arrays / strings (null stays null). Arguments are pinned while the
// others are allocated, results copied out before the next call can collect them.
import { readFileSync } from "node:fs";
import loader from "@assemblyscript/loader";

const root = new URL("../..", import.meta.url);

export async function loadCrypto(path = new URL("build/crypto-test.wasm", root)) {
  const { exports: x } = await loader.instantiate(readFileSync(path), {
    env: {
      abort(msg, file, line, col) {
        throw new Error(`wasm abort: ${x.__getString(msg)} at ${x.__getString(file)}:${line}:${col}`);
      },
    },
  });
  const id = x.UINT8ARRAY_ID.value;
  const bytes = (u8) => x.__pin(x.__newArray(id, u8));
  const str = (s) => x.__pin(x.__newString(s));

  // kinds: "b" bytes, "s" string, "n" number/bool passed through. ret: "b", "s", "n".
  function wrap(fn, kinds, ret) {
    return (...args) => {
      const ptrs = [];
      const conv = args.map((a, i) => {
        if (kinds[i] === "b") { const p = bytes(a); ptrs.push(p); return p; }
        if (kinds[i] === "s") { const p = str(a); ptrs.push(p); return p; }
        return typeof a === "boolean" ? (a ? 1 : 0) : a;
      });
      try {
        const r = fn(...conv);
        if (ret === "n") return r;
        if (r === 0) return null;
        return ret === "b" ? x.__getUint8Array(r) : x.__getString(r);
      } finally {
        for (const p of ptrs) x.__unpin(p);
      }
    };
  }

  return {
    raw: x,
    sha1: wrap(x.hashSha1, "b", "b"),
    sha256: wrap(x.hashSha256, "b", "b"),
    md5: wrap(x.hashMd5, "b", "b"),
    hmacSha1: wrap(x.hmacSha1, "bb", "b"),
    hmacSha256: wrap(x.hmacSha256, "bb", "b"),
    pbkdf2Sha1: wrap(x.pbkdf2Sha1, "bbnn", "b"),
    pbkdf2Sha256: wrap(x.pbkdf2Sha256, "bbnn", "b"),
    hkdf: wrap(x.hkdf, "bbbn", "b"),
    siphash: wrap(x.siphash, "bb", "b"),
    crc8: wrap(x.crc8, "b", "n"),
    ctEqual: (a, b) => wrap(x.ctEqual, "bb", "n")(a, b) === 1,
    aesCbcEncrypt: wrap(x.aesCbcEncrypt, "bbb", "b"),
    aesCbcDecrypt: wrap(x.aesCbcDecrypt, "bbb", "b"),
    aesEncryptBlock: wrap(x.aesEncryptBlock, "bb", "b"),
    chacha20: wrap(x.chacha20, "bbnb", "b"),
    poly1305: wrap(x.poly1305, "bb", "b"),
    hchacha20: wrap(x.hchacha20, "bb", "b"),
    aeadSeal: wrap(x.aeadSeal, "bbbb", "b"),
    aeadOpen: wrap(x.aeadOpen, "bbbb", "b"),
    xaeadSeal: wrap(x.xaeadSeal, "bbbb", "b"),
    xaeadOpen: wrap(x.xaeadOpen, "bbbb", "b"),
    base64Encode: wrap(x.base64Encode, "bnn", "s"),
    base64Decode: wrap(x.base64Decode, "sn", "b"),
    aprBase64Decode: wrap(x.aprBase64Decode, "s", "b"),
    hexEncode: wrap(x.hexEncode, "b", "s"),
    hexDecode: wrap(x.hexDecode, "s", "b"),
    escapeUrlencoded: wrap(x.escapeUrlencoded, "s", "s"),
    unescapeUrlencoded: wrap(x.unescapeUrlencoded, "s", "s"),
    apacheSetKeys: (k, m) => wrap(x.apacheSetKeys, "bb", "n")(k, m) === 1,
    apacheSeal: wrap(x.apacheSeal, "bbb", "s"),
    apacheOpen: wrap(x.apacheOpen, "s", "b"),
  };
}

/** xorshift128+ over BigInt-free 32-bit halves: a seeded PRNG so a failing case can be replayed. */
export function prng(seed) {
  let a = seed >>> 0 || 1, b = 0x9e3779b9, c = 0x85ebca6b, d = 0xc2b2ae35;
  const next = () => {
    // xoshiro128** step
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
    return r;
  };
  for (let i = 0; i < 16; i++) next();
  return {
    u32: next,
    int: (n) => Math.floor((next() / 0x100000000) * n),
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = next() & 0xff;
      return out;
    },
  };
}

function rotl(x, k) { return ((x << k) | (x >>> (32 - k))) >>> 0; }

export const hex = (u8) => Buffer.from(u8).toString("hex");
export const unhex = (s) => new Uint8Array(Buffer.from(s, "hex"));
