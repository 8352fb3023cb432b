// mod_usertrack's cookie (httpd 2.4): the value `%x.%lx` (a random 32-bit number and the request time in
// microseconds, both lowercase hex without padding) and the Set-Cookie line in the attribute order
// make_cookie() assembles it.
import { cookieDate } from "../codecs/cookies";
import { CookieStyle, UsertrackSettings } from "./settings";

/** `<random as hex>.<microseconds as hex>`, e.g. `7d6affb5.660d5b0ac6df5`. */
export function apacheCookieValue(random: u32, nowMicros: i64): string {
  return random.toString(16) + "." + (<u64>nowMicros).toString(16);
}

/** The response header that carries the cookie: Set-Cookie2 for CookieStyle Cookie2, else Set-Cookie. */
export function apacheHeaderName(s: UsertrackSettings): string {
  return s.style == CookieStyle.Cookie2 ? "set-cookie2" : "set-cookie";
}

/** The header value Apache sends for a new cookie `value` issued at `nowMicros`. */
export function apacheSetCookie(s: UsertrackSettings, value: string, nowMicros: i64): string {
  let out = s.cookieName + "=" + value + "; path=" + s.path;
  if (s.expires > 0) {
    if (s.style == CookieStyle.Netscape) {
      // apr_time_exp_gmt(request_time + expires): the date of the second the microseconds fall in.
      const at = floorDiv(nowMicros + s.expires * 1000000, 1000000);
      out += "; expires=" + cookieDate(at, i32.MAX_VALUE);
    } else {
      out += "; max-age=" + s.expires.toString();
    }
  }
  if (s.domain.length) {
    out += "; domain=" + s.domain;
    if (s.style == CookieStyle.Cookie2) out += "; version=1";
  }
  if (s.sameSite.length) out += "; SameSite=" + s.sameSite;
  if (s.secure) out += "; Secure";
  if (s.httpOnly) out += "; HttpOnly";
  return out;
}

function floorDiv(a: i64, b: i64): i64 {
  const q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
