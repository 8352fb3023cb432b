import { DEFAULT_KEY_PREFIX, MAX_KEY_PREFIX_CHARS, keyPrefixFromPluginName } from "../../../assembly/session/key-prefix";

function repeat(c: string, n: i32): string { return c.repeat(n); }

/** What `key_prefix` accepts (config/session-shared.ts) and a single `/`, at the end. */
function wellFormed(p: string): bool {
  if (p.length < 1 || p.length > MAX_KEY_PREFIX_CHARS) return false;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
    if (c == 0x2f && i != p.length - 1) return false;
  }
  return p.endsWith("/");
}

// The digests below are the first 16 hex digits of SHA-256 of the name, computed outside the filter:
//   node -e 'console.log(require("crypto").createHash("sha256").update(Buffer.from(NAME, "latin1")).digest("hex").slice(0, 16))'
describe("key prefix from the plugin name", () => {
  it("is the name and a slash: Envoy's own plugin keeps clicktrail/, istiod's names stay readable", () => {
    expect(keyPrefixFromPluginName("clicktrail")).toBe("clicktrail/");
    expect(keyPrefixFromPluginName("default.clicktrail")).toBe("default.clicktrail/");
    expect(keyPrefixFromPluginName("shop-prod.session-a")).toBe("shop-prod.session-a/");
    expect(keyPrefixFromPluginName("Web_1*")).toBe("Web_1*/");
  });

  it("falls back to clicktrail/ when the host has no name or an empty one", () => {
    expect(DEFAULT_KEY_PREFIX).toBe("clicktrail/");
    expect(keyPrefixFromPluginName(null)).toBe("clicktrail/");
    expect(keyPrefixFromPluginName("")).toBe("clicktrail/");
  });

  it("urlencodes every other byte, so that no two names meet and the only slash is the last", () => {
    expect(keyPrefixFromPluginName("a b/c%~\x00\xff+")).toBe("a+b%2fc%25%7e%00%ff%2b/");
    expect(keyPrefixFromPluginName("a+b")).not.toBe(keyPrefixFromPluginName("a b"));
    expect(keyPrefixFromPluginName("a/")).toBe("a%2f/");
    expect(keyPrefixFromPluginName("/")).toBe("%2f/");
    expect(keyPrefixFromPluginName("\n")).toBe("%0a/");
    for (let c = 0; c < 256; c++) {
      const p = keyPrefixFromPluginName("n" + String.fromCharCode(c));
      expect(wellFormed(p)).toBe(true);
    }
  });

  it("keeps a name whose encoding fits in 127 characters whole", () => {
    expect(keyPrefixFromPluginName(repeat("k", 127))).toBe(repeat("k", 127) + "/");
    const tight = repeat("x", 109) + " \xff"; // 113 encoded characters
    expect(keyPrefixFromPluginName(tight)).toBe(repeat("x", 109) + "+%ff/");
  });

  it("shortens a longer name to at most 128 characters: its beginning, ~ and 16 hex digits of its SHA-256", () => {
    expect(keyPrefixFromPluginName(repeat("k", 128))).toBe(repeat("k", 110) + "~69cd344d20fee041/");
    const a = keyPrefixFromPluginName(repeat("a", 300));
    expect(a).toBe(repeat("a", 110) + "~9835fa6bf4e20a9b/");
    expect(a.length).toBe(128);
    // Same beginning, different end: a plain cut would give both plugins one store.
    expect(keyPrefixFromPluginName(repeat("a", 299) + "b")).toBe(repeat("a", 110) + "~daf00507ddaa912f/");
    // 300 bytes that all need escaping: 36 whole escapes (108 characters; the 37th would cross 110).
    expect(keyPrefixFromPluginName(repeat("\xff", 300))).toBe(repeat("%ff", 36) + "~5263250339d3961c/");
  });

  it("never cuts a %xx escape in two", () => {
    // %ff would straddle the cut at 110: cut before it.
    expect(keyPrefixFromPluginName(repeat("x", 109) + "\xff" + repeat("y", 30))).toBe(repeat("x", 109) + "~e9485afb7db5d67a/");
    expect(keyPrefixFromPluginName(repeat("x", 108) + "/" + repeat("y", 30))).toBe(repeat("x", 108) + "~69ded70a1872b3ec/");
    // An escape starting right at the cut is left out whole.
    expect(keyPrefixFromPluginName(repeat("x", 110) + "%" + repeat("y", 30))).toBe(repeat("x", 110) + "~bd44c20815a589d2/");
  });
});
