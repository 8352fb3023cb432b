// The proxy-wasm callbacks (ABI 0.2.1). The SDK's own exports (proxy.ts) dispatch through a context map
// that traps on the root context's on_done/on_delete, and log through WASI stdout with debug strings built
// on every call; these dispatch to Plugin and HttpStream directly and never trap on an unknown id (a
// stream of a plugin whose configuration was refused simply passes through). Each export that does any work
// is a thin wrapper that tells memory.ts when the host's call starts and ends (the collector runs only
// between calls); the ones that only answer a constant allocate nothing and need none.
import { Plugin } from "./root";
import { HttpStream } from "./stream";
import { calloutOwners } from "./services";
import { HttpCallResult } from "../core/services";
import * as host from "./host";
import { enterCallback, leaveCallback } from "./memory";

const plugins = new Map<u32, Plugin>();
const streams = new Map<u32, HttpStream>();

// The stream the host called about last: a stream's callbacks mostly come one after another, and each
// would otherwise cost two hash lookups (has, then get).
let lastId: u32 = 0;
let lastStream: HttpStream | null = null;

function streamOf(id: u32): HttpStream | null {
  if (id == lastId && lastStream != null) return lastStream;
  if (!streams.has(id)) return null;
  const s = streams.get(id);
  lastId = id;
  lastStream = s;
  return s;
}

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_context_create(id: u32, parent: u32): void {
  enterCallback();
  onContextCreate(id, parent);
  leaveCallback();
}

function onContextCreate(id: u32, parent: u32): void {
  if (parent == 0) {
    plugins.set(id, new Plugin(id));
    return;
  }
  if (!plugins.has(parent)) return;
  const plugin = plugins.get(parent);
  if (!plugin.configured) return;
  const s = new HttpStream(id, plugin);
  streams.set(id, s);
  lastId = id;
  lastStream = s;
}

export function proxy_on_vm_start(root: u32, size: u32): u32 {
  return 1;
}

export function proxy_on_configure(root: u32, size: u32): u32 {
  enterCallback();
  const result = onConfigure(root, size);
  leaveCallback();
  return result;
}

function onConfigure(root: u32, size: u32): u32 {
  if (!plugins.has(root)) plugins.set(root, new Plugin(root));
  return plugins.get(root).configure(size) ? 1 : 0;
}

export function proxy_on_tick(root: u32): void {
  enterCallback();
  onTick(root);
  leaveCallback();
}

function onTick(root: u32): void {
  if (plugins.has(root)) plugins.get(root).tick();
}

export function proxy_on_request_headers(id: u32, headers: u32, endOfStream: u32): u32 {
  enterCallback();
  const result = onRequestHeaders(id, headers, endOfStream);
  leaveCallback();
  return result;
}

function onRequestHeaders(id: u32, headers: u32, endOfStream: u32): u32 {
  const s = streamOf(id);
  return s != null ? s.onRequestHeaders() : 0;
}

export function proxy_on_request_body(id: u32, size: u32, endOfStream: u32): u32 {
  return 0;
}

export function proxy_on_request_trailers(id: u32, trailers: u32): u32 {
  return 0;
}

export function proxy_on_response_headers(id: u32, headers: u32, endOfStream: u32): u32 {
  enterCallback();
  const result = onResponseHeaders(id, headers, endOfStream);
  leaveCallback();
  return result;
}

function onResponseHeaders(id: u32, headers: u32, endOfStream: u32): u32 {
  const s = streamOf(id);
  return s != null ? s.onResponseHeaders() : 0;
}

export function proxy_on_response_body(id: u32, size: u32, endOfStream: u32): u32 {
  enterCallback();
  const result = onResponseBody(id, size, endOfStream);
  leaveCallback();
  return result;
}

function onResponseBody(id: u32, size: u32, endOfStream: u32): u32 {
  const s = streamOf(id);
  return s != null ? s.onResponseBody(size, endOfStream != 0) : 0;
}

export function proxy_on_response_trailers(id: u32, trailers: u32): u32 {
  enterCallback();
  const result = onResponseTrailers(id, trailers);
  leaveCallback();
  return result;
}

function onResponseTrailers(id: u32, trailers: u32): u32 {
  const s = streamOf(id);
  return s != null ? s.onResponseTrailers() : 0;
}

export function proxy_on_log(id: u32): void {
  enterCallback();
  onLog(id);
  leaveCallback();
}

function onLog(id: u32): void {
  const s = streamOf(id);
  if (s != null) s.onLog();
}

export function proxy_on_done(id: u32): u32 {
  return 1;
}

/**
 * A callout's answer. Envoy and the Go/Rust SDKs deliver it to the root context; the token names the
 * stream that made the call (calloutOwners), which becomes the effective context before the stream reads
 * the answer and edits or continues itself. `headers` 0 means the call failed (reset, refused, timeout).
 */
export function proxy_on_http_call_response(root: u32, token: u32, headers: u32, bodySize: u32, trailers: u32): void {
  enterCallback();
  onHttpCallResponse(root, token, headers, bodySize, trailers);
  leaveCallback();
}

function onHttpCallResponse(root: u32, token: u32, headers: u32, bodySize: u32, trailers: u32): void {
  if (!calloutOwners.has(token)) return;
  const id = calloutOwners.get(token);
  calloutOwners.delete(token);
  const stream = streamOf(id);
  if (stream == null) return;
  let status: u32 = 0;
  let body = new Uint8Array(0);
  if (headers != 0) {
    const s = host.getHeader(host.MapType.HttpCallResponseHeaders, ":status");
    status = s != null ? parseStatus(s) : 0;
    if (bodySize > 0) body = Uint8Array.wrap(host.getBuffer(host.BufferType.HttpCallResponseBody, 0, bodySize));
  }
  host.setEffectiveContext(id);
  stream.onHttpCallResponse(new HttpCallResult(token, status, body));
}

/** A three-digit :status; 0 for anything else. */
function parseStatus(s: string): u32 {
  if (s.length != 3) return 0;
  let n: u32 = 0;
  for (let i = 0; i < 3; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return 0;
    n = n * 10 + <u32>(c - 0x30);
  }
  return n;
}

export function proxy_on_delete(id: u32): void {
  enterCallback();
  onDelete(id);
  leaveCallback();
}

function onDelete(id: u32): void {
  const s = streamOf(id);
  if (s != null) {
    // A stream that ends while its callout is in flight will never take the answer.
    const token = s.services.lastCallout;
    if (token != 0 && calloutOwners.has(token) && calloutOwners.get(token) == id) calloutOwners.delete(token);
    streams.delete(id);
    lastStream = null;
  }
  else if (plugins.has(id)) plugins.delete(id);
}
