// convert-apache: the manuals' and the POD's configurations (tests/fixtures/apache/) convert to exact JSON
// that both validators accept; mistakes are reported with their line numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { convertApache, logicalLines, splitWords } from "../../dist/host/apache/convert.js";
import { convertAndCheck } from "../../dist/host/commands/convert-apache.js";
import { validateConfig } from "../../dist/host/commands/validate.js";

const root = new URL("../..", import.meta.url).pathname;
const fixture = (name) => join(root, "tests/fixtures/apache", name);
const at = (list) => list.map((d) => `${d.line}: ${d.message}`);

function cli(args, input) {
  return spawnSync(process.execPath, [join(root, "bin/clicktrail.mjs"), ...args], { cwd: root, encoding: "utf8", input });
}

const expected = {
  "usertrack-manual.conf": {
    usertrack: { enabled: true, cookie_name: "trk", domain: ".example.com", expires: "3 weeks", style: "Cookie2", same_site: "Lax", secure: true, http_only: true },
  },
  "clickpath-synopsis.conf": {
    clickpath: {
      enabled: true, mode: "url", prefix: "-S:", max_session_age: 18000,
      ua_exceptions: [
        ["Google", "Googlebot"], ["MSN", "msnbot"], ["Mirago", "HeinrichderMiragoRobot"], ["Yahoo", "Yahoo-MMCrawler"], ["Seekbot", "Seekbot"],
        ["Picsearch", "psbot"], ["Globalspec", "Ocelli"], ["Naver", "NaverBot"], ["Turnitin", "TurnitinBot"],
        // Apache2::ClickPath ignored these two lines (dotted names); clicktrail honours them, with a warning.
        ["dir.com", "Pompos"], ["search.ch", "search\\.ch"],
        ["IBM", "http://www\\.almaden\\.ibm\\.com/cs/crawler/"],
      ].map(([name, pattern]) => ({ name, pattern })),
    },
  },
  "clickpath-cluster.conf": {
    clickpath: {
      enabled: true, mode: "url", prefix: "-S:", max_session_age: 3600, machine: "B",
      friendly_sessions: [
        { host: "param.friendly.org", fields: ["param(ld)", "param(id)"], name: "f" },
        { host: "uri.friendly.org", fields: ["uri(1)", "uri(3)"] },
      ],
      machine_table: [
        { address: "127.0.0.12", name: "A", store: "http://127.0.0.12/store" },
        { address: "127.0.0.13", name: "B", store: "/store" },
        { address: "10.2.1.19", name: "3" },
      ],
    },
  },
  "session-manual.conf": {
    session: {
      enabled: true, upstream_header: "x-session", cookie_name: "session", cookie_attributes: "path=/private;domain=example.com;httponly;secure;",
      response_header: "X-Replace-Session", cookie_remove: true, max_age: 1800, expiry_update_interval: 60,
      include: ["/private", "/account"], exclude: ["/private/public"], crypto: { passphrases: ["secret"], format: "apache" },
    },
  },
  "session-dbd.conf": {
    session: {
      enabled: true, cookie_name: "session", cookie_attributes: "path=/;HttpOnly", max_age: 600, store: "shared", cookie_remove: true,
      crypto: { passphrases: ["a passphrase with spaces", "old-secret"], format: "apache", cipher: "aes128" },
    },
  },
};

for (const [name, config] of Object.entries(expected)) {
  test(`converts ${name} exactly, and the filter and the schema accept the result`, async () => {
    const report = await convertAndCheck(readFileSync(fixture(name), "utf8"));
    assert.deepEqual(at(report.errors), []);
    assert.deepEqual(report.filterErrors, []);
    assert.deepEqual(report.config, config);
    const v = await validateConfig(JSON.stringify(report.config));
    assert.deepEqual([...v.schemaErrors, ...v.filterErrors], []);
    assert.equal(v.ok, true);
  });
}

test("all the seed and spec configurations in one file: one config with all three sections", async () => {
  const text = ["usertrack-manual.conf", "clickpath-synopsis.conf", "session-manual.conf"].map((f) => readFileSync(fixture(f), "utf8")).join("\n");
  const report = await convertAndCheck(text);
  assert.deepEqual([...report.errors, ...report.filterErrors], []);
  assert.deepEqual(Object.keys(report.config), ["usertrack", "clickpath", "session"]);
});

test("warnings and notes carry line numbers: ClickPathSecret, scopes, lines ClickPath drops, other modules", () => {
  const r = convertApache(readFileSync(fixture("clickpath-cluster.conf"), "utf8"));
  assert.deepEqual(r.warnings.map((w) => w.line), [6, 20, 21]);
  assert.match(r.warnings[1].message, /^ClickPathSecret is not convertible: .* clickpath\.secrets/);
  assert.deepEqual(at(r.notes), [
    "3: skipped PerlLoadModule (not a mod_usertrack, ClickPath or mod_session directive)",
    "4: skipped PerlLoadModule (not a mod_usertrack, ClickPath or mod_session directive)",
    "5: skipped PerlLoadModule (not a mod_usertrack, ClickPath or mod_session directive)",
    "22: skipped PerlTransHandler (not a mod_usertrack, ClickPath or mod_session directive)",
    "23: skipped PerlOutputFilterHandler (not a mod_usertrack, ClickPath or mod_session directive)",
  ]);
  assert.equal(r.warnings[0].message, "<VirtualHost 127.0.0.1:8080>: converted as the one configuration of its listener; give each virtual host its own filter configuration");
  const s = convertApache(readFileSync(fixture("clickpath-synopsis.conf"), "utf8"));
  assert.deepEqual(at(s.warnings), [
    "14: \"dir.com\": Apache2::ClickPath ignored this line (its names are letters, digits and \"_\"); clicktrail honours it",
    "15: \"search.ch\": Apache2::ClickPath ignored this line (its names are letters, digits and \"_\"); clicktrail honours it",
  ]);
});

test("unknown and invalid directives are errors with line numbers", () => {
  const r = convertApache(readFileSync(fixture("invalid.conf"), "utf8"));
  assert.deepEqual(at(r.errors), [
    "2: CookieTracking must be On or Off",
    "3: unknown directive CookieNmae; mod_usertrack has CookieTracking, CookieName, CookieDomain, CookieExpires, CookieStyle, CookieSameSite, CookieSecure, CookieHTTPOnly",
    "5: ClickPathMaxSessionAge takes a number of seconds from 0 to 4294967295, got \"5h\"",
    "6: SessionCryptoPassphrase exec:... cannot be converted: run the program yourself and put its output into session.crypto.passphrases",
    "8: \"partner.example nothing-here\" is not \"host uri(N)|param(name)... [shortname]\"",
    "10: SessionCookieMaxAge exists only in httpd trunk (2.5-dev); Apache 2.4 refuses it too",
    "11: <Location /x> was not closed",
  ]);
});

test("values Apache would refuse are the filter's errors, placed on the lines they came from", async () => {
  const r = await convertAndCheck(readFileSync(fixture("values.conf"), "utf8"));
  assert.deepEqual(at(r.errors), []);
  assert.deepEqual(r.filterErrors.map((e) => `${e.line}: ${e.path}: ${e.message}`), [
    "3: usertrack.domain: CookieDomain values must begin with a dot",
    "4: usertrack.expires: bad expires code, unrecognized type",
    "5: usertrack.style: Invalid CookieStyle keyword: 'Cookie3'",
    "8: session.crypto.cipher: expected one of aes256, aes192, aes128, got \"3des192\"",
    "9: clickpath.prefix: \"-S/\" has a character that cannot stand unencoded in a URL path segment",
  ]);
});

test("directives in a path scope are refused; a virtual host is converted with a warning", () => {
  const r = convertApache([
    "<VirtualHost *:80>",
    "  <Location /app>",
    "    Session On",
    "  </Location>",
    "  <Directory /srv>",
    "    <ClickPathUAExceptions>",
    "      G Googlebot",
    "    </ClickPathUAExceptions>",
    "  </Directory>",
    "  CookieTracking on",
    "</VirtualHost>",
  ].join("\n"));
  assert.deepEqual(at(r.errors), [
    "3: Session inside <Location /app>: clicktrail has one configuration per filter; put per-route settings in Envoy's per-route configuration (docs/compat.md)",
    "6: <ClickPathUAExceptions> inside <Directory /srv>: clicktrail has one configuration per filter; put per-route settings in Envoy's per-route configuration (docs/compat.md)",
  ]);
  assert.deepEqual(r.warnings.map((w) => w.line), [1]);
  assert.deepEqual(r.config, { usertrack: { enabled: true } });
});

test("unknown ClickPath and Session directives and containers are errors; directive names are case-insensitive", () => {
  const r = convertApache([
    "cookietracking ON",
    "ClickPathPrefix -S:",
    "SessionCookiePath /",
    "<ClickPathMachines>",
    "</ClickPathMachines>",
    "sessioncookiename s",
  ].join("\n"));
  assert.deepEqual(r.errors.map((e) => e.line), [2, 3, 4]);
  assert.match(r.errors[0].message, /^unknown directive ClickPathPrefix; Apache2::ClickPath has ClickPathSessionPrefix, /);
  assert.match(r.errors[1].message, /^unknown directive SessionCookiePath; the mod_session family has Session, /);
  assert.match(r.errors[2].message, /^unknown container <ClickPathMachines>/);
  assert.equal(r.config.usertrack.enabled, true);
  assert.equal(r.config.session.cookie_name, "s");
});

test("Apache's line reading: continuations, comments, quotes and escaped quotes", () => {
  assert.deepEqual(logicalLines("A b \\\n  c\n# x \\\n\n  D"), [
    // A comment ending in a backslash swallows the next line too, as in httpd.
    { line: 1, text: "A b   c" }, { line: 3, text: "# x" }, { line: 5, text: "D" },
  ]);
  assert.deepEqual(splitWords(`a "b c" 'd "e"' "f \\"g\\"" h\\i`), ["a", "b c", 'd "e"', 'f "g"', "h\\i"]);
  const r = convertApache('CookieTracking on\nCookieExpires "2 weeks \\\n 3 days"\nCookieName \'my-id\'\n  # CookieName ignored');
  assert.deepEqual(r.config.usertrack, { enabled: true, expires: "2 weeks  3 days", cookie_name: "my-id" });
  assert.equal(convertApache("CookieTracking on\nCookieExpires 120").config.usertrack.expires, 120);
});

test("SessionEnv, SessionCookieName2, mod_session_dbd defaults and sections left off", () => {
  const r = convertApache("Session On\nSessionEnv On\nSessionCookieName2 s2 path=/\nSessionDBDCookieRemove Off\nCookieName x", { sessionEnvHeader: "session" });
  assert.deepEqual(r.config.session, { enabled: true, upstream_header: "session", cookie_name: "s2", cookie_attributes: "path=/", store: "shared", cookie_remove: false });
  assert.deepEqual(r.config.usertrack, { enabled: false, cookie_name: "x" });
  assert.deepEqual(r.warnings.map((w) => w.line), [2, 5, 3, 4]);
  assert.deepEqual(convertApache("ClickPathMaxSessionAge 10").config, { clickpath: { enabled: false, mode: "url", max_session_age: 10 } });
  assert.deepEqual(convertApache("ServerName x\nListen 80").config, {});
});

test("*File directives are read relative to the configuration file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ct-convert-"));
  writeFileSync(join(dir, "crawlers.txt"), "# crawlers\nGoogle: Googlebot\nBing bingbot\n");
  writeFileSync(join(dir, "passphrases"), "new-secret \"old secret\" # a comment\n");
  writeFileSync(join(dir, "site.conf"), [
    "ClickPathSessionPrefix -S:",
    "<ClickPathUAExceptions>",
    "  Replaced ByTheFile",
    "</ClickPathUAExceptions>",
    "ClickPathUAExceptionsFile crawlers.txt",
    "Session On",
    "SessionCryptoPassphraseFile passphrases",
    "SessionCryptoPassphraseFile missing",
  ].join("\n"));
  const r = cli(["convert-apache", join(dir, "site.conf")]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /site\.conf:8: SessionCryptoPassphraseFile: cannot read missing\n/);
  writeFileSync(join(dir, "site.conf"), readFileSync(join(dir, "site.conf"), "utf8").replace("\nSessionCryptoPassphraseFile missing", ""));
  const ok = cli(["convert-apache", join(dir, "site.conf")]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout), {
    clickpath: { enabled: true, mode: "url", prefix: "-S:", ua_exceptions: [{ name: "Google", pattern: "Googlebot" }, { name: "Bing", pattern: "bingbot" }] },
    session: { enabled: true, crypto: { passphrases: ["new-secret", "old secret"], format: "apache" } },
  });
});

test("clicktrail convert-apache: JSON on stdout and exit 0; FILE:LINE errors and exit 1", () => {
  const ok = cli(["convert-apache", "tests/fixtures/apache/usertrack-manual.conf"]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout), expected["usertrack-manual.conf"]);
  assert.match(ok.stderr, /^tests\/fixtures\/apache\/usertrack-manual\.conf:2: note: skipped LoadModule /);
  const bad = cli(["convert-apache", "-"], "CookieTracking on\nCookieDomain example.com\n");
  assert.equal(bad.status, 1);
  assert.equal(bad.stdout, "");
  assert.equal(bad.stderr, "(stdin):2: usertrack.domain: CookieDomain values must begin with a dot\n");
});
