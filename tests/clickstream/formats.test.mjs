// The log formats clickstream reads (Envoy's command operators, Envoy's JSON, Apache's LogFormat) and the
// analysis' bounds: memory by open sessions, page tables past their limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ENVOY_FORMAT, apacheFormat, envoyFormat, envoyJsonFormat, NOT_LOGGED } from "../../dist/cli/clickstream/formats.js";
import { Analyzer, isPageView } from "../../dist/cli/clickstream/analyze.js";
import { textReport } from "../../dist/cli/clickstream/report.js";
import { parseIdle } from "../../dist/cli/clickstream/command.js";

const root = new URL("../../", import.meta.url).pathname;

test("the default Envoy format is the line envoy/envoy.yaml writes", () => {
  const y = parseYaml(readFileSync(`${root}envoy/envoy.yaml`, "utf8"));
  const hcm = y.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  assert.equal(hcm.access_log[0].typed_config.log_format.text_format_source.inline_string, ENVOY_FORMAT);
});

test("Envoy text format: fields by operator, `-` is nothing, other operators skipped", () => {
  const f = envoyFormat();
  assert.deepEqual(f.parse('[2026-03-01T09:00:01.5Z] "POST /a/b?x=1 HTTP/2" 200 0 usertrack=- new=- clickpath=Google upstream=-'),
    { time: Date.UTC(2026, 2, 1, 9, 0, 1, 500), method: "POST", path: "/a/b", status: 200, visitor: null, session: "Google" });
  const custom = envoyFormat('%START_TIME% %DOWNSTREAM_REMOTE_ADDRESS% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %RESPONSE_CODE% "%REQ(USER-AGENT)%" %FILTER_STATE(wasm.clicktrail_usertrack_id:PLAIN)%\n');
  assert.deepEqual(custom.parse('2026-03-01T09:00:00.000Z 10.0.0.1:5555 /x 304 "Mozilla/5.0 (X11)" 1a.2b'),
    { time: Date.UTC(2026, 2, 1, 9), method: null, path: "/x", status: 304, visitor: "1a.2b", session: null });
  assert.equal(custom.hasSession, false);
  assert.equal(custom.parse("2026-03-01T09:00:00.000Z 10.0.0.1:5555 /x 304"), null);
  assert.throws(() => envoyFormat("%START_TIME%%REQ(:PATH)% %RESPONSE_CODE%"), /%REQ\(:PATH\)% follows another field with nothing between them/);
  assert.throws(() => envoyFormat("%START_TIME% %REQ(:PATH)% %RESPONSE_CODE"), /unclosed % at column 27/);
  assert.throws(() => envoyFormat("%START_TIME% %RESPONSE_CODE%"), /the format has no request path/);
});

test("Envoy JSON: null and `-` are nothing, RESPONSE_CODE a number or a string", () => {
  const f = envoyJsonFormat();
  const line = (o) => JSON.stringify({ start_time: "2026-03-01T09:00:00.000Z", method: "GET", path: "/p?q", response_code: 200, usertrack: "a.b", clickpath: null, ...o });
  assert.deepEqual(f.parse(line({})), { time: Date.UTC(2026, 2, 1, 9), method: "GET", path: "/p", status: 200, visitor: "a.b", session: null });
  assert.equal(f.parse(line({ response_code: "404" })).status, 404);
  assert.equal(f.parse(line({ usertrack: "-" })).visitor, null);
  assert.equal(f.parse(line({ start_time: "yesterday" })), null);
  assert.equal(f.parse(line({ path: 7 })), null);
  assert.equal(f.parse('{"start_time": "2026-03-01T09:00:00.000Z", '), null);
  assert.equal(f.parse("[]"), null);
});

test("Apache LogFormat: the common directives, quotes escaped inside fields, conditions, %%", () => {
  const f = apacheFormat(String.raw`%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%400,501{User-Agent}i\" %D %T %v:%p %{Apache}C \"%{SESSION}e\" 100%%`);
  const line = String.raw`10.0.0.1 - frank [01/Mar/2026:10:00:00 +0100] "GET /-S:web1:abc/docs/x.html?y=1 HTTP/1.1" 200 2326 "http://h/" "Mozilla \"quoted\" \\ x" 1234 0 www.example.org:80 7f000001.5f2 "web1:abc" 100%`;
  assert.deepEqual(f.parse(line), { time: Date.UTC(2026, 2, 1, 9), method: "GET", path: "/docs/x.html", status: 200, visitor: "7f000001.5f2", session: "web1:abc" });
  assert.equal(f.parse(line.replace(" 100%", " 99%")), null);
  assert.equal(f.parse(line.replace("+0100", "+01")), null);
  assert.equal(f.parse(line.replace("Mar", "Mrz")), null);
  // %U%q: the query is glued to the path, %s is the status too; \r\n endings are fine.
  const g = apacheFormat(String.raw`%t %m %U%q %H %s %{cookie}n`);
  assert.deepEqual(g.parse("[01/Mar/2026:09:00:00 -0030] GET /a?b=c HTTP/1.0 302 -\r"),
    { time: Date.UTC(2026, 2, 1, 9, 30), method: "GET", path: "/a", status: 302, visitor: null, session: null });
  assert.equal(g.hasSession, false);
  assert.equal(g.hasVisitor, true);
  // A status Apache could not log ("-") is 0: no page view.
  assert.equal(g.parse("[01/Mar/2026:09:00:00 +0000] GET /a HTTP/1.0 - x").status, 0);
});

test("Apache LogFormat errors name the directive and where it is", () => {
  assert.throws(() => apacheFormat("%h%l %t %r"), /^Error: LogFormat "%h%l %t %r": %l follows another field with nothing between them; the two cannot be told apart$/);
  assert.throws(() => apacheFormat("%t %r %{Referer"), /LogFormat "%t %r %\{Referer": unclosed \{ at column 8/);
  assert.throws(() => apacheFormat("%{%d/%b}t %r"), /%\{%d\/%b\}t \(a custom time format\) is not supported; use %t/);
  assert.throws(() => apacheFormat("%t %r %"), /a % at the end of the format/);
  assert.throws(() => apacheFormat("%t %Q"), /unknown directive %Q at column 4/);
  assert.throws(() => apacheFormat("%h %r"), /the format has no request time/);
});

test("a format without %>s takes every request as answered; Envoy's 0 (no response) is no page view", () => {
  const base = { time: 0, method: "GET", path: "/a.html", visitor: "v", session: null };
  assert.equal(isPageView({ ...base, status: NOT_LOGGED }), true);
  assert.equal(isPageView({ ...base, status: 0 }), false);
  assert.equal(isPageView({ ...base, status: 304 }), true);
  assert.equal(isPageView({ ...base, status: 301 }), false);
  assert.equal(isPageView({ ...base, status: 200, method: "HEAD" }), false);
  assert.equal(isPageView({ ...base, status: 200, path: "/logo.PNG" }), false);
});

test("--idle durations", () => {
  assert.equal(parseIdle("30m"), 1800000);
  assert.equal(parseIdle("1h30m"), 5400000);
  assert.equal(parseIdle("90"), 90000);
  assert.equal(parseIdle("2d"), 172800000);
  for (const bad of ["", "30 m", "m", "0s", "1x"]) assert.throws(() => parseIdle(bad), /--idle must be a duration/);
});

test("memory follows the open sessions: 100000 sessions, never more than 61 open at once", () => {
  // A session starts every 2 s and has 3 pages 20 s apart, 60 s idle gap. Analyzer drops a session once it
  // has been idle for the gap, at the latest two gaps after it was opened or last queued (analyze.ts):
  // here 120 s after its first page, so at most 61 are open at any time.
  const a = new Analyzer({ by: "visitor", idleMs: 60000 });
  let maxOpen = 0;
  const pages = ["/a", "/b", "/c"];
  const events = [];
  for (let s = 0; s < 100000; s++) for (let p = 0; p < 3; p++) events.push([s * 2000 + p * 20000, s, p]);
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (const [t, s, p] of events) {
    a.add({ time: t, method: "GET", path: pages[p], status: 200, visitor: `v${s}`, session: null });
    if (a.openSessions > maxOpen) maxOpen = a.openSessions;
  }
  assert.ok(maxOpen <= 61, `at most 61 open, saw ${maxOpen}`);
  const r = a.finish();
  assert.equal(r.sessions, 100000);
  assert.deepEqual(r.pagesPerSession.counts, [[3, 100000]]);
  assert.deepEqual(r.paths[1].top, [{ pages: ["/a", "/b", "/c"], count: 100000 }]);
});

test("page tables past their limit drop their rarest keys and the report says so", () => {
  const a = new Analyzer({ by: "session", idleMs: 60000, pageTableLimit: 100 });
  for (let i = 0; i < 1000; i++) {
    a.add({ time: i * 1000, method: "GET", path: "/home", status: 200, visitor: null, session: `m:${i}` });
    a.add({ time: i * 1000 + 1, method: "GET", path: `/item/${i}`, status: 200, visitor: null, session: `m:${i}` });
  }
  const r = a.finish();
  assert.equal(r.sessions, 1000);
  assert.deepEqual(r.entryPages, [["/home", 1000]]);
  assert.ok(r.droppedBelow >= 2);
  const text = textReport({ input: { files: ["x"], format: "envoy", lines: 2000, unparseable: 0, samples: [] }, report: r });
  assert.match(text, /\nnote: the page tables outgrew their limit; entries seen fewer than \d+ times were dropped, so their counts are lower bounds\n$/);
});

test("crawlers by ClickPath's exception name; lines out of order within the idle gap stay in their session", () => {
  const a = new Analyzer({ by: "session", idleMs: 60000 });
  const hit = (t, path, session) => a.add({ time: t, method: "GET", path, status: 200, visitor: "v", session });
  hit(10000, "/a", "m:1");
  hit(30000, "/c", "m:1");
  hit(20000, "/b", "m:1");
  hit(25000, "/", "Googlebot");
  hit(26000, "/", "Google");
  hit(27000, "/x", null);
  const r = a.finish();
  assert.equal(r.sessions, 1);
  assert.deepEqual(r.sessionSeconds.counts, [[20, 1]]);
  assert.deepEqual(r.requests, { total: 6, pageViews: 3, other: 0, crawlers: 2, withoutId: 1, crawlerNames: [["Google", 1], ["Googlebot", 1]] });
});

test("the flow names six pages per step and groups the rest, so its links count every session", () => {
  const a = new Analyzer({ by: "session", idleMs: 60000 });
  // 10 entry pages, /e0 the busiest (10 sessions) down to /e9 (1): each session goes on to /next or ends.
  let id = 0;
  for (let e = 0; e < 10; e++) {
    for (let k = 0; k < 10 - e; k++) {
      const session = `m:${id++}`;
      a.add({ time: id * 1000, method: "GET", path: `/e${e}`, status: 200, visitor: null, session });
      if (k % 2 === 0) a.add({ time: id * 1000 + 1, method: "GET", path: "/next", status: 200, visitor: null, session });
    }
  }
  const r = a.finish();
  assert.equal(r.sessions, 55);
  const step1 = r.flow.filter((f) => f.step === 1);
  assert.equal(step1.reduce((n, f) => n + f.count, 0), 55);
  assert.deepEqual([...new Set(step1.map((f) => f.from))].sort(), ["(other pages)", "/e0", "/e1", "/e2", "/e3", "/e4", "/e5"]);
  // /e6../e9: 4 + 3 + 2 + 1 sessions, of which 2 + 2 + 1 + 1 went on to /next.
  assert.deepEqual(step1.filter((f) => f.from === "(other pages)"), [
    { step: 1, from: "(other pages)", to: "/next", count: 6 }, { step: 1, from: "(other pages)", to: null, count: 4 }]);
  assert.deepEqual(r.flow.filter((f) => f.step === 2), [{ step: 2, from: "/next", to: null, count: 30 }]);
});
