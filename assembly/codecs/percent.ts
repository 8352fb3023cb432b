// Percent-encoding. application/x-www-form-urlencoded exactly as Apache httpd writes and reads it for
// mod_session (ap_escape_urlencoded and ap_unescape_urlencoded in httpd's server/util.c, which
// session_identity_encode and session_identity_decode in modules/session/mod_session.c use), and URLs
// read the same way but with `+` left as it is.

import { byteStringToBytes } from "../core/bytes";
import { hexDigitValue } from "./ascii";
import { MAX_CODEC_OUTPUT } from "./base64";
import { LOWER_HEX_DIGITS, UPPER_HEX_DIGITS } from "./hex";

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
  const hex = changetype<usize>(LOWER_HEX_DIGITS);
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

/**
 * `s` with every code unit for which `keep` is false written as `%XX` (uppercase hex, RFC 3986 §2.1) of
 * its low byte; byte strings have nothing above 0xFF. `s` itself when nothing needs escaping.
 */
export function percentEncodeExcept(s: string, keep: (c: i32) => bool): string {
  // Pieces joined once (appending to a string copies it each time), in an array made only when something
  // needs escaping: most strings come back as they are.
  let out: string[] | null = null;
  let from = 0;
  const src = changetype<usize>(s);
  for (let i = 0, n = s.length; i < n; i++) {
    const c = <i32>load<u16>(src + (<usize>i << 1));
    if (keep(c)) continue;
    if (out == null) out = new Array<string>();
    out.push(s.substring(from, i));
    out.push("%" + UPPER_HEX_DIGITS.charAt((c >> 4) & 15) + UPPER_HEX_DIGITS.charAt(c & 15));
    from = i + 1;
  }
  if (out == null) return s;
  out.push(s.substring(from));
  return out.join("");
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

/** What a `+` means to percentDecode; everything else is decoded the same way in both modes. */
export const enum PercentMode {
  /**
   * application/x-www-form-urlencoded as Apache reads it (ap_unescape_urlencoded in server/util.c, used by
   * mod_session): every `+` becomes a space first, so `%2B` yields a literal `+`.
   */
  FORM = 0,
  /** A URL or a path in it (RFC 3986 §2.1): `+` is itself. */
  URL = 1,
}

/**
 * `%xx` (either case) becomes its byte; `+` per `mode`. A `%` without two hex digits after it stays as it
 * is and makes the result BAD_ESCAPE; `%00` or a literal NUL makes it NUL (Apache checks the bad escape
 * first: BAD_ESCAPE wins when both occur). The value is always the lenient reading (bad escapes kept, the
 * rest decoded); a strict caller rejects on the status instead: mod_session ignores a pair that does not
 * unescape cleanly, a clickpath id with a bad escape is refused, and session scope checks read a path
 * leniently.
 */
export function percentDecode(s: string, mode: PercentMode): UnescapeResult {
  const n = s.length;
  const form = mode == PercentMode.FORM;
  let badEscapeAt = -1;
  let nulAt = -1;
  // Nothing to change (no `%`, no NUL, no `+` in a form): the string itself. One pass reading code units
  // in place, since session paths and ids come here on every request.
  const src = changetype<usize>(s);
  let plain = 0;
  while (plain < n) {
    const c = <u32>load<u16>(src + (<usize>plain << 1));
    if (c == 0x25 || c == 0 || (c == 0x2b && form)) break;
    plain++;
  }
  if (plain == n) return new UnescapeResult(s, UnescapeStatus.OK, "");
  const out = changetype<string>(__new(<usize>n << 1, idof<string>()));
  const dst = changetype<usize>(out);
  let o: usize = 0;
  let i = 0;
  while (i < n) {
    const c = <i32>load<u16>(src + (<usize>i << 1));
    if (c == 0x2b && form) {
      store<u16>(dst + o, 0x20);
    } else if (c != 0x25) {
      if (c == 0 && nulAt < 0) nulAt = i;
      store<u16>(dst + o, <u16>c);
    } else {
      const hi = i + 1 < n ? hexDigitValue(<i32>load<u16>(src + (<usize>(i + 1) << 1))) : -1;
      const lo = i + 2 < n ? hexDigitValue(<i32>load<u16>(src + (<usize>(i + 2) << 1))) : -1;
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
