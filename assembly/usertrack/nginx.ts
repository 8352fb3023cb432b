// nginx's ngx_http_userid_filter_module ids: 16 bytes (four 32-bit words: service or server address,
// time in seconds, a per-worker start value, a per-worker sequence) sent as base64, the first padding
// `=` optionally replaced by a mark; read back leniently (only the first 22 characters count).
import { cookieDate } from "../codecs/cookies";
import { base64Encode } from "../codecs/base64";
import { hexDigitValue } from "../codecs/ascii";
import { parseIpv4 } from "../codecs/ipv4";
import { UsertrackSettings } from "./settings";

// Encoding is plain standard base64 (codecs/base64.ts). Decoding is nginx's own: it has quirks (stops at
// `=`, ignores leftover bits, reads only 22 characters) that a general decoder should not have.

/** nginx's fixed date for `userid_expires max`. */
export const MAX_EXPIRES_TEXT = "Thu, 31-Dec-37 23:55:55 GMT";

/** The outcome of reading a userid cookie value. */
export class NginxCookie {
  constructor(public uid: Uint8Array | null, public error: string | null) {}
}

/**
 * Decodes a cookie value as nginx does: fewer than 22 characters is "too short"; of the first 22, a
 * character outside standard base64 is "invalid"; decoding stops at the first `=`; a length that leaves
 * one stray character is invalid. An id whose fourth word is zero counts as no id (uid null, no error).
 */
export function decodeNginxCookie(value: string): NginxCookie {
  if (value.length < 22) return new NginxCookie(null, "client sent too short userid cookie");
  let len = 0;
  while (len < 22 && value.charCodeAt(len) != 0x3d) {
    if (sextet(value.charCodeAt(len)) < 0) return new NginxCookie(null, "client sent invalid userid cookie");
    len++;
  }
  if (len % 4 == 1) return new NginxCookie(null, "client sent invalid userid cookie");
  const uid = new Uint8Array(16);
  let acc: u32 = 0;
  let bits = 0;
  let out = 0;
  for (let i = 0; i < len; i++) {
    acc = (acc << 6) | <u32>sextet(value.charCodeAt(i));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (out < 16) uid[out++] = <u8>(acc >> <u32>bits);
    }
  }
  if (uid[12] == 0 && uid[13] == 0 && uid[14] == 0 && uid[15] == 0) return new NginxCookie(null, null);
  return new NginxCookie(uid, null);
}

/** The 24-character cookie value for an id: base64 with `==`, the first `=` replaced by `mark` if set. */
export function encodeNginxCookie(uid: Uint8Array, mark: i32): string {
  let out = base64Encode(uid, false, true);
  if (mark != 0) out = out.substring(0, 22) + String.fromCharCode(mark) + "=";
  return out;
}

/**
 * nginx's `$uid_got` / `$uid_set` rendering: `NAME=` and each word as 8 uppercase hex digits of the
 * 32-bit integer in the machine's byte order. nginx runs on little-endian machines almost everywhere, so
 * a version-2 id (stored big-endian) prints byte-reversed (127.0.0.1 as 0100007F); this reproduces that.
 */
export function nginxUidVariable(name: string, uid: Uint8Array): string {
  let out = name + "=";
  for (let w = 0; w < 4; w++) {
    const b = w * 4;
    const v = <u32>uid[b] | (<u32>uid[b + 1] << 8) | (<u32>uid[b + 2] << 16) | (<u32>uid[b + 3] << 24);
    const hex = v.toString(16).toUpperCase();
    out += "00000000".substring(hex.length) + hex;
  }
  return out;
}

/** The Set-Cookie value nginx sends: `NAME=VALUE[; expires=...][; domain=D]; path=P[; secure][; httponly][; samesite=...]`. */
export function nginxSetCookie(s: UsertrackSettings, value: string, nowSeconds: i64): string {
  let out = s.cookieName + "=" + value;
  if (s.expiresMax) out += "; expires=" + MAX_EXPIRES_TEXT;
  else if (s.expires > 0) out += "; expires=" + cookieDate(nowSeconds + s.expires, 2037);
  if (s.domain.length) out += "; domain=" + s.domain;
  out += "; path=" + s.nginxPath;
  if (s.secure) out += "; secure";
  if (s.httpOnly) out += "; httponly";
  if (s.sameSite.length) out += "; samesite=" + s.sameSite.toLowerCase();
  return out;
}

/** Writes `v` into `out[at..at+4]` big-endian (version 2) or little-endian (version 1). */
export function putWord(out: Uint8Array, at: i32, v: u32, bigEndian: bool): void {
  if (bigEndian) {
    out[at] = <u8>(v >> 24); out[at + 1] = <u8>(v >> 16); out[at + 2] = <u8>(v >> 8); out[at + 3] = <u8>v;
  } else {
    out[at] = <u8>v; out[at + 1] = <u8>(v >> 8); out[at + 2] = <u8>(v >> 16); out[at + 3] = <u8>(v >> 24);
  }
}

/**
 * The first word of a version-2 id when no service is configured: the local IPv4 address as it is on the
 * wire, or the last four bytes of an IPv6 address, or zero when the address is unknown (nginx uses zero
 * for UNIX sockets). Returned as the four bytes in order.
 */
export function addressWord(address: string): Uint8Array {
  const out = new Uint8Array(4);
  if (address.indexOf(":") >= 0) {
    const groups = ipv6Groups(address);
    if (groups != null) {
      out[0] = <u8>(groups[6] >> 8); out[1] = <u8>groups[6];
      out[2] = <u8>(groups[7] >> 8); out[3] = <u8>groups[7];
    }
    return out;
  }
  const v4 = parseIpv4(address);
  if (v4 != null) return v4;
  return out;
}

/** The eight 16-bit groups of an IPv6 address (with `::` and a trailing dotted IPv4 part), or null. */
function ipv6Groups(s: string): u32[] | null {
  const pct = s.indexOf("%");
  if (pct >= 0) s = s.substring(0, pct);
  const dbl = s.indexOf("::");
  let head: string[] = [];
  let tail: string[] = [];
  if (dbl >= 0) {
    if (s.indexOf("::", dbl + 1) >= 0) return null;
    const h = s.substring(0, dbl);
    const t = s.substring(dbl + 2);
    if (h.length) head = h.split(":");
    if (t.length) tail = t.split(":");
  } else {
    head = s.split(":");
  }
  const hv = groupValues(head);
  const tv = groupValues(tail);
  if (hv == null || tv == null) return null;
  const total = hv.length + tv.length;
  if (total > 8 || (dbl < 0 && total != 8)) return null;
  const out = new Array<u32>(8).fill(0);
  for (let i = 0; i < hv.length; i++) out[i] = hv[i];
  for (let i = 0; i < tv.length; i++) out[8 - tv.length + i] = tv[i];
  return out;
}

function groupValues(parts: string[]): u32[] | null {
  const out = new Array<u32>();
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (i == parts.length - 1 && p.indexOf(".") >= 0) {
      const v4 = parseIpv4(p);
      if (v4 == null) return null;
      out.push((<u32>v4[0] << 8) | v4[1]);
      out.push((<u32>v4[2] << 8) | v4[3]);
      continue;
    }
    if (p.length == 0 || p.length > 4) return null;
    let v: u32 = 0;
    for (let k = 0; k < p.length; k++) {
      const d = hexDigitValue(p.charCodeAt(k));
      if (d < 0) return null;
      v = (v << 4) | <u32>d;
    }
    out.push(v);
  }
  return out;
}

function sextet(c: i32): i32 {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26;
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52;
  if (c == 0x2b) return 62;
  if (c == 0x2f) return 63;
  return -1;
}
