// Hostile input never traps: random byte strings through every pure reader of the feature.
import { HeaderMap } from "../../../assembly/core/headers";
import { findCookie, findCookieNginx, cookieValues } from "../../../assembly/codecs/cookies";
import { parseApacheDuration, parseNginxTime } from "../../../assembly/codecs/duration";
import { addressWord, decodeNginxCookie } from "../../../assembly/usertrack/nginx";

let seed: u32 = 12345;
function next(): u32 {
  seed = seed * 1103515245 + 12345;
  return seed >> 8;
}

const ALPHABET = "Apache=uid;, \t.:[]0123456789abcdefABCDEF+/=ymwdhsMpluxyz\xff\x00%";

function randomText(max: i32): string {
  const n = <i32>(next() % <u32>(max + 1));
  let out = "";
  for (let i = 0; i < n; i++) {
    out += (next() & 3) == 0 ? String.fromCharCode(<i32>(next() & 0xff)) : ALPHABET.charAt(<i32>(next() % <u32>ALPHABET.length));
  }
  return out;
}

describe("robustness", () => {
  it("reads thousands of random inputs without trapping", () => {
    let found = 0;
    for (let i = 0; i < 3000; i++) {
      const h = new HeaderMap();
      const lines = <i32>(next() % 3);
      for (let k = 0; k < lines; k++) h.load("cookie", randomText(40));
      if (findCookie(h, "Apache") != null) found++;
      if (findCookieNginx(h, "uid") != null) found++;
      found += cookieValues(h, "Apache").length;
      const t = randomText(30);
      if (decodeNginxCookie(t).uid != null) found++;
      if (parseApacheDuration(t).error == null) found++;
      if (parseNginxTime(t) >= 0) found++;
      found += addressWord(t)[0];
    }
    // Some inputs must have parsed, or the generator is not reaching the interesting paths.
    expect(found > 100).toBe(true);
  });
});
