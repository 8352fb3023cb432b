// The dev proxy: a real HTTP/1.1 server on loopback that runs every request through a proxy-wasm module as
// Envoy's HTTP connection manager would (one stream per request, round-robin over N worker VMs sharing one
// shared-data store) and forwards it to one upstream URL, streaming both bodies. It is a test and demo
// tool, not a production proxy, so it refuses to listen anywhere but loopback.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { LogLevelName } from "../abi/constants.js";
import type { Pair } from "../abi/pairs.js";
import { Host, type LogEntry } from "../envoy/host.js";
import type { FailurePolicy } from "../envoy/core.js";
import type { Profile } from "../envoy/properties.js";
import type { HttpStream } from "../envoy/stream.js";
import { accessLogLine, openAccessLog } from "./access-log.js";
import { clusterHandler } from "./clusters.js";
import { downstreamHeaderMap, hasBody, pseudo, requestHeadersFromNode, responseHeadersFromNode, toNodeHeaders } from "./headers.js";

export interface ProxyOptions {
  wasm: string | Uint8Array;
  config?: unknown;
  vmConfig?: unknown;
  /** "HOST:PORT"; HOST must be loopback. Port 0 picks a free port. */
  listen: string;
  upstream: string;
  workers?: number;
  chunkSize?: number;
  vmId?: string;
  pluginName?: string;
  rootId?: string;
  failurePolicy?: FailurePolicy;
  profile?: Profile;
  logLevel?: LogLevelName;
  /** Where filter and proxy log lines go (default: stderr). */
  log?: (line: string) => void;
  /** Clusters the filter's HTTP callouts may use: name → member URLs (see clusters.ts). */
  clusters?: Record<string, URL[]>;
  /** A file to append an access-log line to per request, in envoy/envoy.yaml's format (access-log.ts). */
  accessLog?: string;
}

export interface RunningProxy {
  host: Host;
  server: http.Server;
  address: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  if (!m) throw new Error(`--listen must be HOST:PORT, got "${listen}"`);
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`--listen port out of range: ${port}`);
  if (!isLoopback(host)) throw new Error(`refusing to listen on ${host}: the dev proxy binds only to loopback (127.0.0.1, ::1, localhost)`);
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function rechunk(data: Buffer, size: number | undefined): Buffer[] {
  if (!size || size <= 0 || data.length <= size) return [data];
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

export async function startProxy(opts: ProxyOptions): Promise<RunningProxy> {
  const { host: bindHost, port } = parseListen(opts.listen);
  const upstream = new URL(opts.upstream);
  if (upstream.protocol !== "http:") throw new Error(`--upstream must be an http:// URL, got ${opts.upstream}`);
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const host = await Host.create({
    wasm: opts.wasm,
    config: opts.config,
    vmConfig: opts.vmConfig,
    workers: opts.workers ?? 1,
    vmId: opts.vmId,
    pluginName: opts.pluginName,
    rootId: opts.rootId,
    failurePolicy: opts.failurePolicy,
    profile: opts.profile,
    logLevel: opts.logLevel ?? "info",
    realTime: true,
    // As Envoy does on start-up: a canary VM is configured (and dropped) before the workers.
    canary: true,
    onLog: (e: LogEntry) => log(`[worker ${e.worker}] ${e.level}: ${e.message}`),
    clusters: Object.fromEntries(Object.entries(opts.clusters ?? {}).map(([name, members]) => [name, clusterHandler(members)])),
  });
  if (!host.configured) {
    host.close();
    throw new Error("the plugin refused its configuration (proxy_on_configure returned false); see the log above");
  }
  const accessLog = opts.accessLog ? openAccessLog(opts.accessLog) : null;
  let connectionIds = 0;
  const connIds = new WeakMap<object, number>();

  const server = http.createServer((req, res) => {
    const sock = req.socket;
    let connId = connIds.get(sock);
    if (connId === undefined) {
      connId = ++connectionIds;
      connIds.set(sock, connId);
    }
    let upstreamReq: http.ClientRequest | null = null;
    let upstreamRes: http.IncomingMessage | null = null;
    let finished = false;
    let upstreamAbandoned = false;
    let stream: HttpStream;
    const startMs = Date.now();
    let bytesSent = 0;
    const done = () => {
      if (finished) return;
      finished = true;
      safe(() => stream.complete());
      accessLog?.write(accessLogLine(stream, { startMs, protocol: `HTTP/${req.httpVersion}`, bytesSent,
        upstreamCluster: upstreamReq ? upstream.host : null }));
    };
    const safe = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        log(`[proxy] error: ${(e as Error).message}`);
        res.destroy();
        upstreamReq?.destroy();
      }
    };

    stream = host.newStream({
      connectionId: connId,
      sourceAddress: `${sock.remoteAddress}:${sock.remotePort}`,
      destinationAddress: `${sock.localAddress}:${sock.localPort}`,
      upstreamAddress: `${upstream.hostname}:${upstream.port || 80}`,
      protocol: `HTTP/${req.httpVersion}`,
      events: {
        upstreamHeaders(headers: Pair[], eos: boolean) {
          const path = pseudo(headers, ":path") ?? "/";
          const method = pseudo(headers, ":method") ?? "GET";
          const authority = pseudo(headers, ":authority");
          // Envoy's router adds the route timeout (15 s by default) for the upstream; filters see it in on_log.
          const sent: Pair[] = [...headers.filter(([k]) => k !== "x-envoy-expected-rq-timeout-ms"), ["x-envoy-expected-rq-timeout-ms", "15000"]];
          const nodeHeaders = toNodeHeaders(sent);
          if (authority !== undefined) nodeHeaders.unshift("host", authority);
          const upstreamStart = Date.now();
          upstreamReq = http.request({
            host: upstream.hostname,
            port: upstream.port || 80,
            method,
            path,
            headers: nodeHeaders as unknown as http.OutgoingHttpHeaders,
            setHost: false,
          });
          upstreamReq.on("response", (ures) => {
            upstreamRes = ures;
            const status = ures.statusCode ?? 502;
            const noBody = method === "HEAD" || status === 204 || status === 304 || !hasBodyResponse(ures);
            // As Envoy's HTTP/1 codec and router hand them to filters: the upstream's connection and
            // transfer-encoding headers kept, x-envoy-upstream-service-time (ms) appended.
            const fromUpstream = responseHeadersFromNode(status, ures.rawHeaders, { keepFraming: true });
            fromUpstream.push(["x-envoy-upstream-service-time", String(Date.now() - upstreamStart)]);
            safe(() => stream.sendResponseHeaders(fromUpstream, { endOfStream: noBody }));
            if (noBody) {
              ures.resume();
              return;
            }
            ures.on("data", (chunk: Buffer) => {
              for (const part of rechunk(chunk, opts.chunkSize)) safe(() => stream.sendResponseBody(part, { endOfStream: false }));
            });
            // The upstream went away after its headers (reset, or a body shorter than announced): Envoy
            // resets the downstream stream, so the client sees a cut-off response, never a clean end.
            const cutOff = () => {
              // Not when the stream itself abandoned the upstream (a local reply is on its way downstream).
              if (ures.complete || finished || upstreamAbandoned) return;
              safe(() => stream.abort("upstream_reset_after_response_started"));
              res.destroy();
            };
            ures.on("aborted", cutOff);
            ures.on("error", cutOff);
            ures.on("close", cutOff);
            ures.on("end", () => {
              const trailers = ures.rawTrailers;
              if (trailers.length) safe(() => stream.sendResponseTrailers(responseHeadersFromNode(0, trailers).slice(1)));
              else safe(() => stream.sendResponseBody(Buffer.alloc(0), { endOfStream: true }));
            });
          });
          upstreamReq.on("error", (e) => {
            if (finished || res.headersSent) {
              res.destroy();
              return;
            }
            safe(() => stream.upstreamFailure(`upstream connect error or disconnect/reset before headers. reset reason: ${e.message}`));
          });
          if (eos) upstreamReq.end();
          return sent;
        },
        upstreamData(data: Buffer, eos: boolean) {
          if (!upstreamReq) return;
          if (data.length && !upstreamReq.write(data)) {
            req.pause();
            upstreamReq.once("drain", () => req.resume());
          }
          if (eos) upstreamReq.end();
        },
        upstreamTrailers(trailers: Pair[]) {
          if (!upstreamReq) return;
          upstreamReq.addTrailers(toNodeHeaders(trailers) as unknown as http.OutgoingHttpHeaders);
          upstreamReq.end();
        },
        upstreamReset() {
          upstreamAbandoned = true;
          upstreamReq?.destroy();
          upstreamRes?.destroy();
        },
        downstreamHeaders(headers: Pair[], eos: boolean) {
          const status = Number(pseudo(headers, ":status") ?? 502);
          const sent = downstreamHeaderMap(headers, wantsClose);
          res.writeHead(status, toNodeHeaders(sent) as unknown as http.OutgoingHttpHeaders);
          if (eos) res.end();
          return sent;
        },
        downstreamData(data: Buffer, eos: boolean) {
          bytesSent += data.length;
          if (data.length && !res.write(data) && upstreamRes) {
            const u = upstreamRes;
            u.pause();
            res.once("drain", () => u.resume());
          }
          if (eos) res.end();
        },
        downstreamTrailers(trailers: Pair[]) {
          res.addTrailers(toNodeHeaders(trailers) as unknown as http.OutgoingHttpHeaders);
          res.end();
        },
        reset(reason: string) {
          log(`[proxy] stream reset: ${reason}`);
          upstreamReq?.destroy();
          res.destroy();
          setImmediate(done);
        },
      },
    });

    res.on("finish", () => setImmediate(done));
    res.on("close", () => {
      if (!res.writableFinished && !finished) {
        safe(() => stream.abort("downstream_remote_disconnect"));
        upstreamReq?.destroy();
      }
      setImmediate(done);
    });

    const body = hasBody(req.rawHeaders);
    const wantsClose = req.httpVersion === "1.0" ? !/keep-alive/i.test(String(req.headers.connection ?? "")) : /(^|,)\s*close\s*($|,)/i.test(String(req.headers.connection ?? ""));
    safe(() =>
      stream.sendRequestHeaders(requestHeadersFromNode(req.method ?? "GET", req.url ?? "/", req.rawHeaders), { endOfStream: !body }),
    );
    if (!body) {
      req.resume();
      return;
    }
    req.on("data", (chunk: Buffer) => safe(() => stream.sendRequestBody(chunk, { endOfStream: false })));
    req.on("end", () => {
      if (req.rawTrailers.length) safe(() => stream.sendRequestTrailers(responseHeadersFromNode(0, req.rawTrailers).slice(1)));
      else safe(() => stream.sendRequestBody(Buffer.alloc(0), { endOfStream: true }));
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, bindHost, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const hostPart = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    host,
    server,
    address: addr.address,
    port: addr.port,
    url: `http://${hostPart}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        host.close();
        server.close(() => void (accessLog ? accessLog.close().then(resolve) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function hasBodyResponse(res: http.IncomingMessage): boolean {
  const te = res.headers["transfer-encoding"];
  if (te) return true;
  const cl = res.headers["content-length"];
  if (cl !== undefined) return cl.trim() !== "0";
  // No framing headers: HTTP/1.1 reads until the connection closes.
  return true;
}
