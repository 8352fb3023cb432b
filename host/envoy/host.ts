// The Host: a plugin loaded into N worker VMs the way Envoy loads an HTTP wasm filter, plus the
// programmatic test API (in the spirit of proxy-wasm-go-sdk's proxytest) that every Node test of the
// project drives. Time is virtual by default — timers and callout timeouts move only with advance() — so
// tests are deterministic; the dev proxy switches to real timers.
import { readFile } from "node:fs/promises";
import { LOG_LEVEL_NAMES, type LogLevelName } from "../abi/constants.js";
import type { Pair } from "../abi/pairs.js";
import { validateModule } from "../abi/validate.js";
import type { FailurePolicy, HostRuntime, HttpCallResponse, PendingHttpCall } from "./core.js";
import { MetricStore } from "./metrics.js";
import type { Profile } from "./properties.js";
import { SharedDataStore, type SharedEntry } from "./shared-data.js";
import { HttpStream, type StreamOptions } from "./stream.js";
import { WorkerVm } from "./vm.js";

export type ClusterHandler = (request: {
  cluster: string;
  headers: Pair[];
  body: Buffer;
  trailers: Pair[];
  timeoutMs: number;
}) => HttpCallResponse | null | Promise<HttpCallResponse | null>;

export interface HostOptions {
  /** Path to a .wasm file or its bytes. */
  wasm: string | Uint8Array;
  /** Plugin configuration (on_configure): an object (JSON-encoded), a string, or bytes. */
  config?: unknown;
  /** VM configuration (on_vm_start). */
  vmConfig?: unknown;
  workers?: number;
  vmId?: string;
  pluginName?: string;
  rootId?: string;
  /** Realtime clock in ns (WASI REALTIME, request.time). */
  clock?: () => bigint;
  /** WASI random_get source. */
  random?: (buf: Uint8Array) => void;
  /** Envoy's log level: what proxy_get_log_level answers and the lowest level recorded. */
  logLevel?: LogLevelName;
  failurePolicy?: FailurePolicy;
  profile?: Profile;
  allowOnHeadersStopIteration?: boolean;
  /** Per-stream buffer limit for StopIterationAndBuffer (Envoy's default connection buffer: 1 MiB). */
  bufferLimit?: number;
  /** ngx_wasm_module wasm_response_body_buffers total (default 4 × 4096). */
  nginxResponseBufferBytes?: number;
  /** Cluster names proxy_http_call may use; with a handler the host answers calls itself. */
  clusters?: string[] | Record<string, ClusterHandler | null>;
  /** Share one store between Hosts to model several plugins in one Envoy process. */
  sharedData?: SharedDataStore;
  metricStore?: MetricStore;
  /** Called for every recorded log line (the dev proxy prints them). */
  onLog?: (entry: LogEntry) => void;
  /** Real timers and wall-clock time (dev proxy) instead of virtual time (tests). */
  realTime?: boolean;
  /** Keep host.calls (default true); turn off for long benchmarks. */
  recordCalls?: boolean;
  /** Strict mode: also record every host function the module calls, in host.hostCalls. */
  recordHostCalls?: boolean;
  /**
   * Also run Envoy's "configuration canary" first: a throw-away VM (worker -1) that is started and
   * configured, then dropped without on_done/on_delete, before the worker VMs. Its shared-data writes,
   * logs and metric definitions stay, as they do in Envoy. Off by default so logs count one per worker.
   */
  canary?: boolean;
}

export interface LogEntry {
  level: LogLevelName;
  message: string;
  worker: number;
  /** True for lines the host itself wrote (traps, refused configuration). */
  host?: boolean;
}

export interface CallRecord {
  worker: number;
  context: number;
  name: string;
  args: number[];
}

/** One host function call made by the module: raw arguments (guest pointers) and the raw result. */
export interface HostCallRecord {
  worker: number;
  /** The context the call acted for (after set_effective_context). */
  context: number;
  /** "module.name", e.g. "env.proxy_get_header_map_value". */
  name: string;
  args: Array<number | bigint>;
  result: number | undefined;
}

function configBytes(c: unknown): Buffer {
  if (c === undefined || c === null) return Buffer.alloc(0);
  if (typeof c === "string") return Buffer.from(c, "utf8");
  if (c instanceof Uint8Array) return Buffer.from(c);
  return Buffer.from(JSON.stringify(c), "utf8");
}

export class Host implements HostRuntime {
  readonly workers: WorkerVm[] = [];
  readonly logs: LogEntry[] = [];
  readonly calls: CallRecord[] = [];
  readonly hostCalls: HostCallRecord[] = [];
  readonly recordHostCall: HostRuntime["recordHostCall"];
  readonly profile: Profile;
  readonly pluginName: string;
  readonly rootId: string;
  readonly vmId: string;
  readonly logLevel: number;
  readonly vmConfig: Buffer;
  readonly pluginConfig: Buffer;
  readonly sharedStore: SharedDataStore;
  readonly metricStore: MetricStore;
  readonly random: ((buf: Uint8Array) => void) | null;
  readonly failurePolicy: FailurePolicy;
  readonly allowOnHeadersStopIteration: boolean;
  readonly bufferLimit: number;
  readonly nginxResponseBufferBytes: number;
  readonly realTime: boolean;
  private readonly clusters: Map<string, ClusterHandler | null>;
  private readonly clock: (() => bigint) | null;
  private readonly onLog: ((e: LogEntry) => void) | null;
  private virtualMs = 0;
  private readonly baseRealtimeNs = BigInt(Date.now()) * 1_000_000n;
  private readonly baseHr = process.hrtime.bigint();
  private readonly baseRealNs = BigInt(Date.now()) * 1_000_000n;
  private readonly tasks: Array<() => void> = [];
  private settling = false;
  private settleScheduled = false;
  private nextWorker = 0;
  private readonly timers = new Map<WorkerVm, NodeJS.Timeout>();
  private readonly callTimers = new Map<PendingHttpCall, NodeJS.Timeout>();
  private closed = false;
  private readonly keepCalls: boolean;

  private constructor(opts: HostOptions) {
    this.profile = opts.profile ?? "envoy";
    this.pluginName = opts.pluginName ?? "clicktrail";
    this.rootId = opts.rootId ?? "";
    this.vmId = opts.vmId ?? "";
    const level = LOG_LEVEL_NAMES.indexOf(opts.logLevel ?? "info");
    if (level < 0) throw new Error(`unknown log level ${opts.logLevel}`);
    this.logLevel = level;
    this.vmConfig = configBytes(opts.vmConfig);
    this.pluginConfig = configBytes(opts.config);
    this.sharedStore = opts.sharedData ?? new SharedDataStore();
    this.metricStore = opts.metricStore ?? new MetricStore();
    this.random = opts.random ?? null;
    this.failurePolicy = opts.failurePolicy ?? "fail_closed";
    this.allowOnHeadersStopIteration = opts.allowOnHeadersStopIteration ?? false;
    this.bufferLimit = opts.bufferLimit ?? 1024 * 1024;
    this.nginxResponseBufferBytes = opts.nginxResponseBufferBytes ?? 4 * 4096;
    this.realTime = opts.realTime ?? false;
    this.clock = opts.clock ?? null;
    this.onLog = opts.onLog ?? null;
    this.keepCalls = opts.recordCalls ?? true;
    this.recordHostCall = opts.recordHostCalls
      ? (worker, context, name, args, result) => {
          this.hostCalls.push({ worker, context, name, args: args as Array<number | bigint>, result: result as number | undefined });
        }
      : null;
    const c = opts.clusters ?? [];
    this.clusters = new Map(Array.isArray(c) ? c.map((n) => [n, null]) : Object.entries(c));
  }

  /** Loads, validates and starts the plugin on every worker. Throws ModuleRejected for a bad module. */
  static async create(opts: HostOptions): Promise<Host> {
    const bytes = typeof opts.wasm === "string" ? await readFile(opts.wasm) : opts.wasm;
    const validated = validateModule(bytes);
    const host = new Host(opts);
    const n = opts.workers ?? 1;
    if (!Number.isInteger(n) || n < 1) throw new Error(`workers must be a positive integer, got ${n}`);
    if (opts.canary) {
      const canary = new WorkerVm(host, -1, validated);
      host.canaryConfigured = canary.start(host.vmConfig, host.pluginConfig);
      host.settle();
      // Killed right after configuration: no timers, no callbacks, no on_done/on_delete.
      canary.retired = true;
      const t = host.timers.get(canary);
      if (t) clearTimeout(t);
      host.timers.delete(canary);
      // Envoy stops here when the canary refuses the configuration; the workers are never created.
      if (!host.canaryConfigured) return host;
    }
    for (let i = 0; i < n; i++) {
      const vm = new WorkerVm(host, i, validated);
      host.workers.push(vm);
      vm.start(host.vmConfig, host.pluginConfig);
      host.settle();
    }
    return host;
  }

  private canaryConfigured = true;

  /** Every worker's on_vm_start and on_configure returned true and none trapped. */
  get configured(): boolean {
    return this.canaryConfigured && this.workers.length > 0 && this.workers.every((w) => w.configured && !w.failed);
  }

  get abiVersion() {
    return this.workers[0].abiVersion;
  }

  newStream(opts: StreamOptions = {}): HttpStream {
    if (this.workers.length === 0) throw new Error("the plugin never started: the configuration canary refused it");
    let w = opts.worker;
    if (w === undefined) {
      w = this.nextWorker;
      this.nextWorker = (this.nextWorker + 1) % this.workers.length;
    }
    const vm = this.workers[w];
    if (!vm) throw new Error(`no worker ${w} (host has ${this.workers.length})`);
    return new HttpStream(this, vm, opts);
  }

  /** Stream contexts alive in the guests (created, not yet deleted), root contexts not counted. */
  get liveStreams(): number {
    let n = 0;
    for (const w of this.workers) for (const c of w.contexts.values()) if (c.stream !== null) n++;
    return n;
  }

  /** This plugin's shared data (its vm_id's key space): key → {value, cas}. */
  get sharedData(): Map<string, SharedEntry> {
    return this.sharedStore.entries(this.vmId);
  }

  /** Counters and gauges by name. */
  get metrics(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, s] of this.metricStore.stats) if (s.type !== 2) out.set(name, Number(s.value));
    return out;
  }

  /** Histogram samples by name. */
  get histograms(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const [name, s] of this.metricStore.stats) if (s.type === 2) out.set(name, s.samples.map(Number));
    return out;
  }

  /** Calls proxy_on_tick on one worker's root context (or all), whatever the tick period. */
  tick(worker?: number): void {
    const vms = worker === undefined ? this.workers : [this.workers[worker]];
    for (const vm of vms) {
      if (!vm) throw new Error(`no worker ${worker}`);
      vm.tick();
      this.settle();
    }
  }

  /** Moves virtual time on: due ticks fire in order (first tick one period after it was set). */
  advance(ms: number): void {
    if (this.realTime) throw new Error("advance() needs virtual time (realTime: false)");
    const target = this.virtualMs + ms;
    for (;;) {
      let next: { at: number; run: () => void } | null = null;
      for (const vm of this.workers) {
        const at = vm.nextTickAtMs;
        if (at !== null && at <= target && (!next || at < next.at)) {
          next = {
            at,
            run: () => {
              vm.nextTickAtMs = this.virtualMs + vm.tickPeriodMs;
              vm.tick();
            },
          };
        }
        for (const call of vm.pendingCalls.values()) {
          const d = call.deadlineMs;
          if (d !== null && d <= target && (!next || d < next.at)) {
            next = { at: d, run: () => void vm.deliverHttpCallResponse(call.token, timeoutResponse()) };
          }
        }
      }
      if (!next) break;
      this.virtualMs = next.at;
      next.run();
      this.settle();
    }
    this.virtualMs = target;
    this.settle();
  }

  /** HTTP callouts waiting for an answer, oldest first. */
  get httpCalls(): PendingHttpCall[] {
    return this.workers.flatMap((w) => [...w.pendingCalls.values()]);
  }

  /** Answers a callout (null = reset/failure: on_http_call_response(…, 0, 0, 0) and get_status 11). */
  respondHttpCall(call: PendingHttpCall | number, response: HttpCallResponse | null, worker = 0): void {
    const c = typeof call === "number" ? this.workers[worker].pendingCalls.get(call) : call;
    if (!c) throw new Error(`no pending http call ${typeof call === "number" ? call : call.token}`);
    this.workers[c.worker].deliverHttpCallResponse(c.token, response);
    this.settle();
  }

  /** Plugin shutdown on every worker: root on_done, then on_delete. */
  shutdown(): void {
    for (const vm of this.workers) vm.shutdown();
    this.settle();
    this.close();
  }

  /** Stops real timers (dev proxy). */
  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    for (const t of this.callTimers.values()) clearTimeout(t);
    this.timers.clear();
    this.callTimers.clear();
  }

  // ---------------------------------------------------------------- HostRuntime

  get sharedDataStore() {
    return this.sharedStore;
  }

  realtimeNanos(): bigint {
    if (this.clock) return this.clock();
    // Envoy's clock has sub-millisecond resolution (a module sees microseconds change between calls):
    // the wall clock at start-up plus the monotonic time since.
    if (this.realTime) return this.baseRealNs + (process.hrtime.bigint() - this.baseHr);
    return this.baseRealtimeNs + BigInt(this.virtualMs) * 1_000_000n;
  }

  monotonicNanos(): bigint {
    if (this.realTime) return process.hrtime.bigint() - this.baseHr + 1_000_000_000n;
    return 1_000_000_000n + BigInt(this.virtualMs) * 1_000_000n;
  }

  nowMs(): number {
    if (this.realTime) return Number((process.hrtime.bigint() - this.baseHr) / 1_000_000n);
    return this.virtualMs;
  }

  emitLog(worker: number, level: number, message: string, fromHost: boolean): void {
    if (level < this.logLevel) return;
    const entry: LogEntry = { level: LOG_LEVEL_NAMES[Math.min(level, 5)], message, worker };
    if (fromHost) entry.host = true;
    this.logs.push(entry);
    this.onLog?.(entry);
  }

  recordCall(worker: number, context: number, name: string, args: number[]): void {
    if (!this.keepCalls) return;
    this.calls.push({ worker, context, name, args: [...args] });
    if (this.calls.length > 100_000) this.calls.splice(0, 50_000);
  }

  post(fn: () => void): void {
    this.tasks.push(fn);
    if (this.realTime && !this.settleScheduled) {
      this.settleScheduled = true;
      setImmediate(() => {
        this.settleScheduled = false;
        this.settle();
      });
    }
  }

  settle(): void {
    if (this.settling) return;
    this.settling = true;
    try {
      while (this.tasks.length) this.tasks.shift()!();
    } finally {
      this.settling = false;
    }
  }

  hasCluster(name: string): boolean {
    return this.clusters.has(name);
  }

  startHttpCall(vm: WorkerVm, call: PendingHttpCall): void {
    const handler = this.clusters.get(call.cluster);
    if (this.realTime && call.deadlineMs !== null) {
      const t = setTimeout(() => {
        this.callTimers.delete(call);
        vm.deliverHttpCallResponse(call.token, timeoutResponse());
        this.settle();
      }, call.timeoutMs);
      this.callTimers.set(call, t);
    }
    if (!handler) return;
    const request = { cluster: call.cluster, headers: call.headers, body: call.body, trailers: call.trailers, timeoutMs: call.timeoutMs };
    const deliver = (r: HttpCallResponse | null) => {
      const t = this.callTimers.get(call);
      if (t) clearTimeout(t);
      this.callTimers.delete(call);
      vm.deliverHttpCallResponse(call.token, r);
    };
    let result: ReturnType<ClusterHandler>;
    try {
      result = handler(request);
    } catch {
      result = null;
    }
    if (result && typeof (result as Promise<unknown>).then === "function") {
      (result as Promise<HttpCallResponse | null>).then(
        (r) => {
          deliver(r);
          this.settle();
        },
        () => {
          deliver(null);
          this.settle();
        },
      );
    } else {
      // Envoy never answers inside the call that made the request: deliver on a later turn.
      this.post(() => deliver(result as HttpCallResponse | null));
    }
  }

  timerChanged(vm: WorkerVm): void {
    if (!this.realTime || this.closed || vm.retired) return;
    const old = this.timers.get(vm);
    if (old) clearTimeout(old);
    this.timers.delete(vm);
    if (vm.tickPeriodMs <= 0) return;
    const arm = () => {
      const t = setTimeout(() => {
        this.timers.delete(vm);
        vm.tick();
        this.settle();
        if (!this.timers.has(vm) && vm.tickPeriodMs > 0 && !this.closed) arm();
      }, vm.tickPeriodMs);
      t.unref();
      this.timers.set(vm, t);
    };
    arm();
  }
}

/** What Envoy's async client delivers when a callout times out: a synthesized 504 [unverified]. */
function timeoutResponse(): HttpCallResponse {
  const body = "upstream request timeout";
  return {
    headers: [[":status", "504"], ["content-length", String(body.length)], ["content-type", "text/plain"]],
    body: Buffer.from(body),
  };
}
