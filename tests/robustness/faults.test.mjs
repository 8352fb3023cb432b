// Faults through the dev proxy (host/server) with all three features on: upstream resets mid-body, client
// aborts, slow trickling chunks, huge headers, upstream errors; and the failure policy of a module that
// traps. After each, the host holds no stream contexts and the VM still serves.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { readFileSync } from "node:fs";
import { startProxy } from "../../dist/host/index.js";
import { scriptedModule, setKnobs, A } from "../host/wat.mjs";

const WASM = "build/clicktrail.wasm";
const CONFIG = readFileSync("envoy/clicktrail.json", "utf8");
const PAGE = '<html><body><a href="/a">a</a><!-- <a href="/c"> --><script>"<a href=/s>"</script><a href=/b>b</a></body></html>';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let upstream;
let upstreamUrl;
let hits = 0;

before(async () => {
  upstream = http.createServer((req, res) => {
    hits++;
    const url = new URL(req.url, "http://x");
    const p = url.pathname;
    if (p === "/reset-mid-body") {
      res.writeHead(200, { "content-type": "text/html", "content-length": "100000" });
      res.write(PAGE);
      setTimeout(() => res.socket.destroy(), 20);
      return;
    }
    if (p === "/reset-before-headers") {
      req.socket.destroy();
      return;
    }
    if (p === "/hang") return; // never answers; the client gives up
    if (p === "/trickle") {
      res.writeHead(200, { "content-type": "text/html" });
      const bytes = Buffer.from(PAGE);
      let i = 0;
      const t = setInterval(() => {
        if (i >= bytes.length) {
          clearInterval(t);
          res.end();
          return;
        }
        res.write(bytes.subarray(i, i + 3));
        i += 3;
      }, 1);
      return;
    }
    if (p === "/error") {
      res.writeHead(500, { "content-type": "text/html" });
      res.end('<a href="/oops">oops</a>');
      return;
    }
    if (p === "/huge-response-header") {
      res.writeHead(200, { "content-type": "text/plain", "x-big": "v".repeat(12000) });
      res.end("ok");
      return;
    }
    if (p === "/upload") {
      let n = 0;
      req.on("data", (c) => (n += c.length));
      req.on("end", () => res.end(String(n)));
      req.on("error", () => {});
      return;
    }
    req.resume();
    res.writeHead(200, { "content-type": "text/html", "x-replace-session": "user=alice" });
    res.end(PAGE);
  });
  await new Promise((r) => upstream.listen(0, "127.0.0.1", r));
  upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;
});

after(() => {
  upstream.closeAllConnections();
  upstream.close();
});

function request(url, { headers = {}, method = "GET", body = null, timeout = 0 } = {}) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent: false }, (res) => {
      const parts = [];
      res.on("data", (c) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts).toString("latin1"), complete: res.complete }));
      res.on("error", (e) => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts).toString("latin1"), error: e.code ?? e.message }));
      res.on("aborted", () => {});
    });
    req.on("error", (e) => resolve({ error: e.code ?? e.message }));
    if (timeout) req.setTimeout(timeout, () => req.destroy(new Error("client gave up")));
    req.end(body ?? undefined);
  });
}

async function withProxy(opts, fn) {
  const logs = [];
  const proxy = await startProxy({ wasm: WASM, config: CONFIG, listen: "127.0.0.1:0", upstream: upstreamUrl, workers: 2, log: (l) => logs.push(l), ...opts });
  try {
    await fn(proxy, logs);
  } finally {
    await proxy.close();
  }
}

/** No stream context is left once the proxy settled, no VM failed, and a normal request is served. */
async function assertHealthy(proxy) {
  for (let i = 0; i < 50 && proxy.host.liveStreams > 0; i++) await sleep(10);
  assert.equal(proxy.host.liveStreams, 0, "stream contexts left behind");
  assert.deepEqual(proxy.host.workers.map((w) => w.failed), [false, false]);
  for (let w = 0; w < 2; w++) {
    const r = await request(`${proxy.url}/index.html`);
    assert.equal(r.status, 200);
    assert.match(r.body, /<a href="\/-S:[^"/]+\/a">a<\/a>/);
    assert.match(r.headers["set-cookie"].join("\n"), /^Apache=/m);
  }
  for (let i = 0; i < 50 && proxy.host.liveStreams > 0; i++) await sleep(10);
  assert.equal(proxy.host.liveStreams, 0);
}

test("upstream reset mid-body: the client sees a cut-off response, the stream is released", async () => {
  await withProxy({}, async (proxy) => {
    const r = await request(`${proxy.url}/reset-mid-body`);
    assert.equal(r.status, 200);
    assert.notEqual(r.complete, true, "the response cannot end normally");
    assert.match(r.body, /^<html><body><a href="\/-S:[^"/]+\/a">/, "what arrived was rewritten");
    await assertHealthy(proxy);
  });
});

test("upstream reset before headers: 503 through the filter (tracking cookie on it)", async () => {
  await withProxy({}, async (proxy) => {
    const r = await request(`${proxy.url}/reset-before-headers`);
    assert.equal(r.status, 503);
    assert.match(r.body, /^upstream connect error or disconnect\/reset before headers\. reset reason: socket hang up/);
    assert.match(r.headers["set-cookie"].join("\n"), /^Apache=/m);
    await assertHealthy(proxy);
  });
});

test("connection refused: 503 \"upstream connect error\" through the filter, as Envoy's router answers", async () => {
  const probe = net.createServer();
  await new Promise((r) => probe.listen(0, "127.0.0.1", r));
  const deadPort = probe.address().port;
  await new Promise((r) => probe.close(r));
  const proxy = await startProxy({ wasm: WASM, config: CONFIG, listen: "127.0.0.1:0", upstream: `http://127.0.0.1:${deadPort}`, workers: 2, log: () => {} });
  try {
    for (let i = 0; i < 4; i++) {
      const r = await request(`${proxy.url}/x`);
      assert.equal(r.status, 503);
      assert.match(r.body, /^upstream connect error or disconnect\/reset before headers\. reset reason: connect ECONNREFUSED/);
      assert.match(r.headers["set-cookie"].join("\n"), /^Apache=/m);
    }
    for (let i = 0; i < 50 && proxy.host.liveStreams > 0; i++) await sleep(10);
    assert.equal(proxy.host.liveStreams, 0);
    assert.deepEqual(proxy.host.workers.map((w) => w.failed), [false, false]);
  } finally {
    await proxy.close();
  }
});

test("client aborts while the upstream has not answered, and in the middle of an upload", async () => {
  await withProxy({}, async (proxy) => {
    const r = await request(`${proxy.url}/hang`, { timeout: 100 });
    assert.equal(r.error, "client gave up");
    // An upload cut off half-way.
    await new Promise((resolve) => {
      const sock = net.connect(proxy.port, "127.0.0.1", () => {
        sock.write("POST /upload HTTP/1.1\r\nhost: example.com\r\ncontent-length: 100000\r\n\r\n" + "x".repeat(5000));
        setTimeout(() => { sock.destroy(); resolve(); }, 50);
      });
      sock.on("error", () => {});
    });
    await sleep(50);
    await assertHealthy(proxy);
  });
});

test("slow trickling 3-byte chunks are rewritten exactly as one piece is", async () => {
  await withProxy({}, async (proxy) => {
    const whole = await request(`${proxy.url}/index.html`);
    const slow = await request(`${proxy.url}/trickle`, { headers: { cookie: `Apache=${/Apache=([^;]+)/.exec(whole.headers["set-cookie"].join(";"))[1]}` } });
    assert.equal(slow.status, 200);
    const norm = (b) => b.replace(/-S:[^"/>]+/g, "-S:ID");
    assert.equal(norm(slow.body), norm(whole.body));
    assert.equal(norm(slow.body), '<html><body><a href="/-S:ID/a">a</a><!-- <a href="/c"> --><script>"<a href=/s>"</script><a href=/-S:ID/b>b</a></body></html>');
    await assertHealthy(proxy);
  });
});

test("huge headers: Node's 16 KiB limit answers 431 before any stream; 12 KiB headers pass both ways", async () => {
  await withProxy({}, async (proxy) => {
    const tooBig = await request(`${proxy.url}/x`, { headers: { cookie: "a=" + "b".repeat(20000) } });
    assert.equal(tooBig.status, 431);
    const big = await request(`${proxy.url}/x`, { headers: { cookie: "session=" + "A".repeat(12000), "user-agent": "x".repeat(2000) } });
    assert.equal(big.status, 200);
    const bigResponse = await request(`${proxy.url}/huge-response-header`);
    assert.equal(bigResponse.status, 200);
    assert.equal(bigResponse.headers["x-big"].length, 12000);
    await assertHealthy(proxy);
  });
});

test("upstream 500 with HTML: passes with links rewritten and cookies set", async () => {
  await withProxy({}, async (proxy) => {
    const r = await request(`${proxy.url}/error`);
    assert.equal(r.status, 500);
    assert.match(r.body, /^<a href="\/-S:[^"/]+\/oops">oops<\/a>$/);
    assert.match(r.headers["set-cookie"].join("\n"), /^Apache=/m);
    await assertHealthy(proxy);
  });
});

test("100 concurrent requests with a client abort in every tenth: nothing left behind", async () => {
  await withProxy({}, async (proxy) => {
    const rs = await Promise.all(Array.from({ length: 100 }, (_, i) =>
      i % 10 === 0 ? request(`${proxy.url}/hang`, { timeout: 50 }) : request(`${proxy.url}/p${i}`)));
    assert.equal(rs.filter((r) => r.status === 200).length, 90);
    assert.equal(rs.filter((r) => r.error === "client gave up").length, 10);
    await assertHealthy(proxy);
  });
});

// ------------------------------------------------------------------ failure policy at the proxy level
// (tests/host/failure.test.mjs covers the Host; here the same through real sockets.)

const trapping = scriptedModule();

test("fail_closed through the proxy: the trapping request and every later one on that worker get 503", async () => {
  const before = hits;
  const proxy = await startProxy({ wasm: trapping, listen: "127.0.0.1:0", upstream: upstreamUrl, workers: 1, log: () => {} });
  try {
    const ok = await request(`${proxy.url}/fine`);
    assert.equal(ok.status, 200);
    setKnobs(proxy.host, { a0: A.TRAP });
    for (let i = 0; i < 3; i++) {
      const r = await request(`${proxy.url}/after-trap-${i}`);
      assert.equal(r.status, 503);
      assert.equal(r.body, "");
    }
    assert.equal(hits - before, 1, "only the request before the trap reached the upstream");
    assert.equal(proxy.host.workers[0].failed, true);
    await sleep(20);
    assert.equal(proxy.host.liveStreams, 0, "the trapping stream's context was released too");
  } finally {
    await proxy.close();
  }
});

test("fail_open through the proxy: after the trap the filter is skipped and traffic passes unchanged", async () => {
  const before = hits;
  const proxy = await startProxy({ wasm: trapping, listen: "127.0.0.1:0", upstream: upstreamUrl, workers: 1, failurePolicy: "fail_open", log: () => {} });
  try {
    setKnobs(proxy.host, { a0: A.TRAP });
    for (let i = 0; i < 3; i++) {
      const r = await request(`${proxy.url}/open-${i}`);
      assert.equal(r.status, 200);
      assert.equal(r.body, PAGE);
      assert.equal(r.headers["x-replace-session"], "user=alice");
    }
    assert.equal(hits - before, 3);
    assert.equal(proxy.host.workers[0].failed, true);
    assert.equal(proxy.host.calls.filter((c) => c.name === "proxy_on_request_headers").length, 1, "only the first request entered the VM");
  } finally {
    await proxy.close();
  }
});

test("fail_closed with 2 workers: only the failed worker's streams get 503", async () => {
  const proxy = await startProxy({ wasm: trapping, listen: "127.0.0.1:0", upstream: upstreamUrl, workers: 2, log: () => {} });
  try {
    setKnobs(proxy.host, { a0: A.TRAP }, 1);
    const rs = [];
    for (let i = 0; i < 6; i++) rs.push((await request(`${proxy.url}/w${i}`)).status);
    // Round robin: worker 0, 1, 0, 1, ...
    assert.deepEqual(rs, [200, 503, 200, 503, 200, 503]);
  } finally {
    await proxy.close();
  }
});
