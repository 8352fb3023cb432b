import { base64Encode, base64Decode, aprBase64Decode } from "../../../assembly/codecs/base64";
import { hexEncode, hexDecode } from "../../../assembly/codecs/hex";
import { byteStringFromBytes, byteStringToBytes } from "../../../assembly/core/bytes";

function b(s: string): Uint8Array { return byteStringToBytes(s); }
function dec(s: string, urlSafe: bool = false): string {
  const r = base64Decode(s, urlSafe);
  return r == null ? "<null>" : byteStringFromBytes(r);
}

describe("base64 (RFC 4648 §10 vectors)", () => {
  it("encodes with and without padding", () => {
    expect(base64Encode(b(""), false, true)).toBe("");
    expect(base64Encode(b("f"), false, true)).toBe("Zg==");
    expect(base64Encode(b("fo"), false, true)).toBe("Zm8=");
    expect(base64Encode(b("foo"), false, true)).toBe("Zm9v");
    expect(base64Encode(b("foob"), false, true)).toBe("Zm9vYg==");
    expect(base64Encode(b("fooba"), false, true)).toBe("Zm9vYmE=");
    expect(base64Encode(b("foobar"), false, true)).toBe("Zm9vYmFy");
    expect(base64Encode(b("f"), false, false)).toBe("Zg");
    expect(base64Encode(b("fooba"), true, false)).toBe("Zm9vYmE");
  });
  it("decodes padded and unpadded", () => {
    expect(dec("")).toBe("");
    expect(dec("Zg==")).toBe("f");
    expect(dec("Zm8=")).toBe("fo");
    expect(dec("Zm9v")).toBe("foo");
    expect(dec("Zm9vYg==")).toBe("foob");
    expect(dec("Zm9vYmE=")).toBe("fooba");
    expect(dec("Zm9vYmFy")).toBe("foobar");
    expect(dec("Zg")).toBe("f");
    expect(dec("Zm9vYmE")).toBe("fooba");
  });
  it("uses the alphabet asked for", () => {
    expect(base64Encode(b("\xfb\xff\xbf"), false, true)).toBe("+/+/");
    expect(base64Encode(b("\xfb\xff\xbf"), true, true)).toBe("-_-_");
    expect(dec("+/+/")).toBe("\xfb\xff\xbf");
    expect(dec("-_-_", true)).toBe("\xfb\xff\xbf");
    expect(dec("-_-_")).toBe("<null>");
    expect(dec("+/+/", true)).toBe("<null>");
  });
  it("rejects bad characters, bad padding, impossible lengths and non-canonical bits", () => {
    expect(dec("Zm9v\n")).toBe("<null>");
    expect(dec("Zm 9v")).toBe("<null>");
    expect(dec("Z")).toBe("<null>");
    expect(dec("Zm9vY")).toBe("<null>");
    expect(dec("Zg=")).toBe("<null>");
    expect(dec("Zg===")).toBe("<null>");
    expect(dec("Z===")).toBe("<null>");
    expect(dec("====")).toBe("<null>");
    expect(dec("Zm=v")).toBe("<null>");
    expect(dec("Zh==")).toBe("<null>");
    expect(dec("Zm9=")).toBe("<null>");
    expect(dec("Zm\u0139v")).toBe("<null>");
  });
});

describe("APR's lenient base64 decoder", () => {
  it("decodes what the strict decoder decodes", () => {
    expect(byteStringFromBytes(aprBase64Decode("Zm9vYmFy"))).toBe("foobar");
    expect(byteStringFromBytes(aprBase64Decode("Zm9vYg=="))).toBe("foob");
    expect(byteStringFromBytes(aprBase64Decode("Zm9vYmE="))).toBe("fooba");
  });
  it("stops at the first character outside the standard alphabet", () => {
    expect(byteStringFromBytes(aprBase64Decode("Zm9v YmFy"))).toBe("foo");
    expect(byteStringFromBytes(aprBase64Decode("Zm9v-_"))).toBe("foo");
    expect(byteStringFromBytes(aprBase64Decode("Zm9vYmFy;path=/"))).toBe("foobar");
    expect(byteStringFromBytes(aprBase64Decode("Zm9v\u0100YmFy"))).toBe("foo");
    expect(byteStringFromBytes(aprBase64Decode("!Zm9v"))).toBe("");
  });
  it("drops a lone final character and ignores leftover bits", () => {
    expect(byteStringFromBytes(aprBase64Decode("Zm9vY"))).toBe("foo");
    expect(byteStringFromBytes(aprBase64Decode("Zh"))).toBe("f");
    expect(byteStringFromBytes(aprBase64Decode("Zm9"))).toBe("fo");
    expect(aprBase64Decode("").length).toBe(0);
  });
});

describe("hex", () => {
  it("encodes lowercase and decodes either case", () => {
    expect(hexEncode(b("\x00\x01\xab\xff"))).toBe("0001abff");
    expect(hexEncode(new Uint8Array(0))).toBe("");
    expect(byteStringFromBytes(hexDecode("0001ABff")!)).toBe("\x00\x01\xab\xff");
    expect(hexDecode("")!.length).toBe(0);
  });
  it("rejects odd lengths and non-hex characters", () => {
    expect(hexDecode("abc") == null).toBe(true);
    expect(hexDecode("0g") == null).toBe(true);
    expect(hexDecode(" 0") == null).toBe(true);
    expect(hexDecode("0\u0130") == null).toBe(true);
  });
});
