// Durations as Apache httpd writes them in configuration (CookieExpires, and mod_expires' "plus" syntax
// it was copied from). The parse reproduces mod_usertrack's own reading, quirks included, because a
// configuration converted from Apache must mean the same number of seconds:
//
// * When the first and the last characters are digits, the leading number is the answer and everything
//   after it is ignored (`"3 hours 7"` is 3 seconds).
// * Otherwise the text is split into words; a first word starting with `p` (meant as "plus") is skipped;
//   then come pairs `<number> <unit>`. A number is read up to its first non-digit (`"2x weeks"` is 2
//   weeks). Only the first one or two letters of a unit are compared, case-insensitively, in this order:
//   y(ears), mo(nths), w(eeks), d(ays), h(ours), mi(nutes), s(econds); `"3 hourglass"` is 3 hours and
//   a bare `m` is no unit. A year is 365 days, a month 30.
// * Errors carry Apache's messages.

import { isDigit } from "./ascii";

/** The largest expiry Apache can hold (its `int` field); beyond it Apache silently wraps. */
export const MAX_EXPIRES_SECONDS: i64 = 2147483647;

export class DurationResult {
  constructor(public seconds: i64, public error: string | null) {}
}

const YEAR: i64 = 60 * 60 * 24 * 365;
const MONTH: i64 = 60 * 60 * 24 * 30;
const WEEK: i64 = 60 * 60 * 24 * 7;
const DAY: i64 = 60 * 60 * 24;
const HOUR: i64 = 60 * 60;
const MINUTE: i64 = 60;

/**
 * Parses a CookieExpires argument (the text between Apache's quotes). Totals above
 * MAX_EXPIRES_SECONDS are an error here, where Apache would wrap them into a negative or wrong number.
 */
export function parseApacheDuration(text: string): DurationResult {
  const n = text.length;
  if (n > 0 && isDigit(text.charCodeAt(0)) && isDigit(text.charCodeAt(n - 1))) {
    return bounded(leadingNumber(text));
  }
  const words = splitWords(text);
  let i = 0;
  if (i < words.length && (words[i].charCodeAt(0) | 0x20) == 0x70) i++; // "plus", "p", "Pxyz"
  let total: i64 = 0;
  while (i < words.length) {
    const numberWord = words[i++];
    if (!isDigit(numberWord.charCodeAt(0))) return new DurationResult(0, "bad expires code, numeric value expected.");
    const num = leadingNumber(numberWord);
    if (i >= words.length) return new DurationResult(0, "bad expires code, missing <type>");
    const factor = unitFactor(words[i++]);
    if (factor == 0) return new DurationResult(0, "bad expires code, unrecognized type");
    total = saturatingAdd(total, saturatingMul(num, factor));
  }
  return bounded(total);
}

function bounded(seconds: i64): DurationResult {
  if (seconds > MAX_EXPIRES_SECONDS) {
    return new DurationResult(0, "the expiry must be at most " + MAX_EXPIRES_SECONDS.toString() +
      " seconds (about 68 years); Apache would wrap this value");
  }
  return new DurationResult(seconds, null);
}

function unitFactor(word: string): i64 {
  const a = word.charCodeAt(0) | 0x20;
  const b = word.length > 1 ? word.charCodeAt(1) | 0x20 : 0;
  if (a == 0x79) return YEAR;                 // y
  if (a == 0x6d && b == 0x6f) return MONTH;   // mo
  if (a == 0x77) return WEEK;                 // w
  if (a == 0x64) return DAY;                  // d
  if (a == 0x68) return HOUR;                 // h
  if (a == 0x6d && b == 0x69) return MINUTE;  // mi
  if (a == 0x73) return 1;                    // s
  return 0;
}

/** The digits at the start of `s` as a number, saturating far above any valid expiry. */
function leadingNumber(s: string): i64 {
  let x: i64 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) break;
    x = saturatingAdd(saturatingMul(x, 10), <i64>(c - 0x30));
  }
  return x;
}

const CAP: i64 = 1 << 60;

function saturatingMul(a: i64, b: i64): i64 {
  if (a == 0 || b == 0) return 0;
  return a > CAP / b ? CAP : a * b;
}

function saturatingAdd(a: i64, b: i64): i64 {
  const s = a + b;
  return s > CAP ? CAP : s;
}

/** Words separated by C isspace characters (space, \t, \n, \v, \f, \r), as ap_getword_conf splits them. */
function splitWords(text: string): string[] {
  const out = new Array<string>();
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    const start = i;
    while (i < n && !isSpace(text.charCodeAt(i))) i++;
    if (i > start) out.push(text.substring(start, i));
  }
  return out;
}

// @ts-ignore: decorator
@inline function isSpace(c: i32): bool { return c == 0x20 || (c >= 0x09 && c <= 0x0d); }

/**
 * Parses nginx's time syntax in seconds (`ngx_parse_time` for directives such as `userid_expires`):
 * numbers followed by units y (365 d), M (30 d), w, d, h, m, s in strictly decreasing order, spaces
 * allowed after a unit; a trailing number without a unit counts as seconds ("1h 30" is 3630). Returns
 * -1 for text nginx would call an "invalid value" and for totals above MAX_EXPIRES_SECONDS.
 */
export function parseNginxTime(text: string): i64 {
  let value: i64 = 0;
  let total: i64 = 0;
  let valid = false;
  let step = 0; // 0 start, 1 y, 2 M, 3 w, 4 d, 5 h, 6 m, 7 s, 8 a bare number
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i++);
    if (isDigit(c)) {
      value = saturatingAdd(saturatingMul(value, 10), <i64>(c - 0x30));
      valid = true;
      continue;
    }
    let next = 0;
    let scale: i64 = 1;
    if (c == 0x79) { next = 1; scale = YEAR; }
    else if (c == 0x4d) { next = 2; scale = MONTH; }
    else if (c == 0x77) { next = 3; scale = WEEK; }
    else if (c == 0x64) { next = 4; scale = DAY; }
    else if (c == 0x68) { next = 5; scale = HOUR; }
    else if (c == 0x6d) {
      if (i < n && text.charCodeAt(i) == 0x73) return -1; // "ms": not for a value in seconds
      next = 6; scale = MINUTE;
    }
    else if (c == 0x73) { next = 7; scale = 1; }
    else if (c == 0x20) { next = 8; scale = 1; }
    else return -1;
    // Units must come in decreasing order ("y" alone may follow nothing but the start).
    if (next == 8 ? step >= 7 : step >= next) return -1;
    step = next;
    total = saturatingAdd(total, saturatingMul(value, scale));
    value = 0;
    while (i < n && text.charCodeAt(i) == 0x20) i++;
  }
  if (!valid) return -1;
  total = saturatingAdd(total, value);
  return total > MAX_EXPIRES_SECONDS ? -1 : total;
}
