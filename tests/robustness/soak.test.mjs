// A 20,000-request soak (bench/soak.mjs runs a million): mixed traffic with all three features on, both
// session stores. Wasm memory after the first thousand requests may grow by at most one 64 KiB page by
// the end, no stream context outlives its stream, and store "shared" never holds more slots than its
// capacity.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Soak } from "./traffic.mjs";

const PAGE = 65536;

for (const store of ["cookie", "shared"]) {
  test(`store ${store}: 10,000 mixed requests on 2 workers keep wasm memory flat`, async () => {
    const capacity = 600;
    const soak = await Soak.create({ store, workers: 2, capacity, visitors: 1500 });
    soak.run(1000);
    const first = soak.memory();
    soak.run(9000);
    const end = soak.memory();
    for (let w = 0; w < end.length; w++) {
      assert.ok(end[w] - first[w] <= PAGE, `worker ${w}: ${first[w]} → ${end[w]} bytes`);
    }
    assert.equal(soak.liveContexts(), 0);
    assert.deepEqual(soak.host.workers.map((w) => w.failed), [false, false]);
    assert.equal(soak.statuses.get("503"), undefined);
    const m = soak.host.metrics;
    assert.ok(m.get("clicktrail.clickpath.sessions_continued") > 3000, "returning visitors keep their URL session");
    assert.ok(m.get("clicktrail.session.loaded") > 500, "returning visitors keep their session");
    if (store === "shared") {
      // capacity slots of prefix + 4 characters each, plus at most a few keys of the store's own.
      const slots = [...soak.host.sharedData.keys()].filter((k) => /^clicktrail\/.{4}$/.test(k)).length;
      assert.ok(slots <= capacity && slots > capacity / 2, `${slots} slots of ${capacity}`);
      assert.equal(soak.host.sharedData.size, slots, "no keys besides the slots");
      assert.ok(m.get("clicktrail.session.store.full") > 0, "the small store filled up, and refused instead of growing");
    }
  });
}
