// Mixed, deterministic traffic for the soak (bench/soak.mjs, tests/robustness/soak.test.mjs): a pool of
// visitors, each keeping what the filter gave it (tracking cookie, clickpath URL session, session cookie)
// the way a browser would; new visitors, returning ones, HTML bodies in chunks, session writes, redirects,
// and now and then a hostile request. Virtual time moves 3 ms per request (a million requests span 50 minutes, beyond the 30-minute session max_age) and the tick runs every second,
// so sessions are renewed, expire and (store "shared") get swept.
import { readFileSync } from "node:fs";
import { Host } from "../../dist/host/index.js";

export const WASM = new URL("../../build/clicktrail.wasm", import.meta.url);

/** envoy/clicktrail.json (all three features), with store "shared" on request. */
export function soakConfig(store = "cookie", capacity = 20000) {
  const config = JSON.parse(readFileSync(new URL("../../envoy/clicktrail.json", import.meta.url), "utf8"));
  if (store === "shared") {
    config.session.store = "shared";
    config.session.shared = { capacity, sweep_period_millis: 1000 };
  }
  return config;
}

function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

const PAGE = Buffer.from(
  '<!doctype html><html><head><title>t</title><link rel="stylesheet" href="/s.css"></head><body>' +
  Array.from({ length: 40 }, (_, i) => `<p>para ${i} <a href="/p/${i}.html">l${i}</a> <a href="http://other.example/${i}">o</a></p>`).join("") +
  '<script>var x = "<a href=/no>";</script><form action="/f"><input formaction="/g"></form></body></html>');

export class Soak {
  /** @param {{workers?: number, store?: "cookie"|"shared", visitors?: number, seed?: number}} opts */
  static async create(opts = {}) {
    const s = new Soak(opts);
    s.host = await Host.create({
      wasm: readFileSync(WASM), config: soakConfig(opts.store ?? "cookie", opts.capacity), workers: opts.workers ?? 2,
      logLevel: "error", random: (() => { const r = prng(opts.seed ?? 7); return (b) => { for (let i = 0; i < b.length; i++) b[i] = (r() * 256) | 0; }; })(),
    });
    if (!s.host.configured) throw new Error(`soak config refused: ${JSON.stringify(s.host.logs)}`);
    return s;
  }

  constructor(opts) {
    this.rand = prng(opts.seed ?? 7);
    this.visitors = Array.from({ length: opts.visitors ?? 2000 }, () => ({ cookies: new Map(), session: null }));
    this.count = 0;
    this.statuses = new Map();
  }

  memory() {
    return this.host.workers.map((w) => w.abi.instance.exports.memory.buffer.byteLength);
  }

  /** Live stream contexts (every worker's, root contexts excluded). */
  liveContexts() {
    return this.host.workers.reduce((n, w) => n + w.contexts.size - 1, 0);
  }

  sharedKeys() {
    return this.host.sharedData.size;
  }

  one() {
    const r = this.rand;
    const i = this.count++;
    this.host.advance(3);
    const newVisitor = r() < 0.1;
    const v = newVisitor ? { cookies: new Map(), session: null } : this.visitors[(r() * this.visitors.length) | 0];
    const page = ["/index.html", "/p/1.html", "/dir/x", "/api/data", "/"][(r() * 5) | 0];
    const path = v.session ? `/-S:${v.session}${page}` : page;
    const headers = [[":method", "GET"], [":path", path], [":authority", "example.com"], [":scheme", "http"],
      ["user-agent", r() < 0.02 ? "Mozilla/5.0 (compatible; Googlebot/2.1)" : "Mozilla/5.0"], ["accept-encoding", "gzip"]];
    if (v.cookies.size) headers.push(["cookie", [...v.cookies].map(([k, x]) => `${k}=${x}`).join("; ")]);
    if (r() < 0.01) headers.push(["cookie", "session=" + "A".repeat((r() * 300) | 0)]); // garbage now and then
    if (r() < 0.01) headers[1][1] = `/-S:garbage${i}/x`;
    const s = this.host.newStream({ connectionId: i, sourceAddress: "10.0.0.1:1234", destinationAddress: "127.0.0.1:10000" });
    s.sendRequestHeaders(headers, { endOfStream: true });
    const up = s.requestHeaders;
    if (up) {
      const sid = up.find(([n]) => n === "x-clickpath-session-path");
      if (sid) v.session = sid[1].slice("/-S:".length);
      const kind = r();
      const resp = [[":status", "200"]];
      let body = null;
      if (kind < 0.3) {
        resp.push(["content-type", "text/html; charset=utf-8"]);
        body = PAGE;
      } else if (kind < 0.4) {
        resp[0][1] = "302";
        resp.push(["location", r() < 0.5 ? "/next" : "http://example.com/other"]);
      } else {
        resp.push(["content-type", "application/json"]);
        body = Buffer.from('{"ok":true}');
      }
      if (r() < 0.15) resp.push(["x-replace-session", `n=${i}&user=u${(r() * 1000) | 0}${r() < 0.1 ? "&big=" + "x".repeat(500) : ""}`]);
      if (r() < 0.02) resp.push(["x-replace-session", "user=&n=&big="]); // logout
      s.sendResponseHeaders(resp, { endOfStream: body === null });
      if (body) {
        const chunk = [256, 1024, 4096, 1 << 20][(r() * 4) | 0];
        for (let o = 0; o < body.length; o += chunk) s.sendResponseBody(body.subarray(o, o + chunk), { endOfStream: o + chunk >= body.length });
      }
      for (const [n, val] of s.responseHeaders ?? []) {
        if (n !== "set-cookie") continue;
        const semi = val.indexOf(";");
        const pair = semi < 0 ? val : val.slice(0, semi);
        const eq = pair.indexOf("=");
        const name = pair.slice(0, eq);
        const value = pair.slice(eq + 1);
        if (/max-age=0/i.test(val) || value === "") v.cookies.delete(name);
        else v.cookies.set(name, value);
      }
      const status = s.responseHeaders?.find(([n]) => n === ":status")?.[1];
      this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    } else {
      const st = String(s.localReply?.status);
      this.statuses.set(st, (this.statuses.get(st) ?? 0) + 1);
    }
    s.complete();
    if (this.host.logs.length > 1000) this.host.logs.splice(0, this.host.logs.length);
  }

  run(n) {
    for (let k = 0; k < n; k++) this.one();
  }
}
