// Pike VM: simulates every thread of the program in lock step, one input byte at a time. A thread is a
// program counter (plus where its match began); two threads at the same pc and position behave the same
// from then on, so each step keeps at most one per pc, the one of higher priority (the order Perl's
// backtracking would try them in). Work is O(input length × program size), whatever the pattern, and
// memory is fixed per program. It answers find(), and test() when the lazy DFA (dfa.ts) gives up.
//
// The hot loops address the program and the thread lists through raw pointers held in locals: managed
// references in a loop make AssemblyScript spill them to its shadow stack on every iteration. The arrays
// stay reachable from this object's fields, and the collector does not move objects.

import { isWordChar } from "../codecs/ascii";
import { INSN, Op, Program } from "./compile";
import { AssertKind } from "./parse";

@inline function byteAt(base: usize, i: i32): i32 {
  return <i32>load<u16>(base + (<usize>i << 1));
}

@inline function ld(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

@inline function st(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}

@inline function inSet(words: usize, c: i32): bool {
  return ((load<u32>(words + (<usize>(c >> 5) << 2)) >> <u32>(c & 31)) & 1) != 0;
}

export class PikeVM {
  prog: Program;
  private size: i32;
  private listA: StaticArray<i32>;
  private listB: StaticArray<i32>;
  /** mark[pc] == gen: pc already visited in the closure being built */
  private mark: StaticArray<i32>;
  /** onPath[pc] == gen: Head pc lies on the epsilon path being walked (its iteration consumed nothing yet) */
  private onPath: StaticArray<i32>;
  private stack: StaticArray<i32>;
  private firstWords: StaticArray<u32> | null;
  private gen: i32 = 0;
  /** test(): stop at the first thread that reaches Match */
  private anyMatch: bool = false;
  private found: bool = false;
  matchStart: i32 = -1;
  matchEnd: i32 = -1;

  // raw views of the arrays above, set by run()
  private code: usize = 0;
  private sets: usize = 0;
  private markP: usize = 0;
  private pathP: usize = 0;
  private stackP: usize = 0;
  private stackCap: i32 = 0;

  constructor(prog: Program) {
    this.prog = prog;
    const n = prog.size;
    this.size = n;
    // a list holds (pc, start) pairs
    this.listA = new StaticArray<i32>(2 * n);
    this.listB = new StaticArray<i32>(2 * n);
    this.mark = new StaticArray<i32>(2 * n);
    this.onPath = new StaticArray<i32>(n);
    // (pc, start) pairs; a pc is visited at most twice (its two marks) and every visit pushes at most
    // two (a Head: its successor and its end marker)
    this.stack = new StaticArray<i32>(8 * n + 4);
    const f = prog.firstBytes;
    this.firstWords = f === null ? null : f.words;
  }

  private newGen(): void {
    if (this.gen >= i32.MAX_VALUE - 1) {
      for (let i = 0; i < this.size; i++) {
        unchecked(this.mark[2 * i] = 0);
        unchecked(this.mark[2 * i + 1] = 0);
        unchecked(this.onPath[i] = 0);
      }
      this.gen = 0;
    }
    this.gen++;
  }

  /**
   * Adds the closure of `pc0` at `pos` to `list` (holding `count` threads), in priority order: a
   * depth-first walk over the epsilon edges, the preferred branch first. Returns the new count.
   */
  private addThread(list: usize, count: i32, pc0: i32, start: i32, base: usize, pos: i32, n: i32): i32 {
    const code = this.code;
    const mark = this.markP;
    const path = this.pathP;
    const heads = changetype<usize>(this.prog.loopHead);
    const stack = this.stackP;
    const cap = this.stackCap;
    const gen = this.gen;
    const size = this.size;
    const anyMatch = this.anyMatch;
    st(stack, 0, pc0);
    st(stack, 1, start);
    let sp = 1;
    while (sp > 0) {
      sp--;
      const pc = ld(stack, sp << 1);
      const s = ld(stack, (sp << 1) + 1);
      if (pc < 0) {
        // the walk below a Head is done: it is no longer on the current path
        const h = -pc - 1;
        if (h < size) st(path, h, 0);
        continue;
      }
      if (pc >= size) continue;
      const at = pc * INSN;
      const op = ld(code, at);
      // two visit marks per pc: inside a loop body, with its Head on the current path or not (see
      // Program.loopHead); a thread (byte test or Match) is the same thread either way
      let slot = pc << 1;
      if (op != Op.Byte && op != Op.Set && op != Op.Match) {
        const lh = ld(heads, pc);
        if (<u32>lh < <u32>size && ld(path, lh) == gen) slot++;
      }
      if (ld(mark, slot) == gen) continue;
      st(mark, slot, gen);
      let t1 = -1; // successors to push: t1 is explored first
      let t2 = -1;
      if (op == Op.Byte || op == Op.Set || op == Op.Match) {
        if (op == Op.Match && anyMatch) {
          this.found = true;
          return count;
        }
        if (count < size) {
          st(list, count << 1, pc);
          st(list, (count << 1) + 1, s);
          count++;
        }
        continue;
      } else if (op == Op.Split) {
        t1 = ld(code, at + 1);
        t2 = ld(code, at + 2);
      } else if (op == Op.Jmp) {
        t1 = ld(code, at + 1);
      } else if (op == Op.Assert) {
        if (check(ld(code, at + 1), base, pos, n)) t1 = pc + 1;
      } else if (op == Op.Head) {
        st(path, pc, gen);
        t1 = pc + 1;
        t2 = -pc - 1; // the end marker, popped once t1's whole closure is walked
        if (sp + 2 > cap) continue;
        st(stack, sp << 1, t2);
        st(stack, (sp << 1) + 1, s);
        sp++;
        t2 = -1;
      } else if (op == Op.Back) {
        const h = ld(code, at + 1);
        const empty = <u32>h < <u32>size && ld(path, h) == gen;
        t1 = empty ? ld(code, at + 2) : ld(code, at + 3);
      } else if (op == Op.BackSplit) {
        const h = ld(code, at + 1);
        const exit = ld(code, at + 2);
        if (<u32>h < <u32>size && ld(path, h) == gen) t1 = exit;
        else if (ld(code, at + 3) != 0) { t1 = h; t2 = exit; }
        else { t1 = exit; t2 = h; }
      }
      if (sp + 2 > cap) continue; // cannot happen (see the constructor), but never write past the stack
      if (t2 >= 0) {
        st(stack, sp << 1, t2);
        st(stack, (sp << 1) + 1, s);
        sp++;
      }
      if (t1 >= 0) {
        st(stack, sp << 1, t1);
        st(stack, (sp << 1) + 1, s);
        sp++;
      }
    }
    return count;
  }

  /**
   * Unanchored search over a byte string (every code unit <= 0xFF). `anyMatch`: stop at the first match
   * found (test); otherwise find the leftmost match, its end chosen by Perl's preference order.
   */
  run(input: string, anyMatch: bool): bool {
    const base = changetype<usize>(input);
    const n = input.length;
    const code = changetype<usize>(this.prog.code);
    const sets = changetype<usize>(this.prog.sets);
    const fw = this.firstWords;
    const first: usize = fw === null ? 0 : changetype<usize>(fw);
    const anchored = this.prog.anchored;
    const size = this.size;
    const mark = changetype<usize>(this.mark);
    this.code = code;
    this.sets = sets;
    this.markP = changetype<usize>(this.mark);
    this.pathP = changetype<usize>(this.onPath);
    this.stackP = changetype<usize>(this.stack);
    this.stackCap = this.stack.length >> 1;
    this.anyMatch = anyMatch;
    this.found = false;
    this.matchStart = -1;
    this.matchEnd = -1;
    let cur = changetype<usize>(this.listA);
    let next = changetype<usize>(this.listB);
    let curCount = 0;
    let matched = false;
    let pos = 0;
    this.newGen();
    while (true) {
      if (!matched && (pos == 0 || !anchored)) {
        if (curCount == 0 && first != 0 && !anchored) {
          const from = pos;
          while (pos < n && !inSet(first, byteAt(base, pos))) pos++;
          if (pos >= n) break;
          if (pos != from) this.newGen(); // marks of the old position's (empty) closure no longer apply
        }
        // a match starting here has the lowest priority of all
        curCount = this.addThread(cur, curCount, 0, pos, base, pos, n);
        if (this.found) return true;
      }
      if (curCount == 0) {
        if (matched || pos >= n || anchored) break;
        // nothing alive here, but a match may still start at a later position
        pos++;
        this.newGen();
        continue;
      }
      this.newGen();
      const gen = this.gen;
      let nextCount = 0;
      const c = pos < n ? byteAt(base, pos) : -1;
      for (let i = 0; i < curCount; i++) {
        const pc = ld(cur, i << 1);
        const at = pc * INSN;
        const op = ld(code, at);
        if (op == Op.Match) {
          // threads after this one have lower priority than a match already in hand
          matched = true;
          this.matchStart = ld(cur, (i << 1) + 1);
          this.matchEnd = pos;
          break;
        }
        if (c < 0) continue;
        const a = ld(code, at + 1);
        const ok = op == Op.Byte ? a == c : inSet(sets + (<usize>a << 5), c);
        if (ok) {
          const npc = pc + 1;
          const nop = ld(code, npc * INSN);
          if (nop == Op.Byte || nop == Op.Set) {
            // the closure of a byte test is itself: skip the walk (literal runs take this path)
            if (ld(mark, npc << 1) != gen && nextCount < size) {
              st(mark, npc << 1, gen);
              st(next, nextCount << 1, npc);
              st(next, (nextCount << 1) + 1, ld(cur, (i << 1) + 1));
              nextCount++;
            }
          } else {
            nextCount = this.addThread(next, nextCount, npc, ld(cur, (i << 1) + 1), base, pos + 1, n);
            if (this.found) return true;
          }
        }
      }
      const t = cur; cur = next; next = t;
      curCount = nextCount;
      if (pos >= n) break;
      pos++;
    }
    return matched;
  }
}

function check(kind: i32, base: usize, pos: i32, n: i32): bool {
  const prev = pos > 0 ? byteAt(base, pos - 1) : -1;
  const cur = pos < n ? byteAt(base, pos) : -1;
  switch (kind) {
    case AssertKind.TextStart: return pos == 0;
    case AssertKind.EndOrFinalNewline: return pos == n || (pos == n - 1 && cur == 0x0a);
    case AssertKind.TextEnd: return pos == n;
    case AssertKind.LineStart: return pos == 0 || (prev == 0x0a && pos < n);
    case AssertKind.LineEnd: return pos == n || cur == 0x0a;
    case AssertKind.WordBoundary: return isWordChar(prev) != isWordChar(cur);
    case AssertKind.NotWordBoundary: return isWordChar(prev) == isWordChar(cur);
  }
  return false;
}
