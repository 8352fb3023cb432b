// npm start's demo on free ports: a page through the dev proxy gets the tracking cookie and rewritten
// links; the backend's session header becomes an encrypted cookie; the backend sees all three features.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { startDemo } from "../../dist/cli/commands/demo.js";

const root = new URL("../..", import.meta.url).pathname;
const browser = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) clicktrail-test" };
const built = existsSync(`${root}build/clicktrail.wasm`);

test("the demo serves the site through the filter with usertrack, clickpath and session on", { skip: built ? false : "SKIPPED: build/clicktrail.wasm is missing (npm run build)" }, async () => {
  const logs = [];
  const demo = await startDemo({ listen: "127.0.0.1:0", backend: "127.0.0.1:0", workers: 2, log: (l) => logs.push(l) });
  try {
    assert.match(demo.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const home = await fetch(demo.url, { headers: browser });
    assert.equal(home.status, 200);
    const cookies = home.headers.getSetCookie();
    const tracking = cookies.find((c) => c.startsWith("Apache="));
    assert.match(tracking ?? "", /^Apache=[0-9a-f]{1,8}\.[0-9a-f]{1,16}; path=\/; expires=\w{3}, \d\d-\w{3}-\d\d \d\d:\d\d:\d\d GMT; SameSite=Lax; HttpOnly$/);
    const html = await home.text();
    const m = /<a href="(\/-S:[^/"]+)\/docs\/page2\.html">absolute path<\/a>/.exec(html);
    assert.ok(m, "the absolute link carries a session segment");
    const segment = m[1];
    assert.ok(html.includes(`<a href="${segment}/docs/page3.html">relative path</a>`));
    assert.ok(html.includes('<a href="https://example.org/elsewhere">'), "other sites unchanged");
    assert.ok(html.includes('<!-- <a href="/in-a-comment.html">'), "comments unchanged");

    // The backend writes the session through x-replace-session; the proxy turns it into a cookie.
    const id = tracking.slice("Apache=".length, tracking.indexOf(";"));
    const set = await fetch(`${demo.proxy.url}${segment}/session/set?key=colour&value=blue`, { headers: { ...browser, cookie: `Apache=${id}` } });
    assert.equal(set.status, 200);
    const setCookies = set.headers.getSetCookie();
    assert.equal(setCookies.some((c) => c.startsWith("Apache=")), false, "a returning visitor keeps the tracking cookie");
    const session = setCookies.find((c) => c.startsWith("session="));
    assert.match(session ?? "", /^session=[A-Za-z0-9_-]{40,};Max-Age=1800;path=\/;HttpOnly;SameSite=Lax$/);
    await set.text();

    // What the backend receives on the next request.
    const echo = await fetch(`${demo.proxy.url}${segment}/echo`, { headers: { ...browser, cookie: `Apache=${id}; ${session.slice(0, session.indexOf(";"))}` } });
    const seen = await echo.json();
    assert.equal(seen.path, "/echo");
    assert.equal(seen.headers["x-usertrack-id"], id);
    // mod_session's encoding: the pairs, then the reserved expiry key (µs) that SessionMaxAge keeps.
    assert.match(seen.headers["x-session"], /^colour=blue&expiry=\d{16}$/);
    assert.equal(`/-S:${seen.headers["x-clickpath-session"]}`, segment);
    assert.equal(seen.headers["x-clickpath-machine"], "web1");

    // A redirect's Location carries the session.
    const redirect = await fetch(`${demo.proxy.url}${segment}/redirect`, { headers: browser, redirect: "manual" });
    assert.equal(redirect.headers.get("location"), `${segment}/docs/page2.html`);
    await redirect.text();
  } finally {
    await demo.close();
  }
  assert.deepEqual(logs.filter((l) => / (error|critical): /.test(l)), []);
});

test("a crawler (ua_exceptions) gets the page without a session segment", { skip: built ? false : "SKIPPED: build/clicktrail.wasm is missing (npm run build)" }, async () => {
  const demo = await startDemo({ listen: "127.0.0.1:0", backend: "127.0.0.1:0", workers: 1, log: () => {} });
  try {
    const res = await fetch(demo.url, { headers: { "user-agent": "curl/8.5.0" } });
    const html = await res.text();
    assert.ok(html.includes('<a href="/docs/page2.html">absolute path</a>'));
  } finally {
    await demo.close();
  }
});

test("--no-proxy serves only the backend", async () => {
  const demo = await startDemo({ backend: "127.0.0.1:0", proxy: false });
  try {
    assert.equal(demo.proxy, null);
    const res = await fetch(`${demo.backendUrl}/echo`);
    assert.equal((await res.json()).path, "/echo");
  } finally {
    await demo.close();
  }
});
