// Header maps and body buffers as Envoy exposes them to a filter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "../../dist/host/index.js";
import { scriptedModule, proxyModule, setKnobs, slot, memBytes, pairsBytes, A, GET, POST, OK200, RET_PTR, RET_LEN, OUT32 } from "./wat.mjs";

const wasm = scriptedModule();

test("request headers are forgotten after Continue: BAD_ARGUMENT later, readable again in on_log", async () => {
  const host = await Host.create({ wasm });
  setKnobs(host, { a0: A.READ_PATH, a3: A.READ_PATH, a6: A.READ_PATH });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(slot(host, 0), 0);
  assert.equal(memBytes(host, slot(host, 56), slot(host, 57)).toString(), "/p?q=1");
  s.sendResponseHeaders(OK200, { endOfStream: true });
  assert.equal(slot(host, 24), 2, "BAD_ARGUMENT in on_response_headers");
  s.complete();
  assert.equal(slot(host, 48), 0, "OK in on_log (access-log headers)");
});

test("headers stay readable in body callbacks while the headers callback stopped them", async () => {
  const host = await Host.create({ wasm, allowOnHeadersStopIteration: true });
  setKnobs(host, { r0: 1, a1: A.READ_PATH });
  const s = host.newStream();
  s.sendRequestHeaders(POST, { endOfStream: false });
  s.sendRequestBody("x", { endOfStream: true });
  assert.equal(slot(host, 8), 0);
  setKnobs(host, { r0: 0 });
  const t = host.newStream();
  t.sendRequestHeaders(POST, { endOfStream: false });
  t.sendRequestBody("x", { endOfStream: true });
  assert.equal(slot(host, 8), 2);
});

const mapOps = proxyModule(`
  (func (export "proxy_on_request_headers") (param $id i32) (param $n i32) (param $eos i32) (result i32)
    (call $rec (i32.const 0) (call $proxy_add_header_map_value (i32.const 0) {{upper}} {{va}}))
    (call $rec (i32.const 1) (call $proxy_get_header_map_value (i32.const 0) {{multi}} (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 2) (i32.load (i32.const ${RET_PTR})))
    (call $rec (i32.const 3) (i32.load (i32.const ${RET_LEN})))
    (call $rec (i32.const 4) (call $proxy_replace_header_map_value (i32.const 0) {{path}} {{newpath}}))
    (call $rec (i32.const 5) (call $proxy_remove_header_map_value (i32.const 0) {{absent}}))
    (call $rec (i32.const 6) (call $proxy_get_header_map_value (i32.const 0) {{absent}} (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 7) (call $proxy_get_header_map_size (i32.const 0) (i32.const ${OUT32})))
    (call $rec (i32.const 8) (i32.load (i32.const ${OUT32})))
    (call $rec (i32.const 9) (call $proxy_get_header_map_value (i32.const 8) {{absent}} (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 10) (call $proxy_get_header_map_value (i32.const 2) {{absent}} (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 11) (call $proxy_add_header_map_value (i32.const 2) {{upper}} {{va}}))
    (call $rec (i32.const 12) (call $proxy_get_header_map_pairs (i32.const 2) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 13) (i32.load (i32.const ${RET_LEN})))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param $id i32) (param $n i32) (param $eos i32) (result i32)
    (call $rec (i32.const 20) (call $proxy_set_header_map_pairs (i32.const 2) {{newpairs}}))
    (call $rec (i32.const 21) (call $proxy_set_header_map_pairs (i32.const 0) {{newpairs}}))
    (call $rec (i32.const 22) (call $proxy_get_header_map_pairs (i32.const 0) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 23) (i32.load (i32.const ${RET_PTR})))
    (call $rec (i32.const 24) (i32.load (i32.const ${RET_LEN})))
    (i32.const 0))
  (func (export "proxy_on_response_body") (param $id i32) (param $n i32) (param $eos i32) (result i32)
    (call $rec (i32.const 30) (call $proxy_set_header_map_pairs (i32.const 2) {{broken}}))
    (i32.const 0))`, {
  data: {
    upper: "X-Upper", va: "A", multi: "X-Multi", path: ":path", newpath: "/rewritten", absent: "x-absent",
    newpairs: pairsBytes([[":status", "201"], ["Set-Cookie", "a=1"], ["set-cookie", "b=2"]]),
    broken: pairsBytes([["k", "v"]]).subarray(0, 10),
  },
});

test("header map calls: lower-cased keys, first value, replace moves, byte size, wrong map → BAD_ARGUMENT", async () => {
  const host = await Host.create({ wasm: mapOps });
  const s = host.newStream();
  s.sendRequestHeaders([...GET, ["x-multi", "one"], ["X-Multi", "two"]], { endOfStream: true });
  assert.deepEqual([slot(host, 0), slot(host, 1)], [0, 0]);
  assert.equal(memBytes(host, slot(host, 2), slot(host, 3)).toString(), "one");
  assert.deepEqual([slot(host, 4), slot(host, 5), slot(host, 6)], [0, 0, 1]);
  assert.equal(slot(host, 7), 0);
  const expected = [
    [":method", "GET"], [":authority", "example.com"], [":scheme", "http"], [":path", "/rewritten"],
    ["x-multi", "one"], ["x-multi", "two"], ["x-upper", "A"],
  ];
  assert.deepEqual(s.requestHeaders, expected);
  assert.equal(slot(host, 8), expected.reduce((n, [k, v]) => n + k.length + v.length, 0), "byte size, not count");
  assert.equal(slot(host, 9), 2, "map type 8 is out of range");
  assert.equal(slot(host, 10), 2, "response headers do not exist yet");
  assert.equal(slot(host, 11), 2);
  assert.deepEqual([slot(host, 12), slot(host, 13)], [0, 0], "pairs of an absent map: OK, empty");
  s.sendResponseHeaders(OK200, { endOfStream: false });
  assert.deepEqual([slot(host, 20), slot(host, 21), slot(host, 22), slot(host, 23), slot(host, 24)], [0, 2, 0, 0, 0]);
  assert.deepEqual(s.responseHeaders, [[":status", "201"], ["set-cookie", "a=1"], ["set-cookie", "b=2"]]);
});

test("malformed pairs from the module clear the map (strict parsing)", async () => {
  const broken = proxyModule(`
    (func (export "proxy_on_request_headers") (param $id i32) (param $n i32) (param $eos i32) (result i32)
      (call $rec (i32.const 0) (call $proxy_set_header_map_pairs (i32.const 0) {{broken}}))
      (i32.const 0))
    (func (export "proxy_on_response_headers") (param $id i32) (param $n i32) (param $eos i32) (result i32)
      (call $rec (i32.const 1) (call $proxy_set_header_map_pairs (i32.const 2) {{good}}))
      (i32.const 0))`, {
    data: { broken: Buffer.concat([pairsBytes([["k", "v"]]), Buffer.from([0])]), good: pairsBytes([[":status", "200"], ["K", "v"]]) },
  });
  const host = await Host.create({ wasm: broken });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(slot(host, 0), 0, "the call succeeds...");
  assert.deepEqual(s.requestHeaders, [], "...and every header is gone");
  s.sendResponseHeaders(OK200, { endOfStream: true });
  assert.deepEqual(s.responseHeaders, [[":status", "200"], ["k", "v"]]);
});

test("trailers can be added in the last body callback only", async () => {
  const host = await Host.create({ wasm });
  setKnobs(host, { a1: A.ADD_HEADER });
  const s = host.newStream();
  s.sendRequestHeaders(POST, { endOfStream: false });
  s.sendRequestBody("a", { endOfStream: false });
  assert.equal(slot(host, 13), 2, "not the last chunk: BAD_ARGUMENT");
  s.sendRequestBody("b", { endOfStream: true });
  assert.equal(slot(host, 13), 0);
  assert.deepEqual(s.requestTrailers, [["x-added", "yes"]]);
  assert.equal(s.requestBody.toString(), "ab");
  assert.equal(s.requestEnded, true);
});

test("buffers: NOT_FOUND outside their phase; an empty read is (0, 0) without malloc", async () => {
  const host = await Host.create({ wasm });
  setKnobs(host, { a0: A.READ_BODY, a4: A.READ_BODY });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(slot(host, 1), 1, "request body in on_request_headers: NOT_FOUND");
  s.sendResponseHeaders(OK200, { endOfStream: false });
  const allocs = host.workers[0].abi.instance.exports.allocs.value;
  s.sendResponseBody("", { endOfStream: true });
  assert.deepEqual([slot(host, 33), slot(host, 34), slot(host, 35)], [0, 0, 0]);
  assert.equal(host.workers[0].abi.instance.exports.allocs.value, allocs);
});

test("set_buffer_bytes: start 0 drains then prepends, start >= length appends", async () => {
  const host = await Host.create({ wasm });
  setKnobs(host, { a4: A.REPLACE_BODY });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  s.sendResponseHeaders(OK200, { endOfStream: false });
  s.sendResponseBody("original", { endOfStream: false });
  assert.equal(slot(host, 36), 0);
  setKnobs(host, { a4: A.APPEND_BODY });
  s.sendResponseBody("tail", { endOfStream: true });
  assert.equal(s.responseBody.toString(), "REPLACEDtail+END");
});

test("body writes outside their phase are NOT_FOUND; a start inside the buffer is BAD_ARGUMENT", async () => {
  const mid = proxyModule(`
    (func (export "proxy_on_response_body") (param $id i32) (param $size i32) (param $eos i32) (result i32)
      (call $rec (i32.const 0) (call $proxy_set_buffer_bytes (i32.const 1) (i32.const 2) (i32.const 1) {{x}}))
      (call $rec (i32.const 1) (call $proxy_set_buffer_bytes (i32.const 1) (i32.const 0) (i32.const 0) {{x}}))
      (call $rec (i32.const 2) (call $proxy_set_buffer_bytes (i32.const 0) (i32.const 0) (i32.const 0) {{x}}))
      (call $rec (i32.const 3) (call $proxy_get_buffer_status (i32.const 1) (i32.const ${OUT32}) (i32.const ${RET_LEN})))
      (call $rec (i32.const 4) (i32.load (i32.const ${OUT32})))
      (i32.const 0))`, { data: { x: "X" } });
  const host = await Host.create({ wasm: mid });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  s.sendResponseHeaders(OK200, { endOfStream: false });
  s.sendResponseBody("abcdef", { endOfStream: true });
  assert.deepEqual([slot(host, 0), slot(host, 1), slot(host, 2), slot(host, 3), slot(host, 4)], [2, 0, 1, 0, 7]);
  assert.equal(s.responseBody.toString(), "Xabcdef");
});
