// build/crypto-test.wasm against node:crypto (and, where node has no such primitive, the plain-JS
// references in reference.mjs, themselves checked against published vectors first) on seeded random
// inputs: 1,000+ cases per primitive, lengths 0..4096. A failure message names the seed and case index;
// rerun with CLICKTRAIL_SEED=<seed> to reproduce.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { loadCrypto, prng, hex } from "./wasm.mjs";
import * as ref from "./reference.mjs";

const c = await loadCrypto();
const SEED = Number(process.env.CLICKTRAIL_SEED ?? 20261122);
const CASES = 1000;

/** Runs `body(rng, i)` CASES times with one PRNG per primitive, so cases do not shift between primitives. */
function cases(name, body, n = CASES) {
  test(`${name}: ${n} random cases against the reference (seed ${SEED})`, () => {
    const rng = prng(SEED ^ [...name].reduce((h, ch) => Math.imul(h, 31) + ch.charCodeAt(0), 7));
    for (let i = 0; i < n; i++) {
      try {
        body(rng, i);
      } catch (e) {
        e.message = `${name} case ${i} (seed ${SEED}): ${e.message}`;
        throw e;
      }
    }
  });
}

/** Mostly short lengths, some long, always including the edges 0 and max. */
function len(rng, i, max = 4096) {
  if (i === 0) return 0;
  if (i === 1) return max;
  return rng.int(4) === 0 ? rng.int(max + 1) : rng.int(Math.min(max, 200) + 1);
}

const nodeHash = (alg, d) => hex(crypto.createHash(alg).update(d).digest());
const nodeHmac = (alg, k, d) => hex(crypto.createHmac(alg, k).update(d).digest());
const latin1 = (u8) => Buffer.from(u8).toString("latin1");

test("the JS references reproduce published vectors before they judge the wasm", () => {
  const key = Uint8Array.from({ length: 16 }, (_, i) => i);
  const vectors = JSON.parse(readFileSync(new URL("../fixtures/siphash/vectors_sip64.json", import.meta.url), "utf8"));
  assert.equal(vectors.length, 64);
  vectors.forEach((want, n) => {
    const msg = Uint8Array.from({ length: n }, (_, i) => i);
    assert.equal(hex(ref.siphash24(key, msg)), want);
    assert.equal(hex(c.siphash(key, msg)), want);
  });
  assert.equal(hex(ref.hchacha20(Uint8Array.from({ length: 32 }, (_, i) => i), Buffer.from("000000090000004a0000000031415927", "hex"))),
    "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");
  assert.equal(ref.crc8(Buffer.from("123456789")), 0xf4);
  assert.equal(ref.apacheUnescape("a+%2B%zz"), "400:a +%zz");
});

for (const [name, alg] of [["sha1", "sha1"], ["sha256", "sha256"], ["md5", "md5"]]) {
  cases(name, (rng, i) => {
    const d = rng.bytes(len(rng, i));
    assert.equal(hex(c[name](d)), nodeHash(alg, d));
  });
}

for (const [name, alg] of [["hmacSha1", "sha1"], ["hmacSha256", "sha256"]]) {
  cases(name, (rng, i) => {
    const k = rng.bytes(rng.int(200)), d = rng.bytes(len(rng, i));
    assert.equal(hex(c[name](k, d)), nodeHmac(alg, k, d));
  });
}

for (const [name, alg] of [["pbkdf2Sha1", "sha1"], ["pbkdf2Sha256", "sha256"]]) {
  cases(name, (rng, i) => {
    const p = rng.bytes(rng.int(100)), s = rng.bytes(rng.int(64));
    const iterations = 1 + rng.int(20), length = 1 + rng.int(100);
    assert.equal(hex(c[name](p, s, iterations, length)), hex(crypto.pbkdf2Sync(p, s, iterations, length, alg)));
  });
}

cases("hkdf", (rng, i) => {
  const ikm = rng.bytes(rng.int(100)), salt = rng.bytes(rng.int(100)), info = rng.bytes(rng.int(100));
  const length = i === 1 ? 255 * 32 : 1 + rng.int(rng.int(4) === 0 ? 8160 : 100);
  assert.equal(hex(c.hkdf(ikm, salt, info, length)), hex(new Uint8Array(crypto.hkdfSync("sha256", ikm, salt, info, length))));
  assert.equal(c.hkdf(ikm, salt, info, 255 * 32 + 1 + rng.int(1000)), null);
});

cases("siphash24", (rng, i) => {
  const k = rng.bytes(16), d = rng.bytes(len(rng, i));
  assert.equal(hex(c.siphash(k, d)), hex(ref.siphash24(k, d)));
});

cases("aes-cbc", (rng, i) => {
  const key = rng.bytes([16, 24, 32][rng.int(3)]), iv = rng.bytes(16), pt = rng.bytes(len(rng, i));
  const ct = c.aesCbcEncrypt(key, iv, pt);
  assert.equal(hex(ct), hex(ref.nodeCbcEncrypt(key, iv, pt)));
  assert.equal(hex(c.aesCbcDecrypt(key, iv, ct)), hex(pt));
  // Random and tampered ciphertexts: same padding verdict and plaintext as OpenSSL.
  // (A bit flipped in the block before the last, or in the IV for one block, changes the last block's padding.)
  let junk;
  if (rng.int(2) === 0) junk = rng.bytes(16 * (1 + rng.int(4)));
  else {
    junk = Uint8Array.from(ct);
    const j = ct.length - 17 - rng.int(16);
    if (j >= 0) junk[j] ^= 1 << rng.int(8);
    else iv[16 + j] ^= 1 << rng.int(8);
  }
  const want = ref.nodeCbcDecrypt(key, iv, junk);
  const got = c.aesCbcDecrypt(key, iv, junk);
  assert.equal(got === null ? null : hex(got), want === null ? null : hex(want));
});

cases("aes-cbc bad lengths", (rng) => {
  const key = rng.bytes([16, 24, 32][rng.int(3)]), iv = rng.bytes(16);
  const n = rng.int(200);
  const ct = rng.bytes(n % 16 === 0 ? n + 1 : n);
  assert.equal(c.aesCbcDecrypt(key, iv, ct), null);
  const badKey = rng.bytes([0, 1, 15, 17, 23, 25, 31, 33, 64][rng.int(9)]);
  assert.equal(c.aesCbcDecrypt(badKey, iv, rng.bytes(16)), null);
  assert.equal(c.aesCbcEncrypt(badKey, iv, rng.bytes(5)).length, 0);
});

cases("chacha20", (rng, i) => {
  const key = rng.bytes(32), nonce = rng.bytes(12), d = rng.bytes(len(rng, i));
  const counter = rng.u32() % 0xffff0000;
  const iv = Buffer.alloc(16);
  iv.writeUInt32LE(counter, 0);
  iv.set(nonce, 4);
  const want = crypto.createCipheriv("chacha20", key, iv).update(d);
  assert.equal(hex(c.chacha20(key, nonce, counter, d)), hex(want));
});

/** The sealed value with one bit flipped, truncated, or extended: never opens. */
function tamper(rng, sealed) {
  const t = Uint8Array.from(sealed);
  switch (rng.int(4)) {
    case 0: { const j = sealed.length - 1 - rng.int(16); t[j] ^= 1 << rng.int(8); return t; } // tag
    case 1: if (sealed.length > 16) { t[rng.int(sealed.length - 16)] ^= 1 << rng.int(8); return t; } // ciphertext
    // falls through for an empty ciphertext
    case 2: return t.subarray(0, rng.int(sealed.length)); // truncated
    default: { const x = new Uint8Array(sealed.length + 1 + rng.int(16)); x.set(sealed); return x; } // extended
  }
}

for (const [name, seal, open, nodeSeal, nodeOpen, nonceLen] of [
  ["chacha20-poly1305", c.aeadSeal, c.aeadOpen, ref.nodeAeadSeal, ref.nodeAeadOpen, 12],
  ["xchacha20-poly1305", c.xaeadSeal, c.xaeadOpen, ref.nodeXSeal, ref.nodeXOpen, 24],
]) {
  cases(name, (rng, i) => {
    const key = rng.bytes(32), nonce = rng.bytes(nonceLen), pt = rng.bytes(len(rng, i)), aad = rng.bytes(rng.int(64));
    const sealed = seal(key, nonce, pt, aad);
    assert.equal(hex(sealed), hex(nodeSeal(key, nonce, pt, aad)));
    assert.equal(hex(open(key, nonce, sealed, aad)), hex(pt));
    const bad = tamper(rng, sealed);
    assert.equal(open(key, nonce, bad, aad), null);
    assert.equal(nodeOpen(key, nonce, bad, aad), null);
    const otherAad = Uint8Array.from(aad.length ? aad : [0], (b, j) => (j === 0 ? b ^ 1 : b));
    assert.equal(open(key, nonce, sealed, otherAad), null);
    const otherNonce = Uint8Array.from(nonce, (b, j) => (j === nonceLen - 1 ? b ^ 0x80 : b));
    assert.equal(open(key, otherNonce, sealed, aad), null);
  });
}

cases("base64", (rng, i) => {
  const d = rng.bytes(len(rng, i, 300));
  const buf = Buffer.from(d);
  assert.equal(c.base64Encode(d, false, true), buf.toString("base64"));
  assert.equal(c.base64Encode(d, true, false), buf.toString("base64url"));
  assert.equal(c.base64Encode(d, false, false), buf.toString("base64").replace(/=+$/, ""));
  assert.equal(hex(c.base64Decode(buf.toString("base64"), false)), hex(d));
  assert.equal(hex(c.base64Decode(buf.toString("base64url"), true)), hex(d));
  // Random strings over the alphabet, padding and junk: accepted exactly when canonical.
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_= \n%\u00e9";
  const n = rng.int(12);
  let s = "";
  for (let j = 0; j < n; j++) s += chars[rng.int(rng.int(3) === 0 ? chars.length : 64)];
  for (const urlSafe of [false, true]) {
    const lenient = Buffer.from(s, urlSafe ? "base64url" : "base64");
    const enc = urlSafe ? lenient.toString("base64url") : lenient.toString("base64").replace(/=+$/, "");
    const canonical = s === enc || s === enc + "=".repeat((4 - (enc.length % 4)) % 4);
    const got = c.base64Decode(s, urlSafe);
    assert.equal(got === null ? null : hex(got), canonical ? hex(lenient) : null, JSON.stringify(s));
  }
  assert.equal(hex(c.aprBase64Decode(s)), hex(ref.aprBase64Decode(s)), JSON.stringify(s));
});

cases("hex", (rng, i) => {
  const d = rng.bytes(len(rng, i, 300));
  assert.equal(c.hexEncode(d), hex(d));
  assert.equal(hex(c.hexDecode(hex(d).toUpperCase())), hex(d));
  const s = hex(d) + "0123456789abcdefABCDEFgx "[rng.int(25)];
  assert.equal(c.hexDecode(s), null);
});

cases("percent", (rng, i) => {
  const s = latin1(rng.bytes(len(rng, i, 100)));
  assert.equal(c.escapeUrlencoded(s), ref.apacheEscape(s));
  assert.equal(c.unescapeUrlencoded(c.escapeUrlencoded(s)), (s.includes("\0") ? "404:" : "0:") + s);
  const alphabet = "%+aF09gz\0 \u00ff";
  let t = "";
  for (let j = rng.int(16); j > 0; j--) t += alphabet[rng.int(alphabet.length)];
  assert.equal(c.unescapeUrlencoded(t), ref.apacheUnescape(t), JSON.stringify(t));
});

cases("crc8 and constantTimeEqual", (rng, i) => {
  const d = rng.bytes(len(rng, i));
  assert.equal(c.crc8(d), ref.crc8(d));
  const e = Uint8Array.from(d);
  if (e.length && rng.int(2)) e[rng.int(e.length)] ^= 1 << rng.int(8);
  const f = rng.int(8) === 0 ? e.subarray(0, Math.max(0, e.length - 1)) : e;
  assert.equal(c.ctEqual(d, f), Buffer.from(d).equals(Buffer.from(f)));
});
