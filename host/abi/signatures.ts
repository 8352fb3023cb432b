// The host functions Envoy links (proxy-wasm-cpp-host src/wasm.cc registerCallbacks) with the wasm
// signature each one has once cpp-host's Word arguments are lowered to i32 (ConvertFunctionWordToUint32).
// A module that imports anything outside this table, or imports a listed name with another signature, fails
// to link in Envoy, so the loader refuses it here too.
import type { AbiVersion } from "./constants.js";
import type { FuncType, ValType } from "./binary.js";

const sig = (spec: string): FuncType => {
  const [p, r] = spec.split("->");
  const map = (s: string): ValType[] => s.split("").map((c) => (c === "I" ? "i64" : "i32"));
  return { params: map(p.trim()), results: map((r ?? "").trim()) };
};

/** env.proxy_* available under every ABI version. */
const PROXY_COMMON: Record<string, string> = {
  proxy_log: "iii->i",
  proxy_get_status: "iii->i",
  proxy_set_property: "iiii->i",
  proxy_get_property: "iiii->i",
  proxy_send_local_response: "iiiiiiii->i",
  proxy_get_shared_data: "iiiii->i",
  proxy_set_shared_data: "iiiii->i",
  proxy_register_shared_queue: "iii->i",
  proxy_resolve_shared_queue: "iiiii->i",
  proxy_dequeue_shared_queue: "iii->i",
  proxy_enqueue_shared_queue: "iii->i",
  proxy_get_header_map_value: "iiiii->i",
  proxy_add_header_map_value: "iiiii->i",
  proxy_replace_header_map_value: "iiiii->i",
  proxy_remove_header_map_value: "iii->i",
  proxy_get_header_map_pairs: "iii->i",
  proxy_set_header_map_pairs: "iii->i",
  proxy_get_header_map_size: "ii->i",
  proxy_get_buffer_status: "iii->i",
  proxy_get_buffer_bytes: "iiiii->i",
  proxy_set_buffer_bytes: "iiiii->i",
  proxy_http_call: "iiiiiiiiii->i",
  proxy_grpc_call: "iiiiiiiiiiii->i",
  proxy_grpc_stream: "iiiiiiiii->i",
  proxy_grpc_close: "i->i",
  proxy_grpc_cancel: "i->i",
  proxy_grpc_send: "iiii->i",
  proxy_set_tick_period_milliseconds: "i->i",
  proxy_get_current_time_nanoseconds: "i->i",
  proxy_define_metric: "iiii->i",
  proxy_increment_metric: "iI->i",
  proxy_record_metric: "iI->i",
  proxy_get_metric: "ii->i",
  proxy_set_effective_context: "i->i",
  proxy_done: "->i",
  proxy_call_foreign_function: "iiiiii->i",
};

const PROXY_BY_VERSION: Record<AbiVersion, Record<string, string>> = {
  "0.1.0": {
    proxy_get_configuration: "ii->i",
    proxy_continue_request: "->i",
    proxy_continue_response: "->i",
    proxy_clear_route_cache: "->i",
  },
  "0.2.0": { proxy_continue_stream: "i->i", proxy_close_stream: "i->i" },
  "0.2.1": { proxy_continue_stream: "i->i", proxy_close_stream: "i->i", proxy_get_log_level: "i->i" },
};

/** Registered under both wasi_unstable and wasi_snapshot_preview1 (cpp-host FOR_ALL_WASI_FUNCTIONS). */
export const WASI_FUNCTIONS: Record<string, string> = {
  fd_write: "iiii->i",
  fd_read: "iiii->i",
  fd_seek: "iIii->i",
  fd_close: "i->i",
  fd_fdstat_get: "ii->i",
  environ_get: "ii->i",
  environ_sizes_get: "ii->i",
  args_get: "ii->i",
  args_sizes_get: "ii->i",
  clock_time_get: "iIi->i",
  random_get: "ii->i",
  proc_exit: "i->",
  path_open: "iiiiiIIii->i",
  fd_prestat_get: "ii->i",
  fd_prestat_dir_name: "iii->i",
};

const ENV_EXTRA: Record<string, string> = {
  pthread_equal: "ii->i",
  emscripten_notify_memory_growth: "i->",
};

/** "module.name" → expected signature, for one ABI version. */
export function allowedImports(version: AbiVersion): Map<string, FuncType> {
  const out = new Map<string, FuncType>();
  for (const [n, s] of Object.entries({ ...PROXY_COMMON, ...PROXY_BY_VERSION[version], ...ENV_EXTRA })) {
    out.set(`env.${n}`, sig(s));
  }
  for (const [n, s] of Object.entries(WASI_FUNCTIONS)) {
    out.set(`wasi_unstable.${n}`, sig(s));
    out.set(`wasi_snapshot_preview1.${n}`, sig(s));
  }
  return out;
}

/**
 * Exports cpp-host looks up (WasmBase::getFunctions) with the signature it binds them with; one with another
 * signature makes Envoy fail the VM ("Bad function signature").
 */
export function expectedExports(version: AbiVersion): Map<string, FuncType> {
  const headers = version === "0.1.0" ? "ii->i" : "iii->i";
  const table: Record<string, string> = {
    _initialize: "->",
    _start: "->",
    main: "ii->i",
    malloc: "i->i",
    proxy_on_memory_allocate: "i->i",
    proxy_validate_configuration: "ii->i",
    proxy_on_vm_start: "ii->i",
    proxy_on_configure: "ii->i",
    proxy_on_tick: "i->",
    proxy_on_context_create: "ii->",
    proxy_on_new_connection: "i->i",
    proxy_on_downstream_data: "iii->i",
    proxy_on_upstream_data: "iii->i",
    proxy_on_downstream_connection_close: "ii->",
    proxy_on_upstream_connection_close: "ii->",
    proxy_on_request_headers: headers,
    proxy_on_request_body: "iii->i",
    proxy_on_request_trailers: "ii->i",
    proxy_on_request_metadata: "ii->i",
    proxy_on_response_headers: headers,
    proxy_on_response_body: "iii->i",
    proxy_on_response_trailers: "ii->i",
    proxy_on_response_metadata: "ii->i",
    proxy_on_http_call_response: "iiiii->",
    proxy_on_grpc_receive: "iii->",
    proxy_on_grpc_close: "iii->",
    proxy_on_grpc_receive_initial_metadata: "iii->",
    proxy_on_grpc_receive_trailing_metadata: "iii->",
    proxy_on_queue_ready: "ii->",
    proxy_on_done: "i->i",
    proxy_on_log: "i->",
    proxy_on_delete: "i->",
  };
  if (version !== "0.1.0") table.proxy_on_foreign_function = "iii->";
  const out = new Map<string, FuncType>();
  for (const [n, s] of Object.entries(table)) out.set(n, sig(s));
  return out;
}

export function sameSignature(a: FuncType | undefined, b: FuncType): boolean {
  if (!a) return false;
  return a.params.join() === b.params.join() && a.results.join() === b.results.join();
}
