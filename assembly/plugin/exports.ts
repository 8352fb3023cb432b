// The proxy-wasm callbacks (ABI 0.2.1). The SDK's own exports (proxy.ts) dispatch through a context map
// that traps on the root context's on_done/on_delete, and log through WASI stdout with debug strings built
// on every call; these dispatch to Plugin and HttpStream directly and never trap on an unknown id (a
// stream of a plugin whose configuration was refused simply passes through).
import { Plugin } from "./root";
import { HttpStream } from "./stream";

const plugins = new Map<u32, Plugin>();
const streams = new Map<u32, HttpStream>();

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_context_create(id: u32, parent: u32): void {
  if (parent == 0) {
    plugins.set(id, new Plugin(id));
    return;
  }
  if (!plugins.has(parent)) return;
  const plugin = plugins.get(parent);
  if (!plugin.configured) return;
  streams.set(id, new HttpStream(id, plugin));
}

export function proxy_on_vm_start(root: u32, size: u32): u32 {
  return 1;
}

export function proxy_on_configure(root: u32, size: u32): u32 {
  if (!plugins.has(root)) plugins.set(root, new Plugin(root));
  return plugins.get(root).configure(size) ? 1 : 0;
}

export function proxy_on_tick(root: u32): void {
  if (plugins.has(root)) plugins.get(root).tick();
}

export function proxy_on_request_headers(id: u32, headers: u32, endOfStream: u32): u32 {
  return streams.has(id) ? streams.get(id).onRequestHeaders() : 0;
}

export function proxy_on_request_body(id: u32, size: u32, endOfStream: u32): u32 {
  return 0;
}

export function proxy_on_request_trailers(id: u32, trailers: u32): u32 {
  return 0;
}

export function proxy_on_response_headers(id: u32, headers: u32, endOfStream: u32): u32 {
  return streams.has(id) ? streams.get(id).onResponseHeaders() : 0;
}

export function proxy_on_response_body(id: u32, size: u32, endOfStream: u32): u32 {
  return streams.has(id) ? streams.get(id).onResponseBody(size, endOfStream != 0) : 0;
}

export function proxy_on_response_trailers(id: u32, trailers: u32): u32 {
  return streams.has(id) ? streams.get(id).onResponseTrailers() : 0;
}

export function proxy_on_log(id: u32): void {
  if (streams.has(id)) streams.get(id).onLog();
}

export function proxy_on_done(id: u32): u32 {
  return 1;
}

export function proxy_on_delete(id: u32): void {
  if (streams.has(id)) streams.delete(id);
  else if (plugins.has(id)) plugins.delete(id);
}
