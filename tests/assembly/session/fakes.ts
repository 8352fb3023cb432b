// Helpers for the session units: the shared FakeServices configured as these specs expect, request and
// response builders, and one exchange through a stream.
import { LogLevel } from "../../../assembly/core/services";
import { HeaderMap } from "../../../assembly/core/headers";
import { FakeServices, LogStyle, Randomness } from "../support/fake-services";

export { FakeServices };

/**
 * The Services the session specs' expected bytes were written against: a clock 300 s before the Apache
 * vectors' expiry, counting random bytes from 0, bare log messages at info and above, no shared data.
 */
export function fakeServices(): FakeServices {
  const s = new FakeServices().withoutSharedData();
  s.now = 1795321081346706 - 300000000;
  s.randomness = Randomness.Counting;
  s.randomByte = 0;
  s.logStyle = LogStyle.MessageOnly;
  s.minLevel = LogLevel.Info;
  s.connection = 1;
  return s;
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
