// Compiles the parsed pattern into a program for the Pike VM (pike.ts): one instruction per byte test,
// assertion, split or jump. Counted repetitions are expanded, so their cost is checked before emitting.
//
// Perl ends a loop as soon as an iteration beyond the minimum matches the empty string and goes on with
// what follows the loop, at that point's priority (regexec.c, WHILEM: "empty match detected, trying
// continuation"). A repetition of a subpattern that can match empty therefore gets a Head instruction
// where each iteration starts; at the iteration's end, Back/BackSplit ask the VM whether that Head lies on
// the current epsilon path (nothing consumed since) and if so leave the loop. This only moves where
// find() ends a match, never whether there is one.

import { ByteSet } from "./byteset";
import { AssertKind, Node, NodeKind } from "./parse";

export const MAX_PROGRAM_SIZE = 10000;

export const enum Op {
  /** a: the byte */
  Byte = 0,
  /** a: set index into Program.sets (8 words each) */
  Set = 1,
  /** try a first, then b (the order is the match priority, which only find() observes) */
  Split = 2,
  Jmp = 3,
  /** a: AssertKind */
  Assert = 4,
  Match = 5,
  /** start of an iteration of a possibly empty loop body; falls through */
  Head = 6,
  /** end of an iteration: to b when the iteration (from Head a) was empty, else to c */
  Back = 7,
  /** end of an iteration of x{n,}: to b (exit) when empty, else loop to Head a and exit, in the order c (1: loop first) */
  BackSplit = 8,
}

/** ints per instruction: op, a, b, c */
export const INSN: i32 = 4;

export class Program {
  /** INSN i32 per instruction: op, a, b, c */
  code: StaticArray<i32>;
  sets: StaticArray<u32>;
  size: i32;
  /** Bytes that can start a match (assertions ignored); null when any byte can, or the empty string matches. */
  firstBytes: ByteSet | null = null;
  /**
   * The innermost Head whose iteration each instruction belongs to, or -1. The Pike VM keeps apart the
   * visits of an instruction made with that Head on the current path and without: they lead to
   * different places (its Back exits the loop, or starts another iteration) with different priorities.
   */
  loopHead: StaticArray<i32> = new StaticArray<i32>(0);
  /** Every match starts at offset 0 (each path begins with \A or ^ without /m): no later start is tried. */
  anchored: bool = false;

  constructor(code: StaticArray<i32>, sets: StaticArray<u32>, size: i32) {
    this.code = code;
    this.sets = sets;
    this.size = size;
  }
}

export class CompileResult {
  program: Program | null = null;
  error: string = "";
}

/** The number of instructions `n` expands to, saturated just above the cap so nesting cannot overflow. */
function sizeOf(n: Node): i64 {
  const cap: i64 = MAX_PROGRAM_SIZE + 1;
  switch (n.kind) {
    case NodeKind.Empty: return 0;
    case NodeKind.Set:
    case NodeKind.Assert: return 1;
    case NodeKind.Concat: {
      let t: i64 = 0;
      for (let i = 0; i < n.items.length; i++) t = min(cap, t + sizeOf(n.items[i]));
      return t;
    }
    case NodeKind.Alt: {
      let t: i64 = <i64>(n.items.length - 1) * 2;
      for (let i = 0; i < n.items.length; i++) t = min(cap, t + sizeOf(n.items[i]));
      return t;
    }
    case NodeKind.Repeat: {
      const s = sizeOf(n.items[0]);
      const lo = <i64>n.min;
      const hi = <i64>n.max;
      if (nullable(n.items[0])) {
        // Head + Back around the iterations that may end the loop when empty
        if (hi < 0) return min(cap, lo == 0 ? s + 3 : lo * s + 2);
        if (hi == lo) return min(cap, lo * s);
        return min(cap, lo * s + (lo > 0 ? 2 : 0) + (hi - lo) * (s + 3));
      }
      if (hi < 0) return min(cap, lo == 0 ? s + 2 : lo * s + 1);
      return min(cap, lo * s + (hi - lo) * (s + 1));
    }
  }
  return cap;
}

/** Whether `n` can match the empty string (assertions count as empty). */
export function nullable(n: Node): bool {
  switch (n.kind) {
    case NodeKind.Empty:
    case NodeKind.Assert: return true;
    case NodeKind.Set: return false;
    case NodeKind.Concat: {
      for (let i = 0; i < n.items.length; i++) if (!nullable(n.items[i])) return false;
      return true;
    }
    case NodeKind.Alt: {
      for (let i = 0; i < n.items.length; i++) if (nullable(n.items[i])) return true;
      return false;
    }
    case NodeKind.Repeat: return n.min == 0 || nullable(n.items[0]);
  }
  return true;
}

export function compileProgram(root: Node): CompileResult {
  const r = new CompileResult();
  const total = sizeOf(root) + 1;
  if (total > MAX_PROGRAM_SIZE) {
    r.error = "pattern too large: it expands to more than " + MAX_PROGRAM_SIZE.toString() + " instructions";
    return r;
  }
  const e = new Emitter();
  e.emit(root);
  e.op(Op.Match, 0, 0);
  const code = new StaticArray<i32>(e.code.length);
  for (let i = 0; i < e.code.length; i++) unchecked(code[i] = e.code[i]);
  const sets = new StaticArray<u32>(e.sets.length);
  for (let i = 0; i < e.sets.length; i++) unchecked(sets[i] = e.sets[i]);
  const p = new Program(code, sets, e.code.length / INSN);
  const heads = new StaticArray<i32>(p.size);
  for (let i = 0; i < p.size; i++) unchecked(heads[i] = e.loopHead[i]);
  p.loopHead = heads;
  p.firstBytes = firstBytes(p);
  p.anchored = anchoredAtStart(p);
  r.program = p;
  return r;
}

class Emitter {
  code: Array<i32> = [];
  sets: Array<u32> = [];
  /** set index per Set node, so repeated copies of one class share their bitmap */
  setIndex: Map<Node, i32> = new Map<Node, i32>();

  get pc(): i32 { return this.code.length / INSN; }

  /** innermost Head around each instruction (-1: none), see Program.loopHead */
  loopHead: Array<i32> = [];
  private heads: Array<i32> = [];

  op(op: i32, a: i32, b: i32, c: i32 = 0): i32 {
    const at = this.pc;
    this.loopHead.push(this.heads.length > 0 ? this.heads[this.heads.length - 1] : -1);
    this.code.push(op);
    this.code.push(a);
    this.code.push(b);
    this.code.push(c);
    return at;
  }

  patchA(at: i32, v: i32): void { this.code[at * INSN + 1] = v; }
  patchB(at: i32, v: i32): void { this.code[at * INSN + 2] = v; }

  /** A split preferring `first` (greedy) or `other` (lazy); the unresolved target is patched later. */
  split(greedyFirst: bool, target: i32, other: i32): i32 {
    return greedyFirst ? this.op(Op.Split, target, other) : this.op(Op.Split, other, target);
  }

  emit(n: Node): void {
    switch (n.kind) {
      case NodeKind.Empty: return;
      case NodeKind.Set: {
        const s = n.set!;
        if (s.count() == 1) { this.op(Op.Byte, s.first(), 0); return; }
        let idx: i32;
        if (this.setIndex.has(n)) idx = this.setIndex.get(n);
        else {
          idx = this.sets.length / 8;
          for (let i = 0; i < 8; i++) this.sets.push(s.words[i]);
          this.setIndex.set(n, idx);
        }
        this.op(Op.Set, idx, 0);
        return;
      }
      case NodeKind.Assert: this.op(Op.Assert, n.assert, 0); return;
      case NodeKind.Concat: {
        for (let i = 0; i < n.items.length; i++) this.emit(n.items[i]);
        return;
      }
      case NodeKind.Alt: {
        const jumps = new Array<i32>();
        const k = n.items.length;
        for (let i = 0; i < k; i++) {
          if (i < k - 1) {
            const sp = this.op(Op.Split, this.pc + 1, -1);
            this.emit(n.items[i]);
            jumps.push(this.op(Op.Jmp, -1, 0));
            this.patchB(sp, this.pc);
          } else {
            this.emit(n.items[i]);
          }
        }
        for (let i = 0; i < jumps.length; i++) this.patchA(jumps[i], this.pc);
        return;
      }
      case NodeKind.Repeat: this.emitRepeat(n); return;
    }
  }

  emitRepeat(n: Node): void {
    const sub = n.items[0];
    const g = n.greedy;
    if (nullable(sub)) { this.emitNullableRepeat(n); return; }
    if (n.max < 0) {
      if (n.min == 0) {
        // L: split body, exit; body; jmp L
        const loop = this.split(g, this.pc + 1, -1);
        this.emit(sub);
        this.op(Op.Jmp, loop, 0);
        if (g) this.patchB(loop, this.pc); else this.patchA(loop, this.pc);
        return;
      }
      for (let i = 1; i < n.min; i++) this.emit(sub);
      // the last required copy doubles as the loop body: L: body; split L, exit
      const body = this.pc;
      this.emit(sub);
      this.split(g, body, this.pc + 1);
      return;
    }
    for (let i = 0; i < n.min; i++) this.emit(sub);
    const optional = n.max - n.min;
    if (optional == 0) return;
    // (body (body (...)?)?)? with every split leaving to the common end
    const exits = new Array<i32>();
    for (let i = 0; i < optional; i++) {
      exits.push(this.split(g, this.pc + 1, -1));
      this.emit(sub);
    }
    const end = this.pc;
    for (let i = 0; i < exits.length; i++) {
      if (g) this.patchB(exits[i], end); else this.patchA(exits[i], end);
    }
  }

  /** Emits a Head; the instructions up to its Back belong to it (popped by the caller). */
  private enterHead(): i32 {
    const head = this.op(Op.Head, 0, 0);
    this.heads.push(head);
    return head;
  }

  /** Like emitRepeat, with Perl's exit on an empty iteration past the minimum (see the top of the file). */
  emitNullableRepeat(n: Node): void {
    const sub = n.items[0];
    const g = n.greedy;
    if (n.max < 0 && n.min == 0) {
      // H: head; split body, exit; body; back H ? exit : H
      const head = this.enterHead();
      const sp = this.split(g, this.pc + 1, -1);
      this.emit(sub);
      const back = this.op(Op.Back, head, -1, head);
      this.heads.pop();
      const exit = this.pc;
      if (g) this.patchB(sp, exit); else this.patchA(sp, exit);
      this.patchB(back, exit);
      return;
    }
    if (n.max < 0) {
      for (let i = 1; i < n.min; i++) this.emit(sub);
      // H: head; body; backsplit: empty ? exit : (H | exit)
      const head = this.enterHead();
      this.emit(sub);
      this.op(Op.BackSplit, head, this.pc + 1, g ? 1 : 0);
      this.heads.pop();
      return;
    }
    if (n.max == n.min) {
      for (let i = 0; i < n.min; i++) this.emit(sub);
      return;
    }
    // Backs to patch with the common end (b) once it is known
    const backs = new Array<i32>();
    const splits = new Array<i32>();
    for (let i = 1; i < n.min; i++) this.emit(sub);
    if (n.min > 0) {
      // the last required copy: if it matched empty, no optional copy is tried
      const head = this.enterHead();
      this.emit(sub);
      backs.push(this.op(Op.Back, head, -1, this.pc + 1));
      this.heads.pop();
    }
    for (let i = n.min; i < n.max; i++) {
      const head = this.enterHead();
      splits.push(this.split(g, this.pc + 1, -1));
      this.emit(sub);
      backs.push(this.op(Op.Back, head, -1, this.pc + 1));
      this.heads.pop();
    }
    const end = this.pc;
    for (let i = 0; i < backs.length; i++) this.patchB(backs[i], end);
    for (let i = 0; i < splits.length; i++) {
      if (g) this.patchB(splits[i], end); else this.patchA(splits[i], end);
    }
  }
}

/**
 * The instructions reachable from the entry before a byte is consumed, each once: Byte, Set and Match end
 * a path (they are in the list), as does an Assert for the start of the text when `stopAtTextStart`.
 */
function entryClosure(p: Program, stopAtTextStart: bool): Array<i32> {
  const out = new Array<i32>();
  const seen = new StaticArray<bool>(p.size);
  const stack = new Array<i32>();
  stack.push(0);
  while (stack.length > 0) {
    const pc = stack.pop();
    if (pc < 0 || pc >= p.size || unchecked(seen[pc])) continue;
    unchecked(seen[pc] = true);
    out.push(pc);
    const op = unchecked(p.code[pc * INSN]);
    const a = unchecked(p.code[pc * INSN + 1]);
    const b = unchecked(p.code[pc * INSN + 2]);
    const c = unchecked(p.code[pc * INSN + 3]);
    if (op == Op.Assert) {
      if (!stopAtTextStart || a != AssertKind.TextStart) stack.push(pc + 1);
    } else if (op == Op.Split || op == Op.BackSplit) { stack.push(b); stack.push(a); }
    else if (op == Op.Jmp) stack.push(a);
    else if (op == Op.Head) stack.push(pc + 1);
    else if (op == Op.Back) { stack.push(c); stack.push(b); }
  }
  return out;
}

/** The prefilter for unanchored search: the bytes at which a match can begin. */
function firstBytes(p: Program): ByteSet | null {
  const out = new ByteSet();
  const reached = entryClosure(p, false);
  for (let k = 0; k < reached.length; k++) {
    const pc = reached[k];
    const op = unchecked(p.code[pc * INSN]);
    const a = unchecked(p.code[pc * INSN + 1]);
    if (op == Op.Match) return null;
    if (op == Op.Byte) out.add(a);
    else if (op == Op.Set) {
      for (let i = 0; i < 8; i++) out.words[i] |= unchecked(p.sets[a * 8 + i]);
    }
  }
  return out.count() == 256 ? null : out;
}

/** Whether every path from the entry meets a start-of-text assertion before consuming or matching. */
function anchoredAtStart(p: Program): bool {
  const reached = entryClosure(p, true);
  for (let k = 0; k < reached.length; k++) {
    const op = unchecked(p.code[reached[k] * INSN]);
    if (op == Op.Match || op == Op.Byte || op == Op.Set) return false;
  }
  return true;
}
