// What operators see of the filter in real Envoy: the access log's %FILTER_STATE(wasm.…)% fields (the
// tracking id, whether it is new, the ClickPath session; :path as the upstream got it), and the filter's
// metrics on the admin's /stats (wasmcustom.clicktrail.<feature>.<name>) and /stats/prometheus
// (clicktrail_<feature>_<name>: Envoy drops "wasmcustom." there and adds no "envoy_" prefix), names and
// values exact after a known sequence of requests. The demo configuration with session.store "shared",
// so that the store's metrics (a gauge among them) are there too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { envoySkip, startEnvoy, testBootstrap, wasmFilterConfig, demoBootstrap } from "../support/envoy.mjs";
import { startUpstream, request, values } from "../support/upstream.mjs";

const skip = envoySkip("Envoy observability suite");
let envoy, upstream;
const PAGE = '<a href="/x">x</a>';

before(async () => {
  if (skip) return;
  upstream = await startUpstream((req) => req.target === "/page.html"
    ? { headers: [["content-type", "text/html"], ["x-replace-session", "user=alice"]], body: PAGE }
    : { headers: [["content-type", "text/plain"], ["content-length", "2"]], body: "ok" });
  const config = JSON.parse(wasmFilterConfig(demoBootstrap()).configuration.value);
  config.session.store = "shared";
  envoy = await startEnvoy((ports) => testBootstrap({ ...ports, upstreams: { web1: upstream.port, web2: upstream.port }, pluginConfig: config }));
});
after(async () => {
  if (envoy) await envoy.stop();
  if (upstream) await upstream.close();
});

// Every metric the filter defines with this configuration and its value after the three requests below.
const EXPECTED = [
  ["clickpath.body_rewrites", "counter", 2],
  ["clickpath.carry_overflows", "counter", 0],
  ["clickpath.encoded_bodies_skipped", "counter", 0],
  ["clickpath.sessions_continued", "counter", 1],
  ["clickpath.sessions_created", "counter", 1],
  ["clickpath.sessions_expired", "counter", 0],
  ["clickpath.sessions_invalid", "counter", 0],
  ["clickpath.ua_exceptions", "counter", 1],
  ["session.decode_failures", "counter", 0],
  ["session.expired", "counter", 0],
  ["session.loaded", "counter", 2],
  ["session.saved", "counter", 2], // requests 1 and 3 got x-replace-session: "changed" even when equal
  ["session.store.cas_retries", "counter", 0],
  ["session.store.created", "counter", 1],
  ["session.store.entries_in_use", "gauge", 0],
  ["session.store.evicted", "counter", 0],
  ["session.store.expired", "counter", 0],
  ["session.store.full", "counter", 0],
  ["session.store.too_large", "counter", 0],
  ["session.store_unavailable", "counter", 0],
  ["usertrack.cookies_invalid", "counter", 0],
  ["usertrack.cookies_issued", "counter", 1],
  ["usertrack.cookies_seen", "counter", 2],
];

test("access log fields, /stats and /stats/prometheus after a first visit, a crawler and a returning visitor", { skip }, async () => {
  // 1. A first visit: new tracking id, new ClickPath session, a session written by the upstream.
  const first = await request(envoy.port, { path: "/page.html", headers: [["user-agent", "Mozilla/5.0"]] });
  assert.equal(first.status, 200);
  const uid = /^Apache=([^;]+);/.exec(values(first.headers, "set-cookie").find((c) => c.startsWith("Apache=")))[1];
  const session = /^session=([^;]+);/.exec(values(first.headers, "set-cookie").find((c) => c.startsWith("session=")))[1];
  const cp = upstream.requests.at(-1).header("x-clickpath-session");
  assert.equal(first.body, `<a href="/-S:${cp}/x">x</a>`);
  // 2. A crawler with both cookies: a UA exception, the session read.
  const cookie = ["cookie", `Apache=${uid}; session=${session}`];
  await request(envoy.port, { path: "/plain.txt", headers: [["user-agent", "curl/8.0"], cookie] });
  // 3. The visitor follows its link: the session segment is gone from the logged :path.
  const third = await request(envoy.port, { path: `/-S:${cp}/page.html`, headers: [["user-agent", "Mozilla/5.0"], cookie] });
  assert.equal(third.status, 200);

  const log = await envoy.accessLogUntil((lines) => lines.length >= 3);
  const fields = log.map((l) => l.replace(/^\[[^\]]+\] /, "").replace(/ 200 \d+ /, " 200 N "));
  assert.deepEqual(fields, [
    `"GET /page.html HTTP/1.1" 200 N usertrack=${uid} new=1 clickpath=${cp} upstream=web1`,
    `"GET /plain.txt HTTP/1.1" 200 N usertrack=${uid} new=0 clickpath=curl upstream=web1`,
    `"GET /page.html HTTP/1.1" 200 N usertrack=${uid} new=0 clickpath=${cp} upstream=web1`,
  ]);

  // /stats: "wasmcustom." + the name the filter defined, one stat for all worker VMs.
  // The memory gauge's value is the module's size (the sum over Envoy's VMs), not an outcome of the
  // requests: checked for shape here and for its sum in tests/host/clicktrail.test.mjs.
  const memoryLine = "wasmcustom.clicktrail.wasm_memory_bytes: ";
  const all = (await envoy.statsText("/stats")).split("\n").filter((l) => l.startsWith("wasmcustom."));
  const memory = all.filter((l) => l.startsWith(memoryLine));
  assert.equal(memory.length, 1, all.join("\n"));
  const memoryBytes = Number(memory[0].slice(memoryLine.length));
  assert.ok(memoryBytes > 0 && memoryBytes % 65536 === 0, memory[0]);
  const stats = all.filter((l) => !l.startsWith(memoryLine));
  assert.deepEqual(stats, EXPECTED.map(([n, , v]) => `wasmcustom.clicktrail.${n}: ${v}`));
  // /stats/prometheus: the name with dots as underscores, no "envoy_" prefix, the type line before it.
  const prom = (await envoy.statsText("/stats/prometheus")).split("\n");
  const ours = prom.filter((l) => /clicktrail_(usertrack|clickpath|session)_/.test(l));
  const byType = (type) => EXPECTED.filter(([, t]) => t === type)
    .flatMap(([n, t, v]) => { const p = "clicktrail_" + n.replaceAll(".", "_"); return [`# TYPE ${p} ${t}`, `${p}{} ${v}`]; });
  // Envoy lists counters, then gauges.
  assert.deepEqual(ours, [...byType("counter"), ...byType("gauge")]);
  const promMemory = prom.filter((l) => l.includes("clicktrail_wasm_memory_bytes"));
  assert.deepEqual(promMemory, ["# TYPE clicktrail_wasm_memory_bytes gauge", `clicktrail_wasm_memory_bytes{} ${memoryBytes}`]);
});
