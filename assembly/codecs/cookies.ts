// Reading cookies from request headers, as the originals read them. Each original has its own idea of
// where a cookie starts and ends, and clients are routinely mixed-up about it (repeated `Cookie` lines,
// HTTP/2 crumbs, `,` as a separator), so each reader here names the original whose rules it follows.
//
// Every function takes the request HeaderMap and reads all of its `cookie` headers in order (in place,
// the values cookieHeaders lists): HTTP/1 clients may send several lines, and HTTP/2 clients send cookie
// "crumbs" that Envoy may or may not have joined. Values are byte strings (see core/bytes.ts); nothing here
// decodes, unquotes or validates a value.

import { HeaderMap } from "../core/headers";
import { isToken } from "./ascii";
import { unitAt } from "../core/bytes";

const COOKIE = "cookie";

/** The values of every `cookie` request header, in order. */
export function cookieHeaders(headers: HeaderMap): string[] {
  return headers.getAll(COOKIE);
}

// The readers below walk the map's pairs themselves rather than through cookieHeaders: every request
// comes here, and the list would be an array made and dropped each time.

/** A header name is "cookie": the same string (names from the host's common-name table) or its 12 bytes. */
// @ts-ignore: decorator
@inline function isCookieHeader(name: string): bool {
  const p = changetype<usize>(name), q = changetype<usize>(COOKIE);
  return p == q || (name.length == 6 && load<u64>(p) == load<u64>(q) && load<u32>(p + 8) == load<u32>(q + 8));
}

/**
 * The value of cookie `name` as Apache's mod_usertrack finds it, or null when absent.
 *
 * httpd joins repeated headers with ", " and matches
 * `^NAME=([^;,]+)|[;,][ \t]*NAME=([^;,]+)` against the result: the name is matched case-sensitively at
 * the very start or after a `;` or `,` (then optional spaces and tabs); the value runs to the next `;`,
 * `,` or the end and keeps any trailing blanks; an empty value does not count (`Apache=` is no cookie)
 * and the left-most match wins. Each header after the first is treated as following a `,`, which is what
 * the join produces.
 */
export function findCookie(headers: HeaderMap, name: string): string | null {
  const names = headers.names, values = headers.values;
  let later = false;
  for (let i = 0, n = names.length; i < n; i++) {
    if (!isCookieHeader(unchecked(names[i]))) continue;
    const found = findInApacheHeader(unchecked(values[i]), name, later);
    if (found != null) return found;
    later = true;
  }
  return null;
}

/**
 * Every non-empty value of cookie `name` in Apache's reading (see findCookie), in order: lets a caller
 * notice a cookie sent twice with different values.
 */
export function cookieValues(headers: HeaderMap, name: string): string[] {
  const out = new Array<string>();
  const names = headers.names, values = headers.values;
  let later = false;
  for (let i = 0, count = names.length; i < count; i++) {
    if (!isCookieHeader(unchecked(names[i]))) continue;
    const s = unchecked(values[i]);
    let from = 0;
    let afterSeparator = later;
    later = true;
    while (from <= s.length) {
      const m = matchApacheAt(s, name, from, afterSeparator);
      if (m != null) out.push(m);
      // Move to just past the next separator; a match can only start there.
      const next = nextSeparator(s, from);
      if (next < 0) break;
      from = next + 1;
      afterSeparator = true;
    }
  }
  return out;
}

/**
 * The value of cookie `name` as nginx's userid module finds it (`ngx_http_parse_multi_header_lines`), or
 * null when absent: the name is compared case-insensitively at the start of a header or of a pair (pairs
 * are separated by `;` or `,`, then spaces); spaces may follow the name and the `=`; the value runs to the
 * next `;` or the end and may be empty.
 */
export function findCookieNginx(headers: HeaderMap, name: string): string | null {
  const names = headers.names, values = headers.values;
  const n = name.length;
  for (let i = 0, count = names.length; i < count; i++) {
    if (!isCookieHeader(unchecked(names[i]))) continue;
    const s = unchecked(values[i]);
    const end = s.length;
    let p = 0;
    while (p < end) {
      if (p + n <= end && equalsIgnoreAsciiCase(s, p, name)) {
        let q = p + n;
        while (q < end && unitAt(s, q) == 0x20) q++;
        if (q < end && unitAt(s, q) == 0x3d) {
          q++;
          while (q < end && unitAt(s, q) == 0x20) q++;
          let last = q;
          while (last < end && unitAt(s, last) != 0x3b) last++;
          return s.substring(q, last);
        }
      }
      // Skip to the next pair.
      while (p < end) {
        const c = unitAt(s, p++);
        if (c == 0x3b || c == 0x2c) break;
      }
      while (p < end && unitAt(s, p) == 0x20) p++;
    }
  }
  return null;
}

/**
 * True when `name` can be a cookie name in a Set-Cookie header without changing its meaning: RFC 6265
 * §4.1.1 cookie-name, an RFC 9110 token.
 */
export function isCookieName(name: string): bool {
  return isToken(name);
}

/** True when `value` can stand in a cookie attribute: visible ASCII without `;` and `,`. */
export function isAttributeValue(value: string): bool {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c == 0x3b || c == 0x2c) return false;
  }
  return true;
}

function findInApacheHeader(s: string, name: string, afterSeparator: bool): string | null {
  let from = 0;
  let sep = afterSeparator;
  while (from <= s.length) {
    const m = matchApacheAt(s, name, from, sep);
    if (m != null) return m;
    const next = nextSeparator(s, from);
    if (next < 0) return null;
    from = next + 1;
    sep = true;
  }
  return null;
}

/**
 * Tries the usertrack pattern at `from`: when `afterSeparator`, blanks may come first (`[ \t]*`), else the
 * name must start right there (`^`). Every number of leading blanks is tried, as the regex would, so a
 * name that itself starts with a blank still matches.
 */
function matchApacheAt(s: string, name: string, from: i32, afterSeparator: bool): string | null {
  let limit = from;
  if (afterSeparator) {
    while (limit < s.length && isBlank(unitAt(s, limit))) limit++;
  }
  for (let at = from; at <= limit; at++) {
    const v = valueAfterName(s, name, at);
    if (v != null) return v;
  }
  return null;
}

function valueAfterName(s: string, name: string, at: i32): string | null {
  const n = name.length;
  if (at + n + 1 > s.length) return null;
  for (let k = 0; k < n; k++) {
    if (unitAt(s, at + k) != unitAt(name, k)) return null;
  }
  if (unitAt(s, at + n) != 0x3d) return null;
  const start = at + n + 1;
  let end = start;
  while (end < s.length && !isApacheSeparator(unitAt(s, end))) end++;
  return end > start ? s.substring(start, end) : null;
}

function nextSeparator(s: string, from: i32): i32 {
  for (let i = from; i < s.length; i++) {
    if (isApacheSeparator(unitAt(s, i))) return i;
  }
  return -1;
}

// @ts-ignore: decorator
@inline function isApacheSeparator(c: i32): bool { return c == 0x3b || c == 0x2c; }
// @ts-ignore: decorator
@inline function isBlank(c: i32): bool { return c == 0x20 || c == 0x09; }

function equalsIgnoreAsciiCase(s: string, at: i32, name: string): bool {
  for (let k = 0; k < name.length; k++) {
    let a = unitAt(s, at + k);
    let b = unitAt(name, k);
    if (a >= 0x41 && a <= 0x5a) a += 0x20;
    if (b >= 0x41 && b <= 0x5a) b += 0x20;
    if (a != b) return false;
  }
  return true;
}

const WEEKDAYS: string[] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: string[] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * The Netscape cookie date `Www, DD-Mon-YY HH:MM:SS GMT` for a Unix time in seconds. The year has two
 * digits (year mod 100, as Apache writes it) up to `lastTwoDigitYear`, four after it (nginx switches
 * after 2037; Apache never does: pass i32.MAX_VALUE).
 */
export function cookieDate(unixSeconds: i64, lastTwoDigitYear: i32): string {
  let days = unixSeconds / 86400;
  let secs = unixSeconds % 86400;
  if (secs < 0) { secs += 86400; days -= 1; }
  // Civil date from a day count (proleptic Gregorian, 400-year eras starting on 0000-03-01).
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const day = doy - (153 * mp + 2) / 5 + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  let weekday = (days + 4) % 7;
  if (weekday < 0) weekday += 7;
  const yearText = year > <i64>lastTwoDigitYear ? year.toString() : pad2(year % 100);
  return WEEKDAYS[<i32>weekday] + ", " + pad2(day) + "-" + MONTHS[<i32>month - 1] + "-" + yearText + " " +
    pad2(secs / 3600) + ":" + pad2((secs / 60) % 60) + ":" + pad2(secs % 60) + " GMT";
}

function pad2(v: i64): string {
  return v < 10 ? "0" + v.toString() : v.toString();
}
