import { LinkContext, SessionLinks, rewriteLocation, rewriteRefresh, removeDotSegments, sameAuthority, applyEdit, dotDepth } from "../../../assembly/clickpath/links";
import { LinkKind, UrlEdit } from "../../../assembly/html/links";

function ctx(host: string, path: string, isNew: bool): LinkContext {
  const c = new LinkContext();
  c.sess = "/-S:ID";
  c.prefix = "-S:";
  c.host = host;
  c.isNew = isNew;
  c.setRequestPath(path);
  return c;
}

function loc(c: LinkContext, v: string): string {
  const r = rewriteLocation(c, v);
  return r == null ? "(unchanged)" : r;
}

function refresh(c: LinkContext, v: string): string {
  const r = rewriteRefresh(c, v);
  return r == null ? "(unchanged)" : r;
}

function link(c: LinkContext, v: string, kind: LinkKind, base: string | null): string {
  const e = new UrlEdit();
  return new SessionLinks(c).rewrite(v, kind, base, e) ? applyEdit(v, e) : "(unchanged)";
}

// What Apache2::ClickPath 1.10 (mod_perl 2.0.12, httpd 2.4) was observed to write into Location and Refresh,
// with HOST = h.example and <id> = ID.
describe("Location/Refresh: the observed table", () => {
  it("new session: absolute path", () => {
    expect(loc(ctx("h.example", "/h", true), "/index.html")).toBe("/-S:ID/index.html");
  });
  it("new session: relative path gets REQDIR", () => {
    expect(loc(ctx("h.example", "/h/a/b", true), "../index.html")).toBe("/-S:ID/h/a/../index.html");
  });
  it("new session: Refresh", () => {
    expect(refresh(ctx("h.example", "/h", true), "10; URL=/index.html")).toBe("10; URL=/-S:ID/index.html");
  });
  it("new session: same host, old session replaced", () => {
    expect(loc(ctx("h.example", "/h", true), "http://h.example/-S:abc/index.html")).toBe("http://h.example/-S:ID/index.html");
  });
  it("new session: uppercase scheme", () => {
    expect(loc(ctx("h.example", "/h", true), "HTTP://h.example/up.html")).toBe("HTTP://h.example/-S:ID/up.html");
  });
  it("other host: unchanged", () => {
    expect(loc(ctx("h.example", "/h", true), "http://other.example/x")).toBe("(unchanged)");
    expect(loc(ctx("h.example", "/h", false), "http://other.example/x")).toBe("(unchanged)");
  });
  it("existing session: relative unchanged", () => {
    expect(loc(ctx("h.example", "/h/a/b", false), "../index.html")).toBe("(unchanged)");
  });
  it("existing session: same host, old session replaced", () => {
    expect(loc(ctx("h.example", "/h", false), "http://h.example/-S:abc/index.html")).toBe("http://h.example/-S:ID/index.html");
  });
});

describe("Location/Refresh: beyond the table", () => {
  it("ports must match the Host's; default ports match none", () => {
    expect(loc(ctx("h.example:8080", "/h", false), "http://h.example:8080/x")).toBe("http://h.example:8080/-S:ID/x");
    expect(loc(ctx("h.example:8080", "/h", false), "http://h.example/x")).toBe("(unchanged)");
    expect(loc(ctx("h.example:8080", "/h", false), "http://h.example:8081/x")).toBe("(unchanged)");
    expect(loc(ctx("h.example", "/h", false), "http://h.example:80/x")).toBe("http://h.example:80/-S:ID/x");
    expect(loc(ctx("h.example", "/h", false), "https://h.example:443/x")).toBe("https://h.example:443/-S:ID/x");
    expect(loc(ctx("h.example:443", "/h", false), "HTTPS://H.EXAMPLE/x")).toBe("HTTPS://H.EXAMPLE/-S:ID/x");
  });
  it("other schemes are untouched", () => {
    expect(loc(ctx("h.example", "/h", true), "ftp://h.example/x")).toBe("(unchanged)");
    expect(loc(ctx("h.example", "/h", true), "mailto:a@h.example")).toBe("(unchanged)");
    expect(loc(ctx("h.example", "/h", true), "javascript:go('/x')")).toBe("(unchanged)");
  });
  it("query strings and fragments stay where they are", () => {
    expect(loc(ctx("h.example", "/h", false), "/a/b?x=/-S:q/&y#/z")).toBe("/-S:ID/a/b?x=/-S:q/&y#/z");
    expect(loc(ctx("h.example", "/d/p", true), "q.html?x=1#f")).toBe("/-S:ID/d/q.html?x=1#f");
    expect(loc(ctx("h.example", "/d/p", true), "?x=1")).toBe("/-S:ID/d/p?x=1");
    expect(loc(ctx("h.example", "/d/p", true), "#top")).toBe("(unchanged)");
    expect(loc(ctx("h.example", "/h", false), "http://h.example?x")).toBe("http://h.example/-S:ID/?x");
    expect(loc(ctx("h.example", "/h", false), "http://h.example")).toBe("http://h.example/-S:ID/");
  });
  it("several old session segments are all replaced, never doubled", () => {
    expect(loc(ctx("h.example", "/h", false), "/-S:a/-S:b/x")).toBe("/-S:ID/x");
    expect(loc(ctx("h.example", "/h", false), "/-S:ID/x")).toBe("/-S:ID/x");
    // Without its trailing "/" a segment is a plain name.
    expect(loc(ctx("h.example", "/h", false), "/-S:a")).toBe("/-S:ID/-S:a");
  });
  it("protocol-relative: same host rewritten, other hosts not", () => {
    expect(loc(ctx("h.example", "/h", false), "//h.example/x")).toBe("//h.example/-S:ID/x");
    expect(loc(ctx("h.example", "/h", true), "//evil.example/x")).toBe("(unchanged)");
    expect(loc(ctx("h.example", "/h", true), "/\\evil.example/x")).toBe("(unchanged)");
  });
  it("dot segments that climb above the root are resolved so the session survives", () => {
    expect(loc(ctx("h.example", "/index.html", true), "../x.html")).toBe("/-S:ID/x.html");
    expect(loc(ctx("h.example", "/h", false), "/../x")).toBe("/-S:ID/x");
    expect(removeDotSegments("/a/./b/../../c/")).toBe("/c/");
  });
  it("Refresh variants", () => {
    expect(refresh(ctx("h.example", "/d/p", true), "0;url=x.html")).toBe("0;url=/-S:ID/d/x.html");
    expect(refresh(ctx("h.example", "/d/p", false), " 5 , URL = '/x'")).toBe(" 5 , URL = '/-S:ID/x'");
    expect(refresh(ctx("h.example", "/d/p", false), "5")).toBe("(unchanged)");
    expect(refresh(ctx("h.example", "/d/p", false), "5; url=http://other/x")).toBe("(unchanged)");
    expect(refresh(ctx("h.example", "/d/p", false), "5; url=x.html")).toBe("(unchanged)");
  });
  it("empty and blank values", () => {
    expect(loc(ctx("h.example", "/h", true), "")).toBe("(unchanged)");
    expect(loc(ctx("h.example", "/h", true), "   ")).toBe("(unchanged)");
  });
  it("authority comparison", () => {
    expect(sameAuthority("H.Example", "h.example", "80")).toBe(true);
    expect(sameAuthority("user@h.example", "h.example", "80")).toBe(false);
  });
});

// §2.5 "Body example": a new visitor requests /dir/x.html.
describe("links (html UrlRewriter)", () => {
  it("the observed body table, new session", () => {
    const c = ctx("x.y.local", "/dir/x.html", true);
    expect(link(c, "/index1.html", LinkKind.AnchorHref, null)).toBe("/-S:ID/index1.html");
    expect(link(c, "../index1.html", LinkKind.AnchorHref, null)).toBe("/-S:ID/dir/../index1.html");
    expect(link(c, "http://x.y/index1.html", LinkKind.AnchorHref, null)).toBe("(unchanged)");
    expect(link(c, "#top", LinkKind.AnchorHref, null)).toBe("(unchanged)");
    expect(link(c, "mailto:bla", LinkKind.AnchorHref, null)).toBe("(unchanged)");
    expect(link(c, "rel.cgi", LinkKind.FormAction, null)).toBe("/-S:ID/dir/rel.cgi");
    expect(link(c, "sub/f2.html", LinkKind.FrameSrc, null)).toBe("/-S:ID/dir/sub/f2.html");
    expect(link(c, "10; URL=../index5.html", LinkKind.MetaRefresh, null)).toBe("10; URL=/-S:ID/dir/../index5.html");
    expect(link(c, "http://x.y.local/index1.html", LinkKind.AnchorHref, null)).toBe("http://x.y.local/-S:ID/index1.html");
  });
  it("the same page under an existing session patches only absolute ones", () => {
    const c = ctx("x.y.local", "/dir/x.html", false);
    expect(link(c, "/index1.html", LinkKind.AnchorHref, null)).toBe("/-S:ID/index1.html");
    expect(link(c, "../index1.html", LinkKind.AnchorHref, null)).toBe("(unchanged)");
    expect(link(c, "rel.cgi", LinkKind.FormAction, null)).toBe("(unchanged)");
    expect(link(c, "http://x.y.local/-S:old/i.html", LinkKind.AnchorHref, null)).toBe("http://x.y.local/-S:ID/i.html");
    expect(link(c, "//x.y.local/i.html", LinkKind.FormActionOverride, null)).toBe("//x.y.local/-S:ID/i.html");
  });
  it("under an existing session, relative references that climb above the root are resolved", () => {
    // From /-S:ID/dir/x.html a browser resolves ../../i.html to /i.html: the session would be lost.
    const c = ctx("x.y.local", "/dir/x.html", false);
    expect(link(c, "../../i.html", LinkKind.AnchorHref, null)).toBe("/-S:ID/i.html");
    expect(link(c, "../../../a/b.html?q=1#f", LinkKind.FrameSrc, null)).toBe("/-S:ID/a/b.html?q=1#f");
    expect(link(c, "10; URL=../../i.html", LinkKind.MetaRefresh, null)).toBe("10; URL=/-S:ID/i.html");
    expect(loc(c, "../../i.html")).toBe("/-S:ID/i.html");
    expect(refresh(c, "0;url=../../../i.html")).toBe("0;url=/-S:ID/i.html");
    // Within the session they are left alone, and a <base> decides for them.
    expect(link(c, "../i.html", LinkKind.AnchorHref, null)).toBe("(unchanged)");
    expect(link(c, "?page=2", LinkKind.AnchorHref, null)).toBe("(unchanged)");
    expect(link(c, "../../i.html", LinkKind.AnchorHref, "/other/")).toBe("(unchanged)");
    expect(loc(c, "../i.html")).toBe("(unchanged)");
  });
  it("<base href>: the base gets the session, relative links then stay", () => {
    const c = ctx("x.y.local", "/dir/x.html", true);
    expect(link(c, "/other/", LinkKind.BaseHref, null)).toBe("/-S:ID/other/");
    expect(link(c, "sub/", LinkKind.BaseHref, null)).toBe("/-S:ID/dir/sub/");
    expect(link(c, "http://cdn.example/", LinkKind.BaseHref, null)).toBe("(unchanged)");
    expect(link(c, "page.html", LinkKind.AnchorHref, "/other/")).toBe("(unchanged)");
    expect(link(c, "page.html", LinkKind.AnchorHref, "http://cdn.example/")).toBe("(unchanged)");
    expect(link(c, "10;url=p.html", LinkKind.MetaRefresh, "/other/")).toBe("(unchanged)");
    // Absolute links do not depend on the base.
    expect(link(c, "/p.html", LinkKind.AnchorHref, "http://cdn.example/")).toBe("/-S:ID/p.html");
    // An empty base is no base.
    expect(link(c, "page.html", LinkKind.AnchorHref, "")).toBe("/-S:ID/dir/page.html");
  });
  it("leading whitespace is kept and the session goes after it", () => {
    const c = ctx("x.y.local", "/dir/x.html", false);
    expect(link(c, "  /a", LinkKind.AnchorHref, null)).toBe("  /-S:ID/a");
  });
});

// The rule dotDepth walks characters for, written the obvious way: split the joined path and count.
function climbsBySplitting(path: string): bool {
  let depth = 0;
  const segs = path.split("/");
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i];
    const last = i == segs.length - 1;
    if (seg == "..") {
      if (depth == 0) return true;
      depth--;
    } else if (seg != "." && !(last && seg.length == 0)) {
      depth++;
    }
  }
  return false;
}

/** Every string of up to `max` characters over ".", "/", "a" (and "" first). */
function dotPaths(max: i32): string[] {
  const out: string[] = [""];
  let from = 0;
  for (let len = 1; len <= max; len++) {
    const to = out.length;
    for (let i = from; i < to; i++) {
      out.push(out[i] + ".");
      out.push(out[i] + "/");
      out.push(out[i] + "a");
    }
    from = to;
  }
  return out;
}

describe("dot segments are counted without splitting", () => {
  it("an absolute path climbs above the root exactly when the split path does", () => {
    const paths = dotPaths(8);
    let climbing = 0;
    for (let i = 0; i < paths.length; i++) {
      const path = "/" + paths[i];
      const expected = climbsBySplitting(path);
      if (expected) climbing++;
      expect(dotDepth(path, 1, path.length, 0, true) < 0).toBe(expected, path);
    }
    expect(climbing).toBe(425); // the enumeration reaches the interesting cases (9,841 paths)
  });
  it("a relative reference climbs from its page's directory exactly when the joined path does", () => {
    const dirs = ["/", "/a/", "/a/b/", "/../", "/a/../", "/a/../../", "/a//", "/./", "/a/./b/", "//"];
    const refs = dotPaths(6);
    for (let d = 0; d < dirs.length; d++) {
      const c = new LinkContext();
      c.setRequestPath(dirs[d] + "page.html");
      expect(c.reqDir).toBe(dirs[d]);
      for (let i = 0; i < refs.length; i++) {
        const ref = refs[i];
        const expected = climbsBySplitting(dirs[d] + ref);
        const got = c.reqDirDepth < 0 || dotDepth(ref, 0, ref.length, c.reqDirDepth, true) < 0;
        expect(got).toBe(expected, dirs[d] + ref);
      }
    }
  });
});
