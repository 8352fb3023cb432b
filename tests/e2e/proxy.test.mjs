// The dev proxy end to end: a real client, the proxy on loopback, a local node:http upstream.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { createHash, randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { startProxy } from "../../dist/host/index.js";
import { PROFILE } from "./profile.mjs";
import { scriptedModule, setKnobs, A } from "../host/wat.mjs";

const WASM = "build/clicktrail.wasm";
let upstream;
let upstreamUrl;
const seen = [];

before(async () => {
  upstream = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, rawHeaders: req.rawHeaders });
    if (req.url.startsWith("/echo")) {
      // Streams the request body straight back, chunked.
      res.writeHead(200, [["content-type", "application/octet-stream"], ["x-echo", "1"]].flat());
      req.pipe(res);
      return;
    }
    if (req.url.startsWith("/big")) {
      const n = Number(new URL(req.url, "http://x").searchParams.get("n"));
      res.writeHead(200, { "content-type": "text/plain", "content-length": String(n) });
      res.end(Buffer.alloc(n, 0x61));
      return;
    }
    req.resume();
    req.on("end", () => {
      res.writeHead(200, ["content-type", "text/plain", "set-cookie", "a=1", "set-cookie", "b=2", "x-path", req.url]);
      res.end(`hello ${req.url}`);
    });
  });
  await new Promise((r) => upstream.listen(0, "127.0.0.1", r));
  upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;
});

after(() => upstream.close());

function request(url, { method = "GET", headers = [], body = null, chunks = null } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: [["host", u.host], ...headers].flat(), agent: false }, (res) => {
      const parts = [];
      res.on("data", (c) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode, rawHeaders: res.rawHeaders, body: Buffer.concat(parts) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (chunks) {
      (async () => {
        for (const c of chunks) if (!req.write(c)) await once(req, "drain");
        req.end();
      })();
    } else {
      req.end(body ?? undefined);
    }
  });
}

const pairs = (raw) => {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i].toLowerCase(), raw[i + 1]]);
  return out;
};

test("headers pass through both ways, repeated ones as separate entries", async () => {
  const proxy = await startProxy({ wasm: WASM, config: "{}", listen: "127.0.0.1:0", upstream: upstreamUrl, profile: PROFILE, log: () => {} });
  try {
    const r = await request(`${proxy.url}/hello?x=1`, { headers: [["X-A", "1"], ["X-A", "2"], ["Cookie", "c=3"]] });
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), "hello /hello?x=1");
    const got = pairs(r.rawHeaders);
    assert.deepEqual(got.filter(([k]) => k === "set-cookie"), [["set-cookie", "a=1"], ["set-cookie", "b=2"]]);
    const up = pairs(seen.at(-1).rawHeaders);
    assert.deepEqual(up.filter(([k]) => k === "x-a"), [["x-a", "1"], ["x-a", "2"]]);
    assert.deepEqual(up.find(([k]) => k === "host"), ["host", `127.0.0.1:${proxy.port}`]);
    assert.deepEqual(up.find(([k]) => k === "x-forwarded-proto"), ["x-forwarded-proto", "http"]);
    assert.match(up.find(([k]) => k === "x-request-id")[1], /^[0-9a-f-]{36}$/);
  } finally {
    await proxy.close();
  }
});

test("a 5 MB chunked body streams both ways unchanged", async () => {
  const proxy = await startProxy({ wasm: WASM, config: "{}", listen: "127.0.0.1:0", upstream: upstreamUrl, profile: PROFILE, log: () => {} });
  try {
    const data = randomBytes(5 * 1024 * 1024);
    const chunks = [];
    for (let i = 0; i < data.length; i += 64 * 1024) chunks.push(data.subarray(i, i + 64 * 1024));
    const r = await request(`${proxy.url}/echo`, { method: "POST", chunks, headers: [["transfer-encoding", "chunked"]] });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, data.length);
    assert.equal(createHash("sha256").update(r.body).digest("hex"), createHash("sha256").update(data).digest("hex"));
  } finally {
    await proxy.close();
  }
});

test("50 concurrent requests over 2 workers all complete; both VMs take streams", async () => {
  const proxy = await startProxy({ wasm: WASM, config: "{}", listen: "127.0.0.1:0", upstream: upstreamUrl, profile: PROFILE, workers: 2, log: () => {} });
  try {
    const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => request(`${proxy.url}/n/${i}`)));
    assert.deepEqual(rs.map((r) => r.status), Array(50).fill(200));
    assert.deepEqual(rs.map((r) => r.body.toString()), Array.from({ length: 50 }, (_, i) => `hello /n/${i}`));
    await new Promise((r) => setTimeout(r, 50));
    const perWorker = [0, 1].map((w) => proxy.host.calls.filter((c) => c.worker === w && c.name === "proxy_on_log").length);
    assert.deepEqual(perWorker, [25, 25], "round-robin, and every stream was logged");
  } finally {
    await proxy.close();
  }
});

test("--chunk-size splits upstream bodies before the filter sees them", async () => {
  const proxy = await startProxy({ wasm: WASM, config: "{}", listen: "127.0.0.1:0", upstream: upstreamUrl, profile: PROFILE, chunkSize: 1000, log: () => {} });
  try {
    const r = await request(`${proxy.url}/big?n=10500`);
    assert.equal(r.body.length, 10500);
    const sizes = proxy.host.calls.filter((c) => c.name === "proxy_on_response_body").map((c) => c.args[1]);
    assert.equal(sizes.reduce((a, b) => a + b, 0), 10500);
    assert.ok(sizes.length >= 11 && sizes.every((n) => n <= 1000), `chunks: ${sizes}`);
  } finally {
    await proxy.close();
  }
});

test("local replies and the failure policy reach the client", async () => {
  const wasm = scriptedModule();
  const proxy = await startProxy({ wasm, listen: "127.0.0.1:0", upstream: upstreamUrl, profile: PROFILE, workers: 2, log: () => {} });
  try {
    setKnobs(proxy.host, { a0: A.LOCAL_REPLY }, 0);
    setKnobs(proxy.host, { a0: A.TRAP }, 1);
    const before = seen.length;
    const denied = await request(`${proxy.url}/a`);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.toString(), "nope");
    assert.deepEqual(pairs(denied.rawHeaders).find(([k]) => k === "x-test"), ["x-test", "1"]);
    const failed = await request(`${proxy.url}/b`);
    assert.equal(failed.status, 503);
    assert.equal(seen.length, before, "neither request reached the upstream");
  } finally {
    await proxy.close();
  }
});

test("an unreachable upstream gives the client a 503 that passed through the filter", async () => {
  const proxy = await startProxy({ wasm: WASM, config: "{}", listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1", profile: PROFILE, log: () => {} });
  try {
    const r = await request(`${proxy.url}/x`);
    assert.equal(r.status, 503);
    assert.match(r.body.toString(), /^upstream connect error or disconnect\/reset before headers/);
  } finally {
    await proxy.close();
  }
});

test("the proxy refuses to listen beyond loopback, and refuses a rejected configuration", async () => {
  await assert.rejects(startProxy({ wasm: WASM, listen: "0.0.0.0:0", upstream: upstreamUrl }), /only to loopback/);
  await assert.rejects(
    startProxy({ wasm: WASM, config: "{", listen: "127.0.0.1:0", upstream: upstreamUrl, profile: PROFILE, log: () => {} }),
    /refused its configuration/,
  );
});

function runCli(args) {
  const child = spawn(process.execPath, ["bin/clicktrail.mjs", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  return { child, out: () => out, err: () => err, exit: once(child, "exit").then(([code]) => code) };
}

test("npx clicktrail proxy: starts, proxies, prints filter logs to stderr", async () => {
  const cli = runCli(["proxy", "--wasm", WASM, "--config", "{}", "--listen", "127.0.0.1:0", "--upstream", upstreamUrl, "--workers", "2", "--log-level", "debug"]);
  try {
    while (!/listening on (http:\/\/\S+)/.test(cli.out())) await once(cli.child.stdout, "data");
    const url = /listening on (http:\/\/\S+)/.exec(cli.out())[1];
    const r = await request(`${url}/via-cli`);
    assert.equal(r.body.toString(), "hello /via-cli");
  } finally {
    cli.child.kill("SIGTERM");
  }
  assert.equal(await cli.exit, 0);
});

test("the CLI: unknown commands print usage (exit 2); bad options name the problem", async () => {
  const unknown = runCli(["frobnicate"]);
  assert.equal(await unknown.exit, 2);
  assert.match(unknown.err(), /unknown command "frobnicate"[\s\S]*proxy\s+run any proxy-wasm module/);
  const bad = runCli(["proxy", "--wasm", WASM, "--listen", "127.0.0.1:0", "--upstream", upstreamUrl, "--workers", "zero"]);
  assert.equal(await bad.exit, 2);
  assert.match(bad.err(), /--workers must be a positive integer, got "zero"/);
  const remote = runCli(["proxy", "--wasm", WASM, "--listen", "10.0.0.1:8080", "--upstream", upstreamUrl]);
  assert.equal(await remote.exit, 1);
  assert.match(remote.err(), /refusing to listen on 10\.0\.0\.1/);
});

test(":path and :authority rewritten by the filter are what the upstream receives", async () => {
  const { proxyModule } = await import("../host/wat.mjs");
  const rewriter = proxyModule(`
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (drop (call $proxy_replace_header_map_value (i32.const 0) {{path}} {{newpath}}))
      (drop (call $proxy_replace_header_map_value (i32.const 0) {{authority}} {{newauthority}}))
      (i32.const 0))`, { data: { path: ":path", newpath: "/rewritten?y=2", authority: ":authority", newauthority: "backend.example" } });
  const proxy = await startProxy({ wasm: rewriter, listen: "127.0.0.1:0", upstream: upstreamUrl, profile: PROFILE, log: () => {} });
  try {
    const r = await request(`${proxy.url}/original`);
    assert.equal(r.body.toString(), "hello /rewritten?y=2");
    assert.equal(seen.at(-1).url, "/rewritten?y=2");
    assert.deepEqual(pairs(seen.at(-1).rawHeaders).find(([k]) => k === "host"), ["host", "backend.example"]);
  } finally {
    await proxy.close();
  }
});

test("npx clicktrail proxy: a refused configuration prints the filter's error to stderr and exits 1", async () => {
  const cli = runCli(["proxy", "--wasm", WASM, "--config", "{\"usertrack\":", "--listen", "127.0.0.1:0", "--upstream", upstreamUrl]);
  assert.equal(await cli.exit, 1);
  assert.match(cli.err(), /^\[worker -1\] error: clicktrail: invalid configuration: /m);
  assert.match(cli.err(), /clicktrail proxy: the plugin refused its configuration/);
});
