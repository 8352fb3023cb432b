// One key table per section (assembly/config/keys/*.ts) is the source of the readers' keys, the settings'
// defaults, envoy/clicktrail.schema.json, the key tables of docs/configuration.md and the Apache converter's
// directive-to-key map (cli/apache/config-keys.ts). Here: the committed
// files are exactly what scripts/schema.mjs generates from the tables, and the filter's readers know exactly
// the tables' keys, found by feeding the filter (build/clickpath-tools.wasm runs the real parseConfig) a
// configuration per key with a wrong value at that key's path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { generatedFiles, keyAt, loadKeyTables } from "../../scripts/schema.mjs";
import { NOTES } from "../../scripts/config-notes.mjs";

const root = new URL("../..", import.meta.url).pathname;
const tools = await import(new URL("../../build/clickpath-tools.js", import.meta.url).href);
const tables = await loadKeyTables();

test("envoy/clicktrail.schema.json, docs/configuration.md and the converter's config-keys.ts are what the key tables generate", async () => {
  const files = await generatedFiles();
  assert.deepEqual(files.map((f) => f.name.replace(/^(?:host|cli)\//, "")),
    ["envoy/clicktrail.schema.json", "docs/configuration.md", "apache/config-keys.ts"]);
  for (const f of files) assert.equal(readFileSync(`${root}${f.name}`, "utf8"), f.text, `${f.name} is stale: run npm run schema`);
});

test("every row defined in assembly/config/keys/ is in its section's table", async () => {
  const glue = await import(new URL("../../build/config-keys.js", import.meta.url).href);
  assert.deepEqual(JSON.parse(glue.unlistedKeys()), []);
});

test("every documentation note belongs to a key of the tables", () => {
  const paths = Object.keys(NOTES);
  assert.ok(paths.length >= 60, `${paths.length}`);
  for (const path of paths) assert.ok(keyAt(tables, path), path);
});

/** The filter's configuration errors for `config`, or [] when it is accepted. */
function filterErrors(config) {
  const out = JSON.parse(tools.decode("", JSON.stringify(config), 0));
  if (!("error" in out)) return [];
  return out.error.replace(/^invalid configuration: /, "").split("; ");
}

/** Every key path of the tables: [path, object holding it as a function of the value]. */
function keyPaths() {
  const out = [];
  // What the objects on the way need so that the key is read at all (or refused by a rule naming it).
  const context = {
    usertrack: { format: "nginx" },
    clickpath: { mode: "cookie_first" },
    "session.etcd": { cluster: "etcd" },
    session: { store: "etcd" },
    "session.crypto": { passphrases: ["a passphrase of some length"] },
  };
  const walk = (keys, path, wrap) => {
    for (const k of keys) {
      const child = path ? `${path}.${k.name}` : k.name;
      const place = (value) => wrap({ ...(context[path] ?? {}), [k.name]: value });
      out.push([child, place, k.type]);
      if (k.type === "object") walk(k.keys, child, (v) => place(v));
      if (k.type === "objects") walk(k.keys, `${child}[0]`, (v) => place([v]));
    }
  };
  walk(tables, "", (v) => v);
  return out;
}

test("the filter's readers ask for every key of the tables, at its path", () => {
  const paths = keyPaths();
  assert.ok(paths.length >= 70, `${paths.length}`);
  for (const [path, place, type] of paths) {
    // A value of a type no key of this type takes: each reader reports it under the key's own path.
    const wrong = type === "object" || type === "objects" ? 7 : { wrong: true };
    const errors = filterErrors(place(wrong));
    assert.ok(errors.some((e) => e.startsWith(`${path}: `) && !e.endsWith(": unknown key")), `${path}: ${JSON.stringify(errors)}`);
  }
});

test("a key in no table is unknown, in each object of the tables", () => {
  const objects = [["", (v) => v], ...keyPaths().filter(([, , type]) => type === "object" || type === "objects")
    .map(([path, place, type]) => [type === "objects" ? `${path}[0]` : path, type === "objects" ? (v) => place([v]) : place])];
  for (const [path, place] of objects) {
    const errors = filterErrors(place({ not_a_key: 1 }));
    const key = path ? `${path}.not_a_key` : "not_a_key";
    assert.ok(errors.includes(`${key}: unknown key`), `${key}: ${JSON.stringify(errors)}`);
  }
});
