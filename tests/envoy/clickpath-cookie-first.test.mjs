// clickpath.mode "cookie_first" in the real Envoy, loaded as envoy/envoy.yaml loads the filter: the core
// rows of the behaviour table with Set-Cookie, Location, the clean-URL redirect (a local reply from the
// filter) and bodies compared exactly; sticky routing on the machine name whichever way the id arrived;
// the counters on /stats and the session in the access log.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { freePort } from "../support/processes.mjs";
import { envoySkip, startEnvoy, testBootstrap } from "../support/envoy.mjs";

const skip = envoySkip("clickpath cookie_first in Envoy");
const CONFIG = {
  clickpath: {
    mode: "cookie_first", prefix: "-S:", max_session_age: 3600, machine: "web2",
    machine_table: [{ address: "127.0.0.1", name: "web1" }, { address: "127.0.0.2", name: "web2" }],
    secrets: ["an Envoy test secret of 16+ bytes"],
    ua_exceptions: [{ name: "Google", pattern: "Googlebot" }],
  },
};
const PAGE = '<html><body><a href="/a.html">a</a> <a href="b.html">b</a> <a href="http://other.example/">o</a></body></html>';

/** Requests each upstream received: { cluster, method, url, headers }. */
const seen = [];
const servers = [];
let envoy;

function upstream(name) {
  const server = http.createServer((req, res) => {
    seen.push({ cluster: name, method: req.method, url: req.url, headers: req.headers });
    if (req.url.endsWith(".html")) {
      res.writeHead(200, { "content-type": "text/html", "content-length": String(PAGE.length), location: "/next.html" });
      res.end(req.method === "HEAD" ? undefined : PAGE);
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(name);
  });
  servers.push(server);
  return server;
}

before(async () => {
  if (skip) return;
  const ports = {};
  for (const name of ["web1", "web2"]) {
    ports[name] = await freePort();
    const s = upstream(name);
    await new Promise((r) => s.listen(ports[name], "127.0.0.1", r));
  }
  envoy = await startEnvoy((p) => testBootstrap({ ...p, upstreams: ports, pluginConfig: CONFIG }));
});

after(async () => {
  if (envoy) await envoy.stop();
  for (const s of servers) await new Promise((r) => s.close(r));
});

const cookieValue = (id) => id.replace(/,/g, "%2C").replace(/;/g, "%3B");
const setCookie = (id, maxAge = 3600) => `clickpath=${cookieValue(id)}; path=/; max-age=${maxAge}; SameSite=Lax; Secure; HttpOnly`;

/** One request through Envoy, redirects not followed; the response's headers as a sorted list without date. */
async function send(path, { method = "GET", cookie, userAgent = "Mozilla/5.0 test" } = {}) {
  const headers = { "user-agent": userAgent, "accept-encoding": "gzip" };
  if (cookie) headers.cookie = cookie;
  const before = seen.length;
  const res = await fetch(`http://127.0.0.1:${envoy.port}${path}`, { method, headers, redirect: "manual" });
  const body = await res.text();
  const list = [...res.headers].filter(([k]) => k !== "date" && k !== "x-envoy-upstream-service-time").sort();
  return { status: res.status, headers: list, setCookies: res.headers.getSetCookie(), body, upstream: seen.slice(before) };
}

test("cookie_first in Envoy: new visitor, cookie session, clean-URL redirect, conflict, URL session, forged cookie, crawler", { skip }, async () => {
  // A new visitor: a new id (machine web2, so routed to web2), Set-Cookie, Location and links rewritten.
  const first = await send("/dir/index.html");
  assert.equal(first.upstream.length, 1);
  const up = first.upstream[0];
  const id = up.headers["x-clickpath-session"];
  assert.equal(up.cluster, "web2");
  assert.equal(up.headers["x-clickpath-machine"], "web2");
  assert.equal(up.headers["accept-encoding"], undefined);
  assert.equal(up.headers["x-clickpath-source"], undefined);
  assert.equal(first.status, 200);
  assert.deepEqual(first.headers, [
    ["content-type", "text/html"], ["location", `/-S:${id}/next.html`], ["server", "envoy"], ["set-cookie", setCookie(id)],
    ["transfer-encoding", "chunked"],
  ]);
  assert.equal(first.body, `<html><body><a href="/-S:${id}/a.html">a</a> <a href="/-S:${id}/dir/b.html">b</a> <a href="http://other.example/">o</a></body></html>`);

  // The cookie: that session, routed by its machine, nothing rewritten, no Set-Cookie, Accept-Encoding kept.
  const cookie = `clickpath=${cookieValue(id)}`;
  const second = await send("/dir/page.html", { cookie });
  assert.deepEqual(second.upstream.map((r) => [r.cluster, r.url, r.headers["x-clickpath-session"], r.headers["x-clickpath-source"],
    r.headers["x-clickpath-machine"], r.headers["accept-encoding"]]), [["web2", "/dir/page.html", id, "cookie", "web2", "gzip"]]);
  assert.deepEqual(second.headers, [
    ["content-length", String(PAGE.length)], ["content-type", "text/html"], ["location", "/next.html"], ["server", "envoy"],
  ]);
  assert.equal(second.body, PAGE);

  // The cookie and the same id in the URL: GET and HEAD answered by the filter with a 307 to the clean URL.
  for (const method of ["GET", "HEAD"]) {
    const r = await send(`/-S:${id}/dir/page.html?q=1&r=%2F`, { method, cookie });
    assert.equal(r.status, 307, method);
    assert.deepEqual(r.upstream, [], `${method}: nothing went upstream`);
    // Envoy frames the empty reply to a GET with content-length: 0; to a HEAD (no body either way) with
    // transfer-encoding: chunked, and (seen over undici's keep-alive connection) may close the connection.
    const framing = method === "GET" ? [["content-length", "0"]] : [["transfer-encoding", "chunked"]];
    assert.deepEqual(r.headers.filter(([k]) => k !== "connection"),
      [["cache-control", "no-store"], ...framing, ["location", "/dir/page.html?q=1&r=%2F"], ["server", "envoy"]].sort(), method);
    assert.equal(r.body, "");
  }
  // A POST is served with the cookie's session, stripped, not redirected.
  const post = await send(`/-S:${id}/form`, { method: "POST", cookie });
  assert.deepEqual(post.upstream.map((r) => [r.method, r.url, r.headers["x-clickpath-session"], r.headers["x-clickpath-source"]]),
    [["POST", "/form", id, "cookie"]]);

  // Another visitor's id in the URL: the cookie wins, the redirect drops the other id.
  const other = (await send("/other.html")).upstream[0].headers["x-clickpath-session"];
  assert.notEqual(other, id);
  const conflict = await send(`/-S:${other}/shared.html`, { cookie });
  assert.equal(conflict.status, 307);
  assert.deepEqual(conflict.headers, [["cache-control", "no-store"], ["content-length", "0"], ["location", "/shared.html"], ["server", "envoy"]]);

  // No cookie, the id in the URL: continues by URL, rewritten, the cookie offered again.
  const byUrl = await send(`/-S:${id}/dir/p.html`);
  assert.deepEqual(byUrl.upstream.map((r) => [r.cluster, r.url, r.headers["x-clickpath-session"], r.headers["x-clickpath-source"]]),
    [["web2", "/dir/p.html", id, "url"]]);
  // Max-Age: what max_session_age leaves of the session, by the age the upstream was told.
  assert.deepEqual(byUrl.setCookies, [setCookie(id, 3600 - Number(byUrl.upstream[0].headers["x-clickpath-session-age"]))]);
  assert.equal(byUrl.body, `<html><body><a href="/-S:${id}/a.html">a</a> <a href="b.html">b</a> <a href="http://other.example/">o</a></body></html>`);

  // A forged cookie and nothing in the URL: a new session; the upstream hears of the refused id.
  const forged = await send("/f.html", { cookie: "clickpath=web2:forged" });
  const fresh = forged.upstream[0].headers["x-clickpath-session"];
  assert.notEqual(fresh, id);
  assert.equal(forged.upstream[0].headers["x-clickpath-invalid-session"], "web2:forged");
  assert.deepEqual(forged.setCookies, [setCookie(fresh)]);

  // A crawler: neither cookie nor rewriting.
  const bot = await send("/dir/index.html", { userAgent: "Googlebot/2.1" });
  assert.equal(bot.upstream[0].headers["x-clickpath-session"], "Google");
  assert.deepEqual(bot.setCookies, []);
  assert.equal(bot.body, PAGE);

  assert.equal(bot.upstream[0].cluster, "web1", "a crawler has no machine: the default route");
  assert.deepEqual(seen.filter((r) => r.cluster === "web1"), bot.upstream, "every other request went to the id's machine");
  const stats = await envoy.stats();
  const stat = (name) => stats.get(`wasmcustom.clicktrail.clickpath.${name}`);
  assert.equal(stat("sessions_continued_by_cookie"), 5);
  assert.equal(stat("url_sessions_upgraded"), 3);
  assert.equal(stat("cookie_url_conflicts"), 1);
  assert.equal(stat("clean_url_redirects"), 3);
  assert.equal(stat("sessions_continued_by_url"), 1);
  assert.equal(stat("cookies_ignored"), 1);
  // The redirects are logged with the visitor's session (the filter state is set before the local reply).
  const log = (await envoy.accessLog()).filter((l) => l.includes(" 307 "));
  assert.equal(log.length, 3);
  for (const line of log) assert.ok(line.includes(`clickpath=${id} `), line);
});
