// Interop with a real Apache httpd (mod_session, mod_session_cookie, mod_session_crypto, mod_cgi): a
// cookie Apache issues is read by clicktrail, and a cookie clicktrail issues is read by Apache, for plain
// sessions and for mod_session_crypto's format. Apache runs from a temporary ServerRoot on a random
// loopback port and is always stopped afterwards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync, chmodSync, rmSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Host } from "../../dist/host/index.js";
import { freePort, startProcess, stop, waitForPort } from "../support/processes.mjs";

const HTTPD = "/usr/sbin/apache2";
const MODULES = "/usr/lib/apache2/modules";
const NEEDED = ["mod_mpm_prefork", "mod_authz_core", "mod_alias", "mod_cgi", "mod_session", "mod_session_cookie", "mod_session_crypto"];
const available = existsSync(HTTPD) && NEEDED.every((m) => existsSync(join(MODULES, `${m}.so`)));

if (!available) {
  console.log("SKIPPED: session interop (apache2 not installed)");
} else {
  let root;
  let port;
  let httpd;

  /** GET from Apache; resolves { status, headers, body }. */
  const get = (path, cookie) => new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET", headers: cookie ? { cookie } : {} }, (res) => {
      let body = "";
      res.setEncoding("latin1");
      res.on("data", (c) => { body += c; });
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "clicktrail-httpd-"));
    chmodSync(root, 0o755);
    port = await freePort();
    const script = join(root, "session.cgi");
    writeFileSync(script, [
      "#!/bin/sh",
      "echo 'Content-Type: text/plain'",
      // The query string is the session update the application hands back through SessionHeader.
      'if [ -n "$QUERY_STRING" ]; then echo "X-Replace-Session: $QUERY_STRING"; fi',
      "echo",
      'printf "%s" "$HTTP_SESSION"',
      "",
    ].join("\n"));
    chmodSync(script, 0o755);
    const asRoot = process.getuid && process.getuid() === 0;
    const conf = [
      `ServerRoot "${root}"`,
      `Listen 127.0.0.1:${port}`,
      "ServerName 127.0.0.1",
      `PidFile "${root}/httpd.pid"`,
      `ErrorLog "${root}/error.log"`,
      "LogLevel warn",
      ...["mpm_prefork", "authz_core", "alias", "cgi", "session", "session_cookie", "session_crypto"]
        .map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
      asRoot ? "User nobody" : "",
      asRoot ? "Group nogroup" : "",
      "StartServers 1", "MinSpareServers 1", "MaxSpareServers 2",
      `ScriptAlias /plain/ "${root}/"`,
      `ScriptAlias /enc/ "${root}/"`,
      `ScriptAlias /age/ "${root}/"`,
      `<Directory "${root}">`, "  Require all granted", "</Directory>",
      "<Location /plain/>",
      "  Session On", "  SessionEnv On", "  SessionCookieName session path=/", "  SessionHeader X-Replace-Session",
      "</Location>",
      "<Location /enc/>",
      "  Session On", "  SessionEnv On", "  SessionCookieName esession path=/", "  SessionHeader X-Replace-Session",
      "  SessionCryptoPassphrase secret",
      "</Location>",
      "<Location /age/>",
      "  Session On", "  SessionEnv On", "  SessionCookieName asession path=/", "  SessionHeader X-Replace-Session",
      "  SessionMaxAge 600", "  SessionCryptoPassphrase other secret", "  SessionCryptoCipher aes128",
      "</Location>",
      "",
    ].join("\n");
    writeFileSync(join(root, "httpd.conf"), conf);
    // Its own process group: on shutdown prefork signals its whole group, which would include us.
    const started = startProcess(HTTPD, ["-d", root, "-f", join(root, "httpd.conf"), "-DFOREGROUND"], { ownGroup: true });
    httpd = started.proc;
    if (await waitForPort(httpd, port, { timeoutMs: 10000, intervalMs: 100 }) === "listening") return;
    let log = "";
    try { log = readFileSync(join(root, "error.log"), "utf8"); } catch {}
    throw new Error(`httpd did not start: ${started.stderr()}\n${log}`);
  });

  after(async () => {
    if (httpd) await stop(httpd);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const REQUEST = [[":method", "GET"], [":path", "/"], [":authority", "example.com"], [":scheme", "http"]];

  async function clicktrail(session) {
    const h = await Host.create({ wasm: "build/clicktrail.wasm", config: { session } });
    assert.equal(h.configured, true, JSON.stringify(h.logs));
    return h;
  }

  function through(h, { cookie, update }) {
    const s = h.newStream({ worker: 0 });
    s.sendRequestHeaders([...REQUEST, ...(cookie ? [["cookie", cookie]] : [])], { endOfStream: true });
    const up = s.requestHeaders.filter(([n]) => n === "x-session").map(([, v]) => v);
    s.sendResponseHeaders([[":status", "200"], ...(update ? [["x-replace-session", update]] : [])], { endOfStream: true });
    const setCookies = s.responseHeaders.filter(([n]) => n === "set-cookie").map(([, v]) => v);
    s.complete();
    return { up, setCookies };
  }

  const setCookieList = (headers) => [].concat(headers["set-cookie"] ?? []);

  test("max age + aes128 + rotated passphrases: expiry survives both directions", async () => {
    const config = { cookie_name: "asession", cookie_attributes: "path=/", upstream_header: "x-session",
      response_header: "x-replace-session", max_age: 600,
      crypto: { format: "apache", cipher: "aes128", passphrases: ["other", "secret"] } };
    const before = Date.now() * 1000;
    const res = await get("/age/session.cgi?user=carol");
    const cookies = setCookieList(res.headers);
    assert.equal(cookies.length, 1);
    assert.match(cookies[0], /^asession=[A-Za-z0-9+/]+=*;Max-Age=600;path=\/$/);
    const h = await clicktrail(config);
    const read = through(h, { cookie: pair(cookies[0]) });
    const m = /^user=carol&expiry=(\d+)$/.exec(read.up[0] ?? "");
    assert.ok(m, JSON.stringify(read.up));
    const expiry = Number(m[1]);
    assert.ok(expiry >= before + 600e6 - 5e6 && expiry <= Date.now() * 1000 + 600e6, `${expiry}`);
    // clicktrail renews it (max age) and Apache reads the renewal.
    assert.equal(read.setCookies.length, 1);
    assert.match(read.setCookies[0], /;Max-Age=600;path=\/$/);
    const back = await get("/age/session.cgi", pair(read.setCookies[0]));
    assert.match(back.body, /^user=carol&expiry=\d+$/);
  });

  const pair = (setCookie) => setCookie.slice(0, setCookie.indexOf(";"));

  for (const mode of [
    { name: "plain", path: "/plain/session.cgi", cookie: "session", crypto: undefined },
    { name: "encrypted (apache format)", path: "/enc/session.cgi", cookie: "esession", crypto: { format: "apache", passphrases: ["secret"] } },
  ]) {
    const config = { cookie_name: mode.cookie, cookie_attributes: "path=/", upstream_header: "x-session",
      response_header: "x-replace-session", ...(mode.crypto ? { crypto: mode.crypto } : {}) };

    test(`${mode.name}: a cookie Apache issues is read by clicktrail`, async () => {
      const res = await get(`${mode.path}?user=alice&role=adm+x&note=a%2Fb`);
      assert.equal(res.status, 200);
      const cookies = setCookieList(res.headers);
      assert.equal(cookies.length, 1, JSON.stringify(res.headers));
      if (!mode.crypto) assert.equal(cookies[0], "session=user=alice&role=adm+x&note=a%2fb;path=/");
      const h = await clicktrail(config);
      assert.deepEqual(through(h, { cookie: pair(cookies[0]) }).up, ["user=alice&role=adm+x&note=a%2fb"]);
      assert.equal(h.metrics.get("clicktrail.session.loaded"), 1);
    });

    test(`${mode.name}: a cookie clicktrail issues is read by Apache`, async () => {
      const h = await clicktrail(config);
      const issued = through(h, { update: "user=bob&x=a%20b&k%3D=v%26" });
      assert.equal(issued.setCookies.length, 1);
      if (!mode.crypto) assert.equal(issued.setCookies[0], "session=user=bob&x=a+b&k%3d=v%26;path=/");
      const res = await get(mode.path, pair(issued.setCookies[0]));
      assert.equal(res.status, 200);
      assert.equal(res.body, "user=bob&x=a+b&k%3d=v%26");
      // Apache read the session without complaint and, with nothing changed and no max age, wrote nothing.
      assert.deepEqual(setCookieList(res.headers), []);
    });
  }
}
