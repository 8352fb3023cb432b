// Replays one hostile corpus case (tests/fixtures/hostile/*.json) against build/clicktrail.wasm through the
// Host and reduces what happened to a JSON-comparable outcome. Shared by hostile.test.mjs (which compares
// the outcome with the case's `expect`) and hostile-corpus.mjs (which builds the corpus and records the
// outcomes once, for review).
//
// Case shape:
//   { name, config?, request: [[name, value], ...], requestBody?, response?: { headers, body?, chunks?,
//     chunkSize? }, store?: [answer, ...], expect }
// `store` is what the etcd cluster "etcd" answers to the filter's callouts, in order: { status, body } or
// null for a failed call (reset, refused); calls beyond the list fail.
// A string anywhere in a case may instead be { repeat, times, prefix?, suffix? } for large inputs. Header
// names and values and bodies are byte strings (one character per byte, Latin-1).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Host } from "../../dist/host/index.js";

export const WASM = readFileSync(new URL("../../build/clicktrail.wasm", import.meta.url));
export const NOW_S = 1700000000;

/** Expands { repeat, times, prefix, suffix } values. */
export function expand(v) {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(expand);
  if (v && typeof v === "object" && typeof v.repeat === "string") {
    return (v.prefix ?? "") + v.repeat.repeat(v.times) + (v.suffix ?? "");
  }
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expand(x)]));
  return v;
}

/** Long strings are recorded as length + SHA-256 + head, so the corpus stays readable. */
export function digest(s) {
  if (typeof s !== "string" || s.length <= 400) return s;
  return { length: s.length, sha256: createHash("sha256").update(Buffer.from(s, "latin1")).digest("hex"), head: s.slice(0, 80) };
}

const digestPairs = (pairs) => (pairs === null ? null : pairs.map(([k, v]) => [digest(k), digest(v)]));

/** Deterministic WASI random_get: every case sees the same bytes whatever ran before it. */
export function seededRandom(seed = 1) {
  let x = seed >>> 0 || 1;
  return (buf) => {
    for (let i = 0; i < buf.length; i++) {
      x ^= x << 13; x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5; x >>>= 0;
      buf[i] = x & 0xff;
    }
  };
}

/** A cluster handler answering callouts from `answers` in order (expanded), then failing. */
function cannedStore(answers) {
  const queue = answers.map(expand);
  return () => {
    const a = queue.shift();
    if (!a) return null;
    return { headers: [[":status", String(a.status)], ["content-type", "application/json"]], body: Buffer.from(a.body, "latin1") };
  };
}

export async function makeHost(config, opts = {}) {
  return Host.create({
    ...(opts.store ? { clusters: { etcd: cannedStore(opts.store) } } : {}),
    wasm: WASM,
    config: typeof config === "string" ? config : JSON.stringify(config),
    clock: () => BigInt(opts.nowS ?? NOW_S) * 1_000_000_000n,
    random: seededRandom(opts.seed ?? 1),
    workers: 1,
  });
}

export const NORMAL_REQUEST = [[":method", "GET"], [":path", "/index.html"], [":authority", "example.com"], [":scheme", "http"],
  ["user-agent", "Mozilla/5.0"]];

function bodyChunks(response) {
  if (response.chunks) return response.chunks.map((c) => Buffer.from(expand(c), "latin1"));
  const body = Buffer.from(expand(response.body ?? ""), "latin1");
  const size = response.chunkSize ?? 0;
  if (!size) return [body];
  const out = [];
  for (let i = 0; i < body.length; i += size) out.push(body.subarray(i, i + size));
  return out.length ? out : [body];
}

/** Runs the exchange on `host` and returns the outcome. */
export function exchange(host, c) {
  const s = host.newStream({ worker: 0, connectionId: 7, sourceAddress: "10.1.2.3:5555", destinationAddress: "127.0.0.1:10000" });
  const request = expand(c.request);
  const hasBody = c.requestBody !== undefined;
  s.sendRequestHeaders(request, { endOfStream: !hasBody });
  // Callout answers (the etcd store's) are delivered on the host's next turn.
  host.settle();
  if (hasBody) s.sendRequestBody(Buffer.from(expand(c.requestBody), "latin1"), { endOfStream: true });
  const upstream = s.requestHeaders;
  const response = c.response ?? { headers: [[":status", "200"], ["content-type", "text/plain"]], body: "ok" };
  if (!s.localReply) {
    const chunks = bodyChunks(response);
    const empty = chunks.length === 1 && chunks[0].length === 0;
    s.sendResponseHeaders(expand(response.headers), { endOfStream: empty });
    host.settle();
    if (!empty) chunks.forEach((ch, i) => s.sendResponseBody(ch, { endOfStream: i === chunks.length - 1 }));
  }
  const downstream = s.responseHeaders;
  const body = s.responseBody.toString("latin1");
  const localReply = s.localReply ? { status: s.localReply.status, details: s.localReply.details } : null;
  s.complete();
  return {
    localReply,
    upstream: digestPairs(upstream),
    downstream: digestPairs(downstream),
    body: digest(body),
    filterState: Object.fromEntries([...s.filterState].map(([k, v]) => [k, digest(v)])),
    reset: s.reset,
  };
}

/**
 * Everything a case records: the exchange, the new log lines and the non-zero metrics, less the wasm memory
 * gauge (its value is the build's size, not the case's outcome; tests/host/clicktrail.test.mjs checks it).
 */
export async function runCase(c, defaults) {
  const config = c.config ?? defaults.config;
  const host = await makeHost(expand(config), { nowS: c.nowS, store: c.store });
  const out = { configured: host.configured };
  if (host.configured) Object.assign(out, exchange(host, c));
  out.logs = host.logs.map((l) => [l.level, digest(l.message)]);
  out.metrics = Object.fromEntries([...host.metrics].filter(([k, v]) => v !== 0 && k !== "clicktrail.wasm_memory_bytes").sort(([a], [b]) => (a < b ? -1 : 1)));
  return { host, outcome: out };
}
