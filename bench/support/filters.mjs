// The SDK-style filters of bench/filters/, built on demand: build/bench-NAME.wasm from
// bench/filters/NAME.ts, again whenever the source (or another file it compiles in, `deps`) is newer.
// They take `--runtime incremental`: the SDK's malloc imports rt/itcms (clicktrail itself runs on the
// minimal runtime, assembly/plugin/memory.ts).
import { existsSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

/** The path of build/bench-`name`.wasm, compiled first when missing or stale. */
export function benchFilter(name, deps = []) {
  const src = join(root, `bench/filters/${name}.ts`);
  const out = join(root, `build/bench-${name}.wasm`);
  if (!existsSync(out) || [src, ...deps].some((f) => statSync(out).mtimeMs < statSync(f).mtimeMs)) {
    const r = spawnSync("npx", ["asc", src, "--target", "release", "--runtime", "incremental", "-o", out], { cwd: root, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`asc bench/filters/${name}.ts: ${r.stderr}`);
  }
  return out;
}
