// The smallest check that the real Envoy runs the filter as envoy/envoy.yaml loads it: V8 is there, the
// module loads, a first visit gets the tracking cookie byte for byte as envoy/clicktrail.json configures it.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { freePort } from "../support/processes.mjs";
import { envoySkip, startEnvoy, testBootstrap } from "../support/envoy.mjs";

const skip = envoySkip("Envoy smoke test");
let envoy, upstream;
after(async () => {
  if (envoy) await envoy.stop();
  if (upstream) await new Promise((r) => upstream.close(r));
});

test("Envoy runs the filter: V8 runtime created, first visit gets the tracking cookie", { skip }, async () => {
  const upstreamPort = await freePort();
  upstream = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`id=${req.headers["x-usertrack-id"] ?? ""}`);
  });
  await new Promise((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
  envoy = await startEnvoy((ports) => testBootstrap({ ...ports, upstreams: { web1: upstreamPort, web2: upstreamPort } }));
  const res = await fetch(`http://127.0.0.1:${envoy.port}/plain.txt`, { headers: { "user-agent": "curl/8.0" } });
  const body = await res.text();
  const cookie = res.headers.get("set-cookie");
  const m = /^Apache=([0-9a-f]{1,8}\.[0-9a-f]{1,16}); path=\/; expires=[A-Z][a-z]{2}, \d\d-[A-Z][a-z]{2}-\d\d \d\d:\d\d:\d\d GMT; SameSite=Lax; HttpOnly$/.exec(cookie);
  assert.ok(m, cookie);
  assert.equal(body, `id=${m[1]}`);
  const stats = await envoy.stats();
  assert.equal(stats.get("wasm.envoy.wasm.runtime.v8.created") >= 1, true, "V8 runtime created");
});
