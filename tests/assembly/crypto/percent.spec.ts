import { escapeUrlencoded, unescapeUrlencoded, UnescapeStatus } from "../../../assembly/http/percent";

function un(s: string): string {
  const r = unescapeUrlencoded(s);
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
  it("matches Apache's observed cookies (apache-originals §3.1)", () => {
    // X-Replace-Session: user=alice%20b&role=adm+x  ->  Set-Cookie: session=user=alice+b&role=adm+x
    expect(escapeUrlencoded(unescapeUrlencoded("alice%20b").value)).toBe("alice+b");
    expect(escapeUrlencoded(unescapeUrlencoded("adm+x").value)).toBe("adm+x");
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
    const r = unescapeUrlencoded("%%41+%g");
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
