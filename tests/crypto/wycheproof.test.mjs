// Every Wycheproof vector for the primitives the project implements (AES-GCM excepted: no GCM here),
// valid and invalid, against build/crypto-test.wasm. Each group asserts how many vectors it ran, so a
// fixture that silently lost its tests fails too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadCrypto, hex, unhex } from "./wasm.mjs";

const c = await loadCrypto();
const load = (name) => JSON.parse(readFileSync(new URL(`../fixtures/wycheproof/${name}`, import.meta.url), "utf8"));
const tests = (file) => file.testGroups.flatMap((g) => g.tests.map((t) => ({ g, t })));

function run(name, expectedCount, check) {
  const file = load(name);
  const all = tests(file);
  test(`wycheproof ${name}: ${all.length} vectors`, () => {
    assert.equal(all.length, expectedCount);
    assert.equal(file.numberOfTests ?? all.length, all.length);
    for (const { g, t } of all) {
      try {
        check(g, t);
      } catch (e) {
        e.message = `tcId ${t.tcId} (${t.comment}; ${t.flags?.join(",")}): ${e.message}`;
        throw e;
      }
    }
  });
}

function macCheck(mac) {
  return (g, t) => {
    const full = mac(unhex(t.key), unhex(t.msg));
    const got = full.subarray(0, g.tagSize / 8);
    const matches = hex(got) === t.tag;
    assert.equal(matches, t.result === "valid");
  };
}

run("hmac_sha1_test.json", 170, macCheck(c.hmacSha1));
run("hmac_sha256_test.json", 174, macCheck(c.hmacSha256));

run("hkdf_sha256_test.json", 86, (g, t) => {
  const okm = c.hkdf(unhex(t.ikm), unhex(t.salt), unhex(t.info), t.size);
  if (t.result === "valid") assert.equal(hex(okm), t.okm);
  else assert.equal(okm, null);
});

run("pbkdf2_hmacsha1_test.json", 64, (g, t) => {
  if (t.iterationCount > 100000) return; // its own test below
  const dk = c.pbkdf2Sha1(unhex(t.password), unhex(t.salt), t.iterationCount, t.dkLen);
  assert.equal(t.result, "valid");
  assert.equal(hex(dk), t.dk);
});

test("wycheproof pbkdf2_hmacsha1_test.json: the 16,777,216-iteration vector", () => {
  const big = tests(load("pbkdf2_hmacsha1_test.json")).filter(({ t }) => t.iterationCount > 100000);
  assert.equal(big.length, 1);
  const { t } = big[0];
  assert.equal(hex(c.pbkdf2Sha1(unhex(t.password), unhex(t.salt), t.iterationCount, t.dkLen)), t.dk);
});

run("aes_cbc_pkcs5_test.json", 216, (g, t) => {
  const key = unhex(t.key), iv = unhex(t.iv), ct = unhex(t.ct), msg = unhex(t.msg);
  const plain = c.aesCbcDecrypt(key, iv, ct);
  if (t.result === "valid") {
    assert.equal(hex(c.aesCbcEncrypt(key, iv, msg)), t.ct);
    assert.equal(hex(plain), t.msg);
  } else {
    assert.equal(plain, null);
  }
});

function aeadCheck(seal, open) {
  return (g, t) => {
    const key = unhex(t.key), iv = unhex(t.iv), aad = unhex(t.aad), msg = unhex(t.msg);
    const sealed = unhex(t.ct + t.tag);
    const opened = open(key, iv, sealed, aad);
    if (t.result === "valid") {
      assert.equal(hex(seal(key, iv, msg, aad)), t.ct + t.tag);
      assert.equal(hex(opened), t.msg);
    } else {
      assert.equal(opened, null);
      // A nonce of the wrong size cannot seal either.
      if (iv.length !== g.ivSize / 8 || t.flags.includes("InvalidNonceSize")) assert.equal(seal(key, iv, msg, aad).length, 0);
    }
  };
}

run("chacha20_poly1305_test.json", 325, aeadCheck(c.aeadSeal, c.aeadOpen));
run("xchacha20_poly1305_test.json", 315, aeadCheck(c.xaeadSeal, c.xaeadOpen));
