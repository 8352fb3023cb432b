// The per-request benchmark's baseline: the smallest useful filter written the way the SDK's own examples
// write one (its RootContext/Context classes and exports): it reads the request headers and adds one
// response header. clicktrail's cost is reported as a ratio to this. Built, like every filter here, by
// bench/support/filters.mjs.
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy";
import {
  RootContext, Context, registerRootContext, FilterHeadersStatusValues, stream_context,
} from "@gcoredev/proxy-wasm-sdk-as/assembly";

class BaselineRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new BaselineStream(context_id, this);
  }
}

class BaselineStream extends Context {
  seen: i32 = 0;
  constructor(context_id: u32, root: BaselineRoot) {
    super(context_id, root);
  }
  onRequestHeaders(count: u32, endOfStream: bool): FilterHeadersStatusValues {
    this.seen = stream_context.headers.request.get_headers().length;
    return FilterHeadersStatusValues.Continue;
  }
  onResponseHeaders(count: u32, endOfStream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.add("x-baseline", this.seen.toString());
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => { return new BaselineRoot(context_id); }, "baseline");
