#!/usr/bin/env node
// HTML link rewriting throughput, side by side in one run, on lol-html's three benchmark pages fed in
// 16 KiB chunks:
//   clicktrail  assembly/html (build/html-test.wasm, the filter's runtime and -O3), called per chunk from
//               JS the way a host calls a filter: chunk copied into wasm memory, output copied out (this
//               build has the tests' report mode compiled in, switched off; the filters below do not)
//   lol-html    html-rewriter-wasm 0.4.1 (lol-html compiled to wasm), one JS handler per matched element
//   clicktrail in a filter   bench/filters/html-rewrite.ts: the same rewriter in an SDK filter, run by the
//               project's Envoy-model host (dist/host) through the proxy-wasm ABI
//   floor       bench/filters/html-copy.ts: an SDK filter that reads each chunk through the ABI and
//               writes it back unchanged
//   clickpath   build/clicktrail.wasm itself with clickpath on, the page served under a returning
//               visitor's session (`/-S:<id>/multipage/page.html`: relative links already carry it) and
//               to a new visitor (no session in the URL: every same-site link gets it), in the same host
// Both rewrite the same tags and attributes (a[href], area[href], form[action], frame[src], iframe[src],
// meta[content], base[href], button[formaction], input[formaction]) by prepending a fixed segment to
// every non-empty value (clicktrail: to the URL part of a refresh `<meta>`; lol-html: to any
// meta[content]), and both outputs are checked to carry the same number of insertions.
//
//   node bench/html.mjs [--chunk 16384] [--mb 40] [--rounds 5] [--clicktrail build/clicktrail.wasm]
//   (after npm run build; builds the two bench filters; --clicktrail measures another build of the filter)
import { readdirSync } from "node:fs";
import { HTMLRewriter } from "html-rewriter-wasm";
import { loadHtml } from "../tests/html/harness.mjs";
import { htmlExchange } from "./support/exchange.mjs";
import { FIXTURE_PAGES, fixturePage } from "./support/pages.mjs";
import { benchFilter } from "./support/filters.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const CHUNK = opt("chunk", 16384);
const TARGET_MB = opt("mb", 40); // input per subject and page over all rounds (lol-html: a quarter)
const SEG = "/-S:BENCH1234567890";


const h = await loadHtml();
h.setEverywhere(true);
h.setLogging(false);
h.setPrefix(SEG);

function chunks(bytes) {
  const out = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(bytes.subarray(i, Math.min(bytes.length, i + CHUNK)));
  return out;
}

function runClicktrail(parts) {
  h.create(4096);
  let n = 0;
  const outs = [];
  for (let i = 0; i < parts.length; i++) {
    const o = h.push(parts[i], i === parts.length - 1);
    n += o.length;
    outs.push(o);
  }
  return { n, outs };
}

const SELECTORS = [
  ["a[href]", "href"], ["area[href]", "href"], ["form[action]", "action"], ["frame[src]", "src"],
  ["iframe[src]", "src"], ["meta[content]", "content"], ["base[href]", "href"],
  ["button[formaction]", "formaction"], ["input[formaction]", "formaction"],
];

async function runLol(parts) {
  const outs = [];
  const rewriter = new HTMLRewriter((chunk) => outs.push(Buffer.from(chunk)));
  for (const [selector, attr] of SELECTORS) {
    rewriter.on(selector, {
      element(el) {
        const v = el.getAttribute(attr);
        if (v) el.setAttribute(attr, SEG + v);
      },
    });
  }
  try {
    for (const part of parts) await rewriter.write(part);
    await rewriter.end();
  } finally {
    rewriter.free();
  }
  return { n: outs.reduce((a, b) => a + b.length, 0), outs };
}

const root = new URL("..", import.meta.url).pathname;

// The filters compile in assembly/html: rebuilt when it changes too.
const buildFilter = (name) => benchFilter(name, readdirSync(`${root}assembly/html`).map((f) => `${root}assembly/html/${f}`));

async function filterHost(name) {
  const { Host } = await import(`${root}dist/host/index.js`);
  const host = await Host.create({ wasm: buildFilter(name), config: {}, rootId: name, logLevel: "warn" });
  if (!host.configured) throw new Error(`${name} did not configure`);
  return host;
}

function runFilter(host, parts) {
  const s = host.newStream({});
  s.sendRequestHeaders([[":method", "GET"], [":path", "/"], [":authority", "example.com"], [":scheme", "http"]], { endOfStream: true });
  s.sendResponseHeaders([[":status", "200"], ["content-type", "text/html"]], { endOfStream: false });
  for (let i = 0; i < parts.length; i++) s.sendResponseBody(parts[i], { endOfStream: i === parts.length - 1 });
  const body = s.responseBody;
  s.complete();
  return { n: body.length, outs: [body] };
}

const count = (outs) => Buffer.concat(outs).toString("latin1").split(SEG).length - 1;

const ROUNDS = opt("rounds", 5);

/** MB/s of one timed batch: enough runs of `fn` to process about `targetBytes`. */
async function batch(fn, bytesPerRun, targetBytes) {
  const runs = Math.max(2, Math.ceil(targetBytes / bytesPerRun));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await fn();
  const ns = Number(process.hrtime.bigint() - t0);
  return (bytesPerRun * runs) / (ns / 1e9) / 1e6;
}

/** Subjects measured in alternating rounds (so drift and noise hit all alike); median MB/s of each. */
async function measure(subjects, bytesPerRun) {
  const results = subjects.map(() => []);
  for (const s of subjects) { await s.fn(); await s.fn(); } // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < subjects.length; i++) results[i].push(await batch(subjects[i].fn, bytesPerRun, subjects[i].bytes));
  }
  return results.map((r) => r.sort((x, y) => x - y)[Math.floor(r.length / 2)]);
}

let hosts = null;
try {
  hosts = { copy: await filterHost("html-copy"), rewrite: await filterHost("html-rewrite"), clickpath: await clickpathHost() };
} catch (e) {
  console.log(`(host comparison skipped: ${e.message.split("\n")[0]})`);
}

async function clickpathHost() {
  const { Host } = await import(`${root}dist/host/index.js`);
  const i = args.indexOf("--clicktrail");
  const wasm = i >= 0 ? args[i + 1] : `${root}build/clicktrail.wasm`;
  const host = await Host.create({ wasm, config: { clickpath: {} }, logLevel: "warn" });
  if (!host.configured) throw new Error("clicktrail.wasm did not configure");
  const s = host.newStream({});
  s.sendRequestHeaders([[":method", "GET"], [":path", "/"], [":authority", "example.com"], [":scheme", "http"]], { endOfStream: true });
  const id = s.requestHeaders.find(([n]) => n === "x-clickpath-session")[1];
  s.complete();
  host.returningPath = `/-S:${id}/multipage/page.html`;
  return host;
}

const sessions = (body) => (body.toString("latin1").match(/\/-S:/g) || []).length;

console.log(`HTML link rewriting, ${CHUNK}-byte chunks, Node ${process.version}`);
const rows = [];
for (const name of FIXTURE_PAGES) {
  const bytes = fixturePage(name);
  const parts = chunks(bytes);
  const ct = runClicktrail(parts);
  const lol = await runLol(parts);
  const row = { name, size: bytes.length, ctCount: count(ct.outs), lolCount: count(lol.outs) };
  const perRound = (TARGET_MB * 1e6) / ROUNDS;
  const subjects = [
    { fn: () => runClicktrail(parts), bytes: perRound },
    { fn: () => runLol(parts), bytes: perRound / 4 },
  ];
  if (hosts) {
    const f = runFilter(hosts.rewrite, parts);
    if (!f.outs[0].equals(Buffer.concat(ct.outs))) throw new Error(`${name}: filter output differs from the loader build's`);
    subjects.push({ fn: () => runFilter(hosts.rewrite, parts), bytes: perRound }, { fn: () => runFilter(hosts.copy, parts), bytes: perRound });
    const returning = hosts.clickpath.returningPath;
    row.returningLinks = sessions(htmlExchange(hosts.clickpath, parts, returning));
    row.newLinks = sessions(htmlExchange(hosts.clickpath, parts, "/multipage/page.html"));
    subjects.push({ fn: () => htmlExchange(hosts.clickpath, parts, returning), bytes: perRound },
      { fn: () => htmlExchange(hosts.clickpath, parts, "/multipage/page.html"), bytes: perRound });
  }
  [row.ct, row.lol, row.filter, row.copy, row.returning, row.fresh] = await measure(subjects, bytes.length);
  rows.push(row);
}

const geo = (xs) => Math.exp(xs.reduce((a, r) => a + Math.log(r), 0) / xs.length);
const f1 = (x) => x.toFixed(1);
console.log("\n| page | bytes | clicktrail MB/s | lol-html MB/s | clicktrail / lol-html | insertions clicktrail / lol-html |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.name} | ${r.size} | ${f1(r.ct)} | ${f1(r.lol)} | ${(r.ct / r.lol).toFixed(2)}x | ${r.ctCount} / ${r.lolCount} |`);
console.log(`geometric mean clicktrail / lol-html: ${geo(rows.map((r) => r.ct / r.lol)).toFixed(2)}x`);
if (hosts) {
  console.log("\n| page | rewrite filter MB/s | copy-only filter MB/s | rewrite / copy | rewrite filter / lol-html |");
  console.log("|---|---:|---:|---:|---:|");
  for (const r of rows) console.log(`| ${r.name} | ${f1(r.filter)} | ${f1(r.copy)} | ${(r.filter / r.copy).toFixed(2)} | ${(r.filter / r.lol).toFixed(2)}x |`);
  console.log(`geometric mean rewrite filter / copy-only filter: ${geo(rows.map((r) => r.filter / r.copy)).toFixed(2)}; ` +
    `rewrite filter / lol-html: ${geo(rows.map((r) => r.filter / r.lol)).toFixed(2)}x`);
  console.log("\n| page | clickpath, returning visitor MB/s (segments written) | clickpath, new visitor MB/s (segments written) | returning / copy | new / copy |");
  console.log("|---|---:|---:|---:|---:|");
  for (const r of rows) {
    console.log(`| ${r.name} | ${f1(r.returning)} (${r.returningLinks}) | ${f1(r.fresh)} (${r.newLinks}) | ` +
      `${(r.returning / r.copy).toFixed(2)} | ${(r.fresh / r.copy).toFixed(2)} |`);
  }
  console.log(`geometric mean clickpath / copy-only filter: returning ${geo(rows.map((r) => r.returning / r.copy)).toFixed(2)}, ` +
    `new ${geo(rows.map((r) => r.fresh / r.copy)).toFixed(2)}`);
}
