// session.store "shared" through the session feature: the cookie carries a key, the session lives in the
// fake shared data, and two workers (two features over one shared map) see one another's sessions.
import { parseConfig } from "../../../assembly/config";
import { HeaderMap } from "../../../assembly/core/headers";
import { StreamFilter } from "../../../assembly/core/filter";
import { byteStringFromBuffer } from "../../../assembly/core/bytes";
import { buildSessionFeature } from "../../../assembly/session/build";
import { SessionFeature } from "../../../assembly/session/feature";
import { SharedBackend } from "../../../assembly/session/shared-backend";
import { FakeServices, FakeSharedData } from "../support/fake-services";

const BASE = '"store":"shared","response_header":"x-replace-session","upstream_header":"x-session","cookie_attributes":"path=/"';

function build(json: string, services: FakeServices): SessionFeature {
  const r = parseConfig(Uint8Array.wrap(String.UTF8.encode(json)));
  if (!r.ok) throw new Error(r.errors.join("; "));
  return buildSessionFeature(r.config!.session!, services);
}

function request(cookie: string): HeaderMap {
  const h = new HeaderMap();
  h.load(":method", "GET");
  h.load(":path", "/");
  h.load(":authority", "example.com");
  if (cookie.length) h.load("cookie", cookie);
  return h;
}

function response(replace: string): HeaderMap {
  const h = new HeaderMap();
  h.load(":status", "200");
  if (replace.length) h.load("x-replace-session", replace);
  return h;
}

/** A request in flight: request headers done, response pending. */
class Flight {
  filter: StreamFilter;
  req: HeaderMap;
  resp: HeaderMap = new HeaderMap();
  constructor(feature: SessionFeature, services: FakeServices, cookie: string) {
    this.filter = feature.newStream(services)!;
    this.req = request(cookie);
    this.filter.onRequestHeaders(this.req);
  }
  get upstream(): string { const v = this.req.get("x-session"); return v == null ? "<none>" : v; }
  finish(replace: string): Flight {
    this.resp = response(replace);
    this.filter.onResponseHeaders(this.resp);
    return this;
  }
  get setCookies(): string { return this.resp.getAll("set-cookie").join(" | "); }
  /** The key in the first Set-Cookie, "" when none. */
  get key(): string {
    const c = this.resp.getAll("set-cookie");
    if (c.length == 0) return "";
    const v = c[0];
    return v.substring(v.indexOf("=") + 1, v.indexOf(";"));
  }
}

function cookie(key: string): string { return "session=" + key; }

describe("session.store shared", () => {
  it("keeps the session server-side and puts only a key in the cookie", () => {
    const sv = new FakeServices();
    const f = build('{"session":{' + BASE + '}}', sv);
    const first = new Flight(f, sv, "").finish("user=alice&role=admin");
    expect(first.key.length).toBe(26);
    expect(first.setCookies).toBe("session=" + first.key + ";path=/");
    expect(sv.shared.keyCount()).toBe(1);
    const stored = byteStringFromBuffer(sv.shared.get(sv.shared.keys()[0])!.value);
    expect(stored.substring(72)).toBe("user=alice&role=admin");

    const second = new Flight(f, sv, cookie(first.key));
    expect(second.upstream).toBe("user=alice&role=admin");
    second.finish("");
    expect(second.setCookies).toBe("");
  });

  it("gives a changed session a new key; the old one reads during the grace period only", () => {
    const sv = new FakeServices();
    const f = build('{"session":{' + BASE + '}}', sv);
    const k1 = new Flight(f, sv, "").finish("a=1").key;
    const k2 = new Flight(f, sv, cookie(k1)).finish("b=2").key;
    expect(k2.length).toBe(26);
    expect(k2 != k1).toBe(true);
    expect(new Flight(f, sv, cookie(k2)).upstream).toBe("a=1&b=2");
    expect(new Flight(f, sv, cookie(k1)).upstream).toBe("a=1&b=2");
    sv.advanceSeconds(10);
    const stale = new Flight(f, sv, cookie(k1));
    expect(stale.upstream).toBe("<none>");
    expect(sv.logLines[sv.logLines.length - 1]).toBe("warn: clicktrail: session: cookie session names no stored session (forged, expired, replaced or deleted); an empty session was started");
  });

  it("keeps both changes of two workers' concurrent requests", () => {
    const shared = new FakeSharedData();
    const w1 = new FakeServices(shared, 1);
    const w2 = new FakeServices(shared, 2);
    const f1 = build('{"session":{' + BASE + '}}', w1);
    const f2 = build('{"session":{' + BASE + '}}', w2);
    const k1 = new Flight(f1, w1, "").finish("x=0").key;
    const a = new Flight(f1, w1, cookie(k1));
    const b = new Flight(f2, w2, cookie(k1));
    a.finish("a=1");
    b.finish("b=2");
    expect(a.key.length).toBe(26);
    expect(b.setCookies).toBe(""); // its key is the previous one now: it is not told the new one
    expect(new Flight(f2, w2, cookie(a.key)).upstream).toBe("x=0&a=1&b=2");
  });

  it("renews Max-Age with the same key when only the expiry moves", () => {
    const sv = new FakeServices();
    const f = build('{"session":{' + BASE + ',"max_age":300}}', sv);
    const k1 = new Flight(f, sv, "").finish("a=1").key;
    sv.advanceSeconds(100);
    const again = new Flight(f, sv, cookie(k1)).finish("");
    expect(again.setCookies).toBe("session=" + k1 + ";Max-Age=300;path=/");
    sv.advanceSeconds(250);
    expect(new Flight(f, sv, cookie(k1)).upstream).toBe("a=1&expiry=" + (sv.now + 50 * 1000000).toString());
  });

  it("does not renew a key that another worker rotated meanwhile", () => {
    const shared = new FakeSharedData();
    const w1 = new FakeServices(shared, 1);
    const w2 = new FakeServices(shared, 2);
    const f1 = build('{"session":{' + BASE + ',"max_age":300}}', w1);
    const f2 = build('{"session":{' + BASE + ',"max_age":300}}', w2);
    const k1 = new Flight(f1, w1, "").finish("a=1").key;
    const toucher = new Flight(f1, w1, cookie(k1));
    const changer = new Flight(f2, w2, cookie(k1)).finish("b=2");
    expect(changer.key != k1).toBe(true);
    toucher.finish("");
    expect(toucher.setCookies).toBe("");
    expect(new Flight(f2, w2, cookie(changer.key)).upstream.startsWith("a=1&b=2&expiry=")).toBe(true);
  });

  it("stores no session without keys, even under a max age", () => {
    const sv = new FakeServices();
    const f = build('{"session":{' + BASE + ',"max_age":300}}', sv);
    const anon = new Flight(f, sv, "").finish("");
    expect(anon.setCookies).toBe("");
    expect(new Flight(f, sv, "").finish("a=").setCookies).toBe("");
    expect(sv.shared.keyCount()).toBe(0);
    const k1 = new Flight(f, sv, "").finish("a=1").key;
    const emptied = new Flight(f, sv, cookie(k1)).finish("a=");
    expect(emptied.setCookies).toBe("session=;Max-Age=0;path=/");
    expect(sv.shared.valueLength(sv.shared.keys()[0])).toBe(4);
  });

  it("removes an emptied session: expired cookie, freed slot", () => {
    const sv = new FakeServices();
    const f = build('{"session":{' + BASE + '}}', sv);
    const k1 = new Flight(f, sv, "").finish("a=1").key;
    const bye = new Flight(f, sv, cookie(k1)).finish("a=");
    expect(bye.setCookies).toBe("session=;Max-Age=0;path=/");
    expect(sv.shared.valueLength(sv.shared.keys()[0])).toBe(4);
    expect(new Flight(f, sv, cookie(k1)).upstream).toBe("<none>");
  });

  it("does not resurrect a session deleted on another worker during the request", () => {
    const shared = new FakeSharedData();
    const w1 = new FakeServices(shared, 1);
    const w2 = new FakeServices(shared, 2);
    const f1 = build('{"session":{' + BASE + '}}', w1);
    const f2 = build('{"session":{' + BASE + '}}', w2);
    const k1 = new Flight(f1, w1, "").finish("a=1").key;
    const slow = new Flight(f2, w2, cookie(k1));
    new Flight(f1, w1, cookie(k1)).finish("a=");
    slow.finish("b=2");
    expect(slow.setCookies).toBe("");
    expect(shared.valueLength(shared.keys()[0])).toBe(4);
  });

  it("reads a forged key as an empty session", () => {
    const sv = new FakeServices();
    const f = build('{"session":{' + BASE + '}}', sv);
    const k1 = new Flight(f, sv, "").finish("secret=1").key;
    const forged = k1.substring(0, 4) + "AAAAAAAAAAAAAAAAAAAAAA";
    const x = new Flight(f, sv, cookie(forged));
    expect(x.upstream).toBe("<none>");
    expect(new Flight(f, sv, cookie("not-a-key")).upstream).toBe("<none>");
    expect(sv.logLines[sv.logLines.length - 1]).toBe("warn: clicktrail: session: cookie session does not hold a session key; an empty session was started");
  });

  it("stores the sealed session when crypto is on", () => {
    const sv = new FakeServices();
    const f = build('{"session":{' + BASE + ',"crypto":{"passphrases":["s3cret"]}}}', sv);
    const k1 = new Flight(f, sv, "").finish("user=alice").key;
    const stored = byteStringFromBuffer(sv.shared.get(sv.shared.keys()[0])!.value);
    expect(stored.indexOf("alice")).toBe(-1);
    expect(new Flight(f, sv, cookie(k1)).upstream).toBe("user=alice");
    const k2 = new Flight(f, sv, cookie(k1)).finish("role=x").key;
    expect(new Flight(f, sv, cookie(k2)).upstream).toBe("user=alice&role=x");
  });

  it("sweeps from the feature's tick and refuses new sessions when full", () => {
    const sv = new FakeServices();
    const f = build('{"session":{' + BASE + ',"max_age":10,"shared":{"capacity":2,"sweep_slots_per_tick":2,"sweep_period_millis":500}}}', sv);
    expect(f.tickPeriodMillis()).toBe(500);
    new Flight(f, sv, "").finish("a=1");
    new Flight(f, sv, "").finish("b=1");
    const third = new Flight(f, sv, "").finish("c=1");
    expect(third.setCookies).toBe("");
    expect(sv.metric("clicktrail.session.store.full")).toBe(1);
    sv.advanceSeconds(10);
    f.onTick(sv);
    expect(sv.metric("clicktrail.session.store.expired")).toBe(2);
    expect(sv.shared.valueLength(sv.shared.keys()[0])).toBe(4);
    expect(sv.shared.valueLength(sv.shared.keys()[1])).toBe(4);
    expect(new Flight(f, sv, "").finish("d=1").key.length).toBe(26);
    expect(sv.shared.keyCount()).toBe(2);
    expect((<SharedBackend>f.backend).store.settings.capacity).toBe(2);
  });

  it("validates session.shared in the configuration", () => {
    const r = parseConfig(Uint8Array.wrap(String.UTF8.encode('{"session":{"store":"shared","shared":{"capacity":0}}}')));
    expect(r.errors.join("\n")).toBe("session.shared.capacity: must be between 1 and 16777216, got 0");
  });
});
