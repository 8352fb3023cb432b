// assembly/html's rewriter in a filter written the SDK's way, for comparison with html-copy.ts: each
// response body chunk goes through HtmlRewriter (prepending a fixed segment to every non-empty link
// value, at the URL of a refresh <meta>), and what it returns replaces the chunk; held-back bytes follow
// with the next chunk, as in the clickpath filter.
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy";
import {
  RootContext, Context, registerRootContext, FilterDataStatusValues, BufferTypeValues, get_buffer_bytes,
} from "@gcoredev/proxy-wasm-sdk-as/assembly";
import * as imports from "@gcoredev/proxy-wasm-sdk-as/assembly/imports";
import { HtmlRewriter } from "../../assembly/html/rewriter";
import { LinkKind, UrlEdit, UrlRewriter } from "../../assembly/html/links";

const SEGMENT = "/-S:BENCH1234567890";

class PrefixEverything extends UrlRewriter {
  rewrite(value: string, kind: LinkKind, base: string | null, edit: UrlEdit): bool {
    let at = 0;
    if (kind == LinkKind.MetaRefresh) {
      at = value.indexOf("=") + 1;
      if (at == 0) return false;
    }
    return at < value.length ? edit.set(at, at, SEGMENT) : false;
  }
}

class RewriteRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new RewriteStream(context_id, this);
  }
}

class RewriteStream extends Context {
  rewriter: HtmlRewriter = new HtmlRewriter(new PrefixEverything(), 4096);
  constructor(context_id: u32, root: RewriteRoot) {
    super(context_id, root);
  }
  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatusValues {
    const n = <u32>body_buffer_length;
    const chunk = Uint8Array.wrap(get_buffer_bytes(BufferTypeValues.HttpResponseBody, 0, n));
    const out = this.rewriter.push(chunk, end_of_stream);
    // The result may be a view (of the chunk or of the rewriter's output buffer): its bytes go to the
    // host as they lie, as assembly/plugin/host.ts setBuffer passes them (what SDK set_buffer_bytes does
    // for a whole ArrayBuffer).
    imports.proxy_set_buffer_bytes(BufferTypeValues.HttpResponseBody, 0, n, out.dataStart, <usize>out.length);
    return FilterDataStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => { return new RewriteRoot(context_id); }, "html-rewrite");
