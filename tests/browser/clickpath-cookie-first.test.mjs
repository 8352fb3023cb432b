// clickpath.mode "cookie_first" as a browser lives it. Headless Chromium browses the demo site through the
// dev proxy, and through the real Envoy where it is installed, over eight pages: with cookies the session moves into the cookie after the first page and the
// links stop carrying it; with Set-Cookie stripped in the test's network layer (a browser refusing
// cookies) the session goes on in the URL; a link copied from another visitor's page keeps one's own
// session. The demo backend records which session and source each request reached it with.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import http from "node:http";
import { createDemoBackend } from "../../demo/server.mjs";
import { startProxy } from "../../dist/host/index.js";
import { envoySkip, startEnvoy, testBootstrap } from "../support/envoy.mjs";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.log("SKIPPED: cookie_first browser test (chromium not installed)");

const CONFIG = { clickpath: { prefix: "-S:", mode: "cookie_first", max_session_age: 3600 } };

/** What the backend received, in order. */
const upstream = [];
let backend;
let browser;
/** The two ways to the demo: the dev proxy and Envoy, each { name, skip, origin, proxyUrl, stop }. */
const sites = [
  { name: "dev proxy", skip: !haveChromium },
  { name: "Envoy", skip: !haveChromium || envoySkip("cookie_first browser test through Envoy") },
];

before(async () => {
  if (!haveChromium) return;
  backend = createDemoBackend();
  backend.prependListener("request", (req) => upstream.push({
    url: req.url, session: req.headers["x-clickpath-session"] ?? null, source: req.headers["x-clickpath-source"] ?? null,
  }));
  await new Promise((resolve) => backend.listen(0, "127.0.0.1", resolve));
  const backendPort = backend.address().port;
  const proxy = await startProxy({
    wasm: "build/clicktrail.wasm", config: CONFIG, listen: "127.0.0.1:0", upstream: `http://127.0.0.1:${backendPort}`,
    chunkSize: 97, log: () => {},
  });
  Object.assign(sites[0], { origin: proxy.url.replace(/\/$/, ""), stop: () => proxy.close() });
  if (!sites[1].skip) {
    const envoy = await startEnvoy((p) => testBootstrap({ ...p, upstreams: { web1: backendPort, web2: backendPort }, pluginConfig: CONFIG }));
    Object.assign(sites[1], { origin: `http://127.0.0.1:${envoy.port}`, stop: () => envoy.stop() });
  }
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  for (const site of sites) await site.stop?.();
  await new Promise((resolve) => (backend ? backend.close(resolve) : resolve()));
});

/** An id as the cookie carries it: "," and ";" escaped (an id may hold a ","). */
const cookieValue = (id) => id.replace(/,/g, "%2C").replace(/;/g, "%3B");

function sessionOf(url) {
  const m = /^\/-S:([^/]+)\//.exec(new URL(url).pathname);
  return m ? m[1] : null;
}

/** The sessions carried by the page's same-origin links, as the browser resolves them. */
async function linkSessions(page, siteOrigin) {
  const urls = await page.evaluate(() => [...document.querySelectorAll("a[href]")]
    .filter((a) => !(a.getAttribute("href") ?? "").startsWith("#")).map((a) => a.href));
  const same = urls.filter((u) => new URL(u).origin === siteOrigin);
  assert.ok(same.length > 0, "the page has same-origin links");
  return [...new Set(same.map(sessionOf))];
}

// Eight pages: each step clicks a link of the current page (the last via the backend's 302 redirect).
const STEPS = [
  'a[href$="docs/page2.html"]', // index → page2
  'a[href$="page3.html"]', // page2 → page3
  'a[href$="/index.html"]', // page3 → index
  'a[href$="/session.html"]', // index → session
  'a[href$="/index.html"]', // session → index
  'a[href$="/redirect"]', // index → 302 → page2
  'a[href$="page3.html"]', // page2 → page3
];

/** Browses the eight pages; `check(pageNumber)` runs on each. Returns the upstream records of the pages. */
async function browseEight(page, check, siteOrigin) {
  const from = upstream.length;
  await page.goto(`${siteOrigin}/index.html`);
  await check(1);
  for (let i = 0; i < STEPS.length; i++) {
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(STEPS[i])]);
    await check(i + 2);
  }
  return upstream.slice(from).filter((r) => /\.html$|\/redirect$/.test(new URL(r.url, "http://x").pathname));
}

/**
 * A browser that refuses cookies, as the network sees it: a pass-through proxy in front of the dev proxy
 * that drops every Set-Cookie header on the way back. (Playwright's page.route cannot do this alone: a
 * redirect it fulfils is followed natively, and the response to that request keeps its Set-Cookie.) The
 * Host header passes unchanged, so the filter sees the origin the browser uses.
 */
async function startCookieStripper(siteOrigin) {
  const target = new URL(siteOrigin);
  const server = http.createServer((req, res) => {
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      const headers = { ...r.headers };
      delete headers["set-cookie"];
      res.writeHead(r.statusCode, headers);
      r.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

for (const site of sites) {
  test(`${site.name}: cookies on: after the first page the links carry no session, and the session stays the same over 8 pages`, { skip: site.skip }, async () => {
    const origin = site.origin;
    const context = await browser.newContext();
    const page = await context.newPage();
    let session = null;
    const pages = await browseEight(page, async (n) => {
      const links = await linkSessions(page, origin);
      if (n === 1) {
        // A new visitor: the browser's cookie support is not known yet, so the links carry the new id.
        assert.equal(links.length, 1);
        session = links[0];
        assert.match(session ?? "", /^[^/]+$/);
        const cookies = await context.cookies();
        assert.deepEqual(cookies.map((c) => [c.name, c.value, c.path, c.httpOnly, c.secure, c.sameSite]),
          [["clickpath", cookieValue(session), "/", true, true, "Lax"]]);
      } else {
        assert.deepEqual(links, [null], `page ${n}: links without a session`);
        assert.equal(sessionOf(page.url()), null, `page ${n}: the address bar is clean: ${page.url()}`);
      }
    }, origin);
    // The second page was asked for with the session in its URL (the first page's link) and redirected to
    // the clean URL by the filter: the backend only ever saw clean URLs, and every page under one session.
    assert.deepEqual(pages.map((r) => r.url), ["/index.html", "/docs/page2.html", "/docs/page3.html", "/index.html",
      "/session.html", "/index.html", "/redirect", "/docs/page2.html", "/docs/page3.html"]);
    assert.deepEqual(pages.map((r) => r.session), pages.map(() => session));
    assert.deepEqual(pages.map((r) => r.source), [null, ...pages.slice(1).map(() => "cookie")]);
    assert.equal((await context.cookies())[0].value, cookieValue(session));
    await context.close();
  });

  test(`${site.name}: cookies refused: the session continues by URL over 8 pages`, { skip: site.skip }, async () => {
    const stripper = await startCookieStripper(site.origin);
    const context = await browser.newContext();
    const page = await context.newPage();
    let session = null;
    let pages;
    try {
      pages = await browseEight(page, async (n) => {
        const links = await linkSessions(page, stripper.origin);
        if (n === 1) session = links[0];
        assert.match(session ?? "", /^[^/]+$/);
        assert.deepEqual(links, [session], `page ${n}: every same-origin link carries the session`);
        if (n > 1) assert.equal(sessionOf(page.url()), session, `page ${n}: the URL carries the session: ${page.url()}`);
      }, stripper.origin);
      assert.deepEqual(await context.cookies(), [], "the browser kept no cookie");
    } finally {
      await context.close();
      await stripper.close();
    }
    assert.equal(pages.length, 9);
    assert.deepEqual(pages.map((r) => r.session), pages.map(() => session));
    assert.deepEqual(pages.map((r) => r.source), [null, ...pages.slice(1).map(() => "url")]);
  });

  test(`${site.name}: following a link copied from another visitor's page keeps one's own session`, { skip: site.skip }, async () => {
    const origin = site.origin;
    const other = await browser.newContext();
    const theirs = await other.newPage();
    await theirs.goto(`${origin}/index.html`);
    const copied = await theirs.evaluate(() => document.querySelector('a[href$="docs/page2.html"]').href);
    const otherSession = sessionOf(copied);
    assert.match(otherSession ?? "", /^[^/]+$/);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/index.html`);
    const [mine] = await linkSessions(page, origin);
    assert.notEqual(mine, otherSession);
    const from = upstream.length;
    await page.goto(copied);
    assert.equal(page.url(), `${origin}/docs/page2.html`, "redirected to the clean URL");
    assert.deepEqual(await linkSessions(page, origin), [null]);
    assert.deepEqual(upstream.slice(from).map((r) => [r.url, r.session, r.source]), [["/docs/page2.html", mine, "cookie"]]);
    assert.equal((await context.cookies())[0].value, cookieValue(mine));
    await context.close();
    await other.close();
  });
}
