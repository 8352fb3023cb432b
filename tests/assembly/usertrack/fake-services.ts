// Services with a settable clock, scripted random bytes and recorded metrics, filter state and logs.
import { LogLevel, Services, SharedEntry, SharedWrite } from "../../../assembly/http/services";

export class FakeServices extends Services {
  micros: i64 = 0;
  random: u8[] = [];
  randomAt: i32 = 0;
  counterNames: string[] = [];
  counterValues: i64[] = [];
  stateNames: string[] = [];
  stateValues: string[] = [];
  logLines: string[] = [];
  local: string = "";
  worker: u32 = 1;

  nowMicros(): i64 { return this.micros; }
  fillRandom(out: Uint8Array): void {
    for (let i = 0; i < out.length; i++) {
      out[i] = this.randomAt < this.random.length ? this.random[this.randomAt++] : 0;
    }
  }
  log(level: LogLevel, message: string): void { this.logLines.push(level.toString() + " " + message); }
  logs(level: LogLevel): bool { return true; }
  defineCounter(name: string): u32 {
    this.counterNames.push(name);
    this.counterValues.push(0);
    return <u32>(this.counterNames.length - 1);
  }
  defineGauge(name: string): u32 { return this.defineCounter(name); }
  count(metric: u32, delta: i64): void { this.counterValues[metric] += delta; }
  setGauge(metric: u32, value: i64): void { this.counterValues[metric] = value; }
  setFilterState(name: string, value: string): void {
    this.stateNames.push(name);
    this.stateValues.push(value);
  }
  sharedGet(key: string): SharedEntry | null { return null; }
  sharedSet(key: string, value: ArrayBuffer, cas: u32): SharedWrite { return SharedWrite.Failed; }
  connectionId(): u64 { return 1; }
  sourceAddress(): string { return "10.0.0.1"; }
  workerId(): u32 { return this.worker; }
  localAddress(): string { return this.local; }

  /** The value of a counter by name, -1 when undefined. */
  counter(name: string): i64 {
    const i = this.counterNames.indexOf(name);
    return i < 0 ? -1 : this.counterValues[i];
  }

  /** The last value written to filter state `name`, or "(unset)". */
  state(name: string): string {
    for (let i = this.stateNames.length - 1; i >= 0; i--) if (this.stateNames[i] == name) return this.stateValues[i];
    return "(unset)";
  }
}
