// The identity codec's decoding and encoding rules (httpd mod_session.c session_identity_decode/encode),
// and the codec-level CVE regressions: CVE-2021-26690 (a crafted cookie piece `&=` crashed Apache) and
// CVE-2021-26691 (a crafted SessionHeader from the backend crashed or overflowed Apache).
import { atoi64, decodeInto, encodeSession, encodeSessionLike, Session } from "../../../assembly/session/codec";

function roundTrip(encoded: string): string {
  const s = new Session();
  decodeInto(s, encoded, false, true);
  return encodeSession(s, false);
}

function expiryOf(encoded: string): i64 {
  const s = new Session();
  decodeInto(s, encoded, false, true);
  return s.expiry;
}

describe("identity decoding", () => {
  it("splits on &, skips empty pieces, keeps insertion order", () => {
    expect(roundTrip("b=2&&a=1&")).toBe("b=2&a=1");
  });
  it("takes the value after the first = (2.4.x)", () => {
    expect(roundTrip("e=1=2")).toBe("e=1%3d2");
  });
  it("deletes on no = or an empty value", () => {
    expect(roundTrip("a=1&b=2&a&c=3&b=")).toBe("c=3");
  });
  it("last duplicate wins, in the first one's position", () => {
    expect(roundTrip("a=1&b=2&a=3")).toBe("a=3&b=2");
  });
  it("decodes + and %xx, re-encodes with lower-case hex", () => {
    expect(roundTrip("k%20ey=a+b%2F%C3%A9%7e.-*_")).toBe("k+ey=a+b%2f%c3%a9%7e.-*_");
  });
  it("ignores pieces with malformed escapes or %00 in key or value", () => {
    expect(roundTrip("a=%zz&b%=1&c=%0&d=%00&e%00=1&f=ok")).toBe("f=ok");
  });
  it("ignores pieces with an empty key (departs: Apache reads =x as deleting x)", () => {
    expect(roundTrip("x=1&=x&=&==")).toBe("x=1");
  });
  it("deletes by the decoded key (departs: Apache unsets the escaped key)", () => {
    expect(roundTrip("a+b=1&a%20b=")).toBe("");
  });
  it("takes expiry out of the table, with apr_atoi64's parsing", () => {
    expect(expiryOf("expiry=1795321081346706&a=1")).toBe(1795321081346706);
    expect(roundTrip("expiry=1795321081346706&a=1")).toBe("a=1&expiry=1795321081346706");
    expect(expiryOf("expiry=12abc")).toBe(12);
    expect(expiryOf("expiry=abc")).toBe(0);
    expect(expiryOf("expiry=-5")).toBe(-5);
    expect(expiryOf("expiry=99999999999999999999999")).toBe(i64.MAX_VALUE);
  });
});

describe("apr_atoi64", () => {
  it("parses like strtoll", () => {
    expect(atoi64("  +42x")).toBe(42);
    expect(atoi64("-9223372036854775808")).toBe(i64.MIN_VALUE);
    expect(atoi64("-9223372036854775809")).toBe(i64.MIN_VALUE);
    expect(atoi64("9223372036854775807")).toBe(i64.MAX_VALUE);
    expect(atoi64("")).toBe(0);
  });
});

describe("encoding", () => {
  it("puts the expiry in place when it is already in the table", () => {
    const s = new Session();
    s.expiry = 5;
    expect(encodeSession(s, false)).toBe("expiry=5");
    s.entries.set("k", "v w");
    s.expiry = 6;
    expect(encodeSession(s, false)).toBe("expiry=6&k=v+w");
  });
  it("escapes every byte outside A-Z a-z 0-9 . - * _", () => {
    const s = new Session();
    s.entries.set("k", "\x01~!'()&=;,\xff");
    expect(encodeSession(s, false)).toBe("k=%01%7e%21%27%28%29%26%3d%3b%2c%ff");
  });
});

function like(stored: string): string {
  const s = new Session();
  decodeInto(s, stored, false, true);
  return encodeSessionLike(s, false, stored);
}

describe("a table past the linear lookup (more than 16 slots, then an index)", () => {
  it("keeps first positions, replaces in place and deletes across the switch", () => {
    const parts = new Array<string>();
    for (let i = 0; i < 20; i++) parts.push("k" + i.toString() + "=" + i.toString());
    // k3 replaced in place, k5 deleted, k5 added again at the end, k19 deleted, k20 new.
    parts.push("k3=x&k5=&k19&k5=y&k20=z");
    const expected = new Array<string>();
    for (let i = 0; i < 20; i++) {
      if (i == 5 || i == 19) continue;
      expected.push("k" + i.toString() + "=" + (i == 3 ? "x" : i.toString()));
    }
    expected.push("k5=y");
    expected.push("k20=z");
    expect(roundTrip(parts.join("&"))).toBe(expected.join("&"));
  });
  it("finds keys again after compaction shrinks it below the switch", () => {
    const s = new Session();
    const parts = new Array<string>();
    for (let i = 0; i < 18; i++) parts.push("k" + i.toString() + "=v");
    decodeInto(s, parts.join("&"), false, true);
    for (let i = 0; i < 10; i++) s.entries.unset("k" + i.toString());
    expect(s.entries.size).toBe(8);
    expect(s.entries.keys.length).toBe(8);
    s.entries.set("k12", "w");
    s.entries.set("k0", "again");
    expect(s.entries.get("k12")).toBe("w");
    expect(s.entries.has("k3")).toBe(false);
    expect(encodeSession(s, false)).toBe("k10=v&k11=v&k12=w&k13=v&k14=v&k15=v&k16=v&k17=v&k0=again");
  });
  it("escapes what is set after a stored session of plain pairs was read", () => {
    const s = new Session();
    decodeInto(s, "a=1&expiry=5", false, true);
    expect(encodeSession(s, false)).toBe("a=1&expiry=5");
    s.entries.set("k ey", "a&b");
    expect(encodeSession(s, false)).toBe("a=1&expiry=5&k+ey=a%26b");
    const t = new Session();
    decodeInto(t, "a=1", false, true);
    decodeInto(t, "a=x%2By", false, false);
    expect(encodeSession(t, false)).toBe("a=x%2by");
  });
  it("reads keys the same whether or not the decoder keeps them between sessions (long keys, many keys)", () => {
    // The decoder keeps up to 16 keys of up to 32 bytes to hand out again; every other key is cut anew.
    const long = "a_key_of_forty_bytes_that_is_never_kept";
    const parts = new Array<string>();
    for (let i = 0; i < 40; i++) parts.push("key" + i.toString() + "=" + i.toString());
    parts.push(long + "=x");
    parts.push("key" + "3=again");
    const encoded = parts.join("&");
    for (let round = 0; round < 2; round++) {
      const s = new Session();
      decodeInto(s, encoded, false, true);
      expect(s.entries.size).toBe(41);
      expect(s.entries.get("key3")).toBe("again");
      expect(s.entries.get("key39")).toBe("39");
      expect(s.entries.get(long)).toBe("x");
      expect(s.entries.has("key4")).toBe(true);
      expect(s.entries.has("key")).toBe(false);
      expect(encodeSession(s, false)).toBe(encoded.substring(0, encoded.lastIndexOf("&")).replace("key3=3", "key3=again"));
    }
  });
});

describe("encoding against the stored text (encodeSessionLike)", () => {
  it("hands back the stored string itself when the encoding reads the same", () => {
    const stored = "user=alice&cart=3&expiry=1700001800000000";
    const out = like(stored);
    expect(out).toBe(stored);
    expect(changetype<usize>(out)).toBe(changetype<usize>(stored));
  });
  it("re-encodes when the stored order differs: the expiry moves to the end, as Apache's encode does", () => {
    expect(like("expiry=1700001800000000&user=alice&cart=3")).toBe("user=alice&cart=3&expiry=1700001800000000");
  });
  it("re-encodes escapes, duplicates and deletions exactly as encodeSession", () => {
    const cases = ["a=1&a=2", "a=1&b=&c=3", "k%20ey=a+b%2F", "&a=1&", "e=1=2", "a=%zz&f=ok", "E=1&expiry=9&x=y"];
    for (let i = 0; i < cases.length; i++) {
      const s = new Session();
      decodeInto(s, cases[i], false, true);
      const t = new Session();
      decodeInto(t, cases[i], false, true);
      expect(encodeSessionLike(s, false, cases[i])).toBe(encodeSession(t, false));
    }
  });
  it("has the same side effect: the expiry enters the table, so a later save keeps its place", () => {
    const s = new Session();
    decodeInto(s, "a=1&expiry=7", false, true);
    encodeSessionLike(s, false, "a=1&expiry=7");
    s.entries.set("b", "2");
    s.expiry = 8;
    expect(encodeSession(s, false)).toBe("a=1&expiry=8&b=2");
  });
});

describe("CVE-2021-26690: crafted cookie pieces", () => {
  it("the public proof of concept `expiry=…&=` decodes safely", () => {
    const s = new Session();
    decodeInto(s, "expiry=4102444800000000&=", false, true);
    expect(s.expiry).toBe(4102444800000000);
    expect(s.entries.size).toBe(0);
  });
  it("degenerate inputs never trap and leave only well-formed pairs", () => {
    const inputs = ["&", "=", "&=&=&", "===", "%", "%%", "%%%&a=%", "a==", "=&a=1", "&&&&&&&&&&b=2&&&&", "\x00=\x00", "%0"];
    const expected = ["", "", "", "", "", "", "", "a=%3d", "a=1", "b=2", "", ""];
    for (let i = 0; i < inputs.length; i++) expect(roundTrip(inputs[i])).toBe(expected[i]);
  });
});

describe("CVE-2021-26691: crafted SessionHeader values", () => {
  it("merges on top of the session without corrupting it", () => {
    const s = new Session();
    decodeInto(s, "keep=1&drop=2", false, true);
    decodeInto(s, "&=&drop=&%zz=1&new=%41%42&=&&keep", false, false);
    expect(encodeSession(s, false)).toBe("new=AB");
  });
  it("survives a large header of separators and escapes", () => {
    let big = "";
    for (let i = 0; i < 4000; i++) big += "&=%";
    big += "&k=" + "%ff".repeat(3000);
    const s = new Session();
    decodeInto(s, big, false, false);
    expect(s.entries.size).toBe(1);
    expect(encodeSession(s, false).length).toBe(2 + 9000);
  });
});

let seed: u32 = 0x9e3779b9;
function next(): u32 { seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5; return seed; }
function randomBytes(maxLen: u32): string {
  const n = <i32>(next() % maxLen) + 1;
  const codes = new Array<i32>();
  for (let i = 0; i < n; i++) codes.push(<i32>(next() % 255) + 1);
  return String.fromCharCodes(codes);
}

describe("round trip", () => {
  it("decode(encode(t)) == t for random tables of arbitrary bytes (NUL aside)", () => {
    let mismatches = 0;
    for (let round = 0; round < 300; round++) {
      const s = new Session();
      const pairs = <i32>(next() % 6);
      for (let p = 0; p < pairs; p++) {
        const k = randomBytes(8);
        if (k == "expiry") continue;
        s.entries.set(k, randomBytes(12));
      }
      const encoded = encodeSession(s, false);
      const back = new Session();
      decodeInto(back, encoded, false, true);
      if (back.entries.keys.join("\x00") != s.entries.keys.join("\x00") ||
          back.entries.values.join("\x00") != s.entries.values.join("\x00")) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
