// The schema and the filter judge the same configurations alike: ≥30 valid and invalid configurations go
// through both, the invalid ones with the filter's exact messages. Then the CLI's output and exit codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkWithFilter, checkWithSchema, validateConfig } from "../../dist/cli/commands/validate.js";
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

test("durations (fast-check, fixed seed): the schema and the filter agree on every expires string but totals beyond 68 years", async () => {
  const { default: fc } = await import("fast-check");
  const token = fc.constantFrom("1", "2", "0", "9", " ", " ", "\t", "y", "M", "w", "d", "h", "m", "s", "mo", "mi", "p", "plus", "x", "99999999999");
  let disagreements = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(token, { minLength: 1, maxLength: 6 }), fc.constantFrom("apache", "nginx"), async (tokens, format) => {
      const text = JSON.stringify({ usertrack: { format, expires: tokens.join("") } });
      const schema = checkWithSchema(text).ok;
      const filter = await checkWithFilter(text);
      if (schema === filter.ok) return true;
      disagreements++;
      // Only the filter adds a duration up: the same string with every number made 1 must be valid.
      const small = JSON.stringify({ usertrack: { format, expires: tokens.join("").replace(/\d+/g, "1") } });
      return schema && !filter.ok && filter.errors.length === 1 && filter.errors[0].path === "usertrack.expires" &&
        checkWithSchema(small).ok && (await checkWithFilter(small)).ok;
    }),
    { seed: 20261122, numRuns: 400 },
  );
  assert.ok(disagreements > 0, "the generator reaches the totals the schema cannot add up");
});

test("string keys (fast-check, fixed seed): the schema and the filter agree on random values in 24 places", async () => {
  const { default: fc } = await import("fast-check");
  const piece = fc.constantFrom("a", "Z", "0", "9", "_", "-", ".", " ", "\t", ";", ",", "=", "&", "/", "(", ")", ":", "@", "!", "~",
    "é", "\u00a0", "\"", "'", "\\", "\n", "uri", "param", "off", "none", "*", "%", "#", "?", "$", "+", "^", "`", "|", "<", "[", "\u007f");
  const value = fc.array(piece, { minLength: 0, maxLength: 6 }).map((a) => a.join(""));
  const places = [
    (v) => ({ usertrack: { cookie_name: v } }),
    (v) => ({ usertrack: { domain: v } }),
    (v) => ({ usertrack: { format: "nginx", domain: v } }),
    (v) => ({ usertrack: { format: "nginx", nginx_mark: v } }),
    (v) => ({ usertrack: { format: "nginx", nginx_path: v } }),
    (v) => ({ usertrack: { format: "nginx", nginx_p3p: v } }),
    (v) => ({ usertrack: { upstream_header: v } }),
    (v) => ({ usertrack: { style: v } }),
    (v) => ({ usertrack: { same_site: v } }),
    (v) => ({ clickpath: { prefix: v } }),
    (v) => ({ clickpath: { machine: v } }),
    (v) => ({ clickpath: { upstream_header_prefix: v } }),
    (v) => ({ clickpath: { ua_exceptions: [{ name: v, pattern: "x" }] } }),
    (v) => ({ clickpath: { friendly_sessions: [{ host: v, fields: ["uri(1)"] }] } }),
    (v) => ({ clickpath: { friendly_sessions: [{ host: "h", fields: [v] }] } }),
    (v) => ({ clickpath: { friendly_sessions: [{ host: "h", fields: ["uri(1)"], name: v }] } }),
    (v) => ({ clickpath: { machine_table: [{ address: v }] } }),
    (v) => ({ clickpath: { machine_table: [{ address: "a", name: v, store: v }] } }),
    (v) => ({ clickpath: { referrer_policy: v } }),
    (v) => ({ session: { cookie_name: v } }),
    (v) => ({ session: { cookie_attributes: v } }),
    (v) => ({ session: { upstream_header: v } }),
    (v) => ({ session: { shared: { key_prefix: v } } }),
    (v) => ({ session: { crypto: { passphrases: [v] } } }),
  ];
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: places.length - 1 }), value, async (i, v) => {
      const text = JSON.stringify(places[i](v));
      return checkWithSchema(text).ok === (await checkWithFilter(text)).ok;
    }),
    { seed: 7, numRuns: 1500 },
  );
});
