import {
  hexDigitValue, isAlnum, isDigit, isLetter, isPathSegmentChar, isPrintable, isToken, isTokenChar, isWordChar,
} from "../../../assembly/codecs/ascii";

/** The code units 0..0x17F for which `f` holds, as a string. */
function members(f: (c: i32) => bool): string {
  let out = "";
  for (let c = 0; c < 0x180; c++) if (f(c)) out += String.fromCharCode(c);
  return out;
}

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

describe("character classes, listed in full over 0..0x17F", () => {
  it("tchar (RFC 9110 §5.6.2)", () => {
    expect(members(isTokenChar)).toBe("!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~");
  });
  it("path-segment characters (RFC 3986 §3.3 pchar without pct-encoded)", () => {
    expect(members(isPathSegmentChar)).toBe("!$&'()*+,-.0123456789:;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~");
  });
  it("digits, letters, alphanumerics and word characters", () => {
    expect(members(isDigit)).toBe("0123456789");
    expect(members(isLetter)).toBe("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    expect(members(isAlnum)).toBe(ALNUM);
    expect(members(isWordChar)).toBe("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");
  });
  it("hex digit values, either case, -1 elsewhere", () => {
    expect(members((c: i32): bool => hexDigitValue(c) >= 0)).toBe("0123456789ABCDEFabcdef");
    expect(hexDigitValue(0x30)).toBe(0);
    expect(hexDigitValue(0x39)).toBe(9);
    expect(hexDigitValue(0x41)).toBe(10);
    expect(hexDigitValue(0x66)).toBe(15);
    expect(hexDigitValue(0x46)).toBe(15);
    expect(hexDigitValue(0x67)).toBe(-1);
    expect(hexDigitValue(0x146)).toBe(-1);
    expect(hexDigitValue(-1)).toBe(-1);
  });
});

describe("string forms", () => {
  it("a token is non-empty and all tchar", () => {
    expect(isToken("x-clicktrail_id")).toBe(true);
    expect(isToken("a&b")).toBe(true);
    expect(isToken("")).toBe(false);
    expect(isToken("a b")).toBe(false);
    expect(isToken("a:b")).toBe(false);
    expect(isToken("caf\u00e9")).toBe(false);
  });
  it("printable is space through ~, the empty string included", () => {
    expect(isPrintable("")).toBe(true);
    expect(isPrintable(" ~Path=/; Secure")).toBe(true);
    expect(isPrintable("a\tb")).toBe(false);
    expect(isPrintable("a\x7fb")).toBe(false);
    expect(isPrintable("\u00e9")).toBe(false);
    expect(isPrintable("\x1f")).toBe(false);
  });
});
