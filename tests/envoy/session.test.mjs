// session in real Envoy (--concurrency 2) as envoy/envoy.yaml loads it: the upstream's x-replace-session
// becomes an encrypted cookie (format "aead", docs/session-format.md §2), the next request's upstream
// header carries the session, and client-sent copies never reach the upstream; then session.store
// "shared" under many concurrent visitors whose connections land on both worker threads, each visitor's
// writes kept in its own session.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { envoySkip, startEnvoy, testBootstrap, wasmFilterConfig, demoBootstrap } from "../support/envoy.mjs";
import { startUpstream, request, values } from "../support/upstream.mjs";

const skip = envoySkip("Envoy session suite");
const CURL = ["user-agent", "curl/8.0"]; // a clickpath UA exception: no URL session in the way

/** The upstream: answers `x-replace-session: <x-want>` when the request asks for one through x-want. */
const answer = (req) => {
  const want = req.header("x-want");
  const headers = [["content-type", "text/plain"], ["content-length", "2"]];
  if (want !== undefined) headers.push(["x-replace-session", want]);
  return { headers, body: "ok" };
};

const cookieOf = (r, name = "session") => values(r.headers, "set-cookie").filter((c) => c.startsWith(`${name}=`));

describe("session, cookie store", { skip }, describeCookieStore);
describe("session, shared store", { skip }, describeSharedStore);

function describeCookieStore() {
  let envoy, upstream;
  before(async () => {
    if (skip) return;
    upstream = await startUpstream(answer);
    envoy = await startEnvoy((ports) => testBootstrap({ ...ports, upstreams: { web1: upstream.port, web2: upstream.port } }));
  });
  after(async () => {
    if (envoy) await envoy.stop();
    if (upstream) await upstream.close();
  });

  test("cookie store: x-replace-session becomes an encrypted cookie; the next request's upstream gets the session", { skip }, async () => {
    const from = Date.now();
    const first = await request(envoy.port, { path: "/login", headers: [CURL, ["x-want", "user=alice&role=admin"], ["x-session", "user=mallory"]] });
    const to = Date.now();
    assert.equal(first.status, 200);
    assert.deepEqual(values(first.headers, "x-replace-session"), [], "the upstream's header never reaches the client");
    // The forged header is replaced by the (new, empty) session's own: only its expiry.
    assert.match(upstream.requests.at(-1).all("x-session").join("|"), /^expiry=\d+$/);
    const cookies = cookieOf(first);
    assert.equal(cookies.length, 1, values(first.headers, "set-cookie").join("\n"));
    const m = /^session=([A-Za-z0-9_-]+);Max-Age=1800;path=\/;HttpOnly;SameSite=Lax$/.exec(cookies[0]);
    assert.ok(m, cookies[0]);
    const sealed = Buffer.from(m[1], "base64url");
    assert.equal(sealed[0], 1, "format version 1");
    assert.equal(sealed[1], 1, "XChaCha20-Poly1305");
    assert.equal(sealed.includes("alice"), false, "encrypted");
    const expiry = sealed.readBigUInt64BE(6);
    assert.ok(expiry >= BigInt(from + 1800000) * 1000n - 1000n && expiry <= BigInt(to + 1800000) * 1000n + 1000n, `expiry ${expiry}`);
    assert.deepEqual(values(first.headers, "cache-control"), ["no-cache, private"]);

    // The next request: the upstream reads the decrypted session, and only from the filter.
    const next = await request(envoy.port, { path: "/account", headers: [CURL, ["cookie", `session=${m[1]}`], ["x-session", "user=mallory&role=root"]] });
    assert.equal(next.status, 200);
    const seen = upstream.requests.at(-1);
    assert.equal(seen.target, "/account");
    assert.deepEqual(seen.all("x-session"), [`user=alice&role=admin&expiry=${expiry}`]);
    // Unchanged, and the expiry moved by less than expiry_update_interval (60 s): no new cookie.
    assert.deepEqual(cookieOf(next), []);

    // A change: the upstream deletes a key (an empty value) and adds one.
    const change = await request(envoy.port, { path: "/promote", headers: [CURL, ["cookie", `session=${m[1]}`], ["x-want", "role=&level=2"]] });
    const changed = /^session=([A-Za-z0-9_-]+);Max-Age=1800;/.exec(cookieOf(change)[0] ?? "");
    assert.ok(changed, values(change.headers, "set-cookie").join("\n"));
    await request(envoy.port, { path: "/check", headers: [CURL, ["cookie", `session=${changed[1]}`]] });
    assert.match(upstream.requests.at(-1).header("x-session"), /^user=alice&level=2&expiry=\d+$/);
    const stats = await envoy.stats();
    assert.equal(stats.get("wasmcustom.clicktrail.session.saved"), 2);
    assert.equal(stats.get("wasmcustom.clicktrail.session.loaded"), 3);
    assert.equal(stats.get("wasmcustom.clicktrail.session.decode_failures"), 0);
  });

  test("cookie store: a tampered cookie is an empty session; the forged header still never reaches the upstream", { skip }, async () => {
    const before = (await envoy.stats()).get("wasmcustom.clicktrail.session.decode_failures");
    const first = await request(envoy.port, { path: "/login", headers: [CURL, ["x-want", "user=bob"]] });
    const value = /^session=([A-Za-z0-9_-]+);/.exec(cookieOf(first)[0])[1];
    const tampered = value.slice(0, 30) + (value[30] === "A" ? "B" : "A") + value.slice(31);
    await request(envoy.port, { path: "/t", headers: [CURL, ["cookie", `session=${tampered}`], ["x-session", "user=bob"]] });
    assert.match(upstream.requests.at(-1).all("x-session").join("|"), /^expiry=\d+$/, "only the new empty session's expiry");
    assert.equal((await envoy.stats()).get("wasmcustom.clicktrail.session.decode_failures"), before + 1);
  });
}

function describeSharedStore() {
  let envoy, upstream;
  const VISITORS = 40;
  const STEPS = 5;
  before(async () => {
    if (skip) return;
    upstream = await startUpstream(answer);
    const config = JSON.parse(wasmFilterConfig(demoBootstrap()).configuration.value);
    config.session.store = "shared";
    // A sweep pass over the whole table every tick, so that entries_in_use (published by the sweep, which
    // runs from on_tick in every worker VM) soon counts the live sessions.
    config.session.shared = { capacity: 256, key_prefix: "envoy-test/", sweep_slots_per_tick: 256, sweep_period_millis: 10 };
    envoy = await startEnvoy((ports) => testBootstrap({ ...ports, upstreams: { web1: upstream.port, web2: upstream.port }, pluginConfig: config }));
  });
  after(async () => {
    if (envoy) await envoy.stop();
    if (upstream) await upstream.close();
  });

  test(`shared store: ${VISITORS} visitors × ${STEPS} requests at once, over both workers, each keeps its own writes`, { skip }, async () => {
    // Each visitor's step i writes k<i>=<visitor> and checks that steps 0..i-1 are there; every request is
    // its own connection, so the kernel spreads them over Envoy's two workers.
    const visitor = async (v) => {
      let cookie = null;
      const seen = [];
      for (let i = 0; i < STEPS; i++) {
        const headers = [CURL, ["x-want", `k${i}=v${v}`], ["x-visitor", String(v)]];
        if (cookie) headers.push(["cookie", `session=${cookie}`]);
        const r = await request(envoy.port, { path: `/v${v}/step${i}`, headers });
        assert.equal(r.status, 200, `visitor ${v} step ${i}: ${r.error ?? r.status}`);
        const set = cookieOf(r);
        assert.equal(set.length, 1, `visitor ${v} step ${i}: a changed session gets a new key: ${values(r.headers, "set-cookie")}`);
        cookie = /^session=([A-Za-z0-9_-]{26});/.exec(set[0])[1];
        seen.push(upstream.requests.find((q) => q.target === `/v${v}/step${i}`).all("x-session"));
      }
      const last = await request(envoy.port, { path: `/v${v}/final`, headers: [CURL, ["cookie", `session=${cookie}`]] });
      assert.equal(last.status, 200);
      seen.push(upstream.requests.find((q) => q.target === `/v${v}/final`).all("x-session"));
      return seen;
    };
    const results = await Promise.all(Array.from({ length: VISITORS }, (_, v) => visitor(v)));
    results.forEach((seen, v) => {
      for (let i = 0; i <= STEPS; i++) {
        const pairs = Array.from({ length: i }, (_, k) => `k${k}=v${v}`);
        assert.equal(seen[i].length, 1, `visitor ${v} request ${i}: one x-session header`);
        assert.match(seen[i][0], new RegExp(`^${pairs.length ? pairs.join("&") + "&" : ""}expiry=\\d+$`), `visitor ${v} request ${i}`);
      }
    });
    const stats = await envoy.stats();
    assert.equal(stats.get("wasmcustom.clicktrail.session.store.created"), VISITORS);
    assert.equal(stats.get("wasmcustom.clicktrail.session.store.full"), 0);
    assert.equal(stats.get("wasmcustom.clicktrail.session.store.too_large"), 0);
    // The sweep (on_tick) sees the same shared data from every worker: one live session per visitor.
    const deadline = Date.now() + 10000;
    let live;
    while ((live = (await envoy.stats()).get("wasmcustom.clicktrail.session.store.entries_in_use")) !== VISITORS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(live, VISITORS, "entries_in_use");
    // Both workers took connections (Envoy counts accepted connections per worker).
    const perWorker = [...stats].filter(([k]) => /^listener\.127\.0\.0\.1_\d+\.worker_\d+\.downstream_cx_total$/.test(k));
    assert.equal(perWorker.length, 2, perWorker.join(" "));
    for (const [k, n] of perWorker) assert.ok(n > 0, `${k} = ${n}`);
  });
}
