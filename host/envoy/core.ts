// What every worker VM of one plugin shares: the process-wide stores, clocks, logging, options. The Host
// implements it; keeping it an interface lets vm.ts and stream.ts stay free of the test API.
import type { Pair } from "../abi/pairs.js";
import type { MetricStore } from "./metrics.js";
import type { Profile } from "./properties.js";
import type { SharedDataStore } from "./shared-data.js";
import type { PendingHttpCall, WorkerVm } from "./vm.js";

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
  startHttpCall(vm: WorkerVm, call: PendingHttpCall): void;
  timerChanged(vm: WorkerVm): void;
}

export type { Pair };

export interface HostRuntime extends HostCore {
  /** Runs posted tasks and callout handlers until nothing is left (end of one test API operation). */
  settle(): void;
}
