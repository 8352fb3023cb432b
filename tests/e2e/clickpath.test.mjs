// End to end through the dev proxy (host/server/proxy.ts) running build/clicktrail.wasm in front of a local
// upstream that records what reaches it and serves an HTML page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startProxy } from "../../dist/host/server/proxy.js";
import { PROFILE } from "./profile.mjs";

const PAGE = '<!doctype html><title>t</title><a href="/a/b.html">a</a> <a href="c.html">c</a> ' +
  '<a href="http://elsewhere.example/x">x</a> <form action="/post"></form>';

let upstream;
let seen = [];
const proxies = [];

before(async () => {
  upstream = http.createServer((req, res) => {
    seen.push({ url: req.url, headers: req.headers });
    if (req.url.startsWith("/redirect")) {
      res.writeHead(302, { location: "/target.html" });
      return res.end();
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(PAGE) });
    res.end(PAGE);
  });
  await new Promise((r) => upstream.listen(0, "127.0.0.1", r));
});

after(async () => {
  for (const p of proxies) await p.close();
  await new Promise((r) => upstream.close(r));
});

async function proxy(clickpath) {
  const p = await startProxy({
    wasm: "build/clicktrail.wasm",
    config: { clickpath },
    listen: "127.0.0.1:0",
    upstream: `http://127.0.0.1:${upstream.address().port}`,
    chunkSize: 16,
    profile: PROFILE,
    log: () => {},
  });
  proxies.push(p);
  return p;
}

function get(p, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: p.port, path, headers: { host: "site.example", ...headers } }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end();
  });
}

const CONFIG = { machine: "web1", secrets: ["e2e secret, long enough"], ua_exceptions: [{ name: "Google", pattern: "Googlebot" }] };

test("a new visitor: the upstream gets /index.html with session headers and no client-sent ones", async () => {
  const p = await proxy(CONFIG);
  seen = [];
  const r = await get(p, "/index.html", { "x-clickpath-session": "forged", "x-clickpath-machine": "evil", "accept-encoding": "gzip" });
  assert.equal(r.status, 200);
  assert.equal(seen.length, 1);
  const up = seen[0];
  assert.equal(up.url, "/index.html");
  const id = up.headers["x-clickpath-session"];
  assert.match(id, /^.+:.+,$|^.+:.+M$/);
  assert.notEqual(id, "forged");
  assert.equal(up.headers["x-clickpath-machine"], "web1");
  assert.equal(up.headers["x-clickpath-session-path"], `/-S:${id}`);
  assert.equal(up.headers["x-clickpath-session-age"], "0");
  assert.equal(up.headers["accept-encoding"], undefined);
  // The page's same-site links carry the session; the other host's link is untouched.
  assert.equal(r.headers["content-length"], undefined);
  assert.equal(r.body, PAGE.replace('"/a/b.html"', `"/-S:${id}/a/b.html"`).replace('"c.html"', `"/-S:${id}/c.html"`)
    .replace('"/post"', `"/-S:${id}/post"`));
});

test("a session URL reaches the upstream without its segment; Location gets the session", async () => {
  const p = await proxy(CONFIG);
  seen = [];
  await get(p, "/index.html");
  const id = seen[0].headers["x-clickpath-session"];
  seen = [];
  const r = await get(p, `/-S:${id}/a/b.html`, { referer: `http://site.example/-S:${id}/index.html` });
  assert.equal(seen[0].url, "/a/b.html");
  assert.equal(seen[0].headers["x-clickpath-session"], id);
  assert.equal(seen[0].headers.referer, "http://site.example/index.html");
  // Under an existing session relative links stay relative.
  assert.equal(r.body, PAGE.replace('"/a/b.html"', `"/-S:${id}/a/b.html"`).replace('"/post"', `"/-S:${id}/post"`));
  const redirect = await get(p, `/-S:${id}/redirect`);
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.location, `/-S:${id}/target.html`);
});

test("forged, tampered and expired ids are replaced", async () => {
  const p = await proxy(CONFIG);
  seen = [];
  await get(p, "/");
  const good = seen[0].headers["x-clickpath-session"];
  const tampered = good.slice(0, 8) + (good[8] === "N" ? "O" : "N") + good.slice(9);
  // A valid-CRC id of the original (10.2.1.19, 2005) carries no signature: a forgery here.
  for (const bad of [tampered, "PtVOR9:YhYsyaINNTSaB79NNNNNM"]) {
    seen = [];
    await get(p, `/-S:${bad}/x.html`);
    assert.equal(seen[0].url, "/x.html");
    assert.equal(seen[0].headers["x-clickpath-invalid-session"], bad);
    assert.notEqual(seen[0].headers["x-clickpath-session"], bad);
  }
  const unsigned = await proxy({ max_session_age: 3600 });
  seen = [];
  await get(unsigned, "/-S:PtVOR9:YhYsyaINNTSaB79NNNNNM/x.html");
  assert.equal(seen[0].headers["x-clickpath-expired-session"], "PtVOR9:YhYsyaINNTSaB79NNNNNM");
  assert.notEqual(seen[0].headers["x-clickpath-session"], "PtVOR9:YhYsyaINNTSaB79NNNNNM");
});

test("Googlebot gets nothing, and its own x-clickpath-session never reaches the upstream", async () => {
  const p = await proxy(CONFIG);
  seen = [];
  const r = await get(p, "/index.html", { "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1)", "x-clickpath-session": "forged", "x-clickpath-session-path": "/-S:x" });
  assert.equal(seen[0].url, "/index.html");
  assert.equal(seen[0].headers["x-clickpath-session"], "Google");
  assert.equal(seen[0].headers["x-clickpath-session-path"], undefined);
  assert.equal(r.body, PAGE);
  assert.equal(r.headers["content-length"], String(Buffer.byteLength(PAGE)));
});
