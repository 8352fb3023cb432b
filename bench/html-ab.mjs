#!/usr/bin/env node
// Two builds of the HTML rewriter side by side in one run, for a change that must cost no throughput
// (bench/html.mjs compares clicktrail with lol-html and with a copy-only filter; run to run, on a loaded
// machine, its numbers drift by more than such a change moves them). Each build is a directory holding
//   bench-html-rewrite.wasm  bench/filters/html-rewrite.ts built from that source
//   clicktrail.wasm          the filter (clickpath on, a new visitor: every same-site link gets a segment)
//   html-test.wasm           optional: the tests' build (npm run build:html-test), called per chunk from JS
//                            as bench/html.mjs's `clicktrail` column does
// Both run in the project's Envoy-model host (dist/host) on lol-html's three benchmark pages in 16 KiB
// chunks; subjects alternate within each round (A, B, A, B, ...) so load changes hit both alike, and the
// median of the rounds is reported. The rewrite filters' and loader builds' outputs are checked to be byte-identical, the
// filters' to be as long and to carry as many segments (each build issues its own session id).
//
//   node bench/html-ab.mjs --a DIR --b DIR [--rounds 9] [--mb 80] [--chunk 16384]
//   (after npm run build; for DIR, e.g. copy build/clicktrail.wasm and
//    `npx asc bench/filters/html-rewrite.ts --target release --runtime incremental -o DIR/bench-html-rewrite.wasm` per checkout)
import { existsSync } from "node:fs";
import { loadHtml } from "../tests/html/harness.mjs";
import { htmlExchange } from "./support/exchange.mjs";
import { FIXTURE_PAGES, fixturePage } from "./support/pages.mjs";

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const A = arg("a"), B = arg("b");
if (!A || !B) throw new Error("usage: node bench/html-ab.mjs --a DIR --b DIR [--rounds 9] [--mb 80]");
const ROUNDS = Number(arg("rounds", 9));
const TARGET_MB = Number(arg("mb", 80)); // input per build, subject and page over all rounds
const CHUNK = Number(arg("chunk", 16384));
const root = new URL("..", import.meta.url).pathname;
const { Host } = await import(`${root}dist/host/index.js`);

async function host(wasm, config, rootId) {
  const h = await Host.create({ wasm, config, rootId, logLevel: "warn" });
  if (!h.configured) throw new Error(`${wasm} did not configure`);
  return h;
}

async function loader(wasm) {
  const h = await loadHtml(wasm);
  h.setEverywhere(true);
  h.setLogging(false);
  h.setPrefix("/-S:BENCH1234567890");
  return h;
}

function runLoader(h, parts) {
  h.create(4096);
  const outs = [];
  for (let i = 0; i < parts.length; i++) outs.push(Buffer.from(h.push(parts[i], i === parts.length - 1)));
  return Buffer.concat(outs);
}

const builds = {};
for (const [name, dir] of [["A", A], ["B", B]]) {
  builds[name] = {
    rewrite: await host(`${dir}/bench-html-rewrite.wasm`, {}, "html-rewrite"),
    clickpath: await host(`${dir}/clicktrail.wasm`, { clickpath: {} }, ""),
  };
  if (existsSync(`${A}/html-test.wasm`) && existsSync(`${B}/html-test.wasm`)) builds[name].loader = await loader(`${dir}/html-test.wasm`);
}
const SUBJECTS = builds.A.loader ? ["rewrite", "clickpath", "loader"] : ["rewrite", "clickpath"];
const LABEL = { rewrite: "rewrite filter", clickpath: "clickpath, new visitor", loader: "html-test.wasm from JS" };

function mbps(fn, bytes, target) {
  const runs = Math.max(2, Math.ceil(target / bytes));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) fn();
  return (bytes * runs) / (Number(process.hrtime.bigint() - t0) / 1e9) / 1e6;
}

const median = (xs) => xs.slice().sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const geo = (xs) => Math.exp(xs.reduce((a, r) => a + Math.log(r), 0) / xs.length);

console.log(`A = ${A}, B = ${B}; ${CHUNK}-byte chunks, ${ROUNDS} alternating rounds, Node ${process.version}`);
console.log("\n| page | subject | A MB/s | B MB/s | B / A |");
console.log("|---|---|---:|---:|---:|");
const ratios = { rewrite: [], clickpath: [], loader: [] };
for (const page of FIXTURE_PAGES) {
  const bytes = fixturePage(page);
  const parts = [];
  for (let i = 0; i < bytes.length; i += CHUNK) parts.push(bytes.subarray(i, Math.min(bytes.length, i + CHUNK)));
  for (const subject of SUBJECTS) {
    const path = subject === "clickpath" ? "/multipage/page.html" : "/";
    const fa = subject === "loader" ? () => runLoader(builds.A.loader, parts) : () => htmlExchange(builds.A[subject], parts, path);
    const fb = subject === "loader" ? () => runLoader(builds.B.loader, parts) : () => htmlExchange(builds.B[subject], parts, path);
    const oa = fa(), ob = fb();
    const segments = (body) => body.toString("latin1").split("/-S:").length - 1;
    if (subject !== "clickpath" ? !oa.equals(ob) : oa.length !== ob.length || segments(oa) !== segments(ob)) {
      throw new Error(`${page} ${subject}: the two builds' outputs differ`);
    }
    fa(); fb(); // warm-up
    const ra = [], rb = [];
    for (let r = 0; r < ROUNDS; r++) {
      ra.push(mbps(fa, bytes.length, (TARGET_MB * 1e6) / ROUNDS));
      rb.push(mbps(fb, bytes.length, (TARGET_MB * 1e6) / ROUNDS));
    }
    const a = median(ra), b = median(rb);
    ratios[subject].push(b / a);
    console.log(`| ${page} | ${LABEL[subject]} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(3)} |`);
  }
}
console.log(`geometric mean B / A: ${SUBJECTS.map((k) => `${LABEL[k]} ${geo(ratios[k]).toFixed(3)}`).join(", ")}`);
