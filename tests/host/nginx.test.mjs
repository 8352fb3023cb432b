// The "nginx" profile: Kong ngx_wasm_module's differences that a portable filter must survive.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "../../dist/host/index.js";
import { scriptedModule, proxyModule, setKnobs, slot, GET, POST, OK200, OUT32 } from "./wat.mjs";

const wasm = scriptedModule();

test("nginx: eos is always false in header callbacks", async () => {
  const host = await Host.create({ wasm, profile: "nginx" });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  s.sendResponseHeaders(OK200, { endOfStream: true });
  assert.deepEqual([slot(host, 48), slot(host, 50)], [0, 0]);
  const envoy = await Host.create({ wasm });
  const e = envoy.newStream();
  e.sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(slot(envoy, 48), 1);
});

test("nginx: no trailer callbacks", async () => {
  const host = await Host.create({ wasm, profile: "nginx" });
  const s = host.newStream();
  s.sendRequestHeaders(POST, { endOfStream: false });
  s.sendRequestBody("a", { endOfStream: false });
  s.sendRequestTrailers([["t", "1"]]);
  assert.deepEqual(s.calls, ["proxy_on_context_create", "proxy_on_request_headers", "proxy_on_request_body"]);
  assert.deepEqual(s.requestTrailers, [["t", "1"]]);
});

test("nginx: response body buffering is capped; a second pause is ignored", async () => {
  const host = await Host.create({ wasm, profile: "nginx", nginxResponseBufferBytes: 8 });
  setKnobs(host, { r4: 1 });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  s.sendResponseHeaders(OK200, { endOfStream: false });
  s.sendResponseBody("aaaa", { endOfStream: false });
  assert.equal(slot(host, 51), 4);
  s.sendResponseBody("bb", { endOfStream: false });
  assert.equal(slot(host, 51), 4, "no callback until the buffers are full");
  s.sendResponseBody("cc", { endOfStream: false });
  assert.equal(slot(host, 51), 8);
  assert.equal(s.responseBody.toString(), "aaaabbcc", "the second pause was ignored");
  assert.match(host.logs.at(-1).message, /second pause ignored/);
});

test("nginx: get_log_level is not implemented (traps)", async () => {
  const mod = proxyModule(`
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (drop (call $proxy_get_log_level (i32.const ${OUT32}))) (i32.const 1))`);
  const host = await Host.create({ wasm: mod, profile: "nginx" });
  assert.equal(host.configured, false);
  assert.match(host.logs.at(-1).message, /proxy_get_log_level not yet implemented/);
  const envoy = await Host.create({ wasm: mod });
  assert.equal(envoy.configured, true);
});

test("nginx: http_call takes host[:port] instead of a cluster; an invalid upstream traps", async () => {
  const { pairsBytes } = await import("./wat.mjs");
  const mod = (upstream) => proxyModule(`
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (call $rec (i32.const 0) (call $proxy_http_call {{up}} {{h}} (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const ${OUT32})))
      (i32.const 0))`, { data: { up: upstream, h: pairsBytes([[":method", "GET"], [":path", "/x"]]) } });
  const ngx = await Host.create({ wasm: mod("auth.local:8080"), profile: "nginx" });
  ngx.newStream().sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(slot(ngx, 0), 0);
  assert.equal(ngx.httpCalls[0].cluster, "auth.local:8080");
  const envoy = await Host.create({ wasm: mod("auth.local:8080") });
  envoy.newStream().sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(slot(envoy, 0), 2, "Envoy: not a cluster");
  const bad = await Host.create({ wasm: mod("not a host"), profile: "nginx" });
  const s = bad.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(bad.workers[0].failed, true);
  assert.match(bad.logs.at(-1).message, /dispatch failed: invalid upstream "not a host"/);
});

test("nginx: plugin_name is the filter's name in a request; on a root context ngx_wasm_module crashes (the VM fails)", async () => {
  const { memBytes, RET_PTR, RET_LEN } = await import("./wat.mjs");
  const read = `(call $proxy_get_property {{pn}} (i32.const ${RET_PTR}) (i32.const ${RET_LEN}))`;
  const mod = (inConfigure) => proxyModule(`
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      ${inConfigure ? `(drop ${read})` : ""} (i32.const 1))
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (call $rec (i32.const 0) ${read})
      (call $rec (i32.const 1) (i32.load (i32.const ${RET_PTR})))
      (call $rec (i32.const 2) (i32.load (i32.const ${RET_LEN})))
      (i32.const 0))`, { data: { pn: "plugin_name" } });
  const inRequest = await Host.create({ wasm: mod(false), profile: "nginx", pluginName: "default.a" });
  assert.equal(inRequest.configured, true);
  inRequest.newStream().sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(slot(inRequest, 0), 0);
  assert.equal(memBytes(inRequest, slot(inRequest, 1), slot(inRequest, 2)).toString("latin1"), "default.a");

  const inConfigure = await Host.create({ wasm: mod(true), profile: "nginx" });
  assert.equal(inConfigure.configured, false);
  assert.match(inConfigure.logs.at(-1).message, /plugin_name from the request's filter chain: on a root context it dereferences NULL/);
  // Envoy answers it on the root context too.
  const envoy = await Host.create({ wasm: mod(true), pluginName: "default.a" });
  assert.equal(envoy.configured, true);
});
