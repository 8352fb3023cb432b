// The one in-memory Services for unit tests: a settable clock, deterministic "random" bytes (xorshift,
// counting, constant, each after an optional scripted prefix), captured logs, metrics and filter state,
// settable connection/source/local addresses and worker, and a shared-data map that can be shared by
// several FakeServices to stand for several worker VMs of one proxy. Feature folders configure it to
// the defaults their expected values were written against (see their fake helpers).
//
// FakeSharedData models the two hosts clicktrail runs on:
// - Envoy (proxy-wasm-cpp-host src/shared_data.cc): one CAS counter for the whole store, starting at 1 and
//   skipping 0 on wrap-around; every write takes the next value. A write with cas 0, or to an absent
//   key, always succeeds; otherwise the cas must equal the key's current one. Keys are never deleted.
// - NGINX (ngx_wasm_module src/common/shm/ngx_wa_shm_kv.c): a counter per key, starting at 1 for a new
//   key; a write succeeds only when cas equals the key's current cas, or is 0 for an absent key (so
//   cas 0 on a present key fails). Keys can disappear (eviction, delete): `evict` models that.
import { LogLevel, Services, SharedEntry, SharedWrite } from "../../../assembly/core/services";

export const enum CasModel { Envoy = 0, Nginx = 1 }

/** Called just before a write reaches the map: lets a test run another worker's operation in between. */
export abstract class SharedDataHook {
  abstract beforeSet(key: string): void;
}

class StoredValue {
  constructor(public value: ArrayBuffer, public cas: u32) {}
}

export class FakeSharedData {
  private map: Map<string, StoredValue> = new Map<string, StoredValue>();
  private counter: u32 = 0;
  gets: i32 = 0;
  sets: i32 = 0;
  /** Fires once, before the next set, and is cleared before it runs. */
  nextSetHook: SharedDataHook | null = null;
  /** When true every write fails as a host error would. */
  failWrites: bool = false;

  constructor(public model: CasModel = CasModel.Envoy) {}

  /** Starts the global counter elsewhere (Envoy model), e.g. just below the wrap to test that 0 is skipped. */
  setCounter(value: u32): void { this.counter = value; }

  get(key: string): SharedEntry | null {
    this.gets++;
    if (!this.map.has(key)) return null;
    const v = this.map.get(key);
    return new SharedEntry(v.value.slice(0), v.cas);
  }

  set(key: string, value: ArrayBuffer, cas: u32): SharedWrite {
    const hook = this.nextSetHook;
    if (hook != null) {
      this.nextSetHook = null;
      hook.beforeSet(key);
    }
    this.sets++;
    if (this.failWrites) return SharedWrite.Failed;
    const present = this.map.has(key);
    if (this.model == CasModel.Envoy) {
      if (present && cas != 0 && cas != this.map.get(key).cas) return SharedWrite.CasMismatch;
      this.counter++;
      if (this.counter == 0) this.counter++;
      this.map.set(key, new StoredValue(value.slice(0), this.counter));
      return SharedWrite.Ok;
    }
    const current: u32 = present ? this.map.get(key).cas : 0;
    if (cas != current) return SharedWrite.CasMismatch;
    this.map.set(key, new StoredValue(value.slice(0), current + 1));
    return SharedWrite.Ok;
  }

  /** Removes a key the way NGINX's eviction does. */
  evict(key: string): void { this.map.delete(key); }

  has(key: string): bool { return this.map.has(key); }
  keyCount(): i32 { return this.map.size; }
  keys(): string[] { return this.map.keys(); }
  casOf(key: string): u32 { return this.map.has(key) ? this.map.get(key).cas : 0; }
  valueLength(key: string): i32 { return this.map.has(key) ? this.map.get(key).value.byteLength : -1; }
  /** Overwrites a value without CAS and without counting: for tests that plant bytes. */
  plant(key: string, value: ArrayBuffer): void {
    this.counter++;
    if (this.counter == 0) this.counter++;
    this.map.set(key, new StoredValue(value.slice(0), this.counter));
  }
}

/** Where fillRandom's bytes come from once the scripted prefix is used up. */
export const enum Randomness {
  /** xorshift64 from the seed: deterministic, different per seed. */
  Xorshift = 0,
  /** randomByte, then randomByte + 1, ... (wrapping). */
  Counting = 1,
  /** randomByte, again and again (0 leaves zeros, as a scripted list's end). */
  Constant = 2,
}

/** How a captured log line spells its level. */
export const enum LogStyle {
  /** "info: message" */
  LevelName = 0,
  /** "2 message" (the LogLevel's number) */
  LevelNumber = 1,
  /** "message" */
  MessageOnly = 2,
}

export class FakeServices extends Services {
  now: i64 = 1_700_000_000_000_000;
  logLines: string[] = [];
  logStyle: LogStyle = LogStyle.LevelName;
  /** The lowest level logged and reported by logs(). */
  minLevel: LogLevel = LogLevel.Trace;
  private metricNames: string[] = [];
  private metricValues: i64[] = [];
  private metricIsGauge: bool[] = [];
  /** Every filter-state write, in order. */
  stateNames: string[] = [];
  stateValues: string[] = [];
  connection: u64 = 7;
  source: string = "10.0.0.1";
  local: string = "";
  worker: u32 = 1;
  randomness: Randomness = Randomness.Xorshift;
  /** The next byte (Counting) or every byte (Constant). */
  randomByte: u8 = 0;
  /** xorshift64 state. */
  private rng: u64;
  /** Bytes handed out by fillRandom before `randomness` takes over (a scripted prefix). */
  scripted: u8[] = [];
  private scriptedAt: i32 = 0;
  /** When true fillRandom writes zeros, as a failing host CSPRNG leaves its buffer. */
  randomBroken: bool = false;

  constructor(public shared: FakeSharedData = new FakeSharedData(), seed: u64 = 0x9e3779b97f4a7c15) {
    super();
    this.rng = seed == 0 ? 1 : seed;
  }

  nowMicros(): i64 { return this.now; }

  advanceSeconds(s: i64): void { this.now += s * 1_000_000; }

  fillRandom(out: Uint8Array): void {
    for (let i = 0; i < out.length; i++) {
      if (this.randomBroken) { out[i] = 0; continue; }
      if (this.scriptedAt < this.scripted.length) { out[i] = this.scripted[this.scriptedAt++]; continue; }
      if (this.randomness == Randomness.Counting) { out[i] = this.randomByte++; continue; }
      if (this.randomness == Randomness.Constant) { out[i] = this.randomByte; continue; }
      let x = this.rng;
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      this.rng = x;
      out[i] = <u8>(x >> 24);
    }
  }

  log(level: LogLevel, message: string): void {
    if (level < this.minLevel) return;
    if (this.logStyle == LogStyle.LevelName) this.logLines.push(levelName(level) + ": " + message);
    else if (this.logStyle == LogStyle.LevelNumber) this.logLines.push((<i32>level).toString() + " " + message);
    else this.logLines.push(message);
  }

  logs(level: LogLevel): bool { return level >= this.minLevel; }

  defineCounter(name: string): u32 { return this.define(name, false); }
  defineGauge(name: string): u32 { return this.define(name, true); }

  private define(name: string, gauge: bool): u32 {
    const i = this.metricNames.indexOf(name);
    if (i >= 0) return <u32>(i + 1);
    this.metricNames.push(name);
    this.metricValues.push(0);
    this.metricIsGauge.push(gauge);
    return <u32>this.metricNames.length;
  }

  count(metric: u32, delta: i64): void {
    if (metric == 0 || metric > <u32>this.metricNames.length) return;
    this.metricValues[metric - 1] += delta;
  }

  setGauge(metric: u32, value: i64): void {
    if (metric == 0 || metric > <u32>this.metricNames.length) return;
    this.metricValues[metric - 1] = value;
  }

  /** A metric's value by name; -1 when it was never defined. */
  metric(name: string): i64 {
    const i = this.metricNames.indexOf(name);
    return i < 0 ? -1 : this.metricValues[i];
  }

  isGauge(name: string): bool {
    const i = this.metricNames.indexOf(name);
    return i >= 0 && this.metricIsGauge[i];
  }

  setFilterState(name: string, value: string): void {
    this.stateNames.push(name);
    this.stateValues.push(value);
  }

  /** The last value written to filter state `name`, or "(unset)". */
  state(name: string): string {
    for (let i = this.stateNames.length - 1; i >= 0; i--) if (this.stateNames[i] == name) return this.stateValues[i];
    return "(unset)";
  }

  sharedGet(key: string): SharedEntry | null { return this.shared.get(key); }
  sharedSet(key: string, value: ArrayBuffer, cas: u32): SharedWrite { return this.shared.set(key, value, cas); }

  /** No usable shared data, as on a host without it: reads find nothing, writes fail. */
  withoutSharedData(): FakeServices {
    this.shared.failWrites = true;
    return this;
  }

  connectionId(): u64 { return this.connection; }
  sourceAddress(): string { return this.source; }
  localAddress(): string { return this.local; }
  workerId(): u32 { return this.worker; }
  /** What pluginName() answers; every call is counted in pluginNameReads. */
  plugin: string | null = null;
  pluginNameReads: i32 = 0;
  pluginName(): string | null { this.pluginNameReads++; return this.plugin; }

  /** The captured log lines joined by newlines (for one exact comparison). */
  logText(): string { return this.logLines.join("\n"); }
}

function levelName(level: LogLevel): string {
  switch (level) {
    case LogLevel.Trace: return "trace";
    case LogLevel.Debug: return "debug";
    case LogLevel.Info: return "info";
    case LogLevel.Warn: return "warn";
    case LogLevel.Error: return "error";
    default: return "critical";
  }
}
