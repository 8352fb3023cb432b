// bench/filters/baseline.ts plus twenty cheap host calls (WASI clock_time_get) per request: the difference
// between the two in bench/envoy.mjs (request --host-calls) is what twenty calls from the module into the
// host cost Envoy, apart from any work the host does for them.
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy";
import {
  RootContext, Context, registerRootContext, FilterHeadersStatusValues, stream_context,
} from "@gcoredev/proxy-wasm-sdk-as/assembly";
import { clock_time_get } from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

const timeSlot = memory.data(8);

class CallsRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new CallsStream(context_id, this);
  }
}

class CallsStream extends Context {
  seen: i32 = 0;
  constructor(context_id: u32, root: CallsRoot) {
    super(context_id, root);
  }
  onRequestHeaders(count: u32, endOfStream: bool): FilterHeadersStatusValues {
    this.seen = stream_context.headers.request.get_headers().length;
    for (let i = 0; i < 20; i++) clock_time_get(0, 1000, timeSlot);
    return FilterHeadersStatusValues.Continue;
  }
  onResponseHeaders(count: u32, endOfStream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.add("x-baseline", this.seen.toString());
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => { return new CallsRoot(context_id); }, "baseline");
