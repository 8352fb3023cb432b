import { parseApacheDuration } from "../../../assembly/codecs/duration";

function parse(s: string): string {
  const r = parseApacheDuration(s);
  return r.error != null ? "error: " + r.error! : r.seconds.toString();
}

describe("CookieExpires parsing (vectors.json usertrack_expires_parsing)", () => {
  it("matches the observed table", () => {
    expect(parse("1 day 2 hours")).toBe("93600");
    expect(parse("2 weeks 3 days 7 hours")).toBe("1494000");
    expect(parse("plus 1 month")).toBe("2592000");
    expect(parse("1 y 1 mo 1 mi 1 s")).toBe("34128061");
    expect(parse("120")).toBe("120");
    expect(parse("3 hours 7")).toBe("3");
    expect(parse("1 xyz")).toBe("error: bad expires code, unrecognized type");
  });
});

describe("CookieExpires parsing: Apache's other rules", () => {
  it("compares only the first one or two letters of a unit, case-insensitively", () => {
    expect(parse("3 HOURGLASS")).toBe("10800");
    expect(parse("1 Mo")).toBe("2592000");
    expect(parse("1 mi")).toBe("60");
    expect(parse("2 w")).toBe("1209600");
    expect(parse("1 m")).toBe("error: bad expires code, unrecognized type");
    expect(parse("1 second 1 sec")).toBe("2");
  });
  it("skips any first word starting with p and reads numbers up to a non-digit", () => {
    expect(parse("p 1 day")).toBe("86400");
    expect(parse("Pxyz 1 day")).toBe("86400");
    expect(parse("2x weeks")).toBe("1209600");
    expect(parse("\t1\nday ")).toBe("86400");
  });
  it("reports Apache's errors", () => {
    expect(parse("weeks 2")).toBe("error: bad expires code, numeric value expected.");
    expect(parse("plus plus 1 day")).toBe("error: bad expires code, numeric value expected.");
    expect(parse("-1 day")).toBe("error: bad expires code, numeric value expected.");
    expect(parse("plus 1 day 2")).toBe("error: bad expires code, missing <type>");
    expect(parse("1 day 2 ")).toBe("error: bad expires code, missing <type>");
  });
  it("reads a value that starts and ends with digits as its leading number", () => {
    expect(parse("0")).toBe("0");
    expect(parse("10 days 5")).toBe("10");
    expect(parse("2147483647")).toBe("2147483647");
  });
  it("treats empty text as no expiry and refuses totals Apache would wrap", () => {
    expect(parse("")).toBe("0");
    expect(parse("  ")).toBe("0");
    expect(parse("2147483648")).toBe("error: the expiry must be at most 2147483647 seconds (about 68 years); Apache would wrap this value");
    expect(parse("100 years")).toBe("error: the expiry must be at most 2147483647 seconds (about 68 years); Apache would wrap this value");
    expect(parse("99999999999999999999999999 s")).toBe("error: the expiry must be at most 2147483647 seconds (about 68 years); Apache would wrap this value");
  });
});

import { parseNginxTime } from "../../../assembly/codecs/duration";

describe("nginx time syntax (userid_expires)", () => {
  it("reads units in decreasing order and a bare trailing number as seconds", () => {
    expect(parseNginxTime("365d")).toBe(31536000);
    expect(parseNginxTime("1y")).toBe(31536000);
    expect(parseNginxTime("12h30m")).toBe(45000);
    expect(parseNginxTime("1M 2w 3d 4h 5m 6s")).toBe(2592000 + 1209600 + 259200 + 14400 + 300 + 6);
    expect(parseNginxTime("1h 30")).toBe(3630);
    expect(parseNginxTime("120")).toBe(120);
  });
  it("refuses what nginx calls an invalid value", () => {
    expect(parseNginxTime("")).toBe(-1);
    expect(parseNginxTime("d")).toBe(-1);
    expect(parseNginxTime("1s 1h")).toBe(-1);
    expect(parseNginxTime("1d1d")).toBe(-1);
    expect(parseNginxTime("2 weeks")).toBe(-1);
    expect(parseNginxTime("100ms")).toBe(-1);
    expect(parseNginxTime("1D")).toBe(-1);
    expect(parseNginxTime("69y")).toBe(-1);
  });
});
