// Thin, non-trapping wrappers over the proxy-wasm host calls the filter makes. The SDK's own wrappers
// (runtime.ts) throw on unexpected statuses and build debug strings on every call; these return status
// values instead, because an abort here would take the worker's VM down with it.
import * as imports from "@gcoredev/proxy-wasm-sdk-as/assembly/imports";
import { free } from "@gcoredev/proxy-wasm-sdk-as/assembly/malloc";
import { HeaderMap, HeaderEditKind } from "../core/headers";
import { byteStringFromBuffer, byteStringFromMemory, byteStringToBuffer } from "../core/bytes";

export const enum MapType { RequestHeaders = 0, RequestTrailers = 1, ResponseHeaders = 2, ResponseTrailers = 3, HttpCallResponseHeaders = 6 }
export const enum BufferType { RequestBody = 0, ResponseBody = 1, HttpCallResponseBody = 4, PluginConfiguration = 7 }
export const enum StreamType { Request = 0, Response = 1 }
export const enum Status { Ok = 0, NotFound = 1, BadArgument = 2, CasMismatch = 8 }

// The host writes a pointer and a length here for every value it returns. The block it points at came
// from our `malloc` (an ArrayBuffer pinned for the host); `takeReturned` adopts and unpins it.
const retPtr = memory.data(8);
const retLen = memory.data(8);
const retU32 = memory.data(8);

function takeReturned(): ArrayBuffer {
  const len = load<u32>(retLen);
  const ptr = <usize>load<u32>(retPtr);
  if (len == 0 || ptr == 0) return new ArrayBuffer(0);
  const buf = changetype<ArrayBuffer>(ptr);
  free(ptr);
  return buf;
}

function clearReturned(): void {
  store<u32>(retPtr, 0);
  store<u32>(retLen, 0);
}

export function log(level: i32, message: string): void {
  const bytes = String.UTF8.encode(message);
  imports.proxy_log(<usize>level, changetype<usize>(bytes), bytes.byteLength);
}

/** Reads a whole header map into a HeaderMap (names and values as byte strings). */
export function readHeaderMap(map: MapType): HeaderMap {
  const out = new HeaderMap();
  clearReturned();
  if (imports.proxy_get_header_map_pairs(map, retPtr, retLen) != Status.Ok) return out;
  const buf = takeReturned();
  decodePairs(changetype<usize>(buf), buf.byteLength, out);
  return out;
}

/**
 * Decodes the proxy-wasm pairs format (u32 count, count × (u32 name length, u32 value length), then each
 * name and value followed by a NUL). A malformed block yields the pairs read so far, never a trap.
 */
export function decodePairs(base: usize, size: i32, out: HeaderMap): void {
  if (size < 4) return;
  const count = load<u32>(base);
  const table = <u64>4 + <u64>count * 8;
  if (table > <u64>size) return;
  let data = <usize>table;
  for (let i: u32 = 0; i < count; i++) {
    const nameLen = <usize>load<u32>(base + 4 + <usize>i * 8);
    const valueLen = <usize>load<u32>(base + 8 + <usize>i * 8);
    if (<u64>data + <u64>nameLen + <u64>valueLen + 2 > <u64>size) return;
    const name = byteStringFromMemory(base + data, <i32>nameLen);
    data += nameLen + 1;
    const value = byteStringFromMemory(base + data, <i32>valueLen);
    data += valueLen + 1;
    out.load(name, value);
  }
}

/** Replays the edits a feature made to a HeaderMap against the host's map, in order. */
export function applyHeaderEdits(map: MapType, headers: HeaderMap): void {
  const edits = headers.edits;
  for (let i = 0, n = edits.length; i < n; i++) {
    const e = edits[i];
    const name = byteStringToBuffer(e.name);
    if (e.kind == HeaderEditKind.Remove) {
      imports.proxy_remove_header_map_value(map, changetype<usize>(name), name.byteLength);
      continue;
    }
    const value = byteStringToBuffer(e.value);
    if (e.kind == HeaderEditKind.Add) {
      imports.proxy_add_header_map_value(map, changetype<usize>(name), name.byteLength, changetype<usize>(value), value.byteLength);
    } else {
      imports.proxy_replace_header_map_value(map, changetype<usize>(name), name.byteLength, changetype<usize>(value), value.byteLength);
    }
  }
  edits.length = 0;
}

/** The proxy-wasm pairs format (see decodePairs) of a header map's pairs. */
export function encodePairs(headers: HeaderMap): ArrayBuffer {
  const n = headers.names.length;
  const names = new Array<ArrayBuffer>(n);
  const values = new Array<ArrayBuffer>(n);
  let size = 4 + n * 8;
  for (let i = 0; i < n; i++) {
    names[i] = byteStringToBuffer(headers.names[i]);
    values[i] = byteStringToBuffer(headers.values[i]);
    size += names[i].byteLength + values[i].byteLength + 2;
  }
  const out = new ArrayBuffer(size);
  const base = changetype<usize>(out);
  store<u32>(base, n);
  let data = <usize>(4 + n * 8);
  for (let i = 0; i < n; i++) {
    const name = names[i];
    const value = values[i];
    store<u32>(base + 4 + <usize>i * 8, name.byteLength);
    store<u32>(base + 8 + <usize>i * 8, value.byteLength);
    memory.copy(base + data, changetype<usize>(name), name.byteLength);
    data += <usize>name.byteLength + 1; // the NUL is already there: a new ArrayBuffer is zeroed
    memory.copy(base + data, changetype<usize>(value), value.byteLength);
    data += <usize>value.byteLength + 1;
  }
  return out;
}

/** Asks the host to answer the stream itself (no gRPC status); `details` is Envoy's response code details. */
export function sendLocalResponse(status: u32, details: string, body: string, headers: HeaderMap): u32 {
  const d = byteStringToBuffer(details);
  const b = byteStringToBuffer(body);
  const pairs = encodePairs(headers);
  return imports.proxy_send_local_response(status, changetype<usize>(d), d.byteLength, changetype<usize>(b), b.byteLength,
    changetype<usize>(pairs), pairs.byteLength, <u32>-1);
}

/** Bytes [start, start+length) of a buffer; empty when the buffer does not exist now. */
export function getBuffer(type: BufferType, start: u32, length: u32): ArrayBuffer {
  clearReturned();
  if (imports.proxy_get_buffer_bytes(type, start, length, retPtr, retLen) != Status.Ok) return new ArrayBuffer(0);
  return takeReturned();
}

/** Replaces the first `length` bytes of a buffer with `value` (Envoy accepts only start 0 or append). */
export function setBuffer(type: BufferType, length: u32, value: Uint8Array): u32 {
  return imports.proxy_set_buffer_bytes(type, 0, length, value.dataStart, <usize>value.length);
}

/** Appends `value` to a buffer of `length` bytes (Envoy appends when start is at or past the end). */
export function appendBuffer(type: BufferType, length: u32, value: Uint8Array): u32 {
  return imports.proxy_set_buffer_bytes(type, length, 0, value.dataStart, <usize>value.length);
}

/** A property by its NUL-separated path, or null when the host has none. */
export function getProperty(path: string): ArrayBuffer | null {
  const p = String.UTF8.encode(path);
  clearReturned();
  if (imports.proxy_get_property(changetype<usize>(p), p.byteLength, retPtr, retLen) != Status.Ok) return null;
  return takeReturned();
}

export function setProperty(path: string, value: string): u32 {
  const p = String.UTF8.encode(path);
  const v = byteStringToBuffer(value);
  return imports.proxy_set_property(changetype<usize>(p), p.byteLength, changetype<usize>(v), v.byteLength);
}

export function defineMetric(type: i32, name: string): u32 {
  const n = String.UTF8.encode(name);
  store<u32>(retU32, 0);
  if (imports.proxy_define_metric(type, changetype<usize>(n), n.byteLength, retU32) != Status.Ok) return 0;
  return load<u32>(retU32);
}

export function incrementMetric(id: u32, delta: i64): void {
  if (id != 0) imports.proxy_increment_metric(id, delta);
}

export function recordMetric(id: u32, value: u64): void {
  if (id != 0) imports.proxy_record_metric(id, value);
}

export class SharedRead {
  constructor(public status: u32, public value: ArrayBuffer, public cas: u32) {}
}

export function getSharedData(key: string): SharedRead {
  const k = byteStringToBuffer(key);
  clearReturned();
  store<u32>(retU32, 0);
  const status = imports.proxy_get_shared_data(changetype<usize>(k), k.byteLength, retPtr, retLen, retU32);
  if (status != Status.Ok) return new SharedRead(status, new ArrayBuffer(0), 0);
  return new SharedRead(status, takeReturned(), load<u32>(retU32));
}

export function setSharedData(key: string, value: ArrayBuffer, cas: u32): u32 {
  const k = byteStringToBuffer(key);
  return imports.proxy_set_shared_data(changetype<usize>(k), k.byteLength, changetype<usize>(value), value.byteLength, cas);
}

export function setTickPeriod(millis: u32): void {
  imports.proxy_set_tick_period_milliseconds(millis);
}

/** proxy_http_call; the token, or 0 when the host refused the call (unknown cluster, bad headers). */
export function httpCall(cluster: string, headers: HeaderMap, body: Uint8Array, timeoutMillis: u32): u32 {
  const c = byteStringToBuffer(cluster);
  const h = encodePairs(headers);
  const t = encodePairs(new HeaderMap());
  store<u32>(retU32, 0);
  const status = imports.proxy_http_call(changetype<usize>(c), c.byteLength, changetype<usize>(h), h.byteLength,
    body.dataStart, <usize>body.length, changetype<usize>(t), t.byteLength, timeoutMillis, retU32);
  return status == Status.Ok ? load<u32>(retU32) : 0;
}

/** One header of a map as a byte string, null when absent. */
export function getHeader(map: MapType, name: string): string | null {
  const n = byteStringToBuffer(name);
  clearReturned();
  if (imports.proxy_get_header_map_value(map, changetype<usize>(n), n.byteLength, retPtr, retLen) != Status.Ok) return null;
  return byteStringFromBuffer(takeReturned());
}

export function setEffectiveContext(id: u32): u32 {
  return imports.proxy_set_effective_context(id);
}

export function continueStream(type: StreamType): u32 {
  return imports.proxy_continue_stream(type);
}

