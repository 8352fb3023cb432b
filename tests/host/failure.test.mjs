// Traps fail the VM; the failure policy decides what the current and later streams on that VM get.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "../../dist/host/index.js";
import { scriptedModule, setKnobs, slot, A, GET, OK200 } from "./wat.mjs";

const wasm = scriptedModule();

test("fail_closed: the trapping stream and every later stream on that VM get 503 wasm_fail_stream", async () => {
  const host = await Host.create({ wasm, workers: 2 });
  setKnobs(host, { a0: A.TRAP }, 0);
  const s = host.newStream({ worker: 0 });
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(host.workers[0].failed, true);
  assert.deepEqual(s.localReply, { status: 503, headers: [[":status", "503"]], body: Buffer.alloc(0), details: "wasm_fail_stream", grpcStatus: 14 });
  assert.deepEqual(s.responseHeaders, [[":status", "503"]]);
  assert.equal(s.requestHeaders, null);
  assert.deepEqual(s.calls, ["proxy_on_context_create", "proxy_on_request_headers"], "the fail-stream reply skips the filter");
  assert.deepEqual(host.logs.at(-1), {
    level: "critical",
    message: "Function: proxy_on_request_headers failed: Uncaught RuntimeError: unreachable",
    worker: 0,
    host: true,
  });
  s.complete();
  assert.equal(s.calls.length, 2, "no on_log/on_done/on_delete on a failed VM");
  const later = host.newStream({ worker: 0 });
  later.sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(later.localReply.details, "wasm_fail_stream");
  assert.deepEqual(later.calls, []);
  const other = host.newStream({ worker: 1 });
  other.sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(other.localReply, null, "the other worker's VM is fine");
  assert.notEqual(other.requestHeaders, null);
});

test("fail_open: the filter is skipped for the trapping stream and later ones", async () => {
  const host = await Host.create({ wasm, failurePolicy: "fail_open" });
  setKnobs(host, { a0: A.TRAP });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(s.localReply, null);
  assert.deepEqual(s.requestHeaders, GET);
  s.sendResponseHeaders(OK200, { endOfStream: true });
  assert.deepEqual(s.responseHeaders, OK200);
  const later = host.newStream();
  later.sendRequestHeaders(GET, { endOfStream: true });
  later.sendResponseHeaders(OK200, { endOfStream: true });
  assert.deepEqual(later.calls, []);
  assert.deepEqual(later.responseHeaders, OK200);
});

test("a trap in on_response_headers: 503 sent directly; in on_response_body after headers went out: reset", async () => {
  const host = await Host.create({ wasm, workers: 2 });
  setKnobs(host, { a3: A.TRAP }, 0);
  const a = host.newStream({ worker: 0 });
  a.sendRequestHeaders(GET, { endOfStream: true });
  a.sendResponseHeaders(OK200, { endOfStream: false });
  assert.deepEqual(a.responseHeaders, [[":status", "503"]]);
  a.sendResponseBody("x", { endOfStream: true });
  assert.equal(a.responseBody.length, 0);
  setKnobs(host, { a4: A.TRAP }, 1);
  const b = host.newStream({ worker: 1 });
  b.sendRequestHeaders(GET, { endOfStream: true });
  b.sendResponseHeaders(OK200, { endOfStream: false });
  b.sendResponseBody("x", { endOfStream: true });
  assert.equal(b.reset, "local reply after response headers were sent");
  assert.deepEqual(b.responseHeaders, OK200);
});

test("a trap during start-up leaves the plugin unconfigured", async () => {
  const trapping = scriptedModule({ extra: '(func (export "_start") unreachable)' });
  const host = await Host.create({ wasm: trapping });
  assert.equal(host.configured, false);
  assert.match(host.logs.at(-1).message, /^Function: _start failed: Uncaught RuntimeError: unreachable/);
  void slot;
});
