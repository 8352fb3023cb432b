// The schema and the filter judge the same configurations alike: ≥30 valid and invalid configurations go
// through both, the invalid ones with the filter's exact messages. Then the CLI's output and exit codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkWithFilter, checkWithSchema, validateConfig } from "../../dist/host/commands/validate.js";
import { valid, invalid, beyondSchema } from "./cases.mjs";

const root = new URL("../..", import.meta.url).pathname;
const lines = (errors) => errors.map((e) => `${e.path}: ${e.message}`);

test("the corpus has at least 30 configurations, valid and invalid", () => {
  assert.ok(valid.length + invalid.length >= 30, `${valid.length + invalid.length}`);
  assert.ok(valid.length >= 10 && invalid.length >= 20);
});

for (const [name, config] of valid) {
  test(`valid for both: ${name}`, async () => {
    const text = JSON.stringify(config);
    assert.deepEqual(lines(checkWithSchema(text).errors), []);
    const filter = await checkWithFilter(text);
    assert.deepEqual(lines(filter.errors), []);
    assert.equal(filter.ok, true);
  });
}

for (const [name, config, messages, schemaPaths] of invalid) {
  test(`invalid for both: ${name}`, async () => {
    const text = JSON.stringify(config);
    const schema = checkWithSchema(text);
    assert.equal(schema.ok, false, "the schema accepted it");
    const filter = await checkWithFilter(text);
    assert.equal(filter.ok, false);
    assert.deepEqual(lines(filter.errors), messages);
    // Both point at the same keys.
    const expectedPaths = schemaPaths ?? [...new Set(filter.errors.map((e) => e.path))].sort();
    assert.deepEqual([...new Set(schema.errors.map((e) => e.path))].sort(), expectedPaths);
  });
}

for (const [name, config, messages] of beyondSchema) {
  test(`beyond the schema, caught by the filter: ${name}`, async () => {
    const text = JSON.stringify(config);
    assert.deepEqual(lines(checkWithSchema(text).errors), []);
    const report = await validateConfig(text);
    assert.equal(report.ok, false);
    assert.deepEqual(lines(report.filterErrors), messages);
  });
}

test("blank text is every feature off for both; broken JSON is refused by both", async () => {
  assert.equal((await validateConfig("  \n")).ok, true);
  const broken = await validateConfig("{\"usertrack\": ");
  assert.equal(broken.ok, false);
  assert.equal(broken.schemaErrors[0].path, "(root)");
  assert.match(broken.schemaErrors[0].message, /^invalid JSON: /);
  assert.deepEqual(lines(broken.filterErrors).length, 1);
  assert.match(broken.filterErrors[0].message, /^invalid JSON at line 1, column \d+: /);
});

function cli(args, input) {
  return spawnSync(process.execPath, [join(root, "bin/clicktrail.mjs"), ...args], { cwd: tmpdir(), encoding: "utf8", input });
}

test("clicktrail validate: exit 0 and the enabled sections for a valid file", () => {
  const dir = mkdtempSync(join(tmpdir(), "ct-validate-"));
  const file = join(dir, "ok.json");
  writeFileSync(file, JSON.stringify({ usertrack: {}, session: { enabled: false } }));
  const r = cli(["validate", file]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${file}: valid (usertrack)\n`);
});

test("clicktrail validate: exit 1 and each error with its JSON path from both checks", () => {
  const r = cli(["validate", "-"], JSON.stringify({ usertrack: { domain: "example.com" }, foo: 1 }));
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, [
    "(stdin): invalid",
    "  schema  foo: unknown key",
    "  schema  usertrack.domain: CookieDomain values must begin with a dot and contain at least one embedded dot (visible ASCII without ';' or ',')",
    "  filter  usertrack.domain: CookieDomain values must begin with a dot",
    "  filter  foo: unknown key",
    "",
  ].join("\n"));
});

test("clicktrail validate: a missing file is a usage error (exit 2)", () => {
  const r = cli(["validate", "/nonexistent/clicktrail.json"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^clicktrail validate: cannot read \/nonexistent\/clicktrail.json: /);
});
