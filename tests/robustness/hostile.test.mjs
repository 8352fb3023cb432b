// The hostile corpus (tests/fixtures/hostile/*.json) against build/clicktrail.wasm: every case on a fresh
// Host (so its outcome does not depend on the cases before it) must give exactly its recorded, reviewed
// outcome — upstream and downstream headers, body, local reply, log lines, metrics — and leave a VM that
// did not trap, released the stream and still serves a normal request. See hostile-corpus.mjs for how the
// corpus is built.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { runCase, exchange, NORMAL_REQUEST } from "./hostile-run.mjs";

const dir = new URL("../fixtures/hostile/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

// Characters that must never reach a client in a header value the filter wrote: a CR or LF would split
// the response (Envoy's codec refuses such values and resets the stream), NUL ends C strings.
const FORBIDDEN = /[\r\n\0]/;

function checkUniversal(c, host, outcome) {
  const where = `case "${c.name}"`;
  for (const w of host.workers) assert.equal(w.failed, false, `${where}: the VM trapped: ${w.failure}`);
  assert.ok(!host.logs.some((l) => l.level === "critical"), `${where}: critical log`);
  if (!outcome.configured) {
    // A refused configuration: every line but the host's own names a key or the JSON position.
    const own = host.logs.filter((l) => !l.host);
    assert.ok(own.length > 0, `${where}: no error line`);
    for (const l of own) assert.match(l.message, /^clicktrail: invalid configuration: (invalid JSON at line \d+, column \d+: |\(root\): |[a-z_]+(\.[a-z_]+|\[\d+\])*: )/, where);
    return;
  }
  assert.equal(host.workers[0].contexts.size, 1, `${where}: the stream context was not released`);
  // The etcd store refuses a request whose session it could not read (503); nothing else answers by itself.
  if (c.store && outcome.localReply) assert.deepEqual(outcome.localReply, { status: 503, details: "clicktrail_session_store_unavailable" }, where);
  else assert.equal(outcome.localReply, null, `${where}: the filter answered by itself`);
  // Such bytes may pass on only in a header whose upstream value already had them (Envoy's upstream codec
  // would have refused it first); the filter itself never introduces them, whatever the request said.
  const dirty = new Set((c.response?.headers ?? []).filter(([, v]) => typeof v === "string" && FORBIDDEN.test(v)).map(([n]) => n));
  for (const [name, value] of outcome.downstream ?? []) {
    if (typeof value === "string" && !dirty.has(name)) assert.doesNotMatch(value, FORBIDDEN, `${where}: ${name} carries CR, LF or NUL`);
  }
  // The VM still serves: a plain first visit gets every feature's answer.
  const normal = exchange(host, { request: NORMAL_REQUEST, response: { headers: [[":status", "200"], ["content-type", "text/html"]], body: '<a href="/n">' } });
  assert.equal(normal.localReply, null, `${where}: follow-up request`);
  const status = normal.downstream.find(([n]) => n === ":status")[1];
  assert.equal(status, "200", `${where}: follow-up status`);
  assert.equal(host.workers[0].failed, false, `${where}: the follow-up request trapped`);
  assert.equal(host.workers[0].contexts.size, 1, `${where}: follow-up stream not released`);
}

let total = 0;
for (const f of files) {
  const file = JSON.parse(readFileSync(new URL(f, dir), "utf8"));
  total += file.cases.length;
  test(`${f}: ${file.cases.length} hostile inputs — ${file.description}`, async () => {
    for (const c of file.cases) {
      const { host, outcome } = await runCase(c, file);
      assert.deepEqual(outcome, c.expect, `case "${c.name}" in ${f}`);
      checkUniversal(c, host, outcome);
    }
  });
}

test("the corpus holds at least 200 cases", () => {
  assert.ok(total >= 200, `${total} cases`);
});
