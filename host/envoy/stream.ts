// One HTTP stream through the wasm filter, modelled on Envoy's FilterManager iteration rules
// (source/common/http/filter_manager.cc commonContinue / commonHandleAfter*Callback) and the wasm
// Context's decode*/encode* (source/extensions/common/wasm/context.cc), with this filter as the only one
// between the downstream client and the router. What the filter returns decides what reaches the other
// side; the model records what is forwarded (requestHeaders/requestBody for upstream, responseHeaders/
// responseBody for downstream) and emits events the dev proxy turns into real I/O.
//
// The rules that make Envoy different from a naive host, each reproduced here:
// * headers: 1 (Pause) becomes StopAllIterationAndWatermark unless allow_on_headers_stop_iteration; values
//   above 4, and any value after send_local_response, are StopAllIterationAndWatermark; 2 is Continue;
// * data: values above 3, or after send_local_response, are StopIterationNoBuffer;
// * after StopAll from headers, arriving chunks are buffered WITHOUT callbacks and delivered as one body
//   callback after continue_stream (iterate_from_current_filter_);
// * while the filter buffers (body returned 1), each new chunk is appended BEFORE the callback and
//   body_size is the buffered total (Envoy >= 1.32);
// * StopIterationAndBuffer / StopAllIterationAndBuffer obey the buffer limit: request 413, response 500
//   (or a reset once response headers went downstream);
// * a headers map is forgotten (BAD_ARGUMENT / empty) once its callback returned Continue, and after
//   continue_stream (which, in Envoy, drops the REQUEST pointers whichever direction is continued);
// * continue_stream, send_local_response and close_stream run after the callback returns;
// * a local reply made before any response headers exist travels through this filter's
//   on_response_headers/on_response_body; one made later goes out directly, or resets the stream;
// * on_log, then on_done, then on_delete.
import {
  BufferType, DataStatus, HeadersStatus, LogLevel, MapType, StreamType, TrailersStatus,
} from "../abi/constants.js";
import type { Pair } from "../abi/pairs.js";
import type { Holder, HostRuntime, VmStream } from "./core.js";
import { addHeader, lowerPairs, removeHeader as removeHeaderPair, setHeader, toBuffer } from "./messages.js";
import type { StreamFacts } from "./properties.js";
import type { WorkerVm } from "./vm.js";

/** Grpc::Utility::httpToGrpcStatus. */
function httpToGrpcStatus(code: number): number {
  switch (code) {
    case 400: return 13;
    case 401: return 16;
    case 403: return 7;
    case 404: return 12;
    case 429: case 502: case 503: case 504: return 14;
    default: return 2;
  }
}

/** grpc-message percent-encoding: bytes outside printable ASCII, and '%'. */
function percentEncode(body: Buffer): string {
  let out = "";
  for (const b of body) out += b < 0x20 || b > 0x7e || b === 0x25 ? `%${b.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(b);
  return out;
}

export interface LocalReply {
  status: number;
  headers: Pair[];
  body: Buffer;
  details: string;
  grpcStatus: number | null;
}

export interface StreamEvents {
  /**
   * Headers forwarded upstream or downstream. A handler may return the map as it finally left: what Envoy's
   * router or connection manager does after the filter chain (adds `x-envoy-expected-rq-timeout-ms`,
   * `server`, `date`, drops hop-by-hop headers). It replaces the forwarded map, so `on_log` and
   * `request|response.total_size` see it, as in Envoy.
   */
  upstreamHeaders?(headers: Pair[], endOfStream: boolean): Pair[] | void;
  upstreamData?(data: Buffer, endOfStream: boolean): void;
  upstreamTrailers?(trailers: Pair[]): void;
  /** The upstream request is abandoned (local reply or reset while it was in flight). */
  upstreamReset?(): void;
  downstreamHeaders?(headers: Pair[], endOfStream: boolean): Pair[] | void;
  downstreamData?(data: Buffer, endOfStream: boolean): void;
  downstreamTrailers?(trailers: Pair[]): void;
  reset?(reason: string): void;
}

export interface StreamOptions {
  worker?: number;
  connectionId?: number;
  sourceAddress?: string;
  destinationAddress?: string;
  upstreamAddress?: string | null;
  protocol?: string;
  requestedServerName?: string;
  mtls?: boolean;
  events?: StreamEvents;
}

type Iteration = "continue" | "single" | "allBuffer" | "allWatermark";

class Side {
  headers: Pair[] | null = null;
  headersVisible = false;
  trailers: Pair[] | null = null;
  trailersVisible = false;
  trailersAddedByFilter = false;
  chunk: Holder | null = null;
  buffered: Holder | null = null;
  buffering = false;
  iteration: Iteration = "continue";
  headersContinued = false;
  observedEnd = false;
  trailersPending = false;
  aborted = false;
  receivedBodyBytes = 0;
  outHeaders: Pair[] | null = null;
  outBody: Buffer[] = [];
  outBodyBytes = 0;
  outTrailers: Pair[] | null = null;
  outEnded = false;
  constructor(readonly isRequest: boolean) {}

  get name() {
    return this.isRequest ? "request" : "response";
  }
}

const copy = (p: Pair[] | null): Pair[] | null => (p ? p.map(([k, v]) => [k, v] as Pair) : null);

function append(holder: Holder | null, data: Buffer): Holder {
  if (!holder) return { data: Buffer.from(data) };
  holder.data = holder.data.length ? Buffer.concat([holder.data, data]) : Buffer.from(data);
  return holder;
}

export class HttpStream implements VmStream {
  readonly request = new Side(true);
  readonly response = new Side(false);
  contextId = 0;
  private contextCreated = false;
  /** Envoy's end_of_stream_: one flag per context, set by the latest headers/data callback. */
  private endOfStream = false;
  private streamFailed = false;
  private failureReplySent = false;
  private responseFromLocalReply = false;
  inLogPhase = false;
  completed = false;
  resetReason: string | null = null;
  upstreamReset = false;
  localReply: LocalReply | null = null;
  responseCodeDetails: string | null = null;
  readonly filterStateBytes = new Map<string, Buffer>();
  /** Names of the callbacks this stream's context received, in order. */
  readonly calls: string[] = [];
  private readonly startNs: bigint;
  private readonly startMonoNs: bigint;
  private durationNs: bigint | null = null;
  private capture: { raw: number | null; taken: boolean } = { raw: null, taken: true };
  private readonly events: StreamEvents;

  constructor(readonly host: HostRuntime, readonly vm: WorkerVm, readonly options: StreamOptions = {}) {
    this.events = options.events ?? {};
    this.startNs = host.realtimeNanos();
    this.startMonoNs = host.monotonicNanos();
  }

  get worker(): number {
    return this.vm.worker;
  }

  // ================================================================ test API

  sendRequestHeaders(headers: ReadonlyArray<readonly [string, string]>, opts: { endOfStream?: boolean } = {}): number | null {
    if (this.request.headers) throw new Error("request headers were already sent on this stream");
    return this.api(() => this.onRequestHeaders(headers, opts.endOfStream ?? false));
  }

  sendRequestBody(body: Buffer | Uint8Array | string, opts: { endOfStream?: boolean } = {}): number | null {
    this.requireRequest();
    return this.api(() => this.receiveData(this.request, toBuffer(body), opts.endOfStream ?? false));
  }

  sendRequestTrailers(trailers: ReadonlyArray<readonly [string, string]>): number | null {
    this.requireRequest();
    return this.api(() => this.receiveTrailers(this.request, trailers));
  }

  sendResponseHeaders(headers: ReadonlyArray<readonly [string, string]>, opts: { endOfStream?: boolean } = {}): number | null {
    this.requireRequest();
    return this.api(() => this.onUpstreamResponseHeaders(headers, opts.endOfStream ?? false));
  }

  sendResponseBody(body: Buffer | Uint8Array | string, opts: { endOfStream?: boolean } = {}): number | null {
    this.requireRequest();
    return this.api(() => {
      if (this.responseFromLocalReply) return;
      this.receiveData(this.response, toBuffer(body), opts.endOfStream ?? false);
    });
  }

  sendResponseTrailers(trailers: ReadonlyArray<readonly [string, string]>): number | null {
    this.requireRequest();
    return this.api(() => {
      if (this.responseFromLocalReply) return;
      this.receiveTrailers(this.response, trailers);
    });
  }

  /** End of the stream: on_log, then on_done, then on_delete (idempotent). */
  complete(): void {
    this.api(() => this.finish());
  }

  get requestHeaders(): Pair[] | null {
    return copy(this.request.outHeaders);
  }
  get requestBody(): Buffer {
    return Buffer.concat(this.request.outBody);
  }
  get requestTrailers(): Pair[] | null {
    return copy(this.request.outTrailers);
  }
  get requestEnded(): boolean {
    return this.request.outEnded;
  }
  get responseHeaders(): Pair[] | null {
    return copy(this.response.outHeaders);
  }
  get responseBody(): Buffer {
    return Buffer.concat(this.response.outBody);
  }
  get responseTrailers(): Pair[] | null {
    return copy(this.response.outTrailers);
  }
  get responseEnded(): boolean {
    return this.response.outEnded;
  }
  /** set_property values by name, as byte strings. */
  get filterState(): Map<string, string> {
    return new Map([...this.filterStateBytes].map(([k, v]) => [k, v.toString("latin1")]));
  }
  get reset(): string | null {
    return this.resetReason;
  }

  /** Records a callback in s.calls when the module exports it (and the VM can still run). */
  private note(name: string): void {
    if (!this.vm.failed && this.vm.abi.has(name)) this.calls.push(name);
  }

  private requireRequest(): void {
    if (!this.request.headers) throw new Error("send the request headers first");
  }

  private api(fn: () => void): number | null {
    this.capture = { raw: null, taken: false };
    fn();
    this.host.settle();
    const raw = this.capture.raw;
    this.capture = { raw: null, taken: true };
    return raw;
  }

  // ================================================================ filter manager

  private onRequestHeaders(headers: ReadonlyArray<readonly [string, string]>, eos: boolean): void {
    const vm = this.vm;
    if (vm.failed && this.host.failurePolicy === "fail_open") {
      // FAIL_OPEN: Envoy does not even add the filter to this stream.
      this.receiveHeaders(this.request, headers, eos);
      return;
    }
    if (!vm.failed) this.createContext();
    this.receiveHeaders(this.request, headers, eos);
  }

  private createContext(): void {
    if (this.contextCreated || this.vm.failed) return;
    this.contextId = this.vm.newContextId(this);
    this.contextCreated = true;
    this.note("proxy_on_context_create");
    this.vm.call(this.contextId, "proxy_on_context_create", [this.contextId, this.vm.rootContextId]);
  }

  private onUpstreamResponseHeaders(headers: ReadonlyArray<readonly [string, string]>, eos: boolean): void {
    if (this.responseFromLocalReply || this.response.aborted || this.resetReason) return;
    if (this.response.headers) throw new Error("response headers were already sent on this stream");
    this.receiveHeaders(this.response, headers, eos);
  }

  private filterActive(): boolean {
    if (!this.contextCreated) return false;
    if (this.failureReplySent) return false;
    if (this.vm.failed && this.host.failurePolicy === "fail_open") return false;
    return true;
  }

  /**
   * One callback with cpp-host's CHECK_FAIL_HTTP around it: on a failed VM, fail-open answers Continue
   * and fail-closed sends the 503 "wasm_fail_stream" reply once and answers the stop status.
   */
  private invoke(side: Side, name: string, args: number[], map: (raw: number) => number, stop: number): number {
    const vm = this.vm;
    if (!vm.failed) {
      vm.stopNextIteration = false;
      this.note(name);
      const raw = vm.call(this.contextId, name, args, { defer: true });
      if (!this.capture.taken) {
        this.capture = { raw, taken: true };
      }
      if (!vm.failed) {
        const status = raw === null ? 0 : map(raw);
        vm.stopNextIteration = false;
        return status;
      }
    }
    if (this.host.failurePolicy === "fail_open") return 0;
    if (!this.streamFailed) {
      this.streamFailed = true;
      this.failStream(side);
    }
    return stop;
  }

  private mapHeaders = (raw: number): number => {
    if (this.vm.stopNextIteration || raw > HeadersStatus.StopAllIterationAndWatermark) {
      return HeadersStatus.StopAllIterationAndWatermark;
    }
    if (raw === HeadersStatus.StopIteration && !this.host.allowOnHeadersStopIteration) {
      return HeadersStatus.StopAllIterationAndWatermark;
    }
    if (raw === HeadersStatus.ContinueAndEndStream) return HeadersStatus.Continue;
    return raw;
  };

  private mapData = (raw: number): number =>
    this.vm.stopNextIteration || raw > DataStatus.StopIterationNoBuffer ? DataStatus.StopIterationNoBuffer : raw;

  private mapTrailers = (raw: number): number =>
    this.vm.stopNextIteration || raw > TrailersStatus.StopIteration ? TrailersStatus.StopIteration : raw;

  private receiveHeaders(side: Side, headers: ReadonlyArray<readonly [string, string]>, eos: boolean): void {
    side.headers = lowerPairs(headers);
    side.observedEnd = eos;
    if (!this.filterActive()) {
      if (!side.isRequest || !this.vm.failed || this.host.failurePolicy === "fail_open" || this.failureReplySent) {
        side.headersContinued = true;
        this.forwardHeaders(side, eos);
        return;
      }
      // FAIL_CLOSED on a VM that failed before this stream: no context, just the 503.
      this.streamFailed = true;
      this.failStream(side);
      return;
    }
    side.headersVisible = true;
    this.endOfStream = eos;
    const nginx = this.host.profile === "nginx";
    const name = side.isRequest ? "proxy_on_request_headers" : "proxy_on_response_headers";
    const args = this.vm.abiVersion === "0.1.0"
      ? [this.contextId, side.headers.length]
      : [this.contextId, side.headers.length, nginx ? 0 : eos ? 1 : 0];
    let status = this.invoke(side, name, args, this.mapHeaders, HeadersStatus.StopAllIterationAndWatermark);
    if (nginx && !side.isRequest && status !== HeadersStatus.Continue) {
      // ngx_wasm_module cannot pause in the response headers phase [unverified exact log text].
      this.host.emitLog(this.worker, LogLevel.Error, "bad \"on_response_headers\" return action: \"PAUSE\"", true);
      status = HeadersStatus.Continue;
    }
    if (side.aborted) {
      this.vm.drainAfterActions();
      return;
    }
    if (status === HeadersStatus.Continue) {
      side.headersVisible = false;
      side.headersContinued = true;
      this.forwardHeaders(side, eos);
    } else if (status === HeadersStatus.StopIteration) {
      side.iteration = "single";
    } else if (status === HeadersStatus.StopAllIterationAndBuffer) {
      side.iteration = "allBuffer";
    } else {
      side.iteration = "allWatermark";
    }
    this.vm.drainAfterActions();
  }

  private receiveData(side: Side, data: Buffer, eos: boolean): void {
    if (side.aborted || side.outEnded || this.resetReason || this.completed) return;
    if (side.observedEnd) throw new Error(`the ${side.name} already ended`);
    side.observedEnd = eos;
    side.receivedBodyBytes += data.length;
    if (!this.filterActive()) {
      if (side.iteration === "continue") this.forwardData(side, data, eos);
      return;
    }
    if (side.iteration === "allBuffer" || side.iteration === "allWatermark") {
      side.buffered = append(side.buffered, data);
      if (side.iteration === "allBuffer" && side.buffered.data.length > this.host.bufferLimit) this.tooLarge(side);
      return;
    }
    this.deliverData(side, { data }, eos, false);
  }

  private deliverData(side: Side, holder: Holder, eos: boolean, fromBuffered: boolean): void {
    const nginxResponse = this.host.profile === "nginx" && !side.isRequest;
    const wasBuffering = side.buffering;
    if (side.buffering && !fromBuffered) {
      // Envoy >= 1.32 (envoyproxy/envoy#36411): the new chunk joins the buffer before the callback.
      side.buffered = append(side.buffered, holder.data);
      holder = { data: Buffer.alloc(0) };
      // Envoy 1.40 checks the limit here only for responses: a response chunk that takes the buffer over
      // the limit never reaches the module. A request chunk does: on_request_body sees the over-limit
      // total, and the 413 follows when it asks to buffer again (docs/host.md, "Checked against Envoy").
      if (!side.isRequest && !nginxResponse && side.buffered.data.length > this.host.bufferLimit) {
        this.tooLarge(side);
        if (side.aborted || this.resetReason) return;
      }
      // ngx_wasm_module calls again only at the end of the body or when its buffers are full.
      if (nginxResponse && !eos && side.buffered.data.length < this.host.nginxResponseBufferBytes) return;
    }
    side.chunk = holder;
    this.endOfStream = eos;
    const size = side.buffering ? side.buffered!.data.length : holder.data.length;
    const name = side.isRequest ? "proxy_on_request_body" : "proxy_on_response_body";
    let status = this.invoke(side, name, [this.contextId, size, eos ? 1 : 0], this.mapData, DataStatus.StopIterationNoBuffer);
    side.buffering = false;
    if (nginxResponse && (wasBuffering || eos) && status !== DataStatus.Continue) {
      this.host.emitLog(this.worker, LogLevel.Error, "buffers full or end of body reached: second pause ignored", true);
      status = DataStatus.Continue;
    }
    if (side.aborted || this.resetReason) {
      this.vm.drainAfterActions();
      return;
    }
    if (status === DataStatus.Continue) {
      side.chunk = null;
      if (side.iteration === "single") {
        if (holder.data.length) side.buffered = append(side.buffered, holder.data);
        else if (eos && !side.buffered) side.buffered = { data: Buffer.alloc(0) };
        this.commonContinue(side);
      } else if (side.buffered) {
        const d = Buffer.concat([side.buffered.data, holder.data]);
        side.buffered = null;
        this.forwardData(side, d, eos);
      } else {
        this.forwardData(side, holder.data, eos);
      }
    } else {
      side.iteration = "single";
      if (status === DataStatus.StopIterationAndBuffer || status === DataStatus.StopIterationAndWatermark) {
        if (holder.data.length || !side.buffered) side.buffered = append(side.buffered, holder.data);
        if (status === DataStatus.StopIterationAndBuffer) {
          side.buffering = true;
          if (!nginxResponse && side.buffered.data.length > this.host.bufferLimit) this.tooLarge(side);
        }
      } else if (eos && !side.buffered) {
        // StopIterationNoBuffer drops the chunk; an empty buffer still carries end_stream on continue.
        side.buffered = { data: Buffer.alloc(0) };
      }
    }
    this.vm.drainAfterActions();
  }

  private receiveTrailers(side: Side, trailers: ReadonlyArray<readonly [string, string]>): void {
    if (side.aborted || side.outEnded || this.resetReason || this.completed) return;
    if (side.observedEnd) throw new Error(`the ${side.name} already ended`);
    side.observedEnd = true;
    side.trailers = lowerPairs(trailers);
    side.trailersPending = true;
    if (!this.filterActive()) {
      if (side.iteration === "continue") {
        side.trailersPending = false;
        this.forwardTrailers(side);
      }
      return;
    }
    if (side.iteration === "allBuffer" || side.iteration === "allWatermark") return;
    this.deliverTrailers(side);
  }

  private deliverTrailers(side: Side): void {
    let status: number = TrailersStatus.Continue;
    side.trailersVisible = true;
    // ngx_wasm_module has no trailer callbacks.
    if (this.host.profile !== "nginx") {
      const name = side.isRequest ? "proxy_on_request_trailers" : "proxy_on_response_trailers";
      status = this.invoke(side, name, [this.contextId, side.trailers!.length], this.mapTrailers, TrailersStatus.StopIteration);
    }
    if (side.aborted || this.resetReason) {
      this.vm.drainAfterActions();
      return;
    }
    if (status === TrailersStatus.Continue) {
      side.trailersVisible = false;
      if (side.iteration === "single") this.commonContinue(side);
      else {
        side.trailersPending = false;
        this.forwardTrailers(side);
      }
    } else {
      side.iteration = "single";
    }
    this.vm.drainAfterActions();
  }

  /** FilterManager ActiveStreamFilterBase::commonContinue. */
  private commonContinue(side: Side): void {
    if (side.aborted || this.resetReason || this.completed) return;
    if (side.iteration === "continue" && side.headersContinued) return;
    const wasAll = side.iteration === "allBuffer" || side.iteration === "allWatermark";
    side.iteration = "continue";
    if (!side.headersContinued) {
      side.headersContinued = true;
      this.forwardHeaders(side, side.observedEnd && !side.buffered && !side.trailersPending);
    }
    const hadTrailers = side.trailersPending;
    if (side.buffered) {
      const holder = side.buffered;
      side.buffered = null;
      if (wasAll) this.deliverData(side, holder, side.observedEnd && !hadTrailers, true);
      else this.forwardData(side, holder.data, side.observedEnd && !hadTrailers);
    }
    if (hadTrailers && !side.aborted && !this.resetReason) {
      if (wasAll) {
        const it = side.iteration as Iteration;
        if (it !== "allBuffer" && it !== "allWatermark") this.deliverTrailers(side);
      } else {
        side.trailersPending = false;
        this.forwardTrailers(side);
      }
    }
  }

  private forwardHeaders(side: Side, eos: boolean): void {
    side.outHeaders = copy(side.headers) ?? [];
    if (eos) side.outEnded = true;
    const added = side.isRequest
      ? this.events.upstreamHeaders?.(copy(side.outHeaders)!, eos)
      : this.events.downstreamHeaders?.(copy(side.outHeaders)!, eos);
    if (added) side.outHeaders = lowerPairs(added);
  }

  private forwardData(side: Side, data: Buffer, eos: boolean): void {
    const addTrailers = eos && side.trailersAddedByFilter && !side.outTrailers;
    if (addTrailers) eos = false;
    if (data.length || eos) {
      side.outBody.push(Buffer.from(data));
      side.outBodyBytes += data.length;
      if (eos) side.outEnded = true;
      if (side.isRequest) this.events.upstreamData?.(Buffer.from(data), eos);
      else this.events.downstreamData?.(Buffer.from(data), eos);
    }
    if (addTrailers) this.forwardTrailers(side);
  }

  private forwardTrailers(side: Side): void {
    side.outTrailers = copy(side.trailers) ?? [];
    side.outEnded = true;
    if (side.isRequest) this.events.upstreamTrailers?.(copy(side.outTrailers)!);
    else this.events.downstreamTrailers?.(copy(side.outTrailers)!);
  }

  // ================================================================ actions requested by the module

  requestContinue(type: number): void {
    // Envoy Context::continueStream drops the cached REQUEST header/body/trailer pointers immediately,
    // for either direction (that is what its source does), and defers the resume itself.
    this.request.headersVisible = false;
    this.request.chunk = null;
    this.request.trailersVisible = false;
    const side = type === StreamType.Request ? this.request : this.response;
    this.vm.addAfterAction(() => this.commonContinue(side));
  }

  requestClose(): void {
    if (this.responseCodeDetails === null) this.responseCodeDetails = "wasm_close_stream";
    this.vm.addAfterAction(() => this.doReset("wasm_close_stream"));
  }

  requestLocalReply(code: number, details: string, body: Buffer, headers: Pair[], grpcStatus: number): void {
    // Copies now: the guest memory the values came from may be reused before the deferred reply runs.
    const h = headers.map(([k, v]) => [k.toLowerCase(), v] as Pair);
    const b = Buffer.from(body);
    this.vm.addAfterAction(() => this.doLocalReply(code, details, b, h, grpcStatus));
  }

  /** cpp-host failStream: the 503 is sent once; Envoy's encode callbacks then skip the VM. */
  private failStream(_side: Side): void {
    this.failureReplySent = true;
    this.doLocalReply(503, "wasm_fail_stream", Buffer.alloc(0), [], 14);
  }

  private tooLarge(side: Side): void {
    if (side.isRequest) {
      this.doLocalReply(413, "request_payload_too_large", Buffer.from("Payload Too Large"), [], -1);
    } else if (this.response.outHeaders) {
      // Envoy's on_log then reads response.code_details "response_payload_too_large" (checked against 1.40).
      this.responseCodeDetails = "response_payload_too_large";
      this.doReset("response_payload_too_large");
    } else {
      this.doLocalReply(500, "response_payload_too_large", Buffer.from("Internal Server Error"), [], -1);
    }
  }

  private doLocalReply(code: number, details: string, body: Buffer, extra: Pair[], grpcStatus: number): void {
    if (this.completed || this.resetReason || this.localReply) return;
    const requestedBody = Buffer.from(body);
    // C++, Rust and AS SDKs pass -1 for "no gRPC status"; Envoy keeps only 0..16.
    const grpc = grpcStatus >= 0 && grpcStatus <= 16 ? grpcStatus : null;
    const reqHeaders = this.request.headers ?? [];
    const isGrpc = (reqHeaders.find(([k]) => k === "content-type")?.[1] ?? "").startsWith("application/grpc");
    const isHead = reqHeaders.find(([k]) => k === ":method")?.[1] === "HEAD";
    // Http::Utility::sendLocalReply: :status, the caller's headers, then framing headers.
    const headers: Pair[] = [[":status", String(code)]];
    for (const [k, v] of extra) addHeader(headers, k, v);
    if (isGrpc) {
      // A trailers-only gRPC response: 200, grpc-status (from the code when none given), grpc-message.
      setHeader(headers, ":status", "200");
      setHeader(headers, "content-type", "application/grpc");
      if (!headers.some(([k]) => k === "grpc-status")) addHeader(headers, "grpc-status", String(grpc ?? httpToGrpcStatus(code)));
      if (body.length && !isHead) addHeader(headers, "grpc-message", percentEncode(body));
      removeHeaderPair(headers, "content-length");
      body = Buffer.alloc(0);
    } else if (body.length) {
      setHeader(headers, "content-length", String(body.length));
      if (!headers.some(([k]) => k === "content-type")) addHeader(headers, "content-type", "text/plain");
      if (isHead) body = Buffer.alloc(0);
    }
    const cleanDetails = details.replace(/\s/g, "_");
    this.localReply = { status: code, headers: copy(headers)!, body: requestedBody, details: cleanDetails, grpcStatus: grpc };
    this.responseCodeDetails = cleanDetails;
    const req = this.request;
    const resp = this.response;
    if (resp.outHeaders) {
      this.doReset("local reply after response headers were sent");
      return;
    }
    // The exchange with the upstream is abandoned if it is still in flight.
    const inFlight = req.outHeaders !== null && (!req.outEnded || (resp.headers !== null && !resp.observedEnd) || resp.headers === null);
    req.aborted = true;
    if (inFlight && !this.upstreamReset) {
      this.upstreamReset = true;
      this.events.upstreamReset?.();
    }
    if (!resp.headers) {
      // No response yet: the reply is encoded through the filter chain, this filter included.
      this.responseFromLocalReply = true;
      this.receiveHeaders(resp, headers, body.length === 0);
      if (body.length && !resp.aborted && !this.resetReason) this.receiveData(resp, body, true);
    } else {
      // Response headers exist but have not gone downstream: Envoy sends the reply directly.
      resp.aborted = true;
      resp.outHeaders = copy(headers)!;
      const added = this.events.downstreamHeaders?.(copy(headers)!, body.length === 0);
      if (added) resp.outHeaders = lowerPairs(added);
      if (body.length) {
        resp.outBody.push(Buffer.from(body));
        resp.outBodyBytes += body.length;
        this.events.downstreamData?.(Buffer.from(body), true);
      }
      resp.outEnded = true;
    }
  }

  private doReset(reason: string): void {
    if (this.completed || this.resetReason) return;
    this.resetReason = reason;
    this.request.aborted = true;
    this.response.aborted = true;
    if (this.request.outHeaders && !this.request.outEnded) this.upstreamReset = true;
    this.events.reset?.(reason);
  }

  /**
   * The router could not get a response (dev proxy: connect error): Envoy's router answers with a local
   * 503 that travels back through the encoder chain, this filter included.
   */
  upstreamFailure(message: string): void {
    this.api(() => this.doLocalReply(503, "upstream_reset_before_response_started{connection_failure}", Buffer.from(message), [], -1));
  }

  /** Downstream or upstream went away (dev proxy): Envoy resets the stream, then logs and destroys it. */
  abort(reason: string): void {
    this.doReset(reason);
  }

  private finish(): void {
    if (this.completed) return;
    this.completed = true;
    this.durationNs = this.host.monotonicNanos() - this.startMonoNs;
    const vm = this.vm;
    const skipped = vm.failed;
    if (!this.contextCreated && !skipped) this.createContext();
    if (!this.contextCreated) return;
    if (vm.failed) {
      // Envoy destroys the stream's context without calling into a failed VM.
      vm.releaseContext(this.contextId);
      return;
    }
    this.inLogPhase = true;
    this.note("proxy_on_log");
    vm.call(this.contextId, "proxy_on_log", [this.contextId]);
    this.inLogPhase = false;
    // Envoy's onDestroy calls on_done and on_delete back to back whatever on_done answers.
    this.note("proxy_on_done");
    vm.call(this.contextId, "proxy_on_done", [this.contextId]);
    this.note("proxy_on_delete");
    vm.call(this.contextId, "proxy_on_delete", [this.contextId]);
    vm.releaseContext(this.contextId);
  }

  // ================================================================ what host calls see

  /** Envoy getConstMap: the access-log maps in on_log, otherwise the live pointers. */
  constMap(type: number): Pair[] | null {
    if (this.inLogPhase) {
      // What left the filter chain, as the router and connection manager finished it (Envoy logs the
      // same header map objects it sent).
      if (type === MapType.RequestHeaders) return this.request.outHeaders ?? this.request.headers;
      if (type === MapType.ResponseHeaders) return this.response.outHeaders ?? this.response.headers;
      if (type === MapType.ResponseTrailers) return this.response.trailers;
      return null;
    }
    if (type === MapType.RequestHeaders) return this.request.headersVisible ? this.request.headers : null;
    if (type === MapType.RequestTrailers) return this.request.trailersVisible ? this.request.trailers : null;
    if (type === MapType.ResponseHeaders) return this.response.headersVisible ? this.response.headers : null;
    if (type === MapType.ResponseTrailers) return this.response.trailersVisible ? this.response.trailers : null;
    return null;
  }

  /** Envoy getMap: live pointers; trailers may be CREATED from the last body callback of a message. */
  mutableMap(type: number): Pair[] | null {
    if (type === MapType.RequestHeaders) return this.request.headersVisible ? this.request.headers : null;
    if (type === MapType.ResponseHeaders) return this.response.headersVisible ? this.response.headers : null;
    if (type === MapType.RequestTrailers || type === MapType.ResponseTrailers) {
      const side = type === MapType.RequestTrailers ? this.request : this.response;
      if (side.trailersVisible) return side.trailers;
      if (!side.trailers && side.chunk && this.endOfStream && this.host.profile !== "nginx") {
        side.trailers = [];
        side.trailersVisible = true;
        side.trailersAddedByFilter = true;
        return side.trailers;
      }
      return null;
    }
    return null;
  }

  headersModified(_type: number): void {
    // Envoy clears the route cache here; the harness has a single route, so there is nothing to redo.
  }

  bodyBuffer(type: number): Holder | null {
    const side = type === BufferType.HttpRequestBody ? this.request : this.response;
    if (side.buffering && side.buffered) return side.buffered;
    return side.chunk;
  }

  facts(): StreamFacts {
    const o = this.options;
    const reqHeaders = this.request.headersVisible
      ? this.request.headers
      : this.inLogPhase ? this.request.outHeaders ?? this.request.headers : null;
    const respHeaders = this.response.headersVisible
      ? this.response.headers
      : this.inLogPhase ? this.response.outHeaders ?? this.response.headers : null;
    const status = (this.response.outHeaders ?? this.response.headers)?.find(([k]) => k === ":status")?.[1];
    return {
      requestHeaders: reqHeaders,
      responseHeaders: respHeaders,
      responseTrailers: this.response.trailersVisible || this.inLogPhase ? this.response.trailers : null,
      requestStartNs: this.startNs,
      protocol: o.protocol ?? "HTTP/1.1",
      connectionId: o.connectionId ?? 0,
      sourceAddress: o.sourceAddress ?? "127.0.0.1:40000",
      destinationAddress: o.destinationAddress ?? "127.0.0.1:10000",
      // Envoy knows the upstream host once the router picked it, i.e. after the request headers left
      // the filter chain; before that, and for a stream answered locally, upstream.* is NOT_FOUND.
      upstreamAddress: this.request.outHeaders ? o.upstreamAddress ?? null : null,
      requestedServerName: o.requestedServerName ?? "",
      mtls: o.mtls ?? false,
      responseCode: status !== undefined && /^\d+$/.test(status) ? Number(status) : null,
      responseCodeDetails: this.responseCodeDetails ?? (status !== undefined ? "via_upstream" : null),
      requestBodyBytes: this.request.receivedBodyBytes,
      responseBodyBytes: this.response.outBodyBytes,
      requestComplete: this.completed,
      durationNs: this.inLogPhase ? this.durationNs : null,
      filterState: this.filterStateBytes,
    };
  }
}
