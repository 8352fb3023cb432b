// `clicktrail clickstream` on a log of the project's own making: the scripted browsing session of
// browsing.mjs through `npm start`'s demo (the dev proxy with --access-log in front of the demo backend).
// The text report is asserted whole; --by visitor, --json, gzip, standard input and unparseable lines
// against the same log; --html opened in the real Chromium, its numbers against the text report's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { startDemo } from "../../dist/cli/commands/demo.js";
import { browse, expectedReport, retime, STEPS } from "./browsing.mjs";

const root = new URL("../../", import.meta.url).pathname;
const built = existsSync(join(root, "build/clicktrail.wasm"));
const skip = built ? false : "SKIPPED: build/clicktrail.wasm is missing (npm run build)";
const artifacts = join(root, "build/test-artifacts");
const dir = mkdtempSync(join(tmpdir(), "clicktrail-clickstream-"));
const log = join(dir, "access.log");
let raw = [];

function clickstream(args, input) {
  const r = spawnSync(process.execPath, [join(root, "bin/clicktrail.mjs"), "clickstream", ...args], { cwd: dir, encoding: "utf8", input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  if (!built) return;
  const demo = await startDemo({ listen: "127.0.0.1:0", backend: "127.0.0.1:0", workers: 2, accessLog: join(dir, "live.log"), log: () => {} });
  try {
    await browse(demo.proxy.port, { log: join(dir, "live.log") });
  } finally {
    await demo.close();
  }
  raw = retime(join(dir, "live.log"), log, "envoy", (l) => /^\[[^\]]+\] "\S+ (\S+) /.exec(l)?.[1]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("the dev proxy logs envoy/envoy.yaml's line: path without the session segment, the filter's state", { skip }, () => {
  const fields = raw.map((l) => /^\[[^\]]+\] "(\S+) (\S+) HTTP\/1\.1" (\d{3}) (\d+) usertrack=(\S+) new=([01]) clickpath=(\S+) upstream=127\.0\.0\.1:\d+$/.exec(l));
  assert.ok(fields.every(Boolean), raw.join("\n"));
  assert.deepEqual(fields.map((f) => f[3]), STEPS.map((s) => (s.path === "/nope.html" ? "404" : "200")));
  const byWho = (who) => fields.filter((_, i) => STEPS[i].who === who);
  // A new visitor's first request issues the id (new=1); the crawler gets a new one every time.
  assert.deepEqual(byWho("alice").map((f) => f[6]), ["1", "0", "0", "0", "0", "0"]);
  assert.equal(new Set(byWho("alice").map((f) => f[5])).size, 1);
  assert.deepEqual(byWho("crawler").map((f) => [f[6], f[7]]), [["1", "curl"], ["1", "curl"]]);
  // dave's second visit: the same tracking id, a new ClickPath session.
  const dave = byWho("dave");
  assert.equal(new Set(dave.map((f) => f[5])).size, 1);
  assert.deepEqual(dave.map((f) => f[7] === dave[0][7]), [true, true, false, false]);
  assert.match(dave[2][7], /^[^:]+:[^:]+$/, "a ClickPath id: MACHINE:PAYLOAD (scrambled)");
});

test("the text report of the scripted session, exactly", { skip }, () => {
  const r = clickstream([log]);
  assert.equal(r.err, "");
  assert.equal(r.code, 0);
  assert.equal(r.out, expectedReport({ input: log, format: "envoy" }));
});

test("--by visitor splits dave's tracking id at the 40-minute gap: the same sessions; --idle 1h joins them", { skip }, () => {
  const r = clickstream([log, "--by", "visitor"]);
  assert.equal(r.out, expectedReport({ input: log, format: "envoy", by: "visitor" }));
  const joined = JSON.parse(clickstream([log, "--by", "visitor", "--idle", "1h", "--json"]).out);
  assert.equal(joined.sessions, 4);
  assert.deepEqual(joined.pagesPerSession.counts, [[1, 1], [3, 1], [4, 1], [5, 1]]);
  // dave: 60 s to 2490 s.
  assert.deepEqual(joined.sessionSeconds.counts, [[0, 1], [60, 1], [100, 1], [2430, 1]]);
  assert.deepEqual(joined.entryPages, [["/index.html", 3], ["/docs/page2.html", 1]]);
});

test("--json carries the text report's numbers", { skip }, () => {
  const j = JSON.parse(clickstream([log, "--json"]).out);
  assert.deepEqual(j.input, { files: [log], format: "envoy", lines: 17, unparseable: 0, samples: [] });
  assert.deepEqual(j.requests, { total: 17, pageViews: 13, other: 2, crawlers: 2, withoutId: 0, crawlerNames: [["curl", 2]] });
  assert.equal(j.sessions, 5);
  assert.equal(j.visitors, 4);
  assert.equal(j.bounces, 1);
  assert.equal(j.bounceRate, 0.2);
  assert.deepEqual([j.pagesPerSession.median, j.pagesPerSession.p90, j.pagesPerSession.mean, j.pagesPerSession.max], [2, 5, 2.6, 5]);
  assert.deepEqual([j.sessionSeconds.median, j.sessionSeconds.p90, j.sessionSeconds.mean, j.sessionSeconds.max], [30, 100, 39, 100]);
  assert.deepEqual(j.paths[1].top, [
    { pages: ["/index.html", "/docs/page2.html", "/docs/page3.html"], count: 2 },
    { pages: ["/docs/page2.html", "/docs/page3.html", "/index.html"], count: 1 },
    { pages: ["/docs/page3.html", "/index.html", "/session.html"], count: 1 },
  ]);
  assert.deepEqual(j.transitions[0], { page: "/index.html", views: 5, next: [
    { page: "/docs/page2.html", count: 3 }, { page: "/session.html", count: 1 }, { page: null, count: 1 }] });
});

test("a gzip-compressed log and standard input give the same report", { skip }, () => {
  const gz = join(dir, "access.log.gz");
  writeFileSync(gz, gzipSync(readFileSync(log)));
  assert.equal(clickstream([gz]).out, expectedReport({ input: gz, format: "envoy" }));
  assert.equal(clickstream(["-"], readFileSync(log)).out, expectedReport({ input: "(stdin)", format: "envoy" }));
  assert.equal(clickstream(["-"], gzipSync(readFileSync(log))).out, expectedReport({ input: "(stdin)", format: "envoy" }));
  // The log split in two files reads as one.
  const lines = readFileSync(log, "utf8").split("\n");
  const a = join(dir, "a.log"), b = join(dir, "b.log.gz");
  writeFileSync(a, lines.slice(0, 8).join("\n") + "\n");
  writeFileSync(b, gzipSync(lines.slice(8).join("\n")));
  assert.equal(clickstream([a, b]).out, expectedReport({ input: `${a} ${b}`, format: "envoy" }));
});

test("lines that do not parse are counted and shown with their line numbers, never fatal", { skip }, () => {
  const lines = readFileSync(log, "utf8").split("\n").filter(Boolean);
  const noProtocol = lines[9].replace(' HTTP/1.1"', '"');
  const badMonth = lines[0].replace("2026-03-01T", "2026-13-01T");
  const bad = [
    ...lines.slice(0, 2),
    "not an access log line",
    lines[2].slice(0, 40),
    ...lines.slice(2, 9),
    noProtocol,
    ...lines.slice(9),
    badMonth,
    "x".repeat(300),
    "",
    '[2026-03-01T09:00:00.000Z] "GET /x HTTP/1.1" 2000 1 usertrack=a new=0 clickpath=b:c upstream=-',
  ];
  const file = join(dir, "bad.log");
  writeFileSync(file, bad.join("\n") + "\n");
  const r = clickstream([file]);
  assert.equal(r.code, 0);
  const cut = (s) => (s.length > 120 ? s.slice(0, 117) + "..." : s);
  assert.equal(r.out, expectedReport({
    input: file, format: "envoy", lines: "23 (6 unparseable)",
    unparseable: [
      `unparseable ${file}:3: not an access log line`,
      `unparseable ${file}:4: ${lines[2].slice(0, 40)}`,
      `unparseable ${file}:12: ${cut(noProtocol)}`,
      `unparseable ${file}:21: ${cut(badMonth)}`,
      `unparseable ${file}:22: ${cut("x".repeat(300))}`,
      "... and 1 more",
    ],
  }));
});

test("usage errors name the offending argument (exit 2); a missing file is an error (exit 1)", { skip }, () => {
  assert.deepEqual(clickstream([log, "--by", "page"]).err.split("\n")[0], 'clicktrail clickstream: --by must be session or visitor, got "page"');
  assert.equal(clickstream([log, "--idle", "30 minutes"]).err.split("\n")[0], 'clicktrail clickstream: --idle must be a duration such as 30m, 90s, 1h30m or 2d, got "30 minutes"');
  assert.equal(clickstream([log, "--format", "apache", "%h %l"]).err.split("\n")[0], "clicktrail clickstream: the format has no request time (Apache %t, Envoy %START_TIME%)");
  assert.equal(clickstream([log, "--format", "apache", "%h %t %Z"]).err.split("\n")[0], 'clicktrail clickstream: LogFormat "%h %t %Z": unknown directive %Z at column 7');
  assert.equal(clickstream([]).code, 2);
  const missing = clickstream([join(dir, "nope.log")]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^clicktrail clickstream: cannot read .*nope\.log: ENOENT/);
});

const CHROMIUM = "/usr/bin/chromium";
test("--html: one self-contained page; in Chromium its numbers are the text report's", { skip: skip || (existsSync(CHROMIUM) ? false : "SKIPPED: clickstream --html in Chromium (chromium not installed)") }, async () => {
  mkdirSync(artifacts, { recursive: true });
  const html = join(artifacts, "clickstream-report.html");
  const r = clickstream([log, "--html", html]);
  assert.equal(r.out, expectedReport({ input: log, format: "envoy" }));
  const text = r.out.split("\n");
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requests = [];
    page.on("request", (req) => requests.push(req.url()));
    await page.goto(`file://${html}`);
    assert.deepEqual(requests, [`file://${html}`], "the page fetches nothing");
    const seen = await page.evaluate(() => {
      const rows = (sel) => [...document.querySelectorAll(`${sel} tr`)].map((tr) => [...tr.children].map((c) => c.textContent));
      return {
        summary: rows("#summary"), requests: rows("#requests"), entry: rows("#entry"), exit: rows("#exit"),
        paths: [2, 3, 4].map((n) => rows(`#paths-${n}`)),
        transitions: [...document.querySelectorAll("table[id^=transitions-]")].map((t) => [t.querySelector("caption").textContent,
          ...[...t.querySelectorAll("tr")].map((tr) => [...tr.children].map((c) => c.textContent))]),
        pagesBars: [...document.querySelectorAll("svg.pages .bar")].map((g) => [g.dataset.label, Number(g.dataset.value), g.querySelector(".v").textContent]),
        lengthBars: [...document.querySelectorAll("svg.length .bar")].map((g) => [g.dataset.label, Number(g.dataset.value)]),
        flowNodes: [...document.querySelectorAll("svg.flow .node title")].map((t) => t.textContent),
        flowBox: document.querySelector("svg.flow").getBoundingClientRect().width,
      };
    });
    // Every label/value row of the page is a line of the text report, padded as the text pads it.
    for (const [k, v] of [...seen.summary, ...seen.requests]) {
      assert.ok(text.some((l) => l.startsWith(k + " ") && l.slice(k.length).trim() === v), `"${k}: ${v}" is in the text report`);
    }
    assert.equal(seen.summary.length, 6);
    const block = (title) => text.slice(text.indexOf(title) + 1, text.indexOf("", text.indexOf(title)));
    const counted = (rows) => rows.map(([n, k]) => `${n}  ${k}`);
    assert.deepEqual(counted(seen.entry), block("top entry pages").map((l) => l.trim()));
    assert.deepEqual(counted(seen.exit), block("top exit pages").map((l) => l.trim()));
    for (const [i, n] of [2, 3, 4].entries()) {
      assert.deepEqual(counted(seen.paths[i]), block(`most common paths of ${n} pages`).map((l) => l.trim()));
    }
    const trans = block("transitions out of the top pages").map((l) => l.trim().replace(/\s+/g, " "));
    assert.deepEqual(seen.transitions.flatMap(([cap, ...rows]) => [cap, ...rows.map(([n, p, to]) => `${n} ${p} ${to}`)]), trans);
    // The charts: pages per session 1, 2, 2, 3, 5; lengths 0, 5, 30, 60, 100 s.
    assert.deepEqual(seen.pagesBars, [["1", 1, "1"], ["2", 2, "2"], ["3", 1, "1"], ["4", 0, "0"], ["5", 1, "1"], ["6", 0, "0"],
      ["7", 0, "0"], ["8", 0, "0"], ["9", 0, "0"], ["10+", 0, "0"]]);
    assert.deepEqual(seen.lengthBars, [["0s", 1], ["<10s", 1], ["<30s", 0], ["<1m", 1], ["<3m", 2], ["<10m", 0], ["<30m", 0], ["<1h", 0], ["1h+", 0]]);
    // The flow's nodes: step 1 has 5 sessions (4 from /index.html), step 2 has 4, step 3 has 2, step 4 has 1.
    assert.deepEqual(seen.flowNodes.sort(), ["/docs/page2.html: 1", "/docs/page2.html: 3", "/docs/page3.html: 1", "/docs/page3.html: 2",
      "/index.html: 1", "/index.html: 4"].sort());
    assert.ok(seen.flowBox > 500, "the flow diagram is drawn");
    await page.screenshot({ path: join(artifacts, "clickstream-report.png"), fullPage: true });
  } finally {
    await browser.close();
  }
});

test("a progress line on a terminal for files over a few MB, cleared at the end; none for small files", { skip }, async () => {
  const { clickstreamCommand } = await import("../../dist/cli/clickstream/command.js");
  const { PROGRESS_MIN_BYTES } = await import("../../dist/cli/clickstream/input.js");
  const text = readFileSync(log, "utf8");
  const big = join(dir, "big.log");
  writeFileSync(big, text.repeat(Math.ceil((PROGRESS_MIN_BYTES + 1) / text.length)));
  const run = async (file) => {
    let out = "";
    let err = "";
    assert.equal(await clickstreamCommand([file], { out: (s) => { out += s; }, err: (s) => { err += s; }, tty: true }), 0);
    return { out, err };
  };
  const r = await run(big);
  assert.match(r.err, /^\r\x1b\[Kclickstream: \S+big\.log \d+\.\d of \d+\.\d MB \(\d+%\), \d+ lines, \d+ sessions open/);
  assert.ok(r.err.endsWith("\r\x1b[K"), "the progress line is cleared");
  assert.match(r.out, /^lines        \d+ \(0 unparseable\)$/m);
  assert.equal((await run(log)).err, "");
});

test("clicktrail proxy --access-log FILE appends envoy/envoy.yaml's line per request; `-` where the filter set nothing", { skip }, async () => {
  const { startProcess, stop, waitForPort, freePort } = await import("../support/processes.mjs");
  const http = await import("node:http");
  const upstream = http.createServer((req, res) => res.writeHead(req.url === "/gone" ? 410 : 200, { "content-type": "text/plain" }).end("hello"));
  await new Promise((r) => upstream.listen(0, "127.0.0.1", r));
  const file = join(dir, "proxy-cli.log");
  const port = await freePort();
  const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;
  const { proc, stderr } = startProcess(process.execPath, [join(root, "bin/clicktrail.mjs"), "proxy", "--wasm", join(root, "build/clicktrail.wasm"),
    "--config", JSON.stringify({ usertrack: {} }), "--listen", `127.0.0.1:${port}`, "--upstream", upstreamUrl, "--log-level", "warn", "--access-log", file]);
  try {
    assert.equal(await waitForPort(proc, port, { timeoutMs: 15000 }), "listening", stderr());
    const a = await fetch(`http://127.0.0.1:${port}/a?x=1`);
    assert.equal(await a.text(), "hello");
    const id = /^Apache=([^;]+);/.exec(a.headers.get("set-cookie"))[1];
    await (await fetch(`http://127.0.0.1:${port}/gone`, { headers: { cookie: `Apache=${id}` } })).text();
    const { loggedLines } = await import("./browsing.mjs");
    await loggedLines(file, 2);
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
    const host = upstreamUrl.slice("http://".length);
    assert.match(lines[0], new RegExp(`^\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\] "GET /a\\?x=1 HTTP/1\\.1" 200 5 usertrack=${id.replace(".", "\\.")} new=1 clickpath=- upstream=${host}$`));
    assert.match(lines[1], new RegExp(`^\\[[^\\]]+\\] "GET /gone HTTP/1\\.1" 410 5 usertrack=${id.replace(".", "\\.")} new=0 clickpath=- upstream=${host}$`));
  } finally {
    await stop(proc);
    await new Promise((r) => upstream.close(r));
  }
});
