// The demo backend that `npm start` puts behind the dev proxy: static pages with every kind of link, a
// redirect, a page whose backend writes the session through the response header, and an endpoint that
// echoes what the backend receives, so a visitor can see the tracking id, the clickpath headers and the
// session that the filter passes upstream.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const siteRoot = new URL("./site/", import.meta.url).pathname;
const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript" };

export function createDemoBackend({ sessionRequestHeader = "x-session", sessionResponseHeader = "x-replace-session" } = {}) {
  return createServer(async (req, res) => {
    const url = new URL(req.url, "http://demo.invalid");
    if (url.pathname === "/echo") {
      const body = JSON.stringify({ method: req.method, path: req.url, headers: req.headers }, null, 2) + "\n";
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
      return;
    }
    if (url.pathname === "/redirect") {
      res.writeHead(302, { location: "/docs/page2.html" });
      res.end();
      return;
    }
    if (url.pathname === "/session/set") {
      const key = url.searchParams.get("key") ?? "";
      const value = url.searchParams.get("value") ?? "";
      const update = encodeURIComponent(key) + "=" + encodeURIComponent(value);
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", [sessionResponseHeader]: update });
      res.end(`<!DOCTYPE html><p>stored ${escapeHtml(key)}=${escapeHtml(value)}; the session the backend received ` +
        `was <code>${escapeHtml(String(req.headers[sessionRequestHeader] ?? ""))}</code></p>` +
        `<p><a href="/session.html">back</a> · <a href="/echo">echo</a></p>\n`);
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(siteRoot, rel.endsWith("/") ? rel + "index.html" : rel);
    if (!file.startsWith(siteRoot)) { res.writeHead(403).end(); return; }
    try {
      const data = await readFile(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      res.end(data);
    } catch {
      res.writeHead(404, { "content-type": "text/html; charset=utf-8" });
      res.end('<!DOCTYPE html><p>not found — <a href="/index.html">home</a></p>\n');
    }
  });
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
