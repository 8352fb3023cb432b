// The demo backend that `npm start` puts behind the dev proxy: static pages with every kind of link, a
// redirect, a page whose backend writes the session through the response header, and an endpoint that
// echoes what the backend receives, so a visitor can see the tracking id, the clickpath headers and the
// session that the filter passes upstream. Every HTML page ends with the visitor's own state as the
// backend received it (tracking id, ClickPath session and its age, the key/value session), and
// /clickstream shows the click streams of the dev proxy's access log, the visitor's own path first.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const siteRoot = new URL("./site/", import.meta.url).pathname;
const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript" };

/**
 * Options: the session headers of the configuration; `describeSession(id)` resolves to the fields of a
 * ClickPath id (clicktrail decode) or null; `clickstreamPage(session)` resolves to the report page of the
 * proxy's access log (the visitor's own session first) or null when there is no log.
 */
export function createDemoBackend({ sessionRequestHeader = "x-session", sessionResponseHeader = "x-replace-session",
  usertrackHeader = "x-usertrack-id", clickpathHeaderPrefix = "x-clickpath-", describeSession = null, clickstreamPage = null } = {}) {
  const state = (req) => stateBox(req, { sessionRequestHeader, usertrackHeader, clickpathHeaderPrefix, describeSession });
  const html = async (req, text) => {
    const box = await state(req);
    const at = text.lastIndexOf("</body>");
    return at < 0 ? text + box : text.slice(0, at) + box + text.slice(at);
  };
  return createServer(async (req, res) => {
    const url = new URL(req.url, "http://demo.invalid");
    if (url.pathname === "/clickstream") {
      const page = clickstreamPage ? await clickstreamPage(req.headers[clickpathHeaderPrefix + "session"] ?? null) : null;
      res.writeHead(page ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
      res.end(page ?? await html(req, "<!DOCTYPE html><p>The proxy writes no access log (clicktrail demo --access-log FILE).</p>\n"));
      return;
    }
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
      res.end(await html(req, `<!DOCTYPE html><p>stored ${escapeHtml(key)}=${escapeHtml(value)}; the session the backend received ` +
        `was <code>${escapeHtml(String(req.headers[sessionRequestHeader] ?? ""))}</code></p>` +
        `<p><a href="/session.html">back</a> · <a href="/echo">echo</a></p>\n`));
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(siteRoot, rel.endsWith("/") ? rel + "index.html" : rel);
    if (!file.startsWith(siteRoot)) { res.writeHead(403).end(); return; }
    try {
      const data = await readFile(file);
      const type = types[extname(file)] ?? "application/octet-stream";
      res.writeHead(200, { "content-type": type });
      res.end(type.startsWith("text/html") ? await html(req, data.toString("utf8")) : data);
    } catch {
      res.writeHead(404, { "content-type": "text/html; charset=utf-8" });
      res.end(await html(req, '<!DOCTYPE html><p>not found — <a href="/index.html">home</a></p>\n'));
    }
  });
}

/** The visitor's state as this backend received it, as a box at the end of every HTML page. */
async function stateBox(req, { sessionRequestHeader, usertrackHeader, clickpathHeaderPrefix, describeSession }) {
  const h = (name) => {
    const v = req.headers[name];
    return v === undefined ? null : String(v);
  };
  const session = h(clickpathHeaderPrefix + "session");
  const start = h(clickpathHeaderPrefix + "session-start");
  const age = h(clickpathHeaderPrefix + "session-age");
  const rows = [
    ["tracking id", "state-usertrack", h(usertrackHeader) ?? "(none)"],
    ["ClickPath session", "state-session", session ?? "(none)"],
    ["session age", "state-age", age === null ? "(none)"
      : `${age} s (started ${start === null ? "?" : new Date(Number(start) * 1000).toISOString()})`],
  ];
  if (session && describeSession) {
    const d = await describeSession(session).catch(() => null);
    if (d) {
      const fields = Object.entries(d).filter(([k]) => k !== "id").map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`);
      rows.push(["decoded (clicktrail decode)", "state-decoded", fields.join(", ")]);
    }
  }
  rows.push(["key/value session", "state-kv", h(sessionRequestHeader) ?? "(empty)"]);
  return `<aside id="clicktrail-state" style="margin-top:2em;padding:.5em 1em;border:1px solid #aaa;background:#f6f6f0;font:13px system-ui,sans-serif">\n` +
    `<strong>What the backend received with this request</strong>\n<dl style="display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:.5em 0">\n` +
    rows.map(([k, id, v]) => `<dt>${escapeHtml(k)}</dt><dd id="${id}" style="margin:0;font-family:monospace;overflow-wrap:anywhere">${escapeHtml(v)}</dd>`).join("\n") +
    `\n</dl>\n<a href="/clickstream">the click streams of this proxy's access log, yours first</a>\n</aside>\n`;
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
