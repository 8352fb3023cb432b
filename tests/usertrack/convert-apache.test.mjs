// `clicktrail convert-apache` for mod_usertrack's directives: httpd's reading of the file (continuations,
// quotes, comments, sections), the mapping to the usertrack section, and errors with line numbers from
// the directive shape (httpd's texts) and from the filter's own validation (Apache's texts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, wasmPath } from "./helpers.mjs";

const commandFile = root + "dist/cli/commands/convert-apache.js";
const have = existsSync(commandFile) && existsSync(wasmPath);
if (!have) console.log("SKIPPED: convert-apache tests (run npm run build)");
const { convertApache, } = have ? await import(commandFile) : {};
const { getwordsConf } = have ? await import(root + "dist/cli/apache/words.js") : {};

test("words split and unquote as ap_getword_conf does (checked against httpd's CookieName)", { skip: !have }, () => {
  assert.deepEqual(getwordsConf(`  "2 weeks"  plain 'single q' "a\\"b" "c\\\\d" "e\\xf" "unterminated`),
    ["2 weeks", "plain", "single q", 'a"b', "c\\d", "e\\xf", "unterminated"]);
  // httpd: CookieName a\\b\\\\c → a\b\\c ; CookieName "q\\r\"s\\\\t" → q\r"s\\t
  assert.deepEqual(getwordsConf(String.raw`a\\b\\\\c`), [String.raw`a\b\\c`]);
  assert.deepEqual(getwordsConf(String.raw`"q\\r\"s\\\\t"`), [String.raw`q\r"s\\t`]);
  assert.deepEqual(getwordsConf(""), []);
});

test("usertrack directives become the usertrack section", { skip: !have }, async () => {
  const text = [
    "# tracking",
    "CookieTracking on",
    "cookiename trk",
    "CookieDomain .example.com",
    'CookieExpires "2 weeks \\',
    '  3 days"',
    "CookieStyle RFC2109",
    "CookieSameSite Lax",
    "CookieSecure On",
    "CookieHTTPOnly off",
    "",
  ].join("\n");
  const r = await convertApache(text, wasmPath);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.config, { usertrack: { enabled: true, cookie_name: "trk", domain: ".example.com",
    expires: "2 weeks   3 days", style: "RFC2109", same_site: "Lax", secure: true, http_only: false } });
  const numeric = await convertApache("CookieTracking on\nCookieExpires 3600\n", wasmPath);
  assert.deepEqual(numeric.config, { usertrack: { enabled: true, expires: 3600 } });
  const off = await convertApache("CookieName x\n", wasmPath);
  assert.deepEqual(off.config, { usertrack: { cookie_name: "x", enabled: false } });
});

test("errors name their lines, with httpd's and Apache's messages", { skip: !have }, async () => {
  const text = [
    "CookieTracking yes",          // 1
    "CookieName a b",              // 2
    "<Location /x>",               // 3
    "  CookieDomain .example.com", // 4
    "</Location>",                 // 5
    "LoadModule foo bar.so",       // 6
    "CookieSameSite",              // 7
  ].join("\n");
  const r = await convertApache(text, wasmPath);
  assert.deepEqual(r.errors, [
    { line: 1, message: "CookieTracking must be On or Off" },
    { line: 2, message: "CookieName takes one argument, name of the tracking cookie" },
    { line: 4, message: "CookieDomain inside <Location /x>: clicktrail has one configuration per filter; put per-route settings in Envoy's per-route configuration (docs/compat.md)" },
    // Line 6 (LoadModule): other modules' directives are skipped with a note on stderr, not errors.
    { line: 7, message: "CookieSameSite takes one argument, SameSite setting" },
  ]);
  const semantic = await convertApache('CookieTracking on\nCookieDomain example.com\nCookieExpires "1 xyz"\nCookieStyle rfc6265\n', wasmPath);
  assert.deepEqual(semantic.errors, [
    { line: 2, message: "usertrack.domain: CookieDomain values must begin with a dot" },
    { line: 3, message: "usertrack.expires: bad expires code, unrecognized type" },
    { line: 4, message: "usertrack.style: Invalid CookieStyle keyword: 'rfc6265'" },
  ]);
  // A virtual host's directives are converted (with a warning); the unclosed section is the error.
  const unclosed = await convertApache("<VirtualHost *:80>\nCookieTracking on\n", wasmPath);
  assert.deepEqual(unclosed.errors.map((e) => e.line), [1]);
});

test("the CLI prints JSON or FILE:LINE errors", { skip: !have }, () => {
  const dir = mkdtempSync(join(tmpdir(), "clicktrail-convert-"));
  try {
    const good = join(dir, "good.conf");
    writeFileSync(good, "CookieTracking on\nCookieExpires 60\n");
    const ok = spawnSync(process.execPath, [root + "bin/clicktrail.mjs", "convert-apache", good], { encoding: "utf8" });
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { usertrack: { enabled: true, expires: 60 } });
    const bad = join(dir, "bad.conf");
    writeFileSync(bad, "CookieTracking on\nCookieDomain .com\n");
    const no = spawnSync(process.execPath, [root + "bin/clicktrail.mjs", "convert-apache", bad], { encoding: "utf8" });
    assert.equal(no.status, 1);
    assert.equal(no.stdout, "");
    assert.equal(no.stderr, `${bad}:2: usertrack.domain: CookieDomain values must contain at least one embedded dot\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
