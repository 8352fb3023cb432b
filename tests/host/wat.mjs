// Shared helpers for the host tests: purpose-written proxy-wasm modules in WAT, compiled with the wabt
// package. `proxyModule()` wraps a body of WAT functions in a standard prelude (memory, a bump allocator
// exported as malloc, the ABI marker, every proxy_* import the body uses, result slots the tests read
// back); `scriptedModule()` is one module whose callbacks return and do what exported globals say, so a
// test sets a few numbers instead of writing WAT.
import wabtInit from "wabt";

const wabt = await wabtInit();

export function compileWat(text) {
  const m = wabt.parseWat("test.wat", text, { mutable_globals: true, sign_extension: true });
  try {
    return new Uint8Array(m.toBinary({}).buffer);
  } finally {
    m.destroy();
  }
}

// name → [params, results] as lowered by cpp-host (i = i32, I = i64).
export const IMPORTS = {
  proxy_log: ["iii", "i"],
  proxy_get_log_level: ["i", "i"],
  proxy_get_status: ["iii", "i"],
  proxy_set_property: ["iiii", "i"],
  proxy_get_property: ["iiii", "i"],
  proxy_continue_stream: ["i", "i"],
  proxy_close_stream: ["i", "i"],
  proxy_send_local_response: ["iiiiiiii", "i"],
  proxy_get_shared_data: ["iiiii", "i"],
  proxy_set_shared_data: ["iiiii", "i"],
  proxy_register_shared_queue: ["iii", "i"],
  proxy_resolve_shared_queue: ["iiiii", "i"],
  proxy_dequeue_shared_queue: ["iii", "i"],
  proxy_enqueue_shared_queue: ["iii", "i"],
  proxy_get_header_map_value: ["iiiii", "i"],
  proxy_add_header_map_value: ["iiiii", "i"],
  proxy_replace_header_map_value: ["iiiii", "i"],
  proxy_remove_header_map_value: ["iii", "i"],
  proxy_get_header_map_pairs: ["iii", "i"],
  proxy_set_header_map_pairs: ["iii", "i"],
  proxy_get_header_map_size: ["ii", "i"],
  proxy_get_buffer_status: ["iii", "i"],
  proxy_get_buffer_bytes: ["iiiii", "i"],
  proxy_set_buffer_bytes: ["iiiii", "i"],
  proxy_http_call: ["iiiiiiiiii", "i"],
  proxy_set_tick_period_milliseconds: ["i", "i"],
  proxy_get_current_time_nanoseconds: ["i", "i"],
  proxy_define_metric: ["iiii", "i"],
  proxy_increment_metric: ["iI", "i"],
  proxy_record_metric: ["iI", "i"],
  proxy_get_metric: ["ii", "i"],
  proxy_set_effective_context: ["i", "i"],
  proxy_done: ["", "i"],
  proxy_call_foreign_function: ["iiiiii", "i"],
};
export const WASI = {
  fd_write: ["iiii", "i"],
  clock_time_get: ["iIi", "i"],
  random_get: ["ii", "i"],
  proc_exit: ["i", ""],
  environ_sizes_get: ["ii", "i"],
  args_sizes_get: ["ii", "i"],
};

const t = (c) => (c === "I" ? "i64" : "i32");
const sig = ([p, r]) =>
  `${p ? `(param ${[...p].map(t).join(" ")})` : ""} ${r ? `(result ${[...r].map(t).join(" ")})` : ""}`;

/** Fixed addresses of the prelude. */
export const SLOTS = 0x100; // 64 i32 result slots
export const RET_PTR = 0x200;
export const RET_LEN = 0x204;
export const OUT32 = 0x208;
export const OUT64 = 0x210;
const DATA = 0x400;
const HEAP = 0x10000;

/** Little-endian pairs encoding, for data segments. */
export function pairsBytes(pairs) {
  const parts = [];
  const head = Buffer.alloc(4 + pairs.length * 8);
  head.writeUInt32LE(pairs.length, 0);
  pairs.forEach(([k, v], i) => {
    head.writeUInt32LE(Buffer.byteLength(k, "latin1"), 4 + i * 8);
    head.writeUInt32LE(Buffer.byteLength(v, "latin1"), 8 + i * 8);
    parts.push(Buffer.from(k, "latin1"), Buffer.from([0]), Buffer.from(v, "latin1"), Buffer.from([0]));
  });
  return Buffer.concat([head, ...parts]);
}

function watString(bytes) {
  return [...bytes].map((b) => `\\${b.toString(16).padStart(2, "0")}`).join("");
}

/**
 * A complete module: `body` is WAT functions; `{{name}}` in it expands to `(i32.const ptr) (i32.const len)`
 * of data[name], `{{name.ptr}}`/`{{name.len}}` to one of them. Options: abi ("0_2_1"), malloc
 * ("malloc" | "proxy_on_memory_allocate" | null), wasi (names), start ("_start"|"_initialize"|null).
 */
export function proxyModule(body, opts = {}) {
  const abi = opts.abi ?? "0_2_1";
  const data = opts.data ?? {};
  let offset = DATA;
  const layout = {};
  const segments = [];
  for (const [name, value] of Object.entries(data)) {
    const bytes = typeof value === "string" ? Buffer.from(value, "latin1") : Buffer.from(value);
    layout[name] = { ptr: offset, len: bytes.length };
    segments.push(`(data (i32.const ${offset}) "${watString(bytes)}")`);
    offset += bytes.length + 8 - (bytes.length % 8);
  }
  let text = body.replace(/\{\{(\w+)(?:\.(ptr|len))?\}\}/g, (_, name, part) => {
    const l = layout[name];
    if (!l) throw new Error(`no data named ${name}`);
    if (part === "ptr") return `(i32.const ${l.ptr})`;
    if (part === "len") return `(i32.const ${l.len})`;
    return `(i32.const ${l.ptr}) (i32.const ${l.len})`;
  });
  const imports = [];
  for (const [name, s] of Object.entries(IMPORTS)) {
    if (text.includes(`$${name}`)) imports.push(`(import "env" "${name}" (func $${name} ${sig(s)}))`);
  }
  for (const [name, s] of Object.entries(WASI)) {
    if (text.includes(`$wasi_${name}`)) {
      imports.push(`(import "${opts.wasiModule ?? "wasi_snapshot_preview1"}" "${name}" (func $wasi_${name} ${sig(s)}))`);
    }
  }
  const malloc = opts.malloc === undefined ? "malloc" : opts.malloc;
  const mod = `(module
  ${imports.join("\n  ")}
  ${(opts.extraImports ?? []).join("\n  ")}
  (memory (export "memory") ${opts.pages ?? 4})
  (global $heap (mut i32) (i32.const ${HEAP}))
  (global $allocs (export "allocs") (mut i32) (i32.const 0))
  ${segments.join("\n  ")}
  ${opts.noMarker ? "" : `(func (export "proxy_abi_version_${abi}"))`}
  ${malloc ? `(func $malloc (export "${malloc}") (param $n i32) (result i32)
    (local $p i32)
    (global.set $allocs (i32.add (global.get $allocs) (i32.const 1)))
    (local.set $p (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (global.get $heap) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (local.get $p))` : ""}
  (func $rec (param $slot i32) (param $v i32)
    (i32.store (i32.add (i32.const ${SLOTS}) (i32.mul (local.get $slot) (i32.const 4))) (local.get $v)))
  ${text}
)`;
  return compileWat(mod);
}

/** Reads result slot `i` (i32) of a worker's memory. */
export function slot(host, i, worker = 0) {
  const mem = host.workers[worker].abi.instance.exports.memory;
  return new DataView(mem.buffer).getInt32(SLOTS + i * 4, true);
}

export function memBytes(host, ptr, len, worker = 0) {
  const mem = host.workers[worker].abi.instance.exports.memory;
  return Buffer.from(new Uint8Array(mem.buffer, ptr, len));
}

export function global(host, name, worker = 0) {
  return host.workers[worker].abi.instance.exports[name];
}

/** Sets exported mutable globals (the scripted module's knobs) on one or all workers. */
export function setKnobs(host, knobs, worker) {
  const ws = worker === undefined ? host.workers : [host.workers[worker]];
  for (const w of ws) for (const [k, v] of Object.entries(knobs)) w.abi.instance.exports[k].value = v;
}

// ------------------------------------------------------------------ the scripted module
//
// Phases: 0 request headers, 1 request body, 2 request trailers, 3 response headers, 4 response body,
// 5 response trailers, 6 log, 7 tick, 8 http call response. Slots 48-51 record the eos/size arguments of
// request headers, request body, response headers, response body; slot 52 is 101 when on_response_headers
// ran re-entrantly inside on_request_headers (100 otherwise); 60-62 the http-call-response arguments; 63 the
// status of set_effective_context(eff) done first in on_http_call_response when knob "eff" is set. For phase p, global r<p> is what the
// callback returns and a<p> a bit mask of actions done first:
export const A = {
  LOCAL_REPLY: 1, // send_local_response(403, "denied by test", "nope", [x-test: 1], -1)
  CONTINUE_REQUEST: 2, // continue_stream(REQUEST)
  CONTINUE_RESPONSE: 4, // continue_stream(RESPONSE)
  CLOSE: 8, // close_stream(REQUEST)
  ADD_HEADER: 16, // add "x-added: yes" to this phase's headers map (body phases: the trailers map)
  READ_PATH: 32, // get_header_map_value(REQUEST_HEADERS, ":path") → slot p*8+0; value ptr/len → slots 56/57
  REPLACE_BODY: 64, // set_buffer_bytes(body, 0, size, "REPLACED") → slot p*8+4
  TRAP: 128, // unreachable
  READ_BODY: 256, // get_buffer_bytes(body, 0, size) → slots p*8+1 (status), +2 (ptr), +3 (len)
  HTTP_CALL: 512, // http_call("auth", GET /check) → slot p*8+6 status, slot 58 token
  SET_PROPERTY: 1024, // set_property("myprop", "v1") → slot p*8+7
  APPEND_BODY: 2048, // set_buffer_bytes(body, size, 0, "+END") → slot p*8+4
  HEADER_SIZE: 4096, // get_header_map_size(this phase's headers) → slot p*8+5 status, slot 59 size
};

export function scriptedModule(opts = {}) {
  const phases = 9;
  const globals = [];
  for (let p = 0; p < phases; p++) {
    globals.push(`(global $r${p} (export "r${p}") (mut i32) (i32.const 0))`);
    globals.push(`(global $a${p} (export "a${p}") (mut i32) (i32.const 0))`);
  }
  const body = `
  ${globals.join("\n  ")}
  (global $configure_result (export "configure_result") (mut i32) (i32.const 1))
  (global $eff (export "eff") (mut i32) (i32.const 0))
  (global $inside (mut i32) (i32.const 0))
  (func $act (param $p i32) (param $mask i32) (param $size i32)
    (local $base i32) (local $bodytype i32) (local $maptype i32) (local $st i32)
    (local.set $base (i32.mul (local.get $p) (i32.const 8)))
    (local.set $bodytype (i32.ge_u (local.get $p) (i32.const 3)))
    ;; header phases touch their own map, body phases the trailers of their direction
    (local.set $maptype
      (if (result i32) (i32.eq (local.get $p) (i32.const 0)) (then (i32.const 0))
      (else (if (result i32) (i32.eq (local.get $p) (i32.const 3)) (then (i32.const 2))
      (else (if (result i32) (i32.eq (local.get $p) (i32.const 1)) (then (i32.const 1))
      (else (if (result i32) (i32.eq (local.get $p) (i32.const 2)) (then (i32.const 1))
      (else (i32.const 3))))))))))
    (if (i32.and (local.get $mask) (i32.const 128)) (then unreachable))
    (if (i32.and (local.get $mask) (i32.const 32)) (then
      (call $rec (local.get $base)
        (call $proxy_get_header_map_value (i32.const 0) {{path}} (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
      (call $rec (i32.const 56) (i32.load (i32.const ${RET_PTR})))
      (call $rec (i32.const 57) (i32.load (i32.const ${RET_LEN})))))
    (if (i32.and (local.get $mask) (i32.const 256)) (then
      (i32.store (i32.const ${RET_PTR}) (i32.const -1))
      (i32.store (i32.const ${RET_LEN}) (i32.const -1))
      (call $rec (i32.add (local.get $base) (i32.const 1))
        (call $proxy_get_buffer_bytes (local.get $bodytype) (i32.const 0) (local.get $size) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
      (call $rec (i32.add (local.get $base) (i32.const 2)) (i32.load (i32.const ${RET_PTR})))
      (call $rec (i32.add (local.get $base) (i32.const 3)) (i32.load (i32.const ${RET_LEN})))))
    (if (i32.and (local.get $mask) (i32.const 64)) (then
      (call $rec (i32.add (local.get $base) (i32.const 4))
        (call $proxy_set_buffer_bytes (local.get $bodytype) (i32.const 0) (local.get $size) {{replaced}}))))
    (if (i32.and (local.get $mask) (i32.const 2048)) (then
      (call $rec (i32.add (local.get $base) (i32.const 4))
        (call $proxy_set_buffer_bytes (local.get $bodytype) (local.get $size) (i32.const 0) {{end}}))))
    (if (i32.and (local.get $mask) (i32.const 16)) (then
      (call $rec (i32.add (local.get $base) (i32.const 5))
        (call $proxy_add_header_map_value (local.get $maptype) {{xadded}} {{yes}}))))
    (if (i32.and (local.get $mask) (i32.const 4096)) (then
      (call $rec (i32.add (local.get $base) (i32.const 5))
        (call $proxy_get_header_map_size (local.get $maptype) (i32.const ${OUT32})))
      (call $rec (i32.const 59) (i32.load (i32.const ${OUT32})))))
    (if (i32.and (local.get $mask) (i32.const 512)) (then
      (call $rec (i32.add (local.get $base) (i32.const 6))
        (call $proxy_http_call {{auth}} {{callheaders}} {{callbody}} (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const ${OUT32})))
      (call $rec (i32.const 58) (i32.load (i32.const ${OUT32})))))
    (if (i32.and (local.get $mask) (i32.const 1024)) (then
      (call $rec (i32.add (local.get $base) (i32.const 7))
        (call $proxy_set_property {{myprop}} {{v1}}))))
    (if (i32.and (local.get $mask) (i32.const 1)) (then
      (drop (call $proxy_send_local_response (i32.const 403) {{details}} {{nope}} {{replyheaders}} (i32.const -1)))))
    (if (i32.and (local.get $mask) (i32.const 2)) (then (drop (call $proxy_continue_stream (i32.const 0)))))
    (if (i32.and (local.get $mask) (i32.const 4)) (then (drop (call $proxy_continue_stream (i32.const 1)))))
    (if (i32.and (local.get $mask) (i32.const 8)) (then (drop (call $proxy_close_stream (i32.const 0))))))
  (func (export "proxy_on_context_create") (param $id i32) (param $parent i32))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (global.get $configure_result))
  (func (export "proxy_on_request_headers") (param $id i32) (param $n i32) (param $eos i32) (result i32)
    (call $rec (i32.const 48) (local.get $eos))
    (global.set $inside (i32.const 1))
    (call $act (i32.const 0) (global.get $a0) (local.get $n))
    (global.set $inside (i32.const 0))
    (global.get $r0))
  (func (export "proxy_on_request_body") (param $id i32) (param $size i32) (param $eos i32) (result i32)
    (call $rec (i32.const 49) (local.get $size))
    (call $act (i32.const 1) (global.get $a1) (local.get $size)) (global.get $r1))
  (func (export "proxy_on_request_trailers") (param $id i32) (param $n i32) (result i32)
    (call $act (i32.const 2) (global.get $a2) (i32.const 0)) (global.get $r2))
  (func (export "proxy_on_response_headers") (param $id i32) (param $n i32) (param $eos i32) (result i32)
    (call $rec (i32.const 50) (local.get $eos))
    (call $rec (i32.const 52) (i32.add (i32.const 100) (global.get $inside)))
    (call $act (i32.const 3) (global.get $a3) (local.get $n)) (global.get $r3))
  (func (export "proxy_on_response_body") (param $id i32) (param $size i32) (param $eos i32) (result i32)
    (call $rec (i32.const 51) (local.get $size))
    (call $act (i32.const 4) (global.get $a4) (local.get $size)) (global.get $r4))
  (func (export "proxy_on_response_trailers") (param $id i32) (param $n i32) (result i32)
    (call $act (i32.const 5) (global.get $a5) (i32.const 0)) (global.get $r5))
  (func (export "proxy_on_log") (param $id i32)
    (call $act (i32.const 6) (global.get $a6) (i32.const 0)))
  (func (export "proxy_on_tick") (param $id i32)
    (call $act (i32.const 7) (global.get $a7) (i32.const 0)))
  (func (export "proxy_on_http_call_response") (param $root i32) (param $token i32) (param $nh i32) (param $bs i32) (param $nt i32)
    (call $rec (i32.const 60) (local.get $token))
    (call $rec (i32.const 61) (local.get $nh))
    (call $rec (i32.const 62) (local.get $bs))
    (if (global.get $eff) (then (call $rec (i32.const 63) (call $proxy_set_effective_context (global.get $eff)))))
    (call $act (i32.const 8) (global.get $a8) (local.get $bs)))
  (func (export "proxy_on_done") (param $id i32) (result i32) (i32.const 1))
  (func (export "proxy_on_delete") (param $id i32))
  ${opts.extra ?? ""}
  `;
  return proxyModule(body, {
    ...opts,
    data: {
      path: ":path",
      replaced: "REPLACED",
      end: "+END",
      xadded: "x-added",
      yes: "yes",
      auth: "auth",
      callheaders: pairsBytes([[":method", "GET"], [":path", "/check"], [":authority", "auth.local"]]),
      callbody: "",
      myprop: "myprop",
      v1: "v1",
      details: "denied by test",
      nope: "nope",
      replyheaders: pairsBytes([["X-Test", "1"]]),
      ...(opts.data ?? {}),
    },
  });
}

export const GET = [[":method", "GET"], [":path", "/p?q=1"], [":authority", "example.com"], [":scheme", "http"]];
export const POST = [[":method", "POST"], [":path", "/upload"], [":authority", "example.com"], [":scheme", "http"]];
export const OK200 = [[":status", "200"], ["content-type", "text/plain"]];
