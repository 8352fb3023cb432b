// A browser is the judge of links. Headless Chromium browses the demo site through the dev proxy with
// clickpath on, and for every page asks the browser itself where each link, form and frame goes: the
// same-origin ones must carry the session segment, the others must not; it follows links and submits forms
// across the site and checks the session never changes and the upstream never sees the prefix.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createDemoBackend } from "../../demo/server.mjs";
import { startProxy } from "../../dist/host/index.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.log("SKIPPED: browser test (chromium not installed)");

const seenByUpstream = [];
let backend;
let proxy;
let browser;

before(async () => {
  if (!haveChromium) return;
  const demo = createDemoBackend();
  backend = demo;
  demo.prependListener("request", (req) => seenByUpstream.push(req.url));
  await new Promise((resolve) => demo.listen(0, "127.0.0.1", resolve));
  proxy = await startProxy({
    wasm: "build/clicktrail.wasm",
    config: { clickpath: { prefix: "-S:" } },
    listen: "127.0.0.1:0",
    upstream: `http://127.0.0.1:${demo.address().port}`,
    chunkSize: 97, // odd chunk boundaries: links must survive being split anywhere
    log: () => {},
  });
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await new Promise((resolve) => (backend ? backend.close(resolve) : resolve()));
});

/** Every navigation target on the page, as the browser resolves it. */
async function targets(page) {
  return page.evaluate(() => {
    const out = [];
    const push = (kind, el, url) => out.push({ kind, html: el.outerHTML.slice(0, 120), url,
      sameDocument: url.split("#")[0] === document.URL.split("#")[0] && (el.getAttribute("href") ?? "").startsWith("#") });
    for (const a of document.querySelectorAll("a[href], area[href]")) push(a.localName, a, a.href);
    for (const f of document.querySelectorAll("form")) push("form", f, f.action);
    for (const b of document.querySelectorAll("button[formaction], input[formaction]")) push("formaction", b, b.formAction);
    for (const f of document.querySelectorAll("iframe[src], frame[src]")) push(f.localName, f, f.src);
    for (const m of document.querySelectorAll('meta[http-equiv="refresh" i]')) {
      const m2 = /url\s*=\s*(.*)$/i.exec(m.content);
      if (m2) push("meta", m, new URL(m2[1], document.baseURI).href);
    }
    return out;
  });
}

function sessionOf(url) {
  const m = /^\/-S:([^/]+)\//.exec(new URL(url).pathname);
  return m ? m[1] : null;
}

function checkPage(origin, list, session) {
  assert.ok(list.length > 0, "the page has navigation targets");
  for (const t of list) {
    const u = new URL(t.url);
    if (t.sameDocument) {
      // A fragment-only link stays on this document, whatever its URL; the filter leaves it alone.
      assert.ok(!/-S:/.test(t.html), `fragment link unchanged: ${t.html}`);
    } else if (u.origin === origin) {
      assert.equal(sessionOf(t.url), session, `same-origin ${t.kind} must carry the session: ${t.html} -> ${t.url}`);
    } else {
      assert.ok(!t.url.includes("-S:"), `other-origin ${t.kind} must be unchanged: ${t.html} -> ${t.url}`);
    }
  }
}

test("every same-origin link, form and frame carries the session across a browsing session", { skip: !haveChromium }, async () => {
  const page = await browser.newPage();
  const origin = proxy.url.replace(/\/$/, "");
  await page.goto(`${origin}/index.html`);

  // A new visitor's first page: the links carry the session the filter just created.
  let list = await targets(page);
  const session = sessionOf(list.find((t) => t.kind === "a" && new URL(t.url).origin === origin).url);
  assert.match(session ?? "", /^[^/]+$/, "a session id was issued");
  checkPage(origin, list, session);
  // Links inside comments, scripts and textareas were not touched.
  const html = await page.content();
  assert.ok(html.includes('<a href="/in-a-comment.html">'));
  assert.ok(html.includes("<a href='/in-a-script.html'>"));

  const visit = async (selector, { html = true } = {}) => {
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(selector)]);
    assert.equal(sessionOf(page.url()), session, `after ${selector} the URL keeps the session: ${page.url()}`);
    if (!html) return;
    list = await targets(page);
    checkPage(origin, list, session);
  };

  await visit('a[href$="docs/page2.html"]');          // absolute path, page 2
  await visit('a[href$="page3.html"]');               // relative, same directory
  await visit('a[href$="/index.html"]');              // back home
  await visit('a[href$="/frames.html"]');             // frames page
  for (const frame of page.frames().slice(1)) {
    assert.equal(sessionOf(frame.url()), session, `frame ${frame.url()} keeps the session`);
  }
  await visit('a[href$="/index.html"]');
  await visit('a[href$="/session.html"]');
  await visit('form button[type="submit"]');          // GET form to /session/set
  await visit('a[href$="/echo"]', { html: false });   // the backend's view (JSON)
  const echoed = JSON.parse(await page.evaluate(() => document.body.innerText));
  assert.ok(!echoed.path.includes("-S:"), "the upstream sees the path without the session");
  assert.equal(echoed.headers["x-clickpath-session"], session);

  // The redirect's Location carries the session too.
  await page.goto(`${origin}/-S:${session}/redirect`);
  assert.equal(new URL(page.url()).pathname, `/-S:${session}/docs/page2.html`);

  for (const url of seenByUpstream) assert.ok(!url.includes("-S:"), `the upstream never sees the prefix: ${url}`);
  await page.close();
});
