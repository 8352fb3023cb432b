// The differential harness's observer: a proxy-wasm module in WAT (built with tests/host/wat.mjs) that
// writes down, as proxy_log lines, everything it sees — every callback with its arguments, the header maps,
// the first value of a header, property values as raw bytes, buffer sizes, shared-data CAS results. The
// same bytes run in the Node host and in real Envoy; Envoy's VM cannot be inspected from outside, so the
// log is how both hosts report what the module observed (Envoy prints proxy_log lines on stderr at the
// wasm component's level).
//
// Line format (one proxy_log call each, level info): `probe <ctx> <event> <decimal args…> [hex bytes]`.
// What it does is chosen per request by the request header `x-probe` (characters by position; a missing
// header or character means "continue"):
//   [0] request headers:  'c' continue · 'l' send_local_response(403, "nope", x-test: 1) and stop ·
//                         '1'-'4' return that value (and never continue: only a limit or reset ends it)
//   [1] request body:     '0'-'3' the value returned for a chunk that is not the last (the last returns 0)
//   [2] response headers: as [0]
//   [3] response body:    '0'-'3' as [1]
//   [4] shared data:      's' increment the 4-byte counter "probe-counter" with get/set and CAS, retrying
//                         on CAS_MISMATCH; logs every attempt's status
import { proxyModule, pairsBytes, RET_PTR, RET_LEN, OUT32, OUT64 } from "../host/wat.mjs";

/** Property paths the probe reads, by index (the log names the index). NUL-separated, as Envoy wants. */
export const PROBE_PROPERTIES = [
  "request.path", "request.url_path", "request.host", "request.scheme", "request.method", "request.protocol",
  "request.query", "request.useragent", "request.referer", "request.id", "request.headers",
  "source.address", "source.port", "destination.address", "destination.port", "connection.mtls",
  "plugin_name", "plugin_root_id", "plugin_vm_id", "response.code", "response.code_details",
  "upstream.address", "upstream.port", "connection_id", "request.size", "request.total_size",
  "response.size", "response.total_size",
];
/** Properties read in each phase (indices into PROBE_PROPERTIES). */
const REQUEST_PROPS = PROBE_PROPERTIES.map((_, i) => i).filter((i) => !PROBE_PROPERTIES[i].startsWith("response."));
const RESPONSE_PROPS = ["request.path", "response.code", "response.code_details", "upstream.address", "upstream.port"].map((p) => PROBE_PROPERTIES.indexOf(p));
const LOG_PROPS = ["request.path", "response.code", "response.code_details", "request.size", "request.total_size", "response.size", "response.total_size"].map((p) => PROBE_PROPERTIES.indexOf(p));

const LOGBUF = 0x8000; // 32 KiB of log line (the heap starts at 0x10000)
const MODE = 0x300; // 16 bytes of x-probe
const NUMTMP = 0x320;

export function probeWasm() {
  const data = {
    probe: "probe",
    xprobe: "x-probe",
    xdup: "x-dup",
    setcookie: "set-cookie",
    nope: "nope",
    details: "probe local reply",
    replyheaders: pairsBytes([["X-Test", "1"]]),
    counter: "probe-counter",
  };
  const propData = {};
  PROBE_PROPERTIES.forEach((p, i) => { propData[`p${i}`] = p.replace(/\./g, "\0"); });
  Object.assign(data, propData);
  const names = ["create", "reqh", "reqb", "reqt", "resh", "resb", "rest", "log", "done", "delete", "vmstart",
    "configure", "pairs", "value", "prop", "cas", "getsd", "tick"];
  for (const n of names) data[`ev_${n}`] = n;

  const propCalls = (list) => list.map((i) =>
    `(call $logprop (local.get $id) (i32.const ${i}) {{p${i}}})`).join("\n    ");

  const body = `
  ;; writes len bytes from src to dst, returns dst+len
  (func $put (param $dst i32) (param $src i32) (param $len i32) (result i32)
    (local $i i32)
    (block $out (loop $l
      (br_if $out (i32.ge_u (local.get $i) (local.get $len)))
      (i32.store8 (i32.add (local.get $dst) (local.get $i)) (i32.load8_u (i32.add (local.get $src) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (i32.add (local.get $dst) (local.get $len)))
  ;; a space then the decimal of a signed i32
  (func $num (param $dst i32) (param $v i32) (result i32)
    (local $n i32) (local $k i32)
    (i32.store8 (local.get $dst) (i32.const 32))
    (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
    (if (i32.lt_s (local.get $v) (i32.const 0)) (then
      (i32.store8 (local.get $dst) (i32.const 45))
      (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
      (local.set $v (i32.sub (i32.const 0) (local.get $v)))))
    (local.set $n (local.get $v))
    (loop $l
      (i32.store8 (i32.add (i32.const ${NUMTMP}) (local.get $k)) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $l (local.get $n)))
    (loop $w
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (i32.store8 (local.get $dst) (i32.load8_u (i32.add (i32.const ${NUMTMP}) (local.get $k))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
      (br_if $w (local.get $k)))
    (local.get $dst))
  (func $hexdigit (param $d i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $d) (i32.const 10))
      (then (i32.add (local.get $d) (i32.const 48)))
      (else (i32.add (local.get $d) (i32.const 87)))))
  ;; a space then the bytes in lower-case hex ("-" for none)
  (func $hex (param $dst i32) (param $src i32) (param $len i32) (result i32)
    (local $i i32) (local $b i32)
    (i32.store8 (local.get $dst) (i32.const 32))
    (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
    (if (i32.eqz (local.get $len)) (then
      (i32.store8 (local.get $dst) (i32.const 45))
      (return (i32.add (local.get $dst) (i32.const 1)))))
    (if (i32.gt_u (local.get $len) (i32.const 12000)) (then (local.set $len (i32.const 12000))))
    (block $out (loop $l
      (br_if $out (i32.ge_u (local.get $i) (local.get $len)))
      (local.set $b (i32.load8_u (i32.add (local.get $src) (local.get $i))))
      (i32.store8 (local.get $dst) (call $hexdigit (i32.shr_u (local.get $b) (i32.const 4))))
      (i32.store8 (i32.add (local.get $dst) (i32.const 1)) (call $hexdigit (i32.and (local.get $b) (i32.const 15))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $dst))
  ;; "probe <ctx> <event>"
  (func $head (param $ctx i32) (param $ev i32) (param $evlen i32) (result i32)
    (local $p i32)
    (local.set $p (call $put (i32.const ${LOGBUF}) {{probe}}))
    (local.set $p (call $num (local.get $p) (local.get $ctx)))
    (i32.store8 (local.get $p) (i32.const 32))
    (call $put (i32.add (local.get $p) (i32.const 1)) (local.get $ev) (local.get $evlen)))
  (func $emit (param $end i32)
    (drop (call $proxy_log (i32.const 2) (i32.const ${LOGBUF}) (i32.sub (local.get $end) (i32.const ${LOGBUF})))))
  (func $ev2 (param $ctx i32) (param $ev i32) (param $evlen i32) (param $a i32) (param $b i32)
    (call $emit (call $num (call $num (call $head (local.get $ctx) (local.get $ev) (local.get $evlen)) (local.get $a)) (local.get $b))))
  ;; "pairs <map> <status> <hex>"
  (func $logpairs (param $ctx i32) (param $map i32)
    (local $st i32) (local $p i32)
    (i32.store (i32.const ${RET_PTR}) (i32.const 0)) (i32.store (i32.const ${RET_LEN}) (i32.const 0))
    (local.set $st (call $proxy_get_header_map_pairs (local.get $map) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (local.set $p (call $head (local.get $ctx) {{ev_pairs}}))
    (local.set $p (call $num (call $num (local.get $p) (local.get $map)) (local.get $st)))
    (call $emit (call $hex (local.get $p) (i32.load (i32.const ${RET_PTR})) (i32.load (i32.const ${RET_LEN})))))
  ;; "value <map> <status> <hex>" of the first value of one header
  (func $logvalue (param $ctx i32) (param $map i32) (param $k i32) (param $klen i32)
    (local $st i32) (local $p i32)
    (i32.store (i32.const ${RET_PTR}) (i32.const 0)) (i32.store (i32.const ${RET_LEN}) (i32.const 0))
    (local.set $st (call $proxy_get_header_map_value (local.get $map) (local.get $k) (local.get $klen) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (local.set $p (call $head (local.get $ctx) {{ev_value}}))
    (local.set $p (call $hex (call $num (call $num (local.get $p) (local.get $map)) (local.get $st)) (local.get $k) (local.get $klen)))
    (call $emit (call $hex (local.get $p) (i32.load (i32.const ${RET_PTR})) (i32.load (i32.const ${RET_LEN})))))
  ;; "prop <index> <status> <hex>"
  (func $logprop (param $ctx i32) (param $idx i32) (param $k i32) (param $klen i32)
    (local $st i32) (local $p i32)
    (i32.store (i32.const ${RET_PTR}) (i32.const 0)) (i32.store (i32.const ${RET_LEN}) (i32.const 0))
    (local.set $st (call $proxy_get_property (local.get $k) (local.get $klen) (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
    (local.set $p (call $head (local.get $ctx) {{ev_prop}}))
    (local.set $p (call $num (call $num (local.get $p) (local.get $idx)) (local.get $st)))
    (call $emit (call $hex (local.get $p) (i32.load (i32.const ${RET_PTR})) (i32.load (i32.const ${RET_LEN})))))
  (func $mode (param $i i32) (result i32) (i32.load8_u (i32.add (i32.const ${MODE}) (local.get $i))))
  (func $bodyret (param $i i32) (param $eos i32) (result i32)
    (local $m i32)
    (local.set $m (call $mode (local.get $i)))
    (if (local.get $eos) (then (return (i32.const 0))))
    (if (i32.and (i32.ge_u (local.get $m) (i32.const 48)) (i32.le_u (local.get $m) (i32.const 51)))
      (then (return (i32.sub (local.get $m) (i32.const 48)))))
    (i32.const 0))
  ;; a headers callback's return value: '1'-'4' as given (nothing continues the stream later), else 0
  (func $headersret (param $i i32) (result i32)
    (local $m i32)
    (local.set $m (call $mode (local.get $i)))
    (if (i32.and (i32.ge_u (local.get $m) (i32.const 49)) (i32.le_u (local.get $m) (i32.const 52)))
      (then (return (i32.sub (local.get $m) (i32.const 48)))))
    (i32.const 0))
  (func $localreply
    (drop (call $proxy_send_local_response (i32.const 403) {{details}} {{nope}} {{replyheaders}} (i32.const -1))))
  ;; CAS increment of probe-counter: "getsd <status> <cas>" and "cas <status> <new value>" per attempt
  (func $increment (param $ctx i32)
    (local $st i32) (local $v i32) (local $tries i32)
    (block $done (loop $again
      (i32.store (i32.const ${RET_PTR}) (i32.const 0)) (i32.store (i32.const ${RET_LEN}) (i32.const 0))
      (i32.store (i32.const ${OUT32}) (i32.const 0))
      (local.set $st (call $proxy_get_shared_data {{counter}} (i32.const ${RET_PTR}) (i32.const ${RET_LEN}) (i32.const ${OUT32})))
      (local.set $v (i32.const 0))
      (if (i32.eq (i32.load (i32.const ${RET_LEN})) (i32.const 4)) (then (local.set $v (i32.load (i32.load (i32.const ${RET_PTR}))))))
      (call $ev2 (local.get $ctx) {{ev_getsd}} (local.get $st) (local.get $v))
      (i32.store (i32.const ${OUT64}) (i32.add (local.get $v) (i32.const 1)))
      (local.set $st (call $proxy_set_shared_data {{counter}} (i32.const ${OUT64}) (i32.const 4) (i32.load (i32.const ${OUT32}))))
      (call $ev2 (local.get $ctx) {{ev_cas}} (local.get $st) (i32.add (local.get $v) (i32.const 1)))
      (local.set $tries (i32.add (local.get $tries) (i32.const 1)))
      (br_if $done (i32.ne (local.get $st) (i32.const 8)))
      (br_if $again (i32.lt_u (local.get $tries) (i32.const 1000))))))

  (func (export "proxy_on_context_create") (param $id i32) (param $parent i32)
    (call $ev2 (local.get $id) {{ev_create}} (local.get $parent) (i32.const 0)))
  (func (export "proxy_on_vm_start") (param $id i32) (param $n i32) (result i32)
    (call $ev2 (local.get $id) {{ev_vmstart}} (local.get $n) (i32.const 0)) (i32.const 1))
  (func (export "proxy_on_configure") (param $id i32) (param $n i32) (result i32)
    (call $ev2 (local.get $id) {{ev_configure}} (local.get $n) (i32.const 0)) (i32.const 1))
  (func (export "proxy_on_request_headers") (param $id i32) (param $n i32) (param $eos i32) (result i32)
    (local $m i32)
    (call $ev2 (local.get $id) {{ev_reqh}} (local.get $n) (local.get $eos))
    ;; the mode for this stream: x-probe, or nothing
    (i64.store (i32.const ${MODE}) (i64.const 0)) (i64.store (i32.const ${MODE + 8}) (i64.const 0))
    (i32.store (i32.const ${RET_PTR}) (i32.const 0)) (i32.store (i32.const ${RET_LEN}) (i32.const 0))
    (if (i32.eqz (call $proxy_get_header_map_value (i32.const 0) {{xprobe}} (i32.const ${RET_PTR}) (i32.const ${RET_LEN})))
      (then (if (i32.le_u (i32.load (i32.const ${RET_LEN})) (i32.const 16))
        (then (drop (call $put (i32.const ${MODE}) (i32.load (i32.const ${RET_PTR})) (i32.load (i32.const ${RET_LEN}))))))))
    (call $logpairs (local.get $id) (i32.const 0))
    (call $logvalue (local.get $id) (i32.const 0) {{xdup}})
    ${propCalls(REQUEST_PROPS)}
    (if (i32.eq (call $mode (i32.const 4)) (i32.const 115)) (then (call $increment (local.get $id))))
    (if (i32.eq (call $mode (i32.const 0)) (i32.const 108)) (then (call $localreply) (return (i32.const 1))))
    (call $headersret (i32.const 0)))
  (func (export "proxy_on_request_body") (param $id i32) (param $n i32) (param $eos i32) (result i32)
    (call $ev2 (local.get $id) {{ev_reqb}} (local.get $n) (local.get $eos))
    (call $bodyret (i32.const 1) (local.get $eos)))
  (func (export "proxy_on_request_trailers") (param $id i32) (param $n i32) (result i32)
    (call $ev2 (local.get $id) {{ev_reqt}} (local.get $n) (i32.const 0))
    (call $logpairs (local.get $id) (i32.const 1))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param $id i32) (param $n i32) (param $eos i32) (result i32)
    (call $ev2 (local.get $id) {{ev_resh}} (local.get $n) (local.get $eos))
    (call $logpairs (local.get $id) (i32.const 2))
    (call $logvalue (local.get $id) (i32.const 2) {{setcookie}})
    (call $logpairs (local.get $id) (i32.const 0))
    ${propCalls(RESPONSE_PROPS)}
    (if (i32.eq (call $mode (i32.const 2)) (i32.const 108)) (then (call $localreply) (return (i32.const 1))))
    (call $headersret (i32.const 2)))
  (func (export "proxy_on_response_body") (param $id i32) (param $n i32) (param $eos i32) (result i32)
    (call $ev2 (local.get $id) {{ev_resb}} (local.get $n) (local.get $eos))
    (call $bodyret (i32.const 3) (local.get $eos)))
  (func (export "proxy_on_response_trailers") (param $id i32) (param $n i32) (result i32)
    (call $ev2 (local.get $id) {{ev_rest}} (local.get $n) (i32.const 0))
    (call $logpairs (local.get $id) (i32.const 3))
    (i32.const 0))
  (func (export "proxy_on_log") (param $id i32)
    (call $ev2 (local.get $id) {{ev_log}} (i32.const 0) (i32.const 0))
    (call $logpairs (local.get $id) (i32.const 0))
    (call $logpairs (local.get $id) (i32.const 2))
    ${propCalls(LOG_PROPS)})
  (func (export "proxy_on_done") (param $id i32) (result i32)
    (call $ev2 (local.get $id) {{ev_done}} (i32.const 0) (i32.const 0)) (i32.const 1))
  (func (export "proxy_on_delete") (param $id i32)
    (call $ev2 (local.get $id) {{ev_delete}} (i32.const 0) (i32.const 0)))
  `;
  return proxyModule(body, { data, pages: 4 });
}
