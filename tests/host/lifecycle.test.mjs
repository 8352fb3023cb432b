// VMs, context ids, start-up and stream callback order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "../../dist/host/index.js";
import { scriptedModule, proxyModule, setKnobs, GET, POST, OK200 } from "./wat.mjs";

const wasm = scriptedModule();
const names = (calls) => calls.map((c) => `${c.name}(${c.args.join(",")})`);

test("start-up: on_context_create(root, 0), on_vm_start(root, |vm config|), on_configure(root, |config|)", async () => {
  const host = await Host.create({ wasm, config: "{\"x\":1}", vmConfig: "vmcfg" });
  assert.equal(host.configured, true);
  assert.deepEqual(names(host.calls), [
    "proxy_on_context_create(1,0)",
    "proxy_on_vm_start(1,5)",
    "proxy_on_configure(1,7)",
  ]);
});

test("on_configure returning false refuses the configuration", async () => {
  const refusing = proxyModule('(func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 0))');
  const host = await Host.create({ wasm: refusing, config: "{}" });
  assert.equal(host.configured, false);
  assert.deepEqual(host.logs, [
    { level: "error", message: "Wasm VM failed to configure (proxy_on_configure returned false)", worker: 0, host: true },
  ]);
});

test("on_vm_start returning false refuses the VM before on_configure", async () => {
  const refusing = proxyModule(`
    (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 0))
    (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))`);
  const host = await Host.create({ wasm: refusing });
  assert.equal(host.configured, false);
  assert.deepEqual(host.calls.map((c) => c.name), ["proxy_on_vm_start"]);
});

test("a full stream: create, request headers/body/trailers, response headers/body/trailers, on_log, on_done, on_delete", async () => {
  const host = await Host.create({ wasm });
  const s = host.newStream();
  s.sendRequestHeaders(POST, { endOfStream: false });
  s.sendRequestBody("abc", { endOfStream: false });
  s.sendRequestTrailers([["x-t", "1"]]);
  s.sendResponseHeaders(OK200, { endOfStream: false });
  s.sendResponseBody("hello", { endOfStream: false });
  s.sendResponseTrailers([["grpc-status", "0"]]);
  s.complete();
  assert.deepEqual(names(host.calls.slice(3)), [
    "proxy_on_context_create(2,1)",
    "proxy_on_request_headers(2,4,0)",
    "proxy_on_request_body(2,3,0)",
    "proxy_on_request_trailers(2,1)",
    "proxy_on_response_headers(2,2,0)",
    "proxy_on_response_body(2,5,0)",
    "proxy_on_response_trailers(2,1)",
    "proxy_on_log(2)",
    "proxy_on_done(2)",
    "proxy_on_delete(2)",
  ]);
  assert.deepEqual(s.calls, [
    "proxy_on_context_create", "proxy_on_request_headers", "proxy_on_request_body", "proxy_on_request_trailers",
    "proxy_on_response_headers", "proxy_on_response_body", "proxy_on_response_trailers",
    "proxy_on_log", "proxy_on_done", "proxy_on_delete",
  ]);
  assert.deepEqual(s.requestTrailers, [["x-t", "1"]]);
  assert.equal(s.requestBody.toString(), "abc");
  assert.equal(s.responseBody.toString(), "hello");
  s.complete();
  assert.equal(s.calls.length, 10, "complete() is idempotent");
});

test("end_of_stream: true on headers without body; true on the last body chunk without trailers", async () => {
  const host = await Host.create({ wasm });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  s.sendResponseHeaders(OK200, { endOfStream: false });
  s.sendResponseBody("a", { endOfStream: false });
  s.sendResponseBody("b", { endOfStream: true });
  assert.deepEqual(names(host.calls.slice(4)), [
    "proxy_on_request_headers(2,4,1)",
    "proxy_on_response_headers(2,2,0)",
    "proxy_on_response_body(2,1,0)",
    "proxy_on_response_body(2,1,1)",
  ]);
  assert.equal(s.requestEnded, true);
  assert.equal(s.responseEnded, true);
});

test("context ids count from 1 per VM; workers are separate instances with one root context each", async () => {
  const counter = proxyModule(`
    (global $n (export "n") (mut i32) (i32.const 0))
    (func (export "proxy_on_request_headers") (param $id i32) (param i32 i32) (result i32)
      (global.set $n (i32.add (global.get $n) (i32.const 1))) (i32.const 0))`);
  const host = await Host.create({ wasm: counter, workers: 2 });
  assert.deepEqual(host.workers.map((w) => w.rootContextId), [1, 1]);
  assert.notEqual(host.workers[0].abi.instance.exports.memory, host.workers[1].abi.instance.exports.memory);
  const streams = [host.newStream(), host.newStream(), host.newStream()];
  for (const s of streams) s.sendRequestHeaders(GET, { endOfStream: true });
  assert.deepEqual(streams.map((s) => [s.worker, s.contextId]), [[0, 2], [1, 2], [0, 3]]);
  assert.equal(host.workers[0].abi.instance.exports.n.value, 2);
  assert.equal(host.workers[1].abi.instance.exports.n.value, 1);
  const pinned = host.newStream({ worker: 1 });
  pinned.sendRequestHeaders(GET, { endOfStream: true });
  assert.deepEqual([pinned.worker, pinned.contextId], [1, 3]);
});

test("context ids are never reused after on_delete", async () => {
  const host = await Host.create({ wasm });
  const a = host.newStream();
  a.sendRequestHeaders(GET, { endOfStream: true });
  a.complete();
  const b = host.newStream();
  b.sendRequestHeaders(GET, { endOfStream: true });
  assert.deepEqual([a.contextId, b.contextId], [2, 3]);
});

test("a stream that ends before the filter saw headers still gets a context for on_log", async () => {
  const host = await Host.create({ wasm });
  const s = host.newStream();
  s.complete();
  assert.deepEqual(s.calls, ["proxy_on_context_create", "proxy_on_log", "proxy_on_done", "proxy_on_delete"]);
});

test("the plugin shuts down with root on_done then on_delete", async () => {
  const host = await Host.create({ wasm });
  host.shutdown();
  assert.deepEqual(names(host.calls.slice(3)), ["proxy_on_done(1)", "proxy_on_delete(1)"]);
  void setKnobs;
});

test("ABI 0.1.0 modules: two-argument header callbacks, absent header reads OK with an empty value", async () => {
  const old = proxyModule(`
    (func (export "proxy_on_request_headers") (param $id i32) (param $n i32) (result i32)
      (call $rec (i32.const 0) (local.get $n))
      (call $rec (i32.const 1) (call $proxy_get_header_map_value (i32.const 0) {{absent}} (i32.const 0x200) (i32.const 0x204)))
      (call $rec (i32.const 2) (i32.load (i32.const 0x204)))
      (i32.const 0))`, { abi: "0_1_0", data: { absent: "x-absent" } });
  const host = await Host.create({ wasm: old });
  assert.equal(host.abiVersion, "0.1.0");
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  const mem = new DataView(host.workers[0].abi.instance.exports.memory.buffer);
  assert.deepEqual([0, 1, 2].map((i) => mem.getInt32(0x100 + i * 4, true)), [4, 0, 0]);
  assert.deepEqual(host.calls.at(-1).args, [2, 4]);
});

test("proxy_get_current_time_nanoseconds follows the injected clock", async () => {
  const mod = proxyModule(`
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (call $rec (i32.const 0) (call $proxy_get_current_time_nanoseconds (i32.const 0x210)))
      (i32.const 1))`);
  const host = await Host.create({ wasm: mod, clock: () => 1234567890123456789n });
  const mem = new DataView(host.workers[0].abi.instance.exports.memory.buffer);
  assert.equal(mem.getInt32(0x100, true), 0);
  assert.equal(mem.getBigUint64(0x210, true), 1234567890123456789n);
});

test("canary: a throw-away VM is started and configured before the workers, and its effects stay", async () => {
  const mod = proxyModule(`
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (drop (call $proxy_log (i32.const 2) {{msg}}))
      (drop (call $proxy_set_shared_data {{k}} {{msg}} (i32.const 0)))
      (i32.const 1))`, { data: { msg: "configured", k: "k" } });
  const host = await Host.create({ wasm: mod, workers: 2, canary: true });
  assert.equal(host.configured, true);
  assert.deepEqual(host.logs.map((l) => l.worker), [-1, 0, 1]);
  assert.equal(host.sharedData.get("k").cas, 3);
  assert.deepEqual(host.calls.map((c) => [c.worker, c.name]), [[-1, "proxy_on_configure"], [0, "proxy_on_configure"], [1, "proxy_on_configure"]]);
  const refused = await Host.create({ wasm: proxyModule('(func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 0))'), canary: true });
  assert.equal(refused.configured, false);
  assert.equal(refused.workers.length, 0);
  assert.throws(() => refused.newStream(), /configuration canary refused it/);
});

test("strict mode records every host call the module makes, with its context and result", async () => {
  const host = await Host.create({ wasm, recordHostCalls: true });
  setKnobs(host, { a0: 32 /* READ_PATH */ });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.deepEqual(host.hostCalls.map(({ worker, context, name, result }) => ({ worker, context, name, result })), [
    { worker: 0, context: 2, name: "env.proxy_get_header_map_value", result: 0 },
  ]);
  assert.deepEqual(host.hostCalls[0].args.slice(2), [5, 0x200, 0x204], "raw guest arguments");
});
