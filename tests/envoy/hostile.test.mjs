// The hostile corpus (tests/fixtures/hostile/*.json, see tests/robustness/hostile-run.mjs) replayed through
// real Envoy (--concurrency 2): every case's request over the wire as raw HTTP/1.1, the upstream answering
// with the case's response (headers as raw bytes, body in its pieces), and every configuration the corpus
// tries pushed to Envoy as a listener update (LDS from a watched file). Outcomes differ from the Node host's
// recorded ones by design (real clock, real randomness, Envoy's codec refusing what it refuses), so what is
// checked is what must hold whatever the input:
//   * Envoy accepts exactly the configurations the Node host accepts, logs the same message for each one it
//     refuses, and keeps serving after a refusal;
//   * no case traps the VM: no response has details `wasm_fail_stream`, Envoy logs no wasm failure, the V8
//     VM count does not change, and afterwards both worker threads still serve a normal first visit with
//     the tracking cookie;
//   * every case gets an HTTP response (Envoy's own 400/431/502 included), never a dropped connection.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { stringify as toYaml } from "yaml";
import { freePort } from "../support/processes.mjs";
import { envoySkip, startEnvoy, testBootstrap, appendAccessLogFields } from "../support/envoy.mjs";
import { startUpstream, rawRequest, request, values } from "../support/upstream.mjs";
import { expand, digest } from "../robustness/hostile-run.mjs";

const skip = envoySkip("Envoy hostile corpus");
const dir = new URL("../fixtures/hostile/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort()
  .map((f) => ({ file: f, ...JSON.parse(readFileSync(new URL(f, dir), "utf8")) }));

let envoy, upstream, hostilePort, hcmTemplate;
let current = null; // the case the upstream answers for
const configText = (c) => (typeof c === "string" ? c : JSON.stringify(c));

before(async () => {
  if (skip) return;
  upstream = await startUpstream(() => {
    const r = current?.response ?? { headers: [[":status", "200"], ["content-type", "text/plain"]], body: "ok" };
    const headers = expand(r.headers);
    const status = Number(headers.find(([n]) => n === ":status")?.[1] ?? 200);
    const rest = headers.filter(([n]) => !n.startsWith(":"));
    let chunks;
    if (r.chunks) chunks = expand(r.chunks);
    else {
      const body = expand(r.body ?? "");
      const size = r.chunkSize ?? 0;
      chunks = [];
      if (size) for (let i = 0; i < body.length; i += size) chunks.push(body.slice(i, i + size));
      else if (body.length) chunks.push(body);
    }
    return { status, reason: "X", headers: rest, chunks, pauseMs: 2 };
  });
  hostilePort = await freePort();
  // The etcd cases' store is a port nobody listens on (never the demo's 2379): their filter answers with
  // its own 503 (store unavailable), which is the outcome the corpus records for an unreachable store.
  const closedPort = await freePort();
  envoy = await startEnvoy((ports) => {
    const b = testBootstrap({ ...ports, upstreams: { web1: upstream.port, web2: upstream.port },
      edit: (b) => {
        appendAccessLogFields(b, " details=%RESPONSE_CODE_DETAILS% case=%REQ(X-HOSTILE-CASE)%");
        const etcd = b.static_resources.clusters.find((c) => c.name === "etcd");
        for (const e of etcd.load_assignment.endpoints[0].lb_endpoints) e.endpoint.address.socket_address.port_value = closedPort;
        delete etcd.health_checks;
      } });
    // The hostile listener comes from a watched LDS file, so that each configuration of the corpus is
    // an update Envoy accepts or refuses while it keeps running.
    hcmTemplate = b.static_resources.listeners[0].filter_chains[0].filters[0];
    b.node = { id: "clicktrail-test", cluster: "clicktrail-test" };
    b.dynamic_resources = { lds_config: { resource_api_version: "V3",
      path_config_source: { path: join(ports.dir, "lds.yaml"), watched_directory: { path: ports.dir } } } };
    writeLds(ports.dir, configText(files[0].config));
    return b;
  });
});
after(async () => {
  if (envoy) await envoy.stop();
  if (upstream) await upstream.close();
});

/** Writes the hostile listener with plugin configuration `text`, atomically (Envoy watches the directory). */
function writeLds(where, text) {
  const filter = structuredClone(hcmTemplate);
  filter.typed_config.http_filters.find((f) => f.name === "envoy.filters.http.wasm").typed_config.config.configuration.value = text;
  const listener = { "@type": "type.googleapis.com/envoy.config.listener.v3.Listener", name: "hostile",
    address: { socket_address: { address: "127.0.0.1", port_value: hostilePort } }, filter_chains: [{ filters: [filter] }] };
  writeFileSync(join(where, "lds.tmp"), toYaml({ resources: [listener] }));
  renameSync(join(where, "lds.tmp"), join(where, "lds.yaml"));
}

async function ldsCounts() {
  const s = await envoy.stats();
  return { ok: s.get("listener_manager.lds.update_success") ?? 0, rejected: s.get("listener_manager.lds.update_rejected") ?? 0 };
}

/** Pushes `text`; resolves to true when Envoy took it, false when it refused it. */
async function pushConfig(text) {
  const before = await ldsCounts();
  writeLds(envoy.dir, text);
  const deadline = Date.now() + 20000;
  for (;;) {
    const now = await ldsCounts();
    if (now.ok > before.ok) return true;
    if (now.rejected > before.rejected) return false;
    if (Date.now() > deadline) throw new Error(`Envoy neither took nor refused the configuration ${text.slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The filter's messages in Envoy's log after offset `from` ("wasm log clicktrail: <message>" lines), once
 * there are `count` of them (the log reaches the test through a pipe, possibly after the stats).
 */
async function refusalMessages(from, count) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const lines = envoy.stderr().slice(from).split("\n");
    const found = lines.map((l) => / wasm log clicktrail: (.*)$/.exec(l)?.[1]).filter((m) => m !== undefined).map(digest);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The case's request as raw HTTP/1.1 (pseudo-headers become the request line and Host). */
function rawHead(pairs, marker) {
  const first = (n) => pairs.find(([k]) => k === n)?.[1];
  const method = first(":method") ?? "GET";
  const path = first(":path") ?? "/";
  const lines = [`${method} ${path} HTTP/1.1`, `host: ${first(":authority") ?? "example.com"}`];
  for (const [n, v] of pairs) if (!n.startsWith(":")) lines.push(`${n}: ${v}`);
  lines.push(`x-hostile-case: ${marker}`, "connection: close");
  return lines.join("\r\n");
}

/** A first visit; with `tracked`, it must get the tracking cookie (the corpus's full configuration). */
async function normalVisit(port, { tracked = false } = {}) {
  const r = await request(port, { path: "/index.html", headers: [["user-agent", "Mozilla/5.0"]] });
  assert.equal(r.status, 200, `normal request: ${r.error ?? r.status} ${r.body ?? ""}`);
  if (tracked) assert.equal(values(r.headers, "set-cookie").filter((c) => c.startsWith("Apache=")).length, 1);
  return r;
}

test(`the hostile corpus through Envoy: ${files.reduce((n, f) => n + f.cases.length, 0)} cases, no trap`, { skip }, async () => {
  const vmsBefore = (await envoy.stats()).get("wasm.envoy.wasm.runtime.v8.active");
  // The initial hostile listener is up once LDS delivered it.
  for (let i = 0; (await ldsCounts()).ok < 1; i++) {
    assert.ok(i < 2000, "the hostile listener never came up");
    await new Promise((r) => setTimeout(r, 10));
  }
  let active = configText(files[0].config);
  const answered = new Map();
  let n = 0;
  for (const f of files) {
    for (const c of f.cases) {
      const marker = `${f.file}#${n++}`;
      const text = configText(expand(c.config ?? f.config));
      if (text !== active) {
        const logged = envoy.stderr().length;
        const took = await pushConfig(text);
        assert.equal(took, c.expect.configured, `${marker} "${c.name}": Envoy ${took ? "took" : "refused"} what the Node host ${c.expect.configured ? "took" : "refused"}`);
        if (took) active = text;
        else {
          // Envoy's log carries the filter's own message, the one the Node host recorded for this case.
          const want = c.expect.logs.filter(([, m]) => typeof m !== "string" || m.startsWith("clicktrail: ")).map(([, m]) => m);
          assert.deepEqual(await refusalMessages(logged, want.length), want, `${marker} "${c.name}"`);
        }
      }
      current = c;
      if (c.expect.configured) {
        const r = await rawRequest(hostilePort, rawHead(expand(c.request), marker));
        assert.ok(!r.error, `${marker} "${c.name}": ${r.error}`);
        answered.set(marker, r.status);
      } else {
        current = null;
        await normalVisit(hostilePort); // the previous configuration still serves
      }
    }
  }
  current = null;

  // Wait until every case Envoy's codec did not refuse has its line.
  const markers = (lines) => new Set(lines.map((l) => / case=(\S+)$/.exec(l)?.[1]));
  const log = await envoy.accessLogUntil((lines) => {
    const seen = markers(lines);
    return [...answered].every(([m, status]) => seen.has(m) || [400, 413, 431].includes(status));
  });
  const failed = log.filter((l) => l.includes("wasm_fail_stream"));
  assert.deepEqual(failed, [], "no stream failed in the filter");
  // Every response is the upstream's, or Envoy's refusal of what its codecs or path normalization cannot
  // take, or its answer to an upstream response its codec refuses; never a filter failure, and never a
  // body that overflowed Envoy's buffer (response_payload_too_large) because the filter kept it there.
  const allowed = /^(via_upstream|http1\.[a-z_]+|path_normalization_failed|upstream_reset_before_response_started\{protocol_error\})$/;
  const storeDown = (l) => / details=clicktrail_session_store_unavailable case=etcd\.json#\d+$/.test(l);
  const unexpected = log.filter((l) => !allowed.test(/ details=(\S+)/.exec(l)?.[1] ?? "") && !storeDown(l));
  assert.deepEqual(unexpected, [], "responses other than the upstream's or a codec refusal");
  // Every answered case is in the access log (a request Envoy's codec refused logs no case marker).
  const logged = new Set(log.map((l) => / case=(\S+)$/.exec(l)?.[1]).filter((m) => m && m !== "-"));
  const codecRefused = [...answered].filter(([m, status]) => !logged.has(m) && ![400, 413, 431].includes(status));
  assert.deepEqual(codecRefused, [], "cases missing from the access log without a codec refusal");
  assert.doesNotMatch(envoy.stderr(), /Uncaught|RuntimeError|wasm_fail|Function: proxy_on_\w+ failed/);
  const after = await envoy.stats();
  assert.equal(after.get("wasm.envoy.wasm.runtime.v8.active"), vmsBefore, "no VM was replaced");
  // Envoy's own wasm failure counters (VM reloads, failed loads) stayed at zero.
  const failures = [...after].filter(([k]) => k.startsWith("wasm.") && /fail|reload/.test(k));
  assert.ok(failures.some(([k]) => k === "wasm.clicktrail.vm_reload_failure"), failures.map(([k]) => k).join(" "));
  assert.deepEqual(failures.filter(([, v]) => v !== 0), []);

  // Back to the full configuration (the VMs still configure), then both workers still serve a normal
  // first visit: new connections until each worker took some.
  if (active !== configText(files[0].config)) assert.equal(await pushConfig(configText(files[0].config)), true);
  const perWorker = async () => [...(await envoy.stats())].filter(([k]) => new RegExp(`^listener\\.127\\.0\\.0\\.1_${hostilePort}\\.worker_\\d+\\.downstream_cx_total$`).test(k));
  const start = new Map(await perWorker());
  assert.equal(start.size, 2, "two workers");
  for (let i = 0; i < 64; i++) {
    await normalVisit(hostilePort, { tracked: true });
    const now = await perWorker();
    if (now.every(([k, v]) => v > start.get(k))) return;
  }
  assert.fail(`64 new connections did not reach both workers: ${JSON.stringify(await perWorker())}`);
});
