// A three-member etcd cluster for tests (Debian's etcd-server, /usr/bin/etcd 3.4): free loopback ports of
// the test's own (never the default 2379/2380, where a packaged service may listen), short heartbeat and
// election timeouts so that a lost leader is replaced within a second, data in a temporary directory that
// stop() removes. Members can be killed (SIGKILL) and started again on the same ports and data.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startProcess, stop, waitForPort } from "./processes.mjs";

export const ETCD_BIN = "/usr/bin/etcd";

/** The reason to skip etcd tests on this machine, or false. */
export function etcdSkip(suite) {
  return existsSync(ETCD_BIN) ? false : `${suite} needs ${ETCD_BIN} (Debian etcd-server; .ci/run installs it)`;
}

/** POSTs JSON to one member's gateway; resolves to { status, json } (json null when not JSON). */
export async function etcdPost(url, path, body, timeoutMs = 2000) {
  const ac = new AbortController();
  const t = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const res = await fetch(url + path, { method: "POST", body: JSON.stringify(body), signal: ac.signal, headers: { "content-type": "application/json" } });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch {}
    return { status: res.status, json };
  } finally {
    clearTimeout(t);
  }
}

export class EtcdCluster {
  constructor(members, dir) {
    this.members = members;
    this.dir = dir;
  }

  /** Client URLs of every member. */
  get urls() { return this.members.map((m) => m.url); }

  /**
   * Starts a new cluster of `size` members and waits until it has a leader. A port that freePort() found
   * free can be taken by another suite running in parallel before etcd binds it: then the whole cluster is
   * started again on new ports (at most three times).
   */
  static async start(size = 3) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await EtcdCluster.startOnce(size);
      } catch (e) {
        if (attempt >= 3 || !/address already in use/.test(e.message)) throw e;
      }
    }
  }

  static async startOnce(size) {
    const dir = mkdtempSync(join(tmpdir(), "clicktrail-etcd-"));
    const members = [];
    const taken = new Set();
    const distinctPort = async () => {
      for (;;) {
        const p = await freePort();
        if (!taken.has(p)) { taken.add(p); return p; }
      }
    };
    for (let i = 0; i < size; i++) {
      const client = await distinctPort();
      const peer = await distinctPort();
      members.push({ name: `n${i + 1}`, client, peer, url: `http://127.0.0.1:${client}`, proc: null, stderr: () => "" });
    }
    const cluster = new EtcdCluster(members, dir);
    for (const m of members) cluster.spawn(m, "new");
    for (const m of members) {
      const r = await waitForPort(m.proc, m.client, { timeoutMs: 15000 });
      if (r !== "listening") {
        // Give the member a moment to write why it exited (etcd logs the bind error as it dies).
        await new Promise((res) => setTimeout(res, 100));
        const err = members.map((x) => x.stderr()).join("\n");
        await cluster.stop();
        throw new Error(`etcd member ${m.name} ${r}: ${err.slice(-2000)}`);
      }
    }
    await cluster.waitHealthy();
    return cluster;
  }

  spawn(m, state) {
    const initial = this.members.map((x) => `${x.name}=http://127.0.0.1:${x.peer}`).join(",");
    const { proc, stderr } = startProcess(ETCD_BIN, [
      "--name", m.name, "--data-dir", join(this.dir, m.name),
      "--listen-client-urls", m.url, "--advertise-client-urls", m.url,
      "--listen-peer-urls", `http://127.0.0.1:${m.peer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${m.peer}`,
      "--initial-cluster", initial, "--initial-cluster-state", state, "--initial-cluster-token", "clicktrail-test",
      "--heartbeat-interval", "50", "--election-timeout", "500", "--log-level", "error", "--logger", "zap",
    ]);
    m.proc = proc;
    m.stderr = stderr;
  }

  /** Resolves once a put through some member succeeds (a leader exists and a quorum answers). */
  async waitHealthy(timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const m of this.members) {
        if (!m.proc || m.proc.exitCode !== null || m.proc.signalCode !== null) continue;
        try {
          const r = await etcdPost(m.url, "/v3/kv/put", { key: Buffer.from("health").toString("base64"), value: "" }, 1000);
          if (r.status === 200 && r.json?.header) return;
        } catch {}
      }
      if (Date.now() > deadline) throw new Error("the etcd cluster did not become healthy");
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The member that is leader now (asked through /v3/maintenance/status). */
  async leader() {
    for (const m of this.members) {
      if (!m.proc || m.proc.exitCode !== null || m.proc.signalCode !== null) continue;
      try {
        const r = await etcdPost(m.url, "/v3/maintenance/status", {}, 1000);
        if (r.status === 200 && r.json?.leader && r.json.leader === r.json.header?.member_id) return m;
      } catch {}
    }
    return null;
  }

  /** SIGKILL, as a crash. */
  async kill(m) {
    if (!m.proc) return;
    const proc = m.proc;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGKILL");
    if (proc.exitCode === null && proc.signalCode === null) await exited;
    m.proc = null;
  }

  /** Starts a killed member again with its data. */
  async restart(m) {
    this.spawn(m, "existing");
    const r = await waitForPort(m.proc, m.client, { timeoutMs: 15000 });
    if (r !== "listening") throw new Error(`etcd member ${m.name} did not come back: ${r}: ${m.stderr().slice(-2000)}`);
  }

  async stop() {
    await Promise.all(this.members.filter((m) => m.proc).map((m) => stop(m.proc)));
    for (const m of this.members) m.proc = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
