// `clicktrail decode` through the standalone tool build (build/clickpath-tools.wasm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeCommand } from "../../dist/host/commands/decode.js";

async function run(args, now = 1795320990) {
  const out = [];
  const err = [];
  const code = await decodeCommand(args, (l) => out.push(l), (l) => err.push(l), now);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

test("decodes the runtime vector of the original", async () => {
  const r = await run(["s9NNNd:WT5PoQ1NNQIaYiNNNNNOM"]);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.out), {
    id: "s9NNNd:WT5PoQ1NNQIaYiNNNNNOM", valid: true, machine: "fwAAAQ", machine_ip: "127.0.0.1",
    time: 1795320890, iso_time: "2026-11-22T04:14:50.000Z", process: 16141, counter: 11600, connection: 1,
    crc: 36, signature: "none", age: 100, expired: false,
  });
});

test("accepts a URL path and a config with a machine table and friends", async () => {
  const config = JSON.stringify({ clickpath: { machine_table: [{ address: "127.0.0.13", name: "B" }],
    friendly_sessions: [{ host: "param.friendly.org", fields: ["param(ld)", "param(id)"], name: "f" }] } });
  const r = await run(["/-S:O:vAYsyaINNTSaB7INNNNNMsMyq*.CF!vq*.InoJ/index.html", "--config", config], 1121948900);
  const j = JSON.parse(r.out);
  assert.equal(r.code, 0);
  assert.equal(j.machine, "B");
  assert.equal(j.machine_address, "127.0.0.13");
  assert.equal(j.counter, 55023);
  assert.equal(j.friend, "f");
  assert.equal(j.remote_session, "ld=25\nid=8ab9");
  assert.equal(j.remote_session_host, "param.friendly.org");
  assert.equal(j.age, 5);
});

test("reports unknown machines, missing signatures and age against the config", async () => {
  let r = await run(["s9NNNd:WT5PoQ1NNQIaYiNNNNNOM", "--config", '{"clickpath":{"machine_table":[{"address":"10.0.0.1","name":"A"}]}}']);
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.out).problem, "unknown machine name 'fwAAAQ'");
  r = await run(["s9NNNd:WT5PoQ1NNQIaYiNNNNNOM", "--config", '{"clickpath":{"secrets":["0123456789abcdef"]}}']);
  assert.equal(JSON.parse(r.out).signature, "missing");
  assert.equal(JSON.parse(r.out).problem, "unsigned id while secrets are configured");
  r = await run(["s9NNNd:WT5PoQ1NNQIaYiNNNNNOM", "--config", '{"clickpath":{"max_session_age":60}}']);
  assert.equal(JSON.parse(r.out).problem, "older than max_session_age");
  assert.equal(JSON.parse(r.out).expired, true);
});

test("malformed ids and bad usage", async () => {
  let r = await run(["s9NNNd:WT5PoQ1NNQIaYiNNNNOOM"]);
  assert.equal(r.code, 1);
  assert.deepEqual(JSON.parse(r.out), { id: "s9NNNd:WT5PoQ1NNQIaYiNNNNOOM", valid: false, problem: "CRC checksum failed" });
  r = await run([]);
  assert.equal(r.code, 2);
  assert.equal(r.err, "usage: clicktrail decode ID [--config FILE_OR_JSON]");
  r = await run(["x", "--config", "{nope"]);
  assert.equal(r.code, 2);
  assert.match(JSON.parse(r.out).error, /^invalid configuration: invalid JSON at line 1/);
  // A configuration error quoting control characters is still one JSON string (codecs/json.ts escapes
  // them; the tool build used to escape only `\` and `"`, and the command then failed to parse its answer).
  r = await run(["x", "--config", JSON.stringify({ clickpath: { mode: "cookie_first", cookie: { name: "a\nb\u0001\"" } } })]);
  assert.equal(r.code, 2);
  assert.equal(JSON.parse(r.out).error,
    "invalid configuration: clickpath.cookie.name: \"a\nb\u0001\"\" is not a cookie name: use letters, digits and !#$%&'*+-.^_`|~");
});

test("every clickpath_decode vector of vectors.json: fields of the plain ones, a refusal for the Blowfish ones", async () => {
  const { readFileSync } = await import("node:fs");
  const rows = JSON.parse(readFileSync(new URL("../fixtures/clickpath/decode-vectors.json", import.meta.url), "utf8")).clickpath_decode;
  assert.equal(rows.length, 7);
  let plain = 0;
  for (const v of rows) {
    const config = v.machine_name === "B" ? '{"clickpath":{"machine_table":[{"address":"127.0.0.13","name":"B"}]}}' : "";
    const r = await run(config ? [v.id, "--config", config] : [v.id]);
    const j = JSON.parse(r.out);
    if (v.secret) {
      assert.equal(j.valid, false, v.id);
      assert.equal(j.problem, "the record is 16 bytes, not 15 or 25");
      continue;
    }
    plain++;
    assert.equal(j.valid, true, v.id);
    if (v.machine_ip) assert.equal(j.machine_ip, v.machine_ip);
    if (v.machine_name) assert.equal(j.machine, v.machine_name);
    if (v.machine_name === "B") assert.equal(j.machine_address, "127.0.0.13");
    for (const [field, key] of [["time", "time"], ["pid", "process"], ["counter", "counter"], ["conn_id", "connection"], ["crc", "crc"]]) {
      if (v[field] !== undefined) assert.equal(j[key], v[field], `${v.id} ${field}`);
    }
    if (v.friend) {
      assert.equal(j.friend, v.friend);
      assert.equal(j.remote_session, v.remote_session);
    }
  }
  assert.equal(plain, 5);
});
