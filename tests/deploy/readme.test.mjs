// The README's configuration example is what a reader copies first: it must be a configuration the filter
// accepts as it stands.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Host } from "../../dist/host/index.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

test("the README's configuration example is accepted by the filter", async () => {
  const section = readme.slice(readme.indexOf("\n## Configuration"));
  const m = /```json\n([\s\S]*?)\n```/.exec(section);
  assert.ok(m, "README has a json block under ## Configuration");
  const config = JSON.parse(m[1]);
  assert.deepEqual(Object.keys(config), ["usertrack", "clickpath", "session"]);
  const host = await Host.create({ wasm: "build/clicktrail.wasm", config });
  assert.equal(host.configured, true, JSON.stringify(host.logs));
});
