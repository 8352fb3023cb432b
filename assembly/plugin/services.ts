// Services (assembly/core/services.ts) implemented with host calls.
import { clock_time_get, random_get } from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";
import { LogLevel, Services, SharedEntry, SharedWrite } from "../core/services";
import { byteStringFromBuffer } from "../core/bytes";
import { HeaderMap } from "../core/headers";
import * as host from "./host";

const timeSlot = memory.data(8);

// random_get is a host call; one call fills a pool that serves many small requests (a usertrack id
// needs 4 bytes, a session key 16).
const POOL_SIZE = 256;
const pool = new Uint8Array(POOL_SIZE);
let poolUsed = POOL_SIZE;

function drawRandom(out: Uint8Array): void {
  let filled = 0;
  while (filled < out.length) {
    if (poolUsed == POOL_SIZE) {
      if (random_get(pool.dataStart, POOL_SIZE) != 0) {
        // No CSPRNG: fail safe by refusing to hand out predictable bytes silently.
        host.log(LogLevel.Critical, "clicktrail: random_get failed; ids cannot be generated safely");
      }
      poolUsed = 0;
    }
    const take = min(out.length - filled, POOL_SIZE - poolUsed);
    memory.copy(out.dataStart + <usize>filled, pool.dataStart + <usize>poolUsed, <usize>take);
    // Bytes handed out are wiped from the pool so they cannot be handed out twice.
    memory.fill(pool.dataStart + <usize>poolUsed, 0, <usize>take);
    poolUsed += take;
    filled += take;
  }
}

let workerNumber: u32 = 0;

/** A number for this VM, drawn once: Envoy does not tell a filter which worker thread runs it. */
function vmNumber(): u32 {
  if (workerNumber == 0) {
    const b = new Uint8Array(2);
    drawRandom(b);
    workerNumber = ((<u32>b[0] << 8) | <u32>b[1]) | 1;
  }
  return workerNumber;
}

/** Callouts in flight: token → the stream context that made it (exports.ts routes answers by it). */
export const calloutOwners = new Map<u32, u32>();

export class HostServices extends Services {
  /** The stream context these services act for (0: the plugin's own). */
  contextId: u32 = 0;
  /** The token of the last callout started (a stream has at most one in flight). */
  lastCallout: u32 = 0;
  private connection: u64 = 0;
  private connectionRead: bool = false;
  private source: string | null = null;
  private local: string | null = null;

  constructor(public minLogLevel: LogLevel) { super(); }

  nowMicros(): i64 {
    if (clock_time_get(0, 1000, timeSlot) != 0) return 0;
    return <i64>(load<u64>(timeSlot) / 1000);
  }

  fillRandom(out: Uint8Array): void { drawRandom(out); }

  log(level: LogLevel, message: string): void {
    if (level >= this.minLogLevel) host.log(level, message);
  }

  logs(level: LogLevel): bool { return level >= this.minLogLevel; }

  defineCounter(name: string): u32 { return host.defineMetric(0, name); }
  defineGauge(name: string): u32 { return host.defineMetric(1, name); }
  count(metric: u32, delta: i64): void { host.incrementMetric(metric, delta); }
  setGauge(metric: u32, value: i64): void { host.recordMetric(metric, <u64>value); }

  setFilterState(name: string, value: string): void { host.setProperty(name, value); }

  sharedGet(key: string): SharedEntry | null {
    const r = host.getSharedData(key);
    if (r.status != host.Status.Ok) return null;
    return new SharedEntry(r.value, r.cas);
  }

  sharedSet(key: string, value: ArrayBuffer, cas: u32): SharedWrite {
    const status = host.setSharedData(key, value, cas);
    if (status == host.Status.Ok) return SharedWrite.Ok;
    if (status == host.Status.CasMismatch) return SharedWrite.CasMismatch;
    return SharedWrite.Failed;
  }

  connectionId(): u64 {
    if (!this.connectionRead) {
      this.connectionRead = true;
      const v = host.getProperty("connection\0id");
      if (v != null) this.connection = decodeUintProperty(v);
    }
    return this.connection;
  }

  sourceAddress(): string {
    let s = this.source;
    if (s == null) this.source = s = addressProperty("source\0address");
    return s;
  }

  localAddress(): string {
    let s = this.local;
    if (s == null) this.local = s = addressProperty("destination\0address");
    return s;
  }

  workerId(): u32 { return vmNumber(); }

  pluginName(): string | null {
    const v = host.getProperty("plugin_name");
    return v == null ? null : byteStringFromBuffer(v);
  }

  httpCall(cluster: string, method: string, path: string, body: Uint8Array, timeoutMillis: u32): u32 {
    const headers = new HeaderMap();
    headers.add(":method", method);
    headers.add(":path", path);
    headers.add(":authority", cluster);
    headers.add("content-type", "application/json");
    const token = host.httpCall(cluster, headers, body, timeoutMillis);
    if (token != 0) calloutOwners.set(token, this.contextId);
    this.lastCallout = token;
    return token;
  }
}

let pauseKnown: bool = false;
let pauseHonoured: bool = false;

/**
 * Whether the host keeps a response body buffered when the filter pauses again in a call that handed it
 * buffered data. Envoy does; ngx_wasm_module ignores such a pause and passes the body on (its log: "buffers
 * full or end of body reached: second pause ignored"). Told apart by how the host encodes an integer
 * property (see decodeUintProperty): 8 bytes little-endian is Envoy's; anything else counts as "no".
 */
export function hostHonoursRepeatedBodyPause(): bool {
  if (!pauseKnown) {
    pauseKnown = true;
    const v = host.getProperty("connection\0id");
    pauseHonoured = v != null && isBinaryInteger(v);
  }
  return pauseHonoured;
}

/** An address property without its port, "" when the host has none. */
function addressProperty(path: string): string {
  const v = host.getProperty(path);
  return v == null ? "" : stripPort(byteStringFromBuffer(v));
}

/**
 * Envoy encodes integer properties as 8 bytes little-endian; ngx_wasm_module returns decimal text. Eight
 * ASCII digits read as binary would be an id above 0x3030303030303030, which no connection counter reaches.
 */
export function decodeUintProperty(v: ArrayBuffer): u64 {
  const p = changetype<usize>(v);
  const n = v.byteLength;
  const digits = allDigits(v);
  if (n == 8 && !digits) return load<u64>(p);
  if (!digits || n > 19) return 0;
  let x: u64 = 0;
  for (let i = 0; i < n; i++) x = x * 10 + <u64>(load<u8>(p + <usize>i) - 0x30);
  return x;
}

/** An integer property in Envoy's encoding (8 bytes little-endian, see decodeUintProperty). */
function isBinaryInteger(v: ArrayBuffer): bool {
  return v.byteLength == 8 && !allDigits(v);
}

/** True when `v` is one or more ASCII digits. */
function allDigits(v: ArrayBuffer): bool {
  const p = changetype<usize>(v);
  const n = v.byteLength;
  for (let i = 0; i < n; i++) {
    const b = load<u8>(p + <usize>i);
    if (b < 0x30 || b > 0x39) return false;
  }
  return n > 0;
}

/** "1.2.3.4:80" → "1.2.3.4"; "[::1]:80" → "::1"; an address without a port is returned as it is. */
export function stripPort(address: string): string {
  if (address.startsWith("[")) {
    const close = address.indexOf("]");
    return close > 0 ? address.substring(1, close) : address;
  }
  const colon = address.indexOf(":");
  if (colon >= 0 && address.indexOf(":", colon + 1) < 0) return address.substring(0, colon);
  return address;
}
