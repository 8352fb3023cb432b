#!/usr/bin/env node
// `npm test`: build everything, run the AssemblyScript units (as-pect) and the Node suites (node:test),
// and end with one line `N passed, N failed` that adds both up. Exits non-zero when anything failed.
//
//   node scripts/test.mjs                 everything
//   node scripts/test.mjs --no-build      skip the build (when it is fresh)
//   node scripts/test.mjs tests/host      only Node test files under these paths (as-pect is skipped
//                                         unless a path is under tests/assembly)
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const noBuild = args.includes("--no-build");
const paths = args.filter((a) => !a.startsWith("--"));
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, encoding: "utf8", maxBuffer: 1 << 28, ...opts });
  return { code: r.status ?? 1, out: (r.stdout ?? "") + (r.stderr ?? "") };
}

function walk(dir, suffix, acc = []) {
  let entries;
  try { entries = readdirSync(dir); } catch { return acc; }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (name === "node_modules" || name === "fixtures") continue;
    if (statSync(p).isDirectory()) walk(p, suffix, acc);
    else if (name.endsWith(suffix)) acc.push(p);
  }
  return acc;
}

let passed = 0;
let failed = 0;

if (!noBuild) {
  const b = run("npm", ["run", "build", "--silent"], { stdio: ["ignore", "inherit", "inherit"] });
  if (b.code !== 0) {
    console.log("build failed");
    console.log(`0 passed, 1 failed`);
    process.exit(1);
  }
}

const wantAssembly = paths.length === 0 || paths.some((p) => p.startsWith("tests/assembly"));
if (wantAssembly) {
  const r = run("npx", ["asp", "--config", "as-pect.config.js", "--summary"]);
  const text = stripAnsi(r.out);
  const m = text.match(/\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/);
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]) - Number(m[1]);
  }
  if (!m || r.code !== 0) {
    process.stdout.write(text);
    if (!m) failed += 1; // a compile error: count the whole as-pect run as one failure
  } else {
    console.log(`as-pect: ${m[1]} / ${m[2]} passed`);
  }
}

/** Runs node:test files and adds their counts; a runner that crashes before reporting counts as a failure. */
function runNodeTests(files, env = {}) {
  if (!files.length) return;
  const r = run(process.execPath, ["--test", "--test-reporter=spec", ...files.map((f) => relative(root, f))], {
    env: { ...process.env, FORCE_COLOR: "0", ...env },
  });
  const text = stripAnsi(r.out);
  process.stdout.write(text);
  const p = text.match(/^ℹ pass (\d+)$/m);
  const f = text.match(/^ℹ fail (\d+)$/m);
  if (p) passed += Number(p[1]);
  if (f) failed += Number(f[1]);
  if (!p && r.code !== 0) failed += 1;
}

const roots = paths.length ? paths.filter((p) => !p.startsWith("tests/assembly")) : ["tests"];
runNodeTests(roots.flatMap((p) => (p.endsWith(".mjs") ? [join(root, p)] : walk(join(root, p), ".test.mjs"))));

// The end-to-end suite once more as NGINX's ngx_wasm_module would run the filter (tests/e2e/profile.mjs).
if (paths.length === 0) {
  console.log("\nend-to-end suite under --profile nginx:");
  runNodeTests(walk(join(root, "tests/e2e"), ".test.mjs"), { CLICKTRAIL_E2E_PROFILE: "nginx" });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
