#!/usr/bin/env node
// `clicktrail clickstream` throughput against GoAccess (Debian's goaccess) on the same access log, in one
// run. The log is generated here, deterministically (a seeded PRNG): envoy/envoy.yaml's line format,
// visitors who arrive at a steady rate and walk a site of linked pages, static files, 404s and crawlers,
// in time order. Each tool reads the whole file and writes its own HTML report; wall time and peak RSS
// and CPU time and peak RSS (GNU time) per tool, alternating, best of --rounds. On a shared machine the
// CPU time is the steadier figure: wall time includes waiting for a core.
//
//   npm run build && node bench/clickstream.mjs [--mb 200] [--rounds 2] [--keep]
//
// The log goes to build/bench/clickstream-<MB>mb.log and is reused when it exists (same seed, same bytes).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, writeSync, closeSync, statSync, rmSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const MB = Number(arg("mb", "200"));
const ROUNDS = Number(arg("rounds", "2"));
const outDir = join(root, "build/bench");
mkdirSync(outDir, { recursive: true });
const logFile = join(outDir, `clickstream-${MB}mb.log`);

/** mulberry32: a small seeded PRNG, so the log is the same bytes on every machine. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(file, bytes) {
  const rnd = prng(18);
  const int = (n) => Math.floor(rnd() * n);
  const hex = (n) => { let s = ""; for (let i = 0; i < n; i++) s += "0123456789abcdef"[int(16)]; return s; };
  const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@-";
  const sid = () => { let s = "9roB:"; for (let i = 0; i < 21; i++) s += b64[int(64)]; return s + "M"; };
  // 400 pages in 20 sections; each links to 6 others (fixed per page), the home page to every section.
  const pages = ["/index.html", ...Array.from({ length: 399 }, (_, i) => `/docs/section${i % 20}/page${Math.floor(i / 20)}.html`)];
  const links = pages.map((_, i) => Array.from({ length: 6 }, (_, k) => (i * 7 + k * 61 + 1) % pages.length));
  const assets = ["/style.css", "/app.js", "/img/logo.png", "/favicon.ico"];
  const crawlers = ["Google", "Bing", "curl"];
  // Open sessions in a binary heap by their next request time.
  const heap = [];
  const push = (s) => {
    heap.push(s);
    for (let i = heap.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (heap[p].next <= heap[i].next) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < heap.length && heap[l].next < heap[m].next) m = l;
        if (r < heap.length && heap[r].next < heap[m].next) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  const visitors = Array.from({ length: 50000 }, () => `${hex(8)}.${hex(13)}`);
  const fd = openSync(file, "w");
  let written = 0;
  let buf = "";
  let now = Date.UTC(2026, 2, 1, 0, 0, 0);
  let nextArrival = now;
  const line = (t, path, status, size, id, isNew, session) =>
    `[${new Date(t).toISOString()}] "GET ${path} HTTP/1.1" ${status} ${size} usertrack=${id} new=${isNew} clickpath=${session} upstream=web1\n`;
  while (written < bytes) {
    // A new visitor every 40 ms on average; crawlers are 3% of arrivals and make 1 to 20 requests.
    while (nextArrival <= (heap.length ? heap[0].next : nextArrival)) {
      const crawler = rnd() < 0.03;
      const returning = rnd() < 0.4;
      push({
        next: nextArrival, crawler, page: crawler ? int(pages.length) : (rnd() < 0.6 ? 0 : int(pages.length)),
        left: crawler ? 1 + int(20) : 1 + int(rnd() < 0.3 ? 1 : 12),
        id: returning ? visitors[int(visitors.length)] : `${hex(8)}.${hex(13)}`, isNew: returning ? 0 : 1,
        session: crawler ? crawlers[int(crawlers.length)] : sid(),
      });
      nextArrival += 1 + int(80);
    }
    const s = pop();
    now = s.next;
    if (s.crawler) buf += line(now, pages[s.page], 200, 1000 + int(9000), `${hex(8)}.${hex(13)}`, 1, s.session);
    else {
      const missing = rnd() < 0.01;
      buf += line(now, missing ? `/old/${hex(4)}.html` : pages[s.page], missing ? 404 : 200, 1000 + int(20000), s.id, s.isNew, s.session);
      s.isNew = 0;
      if (rnd() < 0.5) buf += line(now + 30 + int(200), assets[int(assets.length)], 200, 200 + int(5000), s.id, 0, s.session);
    }
    s.left--;
    if (s.left > 0) {
      s.page = s.crawler ? int(pages.length) : links[s.page][int(6)];
      s.next = now + (s.crawler ? 500 + int(2000) : 3000 + int(120000));
      push(s);
    }
    if (buf.length > 1 << 20) {
      written += writeSync(fd, buf);
      buf = "";
    }
  }
  if (buf) writeSync(fd, buf);
  closeSync(fd);
}

if (!existsSync(logFile)) {
  process.stdout.write(`generating ${logFile} (${MB} MB)... `);
  const t0 = Date.now();
  generate(logFile, MB * 1e6);
  process.stdout.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
const size = statSync(logFile).size;
const lines = Number(spawnSync("wc", ["-l", logFile], { encoding: "utf8" }).stdout.trim().split(/\s+/)[0]);

/** Runs a command under GNU time: wall seconds, CPU seconds (user + system), peak RSS in MB. */
function measure(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S %M", cmd, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [user, sys, rssKb] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { secs, cpu: user + sys, rssMb: rssKb / 1024, out: r.stdout };
}

const clickstreamHtml = join(outDir, "clickstream-report.html");
const goaccessHtml = join(outDir, "goaccess-report.html");
const tools = {
  clickstream: () => measure(process.execPath, [join(root, "bin/clicktrail.mjs"), "clickstream", logFile, "--html", clickstreamHtml]),
  // The same fields for GoAccess: time, request, status, bytes; the tracking id stands in for the client
  // address (GoAccess counts a visitor per address, day and User-Agent).
  goaccess: () => measure("goaccess", [logFile, "--no-global-config", "--log-format", '[%dT%t.%^] "%m %U %H" %s %b usertrack=%h %^',
    "--date-format", "%Y-%m-%d", "--time-format", "%H:%M:%S", "--no-ip-validation", "-o", goaccessHtml]),
};
const best = { clickstream: null, goaccess: null };
let report = "";
for (let r = 0; r < ROUNDS; r++) {
  for (const name of r % 2 ? ["goaccess", "clickstream"] : ["clickstream", "goaccess"]) {
    const m = tools[name]();
    if (name === "clickstream") report = m.out;
    if (!best[name] || m.secs < best[name].secs) best[name] = m;
  }
}
const mb = size / 1e6;
const goaccessVersion = spawnSync("goaccess", ["--version"], { encoding: "utf8" }).stdout.split("\n")[0];
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`log: ${logFile}, ${mb.toFixed(1)} MB, ${lines} lines; best of ${ROUNDS} rounds (by wall time); Node ${process.version}, ${goaccessVersion}; load average ${load}`);
console.log(`| tool | wall time | MB/s (wall) | CPU time | MB per CPU-second | peak RSS |`);
console.log(`|---|---:|---:|---:|---:|---:|`);
for (const [name, m] of Object.entries(best)) {
  console.log(`| ${name === "clickstream" ? "clicktrail clickstream --html" : "goaccess -o report.html"} | ${m.secs.toFixed(2)} s | ${(mb / m.secs).toFixed(1)} | ${m.cpu.toFixed(2)} s | ${(mb / m.cpu).toFixed(1)} | ${m.rssMb.toFixed(0)} MB |`);
}
console.log(`ratio clickstream / goaccess: ${(best.goaccess.secs / best.clickstream.secs).toFixed(2)} by wall time, ${(best.goaccess.cpu / best.clickstream.cpu).toFixed(2)} by CPU time`);
console.log(report.split("\n").filter((l) => /^(lines|requests|sessions |visitors|pages per|session length|bounce)/.test(l)).join("\n"));
if (!process.argv.includes("--keep")) rmSync(goaccessHtml, { force: true });
