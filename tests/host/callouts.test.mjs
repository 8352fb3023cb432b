// HTTP callouts: root context, per-VM tokens, response and failure delivery, buffers and maps only inside
// the callback, set_effective_context, timeouts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "../../dist/host/index.js";
import { proxyModule, slot, memBytes, pairsBytes, GET, RET_PTR, RET_LEN, OUT32 } from "./wat.mjs";

const callout = proxyModule(`
  (func $call (param $slot i32) (param $hp i32) (param $hs i32)
    (call $rec (local.get $slot)
      (call $proxy_http_call {{cluster}} (local.get $hp) (local.get $hs) {{body}} (i32.const 0) (i32.const 0) (i32.const 500) (i32.const ${OUT32})))
    (call $rec (i32.add (local.get $slot) (i32.const 1)) (i32.load (i32.const ${OUT32}))))
  (func (export "proxy_on_request_headers") (param $id i32) (param i32 i32) (result i32)
    (call $rec (i32.const 40) (local.get $id))
    (call $call (i32.const 0) {{headers}})
    (call $call (i32.const 2) {{headers}})
    (call $call (i32.const 4) {{noauthority}})
    (call $rec (i32.const 6) (call $proxy_get_buffer_bytes (i32.const 4) (i32.const 0) (i32.const 10) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 7) (call $proxy_set_effective_context (i32.const 77)))
    (i32.const 1))
  (func (export "proxy_on_http_call_response") (param $root i32) (param $token i32) (param $nh i32) (param $bs i32) (param $nt i32)
    (call $rec (i32.const 10) (local.get $root))
    (call $rec (i32.const 11) (local.get $token))
    (call $rec (i32.const 12) (local.get $nh))
    (call $rec (i32.const 13) (local.get $bs))
    (call $rec (i32.const 14) (local.get $nt))
    (call $rec (i32.const 15) (call $proxy_get_buffer_bytes (i32.const 4) (i32.const 0) (local.get $bs) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 16) (i32.load (i32.const ${RET_PTR})))
    (call $rec (i32.const 17) (i32.load (i32.const ${RET_LEN})))
    (call $rec (i32.const 18) (call $proxy_get_header_map_value (i32.const 6) {{status}} (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 19) (i32.load (i32.const ${RET_PTR})))
    (call $rec (i32.const 20) (call $proxy_get_status (i32.const ${OUT32}) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 21) (i32.load (i32.const ${OUT32})))
    (call $rec (i32.const 22) (i32.load (i32.const ${RET_PTR})))
    (call $rec (i32.const 23) (i32.load (i32.const ${RET_LEN})))
    (call $rec (i32.const 24) (call $proxy_set_effective_context (i32.load (i32.const 0x1a0))))
    (call $rec (i32.const 25) (call $proxy_continue_stream (i32.const 0))))`, {
  data: {
    cluster: "auth",
    headers: pairsBytes([[":method", "POST"], [":path", "/check"], [":authority", "auth.local"]]),
    noauthority: pairsBytes([[":method", "GET"], [":path", "/check"]]),
    body: "payload",
    status: ":status",
  },
});

test("callouts: BAD_ARGUMENT for an unknown cluster", async () => {
  const host = await Host.create({ wasm: callout });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.deepEqual([slot(host, 0), slot(host, 1)], [2, 0]);
  assert.deepEqual(host.httpCalls, []);
});

test("callouts: per-VM tokens 4, 8...; :authority required; content-length set from the body", async () => {
  const host = await Host.create({ wasm: callout, clusters: ["auth"], workers: 2 });
  const s = host.newStream({ worker: 1 });
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => slot(host, i, 1)), [0, 4, 0, 8, 2, 0]);
  assert.equal(slot(host, 6, 1), 1, "HTTP_CALL_RESPONSE_BODY outside the callback: NOT_FOUND");
  assert.equal(slot(host, 7, 1), 2, "unknown context id: BAD_ARGUMENT");
  const [first] = host.httpCalls;
  assert.deepEqual(
    { worker: first.worker, token: first.token, cluster: first.cluster, headers: first.headers, body: first.body.toString(), timeoutMs: first.timeoutMs },
    {
      worker: 1, token: 4, cluster: "auth",
      headers: [[":method", "POST"], [":path", "/check"], [":authority", "auth.local"], ["content-length", "7"]],
      body: "payload", timeoutMs: 500,
    },
  );
});

test("callouts: the response goes to the root context; buffers and maps exist only during the callback", async () => {
  const host = await Host.create({ wasm: callout, clusters: ["auth"] });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(s.requestHeaders, null, "paused");
  host.respondHttpCall(host.httpCalls[0], { headers: [[":status", "200"], ["x-a", "1"]], body: "allowed", trailers: [["t", "1"]] });
  assert.deepEqual([10, 11, 12, 13, 14, 15].map((i) => slot(host, i)), [1, 4, 2, 7, 1, 0]);
  assert.equal(memBytes(host, slot(host, 16), slot(host, 17)).toString(), "allowed");
  assert.equal(slot(host, 18), 0);
  assert.equal(memBytes(host, slot(host, 19), 3).toString(), "200");
  assert.deepEqual([slot(host, 20), slot(host, 21), slot(host, 23)], [0, 0, 0]);
  assert.deepEqual([slot(host, 24), slot(host, 25)], [0, 0], "effective context = the stream; continue it");
  assert.notEqual(s.requestHeaders, null);
});

test("callouts: a failure is (0, 0, 0) with get_status BROKEN_CONNECTION \"reset\"", async () => {
  const host = await Host.create({ wasm: callout, clusters: ["auth"] });
  host.newStream().sendRequestHeaders(GET, { endOfStream: true });
  host.respondHttpCall(host.httpCalls[0], null);
  assert.deepEqual([12, 13, 14, 15].map((i) => slot(host, i)), [0, 0, 0, 1]);
  assert.deepEqual([slot(host, 20), slot(host, 21)], [0, 11]);
  assert.equal(memBytes(host, slot(host, 22), slot(host, 23)).toString(), "reset");
});

test("callouts: a timeout answers 504 after timeout_ms of (virtual) time", async () => {
  const host = await Host.create({ wasm: callout, clusters: ["auth"] });
  host.newStream().sendRequestHeaders(GET, { endOfStream: true });
  host.advance(499);
  assert.equal(slot(host, 11), 0);
  host.advance(1);
  assert.deepEqual([slot(host, 11), slot(host, 13)], [8, 24], "both calls timed out, in token order");
  assert.deepEqual(host.httpCalls, []);
  assert.equal(memBytes(host, slot(host, 19), 3).toString(), "504");
});

test("callouts: a cluster handler answers on a later turn, never inside the callback", async () => {
  const seen = [];
  const host = await Host.create({
    wasm: callout,
    clusters: { auth: (req) => (seen.push(req.headers[1][1]), { headers: [[":status", "204"]] }) },
  });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.deepEqual(seen, ["/check", "/check"]);
  assert.deepEqual([slot(host, 11), slot(host, 12)], [8, 1], "both calls answered after the callback");
  assert.notEqual(s.requestHeaders, null);
});
