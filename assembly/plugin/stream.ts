// One HTTP stream: runs each feature's StreamFilter over the headers and body the host hands over, and
// writes their edits back. Envoy forgets a header map once its callback returns Continue, so everything a
// filter needs later is copied into the filter in the callback that can see it.
//
// A filter may wait for an HTTP callout it started (StreamFilter.waiting): the callback then answers Pause,
// the header map stays with the stream, and when exports.ts hands over the callout's answer (with this
// stream as the effective context) the remaining filters run on the same map, its edits go to the host,
// and the stream continues, or is answered locally when the filter asked for that (StreamFilter.localReply).
import { HeaderMap } from "../http/headers";
import { StreamFilter } from "../http/filter";
import { HttpCallResult, LogLevel } from "../http/services";
import { Plugin } from "./root";
import { HostServices } from "./services";
import * as host from "./host";

export const enum Action { Continue = 0, Pause = 1 }

export class HttpStream {
  filters: StreamFilter[] = [];
  services: HostServices;
  /** The filters that rewrite the response body, decided in onResponseHeaders. */
  bodyFilters: StreamFilter[] = [];

  /** While a filter waits: its index, the direction and the header map it works on. */
  waitingAt: i32 = -1;
  waitingResponse: bool = false;
  held: HeaderMap | null = null;

  constructor(public id: u32, public plugin: Plugin) {
    this.services = new HostServices(plugin.services.minLogLevel);
    this.services.contextId = id;
    const features = plugin.features;
    for (let i = 0; i < features.length; i++) {
      const f = features[i].newStream(this.services);
      if (f != null) this.filters.push(f);
    }
  }

  onRequestHeaders(): i32 {
    if (this.filters.length == 0) return Action.Continue;
    return this.runRequest(host.readHeaderMap(host.MapType.RequestHeaders), 0);
  }

  /** Runs the request filters from `from`; Pause when one waits for a callout or replied locally. */
  private runRequest(headers: HeaderMap, from: i32): i32 {
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
    this.bodyFilters = new Array<StreamFilter>();
    return this.runResponse(host.readHeaderMap(host.MapType.ResponseHeaders), 0);
  }

  private runResponse(headers: HeaderMap, from: i32): i32 {
    for (let i = from; i < this.filters.length; i++) {
      const f = this.filters[i];
      if (i > from || this.waitingAt < 0) f.onResponseHeaders(headers);
      this.waitingAt = -1;
      if (this.stopped(f, headers, i, true)) return Action.Pause;
      if (f.rewritesResponseBody()) this.bodyFilters.push(f);
    }
    host.applyHeaderEdits(host.MapType.ResponseHeaders, headers);
    return Action.Continue;
  }

  /** After a filter's step: true when the stream must stop here (waiting, or answered locally). */
  private stopped(f: StreamFilter, headers: HeaderMap, index: i32, response: bool): bool {
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
    host.sendLocalResponse(reply.status, "clicktrail", reply.body, reply.headers);
    return true;
  }

  /** The answer to a callout made for this stream (the effective context is already this stream). */
  onHttpCallResponse(result: HttpCallResult): void {
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
  }

  onResponseBody(size: u32, endOfStream: bool): i32 {
    const filters = this.bodyFilters;
    if (filters.length == 0) return Action.Continue;
    const received = Uint8Array.wrap(host.getBuffer(host.BufferType.ResponseBody, 0, size));
    let chunk = received;
    for (let i = 0; i < filters.length; i++) chunk = filters[i].onResponseBody(chunk, endOfStream);
    // A filter that changed nothing hands back the chunk it was given: the host's copy is already right.
    if (chunk.dataStart == received.dataStart && chunk.length == received.length) return Action.Continue;
    if (host.setBuffer(host.BufferType.ResponseBody, size, chunk) != host.Status.Ok) {
      this.services.log(LogLevel.Error, "clicktrail: the host refused the rewritten response body");
    }
    return Action.Continue;
  }

  onLog(): void {
    for (let i = 0; i < this.filters.length; i++) this.filters[i].onLog();
  }
}
