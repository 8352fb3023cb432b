#!/usr/bin/env node
// Per-request cost of clickpath's header work, side by side in one run, through the project's Envoy-model
// host (dist/host) and build/clicktrail.wasm: request headers + response headers (with a Location) of one
// stream, then on_log/on_done/on_delete, for
//   empty        clicktrail.wasm with an empty configuration (no feature: the adapter's floor)
//   new          clickpath on, a new visitor (id minted, Accept-Encoding stripped, Location rewritten)
//   returning    clickpath on, a valid id in the URL (decoded, checked, stripped, Location rewritten)
//   signed       as returning, with `secrets` (HMAC-SHA256 tag minted on new ids, verified here)
//   crawler      clickpath on, a Googlebot User-Agent checked against a 12-pattern ua_exceptions list
//   cookie-new   mode cookie_first, a new visitor (as new, plus the Set-Cookie)
//   cookie       mode cookie_first, a valid id in the cookie (decoded, checked; Location left alone)
// Rounds alternate the subjects; medians of per-request times; ratios to `empty`. With --baseline FILE (another
// build of clicktrail.wasm, e.g. saved from before a change) every subject also runs on it in the same rounds,
// and a last column gives build/clicktrail.wasm's time as a ratio to the baseline's (median of the rounds' ratios).
//   node bench/clickpath.mjs [--requests 4000] [--rounds 7] [--baseline FILE]        (after npm run build)
import { performance } from "node:perf_hooks";
import { Host } from "../dist/host/index.js";

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : dflt; };
const REQUESTS = opt("requests", 4000);
const ROUNDS = opt("rounds", 7);
const BASELINE = args.includes("--baseline") ? args[args.indexOf("--baseline") + 1] : null;
const NOW = 1700000000;

const CRAWLERS = ["Googlebot", "msnbot", "HeinrichderMiragoRobot", "Yahoo-MMCrawler", "Seekbot", "psbot", "Ocelli",
  "NaverBot", "TurnitinBot", "Pompos", "search\\.ch", "http://www\\.almaden\\.ibm\\.com/cs/crawler/"]
  .map((pattern, i) => ({ name: `c${i}`, pattern }));

async function hostOn(config, wasm) {
  const h = await Host.create({ wasm, config, clock: () => BigInt(NOW) * 1000000000n, logLevel: "warn" });
  if (!h.configured) throw new Error(JSON.stringify(h.logs));
  return h;
}

function idFrom(h) {
  const s = h.newStream({ worker: 0, connectionId: 1 });
  s.sendRequestHeaders([[":method", "GET"], [":path", "/"], [":authority", "h.example"], [":scheme", "http"]], { endOfStream: true });
  const id = s.requestHeaders.find(([n]) => n === "x-clickpath-session")[1];
  s.complete();
  return id;
}

const UA = ["user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"];
async function subjectsOn(wasm) {
  const subjects = [];
  const host = (config) => hostOn(config, wasm);
  const empty = await host({});
  subjects.push({ name: "empty", host: empty, path: "/a/b.html", ua: UA });
  const plain = await host({ clickpath: { machine: "web1" } });
  subjects.push({ name: "new", host: plain, path: "/a/b.html", ua: UA });
  subjects.push({ name: "returning", host: plain, path: `/-S:${idFrom(plain)}/a/b.html`, ua: UA });
  const signed = await host({ clickpath: { machine: "web1", secrets: ["bench secret, long enough"] } });
  subjects.push({ name: "signed", host: signed, path: `/-S:${idFrom(signed)}/a/b.html`, ua: UA });
  const crawl = await host({ clickpath: { machine: "web1", ua_exceptions: CRAWLERS } });
  subjects.push({ name: "crawler", host: crawl, path: "/a/b.html", ua: ["user-agent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"] });
  const cookieFirst = await host({ clickpath: { machine: "web1", mode: "cookie_first" } });
  subjects.push({ name: "cookie-new", host: cookieFirst, path: "/a/b.html", ua: UA });
  subjects.push({ name: "cookie", host: cookieFirst, path: "/a/b.html", ua: UA,
    extra: [["cookie", `_ga=GA1.2.3; clickpath=${idFrom(cookieFirst).replace(/,/g, "%2C")}; theme=dark`]] });
  return subjects;
}

const subjects = await subjectsOn("build/clicktrail.wasm");
const baseline = BASELINE ? await subjectsOn(BASELINE) : [];
const all = [...subjects, ...baseline];

function run(subject, n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = subject.host.newStream({ worker: 0, connectionId: i + 2 });
    s.sendRequestHeaders([[":method", "GET"], [":path", subject.path], [":authority", "h.example"], [":scheme", "http"],
      subject.ua, ["accept-encoding", "gzip, br"], ["referer", "http://h.example/index.html"], ...(subject.extra ?? [])], { endOfStream: true });
    s.sendResponseHeaders([[":status", "302"], ["location", "/next.html"], ["content-length", "0"]], { endOfStream: true });
    s.complete();
  }
  return ((performance.now() - t0) / n) * 1000; // µs per request
}

for (const s of all) run(s, Math.min(500, REQUESTS)); // warm-up
const times = new Map(all.map((s) => [s, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < subjects.length; i++) {
    // Each subject next to its baseline twin, in alternating order, so load drifts hit both alike.
    const pair = baseline.length ? (r & 1 ? [baseline[i], subjects[i]] : [subjects[i], baseline[i]]) : [subjects[i]];
    for (const s of pair) times.get(s).push(run(s, REQUESTS));
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const base = median(times.get(subjects[0]));
console.log(`${REQUESTS} requests x ${ROUNDS} rounds, median µs per request (request + response headers + log/done/delete)`);
console.log(`subject | µs/request | ratio to empty${baseline.length ? ` | baseline (${BASELINE}) µs/request | ratio to baseline` : ""}`);
subjects.forEach((s, i) => {
  const m = median(times.get(s));
  const b = baseline.length ? median(times.get(baseline[i])) : 0;
  // The ratio to the baseline is the median of each round's ratio to its twin measured next to it, so that
  // load that drifts between rounds cancels out.
  const paired = baseline.length ? median(times.get(s).map((t, r) => t / times.get(baseline[i])[r])) : 0;
  console.log(`${s.name} | ${m.toFixed(1)} | ${(m / base).toFixed(2)}x${baseline.length ? ` | ${b.toFixed(1)} | ${paired.toFixed(2)}x` : ""}`);
});
