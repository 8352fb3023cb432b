// TEMPORARY: stand-ins for the modules that branches crypto, regex and html are writing, with exactly
// their announced APIs. Everything in clickpath imports them from here, so merging those branches means
// replacing this file with re-exports and nothing else.

/** CRC-8/SMBUS (poly 0x07, init 0, no reflection, xorout 0). */
export function crc8Smbus(data: Uint8Array): u8 {
  let crc: u32 = 0;
  for (let i = 0; i < data.length; i++) {
    crc ^= <u32>data[i];
    for (let b = 0; b < 8; b++) crc = (crc & 0x80) ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return <u8>crc;
}

// Stand-in: not a MAC. Replaced by crypto/hmac.ts on merge; signed ids are not tested before that.
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  let h: u32 = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) { h ^= key[i]; h *= 16777619; }
  for (let i = 0; i < data.length; i++) { h ^= data[i]; h *= 16777619; }
  for (let i = 0; i < 32; i++) { h ^= <u32>i; h *= 16777619; out[i] = <u8>(h >>> 24); }
  return out;
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  let d: u32 = 0;
  for (let i = 0; i < a.length; i++) d |= <u32>(a[i] ^ b[i]);
  return d == 0;
}

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

export function base64Encode(data: Uint8Array, urlSafe: bool, pad: bool): string {
  const a = urlSafe ? URL : STD;
  let out = "";
  let i = 0;
  for (; i + 2 < data.length; i += 3) {
    const n = (<u32>data[i] << 16) | (<u32>data[i + 1] << 8) | <u32>data[i + 2];
    out += a.charAt(n >> 18) + a.charAt((n >> 12) & 63) + a.charAt((n >> 6) & 63) + a.charAt(n & 63);
  }
  const rest = data.length - i;
  if (rest == 1) {
    const n = <u32>data[i] << 16;
    out += a.charAt(n >> 18) + a.charAt((n >> 12) & 63) + (pad ? "==" : "");
  } else if (rest == 2) {
    const n = (<u32>data[i] << 16) | (<u32>data[i + 1] << 8);
    out += a.charAt(n >> 18) + a.charAt((n >> 12) & 63) + a.charAt((n >> 6) & 63) + (pad ? "=" : "");
  }
  return out;
}

export function base64Decode(s: string, urlSafe: bool): Uint8Array | null {
  const a = urlSafe ? URL : STD;
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) == 0x3d) end--;
  if (end % 4 == 1) return null;
  const out = new Uint8Array((end * 3) >> 2);
  let acc: u32 = 0, bits = 0, o = 0;
  for (let i = 0; i < end; i++) {
    const v = a.indexOf(s.charAt(i));
    if (v < 0) return null;
    acc = (acc << 6) | <u32>v;
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = <u8>(acc >> bits); }
  }
  return out;
}

// Stand-in for regex/index.ts: a literal substring test, enough to wire ua_exceptions before the merge.
export class Regex {
  constructor(private needle: string) {}
  static compile(pattern: string, caseInsensitive: bool = false): RegexResult {
    return new RegexResult(new Regex(pattern), "");
  }
  test(input: string): bool { return input.includes(this.needle); }
}
export class RegexResult {
  constructor(public regex: Regex | null, public error: string) {}
}

// Stand-ins for html/links.ts, html/rewriter.ts and html/content.ts.
export enum LinkKind { AnchorHref = 0, FormAction = 1, FrameSrc = 2, MetaRefresh = 3, BaseHref = 4, FormActionOverride = 5 }
export class UrlEdit {
  constructor(public start: i32, public end: i32, public insert: string) {}
}
export abstract class UrlRewriter {
  abstract rewrite(value: string, kind: LinkKind, base: string | null): UrlEdit | null;
}
export class HtmlRewriter {
  carryOverflows: i32 = 0;
  constructor(public urls: UrlRewriter, public maxCarryBytes: i32) {}
  push(chunk: Uint8Array, endOfStream: bool): Uint8Array { return chunk; }
}
export function isHtmlContentType(ct: string | null): bool {
  return ct != null && ct.toLowerCase().includes("text/html");
}
export function isIdentityEncoding(ce: string | null): bool {
  if (ce == null) return true;
  const v = ce.trim().toLowerCase();
  return v.length == 0 || v == "identity";
}
