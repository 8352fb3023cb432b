// Attribute values as a browser reads them, and back. The tokenizer decodes character references in
// attribute values (named ones with the "historical" rule that `&amp` before `=` or an alphanumeric is
// left alone, decimal and hex ones with the C1 and out-of-range replacements), turns NUL into U+FFFD and
// CR/CRLF into LF. The URL logic works on that decoded value; to apply its edit to the raw bytes without
// touching anything else, the decoder records every span where raw and decoded bytes are not one-to-one.
import { ENTITY_COUNT, ENTITY_MAX_NAME, NAMES, NAME_OFF, VALUES, VALUE_OFF } from "./entities";

const AMP: u8 = 0x26;
const HASH: u8 = 0x23;
const SEMI: u8 = 0x3b;
const CR: u8 = 0x0d;
const LF: u8 = 0x0a;

// Windows-1252 meanings the tokenizer gives numeric references 0x80..0x9F (0 = keep the number).
const C1_REPLACEMENTS: usize = memory.data<u16>([
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
]);

@inline function isAsciiAlnum(c: u32): bool {
  return (c - 0x30 < 10) || ((c | 0x20) - 0x61 < 26);
}

/** A reusable growable byte buffer (no per-byte allocation). */
/** `a` grown to twice its length with its first `used` entries copied: for the rewriter's offset tables. */
export function doubledI32(a: StaticArray<i32>, used: i32): StaticArray<i32> {
  const grown = new StaticArray<i32>(a.length << 1);
  memory.copy(changetype<usize>(grown), changetype<usize>(a), <usize>used << 2);
  return grown;
}

export class ByteBuffer {
  data: ArrayBuffer = new ArrayBuffer(256);
  length: i32 = 0;

  @inline get ptr(): usize { return changetype<usize>(this.data); }

  /** The bytes as a Uint8Array that shares this buffer: valid until the buffer next changes. */
  view(): Uint8Array {
    return Uint8Array.wrap(this.data, 0, this.length);
  }

  @inline reserve(extra: i32): void {
    if (this.length + extra > this.data.byteLength) this.grow(extra);
  }

  private grow(extra: i32): void {
    const need = this.length + extra;
    let next = this.data.byteLength << 1;
    while (next < need) next <<= 1;
    const grown = new ArrayBuffer(next);
    memory.copy(changetype<usize>(grown), changetype<usize>(this.data), <usize>this.length);
    this.data = grown;
  }

  @inline pushByte(b: u8): void {
    this.reserve(1);
    store<u8>(this.ptr + <usize>this.length, b);
    this.length++;
  }

  @inline pushMemory(src: usize, len: i32): void {
    if (len <= 0) return;
    this.reserve(len);
    memory.copy(this.ptr + <usize>this.length, src, <usize>len);
    this.length += len;
  }

  pushAscii(s: string): void {
    const n = s.length;
    this.reserve(n);
    const src = changetype<usize>(s);
    const dst = this.ptr + <usize>this.length;
    for (let i = 0; i < n; i++) store<u8>(dst + <usize>i, <u8>load<u16>(src + (<usize>i << 1)));
    this.length += n;
  }

  pushCodePoint(cp: u32): void {
    if (cp < 0x80) {
      this.pushByte(<u8>cp);
    } else if (cp < 0x800) {
      this.pushByte(<u8>(0xc0 | (cp >> 6)));
      this.pushByte(<u8>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      this.pushByte(<u8>(0xe0 | (cp >> 12)));
      this.pushByte(<u8>(0x80 | ((cp >> 6) & 0x3f)));
      this.pushByte(<u8>(0x80 | (cp & 0x3f)));
    } else {
      this.pushByte(<u8>(0xf0 | (cp >> 18)));
      this.pushByte(<u8>(0x80 | ((cp >> 12) & 0x3f)));
      this.pushByte(<u8>(0x80 | ((cp >> 6) & 0x3f)));
      this.pushByte(<u8>(0x80 | (cp & 0x3f)));
    }
  }

  /** Appends a byte string's bytes; code units above 0xFF (not from the wire) go in as UTF-8. */
  pushByteString(s: string): void {
    const n = s.length;
    // The usual case, every code unit a byte, as one pass with no per-byte capacity check.
    this.reserve(n);
    const src = changetype<usize>(s);
    const dst = this.ptr + <usize>this.length;
    let k = 0;
    while (k < n) {
      const c = <u32>load<u16>(src + (<usize>k << 1));
      if (c > 0xff) break;
      store<u8>(dst + <usize>k, <u8>c);
      k++;
    }
    this.length += k;
    for (let i = k; i < n; i++) {
      const c = <u32>s.charCodeAt(i);
      if (c <= 0xff) { this.pushByte(<u8>c); continue; }
      const cp = <u32>s.codePointAt(i);
      if (cp > 0xffff) i++;
      this.pushCodePoint(cp);
    }
  }

  @inline clear(): void { this.length = 0; }
}

/** Index of the named reference whose name is exactly the `len` bytes at `p`, or -1. */
function findEntity(p: usize, len: i32): i32 {
  let lo = 0;
  let hi = ENTITY_COUNT - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const start = <i32>load<u16>(NAME_OFF + (<usize>mid << 1));
    const nameLen = <i32>load<u16>(NAME_OFF + (<usize>(mid + 1) << 1)) - start;
    const name = NAMES + <usize>start;
    const common = nameLen < len ? nameLen : len;
    let cmp = 0;
    for (let i = 0; i < common; i++) {
      const a = <i32>load<u8>(p + <usize>i);
      const b = <i32>load<u8>(name + <usize>i);
      if (a != b) { cmp = a - b; break; }
    }
    if (cmp == 0) cmp = len - nameLen;
    if (cmp == 0) return mid;
    if (cmp < 0) hi = mid - 1; else lo = mid + 1;
  }
  return -1;
}

/**
 * Decodes attribute values and remembers where raw and decoded bytes differ. `pieces` holds quadruples
 * (rawStart, rawEnd, decodedStart, decodedEnd), in order, for character references, NULs and CR/CRLF;
 * between pieces one raw byte is one decoded byte.
 */
export class AttrValueDecoder {
  decoded: ByteBuffer = new ByteBuffer();
  pieces: StaticArray<i32> = new StaticArray<i32>(64);
  pieceCount: i32 = 0;

  private addPiece(rawStart: i32, rawEnd: i32, decStart: i32, decEnd: i32): void {
    const at = this.pieceCount << 2;
    if (at + 4 > this.pieces.length) this.pieces = doubledI32(this.pieces, at);
    unchecked(this.pieces[at] = rawStart);
    unchecked(this.pieces[at + 1] = rawEnd);
    unchecked(this.pieces[at + 2] = decStart);
    unchecked(this.pieces[at + 3] = decEnd);
    this.pieceCount++;
  }

  /** Decodes the `len` raw bytes at `raw` into `decoded`. */
  decode(raw: usize, len: i32): void {
    const out = this.decoded;
    out.clear();
    this.pieceCount = 0;
    let i = 0;
    while (i < len) {
      let j = i;
      while (j < len) {
        const b = load<u8>(raw + <usize>j);
        if (b == AMP || b == 0 || b == CR) break;
        j++;
      }
      if (j > i) {
        out.pushMemory(raw + <usize>i, j - i);
        i = j;
        if (i >= len) break;
      }
      const c = load<u8>(raw + <usize>i);
      if (c == AMP) {
        const used = this.reference(raw, i, len);
        if (used > 0) { i += used; continue; }
        out.pushByte(c);
        i++;
      } else if (c == 0) {
        const d = out.length;
        out.pushCodePoint(0xfffd);
        this.addPiece(i, i + 1, d, out.length);
        i++;
      } else if (c == CR) {
        const d = out.length;
        out.pushByte(LF);
        const rawLen = (i + 1 < len && load<u8>(raw + <usize>(i + 1)) == LF) ? 2 : 1;
        this.addPiece(i, i + rawLen, d, out.length);
        i += rawLen;
      } else {
        out.pushByte(c);
        i++;
      }
    }
  }

  /** Decodes a reference starting with the `&` at raw[i]; returns the raw bytes used, 0 if none. */
  private reference(raw: usize, i: i32, len: i32): i32 {
    const out = this.decoded;
    let j = i + 1;
    if (j >= len) return 0;
    const first = <u32>load<u8>(raw + <usize>j);
    if (first == HASH) {
      j++;
      let hex = false;
      if (j < len && (<u32>load<u8>(raw + <usize>j) | 0x20) == 0x78) { hex = true; j++; }
      const digitsStart = j;
      let value: u32 = 0;
      while (j < len) {
        const d = <u32>load<u8>(raw + <usize>j);
        let digit: u32 = 0;
        if (d - 0x30 < 10) digit = d - 0x30;
        else if (hex && (d | 0x20) - 0x61 < 6) digit = (d | 0x20) - 0x61 + 10;
        else break;
        value = value * (hex ? 16 : 10) + digit;
        if (value > 0x10ffff) value = 0x110000; // saturate: any larger number means U+FFFD
        j++;
      }
      if (j == digitsStart) return 0;
      if (j < len && load<u8>(raw + <usize>j) == SEMI) j++;
      let cp = value;
      if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
      else if (cp >= 0x80 && cp <= 0x9f) {
        const mapped = <u32>load<u16>(C1_REPLACEMENTS + (<usize>(cp - 0x80) << 1));
        if (mapped != 0) cp = mapped;
      }
      const d = out.length;
      out.pushCodePoint(cp);
      this.addPiece(i, j, d, out.length);
      return j - i;
    }
    if (!isAsciiAlnum(first)) return 0;
    // The longest name in the table that the input starts with, as the tokenizer consumes it.
    let run = 0;
    while (j + run < len && run < ENTITY_MAX_NAME && isAsciiAlnum(<u32>load<u8>(raw + <usize>(j + run)))) run++;
    let found = -1;
    let nameLen = 0;
    if (j + run < len && load<u8>(raw + <usize>(j + run)) == SEMI) {
      found = findEntity(raw + <usize>j, run + 1);
      nameLen = run + 1;
    }
    if (found < 0) {
      for (let n = run; n > 0; n--) {
        found = findEntity(raw + <usize>j, n);
        if (found >= 0) { nameLen = n; break; }
      }
    }
    if (found < 0) return 0;
    const end = j + nameLen;
    if (load<u8>(raw + <usize>(end - 1)) != SEMI && end < len) {
      // In attribute values `&amp=` and `&ampx` stay as written (legacy query strings).
      const next = <u32>load<u8>(raw + <usize>end);
      if (next == 0x3d || isAsciiAlnum(next)) return 0;
    }
    const vStart = <i32>load<u16>(VALUE_OFF + (<usize>found << 1));
    const vEnd = <i32>load<u16>(VALUE_OFF + (<usize>(found + 1) << 1));
    const d = out.length;
    out.pushMemory(VALUES + <usize>vStart, vEnd - vStart);
    this.addPiece(i, end, d, out.length);
    return end - i;
  }

  /**
   * The raw offset where an edit starting at decoded offset `d` begins, and (in `alignedDecoded`) the
   * decoded offset that raw offset corresponds to: `d` itself, or the start of the reference `d` falls in.
   */
  rawStart(d: i32): i32 {
    let delta = 0;
    for (let k = 0; k < this.pieceCount; k++) {
      const at = k << 2;
      const rs = unchecked(this.pieces[at]);
      const re = unchecked(this.pieces[at + 1]);
      const ds = unchecked(this.pieces[at + 2]);
      const de = unchecked(this.pieces[at + 3]);
      if (d <= ds) break;
      if (d >= de) { delta = re - de; continue; }
      this.alignedDecoded = ds;
      return rs;
    }
    this.alignedDecoded = d;
    return d + delta;
  }

  /** Like rawStart for the end of an edit: a boundary inside a reference moves to the reference's end. */
  rawEnd(d: i32): i32 {
    let delta = 0;
    for (let k = 0; k < this.pieceCount; k++) {
      const at = k << 2;
      const re = unchecked(this.pieces[at + 1]);
      const ds = unchecked(this.pieces[at + 2]);
      const de = unchecked(this.pieces[at + 3]);
      if (d <= ds) break;
      if (d >= de) { delta = re - de; continue; }
      this.alignedDecoded = de;
      return re;
    }
    this.alignedDecoded = d;
    return d + delta;
  }

  alignedDecoded: i32 = 0;
}

/**
 * Appends bytes for use inside an attribute value, escaping everything that could end the value, start
 * or join a character reference, or be normalised away: `&`, both quotes, `<`, `>`, `=`, backtick,
 * whitespace and NUL. Safe in double-quoted, single-quoted and unquoted values alike.
 */
export function appendEscaped(out: ByteBuffer, src: usize, len: i32): void {
  // Runs that need no escape (most of any URL) are copied whole.
  let i = 0;
  while (i < len) {
    let j = i;
    while (j < len && load<u8>(ESCAPED + <usize>load<u8>(src + <usize>j)) == 0) j++;
    out.pushMemory(src + <usize>i, j - i);
    if (j >= len) return;
    switch (load<u8>(src + <usize>j)) {
      case 0x26: out.pushAscii("&amp;"); break;
      case 0x22: out.pushAscii("&quot;"); break;
      case 0x27: out.pushAscii("&#39;"); break;
      case 0x3c: out.pushAscii("&lt;"); break;
      case 0x3e: out.pushAscii("&gt;"); break;
      case 0x3d: out.pushAscii("&#61;"); break;
      case 0x60: out.pushAscii("&#96;"); break;
      case 0x09: out.pushAscii("&#9;"); break;
      case 0x0a: out.pushAscii("&#10;"); break;
      case 0x0c: out.pushAscii("&#12;"); break;
      case 0x0d: out.pushAscii("&#13;"); break;
      case 0x20: out.pushAscii("&#32;"); break;
      default: out.pushAscii("&#65533;"); // NUL
    }
    i = j + 1;
  }
}

// 1 for the bytes appendEscaped writes as references.
const ESCAPED: usize = memory.data<u8>([
  1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, // NUL, tab, LF, FF, CR
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, // space, ", &, '
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, // < = >
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // backtick
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);
