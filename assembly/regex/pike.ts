// Pike VM: simulates every thread of the program in lock step, one input byte at a time. A thread is a
// program counter (plus where its match began); two threads at the same pc and position behave the same
// from then on, so each step keeps at most one per pc. Work is O(input length × program size), whatever
// the pattern, and memory is fixed per program.

import { isWordByte } from "./byteset";
import { INSN, Op, Program } from "./compile";
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
  /** onPath[pc] == gen: Head pc lies on the epsilon path being walked (its iteration consumed nothing yet) */
  private onPath: StaticArray<i32>;
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
    this.onPath = new StaticArray<i32>(n);
    // every visited pc pushes at most two entries (a Head: its successor and its end-of-walk marker)
    this.stackPc = new StaticArray<i32>(2 * n + 2);
    this.stackStart = new StaticArray<i32>(2 * n + 2);
  }

  private newGen(): void {
    if (this.gen >= i32.MAX_VALUE - 1) {
      for (let i = 0; i < this.size; i++) {
        unchecked(this.mark[i] = 0);
        unchecked(this.onPath[i] = 0);
      }
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

  private push(sp: i32, pc: i32, start: i32): i32 {
    if (sp >= this.stackPc.length) return sp; // cannot happen (see the constructor), but never trap
    unchecked(this.stackPc[sp] = pc);
    unchecked(this.stackStart[sp] = start);
    return sp + 1;
  }

  /**
   * Adds the closure of `pc0` at `pos` to the next list (toNext) or the current one, in priority order:
   * a depth-first walk over the epsilon edges, the preferred branch first.
   */
  private addThread(toNext: bool, pc0: i32, start: i32, base: usize, pos: i32, n: i32): void {
    const code = this.prog.code;
    const listPc = toNext ? this.nextPc : this.curPc;
    const listStart = toNext ? this.nextStart : this.curStart;
    let count = toNext ? this.nextCount : this.curCount;
    const gen = this.gen;
    const size = this.size;
    let sp = this.push(0, pc0, start);
    while (sp > 0) {
      sp--;
      const pc = unchecked(this.stackPc[sp]);
      const st = unchecked(this.stackStart[sp]);
      if (pc < 0) {
        // the walk below a Head is done: it is no longer on the current path
        const h = -pc - 1;
        if (h < size) unchecked(this.onPath[h] = 0);
        continue;
      }
      if (pc >= size || unchecked(this.mark[pc]) == gen) continue;
      unchecked(this.mark[pc] = gen);
      const at = pc * INSN;
      const op = unchecked(code[at]);
      switch (op) {
        case Op.Jmp: sp = this.push(sp, unchecked(code[at + 1]), st); break;
        case Op.Split: {
          // b below a: a's whole closure is explored (and listed) first
          sp = this.push(sp, unchecked(code[at + 2]), st);
          sp = this.push(sp, unchecked(code[at + 1]), st);
          break;
        }
        case Op.Assert: {
          if (this.check(unchecked(code[at + 1]), base, pos, n)) sp = this.push(sp, pc + 1, st);
          break;
        }
        case Op.Head: {
          unchecked(this.onPath[pc] = gen);
          sp = this.push(sp, -pc - 1, st);
          sp = this.push(sp, pc + 1, st);
          break;
        }
        case Op.Back: {
          const h = unchecked(code[at + 1]);
          const empty = <u32>h < <u32>size && unchecked(this.onPath[h]) == gen;
          sp = this.push(sp, empty ? unchecked(code[at + 2]) : unchecked(code[at + 3]), st);
          break;
        }
        case Op.BackSplit: {
          const h = unchecked(code[at + 1]);
          const exit = unchecked(code[at + 2]);
          if (<u32>h < <u32>size && unchecked(this.onPath[h]) == gen) {
            sp = this.push(sp, exit, st);
          } else if (unchecked(code[at + 3]) != 0) {
            sp = this.push(sp, exit, st);
            sp = this.push(sp, h, st);
          } else {
            sp = this.push(sp, h, st);
            sp = this.push(sp, exit, st);
          }
          break;
        }
        default: {
          if (op == Op.Match && this.anyMatch) {
            this.found = true;
            sp = 0;
            break;
          }
          if (count < size) {
            unchecked(listPc[count] = pc);
            unchecked(listStart[count] = st);
            count++;
          }
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
      if (this.curCount == 0) {
        if (matched || pos >= n) break;
        // nothing alive here, but a match may still start at a later position
        pos++;
        this.newGen();
        continue;
      }
      this.newGen();
      this.nextCount = 0;
      const c = pos < n ? byteAt(base, pos) : -1;
      const count = this.curCount;
      for (let i = 0; i < count; i++) {
        const pc = unchecked(this.curPc[i]);
        const op = unchecked(code[pc * INSN]);
        if (op == Op.Match) {
          // threads after this one have lower priority than a match already in hand
          matched = true;
          this.matchStart = unchecked(this.curStart[i]);
          this.matchEnd = pos;
          break;
        }
        if (c < 0) continue;
        let ok = false;
        if (op == Op.Byte) ok = unchecked(code[pc * INSN + 1]) == c;
        else if (op == Op.Set) {
          const w = unchecked(sets[(unchecked(code[pc * INSN + 1]) << 3) + (c >> 5)]);
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
