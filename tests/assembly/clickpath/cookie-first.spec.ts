// clickpath.mode "cookie_first": each row of the behaviour table, headers compared whole.
import { parseConfig } from "../../../assembly/config";
import { ClickpathFeature, ClickpathStream, cleanLocation } from "../../../assembly/clickpath/filter";
import { cookieValueOf, sessionSetCookie, urlFormOf } from "../../../assembly/clickpath/cookie";
import { SessionCookie } from "../../../assembly/clickpath/settings";
import { encodeId, escapeRemote } from "../../../assembly/clickpath/id";
import { FakeServices, fakeServices, headers, dump } from "./fake";

const NOW: u32 = 1700000000;
const COOKIE_FIRST = '{"clickpath":{"mode":"cookie_first","max_session_age":3600}}';
/** The id FakeServices' fixed clock, worker, counter and connection give a new session. */
const NEW_ID = encodeId("fwAAAQ", NOW, 3, 0x1212, 7, "", null);

function feature(json: string, services: FakeServices): ClickpathFeature {
  const r = parseConfig(Uint8Array.wrap(String.UTF8.encode(json)));
  if (r.config == null) throw new Error(r.errors.join("\n"));
  services.local = "127.0.0.1";
  return new ClickpathFeature(r.config!.clickpath!, services);
}

function stream(f: ClickpathFeature, s: FakeServices): ClickpathStream {
  return changetype<ClickpathStream>(f.newStream(s));
}

function errorsOf(json: string): string {
  return parseConfig(Uint8Array.wrap(String.UTF8.encode(json))).errors.join("\n");
}

function bytes(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }
function text(b: Uint8Array): string { return String.UTF8.decode(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)); }

describe("cookie_first configuration", () => {
  it("defaults: Secure, HttpOnly, SameSite=Lax, path /, clean URLs on", () => {
    const c = parseConfig(Uint8Array.wrap(String.UTF8.encode('{"clickpath":{"mode":"cookie_first"}}'))).config!.clickpath!;
    expect(c.cookie.name).toBe("clickpath");
    expect(c.cookie.path).toBe("/");
    expect(c.cookie.domain).toBe("");
    expect(c.cookie.sameSite).toBe("Lax");
    expect(c.cookie.secure).toBe(true);
    expect(c.cookie.httpOnly).toBe(true);
    expect(c.cleanUrls).toBe(true);
    const url = parseConfig(Uint8Array.wrap(String.UTF8.encode('{"clickpath":{}}'))).config!.clickpath!;
    expect(url.cleanUrls).toBe(false);
  });

  it("every cookie key is read", () => {
    const c = parseConfig(Uint8Array.wrap(String.UTF8.encode('{"clickpath":{"mode":"COOKIE_FIRST","clean_urls":false,' +
      '"cookie":{"name":"cp","path":"/shop","domain":".example.com","same_site":"Strict","secure":false,"http_only":false}}}'))).config!.clickpath!;
    expect(c.cleanUrls).toBe(false);
    expect(sessionSetCookie(c.cookie, "ab,c;d", 60)).toBe("cp=ab%2Cc%3Bd; path=/shop; max-age=60; domain=.example.com; SameSite=Strict");
  });

  it("errors name their JSON path", () => {
    expect(errorsOf('{"clickpath":{"mode":"cookie"}}')).toBe('clickpath.mode: expected one of url, cookie_first, got "cookie"');
    expect(errorsOf('{"clickpath":{"cookie":{"name":"x"},"clean_urls":true}}'))
      .toBe('clickpath.cookie: applies only to mode "cookie_first"\nclickpath.clean_urls: applies only to mode "cookie_first"');
    expect(errorsOf('{"clickpath":{"mode":"cookie_first","cookie":{"name":"a b","path":"shop","domain":"","same_site":"none","secure":false,"max_age":1}}}'))
      .toBe("clickpath.cookie.name: \"a b\" is not a cookie name: use letters, digits and !#$%&'*+-.^_`|~\n" +
        'clickpath.cookie.path: expected a path starting with "/", visible ASCII without ";" or ","\n' +
        'clickpath.cookie.domain: expected a domain name, visible ASCII without ";" or ","\n' +
        'clickpath.cookie.same_site: "none" needs secure true: browsers refuse SameSite=None cookies without Secure\n' +
        "clickpath.cookie.max_age: unknown key");
    expect(errorsOf('{"clickpath":{"mode":"cookie_first","cookie":{"same_site":"sometimes"},"clean_urls":1}}'))
      .toBe('clickpath.cookie.same_site: expected one of lax, strict, none, got "sometimes"\nclickpath.clean_urls: expected true or false, got 1');
    expect(errorsOf('{"clickpath":{"mode":"cookie_first","cookie":[]}}')).toBe("clickpath.cookie: expected an object, got an array");
  });
});

describe("cookie values", () => {
  it("\",\" and \";\" are escaped for the cookie; both forms name the same id", () => {
    expect(cookieValueOf("abc")).toBe("abc");
    expect(cookieValueOf(",a;b,")).toBe("%2Ca%3Bb%2C");
    expect(urlFormOf("%2Ca%3Bb%2C")!).toBe(",a;b,");
    expect(urlFormOf("%41b")!).toBe("Ab");
    expect(urlFormOf("%4") == null).toBe(true);
  });

  it("Set-Cookie: a browser-session cookie without max_session_age", () => {
    expect(sessionSetCookie(new SessionCookie(), "id1", 0)).toBe("clickpath=id1; path=/; SameSite=Lax; Secure; HttpOnly");
  });

  it("the clean Location never becomes protocol-relative", () => {
    expect(cleanLocation("/a/b?q=1")).toBe("/a/b?q=1");
    expect(cleanLocation("//evil.example/x")).toBe("/evil.example/x");
    expect(cleanLocation("/\\evil.example/x")).toBe("/evil.example/x");
    expect(cleanLocation("/")).toBe("/");
  });
});

describe("cookie_first requests", () => {
  it("a new visitor: a new id, a Set-Cookie with it, Location and links rewritten", () => {
    const s = fakeServices();
    const f = feature(COOKIE_FIRST, s);
    const st = stream(f, s);
    const h = headers([":method", "GET", ":path", "/dir/index.html", ":authority", "h.example", "accept-encoding", "gzip"]);
    st.onRequestHeaders(h);
    expect(dump(h)).toBe(":method: GET\n:path: /dir/index.html\n:authority: h.example\nx-clickpath-session: " + NEW_ID +
      "\nx-clickpath-session-start: 1700000000\nx-clickpath-session-age: 0\nx-clickpath-session-path: /-S:" + NEW_ID +
      "\nx-clickpath-machine: fwAAAQ\n");
    expect(st.localReply() == null).toBe(true);
    const r = headers([":status", "200", "content-type", "text/html", "location", "/next.html"]);
    st.onResponseHeaders(r);
    expect(dump(r)).toBe(":status: 200\ncontent-type: text/html\nlocation: /-S:" + NEW_ID + "/next.html\nset-cookie: clickpath=" +
      NEW_ID + "; path=/; max-age=3600; SameSite=Lax; Secure; HttpOnly\n");
    expect(text(st.onResponseBody(bytes('<a href="/x.html">x</a><a href="y.html">y</a>'), true)))
      .toBe('<a href="/-S:' + NEW_ID + '/x.html">x</a><a href="/-S:' + NEW_ID + '/dir/y.html">y</a>');
    // A second pass over the same response map adds no second line.
    st.onResponseHeaders(r);
    expect(r.getAll("set-cookie").length).toBe(1);
    expect(s.metric("clicktrail.clickpath.sessions_created")).toBe(1);
    expect(s.stateValues[0]).toBe(NEW_ID);
  });

  it("a valid cookie: the session, nothing rewritten, no Set-Cookie, Accept-Encoding kept", () => {
    const s = fakeServices();
    const f = feature(COOKIE_FIRST, s);
    const id = encodeId("web1", NOW - 100, 9, 5, 1, "", null);
    const st = stream(f, s);
    const h = headers([":method", "GET", ":path", "/a.html", ":authority", "h.example", "cookie", "other=1; clickpath=" + id, "accept-encoding", "gzip"]);
    st.onRequestHeaders(h);
    expect(dump(h)).toBe(":method: GET\n:path: /a.html\n:authority: h.example\ncookie: other=1; clickpath=" + id + "\naccept-encoding: gzip\n" +
      "x-clickpath-session: " + id + "\nx-clickpath-session-start: 1699999900\nx-clickpath-session-age: 100\nx-clickpath-session-path: /-S:" + id +
      "\nx-clickpath-machine: web1\nx-clickpath-source: cookie\n");
    expect(st.localReply() == null).toBe(true);
    const r = headers([":status", "302", "content-type", "text/html", "location", "/next.html", "refresh", "1; url=/x"]);
    st.onResponseHeaders(r);
    expect(dump(r)).toBe(":status: 302\ncontent-type: text/html\nlocation: /next.html\nrefresh: 1; url=/x\n");
    expect(st.rewritesResponseBody()).toBe(false);
    expect(s.stateValues[0]).toBe(id);
    expect(s.metric("clicktrail.clickpath.sessions_continued")).toBe(1);
    expect(s.metric("clicktrail.clickpath.sessions_continued_by_cookie")).toBe(1);
    expect(s.metric("clicktrail.clickpath.sessions_continued_by_url")).toBe(0);
    expect(s.metric("clicktrail.clickpath.sessions_created")).toBe(0);
  });

  it("a valid cookie and the same id in the URL: a GET or HEAD is redirected (307) to the clean URL, query kept", () => {
    const s = fakeServices();
    const f = feature(COOKIE_FIRST, s);
    const id = encodeId("web1", NOW - 100, 9, 5, 1, "", null);
    const methods = ["GET", "HEAD"];
    for (let i = 0; i < methods.length; i++) {
      const st = stream(f, s);
      const h = headers([":method", methods[i], ":path", "/-S:" + id + "/a/b.html?q=1&r=2", "cookie", "clickpath=" + id]);
      st.onRequestHeaders(h);
      expect(h.get(":path")!).toBe("/a/b.html?q=1&r=2");
      expect(h.get("x-clickpath-source")!).toBe("cookie");
      const reply = st.localReply()!;
      expect(reply.status).toBe(307);
      expect(reply.details).toBe("clicktrail_clean_url");
      expect(dump(reply.headers)).toBe("location: /a/b.html?q=1&r=2\ncache-control: no-store\n");
      // The reply comes back through the filter: nothing is added to it.
      const back = headers([":status", "307", "location", "/a/b.html?q=1&r=2", "cache-control", "no-store"]);
      st.onResponseHeaders(back);
      expect(dump(back)).toBe(":status: 307\nlocation: /a/b.html?q=1&r=2\ncache-control: no-store\n");
    }
    expect(s.metric("clicktrail.clickpath.url_sessions_upgraded")).toBe(2);
    expect(s.metric("clicktrail.clickpath.clean_url_redirects")).toBe(2);
    expect(s.metric("clicktrail.clickpath.cookie_url_conflicts")).toBe(0);
  });

  it("a POST with the cookie and a URL segment goes upstream stripped, not redirected; clean_urls false never redirects", () => {
    const s = fakeServices();
    const f = feature(COOKIE_FIRST, s);
    const id = encodeId("web1", NOW - 100, 9, 5, 1, "", null);
    const st = stream(f, s);
    const h = headers([":method", "POST", ":path", "/-S:" + id + "/form", "cookie", "clickpath=" + id]);
    st.onRequestHeaders(h);
    expect(h.get(":path")!).toBe("/form");
    expect(st.localReply() == null).toBe(true);
    const s2 = fakeServices();
    const f2 = feature('{"clickpath":{"mode":"cookie_first","clean_urls":false}}', s2);
    const st2 = stream(f2, s2);
    const h2 = headers([":method", "GET", ":path", "/-S:" + id + "/page", "cookie", "clickpath=" + id]);
    st2.onRequestHeaders(h2);
    expect(h2.get(":path")!).toBe("/page");
    expect(st2.localReply() == null).toBe(true);
    expect(s2.metric("clicktrail.clickpath.clean_url_redirects")).toBe(0);
    expect(s2.metric("clicktrail.clickpath.url_sessions_upgraded")).toBe(1);
  });

  it("cookie and URL disagree: the cookie wins, counted as a conflict", () => {
    const s = fakeServices();
    const f = feature(COOKIE_FIRST, s);
    const mine = encodeId("web1", NOW - 100, 9, 5, 1, "", null);
    const theirs = encodeId("web2", NOW - 50, 8, 6, 2, "", null);
    const st = stream(f, s);
    const h = headers([":method", "GET", ":path", "/-S:" + theirs + "/shared.html", "cookie", "clickpath=" + mine,
      "referer", "http://h.example/-S:" + theirs + "/from.html"]);
    st.onRequestHeaders(h);
    expect(h.get("x-clickpath-session")!).toBe(mine);
    expect(h.get("x-clickpath-machine")!).toBe("web1");
    expect(h.get("referer")!).toBe("http://h.example/from.html");
    expect(dump(st.localReply()!.headers)).toBe("location: /shared.html\ncache-control: no-store\n");
    // An undecodable URL id is a conflict too, and is not reported as invalid.
    const st2 = stream(f, s);
    const h2 = headers([":method", "POST", ":path", "/-S:garbage/x", "cookie", "clickpath=" + mine]);
    st2.onRequestHeaders(h2);
    expect(h2.get("x-clickpath-session")!).toBe(mine);
    expect(h2.has("x-clickpath-invalid-session")).toBe(false);
    expect(s.metric("clicktrail.clickpath.cookie_url_conflicts")).toBe(2);
    expect(s.metric("clicktrail.clickpath.sessions_invalid")).toBe(0);
    expect(s.metric("clicktrail.clickpath.url_sessions_upgraded")).toBe(0);
  });

  it("no cookie, a valid URL id: continues by URL, rewritten, the cookie offered again for the id's remaining life", () => {
    const s = fakeServices();
    const f = feature(COOKIE_FIRST, s);
    const id = encodeId("web1", NOW - 100, 9, 5, 1, "", null);
    const st = stream(f, s);
    const h = headers([":method", "GET", ":path", "/-S:" + id + "/dir/p.html", ":authority", "h.example", "accept-encoding", "gzip"]);
    st.onRequestHeaders(h);
    expect(dump(h)).toBe(":method: GET\n:authority: h.example\n:path: /dir/p.html\nx-clickpath-session: " + id +
      "\nx-clickpath-session-start: 1699999900\nx-clickpath-session-age: 100\nx-clickpath-session-path: /-S:" + id +
      "\nx-clickpath-machine: web1\nx-clickpath-source: url\n");
    const r = headers([":status", "200", "content-type", "text/html", "location", "http://h.example/q"]);
    st.onResponseHeaders(r);
    expect(dump(r)).toBe(":status: 200\ncontent-type: text/html\nlocation: http://h.example/-S:" + id + "/q\nset-cookie: clickpath=" + id +
      "; path=/; max-age=3500; SameSite=Lax; Secure; HttpOnly\n");
    expect(text(st.onResponseBody(bytes('<a href="/x">x</a><a href="rel">r</a>'), true))).toBe('<a href="/-S:' + id + '/x">x</a><a href="rel">r</a>');
    expect(s.metric("clicktrail.clickpath.sessions_continued_by_url")).toBe(1);
    expect(s.metric("clicktrail.clickpath.sessions_continued_by_cookie")).toBe(0);
  });

  it("a forged, a tampered and an expired cookie are ignored: the URL's id, else a new one", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"mode":"cookie_first","max_session_age":3600,"secrets":["a secret of enough bytes"]}}', s);
    const st0 = stream(f, s);
    const h0 = headers([":path", "/"]);
    st0.onRequestHeaders(h0);
    const signed = h0.get("x-clickpath-session")!;
    const forged = encodeId("fwAAAQ", NOW, 1, 1, 1, "", null);
    // Forged cookie, valid URL id: continues by URL and re-offers the cookie.
    const st = stream(f, s);
    const h = headers([":path", "/-S:" + signed + "/x", "cookie", "clickpath=" + forged]);
    st.onRequestHeaders(h);
    expect(h.get("x-clickpath-session")!).toBe(signed);
    expect(h.get("x-clickpath-source")!).toBe("url");
    expect(h.has("x-clickpath-invalid-session")).toBe(false);
    expect(st.setCookie).toBe("clickpath=" + cookieValueOf(signed) + "; path=/; max-age=3600; SameSite=Lax; Secure; HttpOnly");
    expect(s.logLines[0]).toBe("clicktrail: clickpath: ignored the session cookie: unsigned id while secrets are configured");
    // Tampered cookie, nothing in the URL: a new session; the upstream hears of the refused id.
    const tampered = signed.substring(0, 10) + (signed.charAt(10) == "N" ? "O" : "N") + signed.substring(11);
    const st2 = stream(f, s);
    const h2 = headers([":path", "/y", "cookie", "clickpath=" + tampered]);
    st2.onRequestHeaders(h2);
    expect(h2.get("x-clickpath-invalid-session")!).toBe(tampered);
    expect(h2.get("x-clickpath-session")! != tampered).toBe(true);
    expect(h2.has("x-clickpath-source")).toBe(false);
    // Signed ids hold a "," (the scrambled separator before the friend part): the cookie carries it escaped.
    const fresh = h2.get("x-clickpath-session")!;
    expect(fresh.includes(",")).toBe(true);
    expect(st2.setCookie).toBe("clickpath=" + fresh.replace(",", "%2C") + "; path=/; max-age=3600; SameSite=Lax; Secure; HttpOnly");
    expect(s.metric("clicktrail.clickpath.cookies_ignored")).toBe(2);
    expect(s.metric("clicktrail.clickpath.sessions_invalid")).toBe(1);
    // Expired cookie, nothing in the URL.
    const later = fakeServices();
    later.now = (<i64>NOW + 3601) * 1000000;
    const f2 = feature('{"clickpath":{"mode":"cookie_first","max_session_age":3600,"secrets":["a secret of enough bytes"]}}', later);
    const st3 = stream(f2, later);
    const h3 = headers([":path", "/z", "cookie", "clickpath=" + cookieValueOf(signed)]);
    st3.onRequestHeaders(h3);
    expect(h3.get("x-clickpath-expired-session")!).toBe(signed); // in URL form, as a URL's id would be
    expect(later.metric("clicktrail.clickpath.sessions_expired")).toBe(1);
    expect(later.metric("clicktrail.clickpath.sessions_created")).toBe(1);
    expect(later.logLines[0]).toBe("clicktrail: clickpath: ignored the session cookie: older than max_session_age");
  });

  it("the first valid one of several cookies of that name wins", () => {
    const s = fakeServices();
    const f = feature(COOKIE_FIRST, s);
    const id = encodeId("web1", NOW - 100, 9, 5, 1, "", null);
    const h = headers([":path", "/", "cookie", "clickpath=stale", "cookie", "clickpath=" + id]);
    stream(f, s).onRequestHeaders(h);
    expect(h.get("x-clickpath-session")!).toBe(id);
    expect(s.metric("clicktrail.clickpath.cookies_ignored")).toBe(0);
  });

  it("an id whose friend part holds \",\" or \";\" travels escaped in the cookie and reads back", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"mode":"cookie_first","friendly_sessions":[{"host":"p.example","fields":["param(k)"],"name":"p"}]}}', s);
    const id = encodeId("web1", NOW - 100, 9, 5, 1, "p," + escapeRemote("k=a,b;c"), null);
    expect(id.includes(";")).toBe(true);
    const st = stream(f, s);
    const h = headers([":path", "/-S:" + id + "/x"]);
    st.onRequestHeaders(h);
    const value = cookieValueOf(id);
    expect(st.setCookie).toBe("clickpath=" + value + "; path=/; SameSite=Lax; Secure; HttpOnly");
    expect(value.includes(";") || value.includes(",")).toBe(false);
    const h2 = headers([":method", "GET", ":path", "/-S:" + id + "/y", "cookie", "clickpath=" + value]);
    const st2 = stream(f, s);
    st2.onRequestHeaders(h2);
    expect(h2.get("x-clickpath-session")!).toBe(id);
    expect(h2.get("x-clickpath-remote-session")!).toBe("k=a,b;c");
    expect(s.metric("clicktrail.clickpath.url_sessions_upgraded")).toBe(1);
  });

  it("crawlers: neither cookie nor rewriting", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"mode":"cookie_first","ua_exceptions":[{"name":"Google","pattern":"Googlebot"}]}}', s);
    const st = stream(f, s);
    const h = headers([":path", "/x", "user-agent", "Googlebot/2.1"]);
    st.onRequestHeaders(h);
    expect(dump(h)).toBe(":path: /x\nuser-agent: Googlebot/2.1\nx-clickpath-session: Google\nx-clickpath-session-start: 1700000000\nx-clickpath-session-age: 0\n");
    const r = headers([":status", "302", "location", "/y", "content-type", "text/html"]);
    st.onResponseHeaders(r);
    expect(dump(r)).toBe(":status: 302\nlocation: /y\ncontent-type: text/html\n");
    expect(st.rewritesResponseBody()).toBe(false);
  });

  it("mode url ignores a cookie of that name, sends no source and defines none of the new metrics", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{}}', s);
    const id = encodeId("web1", NOW - 100, 9, 5, 1, "", null);
    const st = stream(f, s);
    const h = headers([":method", "GET", ":path", "/-S:" + id + "/x", "cookie", "clickpath=" + encodeId("web2", NOW, 1, 1, 1, "", null)]);
    st.onRequestHeaders(h);
    expect(h.get("x-clickpath-session")!).toBe(id);
    expect(h.has("x-clickpath-source")).toBe(false);
    expect(st.localReply() == null).toBe(true);
    expect(st.setCookie).toBe("");
    expect(s.metric("clicktrail.clickpath.sessions_continued_by_cookie")).toBe(-1);
    expect(s.metric("clicktrail.clickpath.cookies_ignored")).toBe(-1);
  });
});
