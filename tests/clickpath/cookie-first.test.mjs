// clickpath.mode "cookie_first" inside build/clicktrail.wasm, driven through the host's test API: each
// row of the behaviour table, with Set-Cookie, Location, the local reply and bodies compared exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";

const hostPath = new URL("../../dist/host/index.js", import.meta.url);
const haveHost = existsSync(hostPath);
if (!haveHost) console.log("SKIPPED: tests/clickpath/cookie-first.test.mjs needs the host (dist/host/index.js)");
const { Host } = haveHost ? await import(hostPath.href) : { Host: null };
const tools = await import(new URL("../../build/clickpath-tools.js", import.meta.url).href);

const NOW = 1700000000;
const T = haveHost ? test : test.skip;
const CONFIG = { mode: "cookie_first", machine: "web1", max_session_age: 3600, secrets: ["a secret of sixteen+ bytes"],
  ua_exceptions: [{ name: "Google", pattern: "Googlebot" }] };

async function makeHost(clickpath = CONFIG, now = NOW) {
  const host = await Host.create({
    wasm: "build/clicktrail.wasm",
    config: { clickpath },
    clock: () => BigInt(now) * 1000000000n,
    random: (buf) => buf.fill(0x42),
    workers: 2,
  });
  assert.equal(host.configured, true, JSON.stringify(host.logs));
  return host;
}

const get = (pairs, name) => pairs.filter(([n]) => n === name).map(([, v]) => v);
const one = (pairs, name) => { const v = get(pairs, name); return v.length === 1 ? v[0] : v; };
const upstream = (pairs) => pairs.filter(([n]) => n.startsWith("x-clickpath-")).map(([n, v]) => `${n}: ${v}`).sort();
/** The id as a cookie value: "," and ";" escaped (signed ids hold a ","). */
const cookieValue = (id) => id.replace(/,/g, "%2C").replace(/;/g, "%3B");
const setCookie = (id, maxAge) => `clickpath=${cookieValue(id)}; path=/; max-age=${maxAge}; SameSite=Lax; Secure; HttpOnly`;

function request(path, more = [], method = "GET") {
  return [[":method", method], [":path", path], [":authority", "h.example"], [":scheme", "http"], ...more];
}

const PAGE = '<html><body><a href="/a.html">a</a> <a href="b.html">b</a> <a href="http://other.example/">o</a></body></html>';

/** A page served to `s` in three chunks; returns the body the client got. */
function servePage(s, extra = []) {
  s.sendResponseHeaders([[":status", "200"], ["content-type", "text/html"], ["content-length", String(PAGE.length)], ...extra]);
  for (let i = 0; i < PAGE.length; i += 40) s.sendResponseBody(Buffer.from(PAGE.slice(i, i + 40)), { endOfStream: i + 40 >= PAGE.length });
  return s.responseBody.toString();
}

/** A first visit: the new id. */
function firstVisit(host) {
  const s = host.newStream({ worker: 0, connectionId: 5 });
  s.sendRequestHeaders(request("/dir/index.html"), { endOfStream: true });
  return { s, id: one(s.requestHeaders, "x-clickpath-session") };
}

T("a new visitor: new id, Set-Cookie exact, Location and links rewritten", async () => {
  const host = await makeHost();
  const { s, id } = firstVisit(host);
  assert.deepEqual(upstream(s.requestHeaders), [
    "x-clickpath-machine: web1", `x-clickpath-session: ${id}`, "x-clickpath-session-age: 0",
    `x-clickpath-session-path: /-S:${id}`, `x-clickpath-session-start: ${NOW}`,
  ].sort());
  assert.equal(JSON.parse(tools.decode(id, "", NOW)).machine, "web1");
  const body = servePage(s, [["location", "/next.html"]]);
  assert.deepEqual(s.responseHeaders, [
    [":status", "200"], ["content-type", "text/html"], ["location", `/-S:${id}/next.html`], ["set-cookie", setCookie(id, 3600)],
  ]);
  assert.equal(body, `<html><body><a href="/-S:${id}/a.html">a</a> <a href="/-S:${id}/dir/b.html">b</a> <a href="http://other.example/">o</a></body></html>`);
  s.complete();
  assert.equal(s.filterState.get("clicktrail_clickpath_session"), id);
  assert.equal(host.metrics.get("clicktrail.clickpath.sessions_created"), 1);
});

T("a valid cookie: that session, nothing rewritten, no Set-Cookie, Accept-Encoding kept, source cookie", async () => {
  const host = await makeHost();
  const { id } = firstVisit(host);
  const s = host.newStream({ worker: 1, connectionId: 9 });
  s.sendRequestHeaders(request("/dir/page.html", [["cookie", `a=1; clickpath=${cookieValue(id)}`], ["accept-encoding", "gzip"]]), { endOfStream: true });
  assert.equal(one(s.requestHeaders, ":path"), "/dir/page.html");
  assert.equal(one(s.requestHeaders, "accept-encoding"), "gzip");
  assert.deepEqual(upstream(s.requestHeaders), [
    "x-clickpath-machine: web1", `x-clickpath-session: ${id}`, "x-clickpath-session-age: 0",
    `x-clickpath-session-path: /-S:${id}`, `x-clickpath-session-start: ${NOW}`, "x-clickpath-source: cookie",
  ].sort());
  const body = servePage(s, [["location", "/next.html"]]);
  assert.deepEqual(s.responseHeaders, [
    [":status", "200"], ["content-type", "text/html"], ["content-length", String(PAGE.length)], ["location", "/next.html"],
  ]);
  assert.equal(body, PAGE);
  s.complete();
  assert.equal(s.filterState.get("clicktrail_clickpath_session"), id);
  assert.equal(host.metrics.get("clicktrail.clickpath.sessions_continued_by_cookie"), 1);
});

T("a valid cookie and a URL segment: GET and HEAD get a 307 to the clean URL and never reach the upstream", async () => {
  const host = await makeHost();
  const { id } = firstVisit(host);
  for (const method of ["GET", "HEAD"]) {
    const s = host.newStream({ worker: 0, connectionId: 6 });
    s.sendRequestHeaders(request(`/-S:${id}/docs/p.html?x=1&y=%2F`, [["cookie", `clickpath=${cookieValue(id)}`]], method), { endOfStream: true });
    assert.equal(s.requestHeaders, null, "nothing went upstream");
    assert.deepEqual(s.responseHeaders, [[":status", "307"], ["location", "/docs/p.html?x=1&y=%2F"], ["cache-control", "no-store"]]);
    assert.equal(s.responseBody.length, 0);
    assert.equal(s.localReply.details, "clicktrail_clean_url");
    s.complete();
    assert.equal(s.filterState.get("clicktrail_clickpath_session"), id);
  }
  // A POST is served (stripped, cookie session), not redirected.
  const p = host.newStream({ worker: 0, connectionId: 6 });
  p.sendRequestHeaders(request(`/-S:${id}/form`, [["cookie", `clickpath=${cookieValue(id)}`]], "POST"), { endOfStream: true });
  assert.equal(one(p.requestHeaders, ":path"), "/form");
  assert.equal(one(p.requestHeaders, "x-clickpath-source"), "cookie");
  assert.equal(host.metrics.get("clicktrail.clickpath.url_sessions_upgraded"), 3);
  assert.equal(host.metrics.get("clicktrail.clickpath.clean_url_redirects"), 2);
});

T("cookie and URL disagree: the cookie wins (a conflict), and the redirect drops the other visitor's id", async () => {
  const host = await makeHost();
  const mine = firstVisit(host).id;
  const theirs = host.newStream({ worker: 1, connectionId: 77 });
  theirs.sendRequestHeaders(request("/"), { endOfStream: true });
  const other = one(theirs.requestHeaders, "x-clickpath-session");
  assert.notEqual(other, mine);
  const s = host.newStream({ worker: 0, connectionId: 8 });
  s.sendRequestHeaders(request(`/-S:${other}/shared.html`, [["cookie", `clickpath=${cookieValue(mine)}`]]), { endOfStream: true });
  assert.deepEqual(s.responseHeaders, [[":status", "307"], ["location", "/shared.html"], ["cache-control", "no-store"]]);
  s.complete();
  assert.equal(s.filterState.get("clicktrail_clickpath_session"), mine);
  assert.equal(host.metrics.get("clicktrail.clickpath.cookie_url_conflicts"), 1);
});

T("no cookie, a valid URL id: continues by URL, links rewritten, the cookie offered again for the rest of its life", async () => {
  const host = await makeHost();
  const { id } = firstVisit(host);
  const later = await makeHost(CONFIG, NOW + 600);
  const s = later.newStream({ worker: 0, connectionId: 3 });
  s.sendRequestHeaders(request(`/-S:${id}/dir/two.html`, [["accept-encoding", "gzip"]]), { endOfStream: true });
  assert.equal(one(s.requestHeaders, ":path"), "/dir/two.html");
  assert.deepEqual(get(s.requestHeaders, "accept-encoding"), []);
  assert.equal(one(s.requestHeaders, "x-clickpath-source"), "url");
  assert.equal(one(s.requestHeaders, "x-clickpath-session-age"), "600");
  const body = servePage(s);
  assert.deepEqual(s.responseHeaders, [[":status", "200"], ["content-type", "text/html"], ["set-cookie", setCookie(id, 3000)]]);
  assert.equal(body, `<html><body><a href="/-S:${id}/a.html">a</a> <a href="b.html">b</a> <a href="http://other.example/">o</a></body></html>`);
  assert.equal(later.metrics.get("clicktrail.clickpath.sessions_continued_by_url"), 1);
});

T("a forged, tampered or expired cookie is ignored: the URL's id, else a new one with a new cookie", async () => {
  const host = await makeHost();
  const { id } = firstVisit(host);
  const forged = host.newStream({ worker: 0, connectionId: 4 });
  forged.sendRequestHeaders(request(`/-S:${id}/x`, [["cookie", "clickpath=web1:forged"]]), { endOfStream: true });
  assert.equal(one(forged.requestHeaders, "x-clickpath-session"), id);
  assert.equal(one(forged.requestHeaders, "x-clickpath-source"), "url");
  forged.sendResponseHeaders([[":status", "204"]], { endOfStream: true });
  assert.deepEqual(forged.responseHeaders, [[":status", "204"], ["set-cookie", setCookie(id, 3600)]]);

  const tampered = id.slice(0, 10) + (id[10] === "N" ? "O" : "N") + id.slice(11);
  const t = host.newStream({ worker: 0, connectionId: 4 });
  t.sendRequestHeaders(request("/y", [["cookie", `clickpath=${cookieValue(tampered)}`]]), { endOfStream: true });
  const fresh = one(t.requestHeaders, "x-clickpath-session");
  assert.notEqual(fresh, id);
  assert.equal(one(t.requestHeaders, "x-clickpath-invalid-session"), tampered);
  assert.deepEqual(get(t.requestHeaders, "x-clickpath-source"), []);
  t.sendResponseHeaders([[":status", "302"], ["location", "http://h.example/z"]], { endOfStream: true });
  assert.deepEqual(t.responseHeaders, [[":status", "302"], ["location", `http://h.example/-S:${fresh}/z`], ["set-cookie", setCookie(fresh, 3600)]]);
  assert.equal(host.metrics.get("clicktrail.clickpath.cookies_ignored"), 2);

  const expiredHost = await makeHost(CONFIG, NOW + 3601);
  const e = expiredHost.newStream({ worker: 0, connectionId: 4 });
  e.sendRequestHeaders(request("/z", [["cookie", `clickpath=${cookieValue(id)}`]]), { endOfStream: true });
  assert.equal(one(e.requestHeaders, "x-clickpath-expired-session"), id);
  assert.notEqual(one(e.requestHeaders, "x-clickpath-session"), id);
  assert.equal(expiredHost.metrics.get("clicktrail.clickpath.sessions_expired"), 1);
});

T("crawlers: neither cookie nor rewriting", async () => {
  const host = await makeHost();
  const s = host.newStream({ worker: 0, connectionId: 1 });
  s.sendRequestHeaders(request("/", [["user-agent", "Mozilla/5.0 (compatible; Googlebot/2.1)"]]), { endOfStream: true });
  assert.deepEqual(upstream(s.requestHeaders), ["x-clickpath-session: Google", "x-clickpath-session-age: 0", `x-clickpath-session-start: ${NOW}`].sort());
  const body = servePage(s, [["location", "/x"]]);
  assert.deepEqual(s.responseHeaders, [[":status", "200"], ["content-type", "text/html"], ["content-length", String(PAGE.length)], ["location", "/x"]]);
  assert.equal(body, PAGE);
});

T("mode url (the default) is untouched by a cookie of the same name", async () => {
  const host = await makeHost({ machine: "web1" });
  const s = host.newStream({ worker: 0, connectionId: 1 });
  s.sendRequestHeaders(request("/", [["cookie", "clickpath=whatever"]]), { endOfStream: true });
  const id = one(s.requestHeaders, "x-clickpath-session");
  assert.deepEqual(get(s.requestHeaders, "x-clickpath-source"), []);
  s.sendResponseHeaders([[":status", "302"], ["location", "/n"]], { endOfStream: true });
  assert.deepEqual(s.responseHeaders, [[":status", "302"], ["location", `/-S:${id}/n`]]);
  assert.equal(host.metrics.has("clicktrail.clickpath.sessions_continued_by_cookie"), false);
});

T("beside usertrack and session: the redirect stops the request there, and the other features add nothing to it", async () => {
  const host = await Host.create({
    wasm: "build/clicktrail.wasm",
    config: {
      clickpath: CONFIG,
      usertrack: { cookie_name: "Apache", upstream_header: "x-usertrack-id" },
      session: { cookie_name: "session", upstream_header: "x-session", crypto: { passphrases: ["a passphrase for this test"] } },
    },
    clock: () => BigInt(NOW) * 1000000000n,
    random: (buf) => buf.fill(0x42),
  });
  assert.equal(host.configured, true, JSON.stringify(host.logs));
  const first = host.newStream({ worker: 0, connectionId: 1 });
  first.sendRequestHeaders(request("/"), { endOfStream: true });
  const id = one(first.requestHeaders, "x-clickpath-session");
  assert.equal(one(first.requestHeaders, "x-usertrack-id").length > 0, true);
  const s = host.newStream({ worker: 0, connectionId: 1 });
  s.sendRequestHeaders(request(`/-S:${id}/p.html`, [["cookie", `clickpath=${cookieValue(id)}`]]), { endOfStream: true });
  assert.equal(s.requestHeaders, null);
  assert.deepEqual(s.responseHeaders, [[":status", "307"], ["location", "/p.html"], ["cache-control", "no-store"]]);
  s.complete();
  assert.deepEqual([...s.filterState.keys()], ["clicktrail_clickpath_session"]);
  assert.deepEqual(host.logs.filter((l) => ["warn", "error", "critical"].includes(l.level)), []);
});
