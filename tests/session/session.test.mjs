// The session feature in build/clicktrail.wasm, driven through the Host test API as Envoy would drive it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Host } from "../../dist/host/index.js";

const WASM = "build/clicktrail.wasm";
const vectors = JSON.parse(readFileSync(new URL("../fixtures/originals/vectors.json", import.meta.url), "utf8"));
const REQUEST = [[":method", "GET"], [":path", "/"], [":authority", "example.com"], [":scheme", "http"]];

function counterRandom() {
  let n = 0;
  return (buf) => { for (let i = 0; i < buf.length; i++) buf[i] = (n++ * 37 + 11) & 0xff; };
}

async function host(session, opts = {}) {
  const h = await Host.create({ wasm: WASM, config: { session }, clock: opts.clock ?? (() => 1700000000000000000n),
    random: counterRandom(), workers: opts.workers ?? 1 });
  assert.equal(h.configured, true, JSON.stringify(h.logs));
  return h;
}

/** One exchange; returns { up: request headers upstream, down: response headers to the client }. */
function exchange(h, { worker = 0, path = "/", headers = [], response = [] } = {}) {
  const s = h.newStream({ worker });
  s.sendRequestHeaders([...REQUEST.filter(([n]) => n !== ":path"), [":path", path], ...headers], { endOfStream: true });
  const up = s.requestHeaders;
  s.sendResponseHeaders([[":status", "200"], ...response], { endOfStream: true });
  const down = s.responseHeaders;
  s.complete();
  return { up, down };
}

const values = (pairs, name) => pairs.filter(([n]) => n === name).map(([, v]) => v);
const cookieOf = (setCookie) => setCookie.slice(0, setCookie.indexOf(";"));

test("vector 1 and 4: SessionHeader becomes the cookie, header hidden, Cache-Control added", async () => {
  const h = await host({ cookie_attributes: "path=/", response_header: "x-replace-session" });
  const a = exchange(h, { response: [["x-replace-session", "key1=foo&key2=bar"]] });
  assert.deepEqual(values(a.down, "set-cookie"), [vectors.session_cookie[0].header.replace("Set-Cookie: ", "")]);
  assert.deepEqual(values(a.down, "x-replace-session"), []);
  const b = exchange(h, { response: [["x-replace-session", "user=alice%20b&role=adm+x&empty="]] });
  assert.deepEqual(values(b.down, "set-cookie"), ["session=user=alice+b&role=adm+x;path=/"]);
  assert.deepEqual(values(b.down, "cache-control"), ["no-cache, private"]);
});

test("vector 2: SessionMaxAge with the clock at save time", async () => {
  const expiry = 1795324648707705n;
  const h = await host({ cookie_attributes: "path=/;httponly", response_header: "x-replace-session", max_age: 3600 },
    { clock: () => (expiry - 3600n * 1000000n) * 1000n });
  const a = exchange(h, { response: [["x-replace-session", "key1=foo&key2=bar"]] });
  assert.deepEqual(values(a.down, "set-cookie"), [vectors.session_cookie[1].header.replace("Set-Cookie: ", "")]);
});

test("CVE-2018-1283: a client-sent upstream header never reaches the upstream", async () => {
  const h = await host({ upstream_header: "x-session", include: ["/app"] });
  const outside = exchange(h, { path: "/other", headers: [["x-session", "admin=1"]] });
  assert.deepEqual(values(outside.up, "x-session"), []);
  const inside = exchange(h, { path: "/app", headers: [["X-Session", "admin=1"], ["cookie", "session=user=bob"]] });
  assert.deepEqual(values(inside.up, "x-session"), ["user=bob"]);
  const noSession = exchange(h, { path: "/app", headers: [["x-session", "admin=1"]] });
  assert.deepEqual(values(noSession.up, "x-session"), []);
});

test("CVE-2018-17199: an expired cookie gives an empty session", async () => {
  const h = await host({ upstream_header: "x-session" }, { clock: () => 1700000000000000000n });
  const x = exchange(h, { headers: [["cookie", "session=admin=1&expiry=1699999999999999"]] });
  assert.deepEqual(values(x.up, "x-session"), []);
  assert.equal(h.metrics.get("clicktrail.session.expired"), 1);
  assert.equal(h.metrics.get("clicktrail.session.loaded"), 0);
});

test("CVE-2021-26690: the public `expiry=…&=` cookie is read safely", async () => {
  const h = await host({ upstream_header: "x-session" });
  const x = exchange(h, { headers: [["cookie", "session=expiry=4102444800000000&="]] });
  assert.deepEqual(values(x.up, "x-session"), ["expiry=4102444800000000"]);
  assert.equal(h.logs.filter((l) => l.host).length, 0);
});

test("CVE-2021-26691: a malicious SessionHeader cannot crash or corrupt the session", async () => {
  const h = await host({ upstream_header: "x-session", response_header: "x-replace-session", cookie_attributes: "path=/" });
  const evil = "&=".repeat(2000) + "&a=%&b=%zz&%00=1&c=%00&=d&keep=" + "%41".repeat(1000);
  const x = exchange(h, { headers: [["cookie", "session=old=1"]], response: [["x-replace-session", evil]] });
  assert.deepEqual(values(x.down, "set-cookie"), ["session=old=1&keep=" + "A".repeat(1000) + ";path=/"]);
  assert.deepEqual(values(x.down, "x-replace-session"), []);
  // The worker is still alive and serving.
  const y = exchange(h, { headers: [["cookie", "session=old=1"]] });
  assert.deepEqual(values(y.up, "x-session"), ["old=1"]);
  assert.equal(h.logs.filter((l) => l.host).length, 0);
});

test("format apache: Apache's cookies decrypt; ours round-trip across workers", async () => {
  const h = await host({ upstream_header: "x-session", response_header: "x-replace-session", cookie_attributes: "path=/",
    crypto: { format: "apache", passphrases: ["secret"] } }, { workers: 2 });
  for (const v of vectors.session_crypto_cookie) {
    const x = exchange(h, { headers: [["cookie", `session=${v.value}`]] });
    assert.deepEqual(values(x.up, "x-session"), [v.plaintext]);
  }
  const issued = exchange(h, { worker: 0, response: [["x-replace-session", "user=alice&role=admin"]] });
  const [setCookie] = values(issued.down, "set-cookie");
  assert.match(setCookie, /^session=[A-Za-z0-9+/]+=*;path=\/$/);
  const back = exchange(h, { worker: 1, headers: [["cookie", cookieOf(setCookie)]] });
  assert.deepEqual(values(back.up, "x-session"), ["user=alice&role=admin"]);
});

test("CVE-2016-0736: tampered and MAC-less cookies all fail the same way", async () => {
  const h = await host({ upstream_header: "x-session", crypto: { format: "apache", passphrases: ["secret"] } });
  const good = vectors.session_crypto_cookie[0].value;
  const raw = Buffer.from(good, "base64");
  const flipped = Buffer.from(raw); flipped[50] ^= 1;
  const cases = [flipped.toString("base64"), raw.subarray(8).toString("base64"), "AAAA", "!!!"];
  for (const c of cases) {
    const x = exchange(h, { headers: [["cookie", `session=${c}`]] });
    assert.deepEqual(values(x.up, "x-session"), []);
  }
  assert.equal(h.metrics.get("clicktrail.session.decode_failures"), cases.length);
  const lines = h.logs.filter((l) => l.message.includes("clicktrail: session")).map((l) => l.message);
  assert.equal(lines.length, cases.length);
  assert.equal(new Set(lines).size, 1);
});

test("format aead (default): round trip across workers, bound to the cookie name", async () => {
  const cfg = { upstream_header: "x-session", response_header: "x-replace-session", crypto: { passphrases: ["correct horse battery staple"] } };
  const h = await host(cfg, { workers: 2 });
  const issued = exchange(h, { worker: 0, response: [["x-replace-session", "user=alice"]] });
  const [setCookie] = values(issued.down, "set-cookie");
  assert.match(setCookie, /^session=[A-Za-z0-9_-]+;HttpOnly;Secure;Version=1$/);
  const value = cookieOf(setCookie).slice("session=".length);
  assert.deepEqual(values(exchange(h, { worker: 1, headers: [["cookie", `session=${value}`]] }).up, "x-session"), ["user=alice"]);
  const renamed = await host({ ...cfg, cookie_name: "other" });
  assert.deepEqual(values(exchange(renamed, { headers: [["cookie", `other=${value}`]] }).up, "x-session"), []);
  assert.equal(renamed.metrics.get("clicktrail.session.decode_failures"), 1);
});

test("chunked sessions round-trip through the wasm", async () => {
  const h = await host({ upstream_header: "x-session", response_header: "x-replace-session", cookie_attributes: "path=/",
    crypto: { passphrases: ["p"] } });
  const big = "v".repeat(10000);
  const issued = exchange(h, { response: [["x-replace-session", `k=${big}`]] });
  const cookies = values(issued.down, "set-cookie");
  assert.equal(cookies.length, 4);
  assert.deepEqual(cookies.map((c) => c.slice(0, c.indexOf("="))), ["session", "session_2", "session_3", "session_4"]);
  for (const c of cookies) assert.ok(c.length <= 4096, `${c.length}`);
  const back = exchange(h, { headers: [["cookie", cookies.map(cookieOf).join("; ")]] });
  assert.deepEqual(values(back.up, "x-session"), [`k=${big}`]);
});

test("configuration errors name the JSON path and refuse the plugin", async () => {
  const h = await Host.create({ wasm: WASM, config: { session: { crypto: { format: "apache" }, max_age: -1 } } });
  assert.equal(h.configured, false);
  const messages = h.logs.map((l) => l.message).join("\n");
  assert.match(messages, /session\.crypto\.passphrases: at least one passphrase is required/);
  assert.match(messages, /session\.max_age: must be between 0 and 2147483647, got -1/);
});

test("2.4.54 hardening: an indecently large session cookie or update is handled without a trap", async () => {
  const h = await host({ upstream_header: "x-session", response_header: "x-replace-session", cookie_attributes: "path=/", max_chunks: 2 });
  const huge = "a=1&".repeat(50000);
  const x = exchange(h, { headers: [["cookie", `session=${huge}`]], response: [["x-replace-session", `b=${"%41".repeat(30000)}`]] });
  assert.deepEqual(values(x.up, "x-session"), ["a=1"]);
  // 30 000 bytes do not fit in 2 cookies: not saved, logged, and the worker keeps serving.
  assert.deepEqual(values(x.down, "set-cookie"), []);
  assert.ok(h.logs.some((l) => /does not fit in 2 cookie\(s\) of 4096 bytes \(session\.max_chunks\)/.test(l.message)));
  assert.deepEqual(values(exchange(h, { headers: [["cookie", "session=c=3"]] }).up, "x-session"), ["c=3"]);
  assert.equal(h.logs.filter((l) => l.host).length, 0);
});

test("cookie_remove: the upstream sees the other cookies only", async () => {
  const h = await host({ cookie_remove: true, upstream_header: "x-session" });
  const x = exchange(h, { headers: [["cookie", "a=1; session=k=v; b=2"], ["cookie", "session=k=v"]] });
  assert.deepEqual(values(x.up, "cookie"), ["a=1; b=2"]);
  assert.deepEqual(values(x.up, "x-session"), ["k=v"]);
  const only = exchange(h, { headers: [["cookie", "session=k=v"]] });
  assert.deepEqual(values(only.up, "cookie"), []);
});
