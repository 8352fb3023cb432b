// Loads build/regex-test.wasm (npm run build:regex-test) and wraps its one-pattern-at-a-time exports.
import loader from "@assemblyscript/loader";
import { readFileSync } from "node:fs";

const wasmPath = new URL("../../build/regex-test.wasm", import.meta.url);

export async function loadRegex() {
  const { exports: e } = await loader.instantiate(readFileSync(wasmPath), {});
  const str = (s) => e.__newString(s);
  return {
    /** "" when the pattern compiled (and is now the current one), else the error */
    compile(pattern, ci = false) {
      return e.__getString(e.compile(str(pattern), ci ? 1 : 0));
    },
    test(input) {
      const r = e.test(str(input));
      if (r < 0) throw new Error("no compiled pattern");
      return r === 1;
    },
    /** [start, end] of the leftmost match or null */
    find(input) {
      const s = e.find(str(input));
      return s < 0 ? null : [s, e.lastMatchEnd()];
    },
    programSize: () => e.programSize(),
    memoryBytes: () => e.memory.buffer.byteLength,
    /** test() calls of the current pattern that the lazy DFA handed to the Pike VM (state cache full) */
    dfaFallbacks: () => e.dfaFallbacks(),
    /** test() on the Pike VM alone, bypassing the lazy DFA */
    testPike(input) {
      const r = e.testPike(str(input));
      if (r < 0) throw new Error("no compiled pattern");
      return r === 1;
    },
    repeatTestPike(input, reps) {
      return e.repeatTestPike(str(input), reps);
    },
    /** test() `reps` times inside wasm; returns the number of matches */
    repeatTest(input, reps) {
      return e.repeatTest(str(input), reps);
    },
  };
}

/** mulberry32: a small seeded generator so every run draws the same cases. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
