#!/usr/bin/env node
// Worst-case cost of single hostile requests (one request each, best of 3, all features on with a
// friendly-session partner): the inputs that used to take quadratic time — thousands of session keys or
// cookies in one header, a partner Referer full of bytes to escape — next to a plain request for scale.
// Orientation only (not a ratio); the suite checks the outcomes in tests/fixtures/hostile.
//
//   npm run build && node bench/hostile-cost.mjs
import { readFileSync } from "node:fs";
import { makeHost } from "../tests/robustness/hostile-run.mjs";

const config = JSON.parse(readFileSync(new URL("../envoy/clicktrail.json", import.meta.url), "utf8"));
config.clickpath.friendly_sessions = [{ host: "partner.example", fields: ["uri(1)", "param(id)"], name: "p" }];
const plainSession = structuredClone(config);
delete plainSession.session.crypto;
const REQ = (extra = [], path = "/") => [[":method", "GET"], [":path", path], [":authority", "example.com"], [":scheme", "http"], ...extra];
const keys = (n) => Array.from({ length: n }, (_, i) => `k${i}=v`).join("&");

const cases = [
  ["plain request", config, REQ(), []],
  ["session cookie of 10,000 distinct keys (clear)", plainSession, REQ([["cookie", "session=" + keys(10000)]]), []],
  ["session update of 10,000 distinct keys", plainSession, REQ(), [["x-replace-session", keys(10000)]]],
  ["one Cookie header of 20,000 cookies", config, REQ([["cookie", Array.from({ length: 20000 }, (_, i) => `c${i}=v`).join("; ")]]), []],
  ["partner Referer with 10,000 distinct params", config, REQ([["referer", "http://partner.example/a?" + keys(10000)]]), []],
  ["partner Referer with 40,000 bytes to escape", config, REQ([["referer", "http://partner.example/" + "%".repeat(20000) + "?id=" + "\n".repeat(20000)]]), []],
];
for (const [label, cfg, req, resp] of cases) {
  const host = await makeHost(cfg);
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const s = host.newStream({ destinationAddress: "127.0.0.1:10000" });
    s.sendRequestHeaders(req, { endOfStream: true });
    s.sendResponseHeaders([[":status", "200"], ...resp], { endOfStream: true });
    s.complete();
    best = Math.min(best, performance.now() - t0);
    if (host.workers[0].failed) throw new Error(`${label}: trapped`);
  }
  console.log(`${label.padEnd(50)} ${best.toFixed(1).padStart(8)} ms`);
}
