#!/usr/bin/env node
// Added latency and Envoy CPU per request of session.store "etcd" against the cookie store, in real Envoy,
// steady state, side by side: two Envoys from envoy/envoy.yaml (tests/support/envoy.mjs) in front of one
// upstream, one with the cookie store and one with the etcd store on a local three-member etcd cluster
// (tests/support/etcd.mjs). Rounds alternate between them; each round sends the same requests at the same
// concurrency through a keep-alive agent and records every request's latency and the Envoy process's CPU
// time (utime + stime from /proc) over the round.
//
//   npm run build && node bench/etcd-store.mjs [--rounds N] [--requests N] [--concurrency N]
//
// Two request kinds: "read" carries a session cookie and changes nothing (etcd: one range), "write" also
// changes one key through the response header (etcd: one range and one Txn that rotates the key).
import http from "node:http";
import { readFileSync } from "node:fs";
import { freePort } from "../tests/support/processes.mjs";
import { ENVOY, startEnvoy, testBootstrap, useEtcdMembers } from "../tests/support/envoy.mjs";
import { EtcdCluster } from "../tests/support/etcd.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg("--rounds", 5);
const REQUESTS = arg("--requests", 1000);
const CONCURRENCY = arg("--concurrency", 8);
if (!ENVOY) throw new Error("no Envoy (npm run envoy:install)");

const base = { cookie_name: "sid", cookie_attributes: "path=/", upstream_header: "x-session", response_header: "x-replace-session" };
const COOKIE_CONFIG = { session: { ...base, store: "cookie" } };
const ETCD_CONFIG = { session: { ...base, store: "etcd", etcd: { cluster: "etcd", timeout_ms: 1000 } } };

const upstreamPort = await freePort();
const upstream = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  const url = new URL(req.url, "http://backend.invalid");
  const headers = { "content-type": "text/plain", "content-length": "2" };
  if (url.pathname === "/write") headers["x-replace-session"] = `n=${url.searchParams.get("n")}`;
  res.writeHead(200, headers);
  res.end("ok");
});
await new Promise((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
const cluster = await EtcdCluster.start(3);
const ports = cluster.members.map((m) => m.client);
const envoys = {};
try {
  for (const [name, config] of [["cookie", COOKIE_CONFIG], ["etcd", ETCD_CONFIG]]) {
    envoys[name] = await startEnvoy((p) => testBootstrap({
      ...p, upstreams: { web1: upstreamPort, web2: upstreamPort }, pluginConfig: config, edit: (b) => useEtcdMembers(b, ports),
    }), { concurrency: 1 });
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const get = (port, path, cookie) => new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    http.get({ host: "127.0.0.1", port, path, agent, headers: cookie ? { cookie } : {} }, (res) => {
      const setCookie = res.headers["set-cookie"] ?? [];
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, us: Number(process.hrtime.bigint() - t0) / 1000, setCookie }));
    }).on("error", reject);
  });
  const cpuTicks = (pid) => {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return Number(f[11]) + Number(f[12]); // utime + stime, clock ticks (1/100 s)
  };

  // One session per client slot and store, created once (steady state: reads and writes of live sessions).
  const cookies = {};
  for (const name of Object.keys(envoys)) {
    cookies[name] = [];
    for (let i = 0; i < CONCURRENCY; i++) {
      const r = await get(envoys[name].port, `/write?n=${i}`);
      cookies[name].push(r.setCookie[0].split(";")[0]);
    }
  }

  async function round(name, kind) {
    const e = envoys[name];
    const lat = [];
    let next = 0;
    let failures = 0;
    const c0 = cpuTicks(e.proc.pid);
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: CONCURRENCY }, async (_, slot) => {
      while (next < REQUESTS) {
        const n = next++;
        const r = await get(e.port, kind === "write" ? `/write?n=${n}` : "/read", cookies[name][slot]);
        if (r.status !== 200) failures++;
        const c = r.setCookie.find((v) => v.startsWith("sid="));
        if (c && c.length > 5) cookies[name][slot] = c.split(";")[0];
        lat.push(r.us);
      }
    }));
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpuMs = (cpuTicks(e.proc.pid) - c0) * 10;
    return { lat, cpuPerReqUs: (cpuMs * 1000) / REQUESTS, wallMs, failures };
  }

  const pct = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
  };
  const median = (xs) => pct(xs, 50);
  console.log(`Envoy ${ENVOY}, concurrency ${CONCURRENCY}, ${REQUESTS} requests per round, ${ROUNDS} rounds per row (alternating)`);
  console.log("| request | store | p50 | p99 | Envoy CPU / request | failures |");
  console.log("|---|---|---:|---:|---:|---:|");
  const summary = {};
  for (const kind of ["read", "write"]) {
    // Warm-up: one round each, not counted.
    for (const name of Object.keys(envoys)) await round(name, kind);
    const acc = { cookie: { lat: [], cpu: [], failures: 0 }, etcd: { lat: [], cpu: [], failures: 0 } };
    for (let i = 0; i < ROUNDS; i++) {
      for (const name of i % 2 ? ["etcd", "cookie"] : ["cookie", "etcd"]) {
        const r = await round(name, kind);
        acc[name].lat.push(...r.lat);
        acc[name].cpu.push(r.cpuPerReqUs);
        acc[name].failures += r.failures;
      }
    }
    for (const name of ["cookie", "etcd"]) {
      const a = acc[name];
      summary[`${kind}/${name}`] = { p50: pct(a.lat, 50), p99: pct(a.lat, 99), cpu: median(a.cpu) };
      console.log(`| ${kind} | ${name} | ${pct(a.lat, 50).toFixed(0)} µs | ${pct(a.lat, 99).toFixed(0)} µs | ${median(a.cpu).toFixed(0)} µs | ${a.failures} |`);
    }
  }
  // etcd itself, for reference: sequential ranges and puts straight to each member's gateway.
  const direct = async (path, body) => {
    const xs = [];
    for (const m of cluster.members) {
      const u = new URL(m.url);
      for (let i = 0; i < 100; i++) {
        xs.push(await new Promise((resolve, reject) => {
          const t0 = process.hrtime.bigint();
          const r = http.request({ host: u.hostname, port: u.port, path, method: "POST", agent, headers: { "content-type": "application/json" } },
            (res) => { res.resume(); res.on("end", () => resolve(Number(process.hrtime.bigint() - t0) / 1000)); });
          r.on("error", reject);
          r.end(JSON.stringify(body));
        }));
      }
    }
    return xs;
  };
  const k = Buffer.from("bench").toString("base64");
  const ranges = await direct("/v3/kv/range", { key: k });
  const puts = await direct("/v3/kv/put", { key: k, value: k });
  console.log(`\netcd directly, one at a time over its 3 members: range p50 ${pct(ranges, 50).toFixed(0)} µs p99 ${pct(ranges, 99).toFixed(0)} µs; put p50 ${pct(puts, 50).toFixed(0)} µs p99 ${pct(puts, 99).toFixed(0)} µs`);
  console.log("\n| request | added p50 | added p99 | p50 ratio etcd / cookie | CPU ratio etcd / cookie |");
  console.log("|---|---:|---:|---:|---:|");
  for (const kind of ["read", "write"]) {
    const c = summary[`${kind}/cookie`];
    const e = summary[`${kind}/etcd`];
    console.log(`| ${kind} | ${(e.p50 - c.p50).toFixed(0)} µs | ${(e.p99 - c.p99).toFixed(0)} µs | ${(e.p50 / c.p50).toFixed(2)} | ${(e.cpu / c.cpu).toFixed(2)} |`);
  }
} finally {
  for (const e of Object.values(envoys)) await e.stop();
  await cluster.stop();
  await new Promise((r) => upstream.close(r));
}
process.exit(0);
