// ABI layer: module admission, start functions, the memory protocol, strict pairs and WASI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, ModuleRejected, decodePairs, encodePairs } from "../../dist/host/index.js";
import { compileWat, proxyModule, pairsBytes, slot, memBytes, RET_PTR, RET_LEN, OUT64 } from "./wat.mjs";

const rejects = (wasm, pattern) =>
  assert.rejects(Host.create({ wasm }), (e) => e instanceof ModuleRejected && pattern.test(e.message));

test("a module without an ABI marker is refused", async () => {
  await rejects(proxyModule("", { noMarker: true }), /missing or unknown Proxy-Wasm ABI version/);
});

test("a module without malloc or proxy_on_memory_allocate is refused", async () => {
  await rejects(proxyModule("", { malloc: null }), /missing allocator/);
});

test("proxy_on_memory_allocate is accepted as the allocator", async () => {
  const host = await Host.create({ wasm: proxyModule("", { malloc: "proxy_on_memory_allocate" }) });
  assert.equal(host.configured, true);
});

test("an import outside Envoy's set is refused by name", async () => {
  const wasm = proxyModule("", { extraImports: ['(import "env" "proxy_made_up" (func (param i32) (result i32)))'] });
  await rejects(wasm, /import env\.proxy_made_up is not provided by Envoy for ABI 0\.2\.1/);
});

test("an import with the wrong signature is refused with both signatures", async () => {
  const wasm = proxyModule("", { extraImports: ['(import "env" "proxy_log" (func (param i32 i32) (result i32)))'] });
  await rejects(wasm, /import env\.proxy_log has signature \(i32, i32\) -> \(i32\), Envoy provides \(i32, i32, i32\) -> \(i32\)/);
});

test("imports are checked per ABI version", async () => {
  const getLogLevel = ['(import "env" "proxy_get_log_level" (func (param i32) (result i32)))'];
  await rejects(proxyModule("", { abi: "0_2_0", extraImports: getLogLevel }), /proxy_get_log_level is not provided by Envoy for ABI 0\.2\.0/);
  const cont = ['(import "env" "proxy_continue_stream" (func (param i32) (result i32)))'];
  await rejects(proxyModule("", { abi: "0_1_0", extraImports: cont }), /proxy_continue_stream is not provided by Envoy for ABI 0\.1\.0/);
  const host = await Host.create({ wasm: proxyModule("", { abi: "0_2_1", extraImports: getLogLevel }) });
  assert.equal(host.abiVersion, "0.2.1");
});

test("wasi_unstable, wasi_snapshot_preview1, pthread_equal and emscripten_notify_memory_growth link", async () => {
  const wasm = proxyModule("", {
    extraImports: [
      '(import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32)))',
      '(import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))',
      '(import "env" "pthread_equal" (func (param i32 i32) (result i32)))',
      '(import "env" "emscripten_notify_memory_growth" (func (param i32)))',
    ],
  });
  const host = await Host.create({ wasm });
  assert.equal(host.configured, true);
});

test("an exported callback with the wrong signature is refused", async () => {
  const wasm = proxyModule('(func (export "proxy_on_request_headers") (param i32 i32) (result i32) (i32.const 0))');
  await rejects(wasm, /export proxy_on_request_headers has signature \(i32, i32\) -> \(i32\), Envoy calls it as \(i32, i32, i32\) -> \(i32\)/);
});

test("_initialize (then main(0, 0)) runs instead of _start when both exist; _start runs alone otherwise", async () => {
  const both = proxyModule(`
    (func (export "_initialize") (call $rec (i32.const 0) (i32.const 11)))
    (func (export "main") (param $a i32) (param $b i32) (result i32)
      (call $rec (i32.const 2) (i32.add (i32.const 33) (i32.add (local.get $a) (local.get $b)))) (i32.const 0))
    (func (export "_start") (call $rec (i32.const 1) (i32.const 22)))`);
  const h1 = await Host.create({ wasm: both });
  assert.deepEqual([slot(h1, 0), slot(h1, 1), slot(h1, 2)], [11, 0, 33]);
  const start = proxyModule(`(func (export "_start") (call $rec (i32.const 1) (i32.const 22)))`);
  const h2 = await Host.create({ wasm: start });
  assert.equal(slot(h2, 1), 22);
});

// A root-context reader of the plugin configuration: status → slot 0, ptr → 1, len → 2, allocs → 3.
const configReader = proxyModule(`
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (i32.store (i32.const ${RET_PTR}) (i32.const -1))
    (call $rec (i32.const 3) (global.get $allocs))
    (call $rec (i32.const 0) (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 1) (i32.load (i32.const ${RET_PTR})))
    (call $rec (i32.const 2) (i32.load (i32.const ${RET_LEN})))
    (call $rec (i32.const 4) (i32.sub (global.get $allocs) (call $slotv (i32.const 3))))
    ;; a bad return pointer: INVALID_MEMORY_ACCESS
    (call $rec (i32.const 5) (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size) (i32.const 0x7ffffff0) (i32.const ${RET_LEN})))
    ;; a read that starts past the end: (0, 0), no allocation
    (call $rec (i32.const 6) (global.get $allocs))
    (call $rec (i32.const 7) (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 1000) (i32.const 10) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 8) (i32.load (i32.const ${RET_PTR})))
    (call $rec (i32.const 9) (i32.load (i32.const ${RET_LEN})))
    (call $rec (i32.const 10) (i32.sub (global.get $allocs) (call $slotv (i32.const 6))))
    ;; a bad message range for proxy_log
    (call $rec (i32.const 11) (call $proxy_log (i32.const 2) (i32.const 0x7ffffff0) (i32.const 100)))
    (i32.const 1))
  (func $slotv (param $i i32) (result i32) (i32.load (i32.add (i32.const 0x100) (i32.mul (local.get $i) (i32.const 4)))))`);

test("returned values go into a fresh exact-size malloc block; (ptr, len) written as LE u32", async () => {
  const host = await Host.create({ wasm: configReader, config: { a: 1 } });
  assert.equal(slot(host, 0), 0);
  const ptr = slot(host, 1);
  const len = slot(host, 2);
  assert.equal(len, 7);
  assert.equal(memBytes(host, ptr, len).toString(), '{"a":1}');
  assert.equal(slot(host, 4), 1, "exactly one allocation");
  assert.equal(slot(host, 5), 6, "bad return pointer → INVALID_MEMORY_ACCESS");
  assert.deepEqual([slot(host, 7), slot(host, 8), slot(host, 9), slot(host, 10)], [0, 0, 0, 0]);
  assert.equal(slot(host, 11), 6, "bad message range → INVALID_MEMORY_ACCESS");
});

test("every returned value gets its own allocation of exactly its size", async () => {
  const wasm = proxyModule(`
    (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
      (drop (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (i32.const 3) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
      (call $rec (i32.const 0) (i32.load (i32.const ${RET_PTR})))
      (drop (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (i32.const 3) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
      (call $rec (i32.const 1) (i32.load (i32.const ${RET_PTR})))
      (i32.const 1))`);
  const host = await Host.create({ wasm, config: "abcdef" });
  assert.notEqual(slot(host, 0), slot(host, 1));
  assert.equal(slot(host, 1) - slot(host, 0), 8, "a 3-byte block (bump allocator aligns to 8)");
});

test("the start function may log, read clocks and random, but not call proxy_* functions", async () => {
  const ok = proxyModule(`
    (func (export "_start")
      (call $rec (i32.const 0) (call $wasi_random_get (i32.const 0x300) (i32.const 4)))
      (call $rec (i32.const 1) (call $proxy_log (i32.const 2) {{m}})))`, { data: { m: "starting" } });
  const h1 = await Host.create({ wasm: ok });
  assert.deepEqual([slot(h1, 0), slot(h1, 1), h1.configured], [0, 0, true]);
  assert.deepEqual(h1.logs, [{ level: "info", message: "starting", worker: 0 }]);
  const bad = proxyModule(`(func (export "_start") (drop (call $proxy_set_tick_period_milliseconds (i32.const 5))))`);
  const h2 = await Host.create({ wasm: bad });
  assert.equal(h2.configured, false);
  assert.equal(h2.logs.at(-1).message,
    "Function: _start failed: RestrictedHostCall: host function env.proxy_set_tick_period_milliseconds called from inside the start function");
});

test("host calls other than logging and clocks are refused inside malloc and fail the VM", async () => {
  const wasm = proxyModule(`
    (func (export "malloc") (param $n i32) (result i32)
      (drop (call $proxy_set_tick_period_milliseconds (i32.const 5)))
      (i32.const 0x20000))
    (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
      (drop (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
      (i32.const 1))`, { malloc: null });
  const host = await Host.create({ wasm, config: "x" });
  assert.equal(host.configured, false);
  assert.match(host.logs.at(-1).message, /Function: proxy_on_configure failed: RestrictedHostCall: host function env\.proxy_set_tick_period_milliseconds called from inside malloc/);
});

test("pairs: encoding is count, sizes, then NUL-terminated keys and values", () => {
  const b = encodePairs([["a", "12"], [":x", ""]]);
  assert.equal(b.toString("hex"), "02000000" + "01000000" + "02000000" + "02000000" + "00000000" + "6100" + "313200" + "3a7800" + "00");
  assert.deepEqual(decodePairs(b), [["a", "12"], [":x", ""]]);
});

test("pairs: any malformation yields an empty map", () => {
  const good = pairsBytes([["k", "v"]]);
  assert.deepEqual(decodePairs(good), [["k", "v"]]);
  const noNul = Buffer.from(good);
  noNul[noNul.length - 1] = 0x41;
  assert.deepEqual(decodePairs(noNul), []);
  assert.deepEqual(decodePairs(Buffer.concat([good, Buffer.from([0])])), [], "trailing byte");
  assert.deepEqual(decodePairs(good.subarray(0, good.length - 1)), [], "truncated");
  const tooMany = Buffer.alloc(4);
  tooMany.writeUInt32LE(1025);
  assert.deepEqual(decodePairs(tooMany), []);
  assert.deepEqual(decodePairs(Buffer.alloc(1024 * 1024 + 1)), [], "over 1 MiB");
  assert.deepEqual(decodePairs(Buffer.alloc(0)), []);
});

const wasiModule = (wasiModuleName) => proxyModule(`
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    ;; iovecs at 0x300: "hello\\n" and "" and "world\\n"
    (i32.store (i32.const 0x300) {{hello.ptr}}) (i32.store (i32.const 0x304) {{hello.len}})
    (i32.store (i32.const 0x308) (i32.const 0)) (i32.store (i32.const 0x30c) (i32.const 0))
    (call $rec (i32.const 0) (call $wasi_fd_write (i32.const 1) (i32.const 0x300) (i32.const 2) (i32.const ${OUT64})))
    (call $rec (i32.const 1) (i32.load (i32.const ${OUT64})))
    (call $rec (i32.const 2) (call $wasi_fd_write (i32.const 2) (i32.const 0x300) (i32.const 1) (i32.const ${OUT64})))
    (call $rec (i32.const 3) (call $wasi_fd_write (i32.const 3) (i32.const 0x300) (i32.const 1) (i32.const ${OUT64})))
    (call $rec (i32.const 4) (call $wasi_clock_time_get (i32.const 0) (i64.const 1) (i32.const 0x320)))
    (call $rec (i32.const 5) (call $wasi_clock_time_get (i32.const 1) (i64.const 1) (i32.const 0x328)))
    (call $rec (i32.const 6) (call $wasi_clock_time_get (i32.const 2) (i64.const 1) (i32.const 0x330)))
    (call $rec (i32.const 7) (call $wasi_random_get (i32.const 0x340) (i32.const 8)))
    (call $rec (i32.const 8) (call $wasi_random_get (i32.const 0x340) (i32.const 65537)))
    (call $rec (i32.const 9) (call $wasi_environ_sizes_get (i32.const 0x350) (i32.const 0x354)))
    (call $rec (i32.const 10) (call $wasi_args_sizes_get (i32.const 0x358) (i32.const 0x35c)))
    (call $rec (i32.const 11) (call $wasi_clock_time_get (i32.const 0) (i64.const 1) (i32.const 0x7ffffffc)))
    (i32.const 1))
  (func (export "proxy_on_tick") (param i32) (call $wasi_proc_exit (i32.const 3)))`,
  { data: { hello: "hello\n" }, wasiModule: wasiModuleName });

for (const mod of ["wasi_snapshot_preview1", "wasi_unstable"]) {
  test(`WASI (${mod}): fd_write logs, clocks and random are injectable, proc_exit traps`, async () => {
    const host = await Host.create({
      wasm: wasiModule(mod),
      clock: () => 1700000000123456789n,
      random: (buf) => buf.fill(0xab),
    });
    assert.deepEqual(host.logs, [
      { level: "info", message: "hello", worker: 0 },
      { level: "error", message: "hello", worker: 0 },
    ]);
    assert.deepEqual([slot(host, 0), slot(host, 1), slot(host, 2), slot(host, 3)], [0, 6, 0, 8]);
    assert.equal(slot(host, 4), 0);
    assert.equal(memBytes(host, 0x320, 8).readBigUInt64LE(), 1700000000123456789n);
    assert.equal(slot(host, 5), 0);
    const mono = memBytes(host, 0x328, 8).readBigUInt64LE();
    assert.equal(slot(host, 6), 58, "CPU-time clocks: NOTSUP");
    assert.equal(slot(host, 7), 0);
    assert.equal(memBytes(host, 0x340, 8).toString("hex"), "abababababababab");
    assert.equal(slot(host, 8), 28, "over 64 KiB: INVAL");
    assert.deepEqual([slot(host, 9), slot(host, 10)], [0, 0]);
    assert.deepEqual([memBytes(host, 0x350, 8).readBigUInt64LE(), memBytes(host, 0x358, 8).readBigUInt64LE()], [0n, 0n]);
    assert.equal(slot(host, 11), 21, "bad pointer: FAULT");
    host.advance(5);
    host.tick();
    assert.equal(host.workers[0].failed, true);
    assert.match(host.logs.at(-1).message, /Function: proxy_on_tick failed: ProcExit: wasi proc_exit\(3\)/);
    assert.ok(mono >= 1_000_000_000n);
  });
}

test("compileWat helper itself compiles plain modules", () => {
  assert.ok(compileWat("(module)").length >= 8);
});
