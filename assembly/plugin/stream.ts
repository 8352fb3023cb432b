// One HTTP stream: runs each feature's StreamFilter over the headers and body the host hands over, and
// writes their edits back. Envoy forgets a header map once its callback returns Continue, so everything a
// filter needs later is copied into the filter in the callback that can see it.
import { StreamFilter } from "../http/filter";
import { LogLevel } from "../http/services";
import { Plugin } from "./root";
import { HostServices } from "./services";
import * as host from "./host";

export const enum Action { Continue = 0 }

export class HttpStream {
  filters: StreamFilter[] = [];
  services: HostServices;
  /** The filters that rewrite the response body, decided in onResponseHeaders. */
  bodyFilters: StreamFilter[] = [];

  constructor(public id: u32, public plugin: Plugin) {
    this.services = new HostServices(plugin.services.minLogLevel, true);
    const features = plugin.features;
    for (let i = 0; i < features.length; i++) {
      const f = features[i].newStream(this.services);
      if (f != null) this.filters.push(f);
    }
  }

  onRequestHeaders(): i32 {
    if (this.filters.length == 0) return Action.Continue;
    this.services.beginCallback();
    const headers = host.readHeaderMap(host.MapType.RequestHeaders);
    for (let i = 0; i < this.filters.length; i++) this.filters[i].onRequestHeaders(headers);
    host.applyHeaderEdits(host.MapType.RequestHeaders, headers);
    this.services.endCallback();
    return Action.Continue;
  }

  onResponseHeaders(): i32 {
    if (this.filters.length == 0) return Action.Continue;
    this.services.beginCallback();
    const headers = host.readHeaderMap(host.MapType.ResponseHeaders);
    const body = new Array<StreamFilter>();
    for (let i = 0; i < this.filters.length; i++) {
      const f = this.filters[i];
      f.onResponseHeaders(headers);
      if (f.rewritesResponseBody()) body.push(f);
    }
    this.bodyFilters = body;
    host.applyHeaderEdits(host.MapType.ResponseHeaders, headers);
    this.services.endCallback();
    return Action.Continue;
  }

  onResponseBody(size: u32, endOfStream: bool): i32 {
    const filters = this.bodyFilters;
    if (filters.length == 0) return Action.Continue;
    this.services.beginCallback();
    const received = Uint8Array.wrap(host.getBuffer(host.BufferType.ResponseBody, 0, size));
    let chunk = received;
    for (let i = 0; i < filters.length; i++) chunk = filters[i].onResponseBody(chunk, endOfStream);
    // A filter that changed nothing hands back the chunk it was given: the host's copy is already right.
    if ((chunk.dataStart != received.dataStart || chunk.length != received.length) &&
        host.setBuffer(host.BufferType.ResponseBody, size, chunk) != host.Status.Ok) {
      this.services.log(LogLevel.Error, "clicktrail: the host refused the rewritten response body");
    }
    this.services.endCallback();
    return Action.Continue;
  }

  onLog(): void {
    this.services.beginCallback();
    for (let i = 0; i < this.filters.length; i++) this.filters[i].onLog();
    this.services.endCallback();
  }
}
