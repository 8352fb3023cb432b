// Thin, non-trapping wrappers over the proxy-wasm host calls the filter makes. The SDK's own wrappers
// (runtime.ts) throw on unexpected statuses and build debug strings on every call; these return status
// values instead, because an abort here would take the worker's VM down with it.
import * as imports from "@gcoredev/proxy-wasm-sdk-as/assembly/imports";
import { adopt } from "./memory";
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
  return adopt(ptr);
}

function clearReturned(): void {
  store<u32>(retPtr, 0);
  store<u32>(retLen, 0);
}

// Names and values on their way to the host are written into this buffer, reused by every call (a host
// call copies what it is given before it returns), instead of a new ArrayBuffer per string: a steady-state
// request makes a dozen such calls. It grows to the largest name + value seen and stays there.
let scratch = new ArrayBuffer(1024);

/** Makes the scratch buffer at least `n` bytes; its start address (which may have moved). */
function scratchFor(n: i32): usize {
  if (scratch.byteLength < n) scratch = new ArrayBuffer(max(n, scratch.byteLength << 1));
  return changetype<usize>(scratch);
}

/** Writes byte string `s` at `at` in the scratch buffer (see byteStringToBuffer for code units > 0xFF). */
function putByteString(s: string, at: usize): void {
  const src = changetype<usize>(s);
  const n = s.length;
  // Four code units at a time (the low byte of each), then the rest: every header of a whole-map write.
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = load<u64>(src + (<usize>i << 1));
    store<u32>(at + <usize>i, <u32>((x & 0xff) | ((x >> 8) & 0xff00) | ((x >> 16) & 0xff0000) | ((x >> 24) & 0xff000000)));
  }
  for (; i < n; i++) store<u8>(at + <usize>i, <u8>load<u16>(src + (<usize>i << 1)));
}

/** Whether every code unit of `s` is below `limit` (at most 0x100). */
function allBelow(s: string, limit: u32): bool {
  const src = changetype<usize>(s);
  const n = s.length;
  let i = 0;
  if (limit == 0x100) {
    // Four code units at a time: is any high byte set?
    for (; i + 4 <= n; i += 4) if (load<u64>(src + (<usize>i << 1)) & 0xff00ff00ff00ff00) return false;
  }
  for (; i < n; i++) if (<u32>load<u16>(src + (<usize>i << 1)) >= limit) return false;
  return true;
}

/** Whether every code unit of `s` is a byte, so that putByteString writes it exactly. */
function isByteString(s: string): bool { return allBelow(s, 0x100); }

export function log(level: i32, message: string): void {
  const bytes = String.UTF8.encode(message);
  imports.proxy_log(<usize>level, changetype<usize>(bytes), bytes.byteLength);
}

/** A HeaderMap read from the host; `whole` when it holds every pair the host sent. */
export class HostHeaderMap extends HeaderMap {
  whole: bool = false;
  constructor(capacity: i32) { super(capacity); }
}

/** Room for the pairs the features add to a map they were handed (a steady-state request gains seven). */
const ROOM_FOR_ADDITIONS = 8;

// A map whose callback is over, kept for the next read instead of four new objects (the map and its three
// arrays) per callback. Taken while in use, so a callback that runs inside another (a local reply's response
// headers inside the request callback that sent it) gets a map of its own.
let spareMap: HostHeaderMap | null = null;

/** Reads a whole header map into a HeaderMap (names and values as byte strings). */
export function readHeaderMap(map: MapType): HostHeaderMap {
  clearReturned();
  const status = imports.proxy_get_header_map_pairs(map, retPtr, retLen);
  const buf = status == Status.Ok ? takeReturned() : new ArrayBuffer(0);
  const base = changetype<usize>(buf);
  const pairs = buf.byteLength >= 4 ? min(load<u32>(base), <u32>WHOLE_MAP_MAX_PAIRS) : 0;
  let out = spareMap;
  if (out != null) {
    spareMap = null;
    out.clear();
    out.whole = false;
  } else {
    out = new HostHeaderMap(<i32>pairs + ROOM_FOR_ADDITIONS);
  }
  if (status == Status.Ok) out.whole = decodePairs(base, buf.byteLength, out);
  return out;
}

/** Hands back a map from readHeaderMap once its callback is over and nothing keeps it (see spareMap). */
export function releaseHeaderMap(headers: HostHeaderMap): void {
  spareMap = headers;
}

/**
 * Decodes the proxy-wasm pairs format (u32 count, count × (u32 name length, u32 value length), then each
 * name and value followed by a NUL). A malformed block yields the pairs read so far, never a trap; the
 * result tells whether every pair was read.
 */
export function decodePairs(base: usize, size: i32, out: HeaderMap): bool {
  if (size < 4) return size == 0;
  const count = load<u32>(base);
  const table = <u64>4 + <u64>count * 8;
  if (table > <u64>size) return false;
  let data = <usize>table;
  for (let i: u32 = 0; i < count; i++) {
    const nameLen = <usize>load<u32>(base + 4 + <usize>i * 8);
    const valueLen = <usize>load<u32>(base + 8 + <usize>i * 8);
    if (<u64>data + <u64>nameLen + <u64>valueLen + 2 > <u64>size) return false;
    const name = headerName(base + data, <i32>nameLen);
    data += nameLen + 1;
    const value = byteStringFromMemory(base + data, <i32>valueLen);
    data += valueLen + 1;
    out.load(name, value);
  }
  return true;
}

// The header names a proxy hands over on nearly every request or response: decodePairs returns these
// strings instead of a new one per pair (a dozen allocations per phase fewer; the features' own literals
// of the same names are the same static strings, so comparisons stop at the pointer).
const COMMON_NAMES: string[] = [
  ":authority", ":path", ":method", ":scheme", ":status", "user-agent", "accept", "accept-encoding",
  "accept-language", "cookie", "referer", "host", "x-forwarded-proto", "x-forwarded-for", "x-request-id",
  "x-envoy-expected-rq-timeout-ms", "content-type", "content-length", "content-encoding", "date", "server",
  "x-envoy-upstream-service-time", "cache-control", "set-cookie", "location", "refresh", "connection",
  "transfer-encoding", "etag", "last-modified", "vary", "upgrade-insecure-requests", "sec-fetch-site",
  "sec-fetch-mode", "sec-fetch-dest", "sec-fetch-user", "if-none-match", "if-modified-since", "origin",
];

/** The name at `ptr..ptr+len` as a byte string: one of COMMON_NAMES when it is one. */
function headerName(ptr: usize, len: i32): string {
  for (let i = 0, n = COMMON_NAMES.length; i < n; i++) {
    const c = unchecked(COMMON_NAMES[i]);
    if (c.length != len) continue;
    const cp = changetype<usize>(c);
    let j = 0;
    while (j < len && <u32>load<u8>(ptr + <usize>j) == <u32>load<u16>(cp + (<usize>j << 1))) j++;
    if (j == len) return c;
  }
  return byteStringFromMemory(ptr, len);
}

/**
 * From this many edits on, the whole map is written back with one proxy_set_header_map_pairs instead of
 * one host call per edit (a steady-state request makes nine edits to the request headers).
 */
const WHOLE_MAP_FROM_EDITS = 3;
// proxy-wasm-cpp-host empties the map, silently, when a pairs block is over 1 MiB or 1024 pairs
// (src/pairs_util.cc, include/proxy-wasm/limits.h): larger maps are edited one call at a time. These
// bounds stay well inside those limits.
const WHOLE_MAP_MAX_BYTES = 65536;
const WHOLE_MAP_MAX_PAIRS = 256;

/**
 * Writes the features' edits back to the host's map: the whole map in one call when there are many (and
 * the map was read whole), else each edit in order.
 */
export function applyHeaderEdits(map: MapType, headers: HostHeaderMap): void {
  const count = headers.editCount;
  if (count >= WHOLE_MAP_FROM_EDITS && headers.whole && setWholeMap(map, headers)) {
    headers.clearEdits();
    return;
  }
  const kinds = headers.editKinds, names = headers.editNames, values = headers.editValues;
  for (let i = 0; i < count; i++) {
    let name = unchecked(names[i]), value = unchecked(values[i]);
    if (!isByteString(name) || !isByteString(value)) {
      // Text mixed in from a UTF-16 literal: written as UTF-8 by byteStringToBuffer, as before.
      name = byteStringFromBuffer(byteStringToBuffer(name));
      value = byteStringFromBuffer(byteStringToBuffer(value));
    }
    const nameLen = name.length, valueLen = value.length;
    const base = scratchFor(nameLen + valueLen);
    putByteString(name, base);
    putByteString(value, base + <usize>nameLen);
    const kind = unchecked(kinds[i]);
    if (kind == HeaderEditKind.Remove) {
      imports.proxy_remove_header_map_value(map, base, nameLen);
    } else if (kind == HeaderEditKind.Add) {
      imports.proxy_add_header_map_value(map, base, nameLen, base + <usize>nameLen, valueLen);
    } else {
      imports.proxy_replace_header_map_value(map, base, nameLen, base + <usize>nameLen, valueLen);
    }
  }
  headers.clearEdits();
}

/**
 * The size of `headers` in the pairs format (see decodePairs), or -1 when a name or value holds a code
 * unit above 0xFF (putByteString could not write it exactly), it has more than `maxPairs` pairs or the
 * size would pass `maxBytes`.
 */
function pairsSize(headers: HeaderMap, maxPairs: i32, maxBytes: i32): i32 {
  const names = headers.names, values = headers.values;
  const n = names.length;
  if (n > maxPairs) return -1;
  let size = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    const name = unchecked(names[i]), value = unchecked(values[i]);
    if (!isByteString(name) || !isByteString(value)) return -1;
    size += name.length + value.length + 2;
    if (size > maxBytes) return -1;
  }
  return size;
}

/**
 * Writes `headers` in the pairs format at `base` (pairsSize bytes). Pseudo-headers go first, in their
 * order, as Envoy keeps them.
 */
function writePairs(headers: HeaderMap, base: usize): void {
  const names = headers.names, values = headers.values;
  const n = names.length;
  store<u32>(base, <u32>n);
  let entry = base + 4;
  let data = base + 4 + 8 * <usize>n;
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < n; i++) {
      const name = unchecked(names[i]), value = unchecked(values[i]);
      const pseudo = name.length > 0 && name.charCodeAt(0) == 0x3a;
      if (pseudo != (pass == 0)) continue;
      store<u32>(entry, <u32>name.length);
      store<u32>(entry + 4, <u32>value.length);
      entry += 8;
      putByteString(name, data);
      data += <usize>name.length;
      store<u8>(data++, 0);
      putByteString(value, data);
      data += <usize>value.length;
      store<u8>(data++, 0);
    }
  }
}

/**
 * The map as it now stands in one proxy_set_header_map_pairs (Envoy: every entry removed, then each pair
 * added in order): the result is the map the edits one by one would leave (each replace removes the name
 * and appends it, pseudo-headers at the end of the pseudo-headers). False, with nothing sent, when a value
 * holds a code unit above 0xFF or the map is over WHOLE_MAP_MAX_BYTES or WHOLE_MAP_MAX_PAIRS.
 */
function setWholeMap(map: MapType, headers: HeaderMap): bool {
  const size = pairsSize(headers, WHOLE_MAP_MAX_PAIRS, WHOLE_MAP_MAX_BYTES);
  if (size < 0) return false;
  const base = scratchFor(size);
  writePairs(headers, base);
  return imports.proxy_set_header_map_pairs(map, base, <usize>size) == Status.Ok;
}

/**
 * A header map of our own making (a local reply's, a callout's) in the pairs format. Code units above
 * 0xFF (text from a UTF-16 literal, never bytes from the wire) are written as UTF-8, as byteStringToBuffer does.
 */
export function encodePairs(headers: HeaderMap): ArrayBuffer {
  let size = pairsSize(headers, i32.MAX_VALUE, i32.MAX_VALUE);
  if (size < 0) {
    const bytes = new HeaderMap();
    for (let i = 0; i < headers.names.length; i++) {
      bytes.add(byteStringFromBuffer(byteStringToBuffer(headers.names[i])), byteStringFromBuffer(byteStringToBuffer(headers.values[i])));
    }
    headers = bytes;
    size = pairsSize(headers, i32.MAX_VALUE, i32.MAX_VALUE);
  }
  const out = new ArrayBuffer(size);
  writePairs(headers, changetype<usize>(out));
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

/** Sets a property; `path` is ASCII (the filter's own filter-state names), `value` a byte string. */
export function setProperty(path: string, value: string): u32 {
  if (!allBelow(path, 0x80) || !isByteString(value)) {
    const p = String.UTF8.encode(path);
    const v = byteStringToBuffer(value);
    return imports.proxy_set_property(changetype<usize>(p), p.byteLength, changetype<usize>(v), v.byteLength);
  }
  const pathLen = path.length, valueLen = value.length;
  const base = scratchFor(pathLen + valueLen);
  putByteString(path, base);
  putByteString(value, base + <usize>pathLen);
  return imports.proxy_set_property(base, pathLen, base + <usize>pathLen, valueLen);
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

