#!/usr/bin/env node
// The project's HTML rewriter against native lol-html, in one run: bench/native-lol-html (Cloudflare's
// lol-html crate, pinned in its Cargo.toml and Cargo.lock, release build) and assembly/html
// (build/html-test.wasm, run by Node's V8, the engine Envoy embeds, each chunk copied into wasm memory and
// the output out as a host does) rewrite the same attributes of the same tags (the list in bench/html.mjs)
// on the same pages in the same chunks: lol-html's three benchmark pages and a generated 4 MiB link-dense
// page. Rounds alternate between the two; MB/s is the median, with the range, and the insertion counts
// of both are printed to show they did the same work.
//
//   npm run build:html-test && node bench/native.mjs [--rounds 5] [--mb 20] [--chunk 16384]
//   (builds bench/native-lol-html with cargo build --release --locked when missing or stale)
import { spawnSync } from "node:child_process";
import { existsSync, statSync, mkdtempSync, writeFileSync, rmSync, readdirSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";
import { loadHtml, wasmPath } from "../tests/html/harness.mjs";
import { FIXTURE_PAGES, fixturePage, densePage } from "./support/pages.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ROUNDS = opt("rounds", 5), MB = opt("mb", 20), CHUNK = opt("chunk", 16384);
const SEG = "/-S:BENCH1234567890"; // the segment bench/native-lol-html/src/main.rs prepends
const root = new URL("..", import.meta.url).pathname;
const crate = join(root, "bench/native-lol-html");
const binary = join(crate, "target/release/native-lol-html-bench");

if (!existsSync(wasmPath)) {
  console.error(`${wasmPath} is missing: run npm run build:html-test first`);
  process.exit(1);
}
const sources = [join(crate, "Cargo.toml"), join(crate, "Cargo.lock"), ...readdirSync(join(crate, "src")).map((f) => join(crate, "src", f))];
if (!existsSync(binary) || sources.some((f) => statSync(f).mtimeMs > statSync(binary).mtimeMs)) {
  const r = spawnSync("cargo", ["build", "--release", "--locked"], { cwd: crate, encoding: "utf8", stdio: ["ignore", "inherit", "inherit"] });
  if (r.error) {
    console.error("cargo is missing: the native anchor needs a Rust toolchain (https://rustup.rs)");
    process.exit(1);
  }
  if (r.status !== 0) process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), "clicktrail-bench-native-"));
const pages = FIXTURE_PAGES.map((name) => ({ name, bytes: fixturePage(name) }));
pages.push({ name: "dense-4mib.html", bytes: densePage(4 << 20) });
for (const p of pages) {
  p.file = join(dir, p.name);
  writeFileSync(p.file, p.bytes);
}

const h = await loadHtml();
h.setEverywhere(true);
h.setLogging(false);
h.setPrefix(SEG);

function rewrite(parts) {
  h.create(4096);
  const outs = [];
  for (let i = 0; i < parts.length; i++) outs.push(h.push(parts[i], i === parts.length - 1));
  return outs;
}

/** MB/s of the project's rewriter over about `target` bytes of whole runs of `parts`. */
function clicktrailMBs(parts, size, target) {
  const runs = Math.max(2, Math.ceil(target / size));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) rewrite(parts);
  return (size * runs) / (Number(process.hrtime.bigint() - t0) / 1e9) / 1e6;
}

/** One run of the native program over every page: name → { mbs, insertions }. */
function nativeRound(target) {
  const r = spawnSync(binary, ["--chunk", String(CHUNK), "--bytes", String(target), ...pages.map((p) => p.file)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`native-lol-html-bench failed: ${r.stderr}`);
  const out = new Map();
  for (const line of r.stdout.trim().split("\n")) {
    const [file, , mbs, insertions] = line.split(" ");
    out.set(pages.find((p) => p.file === file).name, { mbs: Number(mbs), insertions: Number(insertions) });
  }
  return out;
}

try {
  const [l1, l5] = loadavg();
  console.log(`HTML rewriting, ${CHUNK}-byte chunks: assembly/html (build/html-test.wasm in Node ${process.version}'s V8) against native lol-html ` +
    `(bench/native-lol-html, lol_html ${/lol_html = "=([^"]+)"/.exec(spawnSync("cat", [join(crate, "Cargo.toml")], { encoding: "utf8" }).stdout)[1]}), ` +
    `${ROUNDS} alternating rounds of about ${MB} MB per page; load average ${l1.toFixed(2)} ${l5.toFixed(2)} at start`);
  const target = MB * 1e6;
  for (const p of pages) {
    p.parts = [];
    for (let i = 0; i < p.bytes.length; i += CHUNK) p.parts.push(p.bytes.subarray(i, Math.min(p.bytes.length, i + CHUNK)));
    p.insertions = Buffer.concat(rewrite(p.parts)).toString("latin1").split(SEG).length - 1;
    clicktrailMBs(p.parts, p.bytes.length, target / 4); // warm-up (V8 tier-up)
    p.ours = [];
    p.native = [];
  }
  for (let r = 0; r < ROUNDS; r++) {
    const native = nativeRound(target);
    for (const p of pages) {
      p.native.push(native.get(p.name).mbs);
      p.nativeInsertions = native.get(p.name).insertions;
      p.ours.push(clicktrailMBs(p.parts, p.bytes.length, target));
    }
    process.stderr.write(`  round ${r + 1}/${ROUNDS} done\n`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const rng = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  console.log("\n| page | bytes | clicktrail MB/s (range) | native lol-html MB/s (range) | clicktrail / native | insertions clicktrail / lol-html |");
  console.log("|---|---:|---:|---:|---:|---:|");
  const ratios = [];
  for (const p of pages) {
    const ours = median(p.ours), native = median(p.native);
    ratios.push(ours / native);
    console.log(`| ${p.name} | ${p.bytes.length} | ${ours.toFixed(0)} (${rng(p.ours)}) | ${native.toFixed(0)} (${rng(p.native)}) | ` +
      `${(ours / native).toFixed(2)}× | ${p.insertions} / ${p.nativeInsertions} |`);
  }
  const geo = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
  console.log(`\ngeometric mean clicktrail / native lol-html: ${geo.toFixed(2)}×; at least as fast on every page: ${ratios.every((r) => r >= 1) ? "yes" : "no"}`);
  const [e1, e5] = loadavg();
  console.log(`load average ${e1.toFixed(2)} ${e5.toFixed(2)} at end`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
