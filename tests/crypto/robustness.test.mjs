// Nothing traps: every export of build/crypto-test.wasm on every combination of awkward argument sizes
// (empty, one byte, around block sizes, key sizes off by one, larger than a block, 64 KiB) returns a
// value. A trap would surface here as the loader's abort error; the results are checked to be the
// documented error values where the sizes are invalid.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCrypto, prng } from "./wasm.mjs";

const c = await loadCrypto();
const rng = prng(99);
const SIZES = [0, 1, 7, 8, 11, 12, 13, 15, 16, 17, 23, 24, 25, 31, 32, 33, 63, 64, 65, 129, 65536];
const pick = () => rng.bytes(SIZES[rng.int(SIZES.length)]);

test("byte-argument exports return values for any argument sizes", () => {
  let calls = 0;
  for (let i = 0; i < 300; i++) {
    const [a, b, d, e] = [pick(), pick(), pick(), pick()];
    for (const f of ["sha1", "sha256", "md5", "crc8", "hexEncode"]) { c[f](a); calls++; }
    for (const f of ["hmacSha1", "hmacSha256", "siphash", "ctEqual", "poly1305", "hchacha20", "aesEncryptBlock"]) { c[f](a, b); calls++; }
    const enc = c.aesCbcEncrypt(a, b, d);
    assert.equal(enc.length === 0, ![16, 24, 32].includes(a.length) || b.length !== 16);
    const dec = c.aesCbcDecrypt(a, b, d);
    if (![16, 24, 32].includes(a.length) || b.length !== 16 || d.length === 0 || d.length % 16) assert.equal(dec, null);
    const seal = c.aeadSeal(a, b, d, e);
    assert.equal(seal.length, a.length === 32 && b.length === 12 ? d.length + 16 : 0);
    const xseal = c.xaeadSeal(a, b, d, e);
    assert.equal(xseal.length, a.length === 32 && b.length === 24 ? d.length + 16 : 0);
    assert.equal(c.aeadOpen(a, b, d, e), null); // random bytes never carry a valid tag
    assert.equal(c.xaeadOpen(a, b, d, e), null);
    const s = c.chacha20(a, b, rng.u32(), d);
    assert.equal(s.length, a.length === 32 && b.length === 12 ? d.length : 0);
    calls += 9;
  }
  assert.ok(calls > 3000);
});

test("length and count arguments out of range give error values, not traps", () => {
  for (const n of [-1, 0, -2147483648, 2147483647]) {
    assert.equal(c.pbkdf2Sha1(new Uint8Array(3), new Uint8Array(3), 1, n).length, 0);
    assert.equal(c.pbkdf2Sha256(new Uint8Array(3), new Uint8Array(3), 1, n).length, 0);
    assert.equal(c.pbkdf2Sha1(new Uint8Array(3), new Uint8Array(3), n <= 0 ? n : 0, 20).length, 0);
    if (n !== 0) assert.equal(c.hkdf(new Uint8Array(3), new Uint8Array(3), new Uint8Array(3), n), null);
  }
  assert.equal(c.hkdf(new Uint8Array(0), new Uint8Array(0), new Uint8Array(0), 0).length, 0);
});

test("string codecs accept any code units", () => {
  const units = ["", "=", "==", "A", "AB=", "%", "%%", "+", "\0", "\u00ff", "\u0100", "\ud800", "\uffff", "-_", "Zm9v"];
  for (let i = 0; i < 2000; i++) {
    let s = "";
    for (let j = rng.int(8); j > 0; j--) s += units[rng.int(units.length)];
    c.base64Decode(s, false);
    c.base64Decode(s, true);
    c.aprBase64Decode(s);
    c.hexDecode(s);
    c.escapeUrlencoded(s);
    assert.match(c.unescapeUrlencoded(s), /^(0|400|404):/);
    c.apacheOpen(s);
  }
});
