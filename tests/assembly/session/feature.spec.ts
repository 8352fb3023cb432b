// mod_session's observable behaviour: the session_cookie vectors of testdata/originals/vectors.json byte
// for byte (tests/session/vectors.test.mjs checks the literals below against that file), the save
// algorithm, include/exclude, SessionEnv and SessionHeader.
import { SessionSettings } from "../../../assembly/session/settings";
import { all, exchange, FakeServices, fakeServices, feature, request } from "./fakes";

function apacheBasic(): SessionSettings {
  // Session On; SessionCookieName session path=/; SessionHeader X-Replace-Session
  const s = new SessionSettings();
  s.cookieName = "session";
  s.cookieAttributes = "path=/";
  s.responseHeader = "x-replace-session";
  return s;
}

describe("session_cookie vectors", () => {
  it("vector 1: SessionHeader pairs become the cookie", () => {
    const svc = fakeServices();
    const x = exchange(feature(apacheBasic(), svc), svc, "/", [], ["x-replace-session", "key1=foo&key2=bar"]);
    expect(x.setCookies).toBe("session=key1=foo&key2=bar;path=/");
    expect(x.response.has("x-replace-session")).toBe(false);
  });

  it("vector 2: SessionMaxAge 3600 appends expiry and Max-Age", () => {
    const s = apacheBasic();
    s.maxAge = 3600;
    s.cookieAttributes = "path=/;httponly";
    const svc = fakeServices();
    svc.now = 1795324648707705 - 3600 * 1000000;
    const x = exchange(feature(s, svc), svc, "/", [], ["x-replace-session", "key1=foo&key2=bar"]);
    expect(x.setCookies).toBe("session=key1=foo&key2=bar&expiry=1795324648707705;Max-Age=3600;path=/;httponly");
  });

  it("vector 3: no attributes configured gives Apache's defaults; max age writes an empty session", () => {
    const s = new SessionSettings();
    s.cookieName = "sessm";
    s.maxAge = 300;
    const svc = fakeServices();
    svc.now = 1795321081346706 - 300 * 1000000;
    const x = exchange(feature(s, svc), svc, "/", [], []);
    expect(x.setCookies).toBe("sessm=expiry=1795321081346706;Max-Age=300;HttpOnly;Secure;Version=1");
  });

  it("vector 4: escaping, empty value deletes, Cache-Control", () => {
    const s = apacheBasic();
    s.upstreamHeader = "x-session";
    const svc = fakeServices();
    const x = exchange(feature(s, svc), svc, "/", [], ["x-replace-session", "user=alice%20b&role=adm+x&empty="]);
    expect(x.setCookies).toBe("session=user=alice+b&role=adm+x;path=/");
    expect(all(x.response, "cache-control")).toBe("no-cache, private");
  });

  it("vector 5: a session emptied without max age is removed", () => {
    const svc = fakeServices();
    const x = exchange(feature(apacheBasic(), svc), svc, "/", ["session=a=1"], ["x-replace-session", "a="]);
    expect(x.setCookies).toBe("session=;Max-Age=0;path=/");
  });

  it("§3.1 example: an unchanged session without max age is not rewritten; upstream sees it re-encoded", () => {
    const s = apacheBasic();
    s.upstreamHeader = "x-session";
    const svc = fakeServices();
    const x = exchange(feature(s, svc), svc, "/", ["session=role=adm+x&user=alice%20b&zz=1"], []);
    expect(x.request.get("x-session")!).toBe("role=adm+x&user=alice+b&zz=1");
    expect(x.setCookies).toBe("");
    expect(all(x.response, "cache-control")).toBe("no-cache, private");
  });

  it("§3.2 example: with SessionEnv the expiry is written first", () => {
    const s = new SessionSettings();
    s.cookieName = "sessm";
    s.maxAge = 300;
    s.upstreamHeader = "x-session";
    s.responseHeader = "x-replace-session";
    const svc = fakeServices();
    svc.now = 1795321081362730 - 300 * 1000000;
    const x = exchange(feature(s, svc), svc, "/", [], ["x-replace-session", "k=v"]);
    expect(x.request.get("x-session")!).toBe("expiry=1795321081362730");
    expect(x.setCookies).toBe("sessm=expiry=1795321081362730&k=v;Max-Age=300;HttpOnly;Secure;Version=1");
  });
});

describe("save algorithm", () => {
  it("without max age an unchanged session sends no Set-Cookie, a changed one does", () => {
    const svc = fakeServices();
    const f = feature(apacheBasic(), svc);
    expect(exchange(f, svc, "/", ["session=a=1"], []).setCookies).toBe("");
    expect(exchange(f, svc, "/", ["session=a=1"], ["x-replace-session", "b=2"]).setCookies).toBe("session=a=1&b=2;path=/");
  });

  it("a response header marks the session changed even when it changes nothing", () => {
    const svc = fakeServices();
    const x = exchange(feature(apacheBasic(), svc), svc, "/", ["session=a=1"], ["x-replace-session", "a=1"]);
    expect(x.setCookies).toBe("session=a=1;path=/");
  });

  it("with max age every response renews the expiry", () => {
    const s = apacheBasic();
    s.maxAge = 60;
    const svc = fakeServices();
    svc.now = 1000000000000000;
    const x = exchange(feature(s, svc), svc, "/", ["session=a=1&expiry=1000000030000000"], []);
    expect(x.setCookies).toBe("session=a=1&expiry=1000000060000000;Max-Age=60;path=/");
  });

  it("expiry_update_interval skips rewrites that only move the expiry a little", () => {
    const s = apacheBasic();
    s.maxAge = 60;
    s.expiryUpdateInterval = 20;
    const svc = fakeServices();
    svc.now = 1000000000000000;
    const f = feature(s, svc);
    // Written 10 s ago: the expiry would move by 10 s < 20 s.
    expect(exchange(f, svc, "/", ["session=a=1&expiry=1000000050000000"], []).setCookies).toBe("");
    // Written 30 s ago: moves by 30 s.
    expect(exchange(f, svc, "/", ["session=a=1&expiry=1000000030000000"], []).setCookies)
      .toBe("session=a=1&expiry=1000000060000000;Max-Age=60;path=/");
    // Changed data is always written.
    expect(exchange(f, svc, "/", ["session=a=1&expiry=1000000050000000"], ["x-replace-session", "b=2"]).setCookies)
      .toBe("session=a=1&b=2&expiry=1000000060000000;Max-Age=60;path=/");
    // A brand-new empty session moves by nothing: not written (Apache does the same).
    expect(exchange(f, svc, "/", [], []).setCookies).toBe("");
  });

  it("an expired session is dropped and counted", () => {
    const s = apacheBasic();
    s.upstreamHeader = "x-session";
    const svc = fakeServices();
    svc.now = 2000000000000000;
    const x = exchange(feature(s, svc), svc, "/", ["session=a=1&expiry=1999999999999999"], []);
    expect(x.request.has("x-session")).toBe(false);
    expect(svc.metric("clicktrail.session.expired")).toBe(1);
    expect(svc.metric("clicktrail.session.loaded")).toBe(0);
  });

  it("counts loads and saves", () => {
    const svc = fakeServices();
    const f = feature(apacheBasic(), svc);
    exchange(f, svc, "/", ["session=a=1"], ["x-replace-session", "b=2"]);
    expect(svc.metric("clicktrail.session.loaded")).toBe(1);
    expect(svc.metric("clicktrail.session.saved")).toBe(1);
  });

  it("a response header may set Apache's expiry; one in the past means no save", () => {
    const svc = fakeServices();
    svc.now = 2000000000000000;
    const x = exchange(feature(apacheBasic(), svc), svc, "/", [], ["x-replace-session", "a=1&expiry=1000"]);
    expect(x.setCookies).toBe("");
    expect(svc.logLines.join("\n")).toBe("clicktrail: session: the session expired during the request; it was not saved");
  });
});

describe("absolute_max_age", () => {
  it("stores the creation time and caps the rolling expiry at creation + limit", () => {
    const s = apacheBasic();
    s.maxAge = 600;
    s.absoluteMaxAge = 1000;
    const svc = fakeServices();
    svc.now = 1000000000000000;
    const f = feature(s, svc);
    const first = exchange(f, svc, "/", [], ["x-replace-session", "u=1"]);
    expect(first.setCookies).toBe("session=u=1&expiry=1000000600000000&_created=1000000000000000;Max-Age=600;path=/");
    // 500 s later the rolling renewal would reach 1100 s after creation: capped at 1000 s.
    svc.now = 1000000500000000;
    const second = exchange(f, svc, "/", ["session=u=1&expiry=1000000600000000&_created=1000000000000000"], []);
    expect(second.setCookies).toBe("session=u=1&expiry=1000001000000000&_created=1000000000000000;Max-Age=500;path=/");
    // Past the limit the session is gone even when its own expiry says otherwise (a cookie from before
    // the limit was lowered).
    svc.now = 1000001000000001;
    const third = exchange(f, svc, "/", ["session=u=1&expiry=1000009000000000&_created=1000000000000000"], []);
    expect(svc.metric("clicktrail.session.expired")).toBe(1);
    expect(third.setCookies).toBe("session=expiry=1000001600000001&_created=1000001000000001;Max-Age=600;path=/");
  });

  it("a response header cannot move the creation time", () => {
    const s = apacheBasic();
    s.absoluteMaxAge = 1000;
    const svc = fakeServices();
    svc.now = 1000000000000000;
    const x = exchange(feature(s, svc), svc, "/", ["session=u=1&_created=999999999000000"], ["x-replace-session", "_created=1&v=2"]);
    expect(x.setCookies).toBe("session=u=1&v=2&expiry=1000000999000000&_created=999999999000000;Max-Age=999;path=/");
  });
});

describe("include and exclude", () => {
  it("matches byte prefixes of the decoded path; exclude wins", () => {
    const s = apacheBasic();
    s.include = ["/app"];
    s.exclude = ["/app/static"];
    const svc = fakeServices();
    const f = feature(s, svc);
    expect(exchange(f, svc, "/application?x=1", [], ["x-replace-session", "a=1"]).setCookies).toBe("session=a=1;path=/");
    expect(exchange(f, svc, "/%61pp/x", [], ["x-replace-session", "a=1"]).setCookies).toBe("session=a=1;path=/");
    expect(exchange(f, svc, "/app/static/x.css", [], ["x-replace-session", "a=1"]).setCookies).toBe("");
    const out = exchange(f, svc, "/other", [], ["x-replace-session", "a=1"]);
    expect(out.setCookies).toBe("");
    // Out of scope the backend's header is still kept from the client, and nothing is cached-controlled.
    expect(out.response.has("x-replace-session")).toBe(false);
    expect(out.response.has("cache-control")).toBe(false);
  });
});

describe("cookie reading (Apache rules)", () => {
  it("reads across several Cookie headers and comma-joined lists", () => {
    const s = apacheBasic();
    s.upstreamHeader = "x-session";
    const svc = fakeServices();
    const f = feature(s, svc);
    expect(exchange(f, svc, "/", ["a=1", "b=2, session=k=v; $Path=/"], []).request.get("x-session")!).toBe("k=v");
  });

  it("identical duplicates are fine, different ones mean no session", () => {
    const s = apacheBasic();
    s.upstreamHeader = "x-session";
    const svc = fakeServices();
    const f = feature(s, svc);
    expect(exchange(f, svc, "/", ["session=k=v; session=k=v"], []).request.get("x-session")!).toBe("k=v");
    const x = exchange(f, svc, "/", ["session=k=v", "session=k=w"], []);
    expect(x.request.has("x-session")).toBe(false);
    expect(svc.metric("clicktrail.session.decode_failures")).toBe(1);
    expect(svc.logLines.join("\n")).toBe("clicktrail: session: the client sent cookie session more than once with different values; an empty session was started");
  });

  it("is case-sensitive and needs the exact name", () => {
    const s = apacheBasic();
    s.upstreamHeader = "x-session";
    const svc = fakeServices();
    const f = feature(s, svc);
    expect(exchange(f, svc, "/", ["Session=k=v; sessionx=1; xsession=2"], []).request.has("x-session")).toBe(false);
  });

  it("cookie_remove hides the session cookie (and its $ attributes) from the upstream", () => {
    const s = apacheBasic();
    s.cookieRemove = true;
    const svc = fakeServices();
    const f = feature(s, svc);
    const x = exchange(f, svc, "/", ["a=1; session=k=v; $Path=/; b=2", "session=k=v"], []);
    expect(all(x.request, "cookie")).toBe("a=1; b=2");
  });
});

describe("upstream_header (SessionEnv)", () => {
  it("always removes a client-sent header of that name, in scope or not", () => {
    const s = apacheBasic();
    s.upstreamHeader = "x-session";
    s.include = ["/app"];
    const svc = fakeServices();
    const f = feature(s, svc);
    const outside = request("/other", []);
    outside.load("x-session", "spoof=1");
    f.newStream(svc)!.onRequestHeaders(outside);
    expect(outside.has("x-session")).toBe(false);
    const inside = request("/app", ["session=real=1"]);
    inside.load("x-session", "spoof=1");
    f.newStream(svc)!.onRequestHeaders(inside);
    expect(all(inside, "x-session")).toBe("real=1");
    const empty = request("/app", []);
    empty.load("X-Session".toLowerCase(), "spoof=1");
    f.newStream(svc)!.onRequestHeaders(empty);
    expect(empty.has("x-session")).toBe(false);
  });
});
