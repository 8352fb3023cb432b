// A lazily built DFA for test(): each state is the set of threads the Pike VM would hold (without their
// priorities, which only find() needs) plus the class of the previous byte, so that assertions can be
// decided when the next symbol is known. States and transitions are built on first use and cached, so a
// byte costs one table lookup once the cache is warm; a miss costs one closure walk, O(program size),
// keeping the whole search linear. The cache is capped; a search that would exceed it starts over on the
// Pike VM (the caller's fallback) and the cache is emptied for the next search.

import { isWordChar } from "../codecs/ascii";
import { INSN, Op, Program } from "./compile";
import { AssertKind } from "./parse";

/** symbols: bytes 0..255, end of input, and a newline that is the input's last byte ($ and \Z see it) */
const SYM_END: i32 = 256;
const SYM_LAST_NEWLINE: i32 = 257;
const NSYM: i32 = 258;

const UNKNOWN: i32 = 0;
/** transition results other than a state (states are stored as id + 1, so 0 can mean unknown) */
const MATCH: i32 = -1;
const DEAD: i32 = -2;

/** classes of the byte before the current position */
const PREV_START: i32 = 0;
const PREV_NEWLINE: i32 = 1;
const PREV_WORD: i32 = 2;
const PREV_OTHER: i32 = 3;

export const MAX_DFA_STATES: i32 = 256;
/** pcs held by all cached states together: keeps a large program's cache to about 1 MB with its keys */
export const MAX_DFA_KERNEL_PCS: i32 = 1 << 16;

export class LazyDFA {
  private prog: Program;
  private size: i32;
  /** NSYM entries per state: UNKNOWN, MATCH, DEAD or target id + 1 */
  private table: StaticArray<i32>;
  private kernels: Array<StaticArray<i32>> = [];
  private prevClass: Array<i32> = [];
  private index: Map<string, i32> = new Map<string, i32>();
  private mark: StaticArray<i32>;
  private kernelMark: StaticArray<i32>;
  private gen: i32 = 0;
  private stack: StaticArray<i32>;
  private scratch: Array<i32> = [];
  /** searches handed to the Pike VM because the state cache filled up */
  giveUps: i32 = 0;
  private kernelPcs: i32 = 0;
  /** emptyKernel[s] != 0: state s holds no thread (only a new start can match from here) */
  private emptyKernel: StaticArray<u8> = new StaticArray<u8>(MAX_DFA_STATES);
  /** the empty-kernel state per previous-byte class, or -1 until made */
  private emptyState: StaticArray<i32> = new StaticArray<i32>(4);
  private firstWords: StaticArray<u32> | null;

  constructor(prog: Program) {
    this.prog = prog;
    this.size = prog.size;
    this.mark = new StaticArray<i32>(prog.size);
    this.kernelMark = new StaticArray<i32>(prog.size);
    this.stack = new StaticArray<i32>(2 * prog.size + 2);
    this.table = new StaticArray<i32>(NSYM * 8);
    const f = prog.firstBytes;
    this.firstWords = f === null || prog.anchored ? null : f.words;
    this.reset();
  }

  private reset(): void {
    this.kernels = [];
    this.prevClass = [];
    this.kernelPcs = 0;
    this.index = new Map<string, i32>();
    if (this.table.length > NSYM * 8) this.table = new StaticArray<i32>(NSYM * 8);
    else for (let i = 0; i < this.table.length; i++) unchecked(this.table[i] = UNKNOWN);
    for (let i = 0; i < 4; i++) unchecked(this.emptyState[i] = -1);
    this.intern(new StaticArray<i32>(0), PREV_START); // state 0: the start
  }

  private emptyStateFor(prev: i32): i32 {
    let id = unchecked(this.emptyState[prev & 3]);
    if (id < 0) {
      id = this.intern(new StaticArray<i32>(0), prev);
      unchecked(this.emptyState[prev & 3] = id);
    }
    return id;
  }

  /** The state for (kernel, prev), created when new; -1 when the cache is full. */
  private intern(kernel: StaticArray<i32>, prev: i32): i32 {
    const codes = new Array<i32>(kernel.length + 1);
    codes[0] = prev;
    for (let i = 0; i < kernel.length; i++) codes[i + 1] = kernel[i];
    const key = String.fromCharCodes(codes);
    if (this.index.has(key)) return this.index.get(key);
    const id = this.kernels.length;
    if (id >= MAX_DFA_STATES || this.kernelPcs + kernel.length > MAX_DFA_KERNEL_PCS) return -1;
    this.kernelPcs += kernel.length;
    this.kernels.push(kernel);
    this.prevClass.push(prev);
    unchecked(this.emptyKernel[id] = kernel.length == 0 ? 1 : 0);
    this.index.set(key, id);
    if ((id + 1) * NSYM > this.table.length) {
      const bigger = new StaticArray<i32>(this.table.length * 2);
      memory.copy(changetype<usize>(bigger), changetype<usize>(this.table), <usize>this.table.length << 2);
      this.table = bigger;
    }
    return id;
  }

  /** 1 match, 0 no match, -1 the state cache filled up (run the Pike VM instead). */
  test(input: string): i32 {
    const base = changetype<usize>(input);
    const n = input.length;
    let table = changetype<usize>(this.table);
    const fw = this.firstWords;
    const first: usize = fw === null ? 0 : changetype<usize>(fw);
    const empty = changetype<usize>(this.emptyKernel);
    let s = 0;
    for (let i = 0; i <= n; i++) {
      if (first != 0 && load<u8>(empty + <usize>s) != 0) {
        // no thread alive: jump to the next byte that can start a match (as the Pike VM does)
        const from = i;
        while (i < n && ((load<u32>(first + (<usize>(load<u16>(base + (<usize>i << 1)) >> 5) << 2)) >> (load<u16>(base + (<usize>i << 1)) & 31)) & 1) == 0) i++;
        if (i >= n) return 0;
        if (i != from) {
          const b = <i32>load<u16>(base + (<usize>(i - 1) << 1));
          s = this.emptyStateFor(b == 0x0a ? PREV_NEWLINE : isWordChar(b) ? PREV_WORD : PREV_OTHER);
          if (s < 0) {
            this.reset();
            this.giveUps++;
            return -1;
          }
          table = changetype<usize>(this.table);
        }
      }
      let x: i32;
      if (i == n) x = SYM_END;
      else {
        x = <i32>load<u16>(base + (<usize>i << 1));
        if (x == 0x0a && i == n - 1) x = SYM_LAST_NEWLINE;
      }
      const slot = table + ((<usize>s * NSYM + <usize>x) << 2);
      let t = load<i32>(slot);
      if (t == UNKNOWN) {
        t = this.step(s, x);
        if (t == UNKNOWN) {
          this.reset();
          this.giveUps++;
          return -1;
        }
        table = changetype<usize>(this.table); // step may have grown it
        store<i32>(table + ((<usize>s * NSYM + <usize>x) << 2), t);
      }
      if (t == MATCH) return 1;
      if (t == DEAD) return 0;
      s = t - 1;
    }
    return 0;
  }

  private nextGen(): void {
    if (this.gen >= i32.MAX_VALUE - 1) {
      for (let i = 0; i < this.size; i++) { unchecked(this.mark[i] = 0); unchecked(this.kernelMark[i] = 0); }
      this.gen = 0;
    }
    this.gen++;
  }

  /** The transition of state `s` on symbol `x`: MATCH, DEAD, target id + 1, or UNKNOWN when the cache is full. */
  private step(s: i32, x: i32): i32 {
    const prog = this.prog;
    const code = prog.code;
    const sets = prog.sets;
    const size = this.size;
    const prev = this.prevClass[s];
    const kernel = this.kernels[s];
    this.nextGen();
    const gen = this.gen;
    const stack = this.stack;
    const cap = stack.length;
    let sp = 0;
    for (let i = 0; i < kernel.length && sp < cap; i++) unchecked(stack[sp++] = kernel[i]);
    // unanchored search: a new thread starts at every position
    if ((!prog.anchored || prev == PREV_START) && sp < cap) unchecked(stack[sp++] = 0);
    const c = x == SYM_LAST_NEWLINE ? 0x0a : x;
    const next = this.scratch;
    next.length = 0;
    while (sp > 0) {
      const pc = unchecked(stack[--sp]);
      if (pc < 0 || pc >= size || unchecked(this.mark[pc]) == gen) continue;
      unchecked(this.mark[pc] = gen);
      const at = pc * INSN;
      const op = unchecked(code[at]);
      const a = unchecked(code[at + 1]);
      const b = unchecked(code[at + 2]);
      if (op == Op.Match) return MATCH;
      if (op == Op.Byte || op == Op.Set) {
        if (c >= 256) continue;
        const ok = op == Op.Byte ? a == c : ((unchecked(sets[(a << 3) + (c >> 5)]) >> <u32>(c & 31)) & 1) != 0;
        if (ok && pc + 1 < size && unchecked(this.kernelMark[pc + 1]) != gen) {
          unchecked(this.kernelMark[pc + 1] = gen);
          next.push(pc + 1);
        }
        continue;
      }
      if (sp + 2 > cap) continue;
      switch (op) {
        case Op.Jmp: unchecked(stack[sp++] = a); break;
        // without priorities, loops simply offer both ways on (an empty iteration re-enters a walked Head)
        case Op.Split:
        case Op.BackSplit: unchecked(stack[sp++] = a); unchecked(stack[sp++] = b); break;
        case Op.Back: unchecked(stack[sp++] = b); unchecked(stack[sp++] = unchecked(code[at + 3])); break;
        case Op.Head: unchecked(stack[sp++] = pc + 1); break;
        case Op.Assert: if (holds(a, prev, x)) unchecked(stack[sp++] = pc + 1); break;
      }
    }
    if (x == SYM_END) return DEAD;
    if (next.length == 0 && prog.anchored) return DEAD;
    next.sort((p: i32, q: i32): i32 => p - q);
    const kernelOut = new StaticArray<i32>(next.length);
    for (let i = 0; i < next.length; i++) unchecked(kernelOut[i] = next[i]);
    const prevOut = c == 0x0a ? PREV_NEWLINE : isWordChar(c) ? PREV_WORD : PREV_OTHER;
    const id = this.intern(kernelOut, prevOut);
    return id < 0 ? UNKNOWN : id + 1;
  }
}

/** An assertion between a previous byte of class `prev` and the next symbol `x`. */
function holds(kind: i32, prev: i32, x: i32): bool {
  switch (kind) {
    case AssertKind.TextStart: return prev == PREV_START;
    case AssertKind.EndOrFinalNewline: return x == SYM_END || x == SYM_LAST_NEWLINE;
    case AssertKind.TextEnd: return x == SYM_END;
    case AssertKind.LineStart: return prev == PREV_START || (prev == PREV_NEWLINE && x != SYM_END);
    case AssertKind.LineEnd: return x == SYM_END || x == SYM_LAST_NEWLINE || x == 0x0a;
    case AssertKind.WordBoundary: return (prev == PREV_WORD) != (x < 256 && isWordChar(x));
    case AssertKind.NotWordBoundary: return (prev == PREV_WORD) == (x < 256 && isWordChar(x));
  }
  return false;
}
