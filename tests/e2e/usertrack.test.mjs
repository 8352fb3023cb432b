// End to end through the dev proxy (`clicktrail proxy`, the documented CLI) in front of a Node upstream
// that reports the id it received: a first visit gets the cookie and the upstream sees its value; a
// returning visit gets no Set-Cookie and the upstream sees the same id; an upstream 404 carries the cookie.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { PROFILE } from "./profile.mjs";

const root = new URL("../../", import.meta.url).pathname;
const cli = root + "bin/clicktrail.mjs";
const haveCli = existsSync(cli);
if (!haveCli) console.log("SKIPPED: usertrack e2e (bin/clicktrail.mjs not present; merge branch host)");

const children = new Set();
process.on("exit", () => { for (const c of children) try { c.kill("SIGKILL"); } catch {} });
let upstream = null;
after(async () => {
  await Promise.all([...children].map((c) => new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    const t = setTimeout(() => c.kill("SIGKILL"), 5000);
    c.once("exit", () => { clearTimeout(t); resolve(); });
    c.kill("SIGTERM");
  })));
  if (upstream) await new Promise((r) => upstream.close(r));
});

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.on("connect", () => { s.destroy(); resolve(true); });
    s.on("error", () => resolve(false));
  });
}

function get(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => { body += d; });
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
  });
}

test("a visitor gets the tracking cookie once and the upstream sees its id", { skip: !haveCli }, async () => {
  const upstreamPort = await freePort();
  upstream = http.createServer((req, res) => {
    const seen = req.headers["x-usertrack-id"] ?? "(none)";
    res.writeHead(req.url === "/missing" ? 404 : 200, { "content-type": "text/plain", "x-seen-id": seen });
    res.end(seen);
  });
  await new Promise((r) => upstream.listen(upstreamPort, "127.0.0.1", r));

  const port = await freePort();
  const config = JSON.stringify({ usertrack: { upstream_header: "x-usertrack-id", expires: "2 weeks", style: "cookie", http_only: true } });
  const proxy = spawn(process.execPath, [cli, "proxy", "--wasm", root + "build/clicktrail.wasm", "--config", config,
    "--listen", `127.0.0.1:${port}`, "--upstream", `http://127.0.0.1:${upstreamPort}`, "--log-level", "warn", "--profile", PROFILE],
    { stdio: ["ignore", "ignore", "pipe"] });
  children.add(proxy);
  let stderr = "";
  proxy.stderr.on("data", (d) => { stderr += d; });
  const deadline = Date.now() + 15000;
  while (!(await canConnect(port))) {
    assert.equal(proxy.exitCode, null, "the proxy exited: " + stderr);
    assert.ok(Date.now() < deadline, "the proxy did not listen: " + stderr);
    await new Promise((r) => setTimeout(r, 50));
  }

  const first = await get(port, "/", { "x-usertrack-id": "forged" });
  assert.equal(first.status, 200);
  const setCookie = first.headers["set-cookie"] ?? [];
  assert.equal(setCookie.length, 1, JSON.stringify(first.headers));
  const m = /^Apache=([0-9a-f]{1,8}\.[0-9a-f]{1,16}); path=\/; max-age=1209600; HttpOnly$/.exec(setCookie[0]);
  assert.ok(m, setCookie[0]);
  const id = m[1];
  assert.equal(first.body, id);

  const again = await get(port, "/", { cookie: `Apache=${id}; other=1` });
  assert.equal(again.status, 200);
  assert.equal(again.headers["set-cookie"], undefined);
  assert.equal(again.body, id);

  const missing = await get(port, "/missing");
  assert.equal(missing.status, 404);
  const missingCookie = missing.headers["set-cookie"] ?? [];
  assert.equal(missingCookie.length, 1);
  const newId = /^Apache=([^;]+);/.exec(missingCookie[0])[1];
  assert.notEqual(newId, id);
  assert.equal(missing.body, newId);
});
