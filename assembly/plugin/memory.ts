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
// When: the garbage a callback leaves grows with what the host hands over (header maps, bodies, callout
// answers: every block comes through `adopt`) and with the callbacks themselves (a header callback leaves a
// few KiB of strings and small objects whatever its size; one handed nothing, such as a body chunk passed
// through, leaves next to none). Both go into one account, and a collection runs when it passes
// COLLECT_BUDGET; also at once when the heap had to grow the memory (allocation outran collection), and after
// a configuration (which also sizes the heap: settleAfterConfigure). A collection marks all live data, most
// of it the configuration tables and the features' settings: about 20–25 µs with envoy/clicktrail.json,
// whatever the garbage. So a steady-state request (two callbacks handed a header map, about 700 bytes)
// collects about every 50 requests, about 0.5 µs a request, and a page being rewritten in 16 KiB chunks about
// every 14 chunks, about 0.1 ms per MiB (docs/benchmarks.md, "Where the rest went, and the third pass").

/** Bytes handed over, plus CALLBACK_WEIGHT per outermost callback, between two collections. */
const COLLECT_BUDGET: u32 = 262144;
/** What one outermost callback that was handed something counts for, besides what it was handed. */
const CALLBACK_WEIGHT: u32 = 2048;
/** The memory a configured VM starts with (see settleAfterConfigure). */
const HEAP_BYTES: usize = 1 << 20;

let depth: u32 = 0;
let spent: u32 = 0;
/** `spent` when the outermost callback began. */
let spentAtEnter: u32 = 0;
let pagesAtCollect: i32 = 0;

/** The host's allocator (proxy_on_memory_allocate): an ArrayBuffer pinned until `adopt` takes it. */
export function malloc(size: i32): usize {
  return __pin(changetype<usize>(new ArrayBuffer(size)));
}

/** Takes over a block the host returned through `malloc`: unpinned, collected once nothing refers to it. */
export function adopt(ptr: usize): ArrayBuffer {
  __unpin(ptr);
  const buf = changetype<ArrayBuffer>(ptr);
  spent += <u32>buf.byteLength;
  return buf;
}

/**
 * After a configuration: makes the heap HEAP_BYTES large at once and asks for a collection when the
 * callback ends (configuring leaves much garbage). A collection interval's garbage (COLLECT_BUDGET, a few
 * hundred KiB at most) then always fits beside the live data, so the memory reaches its size here instead
 * of growing once, at some later burst of traffic, after the warm-up that tests and operators watch.
 */
export function settleAfterConfigure(): void {
  const have = <usize>memory.size() << 16;
  // One block that TLSF must grow the memory for (its space becomes free blocks once collected).
  if (have < HEAP_BYTES) new ArrayBuffer(<i32>(HEAP_BYTES - have));
  spent = COLLECT_BUDGET;
}

/** A callback from the host starts (every export that does work calls this first; see exports.ts). */
export function enterCallback(): void {
  if (depth++ == 0) spentAtEnter = spent;
}

/** A callback ends: when it was the outermost one, garbage may be collected now. */
export function leaveCallback(): void {
  if (depth == 0 || --depth != 0) return;
  // A callback that was handed nothing (a body chunk passed through, a log callback) made little garbage.
  if (spent != spentAtEnter) spent += CALLBACK_WEIGHT;
  if (spent >= COLLECT_BUDGET || memory.size() > pagesAtCollect) {
    __collect();
    spent = 0;
    pagesAtCollect = memory.size();
  }
}
