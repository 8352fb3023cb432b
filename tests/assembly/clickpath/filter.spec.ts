import { parseConfig } from "../../../assembly/config";
import { ClickpathFeature, ClickpathStream } from "../../../assembly/clickpath/filter";
import { encodeId, decodeId } from "../../../assembly/clickpath/id";
import { FakeServices, fakeServices, headers, dump } from "./fake";

function feature(json: string, services: FakeServices, local: string = "127.0.0.1"): ClickpathFeature {
  const r = parseConfig(Uint8Array.wrap(String.UTF8.encode(json)));
  services.local = local;
  return new ClickpathFeature(r.config!.clickpath!, services);
}

function stream(f: ClickpathFeature, s: FakeServices): ClickpathStream {
  return changetype<ClickpathStream>(f.newStream(s));
}

const NOW: u32 = 1700000000;

describe("request side", () => {
  it("a new visitor: path unchanged, session headers, client x-clickpath-* removed", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{}}', s);
    const st = stream(f, s);
    const h = headers([":path", "/index.html", ":authority", "h.example", "x-clickpath-session", "forged", "X-CLICKPATH-MACHINE".toLowerCase(), "evil", "accept-encoding", "gzip"]);
    st.onRequestHeaders(h);
    const id = encodeId("fwAAAQ", NOW, 3, 0x1212, 7, "", null);
    expect(dump(h)).toBe(":path: /index.html\n:authority: h.example\nx-clickpath-session: " + id +
      "\nx-clickpath-session-start: 1700000000\nx-clickpath-session-age: 0\nx-clickpath-session-path: /-S:" + id +
      "\nx-clickpath-machine: fwAAAQ\n");
    expect(s.metric("clicktrail.clickpath.sessions_created")).toBe(1);
    expect(s.stateNames[0]).toBe("clicktrail_clickpath_session");
    expect(s.stateValues[0]).toBe(id);
    // The counter goes on from its random start.
    const st2 = stream(f, s);
    const h2 = headers([":path", "/"]);
    st2.onRequestHeaders(h2);
    expect(h2.get("x-clickpath-session")!).toBe(encodeId("fwAAAQ", NOW, 3, 0x1213, 7, "", null));
  });

  it("a valid session: stripped from :path and Referer, age reported", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"machine":"web1"}}', s);
    const id = encodeId("web1", NOW - 100, 9, 5, 1, "", null);
    const h = headers([":path", "/-S:" + id + "/a/b.html?q=1", ":authority", "h.example", "referer", "http://h.example/-S:" + id + "/prev.html"]);
    const st = stream(f, s);
    st.onRequestHeaders(h);
    expect(h.get(":path")!).toBe("/a/b.html?q=1");
    expect(h.get("referer")!).toBe("http://h.example/prev.html");
    expect(h.get("x-clickpath-session")!).toBe(id);
    expect(h.get("x-clickpath-session-start")!).toBe((NOW - 100).toString());
    expect(h.get("x-clickpath-session-age")!).toBe("100");
    expect(h.get("x-clickpath-machine")!).toBe("web1");
    expect(s.metric("clicktrail.clickpath.sessions_continued")).toBe(1);
    expect(st.ctx.isNew).toBe(false);
  });

  it("an expired, a future and a tampered id are replaced", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"max_session_age":60}}', s);
    const old = encodeId("fwAAAQ", NOW - 61, 9, 5, 1, "", null);
    const h = headers([":path", "/-S:" + old + "/x"]);
    stream(f, s).onRequestHeaders(h);
    expect(h.get(":path")!).toBe("/x");
    expect(h.get("x-clickpath-expired-session")!).toBe(old);
    expect(h.get("x-clickpath-session")! != old).toBe(true);
    const future = encodeId("fwAAAQ", NOW + 10, 9, 5, 1, "", null);
    const h2 = headers([":path", "/-S:" + future + "/x"]);
    stream(f, s).onRequestHeaders(h2);
    expect(h2.get("x-clickpath-expired-session")!).toBe(future);
    const bad = "s9NNNd:WT5PoQ1NNQIaYiNNNNOOM";
    const h3 = headers([":path", "/-S:" + bad + "/x"]);
    stream(f, s).onRequestHeaders(h3);
    expect(h3.get("x-clickpath-invalid-session")!).toBe(bad);
    expect(s.metric("clicktrail.clickpath.sessions_expired")).toBe(2);
    expect(s.metric("clicktrail.clickpath.sessions_invalid")).toBe(1);
    expect(s.metric("clicktrail.clickpath.sessions_created")).toBe(3);
  });

  it("machine table: unknown names are invalid, the row's store goes upstream", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"machine_table":[{"address":"10.0.0.1","name":"A","store":"http://10.0.0.1/store"},{"address":"10.0.0.2","name":"B"}]}}', s, "10.0.0.1");
    const h = headers([":path", "/"]);
    stream(f, s).onRequestHeaders(h);
    expect(h.get("x-clickpath-machine")!).toBe("A");
    expect(h.get("x-clickpath-machine-store")!).toBe("http://10.0.0.1/store");
    const fromB = encodeId("B", NOW, 1, 1, 1, "", null);
    const h2 = headers([":path", "/-S:" + fromB + "/"]);
    stream(f, s).onRequestHeaders(h2);
    expect(h2.get("x-clickpath-session")!).toBe(fromB);
    expect(h2.get("x-clickpath-machine")!).toBe("B");
    expect(h2.has("x-clickpath-machine-store")).toBe(false);
    const fromC = encodeId("C", NOW, 1, 1, 1, "", null);
    const h3 = headers([":path", "/-S:" + fromC + "/"]);
    stream(f, s).onRequestHeaders(h3);
    expect(h3.get("x-clickpath-invalid-session")!).toBe(fromC);
    expect(h3.get("x-clickpath-machine")!).toBe("A");
  });

  it("machine table without a row for this proxy logs once and uses the IP form", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"machine_table":[{"address":"10.0.0.1","name":"A"}]}}', s, "10.0.0.9");
    const h = headers([":path", "/"]);
    stream(f, s).onRequestHeaders(h);
    stream(f, s).onRequestHeaders(headers([":path", "/"]));
    expect(h.get("x-clickpath-machine")!).toBe("CgAACQ");
    expect(s.logLines.length).toBe(1);
    expect(s.logLines[0]).toBe("clicktrail: clickpath: cannot find myself (10.0.0.9) in machine_table; ids carry the IP instead");
  });

  it("UA exceptions: the name goes upstream, no session, no rewriting", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"ua_exceptions":[{"name":"dir.com","pattern":"Pompos"},{"name":"Google","pattern":"Googlebot"}]}}', s);
    const h = headers([":path", "/x", "user-agent", "Mozilla/5.0 (compatible; Googlebot/2.1)", "accept-encoding", "gzip"]);
    const st = stream(f, s);
    st.onRequestHeaders(h);
    expect(dump(h)).toBe(":path: /x\nuser-agent: Mozilla/5.0 (compatible; Googlebot/2.1)\naccept-encoding: gzip\nx-clickpath-session: Google\nx-clickpath-session-start: 1700000000\nx-clickpath-session-age: 0\n");
    const r = headers([":status", "302", "location", "/y", "content-type", "text/html"]);
    st.onResponseHeaders(r);
    expect(dump(r)).toBe(":status: 302\nlocation: /y\ncontent-type: text/html\n");
    expect(st.rewritesResponseBody()).toBe(false);
    const h2 = headers([":path", "/x", "user-agent", "Pompos/1.0"]);
    stream(f, s).onRequestHeaders(h2);
    expect(h2.get("x-clickpath-session")!).toBe("dir.com");
    expect(s.metric("clicktrail.clickpath.ua_exceptions")).toBe(2);
  });

  it("a crawler with a valid session URL keeps it", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"ua_exceptions":[{"name":"Google","pattern":"Googlebot"}]}}', s);
    const id = encodeId("fwAAAQ", NOW, 1, 1, 1, "", null);
    const h = headers([":path", "/-S:" + id + "/x", "user-agent", "Googlebot"]);
    stream(f, s).onRequestHeaders(h);
    expect(h.get("x-clickpath-session")!).toBe(id);
  });

  it("friendly sessions: captured on creation, read back later", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"friendly_sessions":[{"host":"param.friendly.org","fields":["param(ld)","param(id)"],"name":"f"}]}}', s);
    const h = headers([":path", "/", "referer", "https://param.friendly.org/cgi-bin/x.pl?a=b;id=8a/b#9&ld=25"]);
    stream(f, s).onRequestHeaders(h);
    const id = h.get("x-clickpath-session")!;
    expect(id.endsWith("sMyq*.CF!vq*.In*@o*-J")).toBe(true);
    expect(h.get("x-clickpath-remote-session")!).toBe("ld=25%0Aid=8a/b#9");
    expect(h.get("x-clickpath-remote-session-host")!).toBe("param.friendly.org");
    const h2 = headers([":path", "/-S:" + id + "/next"]);
    stream(f, s).onRequestHeaders(h2);
    expect(h2.get("x-clickpath-session")!).toBe(id);
    expect(h2.get("x-clickpath-remote-session")!).toBe("ld=25%0Aid=8a/b#9");
    // The next request's plain id carries no friend: nothing of the one before stays with the feature.
    const plain = encodeId("fwAAAQ", NOW - 5, 9, 5, 1, "", null);
    const h3 = headers([":path", "/-S:" + plain + "/next"]);
    stream(f, s).onRequestHeaders(h3);
    expect(dump(h3)).toBe(":path: /next\nx-clickpath-session: " + plain + "\nx-clickpath-session-start: " +
      (NOW - 5).toString() + "\nx-clickpath-session-age: 5\nx-clickpath-session-path: /-S:" + plain +
      "\nx-clickpath-machine: fwAAAQ\n");
    // And a refused id after a valid one is reported as such, with a new session.
    const h4 = headers([":path", "/-S:" + plain.substring(0, plain.length - 2) + "x/next"]);
    stream(f, s).onRequestHeaders(h4);
    expect(h4.has("x-clickpath-invalid-session")).toBe(true);
    expect(h4.get("x-clickpath-session")!).not.toBe(plain);
  });

  it("signed ids: forged unsigned ones are invalid, signed ones continue", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"secrets":["a secret of enough bytes","an older secret of enough bytes"]}}', s);
    const h = headers([":path", "/"]);
    stream(f, s).onRequestHeaders(h);
    const id = h.get("x-clickpath-session")!;
    const keys = [Uint8Array.wrap(String.UTF8.encode("a secret of enough bytes"))];
    expect(decodeId(id, keys).id!.verified).toBe(true);
    const h2 = headers([":path", "/-S:" + id + "/x"]);
    stream(f, s).onRequestHeaders(h2);
    expect(h2.get("x-clickpath-session")!).toBe(id);
    const forged = encodeId("fwAAAQ", NOW, 1, 1, 1, "", null);
    const h3 = headers([":path", "/-S:" + forged + "/x"]);
    stream(f, s).onRequestHeaders(h3);
    expect(h3.get("x-clickpath-invalid-session")!).toBe(forged);
  });

  it("a custom upstream_header_prefix is what gets stripped and set", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"upstream_header_prefix":"X-CP-"}}', s);
    const h = headers([":path", "/", "x-cp-session", "forged", "x-clickpath-session", "kept"]);
    stream(f, s).onRequestHeaders(h);
    expect(h.getAll("x-cp-session").length).toBe(1);
    expect(h.get("x-cp-session")! != "forged").toBe(true);
    expect(h.get("x-clickpath-session")!).toBe("kept");
  });

  it("no :path: nothing but the header cleaning", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{}}', s);
    const h = headers([":method", "CONNECT", "x-clickpath-session", "x"]);
    const st = stream(f, s);
    st.onRequestHeaders(h);
    expect(dump(h)).toBe(":method: CONNECT\n");
    expect(st.active).toBe(false);
  });
});

describe("response side", () => {
  it("Location and Refresh of a new session, any status; body rewriting armed for identity HTML", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"referrer_policy":"same-origin"}}', s);
    const st = stream(f, s);
    const h = headers([":path", "/h/a/b", ":authority", "h.example"]);
    st.onRequestHeaders(h);
    const sess = h.get("x-clickpath-session-path")!;
    const r = headers([":status", "200", "location", "../index.html", "refresh", "10; URL=/index.html", "content-type", "text/html; charset=utf-8", "content-length", "100"]);
    st.onResponseHeaders(r);
    expect(dump(r)).toBe(":status: 200\ncontent-type: text/html; charset=utf-8\nlocation: " + sess + "/h/a/../index.html\nrefresh: 10; URL=" + sess + "/index.html\nreferrer-policy: same-origin\n");
    expect(st.rewritesResponseBody()).toBe(true);
    expect(s.metric("clicktrail.clickpath.body_rewrites")).toBe(1);
  });

  it("the Host header stands in for a missing :authority; absolute Locations of that host get the session", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"machine":"web1"}}', s);
    const id = encodeId("web1", NOW - 10, 9, 5, 1, "", null);
    const st = stream(f, s);
    const h = headers([":path", "/-S:" + id + "/a/b", "host", "h.example:8080", "host", "other.example", "referer", "http://h.example:8080/-S:" + id + "/prev"]);
    st.onRequestHeaders(h);
    expect(dump(h)).toBe("host: h.example:8080\nhost: other.example\n:path: /a/b\nreferer: http://h.example:8080/prev\n" +
      "x-clickpath-session: " + id + "\nx-clickpath-session-start: " + (NOW - 10).toString() + "\nx-clickpath-session-age: 10\n" +
      "x-clickpath-session-path: /-S:" + id + "\nx-clickpath-machine: web1\n");
    const r = headers([":status", "302", "location", "http://H.example:8080/next", "location", "http://other.example/x"]);
    st.onResponseHeaders(r);
    expect(dump(r)).toBe(":status: 302\nlocation: http://H.example:8080/-S:" + id + "/next\nlocation: http://other.example/x\n");
    expect(st.rewritesResponseBody()).toBe(false);
  });

  it("compressed HTML passes through and is counted", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{}}', s);
    const st = stream(f, s);
    st.onRequestHeaders(headers([":path", "/", ":authority", "h.example"]));
    const r = headers([":status", "200", "content-type", "text/html", "content-encoding", "gzip", "content-length", "10"]);
    st.onResponseHeaders(r);
    expect(dump(r)).toBe(":status: 200\ncontent-type: text/html\ncontent-encoding: gzip\ncontent-length: 10\n");
    expect(st.rewritesResponseBody()).toBe(false);
    expect(s.metric("clicktrail.clickpath.encoded_bodies_skipped")).toBe(1);
  });

  it("non-HTML keeps its length; strip_accept_encoding false keeps the header", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{"strip_accept_encoding":false}}', s);
    const st = stream(f, s);
    const h = headers([":path", "/", "accept-encoding", "br"]);
    st.onRequestHeaders(h);
    expect(h.get("accept-encoding")!).toBe("br");
    const r = headers([":status", "200", "content-type", "image/png", "content-length", "10"]);
    st.onResponseHeaders(r);
    expect(r.get("content-length")!).toBe("10");
    expect(st.rewritesResponseBody()).toBe(false);
  });
});

function bytes(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }
function text(b: Uint8Array): string { return String.UTF8.decode(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)); }

describe("HTML body", () => {
  it("the observed page of §2.5, new visitor on /dir/x.html, split in two chunks", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{}}', s);
    const st = stream(f, s);
    const h = headers([":path", "/dir/x.html", ":authority", "x.y.local"]);
    st.onRequestHeaders(h);
    const sess = h.get("x-clickpath-session-path")!;
    st.onResponseHeaders(headers([":status", "200", "content-type", "text/html"]));
    const page = '<a href="/index1.html">a</a>\n<a href="../index1.html">b</a>\n<a href="http://x.y/index1.html">c</a>\n' +
      '<a href="#top">d</a><a href="mailto:bla">e</a>\n<form action="rel.cgi"></form>\n<FRAME SRC="sub/f2.html">\n' +
      '<meta content="10; URL=../index5.html" http-equiv="refresh">\n<img src="/img.png">\n<!-- <a href="/c"> -->';
    const cut = 70;
    const out = text(st.onResponseBody(bytes(page.substring(0, cut)), false)) + text(st.onResponseBody(bytes(page.substring(cut)), true));
    expect(out).toBe('<a href="' + sess + '/index1.html">a</a>\n<a href="' + sess + '/dir/../index1.html">b</a>\n<a href="http://x.y/index1.html">c</a>\n' +
      '<a href="#top">d</a><a href="mailto:bla">e</a>\n<form action="' + sess + '/dir/rel.cgi"></form>\n<FRAME SRC="' + sess + '/dir/sub/f2.html">\n' +
      '<meta content="10; URL=' + sess + '/dir/../index5.html" http-equiv="refresh">\n<img src="/img.png">\n<!-- <a href="/c"> -->');
  });

  it("an existing session patches only absolute links; <base href> gets the session", () => {
    const s = fakeServices();
    const f = feature('{"clickpath":{}}', s);
    const id = encodeId("fwAAAQ", NOW, 1, 1, 1, "", null);
    const st = stream(f, s);
    st.onRequestHeaders(headers([":path", "/-S:" + id + "/dir/x.html", ":authority", "x.y.local"]));
    st.onResponseHeaders(headers([":status", "200", "content-type", "text/html"]));
    const out = text(st.onResponseBody(bytes('<base href="/other/"><a href="rel.html">r</a><a href=\'/-S:old/abs.html\'>a</a><a href=/unquoted.html>u</a>'), true));
    expect(out).toBe('<base href="/-S:' + id + '/other/"><a href="rel.html">r</a><a href=\'/-S:' + id + '/abs.html\'>a</a><a href=/-S:' + id + '/unquoted.html>u</a>');
  });
});
