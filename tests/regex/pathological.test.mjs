// Patterns that make a backtracking engine take exponential or high-polynomial time, run on 100 KB inputs.
// The assertions are on the answers only (no timing); a backtracking implementation would not finish.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRegex } from "./wasm.mjs";

const re = await loadRegex();
const K100 = 100 * 1024;
const as = "a".repeat(K100);

function check(pattern, input, want, span) {
  assert.equal(re.compile(pattern), "", pattern);
  assert.equal(re.test(input), want, `${pattern} test`);
  if (span !== undefined) assert.deepEqual(re.find(input), span, `${pattern} find`);
}

test("(a+)+$ on 100 KB", () => {
  check("(a+)+$", as + "!", false, null);
  check("(a+)+$", as, true, [0, K100]);
  check("(a+)+$", as + "\n", true, [0, K100]);
});

test("(a|aa)*b on 100 KB", () => {
  check("(a|aa)*b", as, false, null);
  check("(a|aa)*b", as + "b", true, [0, K100 + 1]);
  check("(a|aa)*?b", as + "b", true, [0, K100 + 1]);
});

test("(.*a){20} on 100 KB", () => {
  check("(.*a){20}", as, true, [0, K100]);
  check("(.*a){20}", "a".repeat(19) + "b".repeat(K100), false, null);
  check("(.*a){20}", "b".repeat(K100) + "a".repeat(20), true, [0, K100 + 20]);
});

test("more backtracking traps on 100 KB", () => {
  check("^(\\w+\\s?)*$", "word ".repeat(K100 / 5) + "!", false, null);
  check("(x+x+)+y", "x".repeat(K100), false, null);
  check("(a*)*b", as, false, null);
  check("(?:a?){50}a{50}", "a".repeat(50), true, [0, 50]);
  check("(?:(?:a|b|ab)*c)+x", "ab".repeat(K100 / 2) + "c", false, null);
  // a large program (some 3,000 instructions, hundreds of live threads) over 20 KB
  check("(?:[a-z]{2,5}\\d?){300}Z", "ab1".repeat(20000 / 3), false, null);
});

test("the largest allowed program compiles and runs; one more instruction is refused", () => {
  assert.equal(re.compile("yx{9998}"), "");
  assert.equal(re.programSize(), 10000);
  assert.equal(re.test("y" + "x".repeat(9998)), true);
  assert.equal(re.test("y" + "x".repeat(9997)), false);
  assert.equal(re.compile("x{10000}"), "pattern too large: it expands to more than 10000 instructions");
});

test("a pattern whose DFA outgrows the state cache falls back to the Pike VM with the same answers", () => {
  // a[ab]{12}c over a/b text: the DFA must remember the last 13 bytes, up to 8,192 states against a cap of 256
  assert.equal(re.compile("a[ab]{12}c"), "");
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 1;
  const text = (len) => { let s = ""; for (let i = 0; i < len; i++) s += rnd() ? "a" : "b"; return s; };
  for (const s of [text(K100), text(K100) + "c", text(K100) + "a" + "b".repeat(12) + "c", text(3000) + "c", text(40) + "c"]) {
    const want = /a[ab]{12}c/.exec(s);
    assert.equal(re.test(s), want !== null, `length ${s.length}`);
    assert.equal(re.testPike(s), want !== null);
    assert.deepEqual(re.find(s), want ? [want.index, want.index + want[0].length] : null);
  }
  assert.ok(re.dfaFallbacks() >= 3, `fallbacks ${re.dfaFallbacks()}`);
  // after a fallback the cache starts afresh and serves small searches again
  const before = re.dfaFallbacks();
  assert.equal(re.test("b".repeat(K100)), false);
  assert.equal(re.test("xxa" + "b".repeat(12) + "c"), true);
  assert.equal(re.dfaFallbacks(), before);
});

test("memory stays flat over many searches and recompiles", () => {
  const ua = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
  const round = () => {
    for (const p of ["Googlebot", "(?i)bot|crawl", "a[ab]{12}c", "^(\\w+\\s?)*$"]) {
      assert.equal(re.compile(p), "");
      for (let i = 0; i < 2000; i++) { re.test(ua); re.find(ua); }
    }
  };
  round();
  const before = re.memoryBytes();
  for (let k = 0; k < 10; k++) round();
  assert.equal(re.memoryBytes(), before);
});
