// Status mapping, body buffering, buffer limits and deferred actions, as Envoy's filter manager applies them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "../../dist/host/index.js";
import { scriptedModule, setKnobs, slot, memBytes, A, GET, POST, OK200 } from "./wat.mjs";

const wasm = scriptedModule();
const make = (opts = {}) => Host.create({ wasm, clusters: ["auth"], ...opts });

/** Continues the stream from an HTTP call response run under the stream's context. */
function continueViaCallout(host, s, action = A.CONTINUE_REQUEST) {
  setKnobs(host, { eff: s.contextId, a8: action });
  host.respondHttpCall(host.httpCalls[0], { headers: [[":status", "200"]], body: "ok" });
}

test("Pause (1) from request headers becomes StopAllIterationAndWatermark: body waits, then arrives whole", async () => {
  const host = await make();
  setKnobs(host, { r0: 1, a0: A.HTTP_CALL, r1: 0, a1: A.READ_BODY });
  const s = host.newStream();
  assert.equal(s.sendRequestHeaders(POST, { endOfStream: false }), 1);
  assert.equal(s.sendRequestBody("aa", { endOfStream: false }), null, "no callback while stopped");
  assert.equal(s.sendRequestBody("bb", { endOfStream: true }), null);
  assert.equal(s.requestHeaders, null);
  assert.deepEqual(s.calls, ["proxy_on_context_create", "proxy_on_request_headers"]);
  continueViaCallout(host, s);
  assert.equal(slot(host, 63), 0, "set_effective_context(stream) OK");
  assert.deepEqual(s.calls.slice(2), ["proxy_on_request_body"]);
  assert.equal(slot(host, 49), 4, "one body callback with everything buffered");
  assert.equal(memBytes(host, slot(host, 10), slot(host, 11)).toString(), "aabb");
  assert.deepEqual(s.requestHeaders.map(([k]) => k), [":method", ":path", ":authority", ":scheme"]);
  assert.equal(s.requestBody.toString(), "aabb");
  assert.equal(s.requestEnded, true);
});

test("with allow_on_headers_stop_iteration, 1 stays StopIteration: body callbacks continue, Continue forwards all", async () => {
  const host = await make({ allowOnHeadersStopIteration: true });
  setKnobs(host, { r0: 1, r1: 0 });
  const s = host.newStream();
  s.sendRequestHeaders(POST, { endOfStream: false });
  assert.equal(s.sendRequestBody("aa", { endOfStream: false }), 0);
  assert.notEqual(s.requestHeaders, null, "data Continue resumes headers");
  assert.equal(s.requestBody.toString(), "aa");
  s.sendRequestBody("bb", { endOfStream: true });
  assert.equal(s.requestBody.toString(), "aabb");
});

test("headers: 2 (ContinueAndEndStream) is Continue; values above 4 are StopAllIterationAndWatermark", async () => {
  const host = await make();
  setKnobs(host, { r0: 2 });
  const a = host.newStream();
  a.sendRequestHeaders(GET, { endOfStream: true });
  assert.notEqual(a.requestHeaders, null);
  setKnobs(host, { r0: 9 });
  const b = host.newStream();
  b.sendRequestHeaders(POST, { endOfStream: false });
  b.sendRequestBody("x", { endOfStream: true });
  assert.equal(b.requestHeaders, null);
  assert.deepEqual(b.calls, ["proxy_on_context_create", "proxy_on_request_headers"]);
});

test("StopIterationAndBuffer: each chunk is appended before the callback, body_size is the total", async () => {
  const host = await make();
  setKnobs(host, { r1: 1, a1: A.READ_BODY });
  const s = host.newStream();
  s.sendRequestHeaders(POST, { endOfStream: false });
  s.sendRequestBody("aa", { endOfStream: false });
  assert.equal(slot(host, 49), 2);
  s.sendRequestBody("bbb", { endOfStream: false });
  assert.equal(slot(host, 49), 5);
  assert.equal(memBytes(host, slot(host, 10), slot(host, 11)).toString(), "aabbb");
  assert.equal(s.requestBody.length, 0);
  assert.notEqual(s.requestHeaders, null, "headers went on before the body stopped");
  setKnobs(host, { r1: 0 });
  s.sendRequestBody("c", { endOfStream: true });
  assert.equal(slot(host, 49), 6);
  assert.equal(s.requestBody.toString(), "aabbbc");
  assert.equal(s.requestEnded, true);
});

test("data: values above 3 are StopIterationNoBuffer — the chunk is dropped", async () => {
  const host = await make();
  setKnobs(host, { r1: 7 });
  const s = host.newStream();
  s.sendRequestHeaders(POST, { endOfStream: false });
  s.sendRequestBody("dropped", { endOfStream: false });
  setKnobs(host, { r1: 0 });
  s.sendRequestBody("kept", { endOfStream: true });
  assert.equal(s.requestBody.toString(), "kept");
});

test("request over the buffer limit while buffering: 413 local reply through this filter", async () => {
  const host = await make({ bufferLimit: 10 });
  setKnobs(host, { r1: 1 });
  const s = host.newStream();
  s.sendRequestHeaders(POST, { endOfStream: false });
  s.sendRequestBody("123456", { endOfStream: false });
  s.sendRequestBody("7890ab", { endOfStream: false });
  assert.equal(s.localReply.status, 413);
  assert.equal(s.localReply.details, "request_payload_too_large");
  assert.deepEqual(s.responseHeaders, [[":status", "413"], ["content-length", "17"], ["content-type", "text/plain"]]);
  assert.equal(s.responseBody.toString(), "Payload Too Large");
  assert.deepEqual(s.calls.slice(-2), ["proxy_on_response_headers", "proxy_on_response_body"]);
  assert.equal(s.upstreamReset, true);
});

test("StopAllIterationAndBuffer from headers obeys the limit; StopAllIterationAndWatermark does not", async () => {
  const host = await make({ bufferLimit: 4 });
  setKnobs(host, { r0: 3 });
  const a = host.newStream();
  a.sendRequestHeaders(POST, { endOfStream: false });
  a.sendRequestBody("12345", { endOfStream: false });
  assert.equal(a.localReply?.status, 413);
  setKnobs(host, { r0: 4 });
  const b = host.newStream();
  b.sendRequestHeaders(POST, { endOfStream: false });
  b.sendRequestBody("12345", { endOfStream: false });
  assert.equal(b.localReply, null);
});

test("response over the limit: 500 before response headers went downstream, reset after", async () => {
  const host = await make({ bufferLimit: 4 });
  setKnobs(host, { r3: 3 });
  const a = host.newStream();
  a.sendRequestHeaders(GET, { endOfStream: true });
  a.sendResponseHeaders(OK200, { endOfStream: false });
  a.sendResponseBody("123456", { endOfStream: false });
  assert.equal(a.localReply.status, 500);
  assert.equal(a.localReply.details, "response_payload_too_large");
  assert.deepEqual(a.responseHeaders, [[":status", "500"], ["content-length", "21"], ["content-type", "text/plain"]]);
  assert.equal(a.responseBody.toString(), "Internal Server Error");
  setKnobs(host, { r3: 0, r4: 1 });
  const b = host.newStream();
  b.sendRequestHeaders(GET, { endOfStream: true });
  b.sendResponseHeaders(OK200, { endOfStream: false });
  b.sendResponseBody("123456", { endOfStream: false });
  assert.equal(b.localReply, null);
  assert.equal(b.reset, "response_payload_too_large");
});

test("send_local_response is deferred, forces a stop, and the reply passes through on_response_*", async () => {
  const host = await make();
  setKnobs(host, { a0: A.LOCAL_REPLY, r0: 0 });
  const s = host.newStream();
  assert.equal(s.sendRequestHeaders(GET, { endOfStream: true }), 0, "the module answered Continue");
  assert.equal(s.requestHeaders, null, "...but the local reply forced a stop");
  assert.equal(slot(host, 52), 100, "on_response_headers ran after on_request_headers returned");
  assert.deepEqual(s.calls, [
    "proxy_on_context_create", "proxy_on_request_headers", "proxy_on_response_headers", "proxy_on_response_body",
  ]);
  assert.deepEqual(s.localReply, {
    status: 403,
    headers: [[":status", "403"], ["x-test", "1"], ["content-length", "4"], ["content-type", "text/plain"]],
    body: Buffer.from("nope"),
    details: "denied_by_test",
    grpcStatus: null,
  });
  assert.deepEqual(s.responseHeaders, s.localReply.headers);
  assert.equal(s.responseBody.toString(), "nope");
  assert.equal(s.sendResponseHeaders(OK200, { endOfStream: true }), null, "the upstream response is gone");
  s.complete();
  assert.deepEqual(s.calls.slice(-3), ["proxy_on_log", "proxy_on_done", "proxy_on_delete"]);
});

test("the local reply is filtered by this filter: headers added in on_response_headers reach downstream", async () => {
  const host = await make();
  setKnobs(host, { a0: A.LOCAL_REPLY, a3: A.ADD_HEADER });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.deepEqual(s.responseHeaders.at(-1), ["x-added", "yes"]);
  assert.equal(slot(host, 29), 0);
});

test("a local reply from on_response_headers goes out directly (no second pass through the filter)", async () => {
  const host = await make();
  setKnobs(host, { a3: A.LOCAL_REPLY });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  s.sendResponseHeaders(OK200, { endOfStream: false });
  assert.equal(s.localReply.status, 403);
  assert.deepEqual(s.responseHeaders[0], [":status", "403"]);
  assert.equal(s.responseBody.toString(), "nope");
  s.sendResponseBody("upstream body", { endOfStream: true });
  assert.equal(s.responseBody.toString(), "nope");
  assert.deepEqual(s.calls, ["proxy_on_context_create", "proxy_on_request_headers", "proxy_on_response_headers"]);
});

test("a local reply after response headers went downstream resets the stream", async () => {
  const host = await make();
  setKnobs(host, { a4: A.LOCAL_REPLY });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  s.sendResponseHeaders(OK200, { endOfStream: false });
  s.sendResponseBody("x", { endOfStream: false });
  assert.equal(s.reset, "local reply after response headers were sent");
  assert.deepEqual(s.responseHeaders, OK200);
});

test("continue_stream is deferred until the callback returns", async () => {
  const host = await make();
  setKnobs(host, { r0: 1, a0: A.CONTINUE_REQUEST });
  const s = host.newStream();
  s.sendRequestHeaders(POST, { endOfStream: false });
  assert.notEqual(s.requestHeaders, null, "the deferred continue resumed after the stop was recorded");
  s.sendRequestBody("z", { endOfStream: true });
  assert.equal(s.requestBody.toString(), "z");
});

test("close_stream resets the stream after the callback (wasm_close_stream)", async () => {
  const host = await make();
  setKnobs(host, { a0: A.CLOSE });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.equal(s.reset, "wasm_close_stream");
  assert.notEqual(s.requestHeaders, null, "the callback's own Continue happened first");
  assert.equal(s.sendResponseHeaders(OK200, { endOfStream: true }), null);
});

test("trailers: StopIteration holds them until continue_stream", async () => {
  const host = await make();
  setKnobs(host, { r2: 1, a0: A.HTTP_CALL });
  const s = host.newStream();
  s.sendRequestHeaders(POST, { endOfStream: false });
  s.sendRequestBody("b", { endOfStream: false });
  s.sendRequestTrailers([["t", "1"]]);
  assert.equal(s.requestTrailers, null);
  assert.equal(s.requestBody.toString(), "b");
  continueViaCallout(host, s);
  assert.deepEqual(s.requestTrailers, [["t", "1"]]);
  assert.equal(s.requestEnded, true);
});

test("continue_stream(RESPONSE) resumes a paused response", async () => {
  const host = await make();
  setKnobs(host, { r3: 1, a3: A.HTTP_CALL });
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  s.sendResponseHeaders(OK200, { endOfStream: false });
  s.sendResponseBody("abc", { endOfStream: true });
  assert.equal(s.responseHeaders, null);
  continueViaCallout(host, s, A.CONTINUE_RESPONSE);
  assert.deepEqual(s.responseHeaders, OK200);
  assert.equal(s.responseBody.toString(), "abc");
  assert.equal(slot(host, 51), 3);
});

test("local replies to gRPC requests are trailers-only gRPC responses; HEAD replies carry no body", async () => {
  const host = await make();
  setKnobs(host, { a0: A.LOCAL_REPLY });
  const g = host.newStream();
  g.sendRequestHeaders([...POST, ["content-type", "application/grpc"]], { endOfStream: false });
  assert.deepEqual(g.responseHeaders, [
    [":status", "200"], ["x-test", "1"], ["content-type", "application/grpc"], ["grpc-status", "7"], ["grpc-message", "nope"],
  ]);
  assert.equal(g.responseBody.length, 0);
  assert.equal(g.responseEnded, true);
  const h = host.newStream();
  h.sendRequestHeaders([[":method", "HEAD"], [":path", "/"], [":authority", "a"], [":scheme", "http"]], { endOfStream: true });
  assert.deepEqual(h.responseHeaders, [[":status", "403"], ["x-test", "1"], ["content-length", "4"], ["content-type", "text/plain"]]);
  assert.equal(h.responseBody.length, 0);
  assert.equal(h.localReply.body.toString(), "nope");
});

test("after continue_stream the held chunk arrives, later chunks flow one by one; held trailers follow the body", async () => {
  const host = await make();
  setKnobs(host, { r0: 1, a0: A.HTTP_CALL });
  const s = host.newStream();
  s.sendRequestHeaders(POST, { endOfStream: false });
  s.sendRequestBody("aa", { endOfStream: false });
  continueViaCallout(host, s);
  assert.deepEqual([s.calls.at(-1), slot(host, 49), s.requestBody.toString(), s.requestEnded], ["proxy_on_request_body", 2, "aa", false]);
  s.sendRequestBody("bbb", { endOfStream: true });
  assert.deepEqual([slot(host, 49), s.requestBody.toString(), s.requestEnded], [3, "aabbb", true]);

  setKnobs(host, { eff: 0, a8: 0 });
  const t = host.newStream();
  t.sendRequestHeaders(POST, { endOfStream: false });
  t.sendRequestBody("x", { endOfStream: false });
  t.sendRequestTrailers([["tt", "1"]]);
  continueViaCallout(host, t);
  assert.deepEqual(t.calls.slice(2), ["proxy_on_request_body", "proxy_on_request_trailers"]);
  assert.deepEqual([t.requestBody.toString(), t.requestTrailers, t.requestEnded], ["x", [["tt", "1"]], true]);
});
