// The scripted browsing session (browsing.mjs) against real Apache httpd (Debian apache2) serving the demo
// site with mod_usertrack on, logging through the LogFormat strings the originals' documentation gives.
// Apache2::ClickPath (a mod_perl module) is not installed here, so the part of its translation handler
// that the log sees is played by mod_rewrite and mod_setenvif: a /-S:ID/ segment is stripped from the URI
// (%U) and ID becomes SESSION, and a crawler's User-Agent puts the exception's name in SESSION, as ClickPath
// does. The visitors start with made-up ids (web1:alice1, ...), since nothing rewrites Apache's links.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startProcess, stop, waitForPort } from "../support/processes.mjs";
import { browse, expectedReport, retime } from "./browsing.mjs";

const root = new URL("../../", import.meta.url).pathname;
const MODULES = "/usr/lib/apache2/modules";
const apache2 = ["/usr/sbin/apache2", "/usr/local/sbin/apache2"].find((p) => existsSync(p)) ?? null;
const needed = ["mod_usertrack.so", "mod_rewrite.so", "mod_setenvif.so", "mod_mpm_event.so", "mod_authz_core.so"];
const haveApache = apache2 !== null && needed.every((m) => existsSync(join(MODULES, m)));
if (!haveApache) console.log("SKIPPED: clickstream of Apache's logs (apache2 with mod_usertrack, mod_rewrite, mod_setenvif not installed)");
const skip = !haveApache;

// The originals' LogFormat strings as their documentation writes them (Apache2::ClickPath's POD; the
// mod_usertrack manual's, whose %{Apache}n Apache 2.4 logs as "-"), the manual's fixed form with
// %{cookie}n, and combined with both ids.
const FORMATS = {
  clickpath: String.raw`%h %l %u %t \"%m %U%q %H\" %>s %b \"%{Referer}i\" \"%{User-agent}i\" \"%{SESSION}e\"`,
  manual: "%{Apache}n %r %t",
  usertrack: "%{cookie}n %r %t",
  both: String.raw`%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\" %{cookie}n \"%{SESSION}e\"`,
};

const dir = mkdtempSync(join(tmpdir(), "clicktrail-clickstream-apache-"));
const logs = {};
let proc = null;

function clickstream(args) {
  const r = spawnSync(process.execPath, [join(root, "bin/clicktrail.mjs"), "clickstream", ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  if (skip) return;
  chmodSync(dir, 0o755);
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  // A copy inside the test's own directory: as root, Apache serves as www-data, which may not be able to
  // read the checkout (a clone in a `mktemp -d` directory is mode 0700).
  const site = join(dir, "site");
  cpSync(join(root, "demo/site"), site, { recursive: true });
  const conf = [
    `ServerRoot "${dir}"`, `PidFile "${dir}/httpd.pid"`, `Listen 127.0.0.1:${port}`, "ServerName 127.0.0.1",
    `ErrorLog "${dir}/error.log"`, "LogLevel warn", `DefaultRuntimeDir "${dir}"`,
    ...["mpm_event", "authz_core", "usertrack", "rewrite", "setenvif"].map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
    ...(asRoot ? ["User www-data", "Group www-data"] : []),
    "StartServers 1", "ServerLimit 1", "ThreadsPerChild 4", "MaxRequestWorkers 4",
    `DocumentRoot "${site}"`, `<Directory "${site}">`, "  Require all granted", "</Directory>",
    "CookieTracking on",
    "RewriteEngine on",
    // ClickPath's translation handler: strip /-S:ID/ from the URI, ID is SESSION ([PT]: %U is the new URI).
    "RewriteRule ^/-S:([^/]+)(/.*)$ $2 [E=SESSION:$1,PT]",
    // ClickPath's <ClickPathUAExceptions>: SESSION is the exception's name, and there is no id.
    "SetEnvIf User-Agent ^curl/ SESSION=curl",
    ...Object.entries(FORMATS).flatMap(([name, f]) => [`LogFormat "${f}" ${name}`, `CustomLog "${dir}/${name}.log" ${name}`]),
    "",
  ].join("\n");
  writeFileSync(join(dir, "httpd.conf"), conf);
  const started = startProcess(apache2, ["-f", join(dir, "httpd.conf"), "-DFOREGROUND"]);
  proc = started.proc;
  const ready = await waitForPort(proc, port, { timeoutMs: 10000, intervalMs: 50 });
  if (ready !== "listening") throw new Error(`apache2 did not start (${ready}): ${started.stderr()}`);
  await browse(port, { segmentFor: (who, visit) => `/-S:web1:${who}${visit}`, log: join(dir, "usertrack.log") });
  await stop(proc); // Apache writes its logs as requests end; stopping flushes and closes them.
  proc = null;
  const pathOf = {
    clickpath: (l) => /"GET (\S+) HTTP\/1\.1"/.exec(l)?.[1],
    manual: (l) => /^\S+ GET (?:\/-S:[^/]+)?(\S+) HTTP\/1\.1 /.exec(l)?.[1],
    usertrack: (l) => /^\S+ GET (?:\/-S:[^/]+)?(\S+) HTTP\/1\.1 /.exec(l)?.[1],
    both: (l) => /"GET (?:\/-S:[^/]+)?(\S+) HTTP\/1\.1"/.exec(l)?.[1],
  };
  for (const name of Object.keys(FORMATS)) {
    logs[name] = join(dir, `${name}-script.log`);
    retime(join(dir, `${name}.log`), logs[name], "apache", pathOf[name]);
  }
});

after(async () => {
  if (proc) await stop(proc);
  rmSync(dir, { recursive: true, force: true });
});

test("Apache2::ClickPath's LogFormat (%U%q, %{SESSION}e): the dev proxy's report, without visitors", { skip }, () => {
  const r = clickstream([logs.clickpath, "--format", "apache", FORMATS.clickpath]);
  assert.equal(r.err, "");
  assert.equal(r.out, expectedReport({ input: logs.clickpath, format: "apache", visitors: "n/a (no tracking id in the log)" }));
  assert.match(clickstream([logs.clickpath, "--format", "apache", FORMATS.clickpath, "--by", "visitor"]).err,
    /^clicktrail clickstream: --by visitor needs a tracking id in the log \(Apache %\{cookie\}n\); this format has none\n/);
});

test("both ids in one LogFormat (%r, %{cookie}n, %{SESSION}e): the dev proxy's report, by session and by visitor", { skip }, () => {
  const args = ["--format", "apache", FORMATS.both];
  assert.equal(clickstream([logs.both, ...args]).out, expectedReport({ input: logs.both, format: "apache" }));
  assert.equal(clickstream([logs.both, ...args, "--by", "visitor"]).out, expectedReport({ input: logs.both, format: "apache", by: "visitor" }));
});

test("mod_usertrack's %{cookie}n alone (no status): a crawler without cookies is a new visitor on every request", { skip }, () => {
  const lines = readFileSync(logs.usertrack, "utf8").split("\n").filter(Boolean);
  assert.match(lines[0], /^[0-9a-f]{1,8}\.[0-9a-f]{1,16} GET \/-S:web1:alice1\/index\.html HTTP\/1\.1 \[/);
  const j = JSON.parse(clickstream([logs.usertrack, "--format", "apache", FORMATS.usertrack, "--json"]).out);
  assert.equal(j.by, "visitor");
  // Without %>s bob's 404 is a page view too; /style.css is still a static file.
  assert.deepEqual(j.requests, { total: 17, pageViews: 16, other: 1, crawlers: 0, withoutId: 0, crawlerNames: [] });
  // The five sessions of the script, and the crawler's two requests as two one-page sessions.
  assert.equal(j.sessions, 7);
  assert.equal(j.visitors, 6);
  assert.equal(j.bounces, 3);
  assert.deepEqual(j.entryPages, [["/index.html", 5], ["/docs/page2.html", 2]]);
  assert.deepEqual(j.pagesPerSession.counts, [[1, 3], [2, 2], [4, 1], [5, 1]]);
  // Exits: alice /session.html, bob /nope.html, carol /index.html, dave /docs/page3.html and /docs/page2.html,
  // the crawler /index.html and /docs/page2.html.
  assert.deepEqual(j.exitPages, [["/docs/page2.html", 2], ["/index.html", 2], ["/docs/page3.html", 1], ["/nope.html", 1], ["/session.html", 1]]);
});

test("the mod_usertrack manual's own example (%{Apache}n) parses, but Apache 2.4 logs - there: no ids", { skip }, () => {
  const lines = readFileSync(logs.manual, "utf8").split("\n").filter(Boolean);
  assert.ok(lines.every((l) => l.startsWith("- GET ")), lines.join("\n"));
  const j = JSON.parse(clickstream([logs.manual, "--format", "apache", FORMATS.manual, "--json"]).out);
  assert.deepEqual(j.input.unparseable, 0);
  assert.deepEqual(j.requests, { total: 17, pageViews: 0, other: 0, crawlers: 0, withoutId: 17, crawlerNames: [] });
  assert.equal(j.sessions, 0);
});
