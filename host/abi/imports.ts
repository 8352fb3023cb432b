// The env.* import object: decodes guest pointers into Buffers, calls the host model, and returns values
// the way cpp-host does (src/exports.cc): every value goes into a FRESH guest block from the module's own
// allocator, sized exactly, and its address and length are written as two little-endian u32s. An empty
// value writes (0, 0) and does not call the allocator. Any bad (pointer, length) is INVALID_MEMORY_ACCESS.
import { BUFFER_TYPE_MAX, MAP_TYPE_MAX, STREAM_TYPE_MAX, WasmResult } from "./constants.js";
import type { ProxyHostApi } from "./api.js";
import type { GuestMemory } from "./memory.js";
import { decodePairs, encodePairs } from "./pairs.js";

export interface GuestAccess {
  memory(): GuestMemory;
  /** Calls the module's allocator; 0 when it fails or returns a block outside memory. */
  allocate(size: number): number;
}

const BAD = WasmResult.BadArgument;
const OOB = WasmResult.InvalidMemoryAccess;
const OK = WasmResult.Ok;

export function proxyFunctions(host: ProxyHostApi, guest: GuestAccess): Record<string, (...args: any[]) => any> {
  const mem = () => guest.memory();
  const read = (ptr: number, len: number) => mem().read(ptr, len);
  const str = (b: Buffer) => b.toString("latin1");

  /** cpp-host copyToPointerSize. */
  const give = (value: Uint8Array, ptrPtr: number, sizePtr: number): number => {
    let ptr = 0;
    if (value.length > 0) {
      ptr = guest.allocate(value.length);
      if (ptr === 0 || !mem().write(ptr, value)) return OOB;
    }
    if (!mem().setU32(ptrPtr, ptr)) return OOB;
    if (!mem().setU32(sizePtr, value.length)) return OOB;
    return OK;
  };

  return {
    proxy_log(level: number, ptr: number, len: number): number {
      const msg = read(ptr, len);
      if (!msg) return OOB;
      return host.log(level >>> 0, msg.toString("utf8"));
    },
    proxy_get_log_level(retPtr: number): number {
      return mem().setU32(retPtr, host.getLogLevel()) ? OK : OOB;
    },
    proxy_get_current_time_nanoseconds(retPtr: number): number {
      return mem().setU64(retPtr, host.realtimeNanos()) ? OK : OOB;
    },
    proxy_get_status(codePtr: number, msgPtrPtr: number, msgSizePtr: number): number {
      const s = host.getStatus();
      if (!mem().setU32(codePtr, s.code)) return OOB;
      return give(s.message, msgPtrPtr, msgSizePtr);
    },
    proxy_get_configuration(ptrPtr: number, sizePtr: number): number {
      return give(host.getConfiguration(), ptrPtr, sizePtr);
    },
    proxy_set_property(kp: number, ks: number, vp: number, vs: number): number {
      const k = read(kp, ks);
      const v = read(vp, vs);
      if (!k || !v) return OOB;
      return host.setProperty(k, v);
    },
    proxy_get_property(pp: number, ps: number, retPtr: number, retSize: number): number {
      const path = read(pp, ps);
      if (!path) return OOB;
      const r = host.getProperty(path);
      if (r.status !== OK) return r.status;
      return give(r.value ?? Buffer.alloc(0), retPtr, retSize);
    },
    proxy_continue_request: () => host.continueStream(0),
    proxy_continue_response: () => host.continueStream(1),
    proxy_continue_stream(type: number): number {
      if (type >>> 0 > STREAM_TYPE_MAX) return BAD;
      return host.continueStream(type);
    },
    proxy_close_stream(type: number): number {
      if (type >>> 0 > STREAM_TYPE_MAX) return BAD;
      return host.closeStream(type);
    },
    proxy_send_local_response(
      code: number, dp: number, ds: number, bp: number, bs: number, hp: number, hs: number, grpc: number,
    ): number {
      const details = read(dp, ds);
      const body = read(bp, bs);
      const headers = read(hp, hs);
      if (!details || !body || !headers) return OOB;
      return host.sendLocalResponse(code >>> 0, details, body, decodePairs(headers), grpc | 0);
    },
    proxy_clear_route_cache: () => host.clearRouteCache(),
    proxy_get_shared_data(kp: number, ks: number, vpp: number, vsp: number, casPtr: number): number {
      const k = read(kp, ks);
      if (!k) return OOB;
      const r = host.getSharedData(k);
      if (r.status !== OK || !r.value) return r.status;
      const st = give(r.value.value, vpp, vsp);
      if (st !== OK) return st;
      return mem().setU32(casPtr, r.value.cas) ? OK : OOB;
    },
    proxy_set_shared_data(kp: number, ks: number, vp: number, vs: number, cas: number): number {
      const k = read(kp, ks);
      const v = read(vp, vs);
      if (!k || !v) return OOB;
      return host.setSharedData(k, v, cas >>> 0);
    },
    proxy_register_shared_queue(np: number, ns: number, tokenPtr: number): number {
      const n = read(np, ns);
      if (!n) return OOB;
      const r = host.registerSharedQueue(n);
      if (r.status !== OK) return r.status;
      return mem().setU32(tokenPtr, r.value ?? 0) ? OK : OOB;
    },
    proxy_resolve_shared_queue(vp: number, vs: number, np: number, ns: number, tokenPtr: number): number {
      const vm = read(vp, vs);
      const n = read(np, ns);
      if (!vm || !n) return OOB;
      const r = host.resolveSharedQueue(vm, n);
      if (r.status !== OK) return r.status;
      return mem().setU32(tokenPtr, r.value ?? 0) ? OK : OOB;
    },
    proxy_dequeue_shared_queue(token: number, ptrPtr: number, sizePtr: number): number {
      const r = host.dequeueSharedQueue(token >>> 0);
      if (r.status !== OK) return r.status;
      return give(r.value ?? Buffer.alloc(0), ptrPtr, sizePtr);
    },
    proxy_enqueue_shared_queue(token: number, vp: number, vs: number): number {
      const v = read(vp, vs);
      if (!v) return OOB;
      return host.enqueueSharedQueue(token >>> 0, v);
    },
    proxy_get_header_map_value(type: number, kp: number, ks: number, vpp: number, vsp: number): number {
      if (type >>> 0 > MAP_TYPE_MAX) return BAD;
      const k = read(kp, ks);
      if (!k) return OOB;
      const r = host.getHeaderMapValue(type, str(k));
      if (r.status !== OK) return r.status;
      return give(Buffer.from(r.value ?? "", "latin1"), vpp, vsp);
    },
    proxy_add_header_map_value(type: number, kp: number, ks: number, vp: number, vs: number): number {
      if (type >>> 0 > MAP_TYPE_MAX) return BAD;
      const k = read(kp, ks);
      const v = read(vp, vs);
      if (!k || !v) return OOB;
      return host.addHeaderMapValue(type, str(k), str(v));
    },
    proxy_replace_header_map_value(type: number, kp: number, ks: number, vp: number, vs: number): number {
      if (type >>> 0 > MAP_TYPE_MAX) return BAD;
      const k = read(kp, ks);
      const v = read(vp, vs);
      if (!k || !v) return OOB;
      return host.replaceHeaderMapValue(type, str(k), str(v));
    },
    proxy_remove_header_map_value(type: number, kp: number, ks: number): number {
      if (type >>> 0 > MAP_TYPE_MAX) return BAD;
      const k = read(kp, ks);
      if (!k) return OOB;
      return host.removeHeaderMapValue(type, str(k));
    },
    proxy_get_header_map_pairs(type: number, ptrPtr: number, sizePtr: number): number {
      if (type >>> 0 > MAP_TYPE_MAX) return BAD;
      const pairs = host.getHeaderMapPairs(type);
      return give(pairs.length ? encodePairs(pairs) : Buffer.alloc(0), ptrPtr, sizePtr);
    },
    proxy_set_header_map_pairs(type: number, ptr: number, size: number): number {
      if (type >>> 0 > MAP_TYPE_MAX) return BAD;
      const data = read(ptr, size);
      if (!data) return OOB;
      return host.setHeaderMapPairs(type, decodePairs(data));
    },
    proxy_get_header_map_size(type: number, retPtr: number): number {
      if (type >>> 0 > MAP_TYPE_MAX) return BAD;
      const r = host.getHeaderMapSize(type);
      if (r.status !== OK) return r.status;
      return mem().setU32(retPtr, r.value ?? 0) ? OK : OOB;
    },
    proxy_get_buffer_bytes(type: number, start: number, length: number, ptrPtr: number, sizePtr: number): number {
      if (type >>> 0 > BUFFER_TYPE_MAX) return BAD;
      const buf = host.getBuffer(type);
      if (!buf) return WasmResult.NotFound;
      start >>>= 0;
      length >>>= 0;
      // Arguments are u32 widened to u64 in cpp-host, so its overflow check never fires; reads past the
      // end are clamped and an empty result is (0, 0) without an allocation.
      if (start > buf.length) length = 0;
      else if (start + length > buf.length) length = buf.length - start;
      return give(buf.subarray(start, start + length), ptrPtr, sizePtr);
    },
    proxy_get_buffer_status(type: number, lenPtr: number, flagsPtr: number): number {
      if (type >>> 0 > BUFFER_TYPE_MAX) return BAD;
      const buf = host.getBuffer(type);
      if (!buf) return WasmResult.NotFound;
      if (!mem().setU32(lenPtr, buf.length)) return OOB;
      return mem().setU32(flagsPtr, 0) ? OK : OOB;
    },
    proxy_set_buffer_bytes(type: number, start: number, length: number, dp: number, ds: number): number {
      if (type >>> 0 > BUFFER_TYPE_MAX) return BAD;
      if (!host.getBuffer(type)) return WasmResult.NotFound;
      const data = read(dp, ds);
      if (!data) return OOB;
      return host.setBufferBytes(type, start >>> 0, length >>> 0, data);
    },
    proxy_http_call(
      up: number, us: number, hp: number, hs: number, bp: number, bs: number, tp: number, ts: number,
      timeout: number, tokenPtr: number,
    ): number {
      const upstream = read(up, us);
      const headers = read(hp, hs);
      const body = read(bp, bs);
      const trailers = read(tp, ts);
      if (!upstream || !headers || !body || !trailers) return OOB;
      // cpp-host writes a zero token first to prove the pointer before starting anything.
      if (!mem().setU32(tokenPtr, 0)) return OOB;
      const r = host.httpCall(str(upstream), decodePairs(headers), body, decodePairs(trailers), timeout | 0);
      mem().setU32(tokenPtr, r.value ?? 0);
      return r.status;
    },
    proxy_grpc_call(sp: number, ss: number, ...rest: number[]): number {
      const service = read(sp, ss);
      if (!service) return OOB;
      const r = host.grpcCall(service);
      if (r.status !== OK) return r.status;
      return mem().setU32(rest[rest.length - 1], r.value ?? 0) ? OK : OOB;
    },
    proxy_grpc_stream(sp: number, ss: number, ...rest: number[]): number {
      const service = read(sp, ss);
      if (!service) return OOB;
      const r = host.grpcStream(service);
      if (r.status !== OK) return r.status;
      return mem().setU32(rest[rest.length - 1], r.value ?? 0) ? OK : OOB;
    },
    proxy_grpc_cancel: (token: number) => host.grpcCancel(token >>> 0),
    proxy_grpc_close: (token: number) => host.grpcClose(token >>> 0),
    proxy_grpc_send(token: number, mp: number, ms: number, eos: number): number {
      const m = read(mp, ms);
      if (!m) return OOB;
      return host.grpcSend(token >>> 0, m, eos !== 0);
    },
    proxy_set_tick_period_milliseconds: (ms: number) => host.setTickPeriod(ms >>> 0),
    proxy_define_metric(type: number, np: number, ns: number, idPtr: number): number {
      const n = read(np, ns);
      if (!n) return OOB;
      const r = host.defineMetric(type >>> 0, n.toString("utf8"));
      if (r.status !== OK) return r.status;
      return mem().setU32(idPtr, r.value ?? 0) ? OK : OOB;
    },
    proxy_increment_metric: (id: number, delta: bigint) => host.incrementMetric(id >>> 0, BigInt.asIntN(64, delta)),
    proxy_record_metric: (id: number, value: bigint) => host.recordMetric(id >>> 0, BigInt.asUintN(64, value)),
    proxy_get_metric(id: number, retPtr: number): number {
      const r = host.getMetric(id >>> 0);
      if (r.status !== OK) return r.status;
      return mem().setU64(retPtr, r.value ?? 0n) ? OK : OOB;
    },
    proxy_set_effective_context: (id: number) => host.setEffectiveContext(id >>> 0),
    proxy_done: () => host.done(),
    proxy_call_foreign_function(np: number, ns: number, ap: number, as: number, rpp: number, rsp: number): number {
      const n = read(np, ns);
      const a = read(ap, as);
      if (!n || !a) return OOB;
      const r = host.callForeignFunction(n.toString("utf8"), a);
      if (r.status !== OK) return r.status;
      return give(r.value ?? Buffer.alloc(0), rpp, rsp);
    },
    pthread_equal: (a: number, b: number) => (a === b ? 1 : 0),
    emscripten_notify_memory_growth: () => {},
  };
}
