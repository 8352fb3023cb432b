// proxy_get_property / proxy_set_property: NUL-separated paths, Envoy's binary encodings, phases, filter state.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, decodePairs } from "../../dist/host/index.js";
import { proxyModule, slot, memBytes, GET, OK200, RET_PTR, RET_LEN } from "./wat.mjs";

/**
 * A module that reads every path of `paths` in on_configure (root), on_request_headers, on_response_headers
 * and on_log, recording (status, ptr, len) for path i of phase p at slot p*16 + i*3 (at most 5 paths).
 */
function propertyReader(paths, setFirst = null) {
  const data = {};
  const table = Buffer.alloc(paths.length * 8);
  paths.forEach((p, i) => (data[`p${i}`] = p));
  let offset = 0x400;
  const layout = [];
  for (const p of paths) {
    layout.push([offset, Buffer.byteLength(p, "latin1")]);
    offset += Buffer.byteLength(p, "latin1") + 8 - (Buffer.byteLength(p, "latin1") % 8);
  }
  layout.forEach(([ptr, len], i) => {
    table.writeUInt32LE(ptr, i * 8);
    table.writeUInt32LE(len, i * 8 + 4);
  });
  data.tbl = table;
  if (setFirst) Object.assign(data, { sk: setFirst[0], sv: setFirst[1] });
  const setCall = setFirst ? `(call $rec (i32.const 15) (call $proxy_set_property {{sk}} {{sv}}))` : "";
  return proxyModule(`
    (func $readall (param $base i32) (local $i i32) (local $e i32)
      (loop $l
        (if (i32.lt_u (local.get $i) (i32.const ${paths.length})) (then
          (local.set $e (i32.add {{tbl.ptr}} (i32.mul (local.get $i) (i32.const 8))))
          (i32.store (i32.const ${RET_PTR}) (i32.const 0))
          (i32.store (i32.const ${RET_LEN}) (i32.const 0))
          (call $rec (i32.add (local.get $base) (i32.mul (local.get $i) (i32.const 3)))
            (call $proxy_get_property (i32.load (local.get $e)) (i32.load (i32.add (local.get $e) (i32.const 4)))
              (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
          (call $rec (i32.add (i32.add (local.get $base) (i32.mul (local.get $i) (i32.const 3))) (i32.const 1)) (i32.load (i32.const ${RET_PTR})))
          (call $rec (i32.add (i32.add (local.get $base) (i32.mul (local.get $i) (i32.const 3))) (i32.const 2)) (i32.load (i32.const ${RET_LEN})))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l)))))
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      ${setFirst ? `(call $rec (i32.const 14) (call $proxy_set_property {{sk}} {{sv}}))` : ""}
      (call $readall (i32.const 0)) (i32.const 1))
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      ${setCall}
      (call $readall (i32.const 16)) (i32.const 0))
    (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32) (call $readall (i32.const 32)) (i32.const 0))
    (func (export "proxy_on_log") (param i32) (call $readall (i32.const 48)))`, { data });
}

function read(host, phase, i) {
  const st = slot(host, phase * 16 + i * 3);
  if (st !== 0) return { status: st };
  return { status: 0, value: memBytes(host, slot(host, phase * 16 + i * 3 + 1), slot(host, phase * 16 + i * 3 + 2)) };
}

const u64 = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

async function run(paths, opts = {}, set = null) {
  const host = await Host.create({
    wasm: propertyReader(paths, set), pluginName: "ct", rootId: "root-a", vmId: "vm-7",
    clock: () => 1700000000000000000n, ...opts,
  });
  const s = host.newStream({ connectionId: 42, sourceAddress: "10.1.2.3:5555", destinationAddress: "10.0.0.9:8080" });
  s.sendRequestHeaders([...GET, ["x-multi", "a"], ["x-multi", "b"], ["x-request-id", "rid-1"], ["user-agent", "UA/1"]], { endOfStream: true });
  s.sendResponseHeaders(OK200, { endOfStream: true });
  s.complete();
  return { host, s };
}

test("request.* attributes: NUL paths, raw strings, headers map joined with commas", async () => {
  const { host } = await run(["request\0path", "request\0url_path", "request\0query", "request\0headers\0x-multi", "request\0id"]);
  assert.deepEqual([1, 2, 3, 4, 5].map((i) => read(host, 1, i - 1).value.toString()), ["/p?q=1", "/p", "q=1", "a,b", "rid-1"]);
});

test("more request attributes: host, scheme, method, protocol, time (int64 ns)", async () => {
  const { host } = await run(["request\0host", "request\0scheme", "request\0method", "request\0protocol", "request\0time"]);
  assert.deepEqual([0, 1, 2, 3].map((i) => read(host, 1, i).value.toString()), ["example.com", "http", "GET", "HTTP/1.1"]);
  assert.deepEqual(read(host, 1, 4).value, u64(1700000000000000000n));
});

test("dotted paths are not Envoy paths: NOT_FOUND", async () => {
  const { host } = await run(["request.path", "source.port"]);
  assert.deepEqual([read(host, 1, 0).status, read(host, 1, 1).status], [1, 1]);
});

test("source/destination/connection: 8-byte little-endian ints, raw strings, bool", async () => {
  const { host } = await run(["source\0address", "source\0port", "destination\0port", "connection\0id", "connection\0mtls"]);
  assert.equal(read(host, 1, 0).value.toString(), "10.1.2.3:5555");
  assert.deepEqual(read(host, 1, 1).value, u64(5555));
  assert.deepEqual(read(host, 1, 2).value, u64(8080));
  assert.deepEqual(read(host, 1, 3).value, u64(42));
  assert.deepEqual(read(host, 1, 4).value, Buffer.from([0]));
});

test("plugin_name, plugin_root_id, plugin_vm_id work on the root context; stream attributes do not", async () => {
  const { host } = await run(["plugin_name", "plugin_root_id", "plugin_vm_id", "request\0path", "connection_id"]);
  assert.deepEqual([0, 1, 2].map((i) => read(host, 0, i).value.toString()), ["ct", "root-a", "vm-7"]);
  assert.deepEqual([read(host, 0, 3).status, read(host, 0, 4).status], [1, 1]);
  assert.deepEqual(read(host, 1, 4).value, u64(42));
});

test("header-derived request attributes are gone in the response phase and back in on_log", async () => {
  const { host } = await run(["request\0path", "response\0code", "response\0headers\0content-type", "request\0time"]);
  assert.equal(read(host, 2, 0).status, 1, "request headers were forgotten after Continue");
  assert.deepEqual(read(host, 2, 1).value, u64(200));
  assert.equal(read(host, 2, 2).value.toString(), "text/plain");
  assert.equal(read(host, 1, 1).status, 1, "no response code in the request phase");
  assert.equal(read(host, 3, 0).value.toString(), "/p?q=1");
  assert.deepEqual(read(host, 2, 3).value, u64(1700000000000000000n));
});

test("a whole map serialises as pairs", async () => {
  const { host } = await run(["response\0headers"]);
  assert.deepEqual(decodePairs(read(host, 2, 0).value), [[":status", "200"], ["content-type", "text/plain"]]);
});

test("set_property writes filter state wasm.<name>, readable by get_property; NOT_FOUND on the root", async () => {
  const { host, s } = await run(["my_state", "unknown_name"], {}, ["my_state", "v\x001"]);
  assert.equal(slot(host, 14), 1, "root context: NOT_FOUND");
  assert.equal(slot(host, 15), 0);
  assert.equal(read(host, 0, 0).status, 1);
  assert.deepEqual(read(host, 1, 0).value, Buffer.from("v\x001", "latin1"));
  assert.equal(read(host, 1, 1).status, 1);
  assert.deepEqual(s.filterState, new Map([["my_state", "v\x001"]]));
});

test("nginx profile: string values, '.' or NUL separators, no plugin_vm_id, request.headers.<name>", async () => {
  const { host } = await run(
    ["source.port", "source\0port", "plugin_vm_id", "request.headers.x-multi", "connection.id"],
    { profile: "nginx" },
  );
  assert.equal(read(host, 1, 0).value.toString(), "5555");
  assert.equal(read(host, 1, 1).value.toString(), "5555");
  assert.equal(read(host, 1, 2).status, 1);
  assert.equal(read(host, 1, 3).value.toString(), "a,b");
  assert.equal(read(host, 1, 4).value.toString(), "42");
});
