// Parser for the Perl regular-expression subset that crawler lists use. The pattern is a byte string;
// errors are values naming the construct and its 0-based byte offset, never traps.

import { ByteSet, digitSet, wordSet, spaceSet } from "./byteset";
import { hexDigitValue, isAlnum, isDigit, isLetter, isWordChar } from "../codecs/ascii";

export const MAX_PATTERN_BYTES = 4096;
/** Perl's own ceiling for a {n,m} count (REG_INFTY - 1 in older perls); the program-size cap bites first. */
export const MAX_REPEAT_COUNT = 65535;
const MAX_NESTING = 250;

export const enum NodeKind { Empty, Set, Assert, Concat, Alt, Repeat }

export const enum AssertKind {
  /** `\A`, `^` without /m */
  TextStart = 1,
  /** `$` and `\Z` without /m: end of input or before a final newline */
  EndOrFinalNewline = 2,
  /** `\z` */
  TextEnd = 3,
  /** `^` under /m: start, or after a newline that is not the last byte */
  LineStart = 4,
  /** `$` under /m: end, or before any newline */
  LineEnd = 5,
  WordBoundary = 6,
  NotWordBoundary = 7,
}

export class Node {
  kind: NodeKind;
  set: ByteSet | null = null;
  assert: i32 = 0;
  items: Array<Node> = [];
  min: i32 = 0;
  /** -1: unbounded */
  max: i32 = -1;
  greedy: bool = true;

  constructor(kind: NodeKind) { this.kind = kind; }

  static empty(): Node { return new Node(NodeKind.Empty); }

  static ofSet(s: ByteSet): Node {
    const n = new Node(NodeKind.Set);
    n.set = s;
    return n;
  }

  static ofAssert(a: i32): Node {
    const n = new Node(NodeKind.Assert);
    n.assert = a;
    return n;
  }
}

export class ParseResult {
  node: Node | null = null;
  error: string = "";
}

const BS: i32 = 0x5c;

class Flags {
  ci: bool = false;
  dotAll: bool = false;
  multiline: bool = false;

  copy(): Flags {
    const f = new Flags();
    f.ci = this.ci;
    f.dotAll = this.dotAll;
    f.multiline = this.multiline;
    return f;
  }
}

export function parsePattern(src: string, caseInsensitive: bool): ParseResult {
  const r = new ParseResult();
  if (src.length > MAX_PATTERN_BYTES) {
    r.error = "pattern is longer than " + MAX_PATTERN_BYTES.toString() + " bytes";
    return r;
  }
  const p = new Parser(src);
  p.flags.ci = caseInsensitive;
  const node = p.parseAlternation();
  if (p.error.length == 0 && p.pos < p.n) {
    // parseAlternation only stops early at a ')' that no group opened
    p.fail("unmatched ) at " + p.pos.toString());
  }
  if (p.error.length > 0) {
    r.error = p.error;
    return r;
  }
  r.node = node;
  return r;
}

class Parser {
  src: string;
  n: i32;
  pos: i32 = 0;
  error: string = "";
  depth: i32 = 0;
  flags: Flags = new Flags();
  braceMin: i32 = 0;
  braceMax: i32 = -1;

  constructor(src: string) {
    this.src = src;
    this.n = src.length;
  }

  fail(msg: string): Node {
    if (this.error.length == 0) this.error = msg;
    return Node.empty();
  }

  get failed(): bool { return this.error.length > 0; }

  peek(off: i32 = 0): i32 {
    const i = this.pos + off;
    return i >= 0 && i < this.n ? this.src.charCodeAt(i) : -1;
  }

  /** The construct at `start` for an error message: at most `len` bytes of the pattern. */
  text(start: i32, len: i32): string {
    const end = min(this.n, start + len);
    return this.src.substring(start, end);
  }

  unsupported(start: i32, len: i32): Node {
    return this.fail("unsupported construct " + this.text(start, len) + " at " + start.toString());
  }

  parseAlternation(): Node {
    const branches = new Array<Node>();
    branches.push(this.parseConcat());
    while (!this.failed && this.peek() == 0x7c /* | */) {
      this.pos++;
      branches.push(this.parseConcat());
    }
    if (this.failed) return Node.empty();
    if (branches.length == 1) return branches[0];
    const alt = new Node(NodeKind.Alt);
    alt.items = branches;
    return alt;
  }

  parseConcat(): Node {
    const items = new Array<Node>();
    while (!this.failed && this.pos < this.n) {
      const c = this.peek();
      if (c == 0x7c || c == 0x29 /* ) */) break;
      const atomStart = this.pos;
      const atom = this.parseAtom();
      if (this.failed) break;
      if (atom == null) continue; // (?i) or (?#...) : nothing to match, nothing to quantify
      if (this.peek() == 0x7b && this.pos - atomStart == 2 && this.src.charCodeAt(atomStart) == BS &&
          isLetter(this.src.charCodeAt(atomStart + 1)) && this.braceQuantifierEnd() < 0) {
        // Perl reserves a literal { after an escape like \d or \n for future syntax and refuses it
        this.fail("unescaped { after " + this.text(atomStart, 2) + " at " + this.pos.toString());
        break;
      }
      const q = this.parseQuantifier(atom, atomStart);
      if (this.failed) break;
      items.push(q);
    }
    if (this.failed) return Node.empty();
    if (items.length == 0) return Node.empty();
    if (items.length == 1) return items[0];
    const cat = new Node(NodeKind.Concat);
    cat.items = items;
    return cat;
  }

  /**
   * A counted quantifier at `at` (default pos) as Perl 5.34+ reads it: `{n}`, `{n,}`, `{n,m}`, `{,m}`, with
   * blanks allowed inside the braces and around the comma. Sets braceMin/braceMax (-1: none, or above
   * MAX_REPEAT_COUNT as -2) and returns the offset of the `}`; -1 when `{` is a literal there.
   */
  private braceQuantifierEnd(at: i32 = -1): i32 {
    let i = (at < 0 ? this.pos : at) + 1;
    i = this.skipBlanks(i);
    const loStart = i;
    while (i < this.n && isDigit(this.src.charCodeAt(i))) i++;
    const loEnd = i;
    i = this.skipBlanks(i);
    let hiStart = -1;
    let hiEnd = -1;
    let comma = false;
    if (i < this.n && this.src.charCodeAt(i) == 0x2c /* , */) {
      comma = true;
      i = this.skipBlanks(i + 1);
      hiStart = i;
      while (i < this.n && isDigit(this.src.charCodeAt(i))) i++;
      hiEnd = i;
      i = this.skipBlanks(i);
    }
    if (i >= this.n || this.src.charCodeAt(i) != 0x7d /* } */) return -1;
    const hasLo = loEnd > loStart;
    const hasHi = comma && hiEnd > hiStart;
    if (!hasLo && !hasHi) return -1;
    this.braceMin = hasLo ? this.readCount(loStart, loEnd) : 0;
    this.braceMax = hasHi ? this.readCount(hiStart, hiEnd) : comma ? -1 : this.braceMin;
    if (hasHi && this.braceMax < 0) this.braceMax = -2;
    return i;
  }

  private skipBlanks(i: i32): i32 {
    while (i < this.n && (this.src.charCodeAt(i) == 0x20 || this.src.charCodeAt(i) == 0x09)) i++;
    return i;
  }

  /** Perl drops `(?#...)` comments between an atom and its quantifier. */
  private skipComments(): void {
    while (this.peek() == 0x28 && this.peek(1) == 0x3f && this.peek(2) == 0x23) {
      let i = this.pos + 3;
      while (i < this.n && this.src.charCodeAt(i) != 0x29) i++;
      if (i >= this.n) return; // unterminated: reported when parsed as an atom
      this.pos = i + 1;
    }
  }

  private isQuantifierAt(): bool {
    const c = this.peek();
    if (c == 0x2a || c == 0x2b || c == 0x3f) return true;
    return c == 0x7b && this.braceQuantifierEnd() >= 0;
  }

  parseQuantifier(atom: Node, atomStart: i32): Node {
    this.skipComments();
    if (!this.isQuantifierAt()) return atom;
    const qStart = this.pos;
    const c = this.peek();
    let lo = 0;
    let hi = -1;
    if (c == 0x2a) { this.pos++; }
    else if (c == 0x2b) { lo = 1; this.pos++; }
    else if (c == 0x3f) { hi = 1; this.pos++; }
    else {
      const end = this.braceQuantifierEnd();
      lo = this.braceMin;
      hi = this.braceMax;
      if (lo < 0 || hi == -2) {
        return this.fail("repetition count above " + MAX_REPEAT_COUNT.toString() + " in " + this.text(qStart, end + 1 - qStart) + " at " + qStart.toString());
      }
      if (hi >= 0 && hi < lo) {
        return this.fail("invalid repetition " + this.text(qStart, end + 1 - qStart) + " (minimum above maximum) at " + qStart.toString());
      }
      this.pos = end + 1;
    }
    let greedy = true;
    const m = this.peek();
    if (m == 0x3f) { greedy = false; this.pos++; }
    else if (m == 0x2b) {
      return this.unsupported(qStart, this.pos + 1 - qStart);
    }
    if (this.isQuantifierAt()) {
      return this.fail("nested quantifier " + this.text(this.pos, 1) + " at " + this.pos.toString());
    }
    const r = new Node(NodeKind.Repeat);
    r.items = [atom];
    r.min = lo;
    r.max = hi;
    r.greedy = greedy;
    return r;
  }

  /** Decimal digits from i to `end`, or -1 when above MAX_REPEAT_COUNT. */
  private readCount(i: i32, end: i32): i32 {
    let v: i64 = 0;
    while (i < end) {
      const d = this.src.charCodeAt(i);
      if (!isDigit(d)) break;
      v = v * 10 + (d - 0x30);
      if (v > MAX_REPEAT_COUNT) return -1;
      i++;
    }
    return <i32>v;
  }

  /** One atom; null for constructs that match nothing and take no quantifier (flag groups, comments). */
  parseAtom(): Node | null {
    const start = this.pos;
    const c = this.peek();
    if (c == 0x28 /* ( */) return this.parseGroup();
    if (c == 0x5b /* [ */) return this.parseClass();
    if (c == 0x2e /* . */) {
      this.pos++;
      const s = new ByteSet();
      s.addRange(0, 255);
      if (!this.flags.dotAll) s.words[0] &= ~(<u32>1 << 10);
      return Node.ofSet(s);
    }
    if (c == 0x5e /* ^ */) {
      this.pos++;
      return Node.ofAssert(this.flags.multiline ? AssertKind.LineStart : AssertKind.TextStart);
    }
    if (c == 0x24 /* $ */) {
      this.pos++;
      return Node.ofAssert(this.flags.multiline ? AssertKind.LineEnd : AssertKind.EndOrFinalNewline);
    }
    if (c == BS) return this.parseEscape();
    if (this.isQuantifierAt()) {
      return this.fail("quantifier follows nothing at " + start.toString());
    }
    this.pos++;
    return this.literal(c);
  }

  literal(b: i32): Node {
    const s = ByteSet.of(b);
    if (this.flags.ci) s.foldAsciiCase();
    return Node.ofSet(s);
  }

  parseGroup(): Node | null {
    const start = this.pos;
    if (this.depth >= MAX_NESTING) {
      return this.fail("groups nested deeper than " + MAX_NESTING.toString() + " at " + start.toString());
    }
    this.pos++;
    const saved = this.flags.copy();
    if (this.peek() == 0x2a /* ( * VERB */) return this.unsupported(start, 2);
    if (this.peek() == 0x3f /* ? */) {
      const k = this.peek(1);
      if (k == 0x3a /* : */) {
        this.pos += 2;
      } else if (k == 0x23 /* # comment */) {
        while (this.pos < this.n && this.peek() != 0x29) this.pos++;
        if (this.pos >= this.n) return this.fail("unterminated comment (?# at " + start.toString());
        this.pos++;
        return null;
      } else if (k == 0x3c /* < */ && (this.peek(2) == 0x3d || this.peek(2) == 0x21)) {
        return this.unsupported(start, 4); // lookbehind
      } else if (k == 0x3c || k == 0x27 /* ' */ || (k == 0x50 /* P */ && this.peek(2) == 0x3c)) {
        // named group: capture names are irrelevant to a yes/no match
        this.pos += k == 0x50 ? 3 : 2;
        const close = k == 0x27 ? 0x27 : 0x3e;
        const nameStart = this.pos;
        while (this.pos < this.n && isWordChar(this.peek())) this.pos++;
        if (this.pos == nameStart || isDigit(this.src.charCodeAt(nameStart)) || this.peek() != close) {
          return this.fail("invalid group name at " + nameStart.toString());
        }
        this.pos++;
      } else if ((k == 0x2d || k == 0x2b) && isDigit(this.peek(2))) {
        return this.unsupported(start, 4); // (?-1) (?+1): relative recursion
      } else if (isFlagByte(k) || k == 0x5e /* ^ */) {
        this.pos++;
        if (!this.parseFlags()) return Node.empty();
        if (this.peek() == 0x29) {
          // (?i): applies to the rest of the enclosing group, which restores its own flags at its end
          this.pos++;
          return null;
        }
        this.pos++; // the ':' that parseFlags stopped at
      } else {
        return this.unsupported(start, 3);
      }
    }
    this.depth++;
    const inner = this.parseAlternation();
    this.depth--;
    this.flags = saved;
    if (this.failed) return Node.empty();
    if (this.peek() != 0x29) return this.fail("unmatched ( at " + start.toString());
    this.pos++;
    return inner;
  }

  /** Flags after `(?` up to `)` or `:`; pos is left on that byte. */
  private parseFlags(): bool {
    const start = this.pos - 2;
    let on = true;
    if (this.peek() == 0x5e) {
      // (?^...): back to the defaults, then apply what follows
      this.flags.ci = false;
      this.flags.dotAll = false;
      this.flags.multiline = false;
      this.pos++;
    }
    while (this.pos < this.n) {
      const f = this.peek();
      if (f == 0x29 || f == 0x3a) return true;
      if (f == 0x2d /* - */ && on) { on = false; this.pos++; continue; }
      if (f == 0x69) this.flags.ci = on;
      else if (f == 0x73) this.flags.dotAll = on;
      else if (f == 0x6d) this.flags.multiline = on;
      else if (f == 0x6e || f == 0x61 || f == 0x64 || f == 0x6c || f == 0x75) {
        // n (no captures), a/d/l/u (charset rules): no effect on byte matching with ASCII classes
      } else {
        this.fail("unsupported flag " + this.text(this.pos, 1) + " in " + this.text(start, this.pos + 1 - start) + " at " + this.pos.toString());
        return false;
      }
      this.pos++;
    }
    this.fail("unmatched ( at " + start.toString());
    return false;
  }

  parseEscape(): Node {
    const start = this.pos;
    this.pos++;
    if (this.pos >= this.n) return this.fail("trailing backslash at " + start.toString());
    const e = this.peek();
    switch (e) {
      case 0x64: this.pos++; return Node.ofSet(digitSet()); // \d
      case 0x77: this.pos++; return Node.ofSet(wordSet()); // \w
      case 0x73: this.pos++; return Node.ofSet(spaceSet()); // \s
      case 0x44: { this.pos++; const s = digitSet(); s.invert(); return Node.ofSet(s); }
      case 0x57: { this.pos++; const s = wordSet(); s.invert(); return Node.ofSet(s); }
      case 0x53: { this.pos++; const s = spaceSet(); s.invert(); return Node.ofSet(s); }
      case 0x62: case 0x42: { // \b \B; \b{wb} and friends are Unicode boundary types
        if (this.peek(1) == 0x7b) return this.unsupported(start, 3);
        this.pos++;
        return Node.ofAssert(e == 0x62 ? AssertKind.WordBoundary : AssertKind.NotWordBoundary);
      }
      case 0x41: this.pos++; return Node.ofAssert(AssertKind.TextStart); // \A
      case 0x7a: this.pos++; return Node.ofAssert(AssertKind.TextEnd); // \z
      case 0x5a: this.pos++; return Node.ofAssert(AssertKind.EndOrFinalNewline); // \Z
      case 0x4e: { // \N: any byte but newline; \N{NAME} is a named character
        // \N{NAME} is a named character, but \N{3} is \N repeated (Perl tells them apart the same way)
        if (this.peek(1) == 0x7b && this.braceQuantifierEnd(this.pos + 1) < 0) return this.unsupported(start, 3);
        this.pos++;
        const s = ByteSet.range(0, 255);
        s.words[0] &= ~(<u32>1 << 10);
        return Node.ofSet(s);
      }
    }
    const b = this.escapedByte(start, false);
    if (this.failed) return Node.empty();
    return this.literal(b);
  }

  /**
   * The byte that a single-byte escape at `start` (pos on the byte after the backslash) denotes, advancing
   * past it; fails on escapes that are not single bytes. `inClass`: `\b` is backspace.
   */
  escapedByte(start: i32, inClass: bool): i32 {
    const e = this.peek();
    if (e < 0) { this.fail("trailing backslash at " + start.toString()); return 0; }
    if (!isAlnum(e)) { this.pos++; return e; }
    this.pos++;
    switch (e) {
      case 0x6e: return 0x0a; // \n
      case 0x74: return 0x09; // \t
      case 0x72: return 0x0d; // \r
      case 0x66: return 0x0c; // \f
      case 0x65: return 0x1b; // \e
      case 0x61: return 0x07; // \a
      case 0x30: { // \0, \0o, \0oo
        let v = 0;
        for (let k = 0; k < 2 && isOctal(this.peek()); k++) { v = v * 8 + (this.peek() - 0x30); this.pos++; }
        return v;
      }
      case 0x78: return this.hexEscape(start); // \x
      case 0x6f: return this.octalBraceEscape(start); // \o{...}
      case 0x63: { // \cX
        const x = this.peek();
        // \c{ is an error in Perl and \c\ depends on what follows; both are refused
        if (x < 0x20 || x > 0x7e || x == 0x7b || x == BS) { this.fail("invalid control escape at " + start.toString()); return 0; }
        this.pos++;
        const up = x >= 0x61 && x <= 0x7a ? x - 32 : x;
        return up ^ 0x40;
      }
    }
    if (inClass && e == 0x62) return 0x08;
    if (e >= 0x31 && e <= 0x39) {
      this.unsupported(start, 2); // backreference
      return 0;
    }
    if (e == 0x67 || e == 0x6b) { this.unsupported(start, 2); return 0; } // \g \k backreferences
    this.fail("unsupported escape " + this.text(start, 2) + " at " + start.toString());
    return 0;
  }

  private hexEscape(start: i32): i32 {
    let v = 0;
    if (this.peek() == 0x7b) {
      this.pos++;
      let digits = 0;
      while (this.pos < this.n && this.peek() != 0x7d) {
        const h = hexDigitValue(this.peek());
        if (h < 0) { this.fail("invalid \\x{...} escape at " + start.toString()); return 0; }
        v = v * 16 + h;
        if (v > 0xff) { this.fail("\\x{...} above \\x{FF} (patterns match bytes) at " + start.toString()); return 0; }
        digits++;
        this.pos++;
      }
      if (this.pos >= this.n) { this.fail("unterminated \\x{ at " + start.toString()); return 0; }
      this.pos++;
      return v;
    }
    // Perl: up to two hex digits, none meaning NUL
    for (let k = 0; k < 2; k++) {
      const h = hexDigitValue(this.peek());
      if (h < 0) break;
      v = v * 16 + h;
      this.pos++;
    }
    return v;
  }

  private octalBraceEscape(start: i32): i32 {
    if (this.peek() != 0x7b) { this.fail("invalid \\o escape at " + start.toString()); return 0; }
    this.pos++;
    let v = 0;
    let digits = 0;
    while (this.pos < this.n && this.peek() != 0x7d) {
      if (!isOctal(this.peek())) { this.fail("invalid \\o{...} escape at " + start.toString()); return 0; }
      v = v * 8 + (this.peek() - 0x30);
      if (v > 0xff) { this.fail("\\o{...} above \\o{377} (patterns match bytes) at " + start.toString()); return 0; }
      digits++;
      this.pos++;
    }
    if (this.pos >= this.n || digits == 0) { this.fail("invalid \\o{...} escape at " + start.toString()); return 0; }
    this.pos++;
    return v;
  }

  parseClass(): Node {
    const start = this.pos;
    this.pos++;
    let negate = false;
    if (this.peek() == 0x5e) { negate = true; this.pos++; }
    const set = new ByteSet();
    let first = true;
    while (true) {
      if (this.pos >= this.n) return this.fail("unterminated character class at " + start.toString());
      const c = this.peek();
      if (c == 0x5d /* ] */ && !first) { this.pos++; break; }
      first = false;
      const itemStart = this.pos;
      // one item: a byte (possibly the start of a range) or a class (\d, [:alpha:])
      let lo = -1;
      if (c == 0x5b && (this.peek(1) == 0x3a || this.peek(1) == 0x3d || this.peek(1) == 0x2e)) {
        const cls = this.posixClass();
        if (this.failed) return Node.empty();
        if (cls != null) { set.addSet(cls); continue; }
        lo = c;
        this.pos++;
      } else if (c == BS) {
        const cls = this.classEscapeSet();
        if (this.failed) return Node.empty();
        if (cls != null) { set.addSet(cls); continue; }
        this.pos++;
        lo = this.escapedByte(itemStart, true);
        if (this.failed) return Node.empty();
      } else {
        lo = c;
        this.pos++;
      }
      // a range needs a '-' followed by something other than the closing ']'
      if (this.peek() == 0x2d && this.peek(1) != 0x5d && this.peek(1) >= 0) {
        const save = this.pos;
        this.pos++;
        const hc = this.peek();
        let hi = -1;
        if (hc == BS) {
          const cls = this.classEscapeSet();
          if (this.failed) return Node.empty();
          if (cls != null) {
            // Perl's "false range": a, '-', and the class
            set.add(lo);
            set.add(0x2d);
            set.addSet(cls);
            continue;
          }
          const escStart = this.pos;
          this.pos++;
          hi = this.escapedByte(escStart, true);
          if (this.failed) return Node.empty();
        } else if (hc == 0x5b && this.peek(1) == 0x3a) {
          this.pos = save; // "a-[:digit:]": the '-' is literal
          set.add(lo);
          set.add(0x2d);
          this.pos++;
          continue;
        } else {
          hi = hc;
          this.pos++;
        }
        if (hi < lo) {
          return this.fail("invalid range " + this.text(itemStart, this.pos - itemStart) + " in character class at " + itemStart.toString());
        }
        set.addRange(lo, hi);
        continue;
      }
      set.add(lo);
    }
    if (this.flags.ci) set.foldAsciiCase();
    if (negate) set.invert();
    return Node.ofSet(set);
  }

  /** `\d \w \s \D \W \S` inside a class (advancing past it), or null with pos unchanged. */
  private classEscapeSet(): ByteSet | null {
    const e = this.peek(1);
    let s: ByteSet | null = null;
    if (e == 0x64 || e == 0x44) s = digitSet();
    else if (e == 0x77 || e == 0x57) s = wordSet();
    else if (e == 0x73 || e == 0x53) s = spaceSet();
    else return null;
    if (e == 0x44 || e == 0x57 || e == 0x53) s.invert();
    this.pos += 2;
    return s;
  }

  /** `[:name:]` / `[:^name:]` at pos; null (pos unchanged) when the text is not one, as Perl reads it then. */
  private posixClass(): ByteSet | null {
    const start = this.pos;
    const kind = this.peek(1);
    // find the matching terminator `:]`, `=]` or `.]`
    let i = this.pos + 2;
    while (i + 1 < this.n && !(this.src.charCodeAt(i) == kind && this.src.charCodeAt(i + 1) == 0x5d)) {
      if (this.src.charCodeAt(i) == 0x5d) return null;
      i++;
    }
    if (i + 1 >= this.n) return null;
    if (kind != 0x3a) {
      this.unsupported(start, i + 2 - start); // [= =] and [. .] are reserved in Perl
      return null;
    }
    let nameStart = this.pos + 2;
    let negate = false;
    if (nameStart < i && this.src.charCodeAt(nameStart) == 0x5e) { negate = true; nameStart++; }
    const name = this.src.substring(nameStart, i);
    const s = new ByteSet();
    if (name == "alpha") { s.addRange(0x41, 0x5a); s.addRange(0x61, 0x7a); }
    else if (name == "digit") s.addRange(0x30, 0x39);
    else if (name == "alnum") { s.addRange(0x30, 0x39); s.addRange(0x41, 0x5a); s.addRange(0x61, 0x7a); }
    else if (name == "word") s.addSet(wordSet());
    else if (name == "space") s.addSet(spaceSet());
    else if (name == "blank") { s.add(0x20); s.add(0x09); }
    else if (name == "upper") s.addRange(0x41, 0x5a);
    else if (name == "lower") s.addRange(0x61, 0x7a);
    else if (name == "xdigit") { s.addRange(0x30, 0x39); s.addRange(0x41, 0x46); s.addRange(0x61, 0x66); }
    else if (name == "punct") { s.addRange(0x21, 0x2f); s.addRange(0x3a, 0x40); s.addRange(0x5b, 0x60); s.addRange(0x7b, 0x7e); }
    else if (name == "cntrl") { s.addRange(0, 0x1f); s.add(0x7f); }
    else if (name == "graph") s.addRange(0x21, 0x7e);
    else if (name == "print") s.addRange(0x20, 0x7e);
    else if (name == "ascii") s.addRange(0, 0x7f);
    else {
      this.fail("unknown POSIX class " + this.text(start, i + 2 - start) + " at " + start.toString());
      return null;
    }
    if (negate) s.invert();
    this.pos = i + 2;
    return s;
  }
}

function isOctal(c: i32): bool { return c >= 0x30 && c <= 0x37; }
function isFlagByte(c: i32): bool {
  return c == 0x69 || c == 0x6d || c == 0x73 || c == 0x78 || c == 0x6e || c == 0x2d ||
    c == 0x61 || c == 0x64 || c == 0x6c || c == 0x75;
}
