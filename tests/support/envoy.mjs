// Real Envoy for the tests: find the binary (scripts/envoy-paths.mjs), derive a bootstrap from
// envoy/envoy.yaml with the test's own loopback ports, start it, wait until its admin says LIVE, read its
// stats and access log, stop it. Every suite that runs Envoy goes through here, so that "loaded as
// envoy/envoy.yaml loads it" holds for all of them.
//
// Without Envoy a suite prints one `SKIPPED: …` line and skips; with ENVOY_REQUIRED=1 (set by .ci/run) a
// missing Envoy is a failure instead, so CI cannot go green by skipping.
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { findEnvoy } from "../../scripts/envoy-paths.mjs";
import { freePort, startProcess, stop } from "./processes.mjs";

export const root = new URL("../../", import.meta.url).pathname;
export const ENVOY = findEnvoy(root);

/**
 * `{ skip }` options for node:test: false when Envoy is there; the reason (printed once as SKIPPED) when it
 * is not. Under ENVOY_REQUIRED=1 it never skips: the suite then fails at startEnvoy with the reason.
 */
export function envoySkip(suite) {
  if (ENVOY) return false;
  const why = `${suite} (no Envoy: set ENVOY_BIN, run \`npm run envoy:install\`, or put envoy on PATH)`;
  if (process.env.ENVOY_REQUIRED === "1") return false;
  console.log(`SKIPPED: ${why}`);
  return why;
}

/** envoy/envoy.yaml as an object, to be adjusted by a test. */
export function demoBootstrap() {
  return parseYaml(readFileSync(join(root, "envoy/envoy.yaml"), "utf8"));
}

/** The demo bootstrap's wasm filter entry (its `typed_config.config`), for a test to change. */
export function wasmFilterConfig(bootstrap) {
  const hcm = bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  return hcm.http_filters.find((f) => f.name === "envoy.filters.http.wasm").typed_config.config;
}

/**
 * The demo bootstrap pointed at the test's ports: listener, admin, every cluster's endpoint at
 * `upstreams[name]` (a port), the wasm file, the plugin configuration (object or JSON text), and the
 * access log written to `accessLogPath` instead of stdout. `edit(bootstrap)` may change anything else.
 */
export function testBootstrap({ listenPort, adminPort, upstreams, wasm = join(root, "build/clicktrail.wasm"),
  pluginConfig, accessLogPath, edit } = {}) {
  const b = demoBootstrap();
  b.admin.address.socket_address.port_value = adminPort;
  const listener = b.static_resources.listeners[0];
  listener.address.socket_address.port_value = listenPort;
  const hcm = listener.filter_chains[0].filters[0].typed_config;
  if (accessLogPath) {
    const format = hcm.access_log[0].typed_config.log_format;
    hcm.access_log = [{
      name: "envoy.access_loggers.file",
      typed_config: { "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
        path: accessLogPath, log_format: format },
    }];
  }
  const wasmConfig = wasmFilterConfig(b);
  wasmConfig.vm_config.code.local.filename = wasm;
  if (pluginConfig !== undefined) {
    wasmConfig.configuration.value = typeof pluginConfig === "string" ? pluginConfig : JSON.stringify(pluginConfig);
  }
  for (const cluster of b.static_resources.clusters) {
    const port = upstreams?.[cluster.name];
    if (port === undefined) continue;
    cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value = port;
  }
  if (edit) edit(b);
  return b;
}

/** Points the bootstrap's `etcd` cluster at the given member ports (one endpoint each); for `edit`. */
export function useEtcdMembers(bootstrap, ports, { healthInterval = "0.2s" } = {}) {
  const cluster = bootstrap.static_resources.clusters.find((c) => c.name === "etcd");
  cluster.load_assignment.endpoints = [{
    lb_endpoints: ports.map((port) => ({ endpoint: { address: { socket_address: { address: "127.0.0.1", port_value: port } } } })),
  }];
  for (const h of cluster.health_checks ?? []) h.interval = healthInterval;
  return bootstrap;
}

/**
 * Starts Envoy with `bootstrap` (an object, or a function of { listenPort, adminPort, accessLogPath }
 * returning one). Resolves once the admin reports LIVE. Returns { port, adminPort, accessLogPath, dir,
 * stats(), statsText(path), accessLog(), stderr(), stop() }.
 */
export async function startEnvoy(bootstrap, options = {}) {
  if (!ENVOY) throw new Error("no Envoy binary: set ENVOY_BIN, run `npm run envoy:install`, or put envoy on PATH");
  // A port freePort() found free can be taken by a suite running in parallel before Envoy binds it; with
  // a bootstrap function the ports are chosen anew and Envoy started again (at most three times).
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEnvoyOnce(bootstrap, options);
    } catch (e) {
      if (typeof bootstrap !== "function" || attempt >= 3 || !/address already in use/i.test(e.message)) throw e;
    }
  }
}

async function startEnvoyOnce(bootstrap, { concurrency = 2, logLevel = "warn", componentLogLevel, args = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "clicktrail-envoy-"));
  const listenPort = await freePort();
  const adminPort = await freePort();
  const accessLogPath = join(dir, "access.log");
  const b = typeof bootstrap === "function" ? bootstrap({ listenPort, adminPort, accessLogPath, dir }) : bootstrap;
  const configPath = join(dir, "envoy.yaml");
  writeFileSync(configPath, toYaml(b));
  const envoyArgs = ["-c", configPath, "--concurrency", String(concurrency), "--disable-hot-restart",
    "--log-level", logLevel, "--file-flush-interval-msec", "50", ...(componentLogLevel ? ["--component-log-level", componentLogLevel] : []), ...args];
  const { proc, stderr } = startProcess(ENVOY, envoyArgs, { cwd: root });
  const admin = `http://127.0.0.1:${adminPort}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`envoy exited (${proc.exitCode ?? proc.signalCode}):\n${stderr()}`);
    }
    try {
      const r = await fetch(`${admin}/ready`);
      if ((await r.text()).trim() === "LIVE") break;
    } catch {}
    if (Date.now() > deadline) {
      await stop(proc);
      throw new Error(`envoy did not become ready in 30 s:\n${stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const statsText = async (path = "/stats") => (await fetch(admin + path)).text();
  return {
    proc, port: listenPort, adminPort, admin, accessLogPath, dir, configPath, stderr, statsText,
    /** /stats as a Map of name → number (counters and gauges; histograms left out). */
    async stats() {
      const m = new Map();
      for (const line of (await statsText("/stats")).split("\n")) {
        const hit = /^([^:]+): (\d+)$/.exec(line);
        if (hit) m.set(hit[1], Number(hit[2]));
      }
      return m;
    },
    /** The access log's lines so far, waiting `settleMs` for Envoy's flush interval. */
    async accessLog(settleMs = 200) {
      await new Promise((r) => setTimeout(r, settleMs));
      return existsSync(accessLogPath) ? readFileSync(accessLogPath, "utf8").split("\n").filter(Boolean) : [];
    },
    /**
     * The access log's lines once `until(lines)` holds (polled; Envoy writes a line when the stream is
     * destroyed, after the client has its response, and flushes on an interval), or as they are after
     * `timeoutMs`, for the caller's assertion to report.
     */
    async accessLogUntil(until, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const lines = existsSync(accessLogPath) ? readFileSync(accessLogPath, "utf8").split("\n").filter(Boolean) : [];
        if (until(lines) || Date.now() > deadline) return lines;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      await stop(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Appends `fields` (Envoy format operators, e.g. " details=%RESPONSE_CODE_DETAILS%") to the test
 * bootstrap's access log line, before its newline.
 */
export function appendAccessLogFields(bootstrap, fields) {
  const hcm = bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  for (const log of hcm.access_log) {
    const src = log.typed_config.log_format.text_format_source;
    src.inline_string = src.inline_string.replace(/\n$/, "") + fields + "\n";
  }
  return bootstrap;
}

/** The demo bootstrap's route list (the single virtual host's), for a test to change. */
export function routes(bootstrap) {
  return bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes;
}

/** Adds a STATIC cluster `name` with one endpoint at 127.0.0.1:port. */
export function addCluster(bootstrap, name, port) {
  bootstrap.static_resources.clusters.push({
    name, type: "STATIC", connect_timeout: "1s",
    load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: "127.0.0.1", port_value: port } } } }] }] },
  });
  return bootstrap;
}
