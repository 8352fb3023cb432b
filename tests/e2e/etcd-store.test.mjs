// session.store "etcd" with real parts: a three-member etcd cluster (tests/support/etcd.mjs) and two dev
// proxies standing for two machines, each with its own shared data and two worker VMs, both pointed at the
// cluster with `clusters` (what `clicktrail proxy --cluster etcd=URL,URL,URL` builds). Sessions move
// between the proxies; concurrent visitors see exactly their own writes; the leader dies mid-run; a
// quorum is lost and comes back; keys expire; forged keys are empty sessions.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { createHash } from "node:crypto";
import { startProxy } from "../../dist/host/index.js";
import { EtcdCluster, etcdPost, etcdSkip } from "../support/etcd.mjs";
import { PROFILE } from "./profile.mjs";
import { startSessionBackend } from "../support/session-backend.mjs";

// Under the nginx profile (scripts/test.mjs runs tests/e2e/ twice) the store is refused at load: that is
// the one test of this file there.
const NGINX = PROFILE === "nginx";
const skip = NGINX ? "the etcd store is refused under NGINX (tested below)" : etcdSkip("the etcd store suite");
const VISITORS = 40;

let cluster;
let upstream;
/** Session values the upstream was handed, per request id (x-request: the client's own label). */
const seenUpstream = [];
const proxies = [];
const logs = [];

function sessionConfig(extra = {}) {
  return {
    session: {
      store: "etcd", cookie_name: "sid", cookie_attributes: "path=/",
      upstream_header: "x-session", response_header: "x-replace-session",
      etcd: { cluster: "etcd", timeout_ms: 1000, cas_retries: 16, grace_seconds: 30, ...extra },
    },
  };
}

async function proxyFor(config, urls, workers = 2) {
  const p = await startProxy({
    wasm: "build/clicktrail.wasm",
    config,
    listen: "127.0.0.1:0",
    upstream: `http://127.0.0.1:${upstream.address().port}`,
    workers,
    clusters: { etcd: urls.map((u) => new URL(u)) },
    logLevel: "debug",
    log: (line) => logs.push(line),
  });
  proxies.push(p);
  return p;
}

before(async () => {
  if (skip) return;
  upstream = await startSessionBackend({ seen: seenUpstream });
  cluster = await EtcdCluster.start(3);
});

after(async () => {
  if (process.env.ETCD_TEST_LOGS) console.error(logs.join("\n"));
  for (const p of proxies) await p.close();
  if (upstream) await new Promise((r) => upstream.close(r));
  await cluster?.stop();
});

function get(port, path, cookie) {
  return new Promise((resolve, reject) => {
    const headers = cookie ? { cookie } : {};
    // A request the proxy never answers is a failure of its own, not a hung suite.
    const req = http.get({ host: "127.0.0.1", port, path, headers, agent: false, timeout: 10000 }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({
        status: res.statusCode, setCookie: res.headers["set-cookie"] ?? [], retryAfter: res.headers["retry-after"],
        body: Buffer.concat(chunks).toString(),
      }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer to ${path} from port ${port} within 10 s`)));
    req.on("error", reject);
  });
}

/** The session value of a Set-Cookie list: a string, null for an expiring cookie, undefined when none. */
function cookieOf(res) {
  let out;
  for (const line of res.setCookie) {
    const pair = line.split(";")[0];
    if (pair.startsWith("sid=")) out = pair.length > 4 ? pair : null;
  }
  return out;
}

/** A counter of the etcd store, summed over the proxy's worker VMs. */
function metric(proxy, name) {
  const m = proxy.host.metrics;
  const full = `clicktrail.session.etcd.${name}`;
  return Number(m.get(`wasmcustom.${full}`) ?? m.get(full) ?? 0);
}

function parse(body) {
  return Object.fromEntries(body ? body.split("&").map((p) => p.split("=")).filter(([k]) => k !== "expiry").sort() : []);
}

class Visitor {
  constructor(id, ports) { this.id = id; this.ports = ports; this.cookie = null; this.expected = {}; this.n = 0; }
  port() { return this.ports[this.n++ % this.ports.length]; }
  take(res) {
    const c = cookieOf(res);
    if (c !== undefined) this.cookie = c;
  }
  async set(k, v) {
    const res = await get(this.port(), `/set?k=${k}&v=${v}`, this.cookie);
    assert.equal(res.status, 200, `visitor ${this.id}: ${res.body}`);
    this.expected[k] = v;
    return res;
  }
  async session() {
    const res = await get(this.port(), "/get", this.cookie);
    assert.equal(res.status, 200);
    this.take(res);
    return parse(res.body);
  }
}

test("a session created through one proxy is read and changed through the other", { skip }, async () => {
  const a = await proxyFor(sessionConfig(), cluster.urls);
  const b = await proxyFor(sessionConfig(), cluster.urls.slice().reverse());
  const first = await get(a.port, "/set?k=user&v=alice");
  const c1 = cookieOf(first);
  assert.match(c1, /^sid=[A-Za-z0-9_-]{22}$/);
  assert.equal((await get(b.port, "/get", c1)).body, "user=alice");
  const changed = await get(b.port, "/set?k=cart&v=3", c1);
  const c2 = cookieOf(changed);
  assert.match(c2, /^sid=[A-Za-z0-9_-]{22}$/);
  assert.notEqual(c2, c1, "a changed session gets a new key");
  assert.deepEqual(parse((await get(a.port, "/get", c2)).body), { cart: "3", user: "alice" });
  // The old key still opens the session during the grace period, and learns nothing new.
  const old = await get(a.port, "/get", c1);
  assert.deepEqual(parse(old.body), { cart: "3", user: "alice" });
  assert.equal(cookieOf(old), undefined);
  // Nothing of it is in either proxy's shared data.
  for (const p of [a, b]) assert.equal(p.host.sharedStore.entries(p.host.vmId).size, 0);
});

test("40 concurrent visitors writing through both proxies see exactly their own writes", { skip }, async () => {
  const ports = proxies.slice(0, 2).map((p) => p.port);
  const visitors = Array.from({ length: VISITORS }, (_, i) => new Visitor(i, ports));
  await Promise.all(visitors.map(async (v) => v.take(await v.set(`v${v.id}`, "start"))));
  for (const v of visitors) assert.ok(v.cookie, `visitor ${v.id} got a session cookie`);
  for (let round = 1; round <= 3; round++) {
    await Promise.all(visitors.map(async (v) => {
      // Two writes of one visitor at once, to different keys, through different proxies.
      const [x, y] = await Promise.all([v.set(`a${round}`, `${v.id}x${round}`), v.set(`b${round}`, `${v.id}y${round}`)]);
      v.take(x);
      v.take(y);
      assert.deepEqual(await v.session(), Object.fromEntries(Object.entries(v.expected).sort()), `visitor ${v.id}, round ${round}`);
    }));
  }
});

test("a forged, malformed or stale key is an empty session", { skip }, async () => {
  const [a] = proxies;
  for (const c of ["sid=AAAAAAAAAAAAAAAAAAAAAA", "sid=not-a-key", "sid=" + "A".repeat(40)]) {
    const res = await get(a.port, "/get", c);
    assert.equal(res.status, 200);
    assert.equal(res.body, "");
  }
});

test("killing the leader mid-run loses no confirmed session and never hands the upstream an invented one", { skip }, async () => {
  const ports = proxies.slice(0, 2).map((p) => p.port);
  const visitors = Array.from({ length: 20 }, (_, i) => new Visitor(100 + i, ports));
  await Promise.all(visitors.map(async (v) => v.take(await v.set(`k${v.id}`, "1"))));
  const leader = await cluster.leader();
  assert.ok(leader, "the cluster has a leader");
  seenUpstream.length = 0;
  const outcomes = { ok: 0, unavailable: 0 };
  let killed = false;
  const run = async (v, i) => {
    for (let j = 0; j < 6; j++) {
      if (i === 0 && j === 2 && !killed) { killed = true; await cluster.kill(leader); }
      const res = await get(v.port(), `/set?k=r${j}&v=${v.id}`, v.cookie);
      if (res.status === 200) {
        outcomes.ok++;
        const c = cookieOf(res);
        // Only a confirmed write sets a cookie; without one the visitor keeps its key.
        if (c) { v.cookie = c; v.expected[`r${j}`] = `${v.id}`; }
      } else {
        assert.equal(res.status, 503, res.body);
        assert.equal(res.retryAfter, "1");
        assert.equal(cookieOf(res), undefined, "a refused request sets no cookie");
        outcomes.unavailable++;
      }
    }
  };
  await Promise.all(visitors.map(run));
  // The upstream was never handed a session that lacks the visitor's first key.
  for (const s of seenUpstream.filter((x) => x.path === "/set")) {
    assert.match(s.session, /(^|&)k1\d\d=1(&|$)/, `upstream got ${JSON.stringify(s.session)}`);
  }
  await cluster.waitHealthy();
  // Every cookie a client was given still loads, with at least what was confirmed for it.
  for (const v of visitors) {
    const seen = await v.session();
    for (const [k, value] of Object.entries(v.expected)) assert.equal(seen[k], value, `visitor ${v.id}: key ${k} of a confirmed write`);
  }
  assert.ok(outcomes.ok > 0);
  await cluster.restart(leader);
  await cluster.waitHealthy();
});

test("two of three members down: 503 and no cookie; back up: service resumes", { skip }, async () => {
  const [a] = proxies;
  const v = new Visitor(500, [a.port]);
  v.take(await v.set("x", "1"));
  const down = cluster.members.slice(0, 2);
  for (const m of down) await cluster.kill(m);
  const refused = await get(a.port, "/get", v.cookie);
  assert.equal(refused.status, 503);
  assert.equal(refused.retryAfter, "1");
  assert.equal(refused.body, "the session store is unavailable; please retry\n");
  assert.equal(cookieOf(refused), undefined);
  // A new visitor cannot be told there is no session either: no cookie, no request to the upstream.
  const before = seenUpstream.length;
  const fresh = await get(a.port, "/get", "sid=AAAAAAAAAAAAAAAAAAAAAA");
  assert.equal(fresh.status, 503);
  assert.equal(seenUpstream.length, before);
  for (const m of down) await cluster.restart(m);
  await cluster.waitHealthy();
  assert.deepEqual(await v.session(), { x: "1" });
  assert.ok(logs.some((l) => /session: reading the session from etcd failed: .*; the request was refused with 503/.test(l)), "a log line says why");
});

test("on_unavailable \"empty\": an empty session that is never saved", { skip }, async () => {
  const c = await proxyFor(sessionConfig({ on_unavailable: "empty", timeout_ms: 300 }), ["http://127.0.0.1:9"]);
  const res = await get(c.port, "/set?k=a&v=b", "sid=AAAAAAAAAAAAAAAAAAAAAA");
  assert.equal(res.status, 200);
  assert.equal(cookieOf(res), undefined);
  assert.equal(seenUpstream.at(-1).session, "");
});

test("expiry: the value's own expiry decides, and leases collect the keys", { skip }, async () => {
  // One worker VM: its lease cache is the one the test reasons about.
  // A generous timeout and max_age: this test is about expiry, and a first save (lease grant, then Txn) that
  // waits behind other suites' etcd traffic on a loaded machine must neither be mistaken for an unavailable
  // store nor outlast the session (with max_age 4 it once did: the read right after the save found it expired).
  const MAX_AGE = 6;
  const p = await proxyFor({ session: { ...sessionConfig({ timeout_ms: 5000 }).session, max_age: MAX_AGE } }, cluster.urls, 1);
  // Both sessions saved below must expire in one lease bucket (LEASE_BUCKET_SECONDS, 60 s, of expiry time:
  // assembly/session/etcd-backend.ts), or the second gets a new bucket's lease instead of finding the revoked
  // one gone: start when the first expiry (now + MAX_AGE) is at least 15 s before the next bucket boundary.
  const toBoundary = () => 60000 - ((Date.now() + MAX_AGE * 1000) % 60000);
  if (toBoundary() < 15000) await new Promise((r) => setTimeout(r, toBoundary() + 200));
  const res = await get(p.port, "/set?k=short&v=1");
  const c = cookieOf(res);
  assert.ok(c);
  assert.deepEqual(parse((await get(p.port, "/get", c)).body), { short: "1" });
  await new Promise((r) => setTimeout(r, MAX_AGE * 1000 + 100));
  assert.deepEqual(parse((await get(p.port, "/get", c)).body), {});
  // The key (prefix + base64url of the first 16 bytes of SHA-256 of the token) carries a lease of its
  // expiry's time bucket, which etcd revokes at most two buckets (120 s) after the expiry.
  const token = Buffer.from(c.slice(4), "base64url");
  const key = "clicktrail/session/" + createHash("sha256").update(token).digest().subarray(0, 16).toString("base64url");
  const found = await etcdPost(cluster.urls[0], "/v3/kv/range", { key: Buffer.from(key).toString("base64") });
  assert.equal(found.status, 200);
  assert.equal(found.json.kvs?.length, 1, "the expired session's key is still there until its lease ends");
  assert.match(Buffer.from(found.json.kvs[0].value, "base64").toString("latin1"), /^1s\d+:short=1&expiry=\d+$/);
  const ttl = await etcdPost(cluster.urls[0], "/v3/lease/timetolive", { ID: found.json.kvs[0].lease });
  assert.ok(Number(ttl.json.TTL) > 0 && Number(ttl.json.TTL) <= 180, `lease TTL ${ttl.json.TTL}`);
  // Revoking the lease (what its expiry does) takes the key with it.
  assert.equal((await etcdPost(cluster.urls[0], "/v3/lease/revoke", { ID: found.json.kvs[0].lease })).status, 200);
  const after = await etcdPost(cluster.urls[0], "/v3/kv/range", { key: Buffer.from(key).toString("base64") });
  assert.equal(after.json.kvs, undefined);
  // The next session of this proxy finds its cached lease gone ("lease not found") and grants a new one.
  const again = await get(p.port, "/set?k=next&v=2");
  assert.ok(cookieOf(again), "saved with a new lease");
  assert.equal(metric(p, "lease_not_found"), 1);
  assert.equal(metric(p, "lease_grants"), 2);
});

test("NGINX profile: the dev proxy refuses to start with store \"etcd\", and says why", { skip: !NGINX }, async () => {
  const lines = [];
  await assert.rejects(startProxy({
    wasm: "build/clicktrail.wasm", config: sessionConfig(), listen: "127.0.0.1:0", upstream: "http://127.0.0.1:9",
    profile: "nginx", clusters: { etcd: [new URL("http://127.0.0.1:9")] }, log: (l) => lines.push(l),
  }), /the plugin refused its configuration/);
  assert.ok(lines.some((l) => l.includes('session.store: "etcd" saves through an HTTP callout from the response phase')), lines.join("\n"));
});

