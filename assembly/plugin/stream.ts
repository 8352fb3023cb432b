// One HTTP stream: runs each feature's StreamFilter over the headers and body the host hands over, and
// writes their edits back. Envoy forgets a header map once its callback returns Continue, so everything a
// filter needs later is copied into the filter in the callback that can see it.
//
// A filter may wait for an HTTP callout it started (StreamFilter.waiting): the callback then answers Pause,
// the header map stays with the stream, and when exports.ts hands over the callout's answer (with this
// stream as the effective context) the remaining filters run on the same map, its edits go to the host,
// and the stream continues, or is answered locally when the filter asked for that (StreamFilter.localReply).
import { StreamFilter } from "../core/filter";
import { withRoom } from "../core/arrays";
import { HttpCallResult, LogLevel } from "../core/services";
import { Plugin } from "./root";
import { HostServices, hostHonoursRepeatedBodyPause } from "./services";
import * as host from "./host";

/**
 * What a callback returns to the host. 1 is one value with two names in the ABI: Pause (StopIteration) from a
 * headers callback, StopIterationAndBuffer from a body callback.
 */
export const enum Action { Continue = 0, Pause = 1, StopIterationAndBuffer = 1 }

/**
 * The most output kept in the host's buffer while a tag is held (see onResponseBody). Envoy answers a
 * response whose buffered body passes its buffer limit with a 500 or a reset (1 MiB by default, often set
 * lower), and in tag-dense HTML nearly every chunk ends inside a tag, so keeping must stay small and
 * short-lived: beyond this the chunk goes on and the held tag waits in the filter as before.
 */
const MAX_KEPT_BYTES: u32 = 16384;

/** bodyFilters when no filter rewrites the body: shared, never added to (most responses are not HTML). */
const NO_FILTERS = new Array<StreamFilter>(0);

export class HttpStream {
  filters: StreamFilter[];
  services: HostServices;
  /** The filters that rewrite the response body, decided in onResponseHeaders (the same empty array for none). */
  bodyFilters: StreamFilter[] = NO_FILTERS;
  /** Bytes of our own output the host keeps buffered (we returned StopIterationAndBuffer), else 0. */
  keptBytes: u32 = 0;
  /** The last body chunk went on (too large to keep) while a filter still held bytes. */
  heldUnkept: bool = false;

  /** While a filter waits: its index, the direction and the header map it works on. */
  waitingAt: i32 = -1;
  waitingResponse: bool = false;
  held: host.HostHeaderMap | null = null;

  constructor(public id: u32, public plugin: Plugin) {
    const features = plugin.features;
    const filters = withRoom<StreamFilter>(features.length);
    const services = new HostServices(plugin.services.minLogLevel, true);
    services.contextId = id;
    this.filters = filters;
    this.services = services;
    for (let i = 0; i < features.length; i++) {
      const f = features[i].newStream(services);
      if (f != null) filters.push(f);
    }
  }

  onRequestHeaders(): i32 {
    if (this.filters.length == 0) return Action.Continue;
    this.services.beginCallback();
    const headers = host.readHeaderMap(host.MapType.RequestHeaders);
    const action = this.runRequest(headers, 0);
    this.release(headers);
    this.services.endCallback();
    return action;
  }

  /** Runs the request filters from `from`; Pause when one waits for a callout or replied locally. */
  private runRequest(headers: host.HostHeaderMap, from: i32): i32 {
    for (let i = from; i < this.filters.length; i++) {
      const f = this.filters[i];
      if (i > from || this.waitingAt < 0) f.onRequestHeaders(headers);
      this.waitingAt = -1;
      if (this.stopped(f, headers, i, false)) return Action.Pause;
    }
    host.applyHeaderEdits(host.MapType.RequestHeaders, headers);
    return Action.Continue;
  }

  onResponseHeaders(): i32 {
    if (this.filters.length == 0) return Action.Continue;
    this.bodyFilters = NO_FILTERS;
    this.services.beginCallback();
    const headers = host.readHeaderMap(host.MapType.ResponseHeaders);
    const action = this.runResponse(headers, 0);
    this.release(headers);
    this.services.endCallback();
    return action;
  }

  private runResponse(headers: host.HostHeaderMap, from: i32): i32 {
    for (let i = from; i < this.filters.length; i++) {
      const f = this.filters[i];
      if (i > from || this.waitingAt < 0) f.onResponseHeaders(headers);
      this.waitingAt = -1;
      if (this.stopped(f, headers, i, true)) return Action.Pause;
      if (f.rewritesResponseBody()) {
        if (this.bodyFilters === NO_FILTERS) this.bodyFilters = new Array<StreamFilter>();
        this.bodyFilters.push(f);
      }
    }
    host.applyHeaderEdits(host.MapType.ResponseHeaders, headers);
    return Action.Continue;
  }

  /** A callback's map goes back for reuse unless the stream keeps it while a filter waits for a callout. */
  private release(headers: host.HostHeaderMap): void {
    if (this.held !== headers) host.releaseHeaderMap(headers);
  }

  /** After a filter's step: true when the stream must stop here (waiting, or answered locally). */
  private stopped(f: StreamFilter, headers: host.HostHeaderMap, index: i32, response: bool): bool {
    if (f.waiting()) {
      this.waitingAt = index;
      this.waitingResponse = response;
      this.held = headers;
      return true;
    }
    // Only a request step may answer locally; the reply itself then passes through the response step.
    if (response) return false;
    const reply = f.localReply();
    if (reply == null) return false;
    host.sendLocalResponse(reply.status, reply.details, reply.body, reply.headers);
    return true;
  }

  /** The answer to a callout made for this stream (the effective context is already this stream). */
  onHttpCallResponse(result: HttpCallResult): void {
    this.services.beginCallback();
    this.resume(result);
    this.services.endCallback();
  }

  private resume(result: HttpCallResult): void {
    const at = this.waitingAt;
    const headers = this.held;
    if (at < 0 || headers == null) return;
    const f = this.filters[at];
    f.onHttpCallResponse(result);
    if (f.waiting()) return;
    this.held = null;
    if (this.waitingResponse) {
      if (this.runResponse(headers, at) == Action.Continue) host.continueStream(host.StreamType.Response);
    } else {
      if (this.runRequest(headers, at) == Action.Continue) host.continueStream(host.StreamType.Request);
    }
    this.release(headers);
  }

  onResponseBody(size: u32, endOfStream: bool): i32 {
    const filters = this.bodyFilters;
    if (filters.length == 0) return Action.Continue;
    // While the host buffers for us, the body it shows is our earlier output followed by the new chunk
    // (Envoy >= 1.32 appends each chunk before the call): only the new bytes go through the filters.
    this.services.beginCallback();
    const kept = this.keptBytes <= size ? this.keptBytes : size;
    const received = Uint8Array.wrap(host.getBuffer(host.BufferType.ResponseBody, kept, size - kept));
    let chunk = received;
    let holding = false;
    for (let i = 0; i < filters.length; i++) {
      chunk = filters[i].onResponseBody(chunk, endOfStream);
      if (filters[i].holdsResponseBytes()) holding = true;
    }
    const unchanged = chunk.dataStart == received.dataStart && chunk.length == received.length;
    let length = size;
    // A filter that changed nothing hands back the chunk it was given: the host's copy is already right.
    if (!unchanged) {
      let whole = chunk;
      if (kept > 0) {
        whole = new Uint8Array(kept + chunk.length);
        whole.set(Uint8Array.wrap(host.getBuffer(host.BufferType.ResponseBody, 0, kept)));
        whole.set(chunk, kept);
      }
      if (host.setBuffer(host.BufferType.ResponseBody, size, whole) != host.Status.Ok) {
        this.services.log(LogLevel.Error, "clicktrail: the host refused the rewritten response body");
      } else {
        length = <u32>whole.length;
      }
    }
    // With bytes held back, the response may yet end with trailers instead of a last body chunk
    // (on_response_trailers, no end_of_stream), and in Envoy only a buffered body can still be added to
    // then: a body passed on with Continue is gone (Envoy's Context::encodeData drops its pointer).
    // Twice in a row only where the host honours it: ngx_wasm_module ignores a pause in a call that hands
    // over buffered data (and passes the body on), so the bytes we believed kept would be gone. There (it
    // has no trailer callbacks anyway) a chunk that ends in a tag after one that did goes on as before.
    if (holding && !endOfStream && length <= MAX_KEPT_BYTES && (kept == 0 || hostHonoursRepeatedBodyPause())) {
      this.keptBytes = length;
      this.services.endCallback();
      return Action.StopIterationAndBuffer;
    }
    this.keptBytes = 0;
    this.heldUnkept = holding && !endOfStream;
    this.services.endCallback();
    return Action.Continue;
  }

  /** Response trailers: the body is over, so what the filters still hold goes out after the kept body. */
  onResponseTrailers(): i32 {
    const filters = this.bodyFilters;
    if (filters.length == 0) return Action.Continue;
    if (this.keptBytes == 0) {
      if (this.heldUnkept) {
        // The last chunk was too large to keep and ended inside a tag: the host has no body left to add
        // the tag to (only a truncated document ends so).
        this.services.log(LogLevel.Warn, "clicktrail: an unfinished tag at the end of a response body with trailers was dropped");
      }
      return Action.Continue;
    }
    let tail = new Uint8Array(0);
    for (let i = 0; i < filters.length; i++) tail = filters[i].onResponseBody(tail, true);
    if (tail.length > 0 && host.appendBuffer(host.BufferType.ResponseBody, this.keptBytes, tail) != host.Status.Ok) {
      this.services.log(LogLevel.Error, "clicktrail: the host refused the end of the rewritten response body");
    }
    this.keptBytes = 0;
    return Action.Continue;
  }

  onLog(): void {
    this.services.beginCallback();
    for (let i = 0; i < this.filters.length; i++) this.filters[i].onLog();
    this.services.endCallback();
  }
}
