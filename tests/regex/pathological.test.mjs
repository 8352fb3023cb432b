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
