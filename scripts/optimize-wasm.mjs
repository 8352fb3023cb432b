#!/usr/bin/env node
// A second Binaryen pass over a release build: the same -O3, with functions of up to 30 instructions
// inlined wherever they are called (asc's own pass inlines up to 12 at -O3).
//
// Why: with the incremental runtime, asc's shadow-stack pass gives every function that takes a managed
// reference a stack frame and an overflow check, even one-line accessors such as Array#__uget, Array#length
// or String#charCodeAt. That makes them too large for asc's inlining, so each array element or string code
// unit read on the request path was a call with a prologue and an epilogue; this pass took 8 % off the
// module's own time per steady-state exchange then. The filter now runs on the minimal runtime (no shadow
// stack, assembly/plugin/memory.ts), where asc inlines most of them itself: the pass still takes 2–3.5 % off
// (bench/module.mjs, both orders, 2026-12-07) for 27 KB more code. docs/benchmarks.md has the figures.
//
//   node scripts/optimize-wasm.mjs FILE.wasm [FILE.wat]   (rewrites FILE.wasm in place; FILE.wat from it)
import binaryen from "binaryen";
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, watPath] = process.argv.slice(2);
if (!wasmPath) {
  console.error("usage: node scripts/optimize-wasm.mjs FILE.wasm [FILE.wat]");
  process.exit(2);
}
const INLINE_UP_TO = 30;
const module = binaryen.readBinary(readFileSync(wasmPath));
// The features asc enables by default (its --enable/--disable list; Binaryen counts memory.copy/fill as
// BulkMemoryOpt besides BulkMemory): the optimizer must not use others.
module.setFeatures(binaryen.Features.MutableGlobals | binaryen.Features.SignExt |
  binaryen.Features.NontrappingFPToInt | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt);
if (!module.validate()) {
  console.error(`${wasmPath}: not a valid module before optimizing`);
  process.exit(1);
}
binaryen.setOptimizeLevel(3);
binaryen.setShrinkLevel(0);
binaryen.setAlwaysInlineMaxSize(INLINE_UP_TO);
module.optimize();
if (!module.validate()) {
  console.error(`${wasmPath}: the optimized module does not validate`);
  process.exit(1);
}
writeFileSync(wasmPath, module.emitBinary());
if (watPath) writeFileSync(watPath, module.emitText());
module.dispose();
