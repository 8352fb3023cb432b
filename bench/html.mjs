#!/usr/bin/env node
// HTML link rewriting throughput, side by side in one run, on lol-html's three benchmark pages fed in
// 16 KiB chunks:
//   clicktrail  assembly/html (build/html-test.wasm, the filter's runtime and -O3), called per chunk from
//               JS the way a host calls a filter: chunk copied into wasm memory, output copied out
//   lol-html    html-rewriter-wasm 0.4.1 (lol-html compiled to wasm), one JS handler per matched element
// Both rewrite the same tags and attributes (a[href], area[href], form[action], frame[src], iframe[src],
// meta[content], base[href], button[formaction], input[formaction]) by prepending a fixed segment to
// every non-empty value (clicktrail: to the URL part of a refresh `<meta>`; lol-html: to any
// meta[content]), and both outputs are checked to carry the same number of insertions.
//
//   node bench/html.mjs [--chunk 16384] [--mb 40]     (npm run build:html-test first)
import { readFileSync } from "node:fs";
import { HTMLRewriter } from "html-rewriter-wasm";
import { loadHtml } from "../tests/html/harness.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const CHUNK = opt("chunk", 16384);
const TARGET_MB = opt("mb", 40); // input processed per subject and page (lol-html: a quarter)
const SEG = "/-S:BENCH1234567890";

const pagesDir = new URL("../tests/fixtures/lol-html-bench/", import.meta.url);
const PAGES = ["cloudflare.com.html", "ecma402-spec.html", "html-parsing-spec.html"];

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

const count = (outs) => Buffer.concat(outs).toString("latin1").split(SEG).length - 1;

async function time(fn, bytesPerRun, targetBytes) {
  await fn(); // warm-up
  await fn();
  const runs = Math.max(3, Math.ceil(targetBytes / bytesPerRun));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await fn();
  const ns = Number(process.hrtime.bigint() - t0);
  return (bytesPerRun * runs) / (ns / 1e9) / 1e6; // MB/s
}

console.log(`HTML link rewriting, ${CHUNK}-byte chunks, Node ${process.version}`);
console.log("page                      size      clicktrail MB/s   lol-html MB/s   ratio   insertions (ct/lol)");
const ratios = [];
for (const name of PAGES) {
  const bytes = readFileSync(new URL(name, pagesDir));
  const parts = chunks(bytes);
  const ct = runClicktrail(parts);
  const lol = await runLol(parts);
  const ctCount = count(ct.outs);
  const lolCount = count(lol.outs);
  const ctMBs = await time(() => runClicktrail(parts), bytes.length, TARGET_MB * 1e6);
  const lolMBs = await time(() => runLol(parts), bytes.length, (TARGET_MB * 1e6) / 4);
  const ratio = ctMBs / lolMBs;
  ratios.push(ratio);
  console.log(`${name.padEnd(24)} ${String(bytes.length).padStart(7)}   ${ctMBs.toFixed(1).padStart(13)}   ${lolMBs.toFixed(1).padStart(13)}   ${ratio.toFixed(2).padStart(5)}x   ${ctCount}/${lolCount}`);
}
const geo = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
console.log(`geometric mean ratio clicktrail / lol-html: ${geo.toFixed(2)}x`);
