// The filter writes a phase's header edits back in one proxy_set_header_map_pairs when there are several
// (assembly/plugin/host.ts applyHeaderEdits), and one call per edit for maps over its size bound. Both ways
// through real Envoy: what the upstream receives, byte for byte, and where Envoy routes it.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import { freePort } from "../support/processes.mjs";
import { envoySkip, root, startEnvoy, testBootstrap } from "../support/envoy.mjs";

const skip = envoySkip("Envoy header edits");
let envoy, upstream;
after(async () => {
  if (envoy) await envoy.stop();
  if (upstream) await new Promise((r) => { upstream.closeAllConnections(); upstream.close(r); });
});

const seen = [];
function get(port, path, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res));
    });
    req.on("error", reject);
    req.end();
  });
}

test("several edits in one call and many calls: the upstream sees the same edited request, routed by the edited headers", { skip }, async () => {
  const upstreamPort = await freePort();
  upstream = http.createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
    seen.push({ url: req.url, headers: req.rawHeaders });
    const h = { "content-type": "application/json" };
    if (req.url === "/login") h["x-replace-session"] = "user=alice";
    res.writeHead(200, h);
    res.end("{}");
  });
  await new Promise((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
  const config = JSON.parse(readFileSync(`${root}envoy/clicktrail.json`, "utf8"));
  // web2 is a port nothing listens on: a request routed there would fail, so 200 means web1 was chosen
  // by the x-clickpath-machine header the filter set (127.0.0.1 is web1 in the machine table).
  envoy = await startEnvoy((ports) => testBootstrap({
    ...ports, upstreams: { web1: upstreamPort, web2: 1 }, pluginConfig: config,
    // Room for a request over the filter's 64 KiB bound (Envoy's default limit is 60 KiB).
    edit(b) { b.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.max_request_headers_kb = 96; },
  }),
    { concurrency: 1 });
  const ua = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0";
  const first = await get(envoy.port, "/login", { "user-agent": ua });
  assert.equal(first.statusCode, 200);
  const cookie = first.headers["set-cookie"].map((c) => c.slice(0, c.indexOf(";"))).join("; ");
  const firstSeen = Object.fromEntries(pairs(seen[0].headers));
  const sessionPath = firstSeen["x-clickpath-session-path"];
  assert.match(sessionPath, /^\/-S:[^/]+$/);

  const check = async (extra) => {
    seen.length = 0;
    const res = await get(envoy.port, `${sessionPath}/shop/item.html?id=42`,
      { "user-agent": ua, cookie, "x-clickpath-session": "forged", ...extra });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["set-cookie"], undefined);
    assert.equal(seen.length, 1);
    const got = pairs(seen[0].headers);
    const names = got.map(([n]) => n);
    assert.equal(seen[0].url, "/shop/item.html?id=42");
    const m = Object.fromEntries(got);
    assert.equal(m["x-clickpath-session"], firstSeen["x-clickpath-session"], "the client's forged header is replaced");
    assert.equal(names.filter((n) => n === "x-clickpath-session").length, 1);
    assert.equal(m["x-clickpath-session-path"], sessionPath);
    assert.equal(m["x-clickpath-machine"], "web1");
    assert.equal(m["x-usertrack-id"], firstSeen["x-usertrack-id"]);
    assert.match(m["x-session"], /^user=alice&expiry=\d+$/);
    assert.equal(m["user-agent"], ua);
    assert.equal(m.cookie, cookie);
    return names;
  };
  const coalesced = await check({});
  // Over 64 KiB of headers: the edits go one call each.
  const big = "b".repeat(70000);
  const oneByOne = await check({ "x-big": big });
  assert.deepEqual(oneByOne.filter((n) => n !== "x-big"), coalesced);
});

function pairs(raw) {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i].toLowerCase(), raw[i + 1]]);
  return out;
}
