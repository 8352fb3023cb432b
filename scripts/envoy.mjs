#!/usr/bin/env node
// `npm run envoy`: runs Envoy with envoy/envoy.yaml through func-e, after checking that func-e is installed
// and the filter is built. func-e downloads the Envoy version pinned in .envoy-version on first use.
// Extra arguments go to Envoy (e.g. `npm run envoy -- --concurrency 1 --component-log-level wasm:debug`).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
process.chdir(root);

const probe = spawnSync("func-e", ["--version"], { encoding: "utf8" });
if (probe.error) {
  console.error(`func-e was not found on PATH. It downloads and runs Envoy (https://func-e.io). Install it with

    curl -L https://func-e.io/install.sh | bash -s -- -b /usr/local/bin

or download a release from https://github.com/tetratelabs/func-e/releases, then run \`npm run envoy\` again.
Without Envoy, \`npm start\` runs the same filter and configuration in clicktrail's own dev proxy.`);
  process.exit(1);
}
if (!existsSync("build/clicktrail.wasm")) {
  console.error("build/clicktrail.wasm is missing: run `npm run build` first.");
  process.exit(1);
}
const version = readFileSync(".envoy-version", "utf8").trim();
console.error(`func-e run -c envoy/envoy.yaml (Envoy ${version} from .envoy-version)
  site:  http://127.0.0.1:10000/   (upstream 127.0.0.1:8080; start one with \`npm start -- --no-proxy\` or any HTTP server)
  stats: curl -s 127.0.0.1:9901/stats?filter=wasmcustom.clicktrail`);
const child = spawn("func-e", ["run", "-c", "envoy/envoy.yaml", ...process.argv.slice(2)], { stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
