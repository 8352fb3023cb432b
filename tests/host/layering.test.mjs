// The TypeScript layers of docs/host.md#layering, read from the sources' relative imports: host/ never
// imports cli/, cli/ reaches the host only through host/index.ts, and no files import one another in a loop
// (host/envoy's core.ts, vm.ts and stream.ts once did).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function sources(dir, acc = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, acc);
    else if (name.endsWith(".ts")) acc.push(relative(root, p));
  }
  return acc;
}

/** Relative imports and re-exports of one source (`import … from "./x.js"`, `export … from`, `import("./x.js")`). */
function importsOf(file, text) {
  const out = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s*["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;
  for (const m of text.matchAll(re)) {
    out.push(relative(root, resolve(root, dirname(file), (m[1] ?? m[2]).replace(/\.js$/, ".ts"))));
  }
  return out;
}

/** Every import cycle, each as its files sorted (Tarjan's strongly connected components). */
function cycles(graph) {
  let next = 0;
  const index = new Map(), low = new Map(), stack = [], onStack = new Set(), found = [];
  const visit = (v) => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const part = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); part.push(w); } while (w !== v);
      if (part.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(part.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const files = [...sources(join(root, "host")), ...sources(join(root, "cli"))];
const graph = new Map(files.map((f) => [f, importsOf(f, readFileSync(join(root, f), "utf8"))]));

test("the import reader finds imports, re-exports and dynamic imports, relative ones only", () => {
  const text = 'import { a } from "./a.js";\nimport type { B } from "../b/b.js";\nexport { c } from "./c.js";\n' +
    'import x from "node:fs";\nconst d = await import("./d.js");\n';
  assert.deepEqual(importsOf("host/envoy/x.ts", text), ["host/envoy/a.ts", "host/b/b.ts", "host/envoy/c.ts", "host/envoy/d.ts"]);
});

test("the cycle finder reports a loop of three and a file importing itself, and nothing in a chain", () => {
  const g = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["d"]], ["e", ["a"]]]);
  assert.deepEqual(cycles(g), [["a", "b", "c"], ["d"]]);
  assert.deepEqual(cycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", []]])), []);
});

test("host/ and cli/ have no import cycles", () => {
  assert.ok(graph.has("host/envoy/vm.ts") && graph.has("cli/cli.ts"), "the sources were found");
  assert.deepEqual(cycles(graph), []);
});

test("host/ never imports cli/; cli/ imports the host only through host/index.ts", () => {
  const wrong = [];
  for (const [file, deps] of graph) {
    for (const d of deps) {
      if (file.startsWith("host/") && d.startsWith("cli/")) wrong.push(`${file} -> ${d}`);
      if (file.startsWith("cli/") && d.startsWith("host/") && d !== "host/index.ts") wrong.push(`${file} -> ${d}`);
    }
  }
  assert.deepEqual(wrong, []);
});
