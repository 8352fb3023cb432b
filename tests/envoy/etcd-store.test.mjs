// session.store "etcd" in real Envoy: two Envoys (two machines: each its own process and shared data)
// from envoy/envoy.yaml, their `etcd` cluster pointed at a three-member etcd cluster of the test's own.
// A session moves between them; 40 concurrent visitors see exactly their own writes; the leader dies
// mid-run; a quorum is lost and comes back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { freePort } from "../support/processes.mjs";
import { envoySkip, startEnvoy, testBootstrap, useEtcdMembers } from "../support/envoy.mjs";
import { EtcdCluster, etcdSkip } from "../support/etcd.mjs";
import { startSessionBackend } from "../support/session-backend.mjs";

const skip = envoySkip("the etcd store in Envoy") || etcdSkip("the etcd store in Envoy");
const CONFIG = {
  session: {
    store: "etcd", cookie_name: "sid", cookie_attributes: "path=/",
    upstream_header: "x-session", response_header: "x-replace-session",
    etcd: { cluster: "etcd", timeout_ms: 1000, cas_retries: 16, grace_seconds: 30 },
  },
};

let cluster, upstream;
const envoys = [];
const seenUpstream = [];

before(async () => {
  if (skip) return;
  const upstreamPort = await freePort();
  upstream = await startSessionBackend({ seen: seenUpstream, port: upstreamPort, keepAliveTimeout: 60000 });
  cluster = await EtcdCluster.start(3);
  const ports = cluster.members.map((m) => m.client);
  for (let i = 0; i < 2; i++) {
    envoys.push(await startEnvoy((p) => testBootstrap({
      ...p, upstreams: { web1: upstreamPort, web2: upstreamPort }, pluginConfig: CONFIG,
      edit: (b) => useEtcdMembers(b, ports),
    })));
  }
});

after(async () => {
  for (const e of envoys) await e.stop();
  if (upstream) await new Promise((r) => upstream.close(r));
  await cluster?.stop();
});

function get(port, path, cookie) {
  return new Promise((resolve, reject) => {
    const headers = cookie ? { cookie } : {};
    const req = http.get({ host: "127.0.0.1", port, path, headers, agent: false, timeout: 10000 }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, setCookie: res.headers["set-cookie"] ?? [], retryAfter: res.headers["retry-after"], body: Buffer.concat(chunks).toString() }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer to ${path} from port ${port} within 10 s`)));
    req.on("error", reject);
  });
}

function cookieOf(res) {
  let out;
  for (const line of res.setCookie) {
    const pair = line.split(";")[0];
    if (pair.startsWith("sid=")) out = pair.length > 4 ? pair : null;
  }
  return out;
}

const parse = (body) => Object.fromEntries(body ? body.split("&").map((p) => p.split("=")).filter(([k]) => k !== "expiry").sort() : []);

class Visitor {
  constructor(id) { this.id = id; this.cookie = null; this.expected = {}; this.n = 0; }
  port() { return envoys[this.n++ % envoys.length].port; }
  async set(k, v) {
    const res = await get(this.port(), `/set?k=${k}&v=${v}`, this.cookie);
    assert.equal(res.status, 200, `visitor ${this.id}: ${res.status} ${res.body}`);
    this.expected[k] = v;
    return res;
  }
  take(res) {
    const c = cookieOf(res);
    if (c !== undefined) this.cookie = c;
  }
  async session() {
    const res = await get(this.port(), "/get", this.cookie);
    assert.equal(res.status, 200);
    this.take(res);
    return parse(res.body);
  }
}

test("Envoy: a session created through one Envoy is read and changed through the other", { skip }, async () => {
  const [a, b] = envoys;
  const c1 = cookieOf(await get(a.port, "/set?k=user&v=alice"));
  assert.match(c1, /^sid=[A-Za-z0-9_-]{22}$/);
  assert.equal((await get(b.port, "/get", c1)).body, "user=alice");
  const c2 = cookieOf(await get(b.port, "/set?k=cart&v=3", c1));
  assert.match(c2, /^sid=[A-Za-z0-9_-]{22}$/);
  assert.notEqual(c2, c1);
  assert.deepEqual(parse((await get(a.port, "/get", c2)).body), { cart: "3", user: "alice" });
  assert.deepEqual(parse((await get(a.port, "/get", c1)).body), { cart: "3", user: "alice" }, "the old key within its grace");
});

test("Envoy: 40 concurrent visitors writing through both Envoys see exactly their own writes", { skip }, async () => {
  const visitors = Array.from({ length: 40 }, (_, i) => new Visitor(i));
  await Promise.all(visitors.map(async (v) => v.take(await v.set(`v${v.id}`, "start"))));
  for (const v of visitors) assert.ok(v.cookie, `visitor ${v.id} got a session cookie`);
  for (let round = 1; round <= 3; round++) {
    await Promise.all(visitors.map(async (v) => {
      const [x, y] = await Promise.all([v.set(`a${round}`, `${v.id}x${round}`), v.set(`b${round}`, `${v.id}y${round}`)]);
      v.take(x);
      v.take(y);
      assert.deepEqual(await v.session(), Object.fromEntries(Object.entries(v.expected).sort()), `visitor ${v.id}, round ${round}`);
    }));
  }
});

test("Envoy: the leader killed mid-run: confirmed sessions survive, the upstream never gets an invented one", { skip }, async () => {
  const visitors = Array.from({ length: 20 }, (_, i) => new Visitor(100 + i));
  await Promise.all(visitors.map(async (v) => v.take(await v.set(`k${v.id}`, "1"))));
  const leader = await cluster.leader();
  assert.ok(leader);
  seenUpstream.length = 0;
  let killed = false;
  const statuses = [];
  await Promise.all(visitors.map(async (v, i) => {
    for (let j = 0; j < 6; j++) {
      if (i === 0 && j === 2 && !killed) { killed = true; await cluster.kill(leader); }
      const res = await get(v.port(), `/set?k=r${j}&v=${v.id}`, v.cookie);
      statuses.push(res.status);
      if (res.status === 200) {
        const c = cookieOf(res);
        if (c) { v.cookie = c; v.expected[`r${j}`] = `${v.id}`; }
      } else {
        assert.equal(res.status, 503, res.body);
        assert.equal(res.retryAfter, "1");
        assert.equal(cookieOf(res), undefined);
      }
    }
  }));
  for (const s of seenUpstream.filter((x) => x.path === "/set")) assert.match(s.session, /(^|&)k1\d\d=1(&|$)/, JSON.stringify(s.session));
  await cluster.waitHealthy();
  for (const v of visitors) {
    const seen = await v.session();
    for (const [k, value] of Object.entries(v.expected)) assert.equal(seen[k], value, `visitor ${v.id}: ${k}`);
  }
  assert.ok(statuses.filter((s) => s === 200).length > 0);
  await cluster.restart(leader);
  await cluster.waitHealthy();
});

test("Envoy: two of three members down: 503 and no cookie; back up: service resumes", { skip }, async () => {
  const [a] = envoys;
  const v = new Visitor(500);
  v.port = () => a.port;
  v.take(await v.set("x", "1"));
  const down = cluster.members.slice(0, 2);
  for (const m of down) await cluster.kill(m);
  const refused = await get(a.port, "/get", v.cookie);
  assert.equal(refused.status, 503);
  assert.equal(refused.retryAfter, "1");
  assert.equal(refused.body, "the session store is unavailable; please retry\n");
  assert.equal(cookieOf(refused), undefined);
  for (const m of down) await cluster.restart(m);
  await cluster.waitHealthy();
  // Envoy's health checks put the members back within a few intervals.
  let back = null;
  for (let i = 0; i < 50 && back?.status !== 200; i++) {
    back = await get(a.port, "/get", v.cookie);
    if (back.status !== 200) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(back.status, 200);
  assert.deepEqual(parse(back.body), { x: "1" });
});
