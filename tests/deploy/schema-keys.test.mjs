// The schema names exactly the keys the filter's readers ask for. The keys are read from the reader
// sources (assembly/config/*.ts): every `<reader>.string("key", ...)`-style call, per function, so a key a
// feature branch adds without a schema entry (or a schema key no reader asks for) fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const root = new URL("../..", import.meta.url).pathname;
const schema = JSON.parse(readFileSync(`${root}envoy/clicktrail.schema.json`, "utf8"));

// Which JSON object each reader function's receivers stand for.
const READERS = {
  "usertrack.ts": { readUsertrack: { r: "usertrack" }, readDomain: { r: "usertrack" }, readExpires: { r: "usertrack" } },
  "clickpath.ts": {
    readClickpath: { r: "clickpath", e: "clickpath.ua_exceptions[]", f: "clickpath.friendly_sessions[]", row: "clickpath.machine_table[]" },
    readSessionCookie: { c: "clickpath.cookie" },
  },
  "session.ts": { readSession: { r: "session" }, readCrypto: { r: "session.crypto" }, headerName: {} },
  "session-shared.ts": { readSharedStore: { r: "session.shared" } },
  "session-etcd.ts": { readEtcdStore: { r: "session.etcd" } },
  "index.ts": { parseConfig: { r: "" } },
};

function readerKeys() {
  const keys = new Map();
  const add = (path, key) => {
    if (!keys.has(path)) keys.set(path, new Set());
    keys.get(path).add(key);
  };
  for (const [file, functions] of Object.entries(READERS)) {
    const src = readFileSync(`${root}assembly/config/${file}`, "utf8");
    const parts = src.split(/^(?:export )?function (\w+)/m);
    for (let i = 1; i < parts.length; i += 2) {
      const receivers = functions[parts[i]];
      if (!receivers) continue;
      const body = parts[i + 1];
      for (const m of body.matchAll(/\b(\w+)\.(?:string|choice|bool|int|strings|object|objects|value|has)\("([a-z0-9_]+)"/g)) {
        if (m[1] in receivers) add(receivers[m[1]], m[2]);
      }
      for (const m of body.matchAll(/\bheaderName\(r, "([a-z0-9_]+)"\)/g)) add(receivers.r, m[1]);
      if (/NGINX_ONLY\[i\]/.test(body)) {
        for (const k of /NGINX_ONLY: string\[\] = \[([^\]]+)\]/.exec(src)[1].matchAll(/"([a-z0-9_]+)"/g)) add(receivers.r, k[1]);
      }
    }
  }
  return keys;
}

function schemaKeys() {
  const keys = new Map();
  const walk = (node, path) => {
    if (!node.properties) return;
    keys.set(path, new Set(Object.keys(node.properties)));
    for (const [k, v] of Object.entries(node.properties)) {
      const child = path ? `${path}.${k}` : k;
      if (v.properties) walk(v, child);
      if (v.items?.properties) walk(v.items, `${child}[]`);
    }
  };
  walk(schema, "");
  return keys;
}

test("the schema and the readers know the same keys, object by object", () => {
  const fromReaders = readerKeys();
  const fromSchema = schemaKeys();
  const asObject = (m) => Object.fromEntries([...m].map(([p, s]) => [p, [...s].sort()]).sort());
  assert.deepEqual(asObject(fromSchema), asObject(fromReaders));
  // The extraction found real work to compare.
  assert.ok(fromReaders.get("session.shared").has("key_prefix"));
  assert.ok(fromReaders.get("usertrack").has("nginx_p3p"));
  assert.ok(fromReaders.get("session").has("response_header"));
  assert.ok(fromReaders.get("session.etcd").has("on_unavailable"));
});
