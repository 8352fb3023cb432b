// A scripted browsing session of known shape, run against the demo site through a proxy (the dev proxy,
// real Envoy) or real Apache httpd, and the report `clicktrail clickstream` must make of the log it leaves.
//
// The script's clock: each step has a time in seconds from T0. Requests are made one after another in that
// order, and the log's own timestamps (the wall clock of a test run, a few milliseconds apart) are then
// replaced line by line with the script's times, so that session lengths and idle gaps are the script's.
// Everything else in each line is what the server wrote. The next request waits until the server has
// logged the previous one, so the log's order is the script's.
//
// Who does what (pages are the demo site's):
//   alice  0 /index.html, 1 /style.css (a static file), 20 /docs/page2.html, 50 /docs/page3.html,
//          80 /index.html, 100 /session.html                               5 pages, 100 s
//   bob    10 /index.html, 40 /docs/page2.html, 70 /docs/page3.html, 75 /nope.html (404)   3 pages, 60 s
//   carol  30 /index.html                                                  1 page (a bounce)
//   dave   60 /docs/page2.html, 65 /docs/page3.html                         2 pages, 5 s
//          and 40 minutes later, typing the address again (a new ClickPath session, same tracking cookie):
//          2460 /index.html, 2490 /docs/page2.html                         2 pages, 30 s
//   a crawler (User-Agent curl/8.0, the demo's "curl" exception, no cookies) 90 /index.html, 91 /docs/page2.html
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";

export const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
export const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) clicktrail-test";
export const CRAWLER = "curl/8.0";

export const STEPS = [
  [0, "alice", "/index.html"], [1, "alice", "/style.css"], [10, "bob", "/index.html"], [20, "alice", "/docs/page2.html"],
  [30, "carol", "/index.html"], [40, "bob", "/docs/page2.html"], [50, "alice", "/docs/page3.html"],
  [60, "dave", "/docs/page2.html"], [65, "dave", "/docs/page3.html"], [70, "bob", "/docs/page3.html"],
  [75, "bob", "/nope.html"], [80, "alice", "/index.html"], [90, "crawler", "/index.html"],
  [91, "crawler", "/docs/page2.html"], [100, "alice", "/session.html"],
  [2460, "dave", "/index.html", { newVisit: true }], [2490, "dave", "/docs/page2.html"],
].map(([t, who, path, extra]) => ({ t, who, path, newVisit: false, ...extra }));

function get(port, path, headers) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => { body += d; });
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
  });
}

/**
 * Runs the script against 127.0.0.1:port. `segmentFor(who, visit)`: the ClickPath segment a visitor starts
 * with (for Apache, which has no output filter to hand one out), or null to take it from the first page's
 * links, as a browser would. Returns the steps in the order they were requested.
 */
export async function browse(port, { segmentFor = null, log = null } = {}) {
  const state = new Map();
  for (const [i, step] of STEPS.entries()) {
    // A server logs a request when it has answered it, possibly after the client has read the answer and
    // sent the next request on another connection: wait for each line, so the log has the script's order.
    if (log && i > 0) await loggedLines(log, i);
    const crawler = step.who === "crawler";
    let s = state.get(step.who);
    if (!s || step.newVisit) s = { cookie: s?.cookie ?? null, segment: null, visit: (s?.visit ?? 0) + 1 };
    state.set(step.who, s);
    if (!crawler && s.segment === null && segmentFor) s.segment = segmentFor(step.who, s.visit);
    const headers = { "user-agent": crawler ? CRAWLER : BROWSER };
    if (s.cookie && !crawler) headers.cookie = s.cookie;
    const res = await get(port, (s.segment ?? "") + step.path, headers);
    const set = [res.headers["set-cookie"] ?? []].flat().find((c) => c.startsWith("Apache="));
    if (set && !crawler) s.cookie = set.slice(0, set.indexOf(";"));
    if (!crawler && s.segment === null) {
      const m = /href="(\/-S:[^/"]+)\//.exec(res.body);
      if (m) s.segment = m[1];
    }
  }
  if (log) await loggedLines(log, STEPS.length);
  return STEPS;
}

/** Waits until `file` has at least n lines (the server has logged that many requests); 10 s at most. */
export async function loggedLines(file, n) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const have = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0;
    if (have >= n) return;
    if (Date.now() > deadline) throw new Error(`${file} has ${have} lines, expected ${n}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An Envoy-format line's time replaced by the script's. */
function envoyTime(line, t) {
  assert.match(line, /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] /);
  return `[${new Date(T0 + t * 1000).toISOString()}]` + line.slice(line.indexOf("]") + 1);
}

function jsonTime(line, t) {
  const o = JSON.parse(line);
  assert.equal(typeof o.start_time, "string");
  o.start_time = new Date(T0 + t * 1000).toISOString();
  return JSON.stringify(o);
}

const MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function apacheTime(line, t) {
  const d = new Date(T0 + t * 1000);
  const two = (n) => String(n).padStart(2, "0");
  const stamp = `[${two(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000]`;
  const out = line.replace(/\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]/, stamp);
  assert.notEqual(out, line, `an Apache time in ${line}`);
  return out;
}

/**
 * Reads the log the script left, checks it has one line per step for that step's path (in the same order),
 * and writes it to `out` with the script's times. `pathOf(line)` finds the logged path.
 */
export function retime(logFile, out, kind, pathOf) {
  const lines = readFileSync(logFile, "utf8").split("\n").filter(Boolean);
  assert.deepEqual(lines.map(pathOf), STEPS.map((s) => s.path), `the log has the script's requests in order:\n${lines.join("\n")}`);
  const fix = kind === "json" ? jsonTime : kind === "apache" ? apacheTime : envoyTime;
  writeFileSync(out, lines.map((l, i) => fix(l, STEPS[i].t)).join("\n") + "\n");
  return lines;
}

/**
 * The report of the script's log, worked out by hand from the script above (see the comment at the top).
 * `input`, `format`, `lines`: the input lines; `by`: "session" or "visitor"; `visitors`: the visitors line.
 */
export function expectedReport({ input, format, lines = "17 (0 unparseable)", by = "session", visitors = "4", unparseable = [] }) {
  return `clickstream report

input        ${input}
format       ${format}
lines        ${lines}
time         2026-03-01T09:00:00.000Z .. 2026-03-01T09:41:30.000Z
sessions by  ${by === "session" ? "ClickPath session" : "tracking id"}, idle gap 30m
${unparseable.map((u) => `  ${u}\n`).join("")}
requests                    17
page views                  13
other requests in sessions  2
crawlers                    2 (curl 2)
without an id               0

sessions           5
visitors           ${visitors}
page views         13
pages per session  median 2, p90 5, mean 2.6, max 5
session length     median 30s, p90 1m 40s, mean 39s, max 1m 40s
bounce rate        20.0% (1 of 5 sessions had one page)

top entry pages
  4  /index.html
  1  /docs/page2.html

top exit pages
  2  /docs/page3.html
  1  /docs/page2.html
  1  /index.html
  1  /session.html

most common paths of 2 pages
  3  /docs/page2.html -> /docs/page3.html
  3  /index.html -> /docs/page2.html
  1  /docs/page3.html -> /index.html
  1  /index.html -> /session.html

most common paths of 3 pages
  2  /index.html -> /docs/page2.html -> /docs/page3.html
  1  /docs/page2.html -> /docs/page3.html -> /index.html
  1  /docs/page3.html -> /index.html -> /session.html

most common paths of 4 pages
  1  /docs/page2.html -> /docs/page3.html -> /index.html -> /session.html
  1  /index.html -> /docs/page2.html -> /docs/page3.html -> /index.html

transitions out of the top pages
  /index.html (5 views)
    3   60.0% -> /docs/page2.html
    1   20.0% -> /session.html
    1   20.0% -> (exit)
  /docs/page2.html (4 views)
    3   75.0% -> /docs/page3.html
    1   25.0% -> (exit)
  /docs/page3.html (3 views)
    2   66.7% -> (exit)
    1   33.3% -> /index.html
  /session.html (1 view)
    1  100.0% -> (exit)

flow from the entry page (step n -> n+1)
  3  1 -> 2  /index.html -> /docs/page2.html
  1  1 -> 2  /docs/page2.html -> /docs/page3.html
  1  1 -> 2  /index.html -> (exit)
  2  2 -> 3  /docs/page2.html -> /docs/page3.html
  1  2 -> 3  /docs/page2.html -> (exit)
  1  2 -> 3  /docs/page3.html -> (exit)
  1  3 -> 4  /docs/page3.html -> /index.html
  1  3 -> 4  /docs/page3.html -> (exit)
`;
}
