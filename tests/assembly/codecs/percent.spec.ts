import { escapeUrlencoded, percentDecode, percentEncodeExcept, PercentMode, UnescapeStatus } from "../../../assembly/codecs/percent";
import { isPathSegmentChar } from "../../../assembly/codecs/ascii";
import { decodeId } from "../../../assembly/clickpath/id";
import { urlFormOf } from "../../../assembly/clickpath/cookie";
import { decodedPath } from "../../../assembly/session/feature";
import { headerSafe } from "../../../assembly/clickpath/filter";
import { pathSafe } from "../../../assembly/clickpath/id";

function un(s: string): string {
  const r = percentDecode(s, PercentMode.FORM);
  return r.ok ? r.value : "<" + r.status.toString() + ":" + r.error + ">";
}

describe("ap_escape_urlencoded", () => {
  it("keeps letters, digits and . - * _, writes space as + and the rest as lowercase %xx", () => {
    expect(escapeUrlencoded("abcXYZ019.-*_")).toBe("abcXYZ019.-*_");
    expect(escapeUrlencoded("alice b")).toBe("alice+b");
    expect(escapeUrlencoded("1=2")).toBe("1%3d2");
    expect(escapeUrlencoded("a+b&c=d/e?f%g~h!i'j(k)l")).toBe("a%2bb%26c%3dd%2fe%3ff%25g%7eh%21i%27j%28k%29l");
    expect(escapeUrlencoded("\xff\x80\x7f\x01")).toBe("%ff%80%7f%01");
    expect(escapeUrlencoded("")).toBe("");
  });
  it("matches the cookies Apache 2.4's mod_session was observed to write", () => {
    // X-Replace-Session: user=alice%20b&role=adm+x  ->  Set-Cookie: session=user=alice+b&role=adm+x
    expect(escapeUrlencoded(percentDecode("alice%20b", PercentMode.FORM).value)).toBe("alice+b");
    expect(escapeUrlencoded(percentDecode("adm+x", PercentMode.FORM).value)).toBe("adm+x");
    expect(escapeUrlencoded("My Realm-user")).toBe("My+Realm-user");
  });
  it("escapes code units above 0xFF as their UTF-8 bytes and NUL as %00", () => {
    expect(escapeUrlencoded("\u00e9\u20ac")).toBe("%e9%e2%82%ac");
    expect(escapeUrlencoded("a\0b")).toBe("a%00b");
  });
});

describe("ap_unescape_urlencoded", () => {
  it("turns + into space before decoding, so %2B stays a plus", () => {
    expect(un("alice+b")).toBe("alice b");
    expect(un("a%2Bb%2bc")).toBe("a+b+c");
    expect(un("%41%62%7e")).toBe("Ab~");
    expect(un("plain")).toBe("plain");
    expect(un("")).toBe("");
    expect(un("%ff%80")).toBe("\xff\x80");
  });
  it("reports a malformed escape and keeps the % as Apache's buffer does", () => {
    expect(un("100%")).toBe("<400:malformed percent escape at offset 3>");
    expect(un("%4")).toBe("<400:malformed percent escape at offset 0>");
    expect(un("%zz")).toBe("<400:malformed percent escape at offset 0>");
    expect(un("a%+1")).toBe("<400:malformed percent escape at offset 1>");
    const r = percentDecode("%%41+%g", PercentMode.FORM);
    expect(r.status).toBe(UnescapeStatus.BAD_ESCAPE);
    expect(r.value).toBe("%A %g");
  });
  it("reports %00 and literal NUL", () => {
    expect(un("a%00b")).toBe("<404:NUL byte at offset 1>");
    expect(un("a\0b")).toBe("<404:NUL byte at offset 1>");
    // Apache checks the bad escape first.
    expect(un("%00%g")).toBe("<400:malformed percent escape at offset 3>");
  });
});

describe("percentDecode: FORM against URL, lenient value against strict callers", () => {
  it("differs only in what + means", () => {
    const form = percentDecode("a+b%2B%41", PercentMode.FORM);
    const url = percentDecode("a+b%2B%41", PercentMode.URL);
    expect(form.value).toBe("a b+A");
    expect(url.value).toBe("a+b+A");
    expect(form.status).toBe(UnescapeStatus.OK);
    expect(url.status).toBe(UnescapeStatus.OK);
    // No escape at all: FORM still rewrites the plus, URL hands the string back as it is.
    expect(percentDecode("x+y", PercentMode.FORM).value).toBe("x y");
    expect(percentDecode("x+y", PercentMode.URL).value).toBe("x+y");
  });
  it("reports a bad escape the same way in both modes and keeps it in the value", () => {
    const form = percentDecode("p+%zz%41", PercentMode.FORM);
    const url = percentDecode("p+%zz%41", PercentMode.URL);
    expect(form.status).toBe(UnescapeStatus.BAD_ESCAPE);
    expect(url.status).toBe(UnescapeStatus.BAD_ESCAPE);
    expect(form.error).toBe("malformed percent escape at offset 2");
    expect(url.error).toBe("malformed percent escape at offset 2");
    expect(form.value).toBe("p %zzA");
    expect(url.value).toBe("p+%zzA");
    expect(percentDecode("a%00b", PercentMode.URL).status).toBe(UnescapeStatus.NUL);
    expect(percentDecode("a%00b", PercentMode.URL).value).toBe("a\0b");
  });
  it("the session scope check reads a path leniently, a clickpath id strictly", () => {
    // Session scope (include/exclude prefixes) takes the lenient value: "%zz" stays, "%41" decodes,
    // "+" is a plus, the query goes.
    expect(decodedPath("/a+b/%zz/%41?q=%42")).toBe("/a+b/%zz/A");
    expect(decodedPath("/100%")).toBe("/100%");
    // A clickpath id with a bad escape is refused, in the URL and in the cookie.
    expect(decodeId("abc%zz", new Array<Uint8Array>()).problem).toBe("bad percent-encoding");
    expect(decodeId("abc%4", new Array<Uint8Array>()).problem).toBe("bad percent-encoding");
    expect(urlFormOf("abc%zz") == null).toBe(true);
    expect(urlFormOf("abc%2C%3B")!).toBe("abc,;");
    // ...while %00 is no reason to refuse one: the decoder only rejects malformed escapes.
    expect(decodeId("abc%00", new Array<Uint8Array>()).problem).toBe("no ':' between machine and record");
  });
});

describe("percentEncodeExcept", () => {
  it("writes %XX in uppercase for every code unit the predicate refuses, and nothing else", () => {
    expect(percentEncodeExcept("a b/c%d\xff\n", isPathSegmentChar)).toBe("a%20b%2Fc%25d%FF%0A");
    expect(percentEncodeExcept("-._~!$&'()*+,;=:@", isPathSegmentChar)).toBe("-._~!$&'()*+,;=:@");
    expect(percentEncodeExcept("", isPathSegmentChar)).toBe("");
    expect(percentEncodeExcept("xyz", (c: i32): bool => c != 0x79)).toBe("x%79z");
  });
  it("is what clickpath's path-segment and header-value escaping write", () => {
    expect(pathSafe("p,k*.a;b c/d")).toBe("p,k*.a;b%20c%2Fd");
    expect(headerSafe("line1\nline2 50%\x7f\t\xe9")).toBe("line1%0Aline2 50%25%7F%09\xe9");
  });
});
