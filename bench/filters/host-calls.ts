// bench/filters/baseline.ts plus twenty host calls of one kind per request, the kind named by the plugin
// configuration: bench/envoy.mjs (request --host-calls) runs one Envoy per kind beside the baseline, and the
// difference, divided by twenty, is what one such call costs Envoy, including the work the host does for it
// (copying a header map out and calling back into the module's malloc, rebuilding a map, clearing the route
// cache after a request-header edit, a filter-state object).
//
//   clock        WASI clock_time_get (the cheapest call: what crossing into the host costs)
//   pairs        proxy_get_header_map_pairs of the request headers (the block freed again)
//   value        proxy_get_header_map_value of the request's cookie header (present)
//   value-miss   proxy_get_header_map_value of a header the request does not have
//   replace      proxy_replace_header_map_value of one request header
//   set-pairs    proxy_set_header_map_pairs of the request headers as they are
//   property     proxy_set_property of a filter-state value
//   metric       proxy_increment_metric of a counter
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy";
import {
  RootContext, Context, registerRootContext, FilterHeadersStatusValues, stream_context,
} from "@gcoredev/proxy-wasm-sdk-as/assembly";
import * as imports from "@gcoredev/proxy-wasm-sdk-as/assembly/imports";
import { free } from "@gcoredev/proxy-wasm-sdk-as/assembly/malloc";
import { clock_time_get } from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

const CALLS = 20;
const REQUEST_HEADERS = 0;
const COUNTER = 0;
const slot = memory.data(8);
const retPtr = memory.data(8);
const retLen = memory.data(8);
const metricId = memory.data(8);

let kind = "";
let counter: u32 = 0;
const COOKIE = String.UTF8.encode("cookie");
const MISSING = String.UTF8.encode("x-not-sent");
const PROBE = String.UTF8.encode("x-host-call-probe");
const ONE = String.UTF8.encode("1");
const STATE = String.UTF8.encode("clicktrail_probe_state");
const STATE_VALUE = String.UTF8.encode("0123456789abcdef");

/** Frees the block the host returned through retPtr/retLen (allocated by the SDK's malloc). */
function freeReturned(): void {
  const p = <usize>load<u32>(retPtr);
  if (p != 0) free(p);
  store<u32>(retPtr, 0);
  store<u32>(retLen, 0);
}

class CallsRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new CallsStream(context_id, this);
  }
  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    kind = this.getConfiguration();
    const name = String.UTF8.encode("host_call_probe");
    imports.proxy_define_metric(COUNTER, changetype<usize>(name), name.byteLength, metricId);
    counter = load<u32>(metricId);
    return true;
  }
}

function callOnce(): void {
  if (kind == "clock") {
    clock_time_get(0, 1000, slot);
  } else if (kind == "pairs") {
    imports.proxy_get_header_map_pairs(REQUEST_HEADERS, retPtr, retLen);
    freeReturned();
  } else if (kind == "value") {
    imports.proxy_get_header_map_value(REQUEST_HEADERS, changetype<usize>(COOKIE), COOKIE.byteLength, retPtr, retLen);
    freeReturned();
  } else if (kind == "value-miss") {
    imports.proxy_get_header_map_value(REQUEST_HEADERS, changetype<usize>(MISSING), MISSING.byteLength, retPtr, retLen);
    freeReturned();
  } else if (kind == "replace") {
    imports.proxy_replace_header_map_value(REQUEST_HEADERS, changetype<usize>(PROBE), PROBE.byteLength, changetype<usize>(ONE), ONE.byteLength);
  } else if (kind == "property") {
    imports.proxy_set_property(changetype<usize>(STATE), STATE.byteLength, changetype<usize>(STATE_VALUE), STATE_VALUE.byteLength);
  } else if (kind == "metric") {
    imports.proxy_increment_metric(counter, 1);
  }
}

class CallsStream extends Context {
  seen: i32 = 0;
  constructor(context_id: u32, root: CallsRoot) {
    super(context_id, root);
  }
  onRequestHeaders(count: u32, endOfStream: bool): FilterHeadersStatusValues {
    this.seen = stream_context.headers.request.get_headers().length;
    if (kind == "set-pairs") {
      // The map as the host has it, written back twenty times.
      imports.proxy_get_header_map_pairs(REQUEST_HEADERS, retPtr, retLen);
      const p = <usize>load<u32>(retPtr), n = <usize>load<u32>(retLen);
      for (let i = 0; i < CALLS; i++) imports.proxy_set_header_map_pairs(REQUEST_HEADERS, p, n);
      freeReturned();
    } else {
      for (let i = 0; i < CALLS; i++) callOnce();
    }
    return FilterHeadersStatusValues.Continue;
  }
  onResponseHeaders(count: u32, endOfStream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.add("x-baseline", this.seen.toString());
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => { return new CallsRoot(context_id); }, "baseline");
