#!/usr/bin/env node
// Regex engine benchmark (npm run build:regex-test first): assembly/regex (lazy DFA with a Pike VM
// fallback, in wasm) against V8's backtracking RegExp, side by side in one run.
//   1. Pathological patterns: each input grows until RegExp needs >= 50 ms on it; our time on that same
//      input, the ratio, and our time on a 100 KB input of the same shape.
//   2. The everyday case: a crawler list (ClickPath's POD plus broader modern patterns) against
//      browser and crawler User-Agents, per User-Agent checked against the whole list.
//   node bench/regex.mjs
import { performance } from "node:perf_hooks";
import { loadRegex } from "../tests/regex/wasm.mjs";

const re = await loadRegex();

function time(fn, minMs = 20) {
  let reps = 0;
  const t0 = performance.now();
  let t = t0;
  do { fn(); reps++; t = performance.now(); } while (t - t0 < minMs);
  return (t - t0) / reps;
}

const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4)) + " ms";

// input(n) grows with n; big is n for a 100 KB input
const K100 = 100 * 1024;
const CASES = [
  { pattern: "(a+)+$", input: (n) => "a".repeat(n) + "!", big: K100 - 1, js: /(a+)+$/, want: false },
  { pattern: "(a|aa)*b", input: (n) => "a".repeat(n), big: K100, js: /(a|aa)*b/, want: false },
  { pattern: "(.*a){20}", input: (n) => "a".repeat(19) + "b".repeat(n), big: K100 - 19, js: /([^\n]*a){20}/, want: false },
  { pattern: "^(\\w+\\s?)*$", input: (n) => "word ".repeat(n) + "!", big: K100 / 5, js: /^(\w+[\t\n\v\f\r ]?)*$/, want: false },
];

console.log("Pathological patterns (answers checked equal)");
console.log("pattern | input size where RegExp >= 50 ms | RegExp | this engine, same input | ratio | this engine, 100 KB");
for (const c of CASES) {
  if (re.compile(c.pattern) !== "") throw new Error(c.pattern);
  let n = 4;
  let jsMs = 0;
  for (; n < 5000; n = Math.ceil(n * 1.15)) {
    const s = c.input(n);
    const t0 = performance.now();
    const got = c.js.test(s);
    jsMs = performance.now() - t0;
    if (got !== c.want) throw new Error(`JS answer for ${c.pattern}`);
    if (jsMs >= 50) break;
  }
  const s = c.input(n);
  if (re.test(s) !== c.want) throw new Error(`our answer for ${c.pattern}`);
  const ours = time(() => re.test(s));
  const big = c.input(c.big);
  if (re.test(big) !== c.want) throw new Error(`our 100 KB answer for ${c.pattern}`);
  const oursBig = time(() => re.test(big), 50);
  console.log(`${c.pattern} | ${s.length} bytes | ${fmt(jsMs)} | ${fmt(ours)} | RegExp/ours = ${(jsMs / ours).toFixed(0)}x | ${fmt(oursBig)} (${big.length} bytes)`);
}

const LIST = [
  "Googlebot", "msnbot", "HeinrichderMiragoRobot", "Yahoo-MMCrawler", "Seekbot", "psbot", "Ocelli", "NaverBot",
  "TurnitinBot", "Pompos", "search\\.ch", "http://www\\.almaden\\.ibm\\.com/cs/crawler/",
  "(?i)bot|crawl|spider|slurp", "facebookexternalhit/1\\.[01]", "^Mozilla/5\\.0 \\(compatible; (?:Googlebot|bingbot)/\\d+\\.\\d+",
];
const UAS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
];
const toJs = (p) => {
  const ci = p.startsWith("(?i)");
  return new RegExp(ci ? p.slice(4) : p, ci ? "i" : "");
};
const jsList = LIST.map(toJs);
// One wasm instance holds one compiled pattern at a time, so the list is timed pattern by pattern, with
// repeatTest looping inside wasm (no JS-to-wasm string copy per call, as in the filter itself).
console.log("");
console.log(`Crawler list (${LIST.length} patterns), one User-Agent checked against every pattern`);
console.log("User-Agent | RegExp | this engine (lazy DFA) | ours/RegExp | Pike VM alone | Pike/DFA");
const REPS = 20000;
for (const ua of UAS) {
  const jsMs = time(() => { for (const r of jsList) r.test(ua); }, 200);
  let oursMs = 0;
  let pikeMs = 0;
  for (const p of LIST) {
    if (re.compile(p) !== "") throw new Error(p);
    re.repeatTest(ua, REPS); // warm-up: let V8 tier the module up
    re.repeatTestPike(ua, REPS);
    oursMs += time(() => re.repeatTest(ua, REPS), 50) / REPS;
    pikeMs += time(() => re.repeatTestPike(ua, REPS), 50) / REPS;
  }
  const us = (ms) => (ms * 1000).toFixed(2) + " µs";
  console.log(`${ua.slice(0, 40)}… (${ua.length} B) | ${us(jsMs)} | ${us(oursMs)} | ${(oursMs / jsMs).toFixed(1)}x | ${us(pikeMs)} | ${(pikeMs / oursMs).toFixed(1)}x`);
}
