// One worker VM: a separate WebAssembly instance with its own linear memory and exactly one root context,
// as Envoy clones the plugin's VM to every worker thread. It implements the host side of every proxy_*
// call with the semantics of proxy-wasm-cpp-host + Envoy's wasm Context, and is the only place that calls
// into the guest, so it tracks the executing and effective context, runs deferred actions after the guest
// returns (cpp-host addAfterVmCallAction) and turns traps into a failed VM.
import { randomFillSync } from "node:crypto";
import {
  BufferType, LogLevel, MapType, StreamType, WasmResult,
} from "../abi/constants.js";
import type { ProxyHostApi, Status } from "../abi/api.js";
import { AbiInstance } from "../abi/instance.js";
import type { Pair } from "../abi/pairs.js";
import type { ValidatedModule } from "../abi/validate.js";
import { VmMetrics } from "./metrics.js";
import { getProperty, setProperty, type PropertyEnv } from "./properties.js";
import type { HostCore, HttpCallResponse, PendingHttpCall, VmStream } from "./core.js";
import { addHeader, lowerPairs, removeHeader, setHeader, toBuffer } from "./messages.js";

interface ContextEntry {
  id: number;
  stream: VmStream | null;
}

export class WorkerVm implements ProxyHostApi {
  readonly abi: AbiInstance;
  failed = false;
  failure: string | null = null;
  /** A canary VM after configuration: never called again. */
  retired = false;
  rootContextId = 0;
  configured = false;
  private nextContextId = 1;
  readonly contexts = new Map<number, ContextEntry>();
  private current = 0;
  private effective = 0;
  private depth = 0;
  private readonly afterActions: Array<() => void> = [];
  /** cpp-host stopNextIteration: set by send_local_response, read by the status conversion. */
  stopNextIteration = false;
  private pluginConfig: Buffer | null = null;
  private callResponse: { headers: Pair[]; body: Buffer; trailers: Pair[] } | null = null;
  private status = { code: 0, message: Buffer.alloc(0) };
  private nextHttpCallId = 0;
  readonly pendingCalls = new Map<number, PendingHttpCall>();
  readonly metrics: VmMetrics;
  tickPeriodMs = 0;
  nextTickAtMs: number | null = null;
  private pendingDone = false;

  constructor(readonly core: HostCore, readonly worker: number, validated: ValidatedModule) {
    this.metrics = new VmMetrics(core.metricStore);
    this.abi = new AbiInstance(validated, this);
    const record = core.recordHostCall;
    if (record) {
      this.abi.hostCallObserver = (fn, args, result) => record(this.worker, this.ctx()?.id ?? this.current, fn, args, result);
    }
  }

  get abiVersion() {
    return this.abi.abiVersion;
  }

  // ---------------------------------------------------------------- calls into the guest

  /**
   * Runs one callback under `contextId`. Returns the callback's value, or null when it was not called
   * (export missing or VM failed) or trapped (the VM is then failed). Deferred actions run afterwards
   * unless `defer` is set, in which case the caller drains them once it has processed the result.
   */
  call(contextId: number, name: string, args: number[], opts: { defer?: boolean } = {}): number | null {
    if (this.failed || this.retired || !this.abi.has(name)) return null;
    const prevCurrent = this.current;
    const prevEffective = this.effective;
    this.current = contextId;
    this.effective = 0;
    this.depth++;
    this.core.recordCall(this.worker, contextId, name, args);
    let result: number | null;
    try {
      result = this.abi.call(name, ...args);
    } catch (e) {
      this.fail(name, e);
      result = null;
    } finally {
      this.current = prevCurrent;
      this.effective = prevEffective;
      this.depth--;
    }
    if (!opts.defer) this.drainAfterActions();
    return result;
  }

  get executing(): boolean {
    return this.depth > 0;
  }

  addAfterAction(fn: () => void): void {
    this.afterActions.push(fn);
  }

  drainAfterActions(): void {
    if (this.depth > 0) return;
    while (this.afterActions.length) this.afterActions.shift()!();
  }

  fail(where: string, e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const msg = e instanceof Error ? `${e.name === "RuntimeError" ? "Uncaught RuntimeError" : e.name}: ${e.message}` : String(e);
    this.failure = `Function: ${where} failed: ${msg}`;
    this.core.emitLog(this.worker, LogLevel.Critical, this.failure, true);
  }

  // ---------------------------------------------------------------- lifecycle

  /** _initialize (+main) or _start, then on_context_create(root, 0), on_vm_start, on_configure. */
  start(vmConfig: Buffer, pluginConfig: Buffer): boolean {
    try {
      this.abi.start();
    } catch (e) {
      this.fail(this.abi.has("_initialize") ? "_initialize" : "_start", e);
      return false;
    }
    this.rootContextId = this.nextContextId++;
    this.contexts.set(this.rootContextId, { id: this.rootContextId, stream: null });
    this.call(this.rootContextId, "proxy_on_context_create", [this.rootContextId, 0]);
    if (this.failed) return false;
    const started = this.call(this.rootContextId, "proxy_on_vm_start", [this.rootContextId, vmConfig.length]);
    if (this.failed || started === 0) {
      if (started === 0) this.core.emitLog(this.worker, LogLevel.Error, "Wasm VM failed to start (proxy_on_vm_start returned false)", true);
      return false;
    }
    if (this.abi.has("proxy_validate_configuration")) {
      this.pluginConfig = pluginConfig;
      const ok = this.call(this.rootContextId, "proxy_validate_configuration", [this.rootContextId, pluginConfig.length]);
      this.pluginConfig = null;
      if (this.failed || ok === 0) return false;
    }
    this.pluginConfig = pluginConfig;
    const configured = this.call(this.rootContextId, "proxy_on_configure", [this.rootContextId, pluginConfig.length]);
    this.pluginConfig = null;
    // A module without proxy_on_configure accepts any configuration (cpp-host onConfigure returns true).
    this.configured = !this.failed && (configured === null ? !this.abi.has("proxy_on_configure") : configured !== 0);
    if (!this.configured && !this.failed) {
      this.core.emitLog(this.worker, LogLevel.Error, "Wasm VM failed to configure (proxy_on_configure returned false)", true);
    }
    return this.configured;
  }

  newContextId(stream: VmStream): number {
    const id = this.nextContextId++;
    this.contexts.set(id, { id, stream });
    return id;
  }

  releaseContext(id: number): void {
    this.contexts.delete(id);
  }

  tick(): void {
    this.call(this.rootContextId, "proxy_on_tick", [this.rootContextId]);
  }

  /** Plugin shutdown: root on_done, then on_delete unless the module asked to finish later. */
  shutdown(): void {
    const r = this.call(this.rootContextId, "proxy_on_done", [this.rootContextId]);
    if (r === 0) {
      this.pendingDone = true;
      return;
    }
    this.call(this.rootContextId, "proxy_on_delete", [this.rootContextId]);
  }

  // ---------------------------------------------------------------- HTTP callouts

  deliverHttpCallResponse(token: number, response: HttpCallResponse | null): boolean {
    const call = this.pendingCalls.get(token);
    if (!call) return false;
    // Envoy defers a callout response that arrives while the VM is running (Context::onHttpCallSuccess).
    if (this.depth > 0) {
      this.addAfterAction(() => void this.deliverHttpCallResponse(token, response));
      return true;
    }
    this.pendingCalls.delete(token);
    if (this.failed) return true;
    if (response) {
      const body = toBuffer(response.body);
      this.callResponse = { headers: lowerPairs(response.headers), body, trailers: lowerPairs(response.trailers ?? []) };
      // Guess: a successful response leaves the status at OK (Envoy sets BrokenConnection only on failure).
      this.status = { code: WasmResult.Ok, message: Buffer.alloc(0) };
      this.call(this.rootContextId, "proxy_on_http_call_response", [
        this.rootContextId, token, this.callResponse.headers.length, body.length, this.callResponse.trailers.length,
      ], { defer: true });
    } else {
      this.status = { code: WasmResult.BrokenConnection, message: Buffer.from("reset") };
      this.call(this.rootContextId, "proxy_on_http_call_response", [this.rootContextId, token, 0, 0, 0], { defer: true });
    }
    this.callResponse = null;
    this.status.message = Buffer.alloc(0);
    this.drainAfterActions();
    return true;
  }

  // ---------------------------------------------------------------- ProxyHostApi

  private ctx(): ContextEntry | undefined {
    if (this.effective !== 0) {
      const e = this.contexts.get(this.effective);
      if (e) return e;
    }
    return this.contexts.get(this.current);
  }

  private stream(): VmStream | null {
    return this.ctx()?.stream ?? null;
  }

  private propertyEnv(): PropertyEnv {
    const s = this.stream();
    return {
      profile: this.core.profile,
      pluginName: this.core.pluginName,
      rootId: this.core.rootId,
      vmId: this.core.vmId,
      stream: s ? s.facts() : null,
    };
  }

  private nginxUnsupported(fn: string): void {
    // ngx_wasm_module binds unimplemented host functions to a stub that traps with "NYI" [unverified].
    if (this.core.profile === "nginx") throw new Error(`host function ${fn} not yet implemented (NYI) in ngx_wasm_module`);
  }

  log(level: number, message: string): number {
    if (level > LogLevel.Critical) return WasmResult.BadArgument;
    this.core.emitLog(this.worker, level, message, false);
    return WasmResult.Ok;
  }

  getLogLevel(): number {
    this.nginxUnsupported("proxy_get_log_level");
    return this.core.logLevel;
  }

  realtimeNanos(): bigint {
    return this.core.realtimeNanos();
  }

  monotonicNanos(): bigint {
    return this.core.monotonicNanos();
  }

  fillRandom(buf: Uint8Array): void {
    if (this.core.random) this.core.random(buf);
    else randomFillSync(buf);
  }

  getStatus() {
    this.nginxUnsupported("proxy_get_status");
    return this.status;
  }

  getProperty(path: Buffer): Status<Buffer> {
    return getProperty(path, this.propertyEnv());
  }

  setProperty(path: Buffer, value: Buffer): number {
    return setProperty(path, value, this.propertyEnv());
  }

  continueStream(type: number): number {
    const s = this.stream();
    if (type === StreamType.Upstream) return WasmResult.Unimplemented;
    if (type === StreamType.Downstream) return WasmResult.Ok;
    if (s) s.requestContinue(type);
    return WasmResult.Ok;
  }

  closeStream(type: number): number {
    this.nginxUnsupported("proxy_close_stream");
    const s = this.stream();
    if (s && (type === StreamType.Request || type === StreamType.Response)) s.requestClose();
    return WasmResult.Ok;
  }

  sendLocalResponse(code: number, details: Buffer, body: Buffer, headers: Pair[], grpcStatus: number): number {
    const s = this.stream();
    if (s) s.requestLocalReply(code, details.toString("latin1"), body, headers, grpcStatus);
    this.stopNextIteration = true;
    return WasmResult.Ok;
  }

  clearRouteCache(): number {
    return WasmResult.Ok;
  }

  getSharedData(key: Buffer): Status<{ value: Buffer; cas: number }> {
    const e = this.core.sharedStore.get(this.core.vmId, key.toString("latin1"));
    if (!e) return { status: WasmResult.NotFound };
    return { status: WasmResult.Ok, value: { value: e.value, cas: e.cas } };
  }

  setSharedData(key: Buffer, value: Buffer, cas: number): number {
    return this.core.sharedStore.set(this.core.vmId, key.toString("latin1"), value, cas);
  }

  registerSharedQueue(name: Buffer): Status<number> {
    const token = this.core.sharedStore.registerQueue(this.core.vmId, name.toString("latin1"), (t) => {
      // Envoy posts proxy_on_queue_ready to the registering worker's event loop.
      this.core.post(() => void this.call(this.rootContextId, "proxy_on_queue_ready", [this.rootContextId, t]));
    });
    return { status: WasmResult.Ok, value: token };
  }

  resolveSharedQueue(vmId: Buffer, name: Buffer): Status<number> {
    this.nginxUnsupported("proxy_resolve_shared_queue");
    const id = vmId.length ? vmId.toString("latin1") : this.core.vmId;
    const token = this.core.sharedStore.resolveQueue(id, name.toString("latin1"));
    return token === undefined ? { status: WasmResult.NotFound } : { status: WasmResult.Ok, value: token };
  }

  dequeueSharedQueue(token: number): Status<Buffer> {
    return this.core.sharedStore.dequeue(token);
  }

  enqueueSharedQueue(token: number, value: Buffer): number {
    return this.core.sharedStore.enqueue(token, value);
  }

  private constMap(type: number): Pair[] | null {
    if (type === MapType.HttpCallResponseHeaders) return this.callResponse?.headers ?? null;
    if (type === MapType.HttpCallResponseTrailers) return this.callResponse?.trailers ?? null;
    const s = this.stream();
    return s ? s.constMap(type) : null;
  }

  private mutableMap(type: number): Pair[] | null {
    const s = this.stream();
    return s ? s.mutableMap(type) : null;
  }

  getHeaderMapValue(type: number, key: string): Status<string> {
    const map = this.constMap(type);
    if (!map) {
      const s = this.stream();
      if (s?.inLogPhase) return { status: this.abiVersion === "0.1.0" ? WasmResult.Ok : WasmResult.NotFound, value: "" };
      return { status: WasmResult.BadArgument };
    }
    const k = key.toLowerCase();
    for (const [n, v] of map) if (n === k) return { status: WasmResult.Ok, value: v };
    return this.abiVersion === "0.1.0" ? { status: WasmResult.Ok, value: "" } : { status: WasmResult.NotFound };
  }

  private edit(type: number, fn: (map: Pair[]) => void): number {
    const map = this.mutableMap(type);
    if (!map) return WasmResult.BadArgument;
    fn(map);
    this.stream()?.headersModified(type);
    return WasmResult.Ok;
  }

  addHeaderMapValue(type: number, key: string, value: string): number {
    return this.edit(type, (m) => addHeader(m, key.toLowerCase(), value));
  }

  replaceHeaderMapValue(type: number, key: string, value: string): number {
    return this.edit(type, (m) => setHeader(m, key.toLowerCase(), value));
  }

  removeHeaderMapValue(type: number, key: string): number {
    return this.edit(type, (m) => removeHeader(m, key.toLowerCase()));
  }

  getHeaderMapPairs(type: number): Pair[] {
    return (this.constMap(type) ?? []).map(([k, v]) => [k, v] as Pair);
  }

  setHeaderMapPairs(type: number, pairs: Pair[]): number {
    return this.edit(type, (m) => {
      m.length = 0;
      for (const [k, v] of pairs) addHeader(m, k.toLowerCase(), v);
    });
  }

  getHeaderMapSize(type: number): Status<number> {
    // Envoy answers from the mutable map and reports its byte size, not the number of entries.
    const map = this.mutableMap(type);
    if (!map) return { status: WasmResult.BadArgument };
    return { status: WasmResult.Ok, value: map.reduce((n, [k, v]) => n + k.length + v.length, 0) };
  }

  getBuffer(type: number): Buffer | null {
    switch (type) {
      case BufferType.VmConfiguration:
        return this.core.vmConfig;
      case BufferType.PluginConfiguration:
        return this.pluginConfig;
      case BufferType.HttpCallResponseBody:
        return this.callResponse?.body ?? null;
      case BufferType.HttpRequestBody:
      case BufferType.HttpResponseBody:
        return this.stream()?.bodyBuffer(type)?.data ?? null;
      case BufferType.CallData:
        return Buffer.alloc(0);
      default:
        return null;
    }
  }

  setBufferBytes(type: number, start: number, length: number, data: Buffer): number {
    if (type !== BufferType.HttpRequestBody && type !== BufferType.HttpResponseBody) return WasmResult.BadArgument;
    const holder = this.stream()?.bodyBuffer(type);
    if (!holder) return WasmResult.NotFound;
    // Envoy Buffer::copyFrom: start 0 drains `length` bytes then prepends; start >= size appends; any
    // other start is refused, unlike the spec's general replace.
    if (start === 0) {
      holder.data = Buffer.concat([Buffer.from(data), holder.data.subarray(Math.min(length, holder.data.length))]);
      return WasmResult.Ok;
    }
    if (start >= holder.data.length) {
      holder.data = Buffer.concat([holder.data, Buffer.from(data)]);
      return WasmResult.Ok;
    }
    return WasmResult.BadArgument;
  }

  httpCall(cluster: string, headers: Pair[], body: Buffer, trailers: Pair[], timeoutMs: number): Status<number> {
    if (timeoutMs < 0) return { status: WasmResult.BadArgument };
    const lower = lowerPairs(headers);
    const has = (n: string) => lower.some(([k]) => k === n);
    if (this.core.profile === "nginx") {
      // ngx_wasm_module dispatches to "host[:port]" (resolved by nginx), not to a cluster, and traps on
      // mistakes it can see before connecting [unverified exact checks].
      if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(cluster)) {
        throw new Error(`dispatch failed: invalid upstream "${cluster}"`);
      }
      if (!has(":path") || !has(":method")) throw new Error("dispatch failed: missing :method or :path");
    } else {
      if (!this.core.hasCluster(cluster)) return { status: WasmResult.BadArgument };
      if (!has(":path") || !has(":method") || !has(":authority")) return { status: WasmResult.BadArgument };
    }
    if (body.length) setHeader(lower, "content-length", String(body.length));
    this.nextHttpCallId += 4;
    const token = this.nextHttpCallId >>> 0;
    const call: PendingHttpCall = {
      worker: this.worker,
      token,
      cluster,
      headers: lower,
      body: Buffer.from(body),
      trailers: lowerPairs(trailers),
      timeoutMs,
      deadlineMs: timeoutMs > 0 ? this.core.nowMs() + timeoutMs : null,
      fromContext: this.ctx()?.id ?? 0,
    };
    this.pendingCalls.set(token, call);
    this.core.startHttpCall(this, call);
    return { status: WasmResult.Ok, value: token };
  }

  grpcCall(_service: Buffer): Status<number> {
    this.nginxUnsupported("proxy_grpc_call");
    // The harness defines no gRPC clusters; Envoy answers an unknown cluster with PARSE_FAILURE.
    return { status: WasmResult.ParseFailure };
  }

  grpcStream(_service: Buffer): Status<number> {
    this.nginxUnsupported("proxy_grpc_stream");
    return { status: WasmResult.ParseFailure };
  }

  grpcCancel(token: number): number {
    this.nginxUnsupported("proxy_grpc_cancel");
    return (token & 3) === 1 || (token & 3) === 2 ? WasmResult.NotFound : WasmResult.BadArgument;
  }

  grpcClose(token: number): number {
    this.nginxUnsupported("proxy_grpc_close");
    return (token & 3) === 1 || (token & 3) === 2 ? WasmResult.NotFound : WasmResult.BadArgument;
  }

  grpcSend(token: number, _m: Buffer, _eos: boolean): number {
    this.nginxUnsupported("proxy_grpc_send");
    return (token & 3) === 2 ? WasmResult.NotFound : WasmResult.BadArgument;
  }

  setTickPeriod(millis: number): number {
    // Always the caller's root context; re-setting restarts the timer from now (Envoy setTimerPeriod).
    this.tickPeriodMs = millis;
    this.nextTickAtMs = millis > 0 ? this.core.nowMs() + millis : null;
    this.core.timerChanged(this);
    return WasmResult.Ok;
  }

  defineMetric(type: number, name: string): Status<number> {
    return this.metrics.define(type, name);
  }

  incrementMetric(id: number, delta: bigint): number {
    return this.metrics.increment(id, delta);
  }

  recordMetric(id: number, value: bigint): number {
    return this.metrics.record(id, value);
  }

  getMetric(id: number): Status<bigint> {
    return this.metrics.get(id);
  }

  setEffectiveContext(id: number): number {
    if (!this.contexts.has(id)) return WasmResult.BadArgument;
    this.effective = id;
    return WasmResult.Ok;
  }

  done(): number {
    this.nginxUnsupported("proxy_done");
    if (!this.pendingDone) return WasmResult.NotFound;
    this.pendingDone = false;
    this.addAfterAction(() => void this.call(this.rootContextId, "proxy_on_delete", [this.rootContextId]));
    return WasmResult.Ok;
  }

  callForeignFunction(name: string, _args: Buffer): Status<Buffer> {
    if (name === "clear_route_cache") return { status: WasmResult.Ok, value: Buffer.alloc(0) };
    return { status: WasmResult.NotFound };
  }

  getConfiguration(): Buffer {
    return this.pluginConfig ?? this.core.vmConfig;
  }
}
