// Differential test of assembly/regex against JavaScript's RegExp on random patterns from the supported
// subset. Each pattern is generated as a tree and written twice: in Perl syntax for our engine and in an
// equivalent JavaScript form where the flavours differ (Perl's `$` and `\Z` also match before a final
// newline, `.` excludes only \n, `\s` is ASCII). The yes/no answer must always agree; the leftmost match
// span too, except where a quantifier repeats something that can match empty: there JavaScript fails the
// empty iteration and backtracks into it, while Perl (and this engine) end the loop and go on — the Perl
// differential (perl.test.mjs) checks those spans.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRegex, rng } from "./wasm.mjs";
import { generatePattern, randomInput } from "./gen.mjs";

const re = await loadRegex();

test("agrees with JavaScript RegExp on 2,500 random patterns × 8 inputs (test by lazy DFA and by Pike VM, leftmost span)", () => {
  const rand = rng(20261122);
  let cases = 0;
  let matches = 0;
  const failures = [];
  for (let i = 0; i < 2500; i++) {
    const ci = rand() < 0.3;
    const p = generatePattern(rand, ci);
    const js = new RegExp(p.js, ci ? "i" : "");
    const err = re.compile(p.perl, ci);
    if (err !== "") { failures.push(`compile ${JSON.stringify(p.perl)}: ${err}`); continue; }
    for (let j = 0; j < 8; j++) {
      const input = randomInput(rand, p.alphabet);
      cases++;
      const m = js.exec(input);
      const want = m ? [m.index, m.index + m[0].length] : null;
      if (want) matches++;
      const gotTest = re.test(input);
      const gotPike = re.testPike(input);
      const gotSpan = re.find(input);
      const spanDiffers = !p.emptyLoop && JSON.stringify(gotSpan) !== JSON.stringify(want);
      if (gotTest !== (want !== null) || gotPike !== gotTest || spanDiffers) {
        failures.push(`${JSON.stringify(p.perl)}${ci ? " (i)" : ""} on ${JSON.stringify(input)}: test ${gotTest}, Pike VM test ${gotPike}, span ${JSON.stringify(gotSpan)}; JS ${JSON.stringify(want)} via ${JSON.stringify(p.js)}`);
      }
    }
  }
  assert.equal(cases, 20000);
  // the generator must exercise both outcomes, or agreement would say little
  assert.ok(matches > 5000 && matches < 15000, `matches ${matches}`);
  assert.deepEqual(failures.slice(0, 20), []);
});
