// The same scripted browsing session (browsing.mjs) through real Envoy loaded from envoy/envoy.yaml, with
// its access log as the file it writes: the text line of envoy/envoy.yaml, and the JSON variant of
// envoy/access-log-json.yaml. `clicktrail clickstream` must give the same report as for the dev proxy.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { createDemoBackend } from "../../demo/server.mjs";
import { envoySkip, startEnvoy, testBootstrap } from "../support/envoy.mjs";
import { browse, expectedReport, retime } from "./browsing.mjs";

const root = new URL("../../", import.meta.url).pathname;
const skip = envoySkip("clickstream of Envoy's access log");
const dir = mkdtempSync(join(tmpdir(), "clicktrail-clickstream-envoy-"));
const running = [];
after(async () => {
  for (const r of running) await r.stop();
  rmSync(dir, { recursive: true, force: true });
});

function clickstream(args) {
  const r = spawnSync(process.execPath, [join(root, "bin/clicktrail.mjs"), "clickstream", ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs the script through Envoy with `edit` applied to the bootstrap; returns the access log's lines. */
async function throughEnvoy(edit) {
  const backend = createDemoBackend();
  await new Promise((r) => backend.listen(0, "127.0.0.1", r));
  const port = backend.address().port;
  running.push({ stop: () => new Promise((r) => { backend.close(r); backend.closeAllConnections(); }) });
  const envoy = await startEnvoy((ports) => testBootstrap({ ...ports, upstreams: { web1: port, web2: port }, edit }), { concurrency: 1 });
  running.push(envoy);
  // The file logger flushes every 50 ms (tests/support/envoy.mjs); browse waits for each line.
  await browse(envoy.port, { log: envoy.accessLogPath });
  return readFileSync(envoy.accessLogPath, "utf8");
}

test("Envoy's access log (envoy/envoy.yaml's line) gives the dev proxy's report", { skip }, async () => {
  const text = await throughEnvoy();
  const live = join(dir, "envoy-live.log");
  const log = join(dir, "envoy.log");
  writeFileSync(live, text);
  const lines = retime(live, log, "envoy", (l) => /^\[[^\]]+\] "\S+ (\S+) /.exec(l)?.[1]);
  // Envoy writes the fields the filter set, `-` where there is nothing, and the cluster the route chose.
  for (const l of lines) assert.match(l, /^\[[^\]]+\] "GET \S+ HTTP\/1\.1" \d{3} \d+ usertrack=[0-9a-f]+\.[0-9a-f]+ new=[01] clickpath=\S+ upstream=web1$/);
  const r = clickstream([log]);
  assert.equal(r.err, "");
  assert.equal(r.out, expectedReport({ input: log, format: "envoy" }));
  assert.equal(clickstream([log, "--by", "visitor"]).out, expectedReport({ input: log, format: "envoy", by: "visitor" }));
});

test("Envoy's JSON access log (envoy/access-log-json.yaml) gives the same report with --format envoy-json", { skip }, async () => {
  const { log_format } = parseYaml(readFileSync(join(root, "envoy/access-log-json.yaml"), "utf8"));
  const text = await throughEnvoy((b) => {
    const hcm = b.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    hcm.access_log[0].typed_config.log_format = log_format;
  });
  const live = join(dir, "json-live.log");
  const log = join(dir, "json.log");
  writeFileSync(live, text);
  const lines = retime(live, log, "json", (l) => JSON.parse(l).path);
  const first = JSON.parse(lines[0]);
  assert.deepEqual(Object.keys(first).sort(), Object.keys(log_format.json_format).sort());
  // RESPONSE_CODE and BYTES_SENT are numbers in Envoy's JSON; the filter state is a string.
  assert.equal(first.response_code, 200);
  assert.equal(typeof first.bytes_sent, "number");
  assert.equal(first.usertrack_new, "1");
  const r = clickstream([log, "--format", "envoy-json"]);
  assert.equal(r.err, "");
  assert.equal(r.out, expectedReport({ input: log, format: "envoy-json" }));
});
