// No input traps: random and hostile strings through every entry point of the clickpath core.
import { decodeId, encodeId, unescapeRemote } from "../../../assembly/clickpath/id";
import { percentDecode, PercentMode } from "../../../assembly/codecs/percent";
import { findPathSession, stripRefererSession, refererHost, captureFriend } from "../../../assembly/clickpath/request";
import { LinkContext, SessionLinks, rewriteLocation, rewriteRefresh } from "../../../assembly/clickpath/links";
import { FriendlySession } from "../../../assembly/clickpath/settings";
import { parseStatement } from "../../../assembly/config/clickpath";
import { LinkKind, UrlEdit } from "../../../assembly/html/links";
import { parseConfig } from "../../../assembly/config";
import { ClickpathFeature, ClickpathStream } from "../../../assembly/clickpath/filter";
import { FakeServices, fakeServices, headers } from "./fake";

let seed: u32 = 12345;
function next(): u32 { seed = seed * 1103515245 + 12345; return (seed >>> 16) & 0x7fff; }
const PIECES = ["/", "-S:", ":", ",", "*", "!", "%", "%4", "%41", "?", "#", "\\", "//", "http://", "HTTPS://", "h.example", ":80",
  "..", ".", "N", "s9NNNd", "=", ";", "url=", "0", "9", " ", "\x00", "\xff", "@", "-", "'", "\""];
function randomString(): string {
  const n = <i32>(next() % 12);
  let s = "";
  for (let i = 0; i < n; i++) s += PIECES[<i32>(next() % <u32>PIECES.length)];
  return s;
}

describe("robustness", () => {
  it("survives 3000 random inputs in every parser", () => {
    const keys = [Uint8Array.wrap(String.UTF8.encode("0123456789abcdef"))];
    const c = new LinkContext();
    c.sess = "/-S:ID"; c.prefix = "-S:"; c.host = "h.example"; c.isNew = true; c.setRequestPath("/a/b");
    const links = new SessionLinks(c);
    const edit = new UrlEdit();
    const friend = new FriendlySession("h.example", [parseStatement("uri(3)")!, parseStatement("param(a)")!], "f");
    let changed = 0;
    for (let i = 0; i < 3000; i++) {
      const s = randomString();
      decodeId(s, keys);
      decodeId(s, []);
      unescapeRemote(s);
      percentDecode(s, PercentMode.URL);
      percentDecode(s, PercentMode.FORM);
      findPathSession(s, "-S:");
      stripRefererSession(s, "-S:", (i & 1) == 0);
      if (refererHost(s) != null) captureFriend(s, friend);
      if (rewriteLocation(c, s) != null) changed++;
      rewriteRefresh(c, s);
      links.rewrite(s, <LinkKind>(i % 6), (i & 2) != 0 ? s : null, edit);
      c.isNew = (i & 4) != 0;
    }
    expect(changed > 0).toBe(true);
  });

  it("mode cookie_first survives 2000 random cookies and paths, valid ids among them", () => {
    const s = fakeServices();
    const f = new ClickpathFeature(parseConfig(Uint8Array.wrap(String.UTF8.encode(
      '{"clickpath":{"mode":"cookie_first","max_session_age":60,"friendly_sessions":[{"host":"h.example","fields":["uri(1)"],"name":"f"}]}}'))).config!.clickpath!, s);
    const valid = encodeId("fwAAAQ", 1700000000, 1, 1, 1, "", null);
    const methods = ["GET", "HEAD", "POST", ""];
    let redirects = 0;
    for (let i = 0; i < 2000; i++) {
      const st = changetype<ClickpathStream>(f.newStream(s));
      const cookieId = (i & 1) != 0 ? valid : randomString();
      const pathId = (i & 2) != 0 ? valid : randomString();
      const path = (i & 4) != 0 ? "/-S:" + pathId + "/" + randomString() : randomString();
      st.onRequestHeaders(headers([":method", methods[i % 4], ":path", path, ":authority", "h.example",
        "cookie", randomString() + "clickpath=" + cookieId + randomString(), "referer", "http://h.example/" + randomString()]));
      if (st.localReply() != null) {
        redirects++;
        expect(st.localReply()!.headers.get("location")!.startsWith("//")).toBe(false);
      }
      st.onResponseHeaders(headers([":status", "302", "location", randomString(), "refresh", randomString(), "content-type", "text/html"]));
      st.onResponseBody(Uint8Array.wrap(String.UTF8.encode('<a href="' + randomString() + '">')), true);
    }
    expect(redirects > 0).toBe(true);
  });

  it("a tag longer than max_tag_bytes passes through and is counted", () => {
    const s = fakeServices();
    const f = new ClickpathFeature(parseConfig(Uint8Array.wrap(String.UTF8.encode('{"clickpath":{"max_tag_bytes":256}}'))).config!.clickpath!, s);
    const st = changetype<ClickpathStream>(f.newStream(s));
    st.onRequestHeaders(headers([":path", "/", ":authority", "h"]));
    st.onResponseHeaders(headers([":status", "200", "content-type", "text/html"]));
    let long = '<a title="';
    for (let i = 0; i < 600; i++) long += "x";
    const first = long;
    const out1 = st.onResponseBody(Uint8Array.wrap(String.UTF8.encode(first)), false);
    const out2 = st.onResponseBody(Uint8Array.wrap(String.UTF8.encode('" href="/x">')), true);
    expect(out1.length + out2.length).toBe(first.length + 12);
    expect(s.metric("clicktrail.clickpath.carry_overflows")).toBe(1);
  });
});
