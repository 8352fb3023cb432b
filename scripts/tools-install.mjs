#!/usr/bin/env node
// `npm run tools:install`: the Go tools and modules of the Istio packaging and its checks, pinned in
// scripts/tools-paths.mjs, into the git-ignored `.tools/`:
//
//   .tools/bin/oras                   `go install oras.land/oras/cmd/oras@ORAS_VERSION` (npm run package:oci)
//   .tools/bin/registry               go-containerregistry's in-memory registry, for tests/deploy/oci.test.mjs
//   .tools/gomod/istio.io/api@V/      `go mod download istio.io/api@V` into a project-local GOMODCACHE:
//                                     Istio's CRDs, which tests/deploy/istio-crd.test.mjs validates against
//   .tools/bin/istio-plugin-config    tests/support/istio-plugin-config built with istio.io/api and jsonpb
//                                     (its go.sum pins them): what istiod sends the filter for a pluginConfig
//   .tools/bin/istio-wasm-fetch       tests/support/istio-wasm-fetch: istio-agent's pull of an oci:// module
//
// Needs Go (https://go.dev/dl/). Idempotent: a step whose result is in place (same version, same sources) is skipped.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { GGCR_VERSION, goEnv, ISTIO_API_MODULE, ISTIO_API_SUM, ISTIO_API_VERSION, ORAS_MODULE, ORAS_VERSION, REGISTRY_MODULE,
  toolPaths } from "./tools-paths.mjs";

const root = new URL("..", import.meta.url).pathname;
const p = toolPaths(root);
const env = goEnv(root);

function run(cmd, args, opts = {}) {
  console.error(`+ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", cwd: root, env, ...opts });
  if (r.error || r.status !== 0) fail(`${cmd} failed${r.error ? `: ${r.error.message}` : ` with exit code ${r.status}`}`);
  return r.stdout;
}
function fail(msg) {
  console.error(`tools:install: ${msg}`);
  process.exit(1);
}
/** The module version recorded in a Go binary's build info, or undefined. */
function builtVersion(bin, module) {
  const info = spawnSync("go", ["version", "-m", bin], { encoding: "utf8" }).stdout ?? "";
  return new RegExp(`\\s(?:mod|dep)\\s+${module.replace(/\./g, "\\.")}\\s+(\\S+)`).exec(info)?.[1];
}

if (spawnSync("go", ["version"]).status !== 0) fail("Go is not on PATH (https://go.dev/dl/)");
mkdirSync(p.bin, { recursive: true });

// oras. `go install` leaves its --version without the tag; the module version is in the build info.
if (!existsSync(p.oras) || builtVersion(p.oras, "oras.land/oras") !== ORAS_VERSION) {
  run("go", ["install", `${ORAS_MODULE}@${ORAS_VERSION}`]);
  if (builtVersion(p.oras, "oras.land/oras") !== ORAS_VERSION) fail(`${p.oras} is not oras ${ORAS_VERSION}`);
}

if (!existsSync(p.registry) || builtVersion(p.registry, "github.com/google/go-containerregistry") !== GGCR_VERSION) {
  run("go", ["install", `${REGISTRY_MODULE}@${GGCR_VERSION}`]);
  if (builtVersion(p.registry, "github.com/google/go-containerregistry") !== GGCR_VERSION) fail(`${p.registry} is not ${GGCR_VERSION}`);
}

// istio.io/api: go checks the zip against go.sum data from the checksum database; we check it is the pinned one.
if (!existsSync(p.istioCrds)) {
  const info = JSON.parse(run("go", ["mod", "download", "-json", `${ISTIO_API_MODULE}@${ISTIO_API_VERSION}`], { cwd: p.base }));
  if (info.Error) fail(info.Error);
  if (info.Sum !== ISTIO_API_SUM) fail(`${ISTIO_API_MODULE}@${ISTIO_API_VERSION} has sum ${info.Sum}, not the pinned ${ISTIO_API_SUM}`);
  if (!existsSync(p.istioCrds)) fail(`${p.istioCrds} is missing from the module`);
}

// The Go helpers of the tests, each rebuilt when one of its sources is newer than its binary.
for (const [source, binary] of p.helpers) {
  const newest = Math.max(...readdirSync(source).map((f) => statSync(join(source, f)).mtimeMs));
  if (!existsSync(binary) || statSync(binary).mtimeMs < newest) run("go", ["build", "-mod=readonly", "-o", binary, "."], { cwd: source });
}
console.error(`tools:install: oras ${ORAS_VERSION}, registry ${GGCR_VERSION}, ${p.helpers.map(([, b]) => b.split("/").at(-1)).join(", ")} ` +
  `in ${p.bin}; ${ISTIO_API_MODULE}@${ISTIO_API_VERSION} at ${p.istioApi}`);
