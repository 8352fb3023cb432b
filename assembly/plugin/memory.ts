// Memory for the host and garbage collection, for asc's `minimal` runtime (asconfig.json).
//
// Why not the `incremental` runtime: it keeps a shadow stack of managed references so that it can collect
// at any allocation. Every function that holds a reference then gets a stack frame with an overflow check,
// one-line accessors (Array#__uget, String#charCodeAt) included, which keeps them from being inlined; that
// and the collector's steps were about a third of the module's time per request (docs/benchmarks.md, "In
// Envoy"). The minimal runtime (a two-colour mark & sweep, AssemblyScript's std/assembly/rt/README.md) has no
// shadow stack, and collects only when asked, which is safe only while no reference lives on the stack
// alone: when the host's outermost call into the module is about to return. The exports (exports.ts) tell
// this module when a callback starts and ends; a callback the host makes from inside another (a local
// reply's response headers inside the request callback that sent it, `malloc` inside a host call) never
// collects.
//
// When: once the host has handed over COLLECT_AFTER_BYTES (header maps, bodies, callout answers: every
// block comes through `adopt`), since what the features allocate grows with what they are given; after
// COLLECT_AFTER_CALLBACKS outermost callbacks whatever they carried; at once when the heap had to grow the
// memory (allocation outran collection); and after a configuration. A collection marks all live data (the
// configuration's, the streams'): about 19 µs with envoy/clicktrail.json. A steady-state request hands over
// about 700 bytes, so it collects about every 23 requests (under 1 µs a request); with 64 KiB instead, new
// visitors' garbage (cookies, ids, sessions: several KiB each) doubled the memory to 1 MiB in the first
// hundred requests of tests/robustness/soak.test.mjs, while 16 KiB keeps each worker at 512 KiB through
// 40,000 mixed requests in both stores.

/** Bytes handed over by the host between two collections. */
const COLLECT_AFTER_BYTES: u32 = 16384;
/** Outermost callbacks between two collections, however little they carried. */
const COLLECT_AFTER_CALLBACKS: u32 = 512;

let depth: u32 = 0;
let callbacksSinceCollect: u32 = 0;
let bytesSinceCollect: u32 = 0;
let pagesAtCollect: i32 = 0;

/** The host's allocator (proxy_on_memory_allocate): an ArrayBuffer pinned until `adopt` takes it. */
export function malloc(size: i32): usize {
  return __pin(changetype<usize>(new ArrayBuffer(size)));
}

/** Takes over a block the host returned through `malloc`: unpinned, collected once nothing refers to it. */
export function adopt(ptr: usize): ArrayBuffer {
  __unpin(ptr);
  const buf = changetype<ArrayBuffer>(ptr);
  bytesSinceCollect += <u32>buf.byteLength;
  return buf;
}

/** Asks for a collection when the current outermost callback ends (configuring leaves much garbage). */
export function collectSoon(): void {
  bytesSinceCollect = COLLECT_AFTER_BYTES;
}

/** A callback from the host starts (every export but `malloc` calls this first). */
export function enterCallback(): void {
  depth++;
}

/** A callback ends: when it was the outermost one, garbage may be collected now. */
export function leaveCallback(): void {
  if (depth == 0 || --depth != 0) return;
  callbacksSinceCollect++;
  if (bytesSinceCollect >= COLLECT_AFTER_BYTES || callbacksSinceCollect >= COLLECT_AFTER_CALLBACKS || memory.size() > pagesAtCollect) {
    __collect();
    callbacksSinceCollect = 0;
    bytesSinceCollect = 0;
    pagesAtCollect = memory.size();
  }
}
