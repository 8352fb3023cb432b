// The differential harness: one module, one configuration, one upstream, the same requests, sent through
// the Node host's dev proxy (host/server/proxy.ts) and through real Envoy (tests/support/envoy.mjs), and
// what the module observed (its proxy_log lines) and what the client got, side by side.
//
// Both sides log the module's proxy_log lines with the worker they ran on: the dev proxy as
// `[worker N] info: …`, Envoy on stderr as `[time][thread][info][wasm] [file:line] wasm log <prefix>: …`
// (with --component-log-level wasm:info). `exchange()` sends one request to one side and returns the
// response plus the log lines of the stream it made, grouped by (worker, context id), once that stream's
// `on_delete` was logged, so the request/response and the full callback sequence belong together.
import http from "node:http";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProxy } from "../../dist/host/server/proxy.js";
import { freePort } from "./processes.mjs";
import { startEnvoy, testBootstrap } from "./envoy.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The tests' upstream. `GET /pieces/<a>,<b>,…` answers 200 text/plain with a chunked body written as pieces
 * of those lengths (letters a, b, c… repeated), pausing `pauseMs` between writes so that each write reaches
 * the filter as its own chunk. `/cookies` answers two set-cookie headers. `/big/<n>` answers n bytes
 * (content-length) in 16 KiB writes. `/html` answers a small page written in three pieces. Anything else echoes what arrived: `<method> <url> <body length>`.
 * `seen` holds every request as received (method, url, raw headers, body).
 */
export async function startUpstream({ pauseMs = 40 } = {}) {
  const seen = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, body });
      const pieces = /^\/pieces\/([\d,]+)(?:\?.*)?$/.exec(req.url);
      if (pieces) {
        res.writeHead(200, { "content-type": "text/plain" });
        const sizes = pieces[1].split(",").map(Number);
        for (let i = 0; i < sizes.length; i++) {
          if (i) await sleep(pauseMs);
          res.write(String.fromCharCode(97 + (i % 26)).repeat(sizes[i]));
        }
        await sleep(pauseMs);
        res.end();
        return;
      }
      if (req.url === "/html") {
        // A tag, an attribute value and a character reference each split across two writes.
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        const parts = ['<!doctype html><p><a hr', 'ef="/next">next</a> <a href="/a?x=1&am', 'p;y=2">b</a></p>\n'];
        for (let i = 0; i < parts.length; i++) {
          if (i) await sleep(pauseMs);
          res.write(parts[i]);
        }
        res.end();
        return;
      }
      if (req.url === "/cookies") {
        res.writeHead(200, [["content-type", "text/plain"], ["set-cookie", "a=1; Path=/"], ["set-cookie", "b=2"], ["content-length", "2"]]);
        res.end("ok");
        return;
      }
      const big = /^\/big\/(\d+)$/.exec(req.url);
      if (big) {
        const n = Number(big[1]);
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(n) });
        for (let sent = 0; sent < n; sent += 16384) {
          if (!res.write(Buffer.alloc(Math.min(16384, n - sent), 120))) await new Promise((r) => res.once("drain", r));
        }
        res.end();
        return;
      }
      const text = `${req.method} ${req.url} ${body.length}`;
      res.writeHead(200, { "content-type": "text/plain", "content-length": String(Buffer.byteLength(text)) });
      res.end(text);
    });
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return {
    port, seen,
    close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

/** Splits log lines `{worker, message}` of the module into streams keyed by worker and context id. */
function streamsOf(lines, rootContexts) {
  const streams = new Map();
  for (const { worker, message } of lines) {
    const m = /^probe (\d+) (\S+)(.*)$/.exec(message);
    if (!m) continue;
    const ctx = Number(m[1]);
    if (rootContexts.has(ctx)) continue;
    const key = `${worker}/${ctx}`;
    if (!streams.has(key)) streams.set(key, []);
    streams.get(key).push(`${m[2]}${m[3]}`);
  }
  return streams;
}

function side(name, port, logLines, close) {
  let taken = new Set();
  return {
    name, port, logLines, close,
    /** The module's lines of every stream not yet returned whose on_delete was logged. */
    finishedStreams() {
      const out = [];
      for (const [key, events] of streamsOf(logLines(), new Set([1]))) {
        if (taken.has(key) || !events.some((e) => e.startsWith("delete"))) continue;
        taken.add(key);
        out.push({ key, events });
      }
      return out;
    },
    forget() {
      taken = new Set(streamsOf(logLines(), new Set([1])).keys());
    },
  };
}

/** The dev proxy with `wasm` (bytes or path) and `config`, in front of `upstreamPort`. */
export async function nodeSide({ wasm, config = "", upstreamPort, workers = 2 }) {
  const lines = [];
  const proxy = await startProxy({
    wasm, config, listen: "127.0.0.1:0", upstream: `http://127.0.0.1:${upstreamPort}`, workers,
    vmId: "clicktrail", pluginName: "clicktrail", logLevel: "info",
    log: (line) => {
      const m = /^\[worker (-?\d+)\] (\w+): ([\s\S]*)$/.exec(line);
      if (m) lines.push({ worker: m[1], level: m[2], message: m[3] });
    },
  });
  return side("node", proxy.port, () => lines, () => proxy.close());
}

/** Real Envoy from envoy/envoy.yaml with `wasm` (bytes or path) and `config`, in front of `upstreamPort`. */
export async function envoySide({ wasm, config = "", upstreamPort, concurrency = 2, edit }) {
  let dir;
  let wasmPath = wasm;
  if (typeof wasm !== "string") {
    dir = mkdtempSync(join(tmpdir(), "clicktrail-diff-"));
    wasmPath = join(dir, "module.wasm");
    writeFileSync(wasmPath, wasm);
  }
  const envoy = await startEnvoy((ports) => testBootstrap({
    ...ports, wasm: wasmPath, pluginConfig: config, upstreams: { web1: upstreamPort, web2: upstreamPort }, edit,
  }), { concurrency, componentLogLevel: "wasm:info" });
  const parse = () => {
    const out = [];
    for (const line of envoy.stderr().split("\n")) {
      const m = /^\[[^\]]+\]\[(\d+)\]\[(\w+)\]\[wasm\] \[[^\]]+\] wasm log [^:]*: (.*)$/.exec(line);
      if (m) out.push({ worker: m[1], level: m[2], message: m[3] });
    }
    return out;
  };
  return side("envoy", envoy.port, parse, async () => {
    await envoy.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
}

/**
 * One HTTP/1.1 request on its own connection. `bodyPieces` are written with `pauseMs` between them (chunked
 * unless `headers` has content-length). Resolves to { status, rawHeaders, body } or { error } when the
 * connection was reset.
 */
export function request(port, { method = "GET", path = "/", headers = {}, bodyPieces, pauseMs = 40 } = {}) {
  return new Promise((resolve) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString("latin1") }));
      res.on("error", (e) => resolve({ error: e.code ?? e.message }));
    });
    req.on("error", (e) => resolve({ error: e.code ?? e.message }));
    (async () => {
      for (let i = 0; i < (bodyPieces ?? []).length; i++) {
        if (i) await sleep(pauseMs);
        req.write(bodyPieces[i]);
      }
      req.end();
    })();
  });
}

/** Sends one request to a side and waits (up to 10 s) for the module's lines of the stream it made. */
export async function exchange(s, opts) {
  s.forget();
  const response = await request(s.port, opts);
  const deadline = Date.now() + 10000;
  for (;;) {
    const done = s.finishedStreams();
    if (done.length) return { response, events: done[0].events, streams: done };
    if (Date.now() > deadline) return { response, events: null, streams: [] };
    await sleep(20);
  }
}

// ------------------------------------------------------------------ decoding what the probe logged

/** Decodes the proxy-wasm pairs encoding (hex) into [name, value] byte strings. */
export function decodePairs(hex) {
  if (hex === "-") return [];
  const b = Buffer.from(hex, "hex");
  const n = b.readUInt32LE(0);
  const sizes = [];
  for (let i = 0; i < n; i++) sizes.push([b.readUInt32LE(4 + i * 8), b.readUInt32LE(8 + i * 8)]);
  let p = 4 + n * 8;
  return sizes.map(([kl, vl]) => {
    const k = b.toString("latin1", p, p + kl);
    p += kl + 1;
    const v = b.toString("latin1", p, p + vl);
    p += vl + 1;
    return [k, v];
  });
}

export const latin1 = (hex) => (hex === "-" ? "" : Buffer.from(hex, "hex").toString("latin1"));
