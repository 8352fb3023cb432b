// The as-pect units hard-code the Apache vectors (AssemblyScript tests cannot read files); this checks
// that every vector of vectors.json `session_cookie` and `session_crypto_cookie` appears there byte for
// byte, so the units cannot drift from the observed Apache output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/originals/vectors.json", import.meta.url), "utf8"));
const feature = readFileSync(new URL("../assembly/session/feature.spec.ts", import.meta.url), "utf8");
const crypto = readFileSync(new URL("../assembly/session/crypto.spec.ts", import.meta.url), "utf8");

test("every session_cookie Set-Cookie vector is asserted in feature.spec.ts", () => {
  assert.equal(vectors.session_cookie.length, 5);
  for (const v of vectors.session_cookie) {
    const value = v.header.replace(/^Set-Cookie: /, "");
    assert.ok(feature.includes(`.toBe("${value}")`), `missing: ${value}`);
    if (v.also) assert.ok(feature.includes(`"${v.also.replace(/^Cache-Control: /, "")}"`), `missing: ${v.also}`);
  }
});

test("every session_crypto_cookie vector is decrypted in crypto.spec.ts", () => {
  assert.equal(vectors.session_crypto_cookie.length, 3);
  for (const v of vectors.session_crypto_cookie) {
    assert.equal(v.passphrase, "secret");
    assert.ok(crypto.includes(`"${v.value}"`), `missing: ${v.value}`);
    assert.ok(crypto.includes(`"${v.plaintext}"`), `missing: ${v.plaintext}`);
  }
});
