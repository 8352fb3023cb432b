// session.store "shared" through the dev proxy over real HTTP: four worker VMs sharing one shared-data
// store (requests are spread round-robin, so consecutive requests of a visitor land on different workers),
// concurrent visitors, and two concurrent writes of one visitor racing each other. Each visitor must see
// exactly its own keys, whichever worker serves it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startProxy } from "../../dist/host/index.js";
import { PROFILE } from "./profile.mjs";
import { startSessionBackend } from "../support/session-backend.mjs";

const VISITORS = 24;
const ROUNDS = 4;

let upstream;
let proxy;

before(async () => {
  // /set?k=v answers with the session update header; /get echoes the session the backend received.
  upstream = await startSessionBackend();
  proxy = await startProxy({
    wasm: "build/clicktrail.wasm",
    config: {
      session: {
        store: "shared", cookie_name: "sid", cookie_attributes: "path=/",
        upstream_header: "x-session", response_header: "x-replace-session",
        shared: { capacity: 256, grace_seconds: 30 },
      },
    },
    listen: "127.0.0.1:0",
    upstream: `http://127.0.0.1:${upstream.address().port}`,
    workers: 4,
    profile: PROFILE,
    log: () => {},
  });
});

after(async () => {
  await proxy?.close();
  await new Promise((r) => upstream.close(r));
});

function get(path, cookie) {
  return new Promise((resolve, reject) => {
    const headers = cookie ? { cookie } : {};
    http.get({ host: "127.0.0.1", port: proxy.port, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, setCookie: res.headers["set-cookie"] ?? [], body: Buffer.concat(chunks).toString() }));
    }).on("error", reject);
  });
}

/** A visitor keeps the newest session cookie it was given, as a browser does. */
class Visitor {
  constructor(id) { this.id = id; this.cookie = null; this.expected = new Map(); }
  take(res) {
    for (const line of res.setCookie) {
      const pair = line.split(";")[0];
      if (pair.startsWith("sid=")) this.cookie = pair.length > 4 ? pair : null;
    }
  }
  async set(k, v) {
    const res = await get(`/set?k=${k}&v=${v}`, this.cookie);
    assert.equal(res.status, 200);
    this.expected.set(k, v);
    return res;
  }
  async session() {
    const res = await get("/get", this.cookie);
    this.take(res);
    return new Map(res.body ? res.body.split("&").map((p) => p.split("=")).filter(([k]) => k !== "expiry") : []);
  }
}

test("concurrent visitors on four workers each see exactly their own writes", async () => {
  const visitors = Array.from({ length: VISITORS }, (_, i) => new Visitor(i));
  // Round 0 creates every session (one write each, all visitors at once).
  await Promise.all(visitors.map(async (v) => v.take(await v.set(`v${v.id}`, "start"))));
  for (const v of visitors) assert.ok(v.cookie, `visitor ${v.id} got a session cookie`);

  for (let round = 1; round <= ROUNDS; round++) {
    await Promise.all(visitors.map(async (v) => {
      // Two writes of one visitor at once, to different keys: they race on different workers.
      const [a, b] = await Promise.all([v.set(`a${round}`, `${v.id}x${round}`), v.set(`b${round}`, `${v.id}y${round}`)]);
      v.take(a);
      v.take(b);
      const seen = await v.session();
      assert.deepEqual(Object.fromEntries([...seen].sort()), Object.fromEntries([...v.expected].sort()),
        `visitor ${v.id}, round ${round}`);
    }));
  }
});

test("a request without a cookie, or with a forged one, has an empty session", async () => {
  assert.equal((await get("/get")).body, "");
  assert.equal((await get("/get", "sid=AAAAAAAAAAAAAAAAAAAAAAAAAA")).body, "");
});

test("without key_prefix the keys start with the plugin's name: the dev proxy's clicktrail/, as envoy/envoy.yaml's", async () => {
  const keys = [...proxy.host.sharedStore.entries("").keys()];
  assert.ok(keys.length >= VISITORS, `${keys.length} keys`);
  for (const k of keys) assert.match(k, /^clicktrail\/[A-Za-z0-9_-]{4}$/);
});

test("a plugin named default.a (istiod's <namespace>.<name>) keeps its sessions under default.a/", async () => {
  const named = await startProxy({
    wasm: "build/clicktrail.wasm",
    config: { session: { store: "shared", cookie_name: "sid", cookie_attributes: "path=/", upstream_header: "x-session", response_header: "x-replace-session" } },
    listen: "127.0.0.1:0",
    upstream: `http://127.0.0.1:${upstream.address().port}`,
    pluginName: "default.a",
    profile: PROFILE,
    log: () => {},
  });
  try {
    const res = await new Promise((resolve, reject) => {
      http.get({ host: "127.0.0.1", port: named.port, path: "/set?k=u&v=alice", agent: false }, (r) => { r.resume(); r.on("end", () => resolve(r)); }).on("error", reject);
    });
    assert.match(String(res.headers["set-cookie"]), /^sid=[A-Za-z0-9_-]{26};path=\/$/);
    const keys = [...named.host.sharedStore.entries("").keys()];
    assert.equal(keys.length, 1);
    assert.match(keys[0], /^default\.a\/[A-Za-z0-9_-]{4}$/);
  } finally {
    await named.close();
  }
});
