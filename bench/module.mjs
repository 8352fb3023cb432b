#!/usr/bin/env node
// The module's own time per steady-state exchange, two builds side by side: a host that does next to
// nothing hands over pre-encoded header maps and drops what the filter writes, so what is timed is the
// filter's code (V8, as in Envoy) and not a host's. For changes inside the module, where bench/request.mjs's
// Node host (tens of µs of JavaScript per exchange) and Envoy's noise hide a few µs; the figures that speak
// for users come from bench/envoy.mjs.
//
//   node bench/module.mjs A.wasm B.wasm [--rounds 30] [--batch 2000]
//   node --cpu-prof bench/module.mjs --profile 60000 B.wasm    (B alone, for a profile; build B with
//                                                               `npx asc assembly/index.ts --target release --debug`)
//
// The exchange: envoy/clicktrail.json, a returning visitor (tracking cookie, clickpath URL session, sealed
// session cookie obtained from the same build on a first visit), request headers, a JSON response's
// headers, on_log, on_done, on_delete. Both builds must write the same headers and filter states (names,
// and the values that are not random); rounds alternate A B, B A, … and the median and minimum are printed.
import { readFileSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const files = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--")));
const ROUNDS = opt("rounds", 30), BATCH = opt("batch", 2000), PROFILE = opt("profile", 0);
if (files.length !== (PROFILE ? 1 : 2)) {
  console.error("usage: node bench/module.mjs A.wasm B.wasm [--rounds 30] [--batch 2000] | --profile N B.wasm");
  process.exit(2);
}
// The pairs format as the project's host writes and (strictly, as Envoy does) reads it: built by npm run build.
const { encodePairs, decodePairs } = await import(`${root}dist/host/index.js`);
const config = readFileSync(`${root}envoy/clicktrail.json`);
const NOW = 1700000000_000_000_000n; // the clock every call reads (ns)
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
// Envoy's encodings (docs/host.md): addresses as text, integers as 8 bytes little-endian.
const PROPERTIES = new Map([
  ["destination\0address", Buffer.from("127.0.0.1:10000")], ["source\0address", Buffer.from("127.0.0.1:50000")],
  ["connection\0id", u64(7)], ["plugin_name", Buffer.from("clicktrail")],
]);

/** One VM of a build, configured, with an `exchange(requestPairs, responsePairs)` through one stream. */
async function load(wasm) {
  let mem, exp;
  const u8 = () => new Uint8Array(mem.buffer);
  const dv = () => new DataView(mem.buffer);
  const state = { maps: new Map(), written: new Map(), edits: [], props: [], logs: [], metrics: 0, record: true };
  const give = (bytes, ptrPtr, lenPtr) => {
    const p = exp.malloc(bytes.length);
    u8().set(bytes, p);
    dv().setUint32(ptrPtr, p, true);
    dv().setUint32(lenPtr, bytes.length, true);
    return 0;
  };
  const str = (p, n) => Buffer.from(mem.buffer, p, n).toString("latin1");
  const edit = (...e) => { if (state.record) state.edits.push(e.join("|")); return 0; };
  const env = {
    proxy_get_header_map_pairs: (t, pp, lp) => give(state.maps.get(t) ?? encodePairs([]), pp, lp),
    proxy_set_header_map_pairs: (t, p, n) => { if (state.record) state.written.set(t, decodePairs(new Uint8Array(mem.buffer, p, n))); return 0; },
    proxy_get_header_map_value: () => 1,
    proxy_add_header_map_value: (t, np, nl, vp, vl) => edit("add", t, str(np, nl), str(vp, vl)),
    proxy_replace_header_map_value: (t, np, nl, vp, vl) => edit("replace", t, str(np, nl), str(vp, vl)),
    proxy_remove_header_map_value: (t, np, nl) => edit("remove", t, str(np, nl)),
    proxy_set_property: (p, n, vp, vn) => { if (state.record) state.props.push([str(p, n), str(vp, vn)]); return 0; },
    proxy_get_property: (p, n, pp, lp) => {
      const v = PROPERTIES.get(str(p, n));
      return v === undefined ? 1 : give(v, pp, lp);
    },
    proxy_get_buffer_bytes: (t, s, l, pp, lp) => (t === 7 ? give(config.subarray(s, s + l), pp, lp) : 1),
    proxy_set_buffer_bytes: () => 0,
    proxy_increment_metric: () => 0, proxy_record_metric: () => 0,
    proxy_define_metric: (t, p, n, idp) => { dv().setUint32(idp, ++state.metrics, true); return 0; },
    proxy_log: (l, p, n) => { state.logs.push(str(p, n)); return 0; },
    proxy_continue_stream: () => 0, proxy_set_tick_period_milliseconds: () => 0, proxy_set_shared_data: () => 0,
    proxy_get_shared_data: () => 1, proxy_set_effective_context: () => 0, proxy_send_local_response: () => 0,
    proxy_http_call: () => 1,
  };
  let seed = 1;
  const wasi = {
    proc_exit: () => { throw new Error("proc_exit"); },
    fd_write: () => 0,
    random_get: (p, n) => { const a = u8(); for (let i = 0; i < n; i++) { seed = (seed * 1103515245 + 12345) >>> 0; a[p + i] = seed >>> 24; } return 0; },
    clock_time_get: (id, prec, p) => { dv().setBigUint64(p, NOW, true); return 0; },
  };
  const { instance } = await WebAssembly.instantiate(readFileSync(wasm), { env, wasi_snapshot_preview1: wasi });
  exp = instance.exports;
  mem = exp.memory;
  exp._start();
  exp.proxy_on_context_create(1, 0);
  exp.proxy_on_vm_start(1, 0);
  if (!exp.proxy_on_configure(1, config.length)) throw new Error(`${wasm}: configuration refused: ${state.logs.join("\n")}`);
  let id = 2;
  const exchange = (request, response) => {
    const c = id++;
    state.maps.set(0, request);
    state.maps.set(2, response);
    exp.proxy_on_context_create(c, 1);
    exp.proxy_on_request_headers(c, 0, 1);
    exp.proxy_on_response_headers(c, 0, 1);
    exp.proxy_on_log(c);
    exp.proxy_on_done(c);
    exp.proxy_on_delete(c);
  };
  return { state, exchange };
}

const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";

/** A build's steady-state exchange, checked to be one; `seen` is what it wrote, random parts masked. */
async function steady(wasm) {
  const vm = await load(wasm);
  const { state } = vm;
  vm.exchange(encodePairs([[":method", "GET"], [":path", "/"], [":authority", "example.com"], [":scheme", "http"]]),
    encodePairs([[":status", "200"], ["x-replace-session", "user=alice&role=editor&cart=3"]]));
  const sessionPath = (state.written.get(0) ?? []).find(([n]) => n === "x-clickpath-session-path")?.[1];
  const setCookies = [...(state.written.get(2) ?? []).filter(([n]) => n === "set-cookie").map(([, v]) => v),
    ...state.edits.filter((e) => e.startsWith("add|2|set-cookie|")).map((e) => e.slice("add|2|set-cookie|".length))];
  if (!sessionPath || setCookies.length < 2) throw new Error(`${wasm}: the first visit got no URL session or cookies`);
  const cookie = setCookies.map((v) => v.slice(0, v.indexOf(";"))).join("; ");
  const request = encodePairs([[":method", "GET"], [":path", `${sessionPath}/shop/item.html?id=42`], [":authority", "example.com"],
    [":scheme", "http"], ["user-agent", UA], ["accept", "text/html"], ["accept-encoding", "gzip, deflate"],
    ["accept-language", "en"], ["cookie", cookie]]);
  const response = encodePairs([[":status", "200"], ["content-type", "application/json"], ["content-length", "11"]]);
  state.written.clear(); state.edits = []; state.props = [];
  vm.exchange(request, response);
  const upstream = state.written.get(0) ?? [];
  const session = upstream.find(([n]) => n === "x-session")?.[1] ?? "";
  const mask = (pairs) => pairs.map(([n, v]) => [n, /^(cookie|x-clickpath-session|x-clickpath-session-path|x-usertrack-id)$/.test(n) ? "*" : v]);
  const seen = JSON.stringify([mask(upstream), mask(state.written.get(2) ?? []), state.edits, state.props.map(([n]) => n)]);
  if (!session.startsWith("user=alice") || seen.includes("set-cookie") || !seen.includes("\"web1\"")) {
    throw new Error(`${wasm}: not in steady state: ${seen}`);
  }
  state.record = false;
  return { run: () => vm.exchange(request, response), seen };
}

if (PROFILE) {
  const s = await steady(files[0]);
  for (let k = 0; k < PROFILE; k++) s.run();
  process.exit(0);
}

const subjects = [await steady(files[0]), await steady(files[1])];
if (subjects[0].seen !== subjects[1].seen) {
  console.error(`the two builds differ in what they write:\nA ${subjects[0].seen}\nB ${subjects[1].seen}`);
  process.exit(1);
}
for (let i = 0; i < 4; i++) for (const s of subjects) for (let k = 0; k < BATCH; k++) s.run(); // V8 tier-up
const times = [[], []];
for (let r = 0; r < ROUNDS; r++) {
  for (const i of r % 2 ? [1, 0] : [0, 1]) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < BATCH; k++) subjects[i].run();
    times[i].push(Number(process.hrtime.bigint() - t0) / BATCH / 1000);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const [ma, mb] = times.map(median), [la, lb] = times.map((xs) => Math.min(...xs));
console.log(`the module's own time per steady-state exchange, ${ROUNDS} alternating rounds of ${BATCH} (Node ${process.version})`);
console.log(`  A ${files[0]}: median ${ma.toFixed(2)} µs, minimum ${la.toFixed(2)} µs`);
console.log(`  B ${files[1]}: median ${mb.toFixed(2)} µs, minimum ${lb.toFixed(2)} µs`);
console.log(`  B / A: ${(mb / ma).toFixed(3)} from the medians, ${(lb / la).toFixed(3)} from the minima`);
