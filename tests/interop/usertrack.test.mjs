// Interop: real Apache httpd (Debian apache2, mod_usertrack) and clicktrail with the same settings, side
// by side. Apache runs on 127.0.0.1 from a temporary ServerRoot, one instance per configuration; the
// clicktrail filter runs in the project's host with Apache's own request time and random part injected
// (both read back from Apache's cookie), so every Set-Cookie line must agree field by field and byte for
// byte. Detection (which Cookie headers count as the tracking cookie, and the id Apache logs as
// %{cookie}n) and configuration errors (Apache's `-t` message) are compared too.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import http from "node:http";
import net from "node:net";
import { apacheParts, cookieFields, headerValues, le32, loadHost, roundTrip, scriptedRandom, state, wasmPath } from "../usertrack/helpers.mjs";

const MODULES = "/usr/lib/apache2/modules";
const apache2 = ["/usr/sbin/apache2", "/usr/local/sbin/apache2"].find((p) => existsSync(p))
  ?? (spawnSync("sh", ["-c", "command -v apache2"], { encoding: "utf8" }).stdout.trim() || null);
const haveApache = apache2 != null && existsSync(join(MODULES, "mod_usertrack.so"));
const Host = haveApache ? await loadHost() : null;
if (!haveApache) console.log("SKIPPED: usertrack interop (apache2 not installed)");
else if (!Host) console.log("SKIPPED: usertrack interop (dist/host has no Host; merge branch host)");
const skip = !haveApache || !Host;

// Every configuration is run through both. Keys are clicktrail's; apacheDirectives() writes Apache's.
const CONFIGS = [
  {},
  { expires: "2 weeks" },
  { expires: 3600, style: "Cookie" },
  { expires: "1 day 2 hours", style: "Cookie2" },
  { style: "Cookie2", domain: ".example.com" },
  { style: "RFC2109", domain: ".example.com", expires: 120 },
  { cookie_name: "trk", same_site: "Lax" },
  { same_site: "Strict", secure: true, http_only: true },
  { same_site: "None", secure: true, style: "RFC2965", domain: ".a.example.org", expires: "plus 1 month" },
  { domain: ".example.com", expires: "3 hours 7" },
  { cookie_name: "visitor_id", http_only: true, expires: "1 y 1 mo 1 mi 1 s" },
  { style: "Netscape", expires: "2 weeks 3 days 7 hours", domain: ".example.com", same_site: "lax", secure: true, http_only: true },
  { style: "cookie2", http_only: true, secure: true },
  { cookie_name: "A-b_c", expires: "10 minutes", style: "netscape" },
];

// Cookie headers sent to both; N is the configured cookie name. An array is several Cookie lines.
const DETECTION = [
  "foo=1, N=abc.123; bar=2", "other=2;  N=keep.me", "a=1;N=q1", "XN=1", "n=zzz", "N=", "N=v1 ; x=2",
  "x N=1", "N=; N=later", "N =1", ["a=1", "N=second-line"], ["N=", "b=2, N=third"],
];

const BAD = [
  [{ domain: "example.com" }, "domain"],
  [{ domain: ".com" }, "domain"],
  [{ expires: "1 xyz" }, "expires"],
  [{ expires: "weeks 2" }, "expires"],
  [{ expires: "plus 1" }, "expires"],
  [{ style: "rfc6265" }, "style"],
  [{ same_site: "always" }, "same_site"],
];

function quote(v) { return '"' + String(v).replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"'; }

function apacheDirectives(c) {
  const out = ["CookieTracking on"];
  if (c.cookie_name !== undefined) out.push("CookieName " + c.cookie_name);
  if (c.domain !== undefined) out.push("CookieDomain " + quote(c.domain));
  if (c.expires !== undefined) out.push("CookieExpires " + (typeof c.expires === "number" ? c.expires : quote(c.expires)));
  if (c.style !== undefined) out.push("CookieStyle " + c.style);
  if (c.same_site !== undefined) out.push("CookieSameSite " + c.same_site);
  if (c.secure) out.push("CookieSecure on");
  if (c.http_only) out.push("CookieHTTPOnly on");
  return out;
}

const running = new Set();
const dirs = [];
function stopAllSync() {
  for (const p of running) { try { p.kill("SIGKILL"); } catch {} }
  running.clear();
}
process.on("exit", stopAllSync);
after(async () => {
  await Promise.all([...running].map(stop));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

function serverRoot(directives, port) {
  const dir = mkdtempSync(join(tmpdir(), "clicktrail-usertrack-"));
  dirs.push(dir);
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, "htdocs"));
  writeFileSync(join(dir, "htdocs", "index.html"), "hello\n");
  const asRoot = process.getuid?.() === 0;
  const conf = [
    `ServerRoot "${dir}"`, `PidFile "${dir}/httpd.pid"`, `Listen 127.0.0.1:${port}`, "ServerName 127.0.0.1",
    `ErrorLog "${dir}/error.log"`, "LogLevel warn", `DefaultRuntimeDir "${dir}"`,
    `LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so`,
    `LoadModule authz_core_module ${MODULES}/mod_authz_core.so`,
    `LoadModule usertrack_module ${MODULES}/mod_usertrack.so`,
    ...(asRoot ? ["User www-data", "Group www-data"] : []),
    "StartServers 1", "ServerLimit 1", "ThreadsPerChild 4", "MaxRequestWorkers 4",
    `DocumentRoot "${dir}/htdocs"`, `<Directory "${dir}">`, "  Require all granted", "</Directory>",
    'LogFormat "%{cookie}n" usertrack', `CustomLog "${dir}/access.log" usertrack`,
    ...directives, "",
  ].join("\n");
  writeFileSync(join(dir, "httpd.conf"), conf);
  return dir;
}

async function start(directives) {
  const port = await freePort();
  const dir = serverRoot(directives, port);
  const proc = spawn(apache2, ["-f", join(dir, "httpd.conf"), "-DFOREGROUND"], { stdio: ["ignore", "ignore", "pipe"] });
  running.add(proc);
  let stderr = "";
  proc.stderr.on("data", (d) => { stderr += d; });
  proc.on("exit", () => running.delete(proc));
  const deadline = Date.now() + 10000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error("apache2 exited: " + stderr + readLog(join(dir, "error.log")));
    if (await canConnect(port)) break;
    if (Date.now() > deadline) { await stop(proc); throw new Error("apache2 did not start: " + stderr); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, port, dir };
}

function readLog(file) { return existsSync(file) ? readFileSync(file, "utf8") : ""; }

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.on("connect", () => { s.destroy(); resolve(true); });
    s.on("error", () => resolve(false));
  });
}

function stop(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) { running.delete(proc); return resolve(); }
    const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
    proc.once("exit", () => { clearTimeout(timer); running.delete(proc); resolve(); });
    proc.kill("SIGTERM");
  });
}

/** GET from Apache; resolves to the raw response headers as [name, value] pairs. */
function get(port, path, cookies) {
  return new Promise((resolve, reject) => {
    const headers = {};
    if (cookies !== undefined) headers.Cookie = cookies;
    const req = http.get({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on("end", () => {
        const pairs = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
        resolve({ status: res.statusCode, pairs });
      });
    });
    req.on("error", reject);
  });
}

function trackingLines(pairs) {
  return pairs.filter(([k]) => /^set-cookie2?$/i.test(k)).map(([k, v]) => k.toLowerCase() + ": " + v);
}

function cookieName(c) { return c.cookie_name ?? "Apache"; }

function detectionCookies(template, name) {
  const sub = (s) => s.replace(/n=zzz/, name.toLowerCase() + "=zzz").replace(/N/g, name);
  return Array.isArray(template) ? template.map(sub) : sub(template);
}

const VALUE = /^[0-9a-f]{1,8}\.[0-9a-f]{1,16}$/;

async function clicktrail(usertrack, micros, random) {
  const host = await Host.create({ wasm: wasmPath, config: { usertrack }, workers: 1, vmId: "", pluginName: "clicktrail",
    rootId: "", clock: () => micros * 1000n, random: scriptedRandom(le32(random)), logLevel: "info" });
  assert.equal(host.configured, true, JSON.stringify(host.logs));
  return host;
}

for (const [i, config] of CONFIGS.entries()) {
  test(`Set-Cookie and detection agree with Apache: ${JSON.stringify(config)}`, { skip }, async () => {
    const name = cookieName(config);
    const apache = await start(apacheDirectives(config));
    const logged = [];
    try {
      for (const path of ["/", "/missing"]) {
        const res = await get(apache.port, path);
        const lines = trackingLines(res.pairs);
        assert.equal(lines.length, 1, `Apache sent ${lines.length} tracking cookies on ${path}`);
        const [apacheHeader, apacheLine] = [lines[0].slice(0, lines[0].indexOf(": ")), lines[0].slice(lines[0].indexOf(": ") + 2)];
        const value = apacheLine.slice(name.length + 1, apacheLine.indexOf(";"));
        assert.match(value, VALUE);
        logged.push(value);
        const { random, micros } = apacheParts(value);
        const host = await clicktrail(config, micros, random);
        const s = roundTrip(host, { status: path === "/" ? "200" : "404" });
        const ours = headerValues(s.responseHeaders, apacheHeader);
        assert.equal(ours.length, 1, `clicktrail sent no ${apacheHeader} (${JSON.stringify(s.responseHeaders)})`);
        assert.equal(headerValues(s.responseHeaders, apacheHeader === "set-cookie" ? "set-cookie2" : "set-cookie").length, 0);
        // Field by field with the value masked, then the whole line (same time and random part).
        const a = cookieFields(apacheLine);
        const c = cookieFields(ours[0]);
        assert.equal(c.name, a.name);
        assert.match(ours[0].slice(name.length + 1, ours[0].indexOf(";")), VALUE);
        assert.deepEqual(c.attributes, a.attributes);
        assert.equal(ours[0], apacheLine);
        assert.equal(state(s, "clicktrail_usertrack_id"), value);
      }
      const host = await clicktrail(config, 1n, 1);
      for (const template of DETECTION) {
        const cookies = detectionCookies(template, name);
        const res = await get(apache.port, "/", cookies);
        const apacheSets = trackingLines(res.pairs).length;
        const s = roundTrip(host, { cookies: Array.isArray(cookies) ? cookies : [cookies] });
        const oursSets = headerValues(s.responseHeaders, "set-cookie").length + headerValues(s.responseHeaders, "set-cookie2").length;
        assert.equal(oursSets, apacheSets, JSON.stringify(cookies));
        logged.push(apacheSets ? null : state(s, "clicktrail_usertrack_id"));
      }
    } finally {
      await stop(apache.proc);
    }
    // Apache's %{cookie}n for every request; for returning visitors it must equal our id. Apache writes
    // the line after the response, so lines of consecutive requests may swap: compare as multisets.
    const notes = readFileSync(join(apache.dir, "access.log"), "utf8").trimEnd().split("\n");
    assert.equal(notes.length, logged.length);
    for (const want of logged) {
      if (want === null) continue;
      const k = notes.indexOf(want);
      assert.notEqual(k, -1, `Apache logged no ${JSON.stringify(want)} (${JSON.stringify(notes)})`);
      notes.splice(k, 1);
    }
  });
}

test("configuration errors carry Apache's messages", { skip }, async () => {
  for (const [config, key] of BAD) {
    const port = await freePort();
    const dir = serverRoot(apacheDirectives(config), port);
    const r = spawnSync(apache2, ["-t", "-f", join(dir, "httpd.conf")], { encoding: "utf8" });
    assert.notEqual(r.status, 0, JSON.stringify(config));
    const lines = (r.stdout + r.stderr).trim().split("\n");
    const message = lines[lines.findIndex((l) => l.includes("Syntax error")) + 1].trim();
    const host = await Host.create({ wasm: wasmPath, config: { usertrack: config }, clock: () => 0n, random: scriptedRandom([]) });
    assert.equal(host.configured, false);
    const ours = host.logs.map((l) => l.message).find((m) => m.includes(`usertrack.${key}: `)) ?? "(none)";
    assert.equal(ours.slice(ours.indexOf(`usertrack.${key}: `) + `usertrack.${key}: `.length), message, JSON.stringify(config));
  }
});
