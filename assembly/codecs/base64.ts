// Base64 (RFC 4648 §4 standard and §5 URL-safe alphabets) between bytes and byte strings, plus APR's
// lenient decoder, which mod_session_crypto uses on cookie values.

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** 0..63 for an alphabet character, 0xFF otherwise; indexed by code unit, one table per alphabet. */
const DEC_STD = new StaticArray<u8>(256);
const DEC_URL = new StaticArray<u8>(256);
let tablesReady = false;

function fillTables(): void {
  for (let i = 0; i < 256; i++) {
    unchecked((DEC_STD[i] = 0xff));
    unchecked((DEC_URL[i] = 0xff));
  }
  for (let i = 0; i < 64; i++) {
    unchecked((DEC_STD[STD.charCodeAt(i)] = <u8>i));
    unchecked((DEC_URL[URL.charCodeAt(i)] = <u8>i));
  }
  tablesReady = true;
}

// @ts-ignore: decorator
@inline
function sextet(table: StaticArray<u8>, c: i32): u32 {
  return c > 0xff ? 0xff : <u32>unchecked(table[c]);
}

/**
 * Longest string a codec returns, in characters. AssemblyScript aborts (a trap) on allocations of 1 GiB
 * or more; a header-sized input never comes near, and anything that would gets an error value instead.
 */
export const MAX_CODEC_OUTPUT: i32 = 1 << 28;

function newByteString(len: i32): string {
  return changetype<string>(__new(<usize>len << 1, idof<string>()));
}

/**
 * `data` in Base64 as a byte string. `urlSafe` picks `-` and `_` for `+` and `/`; `pad` appends `=` to a
 * multiple of four characters. Empty for empty data, and for data whose encoding would exceed
 * MAX_CODEC_OUTPUT characters.
 */
export function base64Encode(data: Uint8Array, urlSafe: bool, pad: bool): string {
  const n = data.length;
  if (n == 0) return "";
  const alphabet = changetype<usize>(urlSafe ? URL : STD);
  const full = n / 3;
  const rest = n - full * 3;
  if (full >= MAX_CODEC_OUTPUT / 4) return "";
  const outLen = full * 4 + (rest == 0 ? 0 : pad ? 4 : rest + 1);
  const out = newByteString(outLen);
  const dst = changetype<usize>(out);
  const src = data.dataStart;
  let o: usize = 0;
  let i = 0;
  for (let g = 0; g < full; g++) {
    const v = (<u32>load<u8>(src + <usize>i) << 16) | (<u32>load<u8>(src + <usize>i + 1) << 8) | <u32>load<u8>(src + <usize>i + 2);
    store<u16>(dst + o, load<u16>(alphabet + (<usize>(v >> 18) << 1)));
    store<u16>(dst + o + 2, load<u16>(alphabet + (<usize>((v >> 12) & 63) << 1)));
    store<u16>(dst + o + 4, load<u16>(alphabet + (<usize>((v >> 6) & 63) << 1)));
    store<u16>(dst + o + 6, load<u16>(alphabet + (<usize>(v & 63) << 1)));
    o += 8;
    i += 3;
  }
  if (rest > 0) {
    let v = <u32>load<u8>(src + <usize>i) << 16;
    if (rest == 2) v |= <u32>load<u8>(src + <usize>i + 1) << 8;
    store<u16>(dst + o, load<u16>(alphabet + (<usize>(v >> 18) << 1)));
    store<u16>(dst + o + 2, load<u16>(alphabet + (<usize>((v >> 12) & 63) << 1)));
    o += 4;
    if (rest == 2) {
      store<u16>(dst + o, load<u16>(alphabet + (<usize>((v >> 6) & 63) << 1)));
      o += 2;
    } else if (pad) {
      store<u16>(dst + o, 0x3d);
      o += 2;
    }
    if (pad) store<u16>(dst + o, 0x3d);
  }
  return out;
}

/**
 * Strict Base64 decoding of a byte string in one alphabet: null on any character outside the alphabet
 * (whitespace included), on misplaced or excess `=`, on a length that no encoding produces, and on
 * non-zero bits after the last byte (so every byte sequence has exactly one accepted encoding, padded or
 * not). Missing padding is accepted.
 */
export function base64Decode(s: string, urlSafe: bool): Uint8Array | null {
  if (!tablesReady) fillTables();
  const n = unpaddedLength(s, 0, s.length);
  if (n < 0) return null;
  const out = new Uint8Array(decodedLength(n));
  return decodeInto(out.dataStart, changetype<usize>(s), n, urlSafe ? DEC_URL : DEC_STD, true) ? out : null;
}

/**
 * How many bytes base64Decode gives for `s[from, to)` when it decodes, judged by the length and padding
 * alone; -1 when no encoding has that shape (base64Decode then gives null). 0 <= from <= to <= s.length.
 */
export function base64DecodedLength(s: string, from: i32, to: i32): i32 {
  const n = unpaddedLength(s, from, to);
  return n < 0 ? -1 : decodedLength(n);
}

/**
 * base64Decode of `s[from, to)` into memory of the caller's (room for base64DecodedLength(s, from, to)
 * bytes at `dst`, which must not be -1): true where base64Decode gives bytes, false where it gives null
 * (then `dst` holds a prefix). For a caller that reads the bytes once, without a new string or array per
 * value (a cookie value read where it is in its header).
 */
export function base64DecodeTo(s: string, from: i32, to: i32, urlSafe: bool, dst: usize): bool {
  if (!tablesReady) fillTables();
  const n = unpaddedLength(s, from, to);
  if (n < 0) return false;
  return decodeInto(dst, changetype<usize>(s) + (<usize>from << 1), n, urlSafe ? DEC_URL : DEC_STD, true);
}

/** The characters of `s[from, to)` before its padding; -1 for a length or padding no encoding has. */
function unpaddedLength(s: string, from: i32, to: i32): i32 {
  let n = to - from;
  const src = changetype<usize>(s) + (<usize>from << 1);
  // Padding: when present it completes the last quantum to four characters, one or two `=`.
  if (n > 0 && load<u16>(src + (<usize>(n - 1) << 1)) == 0x3d) {
    if ((n & 3) != 0) return -1;
    n--;
    if (n > 0 && load<u16>(src + (<usize>(n - 1) << 1)) == 0x3d) n--;
    if ((n & 3) < 2) return -1;
  }
  return (n & 3) == 1 ? -1 : n;
}

// @ts-ignore: decorator
@inline
function decodedLength(n: i32): i32 {
  const rest = n & 3;
  return (n >> 2) * 3 + (rest == 0 ? 0 : rest - 1);
}

/**
 * Base64 decoding as APR's apr_base64_decode_binary does it, which is what mod_session_crypto sees:
 * standard alphabet only, decoding stops silently at the first character outside it (`=`, whitespace,
 * `-`, a NUL, anything), a final lone character is dropped, and leftover bits are ignored. Never fails;
 * garbage decodes to whatever prefix is valid (possibly nothing).
 */
export function aprBase64Decode(s: string): Uint8Array {
  if (!tablesReady) fillTables();
  const src = changetype<usize>(s);
  const len = s.length;
  let n = 0;
  while (n < len && sextet(DEC_STD, load<u16>(src + (<usize>n << 1))) <= 63) n++;
  const rest = n & 3;
  const out = new Uint8Array((n >> 2) * 3 + (rest <= 1 ? 0 : rest - 1));
  decodeInto(out.dataStart, src, n, DEC_STD, false);
  return out;
}

/**
 * Decodes the first `n` characters at `src` into `dst`, with room for them; a final lone character is
 * dropped. When `strict`: false on a character outside `table`'s alphabet or on non-zero bits after the
 * last byte (then `out` holds a prefix). When not strict the caller has already measured `n` as a run of
 * alphabet characters, so nothing is checked and the result is always true. Inlined so that each
 * caller's constant `strict` folds away and APR's decoder keeps its check-free loop.
 */
// @ts-ignore: decorator
@inline
function decodeInto(dst: usize, src: usize, n: i32, table: StaticArray<u8>, strict: bool): bool {
  const rest = n & 3;
  let o: usize = 0;
  let i = 0;
  const fullEnd = n - rest;
  while (i < fullEnd) {
    const a = sextet(table, load<u16>(src + (<usize>i << 1)));
    const b = sextet(table, load<u16>(src + (<usize>i << 1) + 2));
    const c = sextet(table, load<u16>(src + (<usize>i << 1) + 4));
    const d = sextet(table, load<u16>(src + (<usize>i << 1) + 6));
    if (strict && (a | b | c | d) > 63) return false;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    store<u8>(dst + o, <u8>(v >> 16));
    store<u8>(dst + o + 1, <u8>(v >> 8));
    store<u8>(dst + o + 2, <u8>v);
    o += 3;
    i += 4;
  }
  if (rest >= 2) {
    const a = sextet(table, load<u16>(src + (<usize>i << 1)));
    const b = sextet(table, load<u16>(src + (<usize>i << 1) + 2));
    if (strict && (a | b) > 63) return false;
    store<u8>(dst + o, <u8>((a << 2) | (b >> 4)));
    if (rest == 2) {
      if (strict && (b & 15) != 0) return false;
    } else {
      const c = sextet(table, load<u16>(src + (<usize>i << 1) + 4));
      if (strict && (c > 63 || (c & 3) != 0)) return false;
      store<u8>(dst + o + 1, <u8>((b << 4) | (c >> 2)));
    }
  }
  return true;
}
