// An HTTP/1.1 upstream for tests in front of which a proxy (real Envoy, the dev proxy) runs. It speaks raw
// bytes on a net socket, so a test decides everything Node's http module would decide for it: the exact
// header bytes (repeated names, odd characters), the framing (chunked, Content-Length, none), trailers, and
// above all how the body is cut: each piece is its own socket write with a pause after it, so that the proxy
// reads it separately and hands the filter separate body chunks (Envoy passes on what one socket read
// brought; tens of milliseconds between writes are enough on loopback).
//
// It records every request it receives exactly as it came (method, target, header pairs in order with their
// names as sent, body), so a test can assert what the upstream saw.
import net from "node:net";

const latin1 = (s) => (Buffer.isBuffer(s) ? s : Buffer.from(String(s), "latin1"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the upstream on 127.0.0.1 (a free port chosen by the OS). `respond(request)` returns (or resolves
 * to) the response:
 *   { status = 200, reason = "OK", headers = [[name, value], ...],
 *     body?: string | Buffer,  chunks?: (string | Buffer)[],   the body whole, or in pieces written apart,
 *     pauseMs = 40,             the pause after each piece but the last,
 *     trailers?: [[name, value], ...]   (chunked framing only),
 *     framing?: "chunked" | "raw" }
 * Strings are Latin-1 (one character per byte). Framing: "raw" writes the pieces as they are (use it with a
 * content-length header of your own, or for a body-less response); "chunked" adds
 * `transfer-encoding: chunked` and frames each piece as one chunk. Default: raw when the headers carry
 * content-length, when the request was HEAD, or for status 1xx/204/304; chunked otherwise.
 *
 * `request` is { method, target, version, headers: [[name, value]], header(name) (first value, names
 * compared case-insensitively, undefined when absent), all(name) (every value), body (Buffer) }.
 * Returns { port, requests (every request so far, in arrival order), connections (how many were accepted),
 * close() }.
 */
export async function startUpstream(respond) {
  const requests = [];
  const sockets = new Set();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    serve(socket, respond, requests).catch(() => socket.destroy());
  });
  await new Promise((resolve, reject) => {
    server.on("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    port: server.address().port,
    requests,
    get connections() { return connections; },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** Reads requests off one connection in turn and answers each before reading the next. */
async function serve(socket, respond, requests) {
  let buffered = Buffer.alloc(0);
  let waiting = null;
  let ended = false;
  socket.on("data", (d) => { buffered = Buffer.concat([buffered, d]); if (waiting) { const w = waiting; waiting = null; w(); } });
  socket.on("end", () => { ended = true; if (waiting) { const w = waiting; waiting = null; w(); } });
  const more = () => new Promise((r) => { waiting = r; });
  const take = async (n) => {
    while (buffered.length < n) { if (ended) return null; await more(); }
    const out = buffered.subarray(0, n);
    buffered = buffered.subarray(n);
    return out;
  };
  const line = async () => {
    for (;;) {
      const at = buffered.indexOf("\r\n");
      if (at >= 0) { const l = buffered.subarray(0, at).toString("latin1"); buffered = buffered.subarray(at + 2); return l; }
      if (ended) return null;
      await more();
    }
  };
  for (;;) {
    let end;
    while ((end = buffered.indexOf("\r\n\r\n")) < 0) { if (ended) return; await more(); }
    const head = buffered.subarray(0, end).toString("latin1").split("\r\n");
    buffered = buffered.subarray(end + 4);
    const [method, target, version] = head[0].split(" ");
    const headers = head.slice(1).map((l) => { const c = l.indexOf(":"); return [l.slice(0, c), l.slice(c + 1).trim()]; });
    const all = (name) => headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
    let body = Buffer.alloc(0);
    if (all("transfer-encoding").some((v) => /chunked/i.test(v))) {
      const parts = [];
      for (;;) {
        const size = parseInt(await line(), 16);
        if (!(size > 0)) { while ((await line()) ?? "") {} break; }
        parts.push(await take(size));
        await line();
      }
      body = Buffer.concat(parts);
    } else if (all("content-length").length) {
      body = (await take(Number(all("content-length")[0]))) ?? Buffer.alloc(0);
    }
    const request = { method, target, version, headers, body, all, header: (name) => all(name)[0] };
    requests.push(request);
    const r = await respond(request);
    await write(socket, request, r);
    if (socket.destroyed) return;
  }
}

async function write(socket, request, r) {
  const status = r.status ?? 200;
  const headers = [...(r.headers ?? [])];
  const pieces = (r.chunks ?? (r.body !== undefined ? [r.body] : [])).map(latin1);
  const bodiless = request.method === "HEAD" || status < 200 || status === 204 || status === 304;
  const hasLength = headers.some(([n]) => n.toLowerCase() === "content-length");
  const framing = r.framing ?? (hasLength || bodiless ? "raw" : "chunked");
  if (framing === "chunked") headers.push(["transfer-encoding", "chunked"]);
  const head = `HTTP/1.1 ${status} ${r.reason ?? "OK"}\r\n` + headers.map(([n, v]) => `${n}: ${v}\r\n`).join("") + "\r\n";
  const pauseMs = r.pauseMs ?? 40;
  const send = (b) => new Promise((resolve) => socket.write(b, () => resolve()));
  if (framing === "raw") {
    await send(latin1(head));
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) await sleep(pauseMs);
      await send(pieces[i]);
    }
    return;
  }
  // Chunked: the head goes with the first chunk, so the proxy sees headers and body start together, then
  // each later piece after a pause; the last chunk and trailers go with the last piece.
  const frame = (p) => (p.length ? Buffer.concat([latin1(p.length.toString(16) + "\r\n"), p, latin1("\r\n")]) : Buffer.alloc(0));
  const last = latin1("0\r\n" + (r.trailers ?? []).map(([n, v]) => `${n}: ${v}\r\n`).join("") + "\r\n");
  if (pieces.length === 0) return send(Buffer.concat([latin1(head), last]));
  for (let i = 0; i < pieces.length; i++) {
    if (i > 0) await sleep(pauseMs);
    const parts = [i === 0 ? latin1(head) : Buffer.alloc(0), frame(pieces[i])];
    if (i === pieces.length - 1) parts.push(last);
    await send(Buffer.concat(parts));
  }
}

/**
 * A raw HTTP/1.1 exchange with a proxy on 127.0.0.1:port: writes `head` (the request line and headers, as
 * Latin-1, without the final blank line, which is added) and reads one response. Returns { status, headers:
 * [[name, value]] (names lower-cased), body (Latin-1 string), trailers } or { error } when the connection
 * closed without a response. For requests Node's http client would refuse to send (odd bytes in headers,
 * 64 KiB header values). The response is read with `connection: close` semantics: send that header.
 */
export function rawRequest(port, head, { timeoutMs = 10000, bodiless = /^HEAD /.test(head) } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const parts = [];
    const timer = setTimeout(() => { socket.destroy(); resolve({ error: "timeout" }); }, timeoutMs);
    // Closing as soon as the response is complete spares Envoy's delayed close (a second per connection
    // it closes itself while the peer keeps its side open).
    socket.on("data", (d) => { parts.push(d); if (complete(Buffer.concat(parts), bodiless)) socket.destroy(); });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(parts)));
    });
    socket.write(Buffer.concat([latin1(head), latin1("\r\n\r\n")]));
  });
}

/** Whether `bytes` hold a whole response (headers, then the body its framing announces). */
function complete(bytes, bodiless) {
  const end = bytes.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const head = bytes.subarray(0, end).toString("latin1");
  const status = Number(head.split(" ")[1]);
  if (bodiless || status === 204 || status === 304 || (status >= 100 && status < 200)) return true;
  const body = bytes.subarray(end + 4);
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) {
    let at = 0;
    for (;;) {
      const nl = body.indexOf("\r\n", at);
      if (nl < 0) return false;
      const size = parseInt(body.subarray(at, nl).toString("latin1"), 16);
      if (!(size > 0)) return body.indexOf("\r\n\r\n", nl) >= 0; // the last chunk, then trailers up to a blank line
      at = nl + 2 + size + 2;
      if (at > body.length) return false;
    }
  }
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  return length ? body.length >= Number(length[1]) : false;
}

/** One HTTP/1.1 response read until the connection closed (or until it was complete). */
export function parseResponse(bytes) {
  const end = bytes.indexOf("\r\n\r\n");
  if (end < 0) return { error: bytes.length ? "truncated response" : "closed without a response" };
  const lines = bytes.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(lines[0].split(" ")[1]);
  const headers = lines.slice(1).map((l) => { const c = l.indexOf(":"); return [l.slice(0, c).toLowerCase(), l.slice(c + 1).trim()]; });
  let rest = bytes.subarray(end + 4);
  const trailers = [];
  if (headers.some(([n, v]) => n === "transfer-encoding" && /chunked/i.test(v))) {
    const out = [];
    for (;;) {
      const nl = rest.indexOf("\r\n");
      if (nl < 0) break;
      const size = parseInt(rest.subarray(0, nl).toString("latin1"), 16);
      rest = rest.subarray(nl + 2);
      if (!(size > 0)) {
        for (const l of rest.toString("latin1").split("\r\n")) {
          if (!l) break;
          const c = l.indexOf(":");
          trailers.push([l.slice(0, c).toLowerCase(), l.slice(c + 1).trim()]);
        }
        break;
      }
      out.push(rest.subarray(0, size));
      rest = rest.subarray(size + 2);
    }
    rest = Buffer.concat(out);
  }
  return { status, headers, body: rest.toString("latin1"), trailers };
}

/**
 * One request over its own connection (`connection: close`): `headers` are pairs sent as they are, after
 * `host` (default "site.example"). Returns what rawRequest returns.
 */
export function request(port, { method = "GET", path = "/", host = "site.example", headers = [] } = {}) {
  const lines = [`${method} ${path} HTTP/1.1`, `host: ${host}`, ...headers.map(([n, v]) => `${n}: ${v}`), "connection: close"];
  return rawRequest(port, lines.join("\r\n"));
}

/** Every value of header `name` in pairs (names compared case-insensitively). */
export function values(pairs, name) {
  return pairs.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}
