// Hexadecimal between bytes and byte strings.

import { MAX_CODEC_OUTPUT } from "./base64";
import { hexDigitValue } from "./ascii";

/** The lowercase hex digits, indexed by value. */
export const LOWER_HEX_DIGITS = "0123456789abcdef";
/** The uppercase hex digits, indexed by value. */
export const UPPER_HEX_DIGITS = "0123456789ABCDEF";

/** `data` as lowercase hex, two characters per byte; empty when that would exceed MAX_CODEC_OUTPUT. */
export function hexEncode(data: Uint8Array): string {
  const n = data.length;
  if (n == 0 || n > MAX_CODEC_OUTPUT / 2) return "";
  const out = changetype<string>(__new(<usize>n << 2, idof<string>()));
  const dst = changetype<usize>(out);
  const src = data.dataStart;
  const digits = changetype<usize>(LOWER_HEX_DIGITS);
  for (let i = 0; i < n; i++) {
    const b = <usize>load<u8>(src + <usize>i);
    store<u16>(dst + (<usize>i << 2), load<u16>(digits + ((b >> 4) << 1)));
    store<u16>(dst + (<usize>i << 2) + 2, load<u16>(digits + ((b & 15) << 1)));
  }
  return out;
}

/** Hex (either case, no separators) to bytes; null on an odd length or a non-hex character. */
export function hexDecode(s: string): Uint8Array | null {
  const n = s.length;
  if ((n & 1) != 0) return null;
  const out = new Uint8Array(n >> 1);
  const dst = out.dataStart;
  for (let i = 0; i < n; i += 2) {
    const hi = hexDigitValue(s.charCodeAt(i));
    const lo = hexDigitValue(s.charCodeAt(i + 1));
    if ((hi | lo) < 0) return null;
    store<u8>(dst + <usize>(i >> 1), <u8>((hi << 4) | lo));
  }
  return out;
}
