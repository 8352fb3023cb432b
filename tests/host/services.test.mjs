// Shared data, queues, metrics, timers and logs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, SharedDataStore } from "../../dist/host/index.js";
import { proxyModule, slot, memBytes, GET, RET_PTR, RET_LEN, OUT32, OUT64 } from "./wat.mjs";

// on_request_headers: get "k" → slots 0 (status), 1 (cas); set "k"=v with cas from global → slot 2.
const shared = proxyModule(`
  (global $cas (export "cas") (mut i32) (i32.const 0))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (call $rec (i32.const 0) (call $proxy_get_shared_data {{k}} (i32.const ${RET_PTR}) (i32.const ${RET_LEN}) (i32.const ${OUT32})))
    (call $rec (i32.const 1) (i32.load (i32.const ${OUT32})))
    (call $rec (i32.const 3) (i32.load (i32.const ${RET_LEN})))
    (call $rec (i32.const 2) (call $proxy_set_shared_data {{k}} {{v}} (global.get $cas)))
    (i32.const 0))`, { data: { k: "k", v: "value" } });

function req(host, worker) {
  const s = host.newStream({ worker });
  s.sendRequestHeaders(GET, { endOfStream: true });
  return s;
}

test("shared data: one store across workers, CAS from 1, mismatches refused, cas 0 always writes", async () => {
  const host = await Host.create({ wasm: shared, workers: 2 });
  req(host, 0);
  assert.deepEqual([slot(host, 0, 0), slot(host, 2, 0)], [1, 0], "NOT_FOUND, then written");
  assert.equal(host.sharedData.get("k").cas, 1);
  req(host, 1);
  assert.deepEqual([slot(host, 0, 1), slot(host, 1, 1), slot(host, 3, 1)], [0, 1, 5], "worker 1 sees worker 0's write");
  assert.equal(host.sharedData.get("k").cas, 2);
  host.workers[1].abi.instance.exports.cas.value = 1;
  req(host, 1);
  assert.equal(slot(host, 2, 1), 8, "stale cas: CAS_MISMATCH");
  host.workers[1].abi.instance.exports.cas.value = 2;
  req(host, 1);
  assert.equal(slot(host, 2, 1), 0);
  assert.deepEqual(host.sharedData.get("k"), { value: Buffer.from("value"), cas: 3 });
});

test("shared data is keyed by vm_id only; one CAS counter serves all vm_ids", async () => {
  const store = new SharedDataStore();
  const a = await Host.create({ wasm: shared, vmId: "a", sharedData: store });
  const a2 = await Host.create({ wasm: shared, vmId: "a", sharedData: store, pluginName: "other" });
  const b = await Host.create({ wasm: shared, vmId: "b", sharedData: store });
  req(a, 0);
  req(a2, 0);
  assert.equal(slot(a2, 0), 0, "same vm_id, another plugin: shared");
  req(b, 0);
  assert.equal(slot(b, 0), 1, "another vm_id: separate");
  assert.deepEqual([a.sharedData.get("k").cas, b.sharedData.get("k").cas], [2, 3]);
});

const queues = proxyModule(`
  (func (export "proxy_on_configure") (param i32 i32) (result i32)
    (call $rec (i32.const 0) (call $proxy_register_shared_queue {{q}} (i32.const ${OUT32})))
    (call $rec (i32.const 1) (i32.load (i32.const ${OUT32})))
    (call $rec (i32.const 2) (call $proxy_dequeue_shared_queue (i32.load (i32.const ${OUT32})) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 3) (call $proxy_dequeue_shared_queue (i32.const 999) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (call $rec (i32.const 4) (call $proxy_resolve_shared_queue (i32.const 0) (i32.const 0) {{q}} (i32.const ${OUT32})))
    (call $rec (i32.const 5) (call $proxy_enqueue_shared_queue (i32.load (i32.const ${OUT32})) {{msg}}))
    (call $rec (i32.const 6) (call $proxy_resolve_shared_queue {{other}} {{q}} (i32.const ${OUT32})))
    (i32.const 0))
  (func (export "proxy_on_queue_ready") (param $root i32) (param $token i32)
    (call $rec (i32.const 7) (local.get $root))
    (call $rec (i32.const 8) (local.get $token))
    (call $rec (i32.const 9) (call $proxy_dequeue_shared_queue (local.get $token) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (call $rec (i32.const 10) (i32.load (i32.const ${RET_PTR})))
    (call $rec (i32.const 11) (i32.load (i32.const ${RET_LEN}))))`, { data: { q: "jobs", msg: "hello", other: "nope" } });

test("queues: register, resolve, enqueue → on_queue_ready on the registering root, dequeue; EMPTY and NOT_FOUND", async () => {
  const host = await Host.create({ wasm: queues });
  assert.deepEqual([slot(host, 0), slot(host, 1), slot(host, 2), slot(host, 3)], [0, 1, 7, 1]);
  const s = host.newStream();
  s.sendRequestHeaders(GET, { endOfStream: true });
  assert.deepEqual([slot(host, 4), slot(host, 5), slot(host, 6)], [0, 0, 1]);
  assert.deepEqual([slot(host, 7), slot(host, 8), slot(host, 9)], [1, 1, 0]);
  assert.equal(memBytes(host, slot(host, 10), slot(host, 11)).toString(), "hello");
  const names = host.calls.map((c) => c.name);
  assert.ok(names.indexOf("proxy_on_queue_ready") > names.indexOf("proxy_on_request_headers"), "posted, not re-entrant");
});

const metrics = proxyModule(`
  (func (export "proxy_on_configure") (param i32 i32) (result i32)
    (call $rec (i32.const 0) (call $proxy_define_metric (i32.const 0) {{c}} (i32.const 0x300)))
    (call $rec (i32.const 1) (call $proxy_define_metric (i32.const 1) {{g}} (i32.const 0x304)))
    (call $rec (i32.const 2) (call $proxy_define_metric (i32.const 2) {{h}} (i32.const 0x308)))
    (call $rec (i32.const 3) (call $proxy_define_metric (i32.const 3) {{c}} (i32.const 0x30c)))
    (call $rec (i32.const 4) (call $proxy_increment_metric (i32.load (i32.const 0x300)) (i64.const 5)))
    (call $rec (i32.const 5) (call $proxy_increment_metric (i32.load (i32.const 0x300)) (i64.const -1)))
    (call $rec (i32.const 6) (call $proxy_increment_metric (i32.load (i32.const 0x300)) (i64.const 0)))
    (call $rec (i32.const 7) (call $proxy_increment_metric (i32.load (i32.const 0x304)) (i64.const -3)))
    (call $rec (i32.const 8) (call $proxy_record_metric (i32.load (i32.const 0x304)) (i64.const 40)))
    (call $rec (i32.const 9) (call $proxy_record_metric (i32.load (i32.const 0x308)) (i64.const 7)))
    (call $rec (i32.const 10) (call $proxy_get_metric (i32.load (i32.const 0x300)) (i32.const ${OUT64})))
    (call $rec (i32.const 11) (i32.load (i32.const ${OUT64})))
    (call $rec (i32.const 12) (call $proxy_get_metric (i32.load (i32.const 0x308)) (i32.const ${OUT64})))
    (call $rec (i32.const 13) (call $proxy_increment_metric (i32.const 400) (i64.const 1)))
    (call $rec (i32.const 14) (call $proxy_increment_metric (i32.load (i32.const 0x308)) (i64.const 1)))
    (i32.const 1))`, { data: { c: "requests", g: "inflight", h: "latency" } });

test("metrics: per-type ids, counters refuse non-positive increments, gauges move both ways", async () => {
  const host = await Host.create({ wasm: metrics, workers: 2 });
  const mem = memBytes(host, 0x300, 12);
  assert.deepEqual([mem.readUInt32LE(0), mem.readUInt32LE(4), mem.readUInt32LE(8)], [4, 5, 6]);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map((i) => slot(host, i)),
    [0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 5, 2, 1, 2],
  );
  assert.deepEqual(host.metrics, new Map([["requests", 10], ["inflight", 40]]), "both workers add to one stat");
  assert.deepEqual(host.histograms, new Map([["latency", [7, 7]]]));
});

const timer = proxyModule(`
  (global $ticks (export "ticks") (mut i32) (i32.const 0))
  (global $period (export "period") (mut i32) (i32.const 100))
  (func (export "proxy_on_configure") (param i32 i32) (result i32)
    (drop (call $proxy_set_tick_period_milliseconds (global.get $period))) (i32.const 1))
  (func (export "proxy_on_tick") (param $root i32)
    (call $rec (i32.const 0) (local.get $root))
    (global.set $ticks (i32.add (global.get $ticks) (i32.const 1))))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (drop (call $proxy_set_tick_period_milliseconds (i32.const 0))) (i32.const 0))`);

test("timers: first tick one period after it was set, then every period; 0 (even from a stream) cancels", async () => {
  const host = await Host.create({ wasm: timer, workers: 2 });
  const ticks = (w) => host.workers[w].abi.instance.exports.ticks.value;
  host.advance(99);
  assert.deepEqual([ticks(0), ticks(1)], [0, 0]);
  host.advance(1);
  assert.deepEqual([ticks(0), ticks(1)], [1, 1]);
  assert.equal(slot(host, 0), 1, "on the root context");
  host.advance(250);
  assert.deepEqual([ticks(0), ticks(1)], [3, 3]);
  const s = host.newStream({ worker: 0 });
  s.sendRequestHeaders(GET, { endOfStream: true });
  host.advance(1000);
  assert.deepEqual([ticks(0), ticks(1)], [3, 13], "only worker 0's timer was cancelled");
  host.tick(0);
  assert.equal(ticks(0), 4, "manual tick");
});

const logs = proxyModule(`
  (func (export "proxy_on_configure") (param i32 i32) (result i32)
    (call $rec (i32.const 0) (call $proxy_log (i32.const 0) {{m}}))
    (call $rec (i32.const 1) (call $proxy_log (i32.const 1) {{m}}))
    (call $rec (i32.const 2) (call $proxy_log (i32.const 3) {{m}}))
    (call $rec (i32.const 3) (call $proxy_log (i32.const 5) {{m}}))
    (call $rec (i32.const 4) (call $proxy_log (i32.const 6) {{m}}))
    (call $rec (i32.const 5) (call $proxy_get_log_level (i32.const ${OUT32})))
    (call $rec (i32.const 6) (i32.load (i32.const ${OUT32})))
    (i32.const 1))`, { data: { m: Buffer.from("héllo", "utf8") } });

test("logs: proxy_log levels, filtering by the host level, get_log_level, unknown level BAD_ARGUMENT", async () => {
  const host = await Host.create({ wasm: logs, logLevel: "debug" });
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((i) => slot(host, i)), [0, 0, 0, 0, 2, 0, 1]);
  assert.deepEqual(host.logs, [
    { level: "debug", message: "héllo", worker: 0 },
    { level: "warn", message: "héllo", worker: 0 },
    { level: "critical", message: "héllo", worker: 0 },
  ]);
  const warn = await Host.create({ wasm: logs, logLevel: "warn" });
  assert.equal(slot(warn, 6), 3);
  assert.deepEqual(warn.logs.map((l) => l.level), ["warn", "critical"]);
});

test("SharedDataStore.processWide is one store for every Host that uses it", async () => {
  const a = await Host.create({ wasm: shared, vmId: "pw-test", sharedData: SharedDataStore.processWide });
  const b = await Host.create({ wasm: shared, vmId: "pw-test", sharedData: SharedDataStore.processWide });
  req(a, 0);
  req(b, 0);
  assert.equal(slot(b, 0), 0, "b reads a's write");
  assert.equal(a.sharedData, b.sharedData);
});
