// A Services for unit tests: a fixed clock, scripted randomness, recorded logs, metrics and filter state.
import { LogLevel, Services, SharedEntry, SharedWrite } from "../../../assembly/http/services";
import { HeaderMap } from "../../../assembly/http/headers";

export class FakeServices extends Services {
  now: i64 = 1700000000 * 1000000;
  randomByte: u8 = 0x12;
  logsSeen: string[] = [];
  metricNames: string[] = [];
  metricValues: i64[] = [];
  stateNames: string[] = [];
  stateValues: string[] = [];
  connection: u64 = 7;
  worker: u32 = 3;
  /** The connection's local address: "" as when the host has none. */
  local: string = "";

  nowMicros(): i64 { return this.now; }
  fillRandom(out: Uint8Array): void { for (let i = 0; i < out.length; i++) out[i] = this.randomByte; }
  log(level: LogLevel, message: string): void { this.logsSeen.push(message); }
  logs(level: LogLevel): bool { return true; }
  defineCounter(name: string): u32 { this.metricNames.push(name); this.metricValues.push(0); return this.metricNames.length - 1; }
  defineGauge(name: string): u32 { return this.defineCounter(name); }
  count(metric: u32, delta: i64): void { this.metricValues[metric] += delta; }
  setGauge(metric: u32, value: i64): void { this.metricValues[metric] = value; }
  setFilterState(name: string, value: string): void { this.stateNames.push(name); this.stateValues.push(value); }
  sharedGet(key: string): SharedEntry | null { return null; }
  sharedSet(key: string, value: ArrayBuffer, cas: u32): SharedWrite { return SharedWrite.Failed; }
  connectionId(): u64 { return this.connection; }
  sourceAddress(): string { return "10.9.9.9"; }
  workerId(): u32 { return this.worker; }
  localAddress(): string { return this.local; }

  metric(name: string): i64 {
    const i = this.metricNames.indexOf(name);
    return i < 0 ? -1 : this.metricValues[i];
  }
}

export function headers(pairs: string[]): HeaderMap {
  const h = new HeaderMap();
  for (let i = 0; i + 1 < pairs.length; i += 2) h.load(pairs[i], pairs[i + 1]);
  return h;
}

/** name: value lines, in order, for exact comparison. */
export function dump(h: HeaderMap): string {
  let s = "";
  for (let i = 0; i < h.names.length; i++) s += h.names[i] + ": " + h.values[i] + "\n";
  return s;
}
