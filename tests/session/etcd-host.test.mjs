// session.store "etcd" in the Node host with virtual time: what the filter sends the cluster, that the
// stream waits for the answers in both directions, what a timeout does, and the refusal under NGINX. The
// store's answers are scripted here; tests/e2e/etcd-store.test.mjs runs against a real cluster.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { Host } from "../../dist/host/index.js";

const WASM = "build/clicktrail.wasm";
const ready = existsSync(WASM) && existsSync("dist/host/index.js");
const CONFIG = {
  session: {
    store: "etcd", cookie_name: "sid", cookie_attributes: "path=/", upstream_header: "x-session", response_header: "x-set",
    etcd: { cluster: "etcd", timeout_ms: 300 },
  },
};
const GET = (cookie) => [[":method", "GET"], [":path", "/"], [":authority", "example.com"], [":scheme", "http"], ...(cookie ? [["cookie", cookie]] : [])];
const TOKEN = Buffer.alloc(16, 7);
const COOKIE = "sid=" + TOKEN.toString("base64url");
const b64 = (s) => Buffer.from(s, "latin1").toString("base64");
const json = (o) => ({ headers: [[":status", "200"]], body: JSON.stringify(o) });
const header = (pairs, name) => pairs.find(([n]) => n === name)?.[1];
const bodyOf = (call) => JSON.parse(call.body.toString());

test("NGINX: store \"etcd\" is refused at load, saying why", { skip: !ready }, async () => {
  const host = await Host.create({ wasm: WASM, config: CONFIG, profile: "nginx" });
  assert.equal(host.configured, false);
  assert.ok(host.logs.some((l) => l.message === 'clicktrail: invalid configuration: session.store: "etcd" saves through an HTTP callout from the response phase, which this host (ngx_wasm_module: no plugin_vm_id property) cannot dispatch; use "shared" or "cookie" under NGINX'));
});

test("load: one range of the token's key; the request waits for it and goes on with the session", { skip: !ready }, async () => {
  const host = await Host.create({ wasm: WASM, config: CONFIG, clusters: ["etcd"] });
  assert.equal(host.configured, true);
  const s = host.newStream();
  s.sendRequestHeaders(GET(COOKIE), { endOfStream: true });
  assert.equal(s.requestHeaders, null, "nothing forwarded while the store is asked");
  const [call] = host.httpCalls;
  assert.equal(call.cluster, "etcd");
  assert.deepEqual(call.headers.filter(([n]) => n !== "content-length"),
    [[":method", "POST"], [":path", "/v3/kv/range"], [":authority", "etcd"], ["content-type", "application/json"]]);
  const key = "clicktrail/session/" + (await import("node:crypto")).createHash("sha256").update(TOKEN).digest().subarray(0, 16).toString("base64url");
  assert.deepEqual(bodyOf(call), { key: b64(key) });
  host.respondHttpCall(call, json({ kvs: [{ key: b64(key), mod_revision: "41", create_revision: "40", value: b64("1s9999999999999999:user=alice") }] }));
  assert.equal(header(s.requestHeaders, "x-session"), "user=alice");

  // Save: a changed session; a lease first (none cached yet), then a Txn that rotates the key.
  s.sendResponseHeaders([[":status", "200"], ["x-set", "cart=2"]], { endOfStream: true });
  assert.equal(s.responseHeaders, null, "the response waits for the write");
  const [grant] = host.httpCalls;
  assert.equal(header(grant.headers, ":path"), "/v3/lease/grant");
  assert.match(bodyOf(grant).TTL, /^\d+$/);
  host.respondHttpCall(grant, json({ ID: "7587", TTL: "3700" }));
  const [txn] = host.httpCalls;
  assert.equal(header(txn.headers, ":path"), "/v3/kv/txn");
  const t = bodyOf(txn);
  assert.deepEqual(t.compare[0], { key: b64(key), result: "EQUAL", target: "MOD", mod_revision: "41" });
  assert.deepEqual(t.compare[1].target, "CREATE");
  assert.equal(t.success.length, 2);
  const newKey = Buffer.from(t.success[0].request_put.key, "base64").toString("latin1");
  assert.equal(t.success[0].request_put.lease, "7587");
  assert.match(Buffer.from(t.success[0].request_put.value, "base64").toString("latin1"), /^1s\d+:user=alice&cart=2$/);
  assert.match(Buffer.from(t.success[1].request_put.value, "base64").toString("latin1"), new RegExp(`^1f\\d+:${newKey}$`));
  assert.deepEqual(t.failure, [{ request_range: { key: b64(key) } }]);
  host.respondHttpCall(txn, json({ succeeded: true, responses: [{ response_put: {} }, { response_put: {} }] }));
  const setCookie = s.responseHeaders.filter(([n]) => n === "set-cookie").map(([, v]) => v);
  assert.equal(setCookie.length, 1);
  assert.match(setCookie[0], /^sid=[A-Za-z0-9_-]{22};path=\/$/);
  assert.notEqual(setCookie[0].split(";")[0], COOKIE);
});

test("load: no answer within timeout_ms, twice: 503 with Retry-After and nothing forwarded", { skip: !ready }, async () => {
  const host = await Host.create({ wasm: WASM, config: CONFIG, clusters: ["etcd"] });
  const s = host.newStream();
  s.sendRequestHeaders(GET(COOKIE), { endOfStream: true });
  host.advance(300);
  assert.equal(host.httpCalls.length, 1, "a second try after the first timed out");
  host.advance(300);
  assert.equal(s.requestHeaders, null);
  assert.equal(s.localReply.status, 503);
  assert.equal(header(s.localReply.headers, "retry-after"), "1");
  assert.equal(s.localReply.body.toString(), "the session store is unavailable; please retry\n");
  assert.ok(host.logs.some((l) => l.message === "clicktrail: session: reading the session from etcd failed: HTTP 504; the request was refused with 503"));
});

test("save: a lost compare re-applies the change to the winner and writes again", { skip: !ready }, async () => {
  const host = await Host.create({ wasm: WASM, config: CONFIG, clusters: ["etcd"] });
  const s = host.newStream();
  s.sendRequestHeaders(GET(COOKIE), { endOfStream: true });
  const key = Buffer.from(bodyOf(host.httpCalls[0]).key, "base64").toString("latin1");
  host.respondHttpCall(host.httpCalls[0], json({ kvs: [{ key: b64(key), mod_revision: "41", value: b64("1s9999999999999999:a=1") }] }));
  s.sendResponseHeaders([[":status", "200"], ["x-set", "b=2"]], { endOfStream: true });
  host.respondHttpCall(host.httpCalls[0], json({ ID: "7587" }));
  // Another proxy wrote c=3 meanwhile: the Txn fails and brings the winner back.
  host.respondHttpCall(host.httpCalls[0], json({ responses: [{ response_range: { kvs: [{ key: b64(key), mod_revision: "42", value: b64("1s9999999999999999:a=1&c=3") }] } }] }));
  const retry = bodyOf(host.httpCalls[0]);
  assert.equal(retry.compare[0].mod_revision, "42");
  assert.match(Buffer.from(retry.success[0].request_put.value, "base64").toString("latin1"), /^1s\d+:a=1&c=3&b=2$/);
  host.respondHttpCall(host.httpCalls[0], json({ succeeded: true }));
  assert.equal(s.responseHeaders.filter(([n]) => n === "set-cookie").length, 1);
  assert.equal(Number(host.metrics.get("wasmcustom.clicktrail.session.etcd.cas_retries") ?? host.metrics.get("clicktrail.session.etcd.cas_retries")), 1);
});

async function loaded(host, value, mod = "41") {
  const s = host.newStream();
  s.sendRequestHeaders(GET(COOKIE), { endOfStream: true });
  const key = Buffer.from(bodyOf(host.httpCalls[0]).key, "base64").toString("latin1");
  host.respondHttpCall(host.httpCalls[0], json({ kvs: [{ key: b64(key), mod_revision: mod, value: b64(value) }] }));
  return { s, key };
}

test("save: a Txn without an answer is read back; the value written, byte for byte, confirms it", { skip: !ready }, async () => {
  const host = await Host.create({ wasm: WASM, config: CONFIG, clusters: ["etcd"] });
  const { s } = await loaded(host, "1s9999999999999999:a=1");
  s.sendResponseHeaders([[":status", "200"], ["x-set", "b=2"]], { endOfStream: true });
  host.respondHttpCall(host.httpCalls[0], json({ ID: "7587" }));
  const txn = host.httpCalls[0];
  const put = bodyOf(txn).success[0].request_put;
  host.advance(300); // the Txn times out: Envoy answers 504 itself
  const readBack = host.httpCalls[0];
  assert.equal(header(readBack.headers, ":path"), "/v3/kv/range");
  assert.deepEqual(bodyOf(readBack), { key: put.key });
  host.respondHttpCall(readBack, json({ kvs: [{ key: put.key, mod_revision: "50", value: put.value }] }));
  const cookies = s.responseHeaders.filter(([n]) => n === "set-cookie").map(([, v]) => v.split(";")[0]);
  assert.equal(cookies.length, 1);
  assert.notEqual(cookies[0], COOKIE);
  assert.ok(host.logs.some((l) => l.message === "clicktrail: session: etcd: the write's outcome is unknown (HTTP 504); reading it back"));
});

test("save: an unconfirmed write sets no cookie and the visitor keeps its key", { skip: !ready }, async () => {
  const config = structuredClone(CONFIG);
  config.session.etcd.cas_retries = 0;
  const host = await Host.create({ wasm: WASM, config, clusters: ["etcd"] });
  const { s } = await loaded(host, "1s9999999999999999:a=1");
  s.sendResponseHeaders([[":status", "200"], ["x-set", "b=2"]], { endOfStream: true });
  host.respondHttpCall(host.httpCalls[0], json({ ID: "7587" }));
  host.respondHttpCall(host.httpCalls[0], null); // reset
  host.respondHttpCall(host.httpCalls[0], json({})); // the read-back: the new key is not there
  assert.deepEqual(s.responseHeaders.filter(([n]) => n === "set-cookie"), []);
  assert.ok(host.logs.some((l) => l.message === "clicktrail: session: etcd: the write could not be confirmed (the key does not hold what was written); no cookie was set and the client keeps its previous one"));
});

test("remove: a key another request added meanwhile keeps the session alive", { skip: !ready }, async () => {
  const host = await Host.create({ wasm: WASM, config: CONFIG, clusters: ["etcd"] });
  const { s, key } = await loaded(host, "1s9999999999999999:a=1");
  s.sendResponseHeaders([[":status", "200"], ["x-set", "a="]], { endOfStream: true });
  host.respondHttpCall(host.httpCalls[0], json({ ID: "7587" }));
  const del = bodyOf(host.httpCalls[0]);
  assert.deepEqual(del.success, [{ request_delete_range: { key: b64(key) } }]);
  // Lost: c=3 was added since load. The removal of a applies to that; c stays.
  host.respondHttpCall(host.httpCalls[0], json({ responses: [{ response_range: { kvs: [{ key: b64(key), mod_revision: "42", value: b64("1s9999999999999999:a=1&c=3") }] } }] }));
  const again = bodyOf(host.httpCalls[0]);
  assert.match(Buffer.from(again.success[0].request_put.value, "base64").toString("latin1"), /^1s\d+:c=3$/);
  host.respondHttpCall(host.httpCalls[0], json({ succeeded: true }));
  const cookies = s.responseHeaders.filter(([n]) => n === "set-cookie").map(([, v]) => v);
  assert.equal(cookies.length, 1);
  assert.match(cookies[0], /^sid=[A-Za-z0-9_-]{22};path=\/$/, "the changed session's new key");
});

test("an unchanged session whose expiry moves less than expiry_update_interval writes nothing", { skip: !ready }, async () => {
  const NOW_S = 1_700_000_000;
  const config = structuredClone(CONFIG);
  Object.assign(config.session, { max_age: 1800, expiry_update_interval: 60 });
  const host = await Host.create({ wasm: WASM, config, clusters: ["etcd"], clock: () => BigInt(NOW_S) * 1_000_000_000n });
  const expiry = (NOW_S + 1800 - 30) * 1_000_000;
  const { s } = await loaded(host, `1s${expiry}:a=1&expiry=${expiry}`);
  assert.equal(header(s.requestHeaders, "x-session"), `a=1&expiry=${expiry}`);
  s.sendResponseHeaders([[":status", "200"]], { endOfStream: true });
  assert.deepEqual(host.httpCalls, [], "no lease grant, no Txn");
  assert.deepEqual(s.responseHeaders.filter(([n]) => n === "set-cookie"), []);

  // 90 s later the expiry would move by more than the interval: one Txn, same key, Max-Age renewed.
  const later = await Host.create({ wasm: WASM, config, clusters: ["etcd"], clock: () => BigInt(NOW_S + 90) * 1_000_000_000n });
  const { s: s2, key } = await loaded(later, `1s${expiry}:a=1&expiry=${expiry}`);
  s2.sendResponseHeaders([[":status", "200"]], { endOfStream: true });
  later.respondHttpCall(later.httpCalls[0], json({ ID: "7587" }));
  const txn = bodyOf(later.httpCalls[0]);
  assert.equal(txn.success.length, 1, "no new key for an unchanged session");
  assert.equal(txn.success[0].request_put.key, b64(key));
  later.respondHttpCall(later.httpCalls[0], json({ succeeded: true }));
  assert.deepEqual(s2.responseHeaders.filter(([n]) => n === "set-cookie").map(([, v]) => v), [`${COOKIE};Max-Age=1800;path=/`]);
});
