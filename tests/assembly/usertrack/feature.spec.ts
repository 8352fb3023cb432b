import { parseConfig } from "../../../assembly/config";
import { HeaderMap } from "../../../assembly/core/headers";
import { UsertrackFeature, UsertrackFilter } from "../../../assembly/usertrack/feature";
import { FakeServices, fakeServices } from "./fake-services";

function utf8(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }

// The time and random part of Apache's first vector: 9ff211bb.660d5bfbf26c3 (Sun, 22 Nov 2026 04:17:01 GMT).
const T1: i64 = 0x660d5bfbf26c3;
const R1: u8[] = [0xbb, 0x11, 0xf2, 0x9f];

function services(micros: i64, random: u8[]): FakeServices {
  const s = fakeServices();
  s.now = micros;
  s.scripted = random;
  return s;
}

function make(json: string, svc: FakeServices): UsertrackFeature {
  const r = parseConfig(utf8(json));
  if (!r.ok) return changetype<UsertrackFeature>(0);
  return new UsertrackFeature(r.config!.usertrack!, svc);
}

function request(cookies: string[]): HeaderMap {
  const h = new HeaderMap();
  h.load(":method", "GET");
  h.load(":path", "/");
  for (let i = 0; i < cookies.length; i++) h.load("cookie", cookies[i]);
  return h;
}

function response(status: string): HeaderMap {
  const h = new HeaderMap();
  h.load(":status", status);
  h.load("set-cookie", "app=1");
  return h;
}

/** The Set-Cookie lines the filter added, as `Name: value` joined by newlines. */
function added(h: HeaderMap): string {
  const out = new Array<string>();
  for (let i = 0; i < h.editCount; i++) {
    const n = h.editNames[i];
    const name = n == "set-cookie" ? "Set-Cookie" : n == "set-cookie2" ? "Set-Cookie2" : n == "p3p" ? "P3P" : n;
    out.push(name + ": " + h.editValues[i]);
  }
  return out.join("\n");
}

/** One request without cookies through a fresh feature: the Set-Cookie line(s) of its response. */
function firstVisit(json: string, micros: i64, random: u8[]): string {
  const svc = services(micros, random);
  const f = make(json, svc);
  const filter = f.newStream(svc)!;
  filter.onRequestHeaders(request([]));
  const resp = response("200");
  filter.onResponseHeaders(resp);
  return added(resp);
}

describe("Set-Cookie lines (vectors.json usertrack_set_cookie)", () => {
  it("CookieExpires \"2 weeks\", default name and style", () => {
    expect(firstVisit('{"usertrack":{"expires":"2 weeks"}}', T1, R1))
      .toBe("Set-Cookie: Apache=9ff211bb.660d5bfbf26c3; path=/; expires=Sun, 06-Dec-26 04:17:01 GMT");
  });
  it("CookieStyle Cookie", () => {
    expect(firstVisit('{"usertrack":{"style":"Cookie","expires":"2 weeks"}}', 0x660d5bfbf8b68, [0xac, 0x77, 0x6a, 0xfb]))
      .toBe("Set-Cookie: Apache=fb6a77ac.660d5bfbf8b68; path=/; max-age=1209600");
  });
  it("CookieStyle Cookie2", () => {
    expect(firstVisit('{"usertrack":{"style":"Cookie2","expires":"2 weeks"}}', 0x660d5bfbfbbd5, [0x82, 0x45, 0x18, 0xf0]))
      .toBe("Set-Cookie2: Apache=f0184582.660d5bfbfbbd5; path=/; max-age=1209600");
  });
  it("name, Cookie style, HttpOnly, Secure, SameSite Strict", () => {
    expect(firstVisit('{"usertrack":{"cookie_name":"trk","style":"cookie","http_only":true,"secure":true,"same_site":"Strict","expires":"2 weeks"}}',
      0x660d5bfbff37e, [0x2e, 0xc2, 0x0b, 0xce]))
      .toBe("Set-Cookie: trk=ce0bc22e.660d5bfbff37e; path=/; max-age=1209600; SameSite=Strict; Secure; HttpOnly");
  });
  it("name, domain, Netscape style", () => {
    expect(firstVisit('{"usertrack":{"cookie_name":"trk","domain":".example.com","style":"Netscape","expires":"2 weeks"}}',
      0x660d5bfc0270a, [0x4d, 0x07, 0x32, 0x16]))
      .toBe("Set-Cookie: trk=1632074d.660d5bfc0270a; path=/; expires=Sun, 06-Dec-26 04:17:01 GMT; domain=.example.com");
  });
  it("Cookie2 with domain: version=1, then SameSite, Secure, HttpOnly", () => {
    expect(firstVisit('{"usertrack":{"style":"Cookie2","domain":".example.com","same_site":"Lax","secure":true,"http_only":true,"expires":3600}}',
      0x660d5b0acc0b5, [0x49, 0xa1, 0xea, 0x69]))
      .toBe("Set-Cookie2: Apache=69eaa149.660d5b0acc0b5; path=/; max-age=3600; domain=.example.com; version=1; SameSite=Lax; Secure; HttpOnly");
  });
  it("no CookieExpires: a session cookie", () => {
    expect(firstVisit('{"usertrack":{}}', 0x660d5bf5a8e4a, [0x0d, 0xa4, 0x61, 0x85]))
      .toBe("Set-Cookie: Apache=8561a40d.660d5bf5a8e4a; path=/");
  });
});

describe("Set-Cookie lines: the other combinations of §1.5", () => {
  it("writes the random part without padding and RFC aliases like their styles", () => {
    expect(firstVisit('{"usertrack":{}}', 0x1, [0x0d, 0, 0, 0])).toBe("Set-Cookie: Apache=d.1; path=/");
    expect(firstVisit('{"usertrack":{"style":"RFC2109","expires":60}}', T1, R1)).toBe("Set-Cookie: Apache=9ff211bb.660d5bfbf26c3; path=/; max-age=60");
    expect(firstVisit('{"usertrack":{"style":"rfc2965","expires":60}}', T1, R1)).toBe("Set-Cookie2: Apache=9ff211bb.660d5bfbf26c3; path=/; max-age=60");
  });
  it("gives RFC2109 no version=1 with a domain, and Cookie2 none without one", () => {
    expect(firstVisit('{"usertrack":{"style":"cookie","domain":".a.example"}}', T1, R1)).toBe("Set-Cookie: Apache=9ff211bb.660d5bfbf26c3; path=/; domain=.a.example");
    expect(firstVisit('{"usertrack":{"style":"cookie2","same_site":"none"}}', T1, R1)).toBe("Set-Cookie2: Apache=9ff211bb.660d5bfbf26c3; path=/; SameSite=None");
    expect(firstVisit('{"usertrack":{"style":"cookie2","domain":".a.example"}}', T1, R1)).toBe("Set-Cookie2: Apache=9ff211bb.660d5bfbf26c3; path=/; domain=.a.example; version=1");
  });
  it("writes expires= only for Netscape and only when expires > 0", () => {
    expect(firstVisit('{"usertrack":{"expires":0,"http_only":true}}', T1, R1)).toBe("Set-Cookie: Apache=9ff211bb.660d5bfbf26c3; path=/; HttpOnly");
    expect(firstVisit('{"usertrack":{"expires":"1 y","secure":true}}', T1, R1)).toBe("Set-Cookie: Apache=9ff211bb.660d5bfbf26c3; path=/; expires=Mon, 22-Nov-27 04:17:01 GMT; Secure");
  });
});

describe("the usertrack filter", () => {
  it("leaves a returning visitor alone and exposes the id", () => {
    const svc = services(T1, R1);
    const f = make('{"usertrack":{"upstream_header":"X-Usertrack-Id"}}', svc);
    const filter = f.newStream(svc)!;
    const req = request(["foo=1, Apache=abc.123; bar=2"]);
    req.load("x-usertrack-id", "forged");
    filter.onRequestHeaders(req);
    expect(req.getAll("x-usertrack-id").join("|")).toBe("abc.123");
    const resp = response("200");
    filter.onResponseHeaders(resp);
    expect(resp.editCount).toBe(0);
    expect(svc.state("clicktrail_usertrack_id")).toBe("abc.123");
    expect(svc.state("clicktrail_usertrack_new")).toBe("0");
    expect(svc.metric("clicktrail.usertrack.cookies_seen")).toBe(1);
    expect(svc.metric("clicktrail.usertrack.cookies_issued")).toBe(0);
  });

  it("gives a new visitor an id at once and the cookie on every response, once each", () => {
    const svc = services(T1, R1);
    const f = make('{"usertrack":{"upstream_header":"x-usertrack-id"}}', svc);
    const filter = f.newStream(svc)!;
    const req = request(["apache=zzz"]);
    filter.onRequestHeaders(req);
    expect(req.get("x-usertrack-id")!).toBe("9ff211bb.660d5bfbf26c3");
    expect(svc.state("clicktrail_usertrack_id")).toBe("9ff211bb.660d5bfbf26c3");
    expect(svc.state("clicktrail_usertrack_new")).toBe("1");
    const notFound = response("404");
    filter.onResponseHeaders(notFound);
    filter.onResponseHeaders(notFound);
    expect(added(notFound)).toBe("Set-Cookie: Apache=9ff211bb.660d5bfbf26c3; path=/");
    expect(notFound.getAll("set-cookie").join("|")).toBe("app=1|Apache=9ff211bb.660d5bfbf26c3; path=/");
    const localReply = response("503");
    filter.onResponseHeaders(localReply);
    expect(added(localReply)).toBe("Set-Cookie: Apache=9ff211bb.660d5bfbf26c3; path=/");
    expect(svc.metric("clicktrail.usertrack.cookies_issued")).toBe(2);
  });

  it("removes a client's upstream header even when the cookie is present and sets nothing without the option", () => {
    const svc = services(T1, R1);
    const f = make('{"usertrack":{"upstream_header":"x-uid"}}', svc);
    const filter = f.newStream(svc)!;
    const req = request(["Apache=mine"]);
    req.load("x-uid", "a");
    req.load("x-uid", "b");
    filter.onRequestHeaders(req);
    expect(req.getAll("x-uid").join("|")).toBe("mine");

    const plain = make('{"usertrack":{}}', svc).newStream(svc)!;
    const req2 = request(["Apache=mine"]);
    plain.onRequestHeaders(req2);
    expect(req2.editCount).toBe(0);
  });

  it("switched off, only strips a configured upstream header", () => {
    const svc = services(T1, R1);
    const f = make('{"usertrack":{"enabled":false,"upstream_header":"x-uid"}}', svc);
    const filter = f.newStream(svc)!;
    const req = request([]);
    req.load("x-uid", "forged");
    filter.onRequestHeaders(req);
    expect(req.has("x-uid")).toBe(false);
    const resp = response("200");
    filter.onResponseHeaders(resp);
    expect(resp.editCount).toBe(0);
    expect(svc.state("clicktrail_usertrack_id")).toBe("(unset)");
  });

  it("adds no cookie to a response whose request it never saw", () => {
    const svc = services(T1, R1);
    const filter = make('{"usertrack":{}}', svc).newStream(svc)!;
    const resp = response("403");
    filter.onResponseHeaders(resp);
    expect(resp.editCount).toBe(0);
  });
});

// nginx: the vectors' ids share time 0x6b026bf9 (22 Nov 2026 04:13:45) and start value 0x1b8136df.
const NT: i64 = <i64>0x6b026bf9 * 1000000 + 140820;

function nginxServices(): FakeServices {
  const s = services(NT, []);
  s.worker = 0x36df;
  s.local = "127.0.0.1";
  return s;
}

describe("format nginx (vectors.json nginx_userid)", () => {
  it("issues version 2 ids from the server address, time, start value and sequence", () => {
    const svc = nginxServices();
    const f = make('{"usertrack":{"format":"nginx"}}', svc);
    expect(f.startValue).toBe(0x1b8136df);
    const filter = f.newStream(svc)!;
    filter.onRequestHeaders(request([]));
    const resp = response("200");
    filter.onResponseHeaders(resp);
    expect(added(resp)).toBe("Set-Cookie: uid=fwAAAWsCa/kbgTbfAwMDAg==; path=/");
    expect(svc.state("clicktrail_usertrack_uid")).toBe("uid=0100007FF96B026BDF36811B02030303");
    expect(svc.state("clicktrail_usertrack_id")).toBe("fwAAAWsCa/kbgTbfAwMDAg==");
  });

  it("issues version 1 ids in host byte order with the service", () => {
    const svc = nginxServices();
    const filter = make('{"usertrack":{"format":"nginx","nginx_version":1,"nginx_service":7}}', svc).newStream(svc)!;
    filter.onRequestHeaders(request([]));
    const resp = response("200");
    filter.onResponseHeaders(resp);
    expect(added(resp)).toBe("Set-Cookie: uid=BwAAAPlrAmvfNoEbAQAAAA==; path=/");
    expect(svc.state("clicktrail_usertrack_uid")).toBe("uid=000000076B026BF91B8136DF00000001");
  });

  it("writes the full attribute layout with the mark and P3P, on the worker's second id", () => {
    const svc = nginxServices();
    const f = make('{"usertrack":{"format":"nginx","cookie_name":"tid","nginx_mark":"B","expires":"365 days","domain":"example.com","nginx_path":"/app","secure":true,"http_only":true,"same_site":"lax","nginx_p3p":"CP=\\"NOI\\""}}', svc);
    f.nextNginxUid(svc);
    const filter = f.newStream(svc)!;
    filter.onRequestHeaders(request([]));
    const resp = response("200");
    filter.onResponseHeaders(resp);
    expect(added(resp)).toBe("Set-Cookie: tid=fwAAAWsCa/kbgTbfAwMEAgB=; expires=Mon, 22-Nov-27 04:13:45 GMT; domain=example.com; path=/app; secure; httponly; samesite=lax\nP3P: CP=\"NOI\"");
  });

  it("re-issues a valid id whose mark differs, keeps one that matches", () => {
    const svc = nginxServices();
    const f = make('{"usertrack":{"format":"nginx","nginx_mark":"B","expires":"max"}}', svc);
    const a = f.newStream(svc)!;
    a.onRequestHeaders(request(["uid=fwAAAWsCa/kbgTbfAwMDAg=="]));
    const ra = response("200");
    a.onResponseHeaders(ra);
    expect(added(ra)).toBe("Set-Cookie: uid=fwAAAWsCa/kbgTbfAwMDAgB=; expires=Thu, 31-Dec-37 23:55:55 GMT; path=/");
    expect(svc.state("clicktrail_usertrack_new")).toBe("0");
    const b = f.newStream(svc)!;
    b.onRequestHeaders(request(["UID = fwAAAWsCa/kbgTbfAwMDAgB="]));
    const rb = response("200");
    b.onResponseHeaders(rb);
    expect(rb.editCount).toBe(0);
    expect(svc.state("clicktrail_usertrack_id")).toBe("fwAAAWsCa/kbgTbfAwMDAg==");
    expect(svc.metric("clicktrail.usertrack.cookies_seen")).toBe(2);
  });

  it("re-issues the canonical encoding, never the client's stray characters", () => {
    const svc = nginxServices();
    const f = make('{"usertrack":{"format":"nginx","nginx_mark":"B"}}', svc);
    const a = f.newStream(svc)!;
    a.onRequestHeaders(request(["uid=fwAAAWsCa/kbgTbfAwMDAh=="]));
    const ra = response("200");
    a.onResponseHeaders(ra);
    expect(added(ra)).toBe("Set-Cookie: uid=fwAAAWsCa/kbgTbfAwMDAgB=; path=/");
    const b = f.newStream(svc)!;
    b.onRequestHeaders(request(["uid=fwAAAWsCa/kbgTbfAwMD=,xx"]));
    const rb = response("200");
    b.onResponseHeaders(rb);
    expect(added(rb)).toBe("Set-Cookie: uid=fwAAAWsCa/kbgTbfAwMDAAB=; path=/");
    expect(svc.state("clicktrail_usertrack_new")).toBe("0");
  });

  it("replaces short, invalid and zero-sequence cookies with new ids", () => {
    const svc = nginxServices();
    const f = make('{"usertrack":{"format":"nginx"}}', svc);
    const cases = ["uid=fwAAAWsCa/kbgTbfAwMDA", "uid=fwAAAWsCa_kbgTbfAwMDAg==", "uid=fwAAAWsCa/kbgTbfAAAAAA==", "uid=fwAA=WsCa/kbgTbfAwMDAg=="];
    for (let i = 0; i < cases.length; i++) {
      const filter = f.newStream(svc)!;
      filter.onRequestHeaders(request([cases[i]]));
      expect(svc.state("clicktrail_usertrack_new")).toBe("1");
    }
    expect(svc.metric("clicktrail.usertrack.cookies_invalid")).toBe(2);
    expect(svc.logLines[0]).toBe("2 clicktrail: usertrack: client sent too short userid cookie \"fwAAAWsCa/kbgTbfAwMDA\"");
    expect(svc.logLines[1]).toBe("2 clicktrail: usertrack: client sent invalid userid cookie \"fwAAAWsCa_kbgTbfAwMDAg==\"");
    expect(svc.metric("clicktrail.usertrack.cookies_issued")).toBe(0);
  });

  it("takes the last four bytes of an IPv6 address and zero when unknown", () => {
    const svc = nginxServices();
    svc.local = "2001:db8::7f00:1";
    const f = make('{"usertrack":{"format":"nginx"}}', svc);
    const filter = f.newStream(svc)!;
    filter.onRequestHeaders(request([]));
    expect(svc.state("clicktrail_usertrack_id")).toBe("fwAAAWsCa/kbgTbfAwMDAg==");
    svc.local = "::ffff:10.1.2.3";
    f.newStream(svc)!.onRequestHeaders(request([]));
    expect(svc.state("clicktrail_usertrack_uid")).toBe("uid=0302010AF96B026BDF36811B02040303");
    svc.local = "";
    f.newStream(svc)!.onRequestHeaders(request([]));
    expect(svc.state("clicktrail_usertrack_uid")).toBe("uid=00000000F96B026BDF36811B02050303");
  });
});
