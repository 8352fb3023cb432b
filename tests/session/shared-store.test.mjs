// session.store "shared" end to end: build/clicktrail.wasm in the Envoy-model host with four worker VMs
// sharing one shared-data store, driven with a virtual clock and ticks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { randomFillSync } from "node:crypto";

const hostModule = new URL("../../dist/host/index.js", import.meta.url);
const wasm = new URL("../../build/clicktrail.wasm", import.meta.url).pathname;
const ready = existsSync(hostModule) && existsSync(wasm);
if (!ready) console.log("SKIPPED: tests/session/shared-store.test.mjs needs dist/host (branch host) and build/clicktrail.wasm");
const { Host } = ready ? await import(hostModule) : { Host: null };

const SEC = 1_000_000_000n;
const START = 1_700_000_000n * SEC;

function baseConfig(shared, extra = {}) {
  return {
    session: {
      store: "shared",
      cookie_name: "session",
      cookie_attributes: "path=/",
      response_header: "x-replace-session",
      upstream_header: "x-session",
      ...extra,
      shared,
    },
  };
}

/** A host whose WASI clock is `clock.ns`, moved by the test. */
async function makeHost(config, workers = 4) {
  const clock = { ns: START };
  const host = await Host.create({
    wasm, config, workers, clock: () => clock.ns, random: (buf) => randomFillSync(buf), logLevel: "info",
  });
  assert.equal(host.configured, true, JSON.stringify(host.logs));
  return { host, clock };
}

/** Sends request headers on `worker` with the session key `key` (null: no cookie). */
function start(host, worker, key) {
  const s = host.newStream({ worker });
  const headers = [[":method", "GET"], [":path", "/"], [":authority", "example.com"], [":scheme", "http"]];
  if (key) headers.push(["cookie", `session=${key}`]);
  s.sendRequestHeaders(headers, { endOfStream: true });
  return s;
}

/** The session the upstream saw, as a Map; null when the request carried none. */
function upstream(s) {
  const h = s.requestHeaders.find(([n]) => n === "x-session");
  if (!h) return null;
  return new Map(h[1].split("&").map((p) => p.split("=")));
}

/** Sends the response (with `replace` as x-replace-session when given); returns the Set-Cookie values. */
function finish(s, replace) {
  const headers = [[":status", "200"]];
  if (replace) headers.push(["x-replace-session", replace]);
  s.sendResponseHeaders(headers, { endOfStream: true });
  s.complete();
  return s.responseHeaders.filter(([n]) => n === "set-cookie").map(([, v]) => v);
}

function keyIn(setCookies) {
  for (const c of setCookies) {
    const m = /^session=([^;]*);/.exec(c);
    if (m && m[1]) return m[1];
  }
  return null;
}

/** A deterministic generator for worker choice and ordering (the tokens come from the host's CSPRNG). */
function lcg(seed) {
  let x = seed >>> 0;
  return (n) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % n;
  };
}

test("each session sees exactly its own writes from every worker, concurrent changes included", { skip: !ready }, async () => {
  const { host } = await makeHost(baseConfig({ capacity: 2000 }));
  const pick = lcg(7);
  const clients = [];
  for (let c = 0; c < 40; c++) {
    const key = keyIn(finish(start(host, pick(4), null), `id=${c}`));
    assert.equal(key.length, 26);
    clients.push({ key, want: new Map([["id", String(c)]]) });
  }
  for (let round = 1; round <= 6; round++) {
    // Two requests per client in flight at once, on two workers, each changing a different key.
    const flights = [];
    for (let c = 0; c < clients.length; c++) {
      for (let j = 0; j < 2; j++) {
        const w = pick(4);
        const s = start(host, w, clients[c].key);
        assert.deepEqual(upstream(s), clients[c].want, `client ${c} round ${round} on worker ${w}`);
        flights.push({ c, j, s });
      }
    }
    for (let i = flights.length - 1; i > 0; i--) {
      const k = pick(i + 1);
      [flights[i], flights[k]] = [flights[k], flights[i]];
    }
    const newKeys = new Map();
    for (const { c, j, s } of flights) {
      const key = keyIn(finish(s, `r${round}_${j}=${c}`));
      clients[c].want.set(`r${round}_${j}`, String(c));
      if (key) {
        assert.equal(newKeys.has(c), false, "only the first change of a key's session hands out a new key");
        newKeys.set(c, key);
      }
    }
    for (let c = 0; c < clients.length; c++) {
      assert.ok(newKeys.has(c), `client ${c} got its new key in round ${round}`);
      clients[c].key = newKeys.get(c);
    }
  }
  for (let c = 0; c < clients.length; c++) {
    for (let w = 0; w < 4; w++) {
      const s = start(host, w, clients[c].key);
      assert.deepEqual(upstream(s), clients[c].want);
      assert.deepEqual(finish(s, null), []);
    }
  }
  assert.equal(host.metrics.get("wasmcustom.clicktrail.session.store.created") ?? host.metrics.get("clicktrail.session.store.created"), 40);
  assert.ok([...host.sharedData.keys()].every((k) => /^clicktrail\/[A-Za-z0-9_-]{4}$/.test(k)));
});

function metric(host, name) {
  const m = host.metrics;
  return m.get(`wasmcustom.${name}`) ?? m.get(name);
}

test("100,000 sessions never make more keys than capacity", { skip: !ready }, async () => {
  const capacity = 1000;
  const { host } = await makeHost(baseConfig({ capacity, when_full: "evict_oldest", probes: 4 }));
  let last = null;
  for (let i = 0; i < 100_000; i++) {
    last = keyIn(finish(start(host, i % 4, null), `n=${i}`));
    assert.ok(last, `session ${i} was created`);
  }
  assert.ok(host.sharedData.size <= capacity, `${host.sharedData.size} keys`);
  assert.equal(metric(host, "clicktrail.session.store.created"), 100_000);
  assert.ok(metric(host, "clicktrail.session.store.evicted") >= 100_000 - capacity);
  assert.equal(upstream(start(host, 2, last)).get("n"), "99999");
});

test("expired sessions are gone after expiry plus one sweep period", { skip: !ready }, async () => {
  // 100 slots, 25 per tick, a tick a second: one worker sweeps the whole table in 4 s.
  const { host, clock } = await makeHost(
    baseConfig({ capacity: 100, sweep_slots_per_tick: 25, sweep_period_millis: 1000, probes: 32 }, { max_age: 10 }));
  const keys = [];
  for (let i = 0; i < 60; i++) keys.push(keyIn(finish(start(host, i % 4, null), `n=${i}`)));
  assert.equal(host.sharedData.size, 60);
  const big = () => [...host.sharedData.values()].filter((e) => e.value.length > 4).length;
  host.advance(4000); // a full pass before expiry frees nothing
  assert.equal(big(), 60);
  assert.equal(metric(host, "clicktrail.session.store.entries_in_use"), 60);
  clock.ns += 10n * SEC;
  host.advance(4000);
  assert.equal(big(), 0);
  assert.equal(metric(host, "clicktrail.session.store.expired"), 60);
  assert.equal(metric(host, "clicktrail.session.store.entries_in_use"), 0);
  // The old key starts a fresh session, which under max_age carries only its new expiry.
  const fresh = new Map([["expiry", String((clock.ns + 10n * SEC) / 1000n)]]);
  for (const k of keys) assert.deepEqual(upstream(start(host, 1, k)), fresh);
});

test("a stolen old key works only during the grace period; a forged key is an empty session", { skip: !ready }, async () => {
  const { host, clock } = await makeHost(baseConfig({ capacity: 100, grace_seconds: 10 }));
  const k1 = keyIn(finish(start(host, 0, null), "user=alice"));
  const k2 = keyIn(finish(start(host, 1, k1), "role=admin"));
  assert.notEqual(k2, k1);
  clock.ns += 9n * SEC;
  assert.deepEqual(upstream(start(host, 2, k1)), new Map([["user", "alice"], ["role", "admin"]]));
  clock.ns += 1n * SEC;
  assert.equal(upstream(start(host, 3, k1)), null);
  assert.deepEqual(upstream(start(host, 0, k2)), new Map([["user", "alice"], ["role", "admin"]]));

  const forged = k2.slice(0, 4) + "A".repeat(22);
  const s = start(host, 2, forged);
  assert.equal(upstream(s), null);
  assert.deepEqual(finish(s, null), []);
  assert.ok(host.logs.some((l) => l.level === "warn" && /names no stored session/.test(l.message)));
});
