import { HeaderMap } from "../../../assembly/core/headers";
import { cookieDate, cookieValues, findCookie, findCookieNginx, isCookieName } from "../../../assembly/codecs/cookies";

function req(cookies: string[]): HeaderMap {
  const h = new HeaderMap();
  h.load(":method", "GET");
  for (let i = 0; i < cookies.length; i++) h.load("cookie", cookies[i]);
  return h;
}

function apache(cookies: string[], name: string = "Apache"): string {
  const v = findCookie(req(cookies), name);
  return v == null ? "(none)" : changetype<string>(v);
}

function nginx(cookies: string[], name: string = "uid"): string {
  const v = findCookieNginx(req(cookies), name);
  return v == null ? "(none)" : changetype<string>(v);
}

describe("findCookie: Apache's detection (vectors.json usertrack_detection)", () => {
  it("finds the cookie after , and ; separators", () => {
    expect(apache(["foo=1, Apache=abc.123; bar=2"])).toBe("abc.123");
    expect(apache(["other=2;  Apache=keep.me"])).toBe("keep.me");
    expect(apache(["a=1;Apache=q1"])).toBe("q1");
  });
  it("does not find a longer name, another case or an empty value", () => {
    expect(apache(["XApache=1"])).toBe("(none)");
    expect(apache(["apache=zzz"])).toBe("(none)");
    expect(apache(["Apache="])).toBe("(none)");
  });
});

describe("findCookie: the rest of the pattern", () => {
  it("takes the first match and keeps trailing blanks in the value", () => {
    expect(apache(["Apache=first; Apache=second"])).toBe("first");
    expect(apache(["Apache=v1 ; x=2"])).toBe("v1 ");
    expect(apache(["x=1;\t Apache=tab"])).toBe("tab");
  });
  it("skips an empty value and finds a later one", () => {
    expect(apache(["Apache=; Apache=later"])).toBe("later");
    expect(apache(["Apache=,Apache=c"])).toBe("c");
  });
  it("needs a separator before the name and no blank around =", () => {
    expect(apache(["x Apache=1"])).toBe("(none)");
    expect(apache(["x=Apache=1"])).toBe("(none)");
    expect(apache(["Apache =1"])).toBe("(none)");
    expect(apache(["x=1; Apache= v"])).toBe(" v");
    expect(apache([" Apache=lead"])).toBe("(none)");
  });
  it("reads values to the next separator, whatever they contain", () => {
    expect(apache(["Apache=a=b\"c d; e"])).toBe("a=b\"c d");
    expect(apache(["Apache=\xff\xfe"])).toBe("\xff\xfe");
  });
  it("reads repeated cookie headers as httpd joins them (, ) and HTTP/2 crumbs", () => {
    expect(apache(["a=1", "Apache=second-line"])).toBe("second-line");
    expect(apache(["a=1", "  Apache=indented"])).toBe("indented");
    expect(apache(["Apache=", "Apache=crumb"])).toBe("crumb");
    expect(apache(["a=1", "b=2", "c=3; Apache=third"])).toBe("third");
    expect(apache([])).toBe("(none)");
  });
  it("matches other names literally", () => {
    expect(apache(["a.b=1; a+b=2", "x=3"], "a+b")).toBe("2");
    expect(apache(["trk=t1"], "trk")).toBe("t1");
  });
  it("lists every value for duplicate detection", () => {
    expect(cookieValues(req(["Apache=1; Apache=; x=2, Apache=3", "Apache=4"]), "Apache").join("|")).toBe("1|3|4");
    expect(cookieValues(req(["x=1"]), "Apache").length).toBe(0);
  });
});

describe("findCookieNginx: nginx's detection", () => {
  it("matches the name case-insensitively with spaces before and after =", () => {
    expect(nginx(["UID=abc"])).toBe("abc");
    expect(nginx(["a=b; uid  =  v"])).toBe("v");
    expect(nginx(["a=b, uid=after-comma"])).toBe("after-comma");
  });
  it("reads the value to ; only and allows it to be empty", () => {
    expect(nginx(["uid=a,b; c=d"])).toBe("a,b");
    expect(nginx(["uid=; x=1"])).toBe("");
  });
  it("does not match inside another name or value", () => {
    expect(nginx(["xuid=1"])).toBe("(none)");
    expect(nginx(["a=uid=1"])).toBe("(none)");
    expect(nginx(["uidx=1; uid=2"])).toBe("2");
  });
  it("searches every cookie header", () => {
    expect(nginx(["a=1", "uid=second"])).toBe("second");
  });
});

describe("cookie names and dates", () => {
  it("accepts tokens only", () => {
    expect(isCookieName("Apache")).toBe(true);
    expect(isCookieName("a_b-c.d!")).toBe(true);
    expect(isCookieName("")).toBe(false);
    expect(isCookieName("a b")).toBe(false);
    expect(isCookieName("a=b")).toBe(false);
    expect(isCookieName("a;b")).toBe(false);
  });
  it("writes Netscape dates with two- or four-digit years", () => {
    expect(cookieDate(1795321021 + 1209600, i32.MAX_VALUE)).toBe("Sun, 06-Dec-26 04:17:01 GMT");
    expect(cookieDate(0, i32.MAX_VALUE)).toBe("Thu, 01-Jan-70 00:00:00 GMT");
    expect(cookieDate(951782400, i32.MAX_VALUE)).toBe("Tue, 29-Feb-00 00:00:00 GMT");
    expect(cookieDate(2145916555, 2037)).toBe("Thu, 31-Dec-37 23:55:55 GMT");
    expect(cookieDate(2145916800, 2037)).toBe("Fri, 01-Jan-2038 00:00:00 GMT");
    expect(cookieDate(2145916800, i32.MAX_VALUE)).toBe("Fri, 01-Jan-38 00:00:00 GMT");
    expect(cookieDate(4102444800, i32.MAX_VALUE)).toBe("Fri, 01-Jan-00 00:00:00 GMT");
  });
});

describe("cookie headers among others", () => {
  it("read only `cookie` headers, each after the first as following a separator", () => {
    const h = new HeaderMap();
    h.load(":method", "GET");
    h.load("cookies", "Apache=not-a-cookie-header");
    h.load("cookie", "x=1");
    h.load("accept", "Apache=nor-this");
    // A header after the first cookie header starts after an implied ", ": blanks before the name are allowed.
    h.load("cookie", " Apache=second-line");
    h.load("cookiee", "uid=no");
    h.load("cookie", "uid=CgIKAl+2f2MEBQAB; Apache=third");
    expect(findCookie(h, "Apache")!).toBe("second-line");
    const all = cookieValues(h, "Apache");
    expect(all.length).toBe(2);
    expect(all[0]).toBe("second-line");
    expect(all[1]).toBe("third");
    expect(findCookieNginx(h, "uid")!).toBe("CgIKAl+2f2MEBQAB");
    // The first cookie header allows no blank before a name at its very start.
    const first = new HeaderMap();
    first.load("accept", "x");
    first.load("cookie", " Apache=leading-blank");
    expect(findCookie(first, "Apache")).toBeNull();
  });
});
