// A set of byte values (0..255) as a 256-bit bitmap: the one representation behind literals under /i,
// `.`, the shorthand classes and bracketed classes, so the matcher tests every byte the same way.

export class ByteSet {
  words: StaticArray<u32> = new StaticArray<u32>(8);

  static of(b: i32): ByteSet {
    const s = new ByteSet();
    s.add(b);
    return s;
  }

  static range(lo: i32, hi: i32): ByteSet {
    const s = new ByteSet();
    s.addRange(lo, hi);
    return s;
  }

  add(b: i32): void {
    const w = (b >> 5) & 7;
    unchecked(this.words[w] = unchecked(this.words[w]) | (<u32>1 << <u32>(b & 31)));
  }

  addRange(lo: i32, hi: i32): void {
    if (lo < 0) lo = 0;
    if (hi > 255) hi = 255;
    for (let b = lo; b <= hi; b++) this.add(b);
  }

  has(b: i32): bool {
    if (b < 0 || b > 255) return false;
    return ((unchecked(this.words[b >> 5]) >> <u32>(b & 31)) & 1) != 0;
  }

  addSet(other: ByteSet): void {
    for (let i = 0; i < 8; i++) unchecked(this.words[i] = unchecked(this.words[i]) | unchecked(other.words[i]));
  }

  invert(): void {
    for (let i = 0; i < 8; i++) unchecked(this.words[i] = ~unchecked(this.words[i]));
  }

  /** ASCII case folding: every letter in the set brings its other case along (Perl's /i on byte strings). */
  foldAsciiCase(): void {
    for (let b = 0x41; b <= 0x5a; b++) {
      if (this.has(b) || this.has(b + 32)) {
        this.add(b);
        this.add(b + 32);
      }
    }
  }

  count(): i32 {
    let n = 0;
    for (let i = 0; i < 8; i++) n += <i32>popcnt<u32>(unchecked(this.words[i]));
    return n;
  }

  /** The lowest member, or -1 for the empty set. */
  first(): i32 {
    for (let i = 0; i < 8; i++) {
      const w = unchecked(this.words[i]);
      if (w != 0) return (i << 5) + <i32>ctz<u32>(w);
    }
    return -1;
  }
}

export function digitSet(): ByteSet {
  return ByteSet.range(0x30, 0x39);
}

export function wordSet(): ByteSet {
  const s = ByteSet.range(0x30, 0x39);
  s.addRange(0x41, 0x5a);
  s.addRange(0x61, 0x7a);
  s.add(0x5f);
  return s;
}

/** Perl's \s on byte strings since 5.18: space, \t, \n, \v (0x0B), \f, \r. */
export function spaceSet(): ByteSet {
  const s = ByteSet.range(0x09, 0x0d);
  s.add(0x20);
  return s;
}
