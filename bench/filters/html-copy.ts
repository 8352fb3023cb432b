// The HTML benchmark's floor: a filter, written the SDK's way, that reads each response body chunk through
// the ABI and writes it back unchanged. Rewriting links costs what the html-rewrite filter costs beyond this.
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy";
import {
  RootContext, Context, registerRootContext, FilterDataStatusValues, BufferTypeValues, get_buffer_bytes, set_buffer_bytes,
} from "@gcoredev/proxy-wasm-sdk-as/assembly";

class CopyRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new CopyStream(context_id, this);
  }
}

class CopyStream extends Context {
  constructor(context_id: u32, root: CopyRoot) {
    super(context_id, root);
  }
  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatusValues {
    const n = <u32>body_buffer_length;
    const chunk = get_buffer_bytes(BufferTypeValues.HttpResponseBody, 0, n);
    set_buffer_bytes(BufferTypeValues.HttpResponseBody, 0, n, chunk);
    return FilterDataStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => { return new CopyRoot(context_id); }, "html-copy");
