// Pike VM: simulates every thread of the program in lock step, one input byte at a time. A thread is a
// program counter (plus where its match began); two threads at the same pc and position behave the same
// from then on, so each step keeps at most one per pc. Work is O(input length × program size), whatever
// the pattern, and memory is fixed per program.

import { isWordByte } from "./byteset";
import { Op, Program } from "./compile";
import { AssertKind } from "./parse";

@inline function byteAt(base: usize, i: i32): i32 {
  return <i32>load<u16>(base + (<usize>i << 1));
}

export class PikeVM {
  prog: Program;
  private size: i32;
  private curPc: StaticArray<i32>;
  private curStart: StaticArray<i32>;
  private curCount: i32 = 0;
  private nextPc: StaticArray<i32>;
  private nextStart: StaticArray<i32>;
  private nextCount: i32 = 0;
  /** mark[pc] == gen: pc already visited in the closure being built */
  private mark: StaticArray<i32>;
  private gen: i32 = 0;
  private stackPc: StaticArray<i32>;
  private stackStart: StaticArray<i32>;
  /** test(): stop at the first thread that reaches Match */
  private anyMatch: bool = false;
  private found: bool = false;
  matchStart: i32 = -1;
  matchEnd: i32 = -1;

  constructor(prog: Program) {
    this.prog = prog;
    const n = prog.size;
    this.size = n;
    this.curPc = new StaticArray<i32>(n);
    this.curStart = new StaticArray<i32>(n);
    this.nextPc = new StaticArray<i32>(n);
    this.nextStart = new StaticArray<i32>(n);
    this.mark = new StaticArray<i32>(n);
    // every visited pc pushes at most two successors
    this.stackPc = new StaticArray<i32>(2 * n + 2);
    this.stackStart = new StaticArray<i32>(2 * n + 2);
  }

  private newGen(): void {
    if (this.gen >= i32.MAX_VALUE - 1) {
      for (let i = 0; i < this.size; i++) unchecked(this.mark[i] = 0);
      this.gen = 0;
    }
    this.gen++;
  }

  private check(kind: i32, base: usize, pos: i32, n: i32): bool {
    const prev = pos > 0 ? byteAt(base, pos - 1) : -1;
    const cur = pos < n ? byteAt(base, pos) : -1;
    switch (kind) {
      case AssertKind.TextStart: return pos == 0;
      case AssertKind.EndOrFinalNewline: return pos == n || (pos == n - 1 && cur == 0x0a);
      case AssertKind.TextEnd: return pos == n;
      case AssertKind.LineStart: return pos == 0 || (prev == 0x0a && pos < n);
      case AssertKind.LineEnd: return pos == n || cur == 0x0a;
      case AssertKind.WordBoundary: return isWordByte(prev) != isWordByte(cur);
      case AssertKind.NotWordBoundary: return isWordByte(prev) == isWordByte(cur);
    }
    return false;
  }

  /** Adds the closure of `pc0` at `pos` to the next list (toNext) or the current one, in priority order. */
  private addThread(toNext: bool, pc0: i32, start: i32, base: usize, pos: i32, n: i32): void {
    const code = this.prog.code;
    const listPc = toNext ? this.nextPc : this.curPc;
    const listStart = toNext ? this.nextStart : this.curStart;
    let count = toNext ? this.nextCount : this.curCount;
    const cap = this.stackPc.length;
    let sp = 0;
    unchecked(this.stackPc[0] = pc0);
    unchecked(this.stackStart[0] = start);
    sp = 1;
    const gen = this.gen;
    const size = this.size;
    while (sp > 0) {
      sp--;
      const pc = unchecked(this.stackPc[sp]);
      const st = unchecked(this.stackStart[sp]);
      if (<u32>pc >= <u32>size || unchecked(this.mark[pc]) == gen) continue;
      unchecked(this.mark[pc] = gen);
      const op = unchecked(code[pc * 3]);
      if (op == Op.Jmp) {
        unchecked(this.stackPc[sp] = unchecked(code[pc * 3 + 1]));
        unchecked(this.stackStart[sp] = st);
        sp++;
      } else if (op == Op.Split) {
        if (sp + 2 > cap) continue;
        // b below a: a's whole closure is explored (and listed) first
        unchecked(this.stackPc[sp] = unchecked(code[pc * 3 + 2]));
        unchecked(this.stackStart[sp] = st);
        unchecked(this.stackPc[sp + 1] = unchecked(code[pc * 3 + 1]));
        unchecked(this.stackStart[sp + 1] = st);
        sp += 2;
      } else if (op == Op.Assert) {
        if (this.check(unchecked(code[pc * 3 + 1]), base, pos, n)) {
          unchecked(this.stackPc[sp] = pc + 1);
          unchecked(this.stackStart[sp] = st);
          sp++;
        }
      } else {
        if (op == Op.Match && this.anyMatch) {
          this.found = true;
          break;
        }
        if (count < size) {
          unchecked(listPc[count] = pc);
          unchecked(listStart[count] = st);
          count++;
        }
      }
    }
    if (toNext) this.nextCount = count; else this.curCount = count;
  }

  /**
   * Unanchored search over a byte string (every code unit <= 0xFF). `anyMatch`: stop at the first match
   * found (test); otherwise find the leftmost match, its end chosen by Perl's preference order.
   */
  run(input: string, anyMatch: bool): bool {
    const base = changetype<usize>(input);
    const n = input.length;
    const code = this.prog.code;
    const sets = this.prog.sets;
    const first = this.prog.firstBytes;
    this.anyMatch = anyMatch;
    this.found = false;
    this.matchStart = -1;
    this.matchEnd = -1;
    this.curCount = 0;
    this.nextCount = 0;
    let matched = false;
    let pos = 0;
    this.newGen();
    while (true) {
      if (!matched) {
        if (this.curCount == 0 && first !== null) {
          const from = pos;
          while (pos < n && !first.has(byteAt(base, pos))) pos++;
          if (pos >= n) break;
          if (pos != from) this.newGen(); // marks of the old position's (empty) closure no longer apply
        }
        // a match starting here has the lowest priority of all
        this.addThread(false, 0, pos, base, pos, n);
        if (this.found) return true;
      }
      if (this.curCount == 0) break;
      this.newGen();
      this.nextCount = 0;
      const c = pos < n ? byteAt(base, pos) : -1;
      const count = this.curCount;
      for (let i = 0; i < count; i++) {
        const pc = unchecked(this.curPc[i]);
        const op = unchecked(code[pc * 3]);
        if (op == Op.Match) {
          // threads after this one have lower priority than a match already in hand
          matched = true;
          this.matchStart = unchecked(this.curStart[i]);
          this.matchEnd = pos;
          break;
        }
        if (c < 0) continue;
        let ok = false;
        if (op == Op.Byte) ok = unchecked(code[pc * 3 + 1]) == c;
        else if (op == Op.Set) {
          const w = unchecked(sets[(unchecked(code[pc * 3 + 1]) << 3) + (c >> 5)]);
          ok = ((w >> <u32>(c & 31)) & 1) != 0;
        }
        if (ok) {
          this.addThread(true, pc + 1, unchecked(this.curStart[i]), base, pos + 1, n);
          if (this.found) return true;
        }
      }
      // swap lists
      const tp = this.curPc; this.curPc = this.nextPc; this.nextPc = tp;
      const ts = this.curStart; this.curStart = this.nextStart; this.nextStart = ts;
      this.curCount = this.nextCount;
      this.nextCount = 0;
      if (pos >= n) break;
      pos++;
    }
    return matched;
  }
}
