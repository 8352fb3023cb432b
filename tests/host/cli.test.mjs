// The CLI's command table and option parsing (the proxy itself is exercised in tests/e2e).
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commands, parseFlags, readConfigArg, usage, UsageError } from "../../dist/cli/cli.js";
import { parseListen, isLoopback } from "../../dist/host/server/proxy.js";

test("the command table lists proxy with its usage", () => {
  assert.equal(typeof commands.proxy.run, "function");
  assert.match(commands.proxy.usage, /--wasm FILE --config FILE_OR_JSON --listen HOST:PORT --upstream URL/);
  assert.match(usage(), /^usage: clicktrail <command> \[options\]\n\ncommands:\n/);
  assert.match(usage(), /\n  proxy {12}run any proxy-wasm module in front of an upstream, as Envoy would/);
});

test("parseFlags: --name value and --name=value; unknown options and missing values are usage errors", () => {
  const { flags, positionals } = parseFlags(["--a", "1", "x", "--b=two=2"], ["a", "b"]);
  assert.deepEqual([...flags], [["a", "1"], ["b", "two=2"]]);
  assert.deepEqual(positionals, ["x"]);
  assert.throws(() => parseFlags(["--c", "1"], ["a"]), (e) => e instanceof UsageError && e.message === "unknown option --c");
  assert.throws(() => parseFlags(["--a"], ["a"]), /--a needs a value/);
});

test("readConfigArg: inline JSON or a file", () => {
  assert.equal(readConfigArg('{"a":1}'), '{"a":1}');
  const dir = mkdtempSync(join(tmpdir(), "ct-"));
  writeFileSync(join(dir, "c.json"), '{"b":2}');
  assert.equal(readConfigArg(join(dir, "c.json")), '{"b":2}');
  assert.throws(() => readConfigArg(join(dir, "missing.json")), /cannot read --config file/);
  assert.equal(readConfigArg(undefined), "");
});

test("--listen accepts loopback only", () => {
  assert.deepEqual(parseListen("127.0.0.1:8080"), { host: "127.0.0.1", port: 8080 });
  assert.deepEqual(parseListen("[::1]:0"), { host: "::1", port: 0 });
  assert.deepEqual(parseListen("localhost:1"), { host: "localhost", port: 1 });
  assert.throws(() => parseListen("0.0.0.0:80"), /refusing to listen on 0\.0\.0\.0/);
  assert.throws(() => parseListen("8080"), /--listen must be HOST:PORT, got "8080"/);
  assert.equal(isLoopback("127.1.2.3"), true);
  assert.equal(isLoopback("128.0.0.1"), false);
});
