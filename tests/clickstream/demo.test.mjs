// npm start's demo: every page ends with the visitor's state as the backend received it, and /clickstream
// is the report of the dev proxy's own access log with the visitor's own path first.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDemo } from "../../dist/cli/commands/demo.js";

const root = new URL("../../", import.meta.url).pathname;
const built = existsSync(join(root, "build/clicktrail.wasm")) && existsSync(join(root, "build/clickpath-tools.js"));
const skip = built ? false : "SKIPPED: build/ is missing (npm run build)";
const browser = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) clicktrail-test" };
const dir = mkdtempSync(join(tmpdir(), "clicktrail-demo-clickstream-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const field = (html, id) => {
  const m = new RegExp(`<dd id="${id}"[^>]*>([^<]*)</dd>`).exec(html);
  return m ? m[1].replace(/&amp;/g, "&") : null;
};

test("demo pages show the visitor's state; /clickstream shows the visitor's own path", { skip }, async () => {
  const accessLog = join(dir, "access.log");
  const demo = await startDemo({ listen: "127.0.0.1:0", backend: "127.0.0.1:0", workers: 2, accessLog, log: () => {} });
  try {
    assert.equal(demo.accessLog, accessLog);
    const base = demo.proxy.url;
    const first = await fetch(`${base}/index.html`, { headers: browser });
    const html = await first.text();
    const cookie = first.headers.getSetCookie().find((c) => c.startsWith("Apache="));
    const id = cookie.slice("Apache=".length, cookie.indexOf(";"));
    const segment = /<a href="(\/-S:[^/"]+)\/docs\/page2\.html">absolute path<\/a>/.exec(html)[1];
    // The backend received the new id and the new session on this very request.
    assert.equal(field(html, "state-usertrack"), id);
    assert.equal(`/-S:${field(html, "state-session")}`, segment);
    assert.match(field(html, "state-age"), /^0 s \(started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z\)$/);
    // clicktrail decode's fields of that id: the demo configuration's machine table names it web1.
    assert.match(field(html, "state-decoded"), /^valid: true, machine: web1, /);
    assert.match(field(html, "state-kv"), /^expiry=\d{16}$/);
    // The state box's link goes through the filter like every other: it carries the session.
    assert.ok(html.includes(`<a href="${segment}/clickstream">`), "the report link carries the session");

    const headers = { ...browser, cookie: `Apache=${id}` };
    const second = await (await fetch(`${base}${segment}/docs/page2.html`, { headers })).text();
    assert.equal(field(second, "state-usertrack"), id);
    assert.equal(`/-S:${field(second, "state-session")}`, segment);
    await (await fetch(`${base}/index.html`, { headers: { "user-agent": "curl/8.0" } })).text();

    const report = await fetch(`${base}${segment}/clickstream`, { headers });
    assert.equal(report.status, 200);
    const page = await report.text();
    const mine = /<ol id="your-path">(.*?)<\/ol>/.exec(page);
    assert.ok(mine, page.slice(0, 2000));
    assert.deepEqual([...mine[1].matchAll(/<code>([^<]*)<\/code>/g)].map((m) => m[1]), ["/index.html", "/docs/page2.html"]);
    // The report of the whole log: one session so far (the report's own request is not in it yet), one crawler.
    assert.match(page, /<tr><th>sessions<\/th><td>1<\/td><\/tr>/);
    assert.match(page, /<tr><th>crawlers<\/th><td>1 \(curl 1\)<\/td><\/tr>/);
  } finally {
    await demo.close();
  }
});

test("without an access log /clickstream says how to get one", { skip }, async () => {
  const demo = await startDemo({ listen: "127.0.0.1:0", backend: "127.0.0.1:0", workers: 1, log: () => {} });
  try {
    const r = await fetch(`${demo.proxy.url}/clickstream`, { headers: browser });
    assert.equal(r.status, 404);
    assert.match(await r.text(), /The proxy writes no access log \(clicktrail demo --access-log FILE\)/);
  } finally {
    await demo.close();
  }
});
