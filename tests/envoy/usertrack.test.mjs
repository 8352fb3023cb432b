// usertrack in real Envoy (--concurrency 2), the filter loaded as envoy/envoy.yaml loads it with the demo
// configuration (envoy/clicktrail.json): the first visit's Set-Cookie byte for byte, the id the upstream
// and the access log get, a returning visitor, and Envoy's own local replies (no route: 404, unreachable
// upstream: 503), which pass back through the filter and must carry the cookie too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { freePort } from "../support/processes.mjs";
import { envoySkip, startEnvoy, testBootstrap, appendAccessLogFields, routes, addCluster } from "../support/envoy.mjs";
import { startUpstream, request, values } from "../support/upstream.mjs";

const skip = envoySkip("Envoy usertrack suite");
let envoy, upstream;

before(async () => {
  if (skip) return;
  upstream = await startUpstream(() => ({ headers: [["content-type", "text/plain"], ["content-length", "2"]], body: "ok" }));
  const deadPort = await freePort(); // nothing listens there: connecting fails at once
  envoy = await startEnvoy((ports) => testBootstrap({
    ...ports, upstreams: { web1: upstream.port, web2: upstream.port },
    edit(b) {
      appendAccessLogFields(b, " details=%RESPONSE_CODE_DETAILS%");
      // /unrouted matches no route (Envoy answers 404 itself); /down goes to a cluster nobody listens on.
      for (const r of routes(b)) (r.match.headers ??= []).push({ name: ":path", string_match: { prefix: "/unrouted" }, invert_match: true });
      routes(b).unshift({ match: { prefix: "/down" }, route: { cluster: "down" } });
      addCluster(b, "down", deadPort);
    },
  }));
});
after(async () => {
  if (envoy) await envoy.stop();
  if (upstream) await upstream.close();
});

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n) => String(n).padStart(2, "0");
/** Netscape cookie date of `seconds` since the epoch, as mod_usertrack writes it (two-digit year). */
function cookieDate(seconds) {
  const d = new Date(seconds * 1000);
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${two(d.getUTCFullYear() % 100)} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT`;
}

/**
 * The Set-Cookie envoy/clicktrail.json's usertrack section asks for ("Apache", 1 year, SameSite=Lax,
 * HttpOnly), derived from the id itself: its second part is the request time in microseconds, and Apache
 * dates the expiry from that second. Also checks that time lies within the request's [from, to] window.
 */
function expectedCookie(id, fromMs, toMs) {
  const m = /^([0-9a-f]{1,8})\.([0-9a-f]{1,16})$/.exec(id);
  assert.ok(m, `id ${id} has Apache's form`);
  const micros = BigInt("0x" + m[2]);
  assert.ok(micros >= BigInt(fromMs - 1) * 1000n && micros <= BigInt(toMs + 1) * 1000n, `id time ${micros} within the request`);
  const expires = Number((micros + 31536000n * 1000000n) / 1000000n);
  return `Apache=${id}; path=/; expires=${cookieDate(expires)}; SameSite=Lax; HttpOnly`;
}

const logLine = async (path) => {
  const mine = (lines) => lines.filter((l) => l.includes(` ${path} `));
  const lines = mine(await envoy.accessLogUntil((all) => mine(all).length > 0));
  assert.equal(lines.length, 1, `one access log line for ${path}: ${lines.join("\n")}`);
  return lines[0];
};

test("first visit: the Set-Cookie byte for byte, the upstream and the access log get the same new id", { skip }, async () => {
  const before = upstream.requests.length;
  const from = Date.now();
  const r = await request(envoy.port, { path: "/first.txt", headers: [["user-agent", "curl/8.0"], ["x-usertrack-id", "forged"]] });
  const to = Date.now();
  assert.equal(r.status, 200);
  assert.equal(r.body, "ok");
  const cookies = values(r.headers, "set-cookie");
  assert.equal(cookies.length, 1, cookies.join("\n"));
  const id = /^Apache=([^;]*);/.exec(cookies[0])?.[1];
  assert.equal(cookies[0], expectedCookie(id, from, to));
  assert.equal(upstream.requests.length, before + 1);
  const seen = upstream.requests.at(-1);
  assert.equal(seen.target, "/first.txt");
  assert.deepEqual(seen.all("x-usertrack-id"), [id], "the client's forged header is replaced by the id");
  assert.match(await logLine("/first.txt"), new RegExp(` 200 2 usertrack=${id.replace(".", "\\.")} new=1 clickpath=curl upstream=web1 details=via_upstream$`));
});

test("a returning visitor: no Set-Cookie, the upstream gets the cookie's id, the log says new=0", { skip }, async () => {
  const id = "7d6affb5.660d5b0ac6df5";
  const r = await request(envoy.port, { path: "/again.txt", headers: [["user-agent", "curl/8.0"], ["cookie", `theme=dark; Apache=${id}`], ["x-usertrack-id", "forged"]] });
  assert.equal(r.status, 200);
  assert.deepEqual(values(r.headers, "set-cookie"), []);
  const seen = upstream.requests.at(-1);
  assert.equal(seen.target, "/again.txt");
  assert.deepEqual(seen.all("x-usertrack-id"), [id]);
  assert.deepEqual(seen.all("cookie"), [`theme=dark; Apache=${id}`]);
  assert.match(await logLine("/again.txt"), new RegExp(` 200 2 usertrack=7d6affb5\\.660d5b0ac6df5 new=0 clickpath=curl upstream=web1 details=via_upstream$`));
});

test("Envoy's no-route 404 carries the new visitor's cookie", { skip }, async () => {
  const before = upstream.requests.length;
  const from = Date.now();
  const r = await request(envoy.port, { path: "/unrouted/x", headers: [["user-agent", "curl/8.0"]] });
  const to = Date.now();
  assert.equal(r.status, 404);
  assert.equal(r.body, "");
  assert.deepEqual(values(r.headers, "content-length"), ["0"]);
  const cookies = values(r.headers, "set-cookie");
  assert.equal(cookies.length, 1, cookies.join("\n"));
  const id = /^Apache=([^;]*);/.exec(cookies[0])?.[1];
  assert.equal(cookies[0], expectedCookie(id, from, to));
  assert.equal(upstream.requests.length, before, "nothing reached the upstream");
  assert.match(await logLine("/unrouted/x"), new RegExp(` 404 0 usertrack=${id.replace(".", "\\.")} new=1 clickpath=curl upstream=- details=route_not_found$`));
  const returning = await request(envoy.port, { path: "/unrouted/y", headers: [["user-agent", "curl/8.0"], ["cookie", `Apache=${id}`]] });
  assert.equal(returning.status, 404);
  assert.deepEqual(values(returning.headers, "set-cookie"), []);
});

test("Envoy's 503 for an unreachable upstream carries the new visitor's cookie", { skip }, async () => {
  const from = Date.now();
  const r = await request(envoy.port, { path: "/down/x", headers: [["user-agent", "curl/8.0"]] });
  const to = Date.now();
  assert.equal(r.status, 503);
  assert.equal(values(r.headers, "content-type")[0], "text/plain");
  assert.equal(r.body, "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure");
  const cookies = values(r.headers, "set-cookie");
  assert.equal(cookies.length, 1, cookies.join("\n"));
  const id = /^Apache=([^;]*);/.exec(cookies[0])?.[1];
  assert.equal(cookies[0], expectedCookie(id, from, to));
  const line = await logLine("/down/x");
  assert.match(line, new RegExp(` 503 \\d+ usertrack=${id.replace(".", "\\.")} new=1 clickpath=curl upstream=down details=upstream_reset_before_response_started\\{remote_connection_failure`));
});

test("the usertrack counters count what happened", { skip }, async () => {
  const stats = await envoy.stats();
  // first visit, two no-route 404s (one new), one 503; the returning visitor and the second 404 were seen.
  assert.equal(stats.get("wasmcustom.clicktrail.usertrack.cookies_issued"), 3);
  assert.equal(stats.get("wasmcustom.clicktrail.usertrack.cookies_seen"), 2);
  assert.equal(stats.get("wasmcustom.clicktrail.usertrack.cookies_invalid"), 0);
});
