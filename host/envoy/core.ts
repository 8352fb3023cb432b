// What every worker VM of one plugin shares: the process-wide stores, clocks, logging, options. The Host
// implements it; keeping it an interface lets vm.ts and stream.ts stay free of the test API. The file imports
// neither of them, so the Envoy model layers one way: core.ts ← vm.ts ← stream.ts ← host.ts.
import type { Pair } from "../abi/pairs.js";
import type { MetricStore } from "./metrics.js";
import type { Profile, StreamFacts } from "./properties.js";
import type { SharedDataStore } from "./shared-data.js";

export interface HttpCallResponse {
  headers: Pair[];
  body?: Buffer | Uint8Array | string;
  trailers?: Pair[];
}

export interface PendingHttpCall {
  worker: number;
  token: number;
  cluster: string;
  headers: Pair[];
  body: Buffer;
  trailers: Pair[];
  timeoutMs: number;
  /** Host monotonic time (ms) when the call times out, or null for none. */
  deadlineMs: number | null;
  /** Context that issued it (after set_effective_context), for tests. */
  fromContext: number;
}

/** A body chunk the filter may read or replace in place. */
export interface Holder {
  data: Buffer;
}

/**
 * What a worker VM asks of the HTTP stream whose context is executing (stream.ts implements it). Declared
 * here so that vm.ts needs nothing from stream.ts: the stream drives the VM, the VM only answers through this.
 */
export interface VmStream {
  readonly inLogPhase: boolean;
  facts(): StreamFacts;
  requestContinue(type: number): void;
  requestClose(): void;
  requestLocalReply(code: number, details: string, body: Buffer, headers: Pair[], grpcStatus: number): void;
  constMap(type: number): Pair[] | null;
  mutableMap(type: number): Pair[] | null;
  headersModified(type: number): void;
  bodyBuffer(type: number): Holder | null;
}

/** What the host asks of a worker VM when a callout completes or its tick timer changes (vm.ts implements it). */
export interface VmCallbacks {
  readonly retired: boolean;
  readonly tickPeriodMs: number;
  tick(): void;
  deliverHttpCallResponse(token: number, response: HttpCallResponse | null): boolean;
}

export type FailurePolicy = "fail_closed" | "fail_open";

export interface HostCore {
  readonly profile: Profile;
  readonly pluginName: string;
  readonly rootId: string;
  readonly vmId: string;
  readonly logLevel: number;
  readonly vmConfig: Buffer;
  readonly sharedStore: SharedDataStore;
  readonly metricStore: MetricStore;
  readonly random: ((buf: Uint8Array) => void) | null;
  readonly failurePolicy: FailurePolicy;
  readonly allowOnHeadersStopIteration: boolean;
  readonly bufferLimit: number;
  readonly nginxResponseBufferBytes: number;
  realtimeNanos(): bigint;
  monotonicNanos(): bigint;
  /** The host's monotonic clock in milliseconds (timers and callout deadlines). */
  nowMs(): number;
  emitLog(worker: number, level: number, message: string, fromHost: boolean): void;
  recordCall(worker: number, context: number, name: string, args: number[]): void;
  /** Null unless host calls are recorded (strict mode). */
  readonly recordHostCall: ((worker: number, context: number, name: string, args: unknown[], result: unknown) => void) | null;
  /** Runs `fn` on a later turn of the (virtual) event loop, never inside the current host operation. */
  post(fn: () => void): void;
  hasCluster(name: string): boolean;
  startHttpCall(vm: VmCallbacks, call: PendingHttpCall): void;
  timerChanged(vm: VmCallbacks): void;
}

export type { Pair };

export interface HostRuntime extends HostCore {
  /** Runs posted tasks and callout handlers until nothing is left (end of one test API operation). */
  settle(): void;
}
