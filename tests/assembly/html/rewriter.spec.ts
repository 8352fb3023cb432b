import { HtmlRewriter } from "../../../assembly/html/rewriter";
import { LinkKind, UrlEdit, UrlRewriter } from "../../../assembly/html/links";
import { isHtmlContentType, isIdentityEncoding } from "../../../assembly/html/content";
import { byteStringFromBytes, byteStringToBytes } from "../../../assembly/core/bytes";

/** Inserts `/-S:X` before root-relative values (at the URL of a refresh) and records what it saw. */
class Prefixer extends UrlRewriter {
  seen: string[] = [];
  rewrite(value: string, kind: LinkKind, base: string | null, edit: UrlEdit): bool {
    this.seen.push(kind.toString() + ":" + value + ":" + (base == null ? "null" : base));
    let at = 0;
    if (kind == LinkKind.MetaRefresh) {
      at = value.indexOf("=") + 1;
      if (at == 0) return false;
    }
    if (at < value.length && value.charCodeAt(at) == 0x2f) return edit.set(at, at, "/-S:X");
    return false;
  }
}

/** Inserts the value in front of itself: the insert is the very string the rewriter handed over. */
class Doubler extends UrlRewriter {
  rewrite(value: string, kind: LinkKind, base: string | null, edit: UrlEdit): bool {
    return edit.set(0, 0, value);
  }
}

function run(html: string, chunk: i32 = 0, cap: i32 = 1024): string {
  const r = new HtmlRewriter(new Prefixer(), cap);
  return runWith(r, html, chunk);
}

function runWith(r: HtmlRewriter, html: string, chunk: i32): string {
  const bytes = byteStringToBytes(html);
  const n = bytes.length;
  let out = "";
  if (chunk <= 0) return byteStringFromBytes(r.push(bytes, true));
  if (n == 0) return byteStringFromBytes(r.push(bytes, true));
  for (let i = 0; i < n; i += chunk) {
    const end = i + chunk < n ? i + chunk : n;
    out += byteStringFromBytes(r.push(bytes.subarray(i, end), end == n));
  }
  return out;
}

/** The output at every chunk size 1..24 must equal the one-piece output; returns that output. */
function invariant(html: string): string {
  const whole = run(html);
  for (let size = 1; size <= 24; size++) {
    const got = run(html, size);
    if (got != whole) return "chunk " + size.toString() + " differs: " + got;
  }
  return whole;
}

describe("HtmlRewriter", () => {
  it("rewrites link attributes in any quoting and case, leaving every other byte alone", () => {
    expect(invariant("<a href=\"/a\">x</a>")).toBe("<a href=\"/-S:X/a\">x</a>");
    expect(invariant("<AREA\nHREF = '/a'\n/>")).toBe("<AREA\nHREF = '/-S:X/a'\n/>");
    expect(invariant("<form action=/f method=post>")).toBe("<form action=/-S:X/f method=post>");
    expect(invariant("<iframe src=\"/i\"></iframe><frame src=/f>")).toBe("<iframe src=\"/-S:X/i\"></iframe><frame src=/-S:X/f>");
    expect(invariant("<button formaction=/b><input formaction='/i'>")).toBe("<button formaction=/-S:X/b><input formaction='/-S:X/i'>");
    expect(invariant("<img src=\"/i\"><link href=\"/l\"><a name=\"t\">")).toBe("<img src=\"/i\"><link href=\"/l\"><a name=\"t\">");
  });

  it("lets the first of duplicate attributes win", () => {
    expect(invariant("<a href=\"/1\" href=\"/2\" HREF=/3>")).toBe("<a href=\"/-S:X/1\" href=\"/2\" HREF=/3>");
  });

  it("never rewrites inside comments, raw text or plaintext", () => {
    expect(invariant("<!-- <a href=\"/c\"> --><a href=\"/d\">")).toBe("<!-- <a href=\"/c\"> --><a href=\"/-S:X/d\">");
    expect(invariant("<!--><a href=\"/d\">")).toBe("<!--><a href=\"/-S:X/d\">");
    expect(invariant("<script>x='<a href=\"/s\">'</script><a href=\"/d\">")).toBe("<script>x='<a href=\"/s\">'</script><a href=\"/-S:X/d\">");
    expect(invariant("<script><!--<script></script><a href=/s></script><a href=/d>")).toBe("<script><!--<script></script><a href=/s></script><a href=/-S:X/d>");
    expect(invariant("<style><a href=/s></style><textarea><a href=/s></textarea><title><a href=/s></title><a href=/d>"))
      .toBe("<style><a href=/s></style><textarea><a href=/s></textarea><title><a href=/s></title><a href=/-S:X/d>");
    expect(invariant("<plaintext></plaintext><a href=/s>")).toBe("<plaintext></plaintext><a href=/s>");
    expect(invariant("<?xml <a href=/s>?><!DOCTYPE x \"<a href='/s'>\"><a href=/d>")).toBe("<?xml <a href=/s>?><!DOCTYPE x \"<a href='/s'>\"><a href=/-S:X/d>");
  });

  it("treats CDATA as a section only in foreign content", () => {
    expect(invariant("<svg><![CDATA[ > <a href=/s> ]]></svg><a href=/d>")).toBe("<svg><![CDATA[ > <a href=/s> ]]></svg><a href=/-S:X/d>");
    expect(invariant("<![CDATA[ > <a href=/d> ]]>")).toBe("<![CDATA[ > <a href=/-S:X/d> ]]>");
  });

  it("rewrites a refresh meta whether http-equiv comes before or after content", () => {
    expect(invariant("<meta content=\"0;url=/r\" http-equiv=\"Refresh\">")).toBe("<meta content=\"0;url=/-S:X/r\" http-equiv=\"Refresh\">");
    expect(invariant("<meta http-equiv=refresh content='0;url=/r'>")).toBe("<meta http-equiv=refresh content='0;url=/-S:X/r'>");
    expect(invariant("<meta name=x content=\"0;url=/r\">")).toBe("<meta name=x content=\"0;url=/r\">");
  });

  it("passes decoded values and the first base href to the UrlRewriter", () => {
    const urls = new Prefixer();
    const r = new HtmlRewriter(urls, 1024);
    expect(runWith(r, "<base href=\"/b/\"><base href=/c/><a href=\"&#47;x&amp;y\">", 3))
      .toBe("<base href=\"/-S:X/b/\"><base href=/-S:X/c/><a href=\"/-S:X&#47;x&amp;y\">");
    expect(urls.seen.join("|")).toBe("4:/b/:null|4:/c/:/b/|0:/x&y:/b/");
    expect(r.documentBase == null ? "null" : r.documentBase!).toBe("/b/");
  });

  it("takes each value's bytes afresh when the edit inserts the value string itself", () => {
    const r = new HtmlRewriter(new Doubler(), 1024);
    expect(runWith(r, "<a href=/abcdef><a href=\"/x\"><base href=/yz><a href='q&amp;'>", 0))
      .toBe("<a href=/abcdef/abcdef><a href=\"/x/x\"><base href=/yz/yz><a href='q&amp;q&amp;'>");
    expect(r.documentBase == null ? "null" : r.documentBase!).toBe("/yz");
  });

  it("holds an incomplete tag back and emits it with the rest", () => {
    const r = new HtmlRewriter(new Prefixer(), 1024);
    expect(byteStringFromBytes(r.push(byteStringToBytes("ab<a hr"), false))).toBe("ab");
    // `<b` may still become `<base` or `<button`
    expect(byteStringFromBytes(r.push(byteStringToBytes("ef=/x>cd<b"), false))).toBe("<a href=/-S:X/x>cd");
    expect(byteStringFromBytes(r.push(byteStringToBytes("<a"), true))).toBe("<b<a");
  });

  it("says whether it holds bytes back (the adapter keeps such a chunk buffered for trailers)", () => {
    const r = new HtmlRewriter(new Prefixer(), 1024);
    expect(r.holding).toBe(false);
    r.push(byteStringToBytes("ab<a hr"), false);
    expect(r.holding).toBe(true);
    r.push(byteStringToBytes("ef=/x>cd"), false);
    expect(r.holding).toBe(false);
    r.push(byteStringToBytes("<a href=/y"), false);
    expect(r.holding).toBe(true);
    // an empty last push (what on_response_trailers does) emits what is held
    expect(byteStringFromBytes(r.push(new Uint8Array(0), true))).toBe("<a href=/y");
    expect(r.holding).toBe(false);
  });

  it("passes a tag longer than the cap through unchanged and counts it", () => {
    const long = "<a href=/x title=\"" + "y".repeat(100) + "\">";
    const r = new HtmlRewriter(new Prefixer(), 50);
    expect(runWith(r, long + "<a href=/z>", 7)).toBe(long + "<a href=/-S:X/z>");
    expect(r.carryOverflows).toBe(1);
    expect(run(long, 0, 50)).toBe(long);
  });

  it("survives NUL bytes, invalid UTF-8 and end of stream anywhere", () => {
    expect(invariant("<a href=/\0\xff>\0<\0>")).toBe("<a href=/-S:X/\0\xff>\0<\0>");
    // a NUL in the name makes it another tag (`a\uFFFD`), as in a browser
    expect(invariant("<a\0 href=/x>")).toBe("<a\0 href=/x>");
    expect(invariant("<a href=\"/x")).toBe("<a href=\"/x");
    expect(invariant("<!--")).toBe("<!--");
    expect(invariant("<script><!--<script>")).toBe("<script><!--<script>");
    expect(invariant("")).toBe("");
  });
});

describe("content gates", () => {
  it("recognises HTML content types", () => {
    expect(isHtmlContentType("text/html")).toBe(true);
    expect(isHtmlContentType("Text/HTML ; charset=UTF-8")).toBe(true);
    expect(isHtmlContentType("application/xhtml+xml")).toBe(true);
    expect(isHtmlContentType("text/plain")).toBe(false);
    expect(isHtmlContentType("text/html2")).toBe(false);
    expect(isHtmlContentType(null)).toBe(false);
  });

  it("recognises identity encodings", () => {
    expect(isIdentityEncoding(null)).toBe(true);
    expect(isIdentityEncoding("")).toBe(true);
    expect(isIdentityEncoding("Identity")).toBe(true);
    expect(isIdentityEncoding("gzip")).toBe(false);
    expect(isIdentityEncoding("identity, gzip")).toBe(false);
  });
});
