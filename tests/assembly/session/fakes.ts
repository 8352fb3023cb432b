// Services for unit tests: a settable clock, scripted randomness, recorded logs and counters.
import { LogLevel, Services, SharedEntry, SharedWrite } from "../../../assembly/http/services";
import { HeaderMap } from "../../../assembly/http/headers";

export class FakeServices extends Services {
  now: i64 = 1795321081346706 - 300000000;
  logLines: string[] = [];
  counterNames: string[] = [];
  counterValues: i64[] = [];
  randomByte: u8 = 0;

  nowMicros(): i64 { return this.now; }
  fillRandom(out: Uint8Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.randomByte++;
  }
  log(level: LogLevel, message: string): void { this.logLines.push(message); }
  logs(level: LogLevel): bool { return level >= LogLevel.Info; }
  defineCounter(name: string): u32 {
    const i = this.counterNames.indexOf(name);
    if (i >= 0) return <u32>i;
    this.counterNames.push(name);
    this.counterValues.push(0);
    return <u32>(this.counterNames.length - 1);
  }
  defineGauge(name: string): u32 { return this.defineCounter(name); }
  count(metric: u32, delta: i64): void { this.counterValues[metric] += delta; }
  setGauge(metric: u32, value: i64): void { this.counterValues[metric] = value; }
  counter(name: string): i64 {
    const i = this.counterNames.indexOf(name);
    return i < 0 ? -1 : this.counterValues[i];
  }
  setFilterState(name: string, value: string): void {}
  sharedGet(key: string): SharedEntry | null { return null; }
  sharedSet(key: string, value: ArrayBuffer, cas: u32): SharedWrite { return SharedWrite.Failed; }
  connectionId(): u64 { return 1; }
  sourceAddress(): string { return "10.0.0.1"; }
  workerId(): u32 { return 1; }
}

export function request(path: string, cookies: string[]): HeaderMap {
  const h = new HeaderMap();
  h.load(":method", "GET");
  h.load(":path", path);
  h.load(":authority", "example.com");
  for (let i = 0; i < cookies.length; i++) h.load("cookie", cookies[i]);
  return h;
}

export function response(extra: string[]): HeaderMap {
  const h = new HeaderMap();
  h.load(":status", "200");
  for (let i = 0; i + 1 < extra.length; i += 2) h.load(extra[i], extra[i + 1]);
  return h;
}

/** Every value of `name`, joined by " | ". */
export function all(h: HeaderMap, name: string): string {
  return h.getAll(name).join(" | ");
}

import { SessionSettings } from "../../../assembly/session/settings";
import { buildSessionFeature } from "../../../assembly/session/build";
import { SessionFeature } from "../../../assembly/session/feature";

export class Exchange {
  constructor(public request: HeaderMap, public response: HeaderMap) {}
  /** Set-Cookie headers joined by " | ". */
  get setCookies(): string { return all(this.response, "set-cookie"); }
}

/** One request through a fresh stream of `feature`: request headers, then a response with `extra` headers. */
export function exchange(feature: SessionFeature, services: FakeServices, path: string, cookies: string[], extra: string[]): Exchange {
  const f = feature.newStream(services)!;
  const req = request(path, cookies);
  f.onRequestHeaders(req);
  const resp = response(extra);
  f.onResponseHeaders(resp);
  return new Exchange(req, resp);
}

export function feature(s: SessionSettings, services: FakeServices): SessionFeature {
  return buildSessionFeature(s, services);
}

/** The cookie value of `name` in a Set-Cookie line, "" when it is not that cookie. */
export function cookieValue(setCookie: string, name: string): string {
  if (!setCookie.startsWith(name + "=")) return "";
  const end = setCookie.indexOf(";");
  return setCookie.substring(name.length + 1, end < 0 ? setCookie.length : end);
}
