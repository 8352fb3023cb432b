// Differential test against perl itself, the flavour ClickPath's patterns are written in: the same random
// patterns as the JavaScript differential, including those that repeat a possibly empty subpattern, where
// only perl can say where the leftmost match ends, and Perl-only syntax (scoped and inline flags, POSIX
// classes, \N, \o{}, comments, named groups). Skipped (with one line saying so) when perl is missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { loadRegex, rng } from "./wasm.mjs";
import { generatePattern, randomInput } from "./gen.mjs";

const perlOk = spawnSync("perl", ["-e", "exit 0"]).status === 0;
if (!perlOk) console.log("SKIPPED: tests/regex/perl.test.mjs needs perl on PATH");

// One perl process answers every case: "P <hex pattern> <0|1>" compiles, "I <hex input>" prints
// "start end" of the leftmost match or "-". Strings stay bytes (no utf8 flag), as the filter's are.
const PERL = String.raw`
use strict; no warnings;
$| = 1;
my $re;
while (my $line = <STDIN>) {
  chomp $line;
  my ($k, $hex, $ci) = split / /, $line;
  my $s = pack("H*", $hex // "");
  if ($k eq "P") { $re = $ci ? qr/$s/i : qr/$s/; next; }
  # perl 5.36 can panic on some quantified empty constructs (regrepeat: OPFAIL); report it, go on
  my @m = eval { $s =~ $re ? ($-[0], $+[0]) : () };
  if ($@) { print "panic\n"; } elsif (@m) { print "$m[0] $m[1]\n"; } else { print "-\n"; }
}
`;

const hex = (s) => Buffer.from(s, "latin1").toString("hex");

test("agrees with perl on 3,000 random patterns × 8 inputs, leftmost span included", { skip: !perlOk }, async (t) => {
  const re = await loadRegex();
  const rand = rng(Number(process.env.REGEX_PERL_SEED ?? 7331)); // other seeds explore other cases
  const cases = [];
  let script = "";
  for (let i = 0; i < 3000; i++) {
    const ci = rand() < 0.3;
    const p = generatePattern(rand, ci, true);
    assert.equal(re.compile(p.perl, ci), "", p.perl);
    script += `P ${hex(p.perl)} ${ci ? 1 : 0}\n`;
    for (let j = 0; j < 8; j++) {
      const input = randomInput(rand, p.alphabet);
      const span = re.find(input);
      cases.push({ pattern: p.perl, ci, input, span, test: re.test(input), emptyLoop: p.emptyLoop });
      script += `I ${hex(input)}\n`;
    }
  }
  const r = spawnSync("perl", ["-e", PERL], { input: script, encoding: "utf8", maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const answers = r.stdout.split("\n").slice(0, -1);
  assert.equal(answers.length, cases.length);
  const failures = [];
  let emptyLoops = 0;
  let matches = 0;
  let panics = 0;
  cases.forEach((c, i) => {
    if (answers[i] === "panic") { panics++; return; }
    const want = answers[i] === "-" ? null : answers[i].split(" ").map(Number);
    if (want) matches++;
    if (c.emptyLoop) emptyLoops++;
    if (c.test !== (want !== null) || JSON.stringify(c.span) !== JSON.stringify(want)) {
      failures.push(`${JSON.stringify(c.pattern)}${c.ci ? " (i)" : ""} on ${JSON.stringify(c.input)}: test ${c.test}, span ${JSON.stringify(c.span)}; perl ${JSON.stringify(want)}`);
    }
  });
  assert.equal(cases.length, 24000);
  t.diagnostic(`${cases.length} cases, ${emptyLoops} with a possibly empty loop, ${matches} matches, ${panics} perl panics skipped`);
  assert.ok(panics < 200, `perl panicked on ${panics} cases`);
  assert.ok(emptyLoops > 2000, `patterns with a possibly empty loop: ${emptyLoops} cases`);
  assert.ok(matches > 6000 && matches < 18000, `matches ${matches}`);
  assert.deepEqual(failures.slice(0, 20), []);
});
