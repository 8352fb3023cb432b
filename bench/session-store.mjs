#!/usr/bin/env node
// Per-request cost of session.store "shared" against the cookie store, through build/clicktrail.wasm in
// the Node host, measured side by side in one run (alternating rounds, median of rounds). A third host
// with an empty configuration (no feature) is the floor: what every request costs in the host itself.
// The claim is the ratio of the two stores' costs above that floor.
//
//   npm run build && node bench/session-store.mjs [--rounds N] [--requests N]
import { randomFillSync } from "node:crypto";
import { Host } from "../dist/host/index.js";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg("--rounds", 11);
const REQUESTS = arg("--requests", 2000);
const wasm = new URL("../build/clicktrail.wasm", import.meta.url).pathname;

const session = (store, extra = {}) => ({
  session: {
    store, cookie_name: "session", cookie_attributes: "path=/",
    response_header: "x-replace-session", upstream_header: "x-session", ...extra,
  },
});

async function host(config) {
  let ns = 1_700_000_000_000_000_000n;
  const h = await Host.create({
    wasm, config, workers: 1, clock: () => (ns += 1000n), random: (b) => randomFillSync(b), logLevel: "warn",
  });
  if (!h.configured) throw new Error(JSON.stringify(h.logs));
  return h;
}

function exchange(h, cookie, replace) {
  const s = h.newStream({ worker: 0 });
  const req = [[":method", "GET"], [":path", "/"], [":authority", "example.com"], [":scheme", "http"]];
  if (cookie) req.push(["cookie", cookie]);
  s.sendRequestHeaders(req, { endOfStream: true });
  const resp = [[":status", "200"], ["content-type", "text/html"]];
  if (replace) resp.push(["x-replace-session", replace]);
  s.sendResponseHeaders(resp, { endOfStream: true });
  s.complete();
  const sc = s.responseHeaders.find(([n]) => n === "set-cookie");
  return sc ? sc[1].slice(0, sc[1].indexOf(";")) : null;
}

const PAYLOAD = "user=alice&role=admin&cart=3f9a1c2e&lang=en&theme=dark";

/** A visitor: its cookie, kept up to date from Set-Cookie. */
function visitor(h) {
  let cookie = exchange(h, null, PAYLOAD);
  return {
    read: () => { exchange(h, cookie, null); },
    write: (i) => { const c = exchange(h, cookie, `n=${i}`); if (c) cookie = c; },
  };
}

const floor = await host({});
const cookieHost = await host(session("cookie"));
const sharedHost = await host(session("shared", { shared: { capacity: 100000 } }));
const cookieSealed = await host(session("cookie", { crypto: { passphrases: ["bench-passphrase-0123456789abcdef"] } }));
const sharedSealed = await host(session("shared", { crypto: { passphrases: ["bench-passphrase-0123456789abcdef"] }, shared: { capacity: 100000 } }));

function time(fn) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < REQUESTS; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / 1000 / REQUESTS; // µs per request
}

const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

function row(name, fns) {
  for (const f of fns) for (let i = 0; i < 300; i++) f(i); // warm up
  const t = fns.map(() => []);
  for (let r = 0; r < ROUNDS; r++) fns.forEach((f, k) => t[k].push(time(f)));
  const [fl, ck, sh] = t.map(med);
  const ratio = (sh - fl) / (ck - fl);
  console.log(`${name.padEnd(34)} floor ${fl.toFixed(1).padStart(6)} µs  cookie ${ck.toFixed(1).padStart(6)} µs  shared ${sh.toFixed(1).padStart(6)} µs  (shared−floor)/(cookie−floor) ${ratio.toFixed(2)}`);
}

const f = () => exchange(floor, "session=x", null);
{
  const c = visitor(cookieHost), s = visitor(sharedHost);
  row("read, unchanged session", [f, c.read, s.read]);
  row("write, one key changed", [f, c.write, s.write]);
}
row("new session", [f, () => exchange(cookieHost, null, PAYLOAD), () => exchange(sharedHost, null, PAYLOAD)]);
{
  const c = visitor(cookieSealed), s = visitor(sharedSealed);
  row("read, sealed (aead)", [f, c.read, s.read]);
  row("write, sealed (aead)", [f, c.write, s.write]);
}
