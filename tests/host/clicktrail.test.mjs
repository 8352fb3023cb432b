// The project's own module in the host: loads, configures with '{}', passes a request through, and
// refuses invalid JSON with an error log that names the problem.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "../../dist/host/index.js";

const WASM = "build/clicktrail.wasm";

test("build/clicktrail.wasm loads, configures with {} and passes a request through", async () => {
  const host = await Host.create({ wasm: WASM, config: "{}", clock: () => 1700000000000000000n, random: (b) => b.fill(7) });
  assert.equal(host.configured, true);
  assert.equal(host.abiVersion, "0.2.1");
  const s = host.newStream({ worker: 0, connectionId: 7, sourceAddress: "10.1.2.3:5555" });
  const req = [[":method", "GET"], [":path", "/index.html"], [":authority", "example.com"], [":scheme", "http"], ["cookie", "a=b"]];
  assert.equal(s.sendRequestHeaders(req, { endOfStream: true }), 0);
  assert.deepEqual(s.requestHeaders, req);
  s.sendResponseHeaders([[":status", "200"], ["content-type", "text/html"]], { endOfStream: false });
  s.sendResponseBody(Buffer.from("<a href=\"/x\">x</a>"), { endOfStream: true });
  assert.deepEqual(s.responseHeaders, [[":status", "200"], ["content-type", "text/html"]]);
  assert.equal(s.responseBody.toString(), "<a href=\"/x\">x</a>");
  s.complete();
  assert.equal(s.localReply, null);
  assert.deepEqual(host.logs.filter((l) => l.level === "error" || l.level === "critical"), []);
});

test("build/clicktrail.wasm refuses invalid JSON: on_configure false and an error naming the problem", async () => {
  const host = await Host.create({ wasm: WASM, config: "{\"usertrack\": " });
  assert.equal(host.configured, false);
  const errors = host.logs.filter((l) => l.level === "error" && !l.host);
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /^clicktrail: invalid configuration: .*JSON/);
  assert.match(errors[0].message, /line 1, column \d+/);
});

test("clicktrail.wasm_memory_bytes: the sum of the VMs' linear memory, set on configure and refreshed on every 10 s tick", async () => {
  const host = await Host.create({ wasm: WASM, config: "{}", workers: 2, clock: () => 1700000000000000000n, random: (b) => b.fill(7) });
  assert.equal(host.configured, true);
  const memory = (w) => host.workers[w].abi.instance.exports.memory;
  const sum = () => memory(0).buffer.byteLength + memory(1).buffer.byteLength;
  assert.equal(host.workers[0].tickPeriodMs, 10000);
  assert.equal(host.metrics.get("clicktrail.wasm_memory_bytes"), sum());
  const before = sum();
  memory(1).grow(2);
  assert.equal(host.metrics.get("clicktrail.wasm_memory_bytes"), before, "not before the tick");
  host.advance(10000);
  assert.equal(host.metrics.get("clicktrail.wasm_memory_bytes"), before + 2 * 65536);
  assert.equal(host.metrics.get("clicktrail.wasm_memory_bytes"), sum());
});

test("a steady-state request's nine request-header edits reach the host in one proxy_set_header_map_pairs", async () => {
  const { readFileSync } = await import("node:fs");
  const config = readFileSync("envoy/clicktrail.json", "utf8");
  const host = await Host.create({ wasm: WASM, config, clock: () => 1700000000000000000n, random: (b) => b.fill(7), recordHostCalls: true });
  const first = host.newStream({ destinationAddress: "127.0.0.1:10000" });
  first.sendRequestHeaders([[":method", "GET"], [":path", "/"], [":authority", "example.com"], [":scheme", "http"]], { endOfStream: true });
  const sessionPath = first.requestHeaders.find(([n]) => n === "x-clickpath-session-path")[1];
  first.sendResponseHeaders([[":status", "200"], ["x-replace-session", "user=alice"]], { endOfStream: true });
  const cookie = first.responseHeaders.filter(([n]) => n === "set-cookie").map(([, v]) => v.slice(0, v.indexOf(";"))).join("; ");
  first.complete();
  host.hostCalls.length = 0;
  const s = host.newStream({ destinationAddress: "127.0.0.1:10000" });
  s.sendRequestHeaders([[":method", "GET"], [":path", `${sessionPath}/a.html`], [":authority", "example.com"], [":scheme", "http"],
    ["user-agent", "Mozilla/5.0"], ["accept-encoding", "gzip"], ["cookie", cookie]], { endOfStream: true });
  const calls = host.hostCalls.map((c) => c.name).filter((n) => /header_map/.test(n));
  assert.deepEqual(calls, ["env.proxy_get_header_map_pairs", "env.proxy_set_header_map_pairs"]);
  const names = s.requestHeaders.map(([n]) => n);
  assert.deepEqual(names, [":method", ":authority", ":scheme", ":path", "user-agent", "cookie", "x-clickpath-session",
    "x-clickpath-session-start", "x-clickpath-session-age", "x-clickpath-session-path", "x-clickpath-machine", "x-usertrack-id", "x-session"]);
  assert.equal(s.requestHeaders.find(([n]) => n === ":path")[1], "/a.html");
  s.complete();
});
