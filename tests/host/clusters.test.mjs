// The dev proxy's callout clusters (`clicktrail proxy --cluster NAME=URL[,URL...]`, host/server/clusters.ts):
// argument parsing, round robin over members, a refused member skipped for the next one, failures.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { parseClusterArg, clusterHandler } from "../../dist/host/index.js";
import { freePort } from "../support/processes.mjs";
import { main } from "../../dist/cli/cli.js";

const servers = [];
after(async () => { for (const s of servers) await new Promise((r) => s.close(r)); });

async function member(name) {
  const s = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      res.writeHead(201, { "x-member": name });
      res.end(`${name} ${req.method} ${req.url} ${req.headers["content-type"]} ${Buffer.concat(chunks)}`);
    });
  });
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  servers.push(s);
  return `http://127.0.0.1:${s.address().port}`;
}

const call = (body = "{}") => ({
  cluster: "etcd", trailers: [], timeoutMs: 1000, body: Buffer.from(body),
  headers: [[":method", "POST"], [":path", "/v3/kv/range"], [":authority", "etcd"], ["content-type", "application/json"]],
});

test("--cluster NAME=URL[,URL...] is parsed; anything else is refused with a message", () => {
  const { name, members } = parseClusterArg("etcd=http://127.0.0.1:2379,http://127.0.0.1:22379/");
  assert.equal(name, "etcd");
  assert.deepEqual(members.map(String), ["http://127.0.0.1:2379/", "http://127.0.0.1:22379/"]);
  assert.throws(() => parseClusterArg("http://127.0.0.1:2379"), /--cluster must be NAME=URL\[,URL\.\.\.\], got "http:\/\/127.0.0.1:2379"/);
  assert.throws(() => parseClusterArg("etcd=https://127.0.0.1:2379"), /--cluster etcd: members must be http:\/\/HOST:PORT, got "https:\/\/127.0.0.1:2379"/);
  assert.throws(() => parseClusterArg("etcd=nonsense"), /--cluster etcd: "nonsense" is not a URL/);
});

test("calls go round robin over the members, and a refused member is skipped for the next", async () => {
  const a = await member("a");
  const b = await member("b");
  const closed = `http://127.0.0.1:${await freePort()}`;
  const handler = clusterHandler([a, closed, b].map((u) => new URL(u)));
  const seen = [];
  for (let i = 0; i < 3; i++) {
    const r = await handler(call(`{"n":${i}}`));
    assert.equal(r.headers[0][0], ":status");
    assert.equal(r.headers[0][1], "201");
    seen.push(r.body.toString());
  }
  assert.deepEqual(seen, [
    'a POST /v3/kv/range application/json {"n":0}',
    'b POST /v3/kv/range application/json {"n":1}',
    'b POST /v3/kv/range application/json {"n":2}',
  ]);
});

test("every member refusing: the call fails (null), as a reset does in Envoy", async () => {
  const handler = clusterHandler([new URL(`http://127.0.0.1:${await freePort()}`)]);
  assert.equal(await handler(call()), null);
});

test("clicktrail proxy: a malformed --cluster is a usage error", async () => {
  const writes = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = (s) => { writes.push(String(s)); return true; };
  try {
    const code = await main(["proxy", "--wasm", "build/clicktrail.wasm", "--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:9", "--cluster", "etcd"]);
    assert.equal(code, 2);
  } finally {
    process.stderr.write = orig;
  }
  assert.match(writes.join(""), /clicktrail proxy: --cluster must be NAME=URL\[,URL\.\.\.\], got "etcd"/);
});
