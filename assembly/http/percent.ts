// application/x-www-form-urlencoded exactly as Apache httpd writes and reads it for mod_session
// (apache-originals §3.1): ap_escape_urlencoded and ap_unescape_urlencoded from server/util.c.

import { byteStringToBytes } from "./bytes";
import { hexDigitValue } from "./hex";
import { MAX_CODEC_OUTPUT } from "./base64";

const LOWER_HEX = "0123456789abcdef";

/** Whether Apache leaves the byte as it is: ASCII letters, digits and `.-*_` (space becomes `+`). */
// @ts-ignore: decorator
@inline
export function isPlain(c: u32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
    c == 0x2e || c == 0x2d || c == 0x2a || c == 0x5f;
}

/**
 * ap_escape_urlencoded: every byte except ASCII letters, digits and `. - * _` becomes `%xx` with
 * LOWERCASE hex (Apache's c2x table), and space becomes `+`. Input and output are byte strings; code
 * units above 0xFF are escaped as their UTF-8 bytes. A NUL byte, which ends the C string in Apache,
 * is escaped as `%00` here rather than cutting the value short. Empty when the result would exceed
 * MAX_CODEC_OUTPUT characters.
 */
export function escapeUrlencoded(s: string): string {
  const bytes = byteStringToBytes(s);
  const n = bytes.length;
  const src = bytes.dataStart;
  let outLen = 0;
  for (let i = 0; i < n; i++) {
    const c = <u32>load<u8>(src + <usize>i);
    outLen += isPlain(c) || c == 0x20 ? 1 : 3;
  }
  if (outLen > MAX_CODEC_OUTPUT) return "";
  if (outLen == n && s.length == n) {
    // Nothing to escape except maybe spaces.
    if (s.indexOf(" ") < 0) return s;
  }
  const out = changetype<string>(__new(<usize>outLen << 1, idof<string>()));
  const dst = changetype<usize>(out);
  const hex = changetype<usize>(LOWER_HEX);
  let o: usize = 0;
  for (let i = 0; i < n; i++) {
    const c = <u32>load<u8>(src + <usize>i);
    if (isPlain(c)) {
      store<u16>(dst + o, <u16>c);
      o += 2;
    } else if (c == 0x20) {
      store<u16>(dst + o, 0x2b);
      o += 2;
    } else {
      store<u16>(dst + o, 0x25);
      store<u16>(dst + o + 2, load<u16>(hex + (<usize>(c >> 4) << 1)));
      store<u16>(dst + o + 4, load<u16>(hex + (<usize>(c & 15) << 1)));
      o += 6;
    }
  }
  return out;
}

/** Why an unescape failed, mirroring the HTTP status Apache's unescape_url returns. */
export const enum UnescapeStatus {
  OK = 0,
  /** A `%` not followed by two hex digits (Apache: HTTP_BAD_REQUEST). */
  BAD_ESCAPE = 400,
  /** An escape decoding to NUL, or a literal NUL (Apache: HTTP_NOT_FOUND for `%00`). */
  NUL = 404,
}

export class UnescapeResult {
  constructor(
    /** The decoded byte string. On failure, what Apache's buffer holds: bad `%` kept, the rest decoded. */
    readonly value: string,
    readonly status: UnescapeStatus,
    /** Empty when ok; otherwise names the offending offset in the input. */
    readonly error: string,
  ) {}

  get ok(): bool {
    return this.status == UnescapeStatus.OK;
  }
}

/**
 * ap_unescape_urlencoded: every `+` becomes a space first (so `%2B` yields a literal `+`), then `%xx`
 * (either case) becomes its byte. A `%` without two hex digits after it stays as it is and makes the
 * result BAD_ESCAPE; `%00` makes it NUL (Apache checks the bad escape first: BAD_ESCAPE wins when both
 * occur). mod_session ignores a pair whose key or value does not unescape cleanly.
 */
export function unescapeUrlencoded(s: string): UnescapeResult {
  const n = s.length;
  let badEscapeAt = -1;
  let nulAt = -1;
  if (s.indexOf("%") < 0 && s.indexOf("+") < 0 && s.indexOf("\0") < 0) {
    return new UnescapeResult(s, UnescapeStatus.OK, "");
  }
  const out = changetype<string>(__new(<usize>n << 1, idof<string>()));
  const dst = changetype<usize>(out);
  let o: usize = 0;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c == 0x2b) {
      store<u16>(dst + o, 0x20);
    } else if (c != 0x25) {
      if (c == 0 && nulAt < 0) nulAt = i;
      store<u16>(dst + o, <u16>c);
    } else {
      const hi = i + 1 < n ? hexDigitValue(s.charCodeAt(i + 1)) : -1;
      const lo = i + 2 < n ? hexDigitValue(s.charCodeAt(i + 2)) : -1;
      if ((hi | lo) < 0) {
        if (badEscapeAt < 0) badEscapeAt = i;
        store<u16>(dst + o, 0x25);
      } else {
        const v = (hi << 4) | lo;
        if (v == 0 && nulAt < 0) nulAt = i;
        store<u16>(dst + o, <u16>v);
        i += 2;
      }
    }
    o += 2;
    i++;
  }
  const value = out.substring(0, <i32>(o >> 1));
  if (badEscapeAt >= 0) {
    return new UnescapeResult(value, UnescapeStatus.BAD_ESCAPE, "malformed percent escape at offset " + badEscapeAt.toString());
  }
  if (nulAt >= 0) {
    return new UnescapeResult(value, UnescapeStatus.NUL, "NUL byte at offset " + nulAt.toString());
  }
  return new UnescapeResult(value, UnescapeStatus.OK, "");
}
