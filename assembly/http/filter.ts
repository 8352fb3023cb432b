// The shape every feature takes, so the proxy-wasm adapter can run them in one loop without knowing what
// they do. A Feature is built once per VM from its validated settings; it makes one StreamFilter per
// HTTP stream. Filters see pure HeaderMaps and byte chunks; they never call the host themselves.
import { HeaderMap } from "./headers";
import { HttpCallResult, Services } from "./services";

/** A reply the proxy sends in place of the upstream's (proxy_send_local_response). */
export class LocalReply {
  /** `headers`: names (lower-case) and values alternating. */
  constructor(public status: u32, public body: string, public headers: string[]) {}
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
   * forwarding the request, or null. The reply then passes through every filter's response step.
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
