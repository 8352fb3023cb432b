// clickpath in real Envoy (--concurrency 2) as envoy/envoy.yaml loads it, demo configuration: the session
// segment stripped before the upstream (normalize_path and merge_slashes on), Location and Refresh
// rewritten, HTML links rewritten when a tag, an attribute value and a character reference are each split
// across two upstream writes (Envoy hands the filter separate chunks), Content-Length dropped after
// rewriting, compressed HTML passed untouched, a crawler left alone, and HEAD, 204, 304 and a response with
// trailers. Expected bodies are literal, and the split page is also compared with the Node host's output
// for the same page in one piece.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { existsSync } from "node:fs";
import { envoySkip, startEnvoy, testBootstrap, wasmFilterConfig, demoBootstrap, root } from "../support/envoy.mjs";
import { startUpstream, request, values } from "../support/upstream.mjs";

const skip = envoySkip("Envoy clickpath suite");
const MOZILLA = ["user-agent", "Mozilla/5.0"];

// One page, written in five pieces: the first cut falls inside a tag (`<a hr|ef`), the second inside an
// attribute value (`/docs/lo|go.html`), the third inside a character reference in an attribute value
// (`&am|p;`), the fourth between two tags. ClickPath rewrites the links a browser navigates by (a href,
// form action, ...), not img src; relative links already carry the session of the page's own URL, except
// on a new session's first page, where they are made absolute.
const PIECES = [
  '<!doctype html><title>t</title><a hr',
  'ef="/one.html">1</a><img src="/img/logo.png"><a href="/docs/lo',
  'go.html">2</a><a href="/two.html?a=1&am',
  'p;b=2">3</a>',
  '<form action="post.cgi"></form><a href="http://elsewhere.example/x">x</a><p>Fish &amp; chips</p>',
];
const PAGE = PIECES.join("");
const pageFor = (id, { relative = "post.cgi" } = {}) =>
  `<!doctype html><title>t</title><a href="/-S:${id}/one.html">1</a><img src="/img/logo.png"><a href="/-S:${id}/docs/logo.html">2</a>` +
  `<a href="/-S:${id}/two.html?a=1&amp;b=2">3</a><form action="${relative}"></form>` +
  `<a href="http://elsewhere.example/x">x</a><p>Fish &amp; chips</p>`;
const HTML = ["content-type", "text/html; charset=utf-8"];
const GZ = gzipSync(Buffer.from(PAGE));

let envoy, upstream;
before(async () => {
  if (skip) return;
  upstream = await startUpstream((req) => {
    const path = req.target;
    if (path === "/dir/split.html") return { headers: [HTML], chunks: PIECES };
    if (path === "/dir/whole.html") return { headers: [HTML, ["content-length", String(Buffer.byteLength(PAGE))]], body: PAGE };
    if (path === "/gz.html") return { headers: [HTML, ["content-encoding", "gzip"], ["content-length", String(GZ.length)]], body: GZ };
    if (path === "/redirect") return { status: 302, reason: "Found", headers: [["location", "/next.html"], ["refresh", "5; url=/later.html"], ["content-length", "0"]] };
    if (path === "/head.html") return { headers: [HTML, ["content-length", "1234"], ["location", "/moved.html"]] };
    if (path === "/empty") return { status: 204, reason: "No Content", headers: [HTML, ["location", "/gone.html"]] };
    if (path === "/cached.html") return { status: 304, reason: "Not Modified", headers: [HTML, ["etag", '"v1"']] };
    if (path === "/trailers.html") {
      return { headers: [HTML], chunks: ['<a href="/x">x</a><a hr', 'ef="/y">y</a><a href="/z"'], trailers: [["x-checksum", "abc"]] };
    }
    return { headers: [["content-type", "text/plain"], ["content-length", "2"]], body: "ok" };
  });
  envoy = await startEnvoy((ports) => testBootstrap({
    ...ports, upstreams: { web1: upstream.port, web2: upstream.port },
    edit(b) {
      // HTTP/1 trailers pass through Envoy only when both codecs are told to keep them.
      const hcm = b.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
      hcm.http_protocol_options = { enable_trailers: true };
      for (const c of b.static_resources.clusters) {
        c.typed_extension_protocol_options = { "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
          "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
          explicit_http_config: { http_protocol_options: { enable_trailers: true } } } };
      }
    },
  }));
});
after(async () => {
  if (envoy) await envoy.stop();
  if (upstream) await upstream.close();
});

/** A first visit; returns the new session id the upstream was told. */
async function newSession() {
  const r = await request(envoy.port, { path: "/start.txt", headers: [MOZILLA] });
  assert.equal(r.status, 200);
  const id = upstream.requests.at(-1).header("x-clickpath-session");
  assert.match(id, /^9roB:[A-Za-z0-9@,.-]+$/, "a web1 id");
  return id;
}

test("the session segment is stripped before the upstream, after Envoy's path normalization", { skip }, async () => {
  const id = await newSession();
  const r = await request(envoy.port, { path: `/-S:${id}/a/./b//c.txt?q=1`, headers: [MOZILLA, ["x-clickpath-session", "forged"]] });
  assert.equal(r.status, 200);
  const seen = upstream.requests.at(-1);
  assert.equal(seen.target, "/a/b/c.txt?q=1");
  assert.deepEqual(seen.all("x-clickpath-session"), [id]);
  assert.deepEqual(seen.all("x-clickpath-session-path"), [`/-S:${id}`]);
  assert.deepEqual(seen.all("x-clickpath-machine"), ["web1"]);
  // normalize_path resolves "/-S:id/../x" to "/x" before any filter runs: a new session, and the
  // upstream never sees a dot segment.
  await request(envoy.port, { path: `/-S:${id}/../x.txt`, headers: [MOZILLA] });
  const dotted = upstream.requests.at(-1);
  assert.equal(dotted.target, "/x.txt");
  assert.notEqual(dotted.header("x-clickpath-session"), id);
  assert.equal(dotted.header("x-clickpath-session-age"), "0");
});

test("Location and Refresh get the session", { skip }, async () => {
  const id = await newSession();
  const r = await request(envoy.port, { path: `/-S:${id}/redirect`, headers: [MOZILLA] });
  assert.equal(r.status, 302);
  assert.deepEqual(values(r.headers, "location"), [`/-S:${id}/next.html`]);
  assert.deepEqual(values(r.headers, "refresh"), [`5; url=/-S:${id}/later.html`]);
});

test("HTML split inside a tag, an attribute value and a character reference: every link rewritten, byte for byte", { skip }, async () => {
  const id = await newSession();
  const r = await request(envoy.port, { path: `/-S:${id}/dir/split.html`, headers: [MOZILLA] });
  assert.equal(r.status, 200);
  assert.equal(r.body, pageFor(id));
  assert.deepEqual(values(r.headers, "referrer-policy"), ["strict-origin-when-cross-origin"]);
  // The same page in one piece through the Node host, same configuration and id: the same bytes.
  const hostBody = await nodeHostBody(`/-S:${id}/dir/split.html`, PAGE);
  if (hostBody !== null) assert.equal(r.body, hostBody);
});

test("Content-Length is removed when the HTML is rewritten; a new session's first page gets absolute links", { skip }, async () => {
  const r = await request(envoy.port, { path: "/dir/whole.html", headers: [MOZILLA] });
  const id = upstream.requests.at(-1).header("x-clickpath-session");
  assert.equal(r.status, 200);
  assert.deepEqual(values(r.headers, "content-length"), []);
  assert.deepEqual(values(r.headers, "transfer-encoding"), ["chunked"]);
  assert.equal(r.body, pageFor(id, { relative: `/-S:${id}/dir/post.cgi` }));
});

test("gzip-encoded HTML passes byte for byte, with its Content-Length", { skip }, async () => {
  const id = await newSession();
  const before = (await envoy.stats()).get("wasmcustom.clicktrail.clickpath.encoded_bodies_skipped");
  const r = await request(envoy.port, { path: `/-S:${id}/gz.html`, headers: [MOZILLA, ["accept-encoding", "gzip"]] });
  assert.equal(r.status, 200);
  assert.deepEqual(upstream.requests.at(-1).all("accept-encoding"), [], "a request with a session asks for identity");
  assert.deepEqual(values(r.headers, "content-encoding"), ["gzip"]);
  assert.deepEqual(values(r.headers, "content-length"), [String(GZ.length)]);
  assert.ok(Buffer.from(r.body, "latin1").equals(GZ));
  assert.equal((await envoy.stats()).get("wasmcustom.clicktrail.clickpath.encoded_bodies_skipped"), before + 1);
});

test("a crawler gets no session: nothing rewritten, no session headers but its name", { skip }, async () => {
  const ua = ["user-agent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"];
  const page = await request(envoy.port, { path: "/dir/whole.html", headers: [ua] });
  assert.equal(page.status, 200);
  assert.equal(page.body, PAGE);
  assert.deepEqual(values(page.headers, "content-length"), [String(Buffer.byteLength(PAGE))]);
  assert.deepEqual(values(page.headers, "referrer-policy"), []);
  const seen = upstream.requests.at(-1);
  assert.deepEqual(seen.headers.filter(([n]) => n.startsWith("x-clickpath-")),
    [["x-clickpath-session", "Google"], ["x-clickpath-session-start", seen.header("x-clickpath-session-start")], ["x-clickpath-session-age", "0"]]);
  const redirect = await request(envoy.port, { path: "/redirect", headers: [ua] });
  assert.deepEqual(values(redirect.headers, "location"), ["/next.html"]);
  assert.deepEqual(values(redirect.headers, "refresh"), ["5; url=/later.html"]);
});

// HEAD, 204 and 304 have no body: the filter sees headers with end_of_stream and never a body callback.
// "Behaving" means: headers rewritten as for any response (Location), no body, and the framing the client
// needs, with no body bytes and no hang.
test("HEAD: no body, Location rewritten, Content-Length of the HTML dropped as for GET", { skip }, async () => {
  const id = await newSession();
  const r = await request(envoy.port, { method: "HEAD", path: `/-S:${id}/head.html`, headers: [MOZILLA] });
  assert.equal(r.status, 200);
  assert.equal(r.body, "");
  assert.equal(upstream.requests.at(-1).method, "HEAD");
  assert.deepEqual(values(r.headers, "location"), [`/-S:${id}/moved.html`]);
  // The headers a GET would get (RFC 9110 §9.3.2): the rewritten GET body has no known length, so
  // Envoy announces chunked framing for the HEAD as well.
  assert.deepEqual(values(r.headers, "content-length"), []);
  assert.deepEqual(values(r.headers, "transfer-encoding"), ["chunked"]);
  assert.deepEqual(values(r.headers, "referrer-policy"), ["strict-origin-when-cross-origin"]);
});

test("204: no body, Location rewritten", { skip }, async () => {
  const id = await newSession();
  const r = await request(envoy.port, { path: `/-S:${id}/empty`, headers: [MOZILLA] });
  assert.equal(r.status, 204);
  assert.equal(r.body, "");
  assert.deepEqual(values(r.headers, "location"), [`/-S:${id}/gone.html`]);
  assert.deepEqual(values(r.headers, "content-length"), []);
  assert.deepEqual(values(r.headers, "transfer-encoding"), []);
});

test("304: no body, validators passed on", { skip }, async () => {
  const id = await newSession();
  const r = await request(envoy.port, { path: `/-S:${id}/cached.html`, headers: [MOZILLA, ["if-none-match", '"v1"']] });
  assert.equal(r.status, 304);
  assert.equal(r.body, "");
  assert.deepEqual(values(r.headers, "etag"), ['"v1"']);
  assert.deepEqual(values(r.headers, "transfer-encoding"), []);
});

test("a response with trailers: links rewritten, the tag held at the end not lost, trailers passed on", { skip }, async () => {
  const id = await newSession();
  const r = await request(envoy.port, { path: `/-S:${id}/trailers.html`, headers: [MOZILLA, ["te", "trailers"]] });
  assert.equal(r.status, 200);
  assert.equal(r.body, `<a href="/-S:${id}/x">x</a><a href="/-S:${id}/y">y</a><a href="/z"`);
  assert.deepEqual(r.trailers, [["x-checksum", "abc"]]);
});

/**
 * The body the Node host's filter makes of `page` (one chunk) for `path`, with envoy/envoy.yaml's plugin
 * configuration and the real clock, the client at 127.0.0.1 like Envoy's listener; null without the host.
 */
async function nodeHostBody(path, page) {
  const hostPath = new URL("../../dist/host/index.js", import.meta.url);
  if (!existsSync(hostPath)) return null;
  const { Host } = await import(hostPath.href);
  const config = wasmFilterConfig(demoBootstrap()).configuration.value;
  const host = await Host.create({ wasm: `${root}build/clicktrail.wasm`, config });
  assert.equal(host.configured, true);
  const s = host.newStream({ worker: 0, connectionId: 1, sourceAddress: "127.0.0.1:40000", destinationAddress: "127.0.0.1:10000" });
  s.sendRequestHeaders([[":method", "GET"], [":path", path], [":authority", "site.example"], [":scheme", "http"], MOZILLA], { endOfStream: true });
  s.sendResponseHeaders([[":status", "200"], HTML], { endOfStream: false });
  s.sendResponseBody(page, { endOfStream: true });
  const body = s.responseBody.toString("latin1");
  s.complete();
  return body;
}
