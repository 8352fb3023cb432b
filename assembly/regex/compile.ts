// Compiles the parsed pattern into a program for the Pike VM (pike.ts): one instruction per byte test,
// assertion, split or jump. Counted repetitions are expanded, so their cost is checked before emitting.

import { ByteSet } from "./byteset";
import { Node, NodeKind } from "./parse";

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
}

export class Program {
  /** three i32 per instruction: op, a, b */
  code: StaticArray<i32>;
  sets: StaticArray<u32>;
  size: i32;
  /** Bytes that can start a match (assertions ignored); null when any byte can, or the empty string matches. */
  firstBytes: ByteSet | null = null;

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
      if (n.max < 0) return min(cap, lo == 0 ? s + 2 : lo * s + 1);
      return min(cap, lo * s + (<i64>n.max - lo) * (s + 1));
    }
  }
  return cap;
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
  const p = new Program(code, sets, e.code.length / 3);
  p.firstBytes = firstBytes(p);
  r.program = p;
  return r;
}

class Emitter {
  code: Array<i32> = [];
  sets: Array<u32> = [];
  /** set index per Set node, so repeated copies of one class share their bitmap */
  setIndex: Map<Node, i32> = new Map<Node, i32>();

  get pc(): i32 { return this.code.length / 3; }

  op(op: i32, a: i32, b: i32): i32 {
    const at = this.pc;
    this.code.push(op);
    this.code.push(a);
    this.code.push(b);
    return at;
  }

  patchA(at: i32, v: i32): void { this.code[at * 3 + 1] = v; }
  patchB(at: i32, v: i32): void { this.code[at * 3 + 2] = v; }

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
}

/** The prefilter for unanchored search: the bytes at which a match can begin. */
function firstBytes(p: Program): ByteSet | null {
  const out = new ByteSet();
  const seen = new StaticArray<bool>(p.size);
  const stack = new Array<i32>();
  stack.push(0);
  while (stack.length > 0) {
    const pc = stack.pop();
    if (pc < 0 || pc >= p.size || unchecked(seen[pc])) continue;
    unchecked(seen[pc] = true);
    const op = unchecked(p.code[pc * 3]);
    const a = unchecked(p.code[pc * 3 + 1]);
    const b = unchecked(p.code[pc * 3 + 2]);
    if (op == Op.Match) return null;
    if (op == Op.Byte) out.add(a);
    else if (op == Op.Set) {
      for (let i = 0; i < 8; i++) out.words[i] |= unchecked(p.sets[a * 8 + i]);
    } else if (op == Op.Split) { stack.push(b); stack.push(a); }
    else if (op == Op.Jmp) stack.push(a);
    else if (op == Op.Assert) stack.push(pc + 1);
  }
  return out.count() == 256 ? null : out;
}
