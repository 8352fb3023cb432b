// Standalone build of assembly/regex for the Node differential and pathological tests and the benchmark
// (driven through @assemblyscript/loader): one compiled pattern at a time.
import { Regex } from "../../assembly/regex";

let current: Regex | null = null;
let lastStart: i32 = -1;
let lastEnd: i32 = -1;

/** Compiles and keeps the pattern; returns "" or the compile error. */
export function compile(pattern: string, caseInsensitive: bool): string {
  const r = Regex.compile(pattern, caseInsensitive);
  current = r.regex;
  return r.error;
}

/** 1 match, 0 no match, -1 no compiled pattern. */
export function test(input: string): i32 {
  const re = current;
  if (re === null) return -1;
  return re.test(input) ? 1 : 0;
}

/** Start of the leftmost match or -1; its end is then lastMatchEnd(). */
export function find(input: string): i32 {
  lastStart = -1;
  lastEnd = -1;
  const re = current;
  if (re === null) return -1;
  const m = re.find(input);
  if (m === null) return -1;
  lastStart = m.start;
  lastEnd = m.end;
  return lastStart;
}

export function lastMatchEnd(): i32 {
  return lastEnd;
}

export function programSize(): i32 {
  const re = current;
  return re === null ? -1 : re.programSize;
}

/** test() `reps` times on one input inside wasm, so benchmarks time the engine, not the JS-to-wasm string copy. */
export function repeatTest(input: string, reps: i32): i32 {
  const re = current;
  if (re === null) return -1;
  let hits = 0;
  for (let i = 0; i < reps; i++) if (re.test(input)) hits++;
  return hits;
}

/** repeatTest on the Pike VM alone (without the lazy DFA in front), for the benchmark's comparison. */
export function repeatTestPike(input: string, reps: i32): i32 {
  const re = current;
  if (re === null) return -1;
  let hits = 0;
  for (let i = 0; i < reps; i++) if (re.testWithoutDfa(input)) hits++;
  return hits;
}

/** testWithoutDfa once: 1, 0, or -1 without a compiled pattern. */
export function testPike(input: string): i32 {
  const re = current;
  if (re === null) return -1;
  return re.testWithoutDfa(input) ? 1 : 0;
}

export function dfaFallbacks(): i32 {
  const re = current;
  return re === null ? -1 : re.dfaFallbacks;
}
