#!/usr/bin/env node
// Per-request filter cost with all three features on, as a ratio to the baseline filter
// (bench/filters/baseline.ts: the SDK's way, reads the request headers, adds one response header), both
// measured side by side in one run through the same Host (dist/host), in alternating rounds.
//
// clicktrail runs envoy/clicktrail.json (usertrack, clickpath with UA exceptions and a machine table,
// session with AEAD crypto and max_age) in steady state: the visitor already has the tracking cookie, a
// clickpath URL session and a session cookie with a few keys, obtained from the filter on a first request;
// each measured exchange is request headers → response headers → on_log/on_done/on_delete. The "HTML"
// rows add a 2 KiB text/html body with 20 links (one chunk) to both filters.
//
//   npm run build && node bench/request.mjs [--rounds 7] [--batch 4000] [--compare OTHER.wasm]
//   (builds build/bench-baseline.wasm with bench/support/filters.mjs when missing or stale)
// --compare adds another build of the filter (say, of an earlier commit) to the same alternating rounds,
// with the same configuration, visitor and requests, and prints clicktrail / other.
import { readFileSync } from "node:fs";
import { benchFilter } from "./support/filters.mjs";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ROUNDS = opt("rounds", 7);
const compareAt = args.indexOf("--compare");
const compareWasm = compareAt >= 0 ? args[compareAt + 1] : null;
const BATCH = opt("batch", 4000);

const baselineWasm = benchFilter("baseline");

const { Host } = await import(`${root}dist/host/index.js`);
const config = readFileSync(`${root}envoy/clicktrail.json`, "utf8");
const common = { clock: () => 1700000000_000_000_000n, logLevel: "warn", workers: 1 };
const clicktrail = await Host.create({ wasm: `${root}build/clicktrail.wasm`, config, ...common });
const baseline = await Host.create({ wasm: baselineWasm, config: "", rootId: "baseline", ...common });
const other = compareWasm ? await Host.create({ wasm: compareWasm, config, ...common }) : null;
if (!clicktrail.configured || !baseline.configured || (other && !other.configured)) throw new Error("a filter refused its configuration");

const PAGE = Buffer.from("<html><body>" + Array.from({ length: 20 }, (_, i) => `<p>text ${i} <a href="/p/${i}.html">link ${i}</a></p>`).join("") +
  "x".repeat(1000) + "</body></html>");

function exchange(host, path, cookie, html) {
  const s = host.newStream({ destinationAddress: "127.0.0.1:10000" });
  const req = [[":method", "GET"], [":path", path], [":authority", "example.com"], [":scheme", "http"],
    ["user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"],
    ["accept", "text/html"], ["accept-encoding", "gzip, deflate"], ["accept-language", "en"]];
  if (cookie) req.push(["cookie", cookie]);
  s.sendRequestHeaders(req, { endOfStream: true });
  if (html) {
    s.sendResponseHeaders([[":status", "200"], ["content-type", "text/html; charset=utf-8"], ["content-length", String(PAGE.length)]], { endOfStream: false });
    s.sendResponseBody(PAGE, { endOfStream: true });
  } else {
    s.sendResponseHeaders([[":status", "200"], ["content-type", "application/json"], ["content-length", "11"]], { endOfStream: true });
  }
  s.complete();
  return s;
}

// The steady-state visitor: one first visit, and one response that writes the session.
const first = clicktrail.newStream({ destinationAddress: "127.0.0.1:10000" });
first.sendRequestHeaders([[":method", "GET"], [":path", "/"], [":authority", "example.com"], [":scheme", "http"]], { endOfStream: true });
const sessionPath = first.requestHeaders.find(([n]) => n === "x-clickpath-session-path")[1];
first.sendResponseHeaders([[":status", "200"], ["x-replace-session", "user=alice&role=editor&cart=3"]], { endOfStream: true });
const cookie = first.responseHeaders.filter(([n]) => n === "set-cookie").map(([, v]) => v.slice(0, v.indexOf(";"))).join("; ");
first.complete();
const PATH = `${sessionPath}/shop/item.html?id=42`;

// Check the steady state really is one: session continued, session loaded, no Set-Cookie.
for (const host of other ? [clicktrail, other] : [clicktrail]) {
  const probe = exchange(host, PATH, cookie, false);
  const up = new Map(probe.requestHeaders);
  if (!up.get("x-session")?.includes("user=alice") || up.get(":path") !== "/shop/item.html?id=42" || !up.get("x-usertrack-id")) {
    throw new Error(`not in steady state: ${JSON.stringify(probe.requestHeaders)}`);
  }
  if (probe.responseHeaders.some(([n]) => n === "set-cookie")) throw new Error("steady state must not set cookies");
}

function timeBatch(fn) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) fn();
  return Number(process.hrtime.bigint() - t0) / BATCH / 1000; // µs per request
}

const subjects = [
  { name: "baseline", fn: () => exchange(baseline, PATH, cookie, false) },
  { name: "clicktrail", fn: () => exchange(clicktrail, PATH, cookie, false) },
  { name: "baseline + HTML", fn: () => exchange(baseline, PATH, cookie, true) },
  { name: "clicktrail + HTML", fn: () => exchange(clicktrail, PATH, cookie, true) },
];
if (other) {
  subjects.push({ name: "compared", fn: () => exchange(other, PATH, cookie, false) });
  subjects.push({ name: "compared + HTML", fn: () => exchange(other, PATH, cookie, true) });
}
for (const s of subjects) for (let i = 0; i < 3; i++) timeBatch(s.fn); // warm-up (V8 tier-up)
const results = subjects.map(() => []);
for (let r = 0; r < ROUNDS; r++) subjects.forEach((s, i) => results[i].push(timeBatch(s.fn)));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const m = results.map(median);

console.log(`per-request cost, median of ${ROUNDS} rounds of ${BATCH} requests (Node ${process.version}, same Host)`);
for (let i = 0; i < subjects.length; i++) console.log(`  ${subjects[i].name.padEnd(20)} ${m[i].toFixed(1).padStart(7)} µs/request`);
console.log(`  ratio clicktrail / baseline, headers only: ${(m[1] / m[0]).toFixed(2)}`);
console.log(`  ratio clicktrail / baseline, 2 KiB HTML:   ${(m[3] / m[2]).toFixed(2)}`);
if (other) {
  console.log(`  ratio clicktrail / compared (${compareWasm}), headers only: ${(m[1] / m[4]).toFixed(3)}`);
  console.log(`  ratio clicktrail / compared, 2 KiB HTML:   ${(m[3] / m[5]).toFixed(3)}`);
}
