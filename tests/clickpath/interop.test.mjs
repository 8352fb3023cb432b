// Ids the filter issues, read by Perl with the original's own libraries (MIME::Base64, Digest::CRC) and the
// original's decoding steps: what Apache2::ClickPath 1.10 on the same site would make of them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Host } from "../../dist/host/index.js";

const script = new URL("./interop/decode.pl", import.meta.url).pathname;
const probe = spawnSync("perl", ["-MMIME::Base64", "-MDigest::CRC", "-e", "1"], { encoding: "utf8" });
const havePerl = probe.status === 0;
if (!havePerl) console.log("SKIPPED: tests/clickpath/interop.test.mjs needs perl with Digest::CRC (Debian: libdigest-crc-perl)");
const T = havePerl ? test : test.skip;

function perlDecode(ids) {
  const r = spawnSync("perl", [script], { input: ids.join("\n") + "\n", encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trimEnd().split("\n");
}

T("Perl reads the vectors of the original as the spec says", () => {
  assert.deepEqual(perlDecode(["s9NNNd:WT5PoQ1NNQIaYiNNNNNOM", "s9NNNd:vAYsyaINNTSaB7INNNNNMsMyq*.CF!vq*.InoJ", "s9NNNd:WT5PoQ1NNQIaYiNNNNOOM"]), [
    "fwAAAQ 1795320890 16141 11600 1 - -",
    "fwAAAQ 1121948895 24909 55023 0 f ld=25\\nid=8ab9",
    "CRC",
  ]);
});

T("ids issued by the filter, plain, friendly and signed, read the same in Perl", async () => {
  const NOW = 1700000123;
  const configs = [
    { machine: "web_1" },
    {},
    { machine: "A", friendly_sessions: [{ host: "partner.example:8080", fields: ["uri(1)", "param(sid)"], name: "p" }] },
    { machine: "A", secrets: ["interop secret, long enough"] },
  ];
  const ids = [];
  const want = [];
  let conn = 1;
  for (const clickpath of configs) {
    const host = await Host.create({ wasm: "build/clicktrail.wasm", config: { clickpath }, clock: () => BigInt(NOW) * 1000000000n, random: (b) => b.fill(0xa5) });
    assert.equal(host.configured, true);
    for (let i = 0; i < 3; i++, conn += 1000003) {
      const s = host.newStream({ worker: 0, connectionId: conn, destinationAddress: "192.168.7.9:80" });
      s.sendRequestHeaders([[":method", "GET"], [":path", "/x"], [":authority", "h"], [":scheme", "http"],
        ["referer", "http://partner.example:8080/sess 42/x.pl?a=1&sid=q=*!/#%20z"]], { endOfStream: true });
      const id = s.requestHeaders.find(([n]) => n === "x-clickpath-session")[1];
      ids.push(id);
      const machine = clickpath.machine ?? "wKgHCQ"; // 192.168.7.9 in ClickPath's IP form
      const friendly = clickpath.friendly_sessions ? "p sess 42\\nsid=q" : "- -";
      want.push({ machine, conn: conn >>> 0, friendly });
    }
  }
  const got = perlDecode(ids);
  for (let i = 0; i < ids.length; i++) {
    const [machine, time, pid, counter, c, ...rest] = got[i].split(" ");
    assert.equal(machine, want[i].machine, ids[i]);
    assert.equal(Number(time), NOW);
    assert.ok(Number(pid) > 0);
    assert.equal(Number(counter), (0xa5a5 + (i % 3)) & 0xffff);
    assert.equal(Number(c), want[i].conn);
    assert.equal(rest.join(" "), want[i].friendly);
  }
});
