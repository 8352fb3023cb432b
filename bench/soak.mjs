#!/usr/bin/env node
// Soak: a million mixed requests (tests/robustness/traffic.mjs: new and returning visitors, clickpath URL
// sessions, tracking and session cookies, HTML bodies in chunks, session writes and logouts, redirects,
// some garbage) through the Host with all three features on (envoy/clicktrail.json), on 2 workers, once
// with the cookie store and once with store "shared". Prints each worker's wasm memory after the first
// thousand requests and at the end (goal: growth of at most one 64 KiB page), live stream contexts, and
// shared-data keys against the store's capacity. Not a timed test; the suite runs a 20,000-request
// version (tests/robustness/soak.test.mjs).
//
//   npm run build && node bench/soak.mjs [--requests 1000000] [--store cookie|shared|both] [--workers 2]
import { Soak } from "../tests/robustness/traffic.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const N = Number(opt("requests", 1_000_000));
const WORKERS = Number(opt("workers", 2));
const CAPACITY = 20000;
const stores = opt("store", "both") === "both" ? ["cookie", "shared"] : [opt("store")];
const PAGE = 65536;

for (const store of stores) {
  const soak = await Soak.create({ store, workers: WORKERS, capacity: CAPACITY });
  const t0 = performance.now();
  soak.run(1000);
  const first = soak.memory();
  let next = 100_000;
  while (soak.count < N) {
    soak.run(Math.min(next, N) - soak.count);
    if (soak.count < N) {
      process.stderr.write(`  ${store}: ${soak.count} requests, memory ${soak.memory().join(" / ")} bytes, ${soak.sharedKeys()} shared keys\n`);
      next += 100_000;
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const end = soak.memory();
  const growth = end.map((b, i) => b - first[i]);
  const failed = soak.host.workers.filter((w) => w.failed).length;
  console.log(`store ${store}: ${soak.count} requests on ${WORKERS} workers in ${secs.toFixed(0)} s (${(secs * 1e6 / soak.count).toFixed(0)} µs/request)`);
  console.log(`  wasm memory per worker after 1,000: ${first.join(" / ")} bytes; after ${soak.count.toLocaleString("en")}: ${end.join(" / ")} bytes`);
  console.log(`  growth: ${growth.map((g) => `${g} bytes (${g / PAGE} pages)`).join(" / ")} — ${growth.every((g) => g <= PAGE) ? "within" : "BEYOND"} one 64 KiB page`);
  console.log(`  live stream contexts: ${soak.liveContexts()}; trapped VMs: ${failed}`);
  console.log(`  shared-data keys: ${soak.sharedKeys()}${store === "shared" ? ` of capacity ${CAPACITY} (one key per slot ever used)` : ""}`);
  console.log(`  responses: ${[...soak.statuses].sort().map(([s, n]) => `${s} ×${n}`).join(", ")}`);
  const m = soak.host.metrics;
  const pick = ["clicktrail.clickpath.sessions_created", "clicktrail.clickpath.sessions_continued", "clicktrail.clickpath.body_rewrites",
    "clicktrail.usertrack.cookies_seen", "clicktrail.session.loaded", "clicktrail.session.saved", "clicktrail.session.store.created",
    "clicktrail.session.store.expired", "clicktrail.session.store.full"];
  console.log(`  ${pick.filter((k) => m.has(k)).map((k) => `${k.replace("clicktrail.", "")}=${m.get(k)}`).join(" ")}`);
}
