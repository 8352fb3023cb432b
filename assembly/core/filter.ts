// The shape every feature takes, so the proxy-wasm adapter can run them in one loop without knowing what
// they do. A Feature is built once per VM from its validated settings; it makes one StreamFilter per
// HTTP stream. Filters see pure HeaderMaps and byte chunks; they never call the host themselves.
import { HeaderMap } from "./headers";
import { HttpCallResult, Services } from "./services";

/**
 * A response the proxy sends itself instead of forwarding the request (proxy_send_local_response). Its
 * headers and empty body then pass back through every filter's onResponseHeaders, as an upstream's would.
 */
export class LocalReply {
  /** `details`: Envoy's response code details (%RESPONSE_CODE_DETAILS%), one word. */
  constructor(public status: u32, public headers: HeaderMap, public details: string, public body: string = "") {}
}

export abstract class StreamFilter {
  /** Request headers, before routing: a filter may rewrite `:path` (Envoy then re-selects the route). */
  onRequestHeaders(request: HeaderMap): void {}
  /** Response headers, including those of local replies and upstream errors. */
  onResponseHeaders(response: HeaderMap): void {}
  /** True when this filter will rewrite the response body; asked after onResponseHeaders. */
  rewritesResponseBody(): bool { return false; }
  /**
   * One chunk of the response body (only when rewritesResponseBody()). Returns the bytes to send on in
   * its place; a filter may hold back bytes (an incomplete tag) and emit them with a later chunk. With
   * `endOfStream` everything held back must be emitted.
   */
  onResponseBody(chunk: Uint8Array, endOfStream: bool): Uint8Array { return chunk; }
  /**
   * True when bytes the filter was given are held back now (after onResponseBody). The adapter then keeps
   * the chunk's output in the host's buffer, so that trailers arriving next (the body then never ends with
   * endOfStream) still find a body to which the held bytes can be added.
   */
  holdsResponseBytes(): bool { return false; }
  /** The stream is over (Envoy's access-log phase). */
  onLog(): void {}
  /**
   * True while the filter waits for the answer to an HTTP callout it started (Services.httpCall) in the
   * headers callback just run: the stream pauses, hands the answer to onHttpCallResponse, and goes on
   * (with the same HeaderMap, edits and all) once this is false again.
   */
  waiting(): bool { return false; }
  /** The answer to this filter's callout; it may start another and keep waiting. */
  onHttpCallResponse(result: HttpCallResult): void {}
  /**
   * Asked after the request headers step (and each callout answer in it): a reply to send instead of
   * forwarding the request, or null. Filters after this one do not see the request, nothing goes upstream,
   * and the reply then passes through every filter's response step.
   */
  localReply(): LocalReply | null { return null; }
}

export abstract class Feature {
  /** A filter for a new stream, or null when this feature has nothing to do for streams. */
  abstract newStream(services: Services): StreamFilter | null;
  /** Periodic work (expiry sweeps); called from on_tick with the VM's services. */
  onTick(services: Services): void {}
  /** How often onTick wants to run, in milliseconds; 0 for never. */
  tickPeriodMillis(): u32 { return 0; }
}
