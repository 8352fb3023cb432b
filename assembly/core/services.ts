// What the features need from the proxy, as an interface the pure code can be tested against. The
// proxy-wasm adapter (assembly/plugin/) implements it with host calls; unit tests implement it with fixed
// clocks, scripted randomness and an in-memory shared store.

/** proxy_log levels. */
export const enum LogLevel { Trace = 0, Debug = 1, Info = 2, Warn = 3, Error = 4, Critical = 5 }

/** A value read from shared data with the CAS that a conditional write must present. */
export class SharedEntry {
  constructor(public value: ArrayBuffer, public cas: u32) {}
}

/** Outcome of a shared-data write. */
export const enum SharedWrite { Ok = 0, CasMismatch = 1, Failed = 2 }

/**
 * The answer to an HTTP callout (Services.httpCall). `status` is the response's `:status`, 0 when the call
 * failed without one (connection refused or reset, or the host's own timeout answered as a reset).
 */
export class HttpCallResult {
  constructor(public token: u32, public status: u32, public body: Uint8Array) {}
}

export abstract class Services {
  /** Wall-clock time, microseconds since the Unix epoch. */
  abstract nowMicros(): i64;
  /** Fills `out` from the host's CSPRNG. */
  abstract fillRandom(out: Uint8Array): void;
  abstract log(level: LogLevel, message: string): void;
  /** True when a message at `level` would be logged: lets callers skip building it. */
  abstract logs(level: LogLevel): bool;
  /** Defines a counter once at configuration time; the id is passed to `count`. */
  abstract defineCounter(name: string): u32;
  abstract defineGauge(name: string): u32;
  abstract count(metric: u32, delta: i64): void;
  abstract setGauge(metric: u32, value: i64): void;
  /** Writes filter state `name` for Envoy's access log (`%FILTER_STATE(wasm.name)%`). */
  abstract setFilterState(name: string, value: string): void;
  abstract sharedGet(key: string): SharedEntry | null;
  abstract sharedSet(key: string, value: ArrayBuffer, cas: u32): SharedWrite;
  /** The downstream connection's id (Envoy's `connection.id`), 0 when the host has none. */
  abstract connectionId(): u64;
  /** The downstream peer's address without port, "" when unknown. */
  abstract sourceAddress(): string;
  /** The worker (VM) serving this stream: a small number, stable for the VM's life. */
  abstract workerId(): u32;
  /**
   * The local address the downstream connection arrived on, without port ("" when unknown): what nginx
   * puts into its userid. Not abstract, so that test doubles need not care.
   */
  localAddress(): string { return ""; }
  /**
   * The plugin's name as the host names it (a byte string; Envoy's `plugin_name` property), null when
   * the host has none. Call it only while handling a stream: ngx_wasm_module answers it from the
   * request's filter chain and crashes in on_configure (docs/deploy.md). Not abstract, as localAddress.
   */
  pluginName(): string | null { return null; }
  /**
   * Starts an HTTP callout to `cluster` (an Envoy cluster; `host:port` under NGINX): `method` `path` with
   * `body` as `content-type: application/json`, answered within `timeoutMillis`. Returns the call's token
   * (its answer reaches the StreamFilter that is waiting, see filter.ts), 0 when the host refused to
   * start it. Not abstract: only stores that call out need it.
   */
  httpCall(cluster: string, method: string, path: string, body: Uint8Array, timeoutMillis: u32): u32 { return 0; }
}
