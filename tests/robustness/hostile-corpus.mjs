#!/usr/bin/env node
// Builds the hostile corpus (tests/fixtures/hostile/*.json): inputs written here, outcomes recorded from
// build/clicktrail.wasm once and then reviewed by hand — every recorded outcome is a safe one (a default,
// a refused id, a body passed through, a logged error), never a trap. Re-run after a deliberate behaviour
// change and review the diff:
//
//   npm run build && node tests/robustness/hostile-corpus.mjs
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { makeHost, runCase, NOW_S } from "./hostile-run.mjs";

const dir = new URL("../fixtures/hostile/", import.meta.url);
mkdirSync(dir, { recursive: true });

// The deployment example (envoy/clicktrail.json) with a test passphrase: all three features on.
const FULL = {
  usertrack: { cookie_name: "Apache", expires: "1 year", same_site: "lax", http_only: true, upstream_header: "x-usertrack-id" },
  clickpath: {
    prefix: "-S:", max_session_age: 18000,
    ua_exceptions: [{ name: "Google", pattern: "Googlebot" }, { name: "Bing", pattern: "bingbot" }, { name: "curl", pattern: "^curl/" }],
    machine_table: [{ address: "127.0.0.1", name: "web1" }, { address: "127.0.0.2", name: "web2" }],
    referrer_policy: "strict-origin-when-cross-origin",
  },
  session: {
    cookie_name: "session", cookie_attributes: "path=/;HttpOnly;SameSite=Lax", max_age: 1800, expiry_update_interval: 60,
    upstream_header: "x-session", response_header: "x-replace-session",
    crypto: { format: "aead", passphrases: ["hostile-corpus passphrase, test only"] },
  },
};
// Session in clear (so the decoded session is visible upstream) and a friendly-session partner.
const PLAIN = structuredClone(FULL);
delete PLAIN.session.crypto;
PLAIN.clickpath.friendly_sessions = [{ host: "partner.example", fields: ["uri(1)", "param(id)"], name: "p" }];
const SIGNED = structuredClone(FULL);
SIGNED.clickpath.secrets = ["hostile corpus signing secret #1"];

const req = (path, more = [], authority = "example.com") =>
  [[":method", "GET"], [":path", path], [":authority", authority], [":scheme", "http"], ["user-agent", "Mozilla/5.0"], ...more];
const big = (repeat, times, prefix = "", suffix = "") => ({ repeat, times, prefix, suffix });
const html = (body, extra = {}) => ({ headers: [[":status", "200"], ["content-type", "text/html; charset=utf-8"]], body, ...extra });
const redirect = (headers) => ({ headers: [[":status", "302"], ...headers], body: "" });

// ------------------------------------------------------------------ values taken from the filter itself

async function firstExchange(config, { nowS = NOW_S, replaceSession = null } = {}) {
  const host = await makeHost(config, { nowS, seed: 99 });
  const s = host.newStream({ worker: 0, connectionId: 7, destinationAddress: "127.0.0.1:10000" });
  s.sendRequestHeaders(req("/"), { endOfStream: true });
  const id = s.requestHeaders.find(([n]) => n === "x-clickpath-session")?.[1];
  const resp = [[":status", "200"], ["content-type", "text/plain"]];
  if (replaceSession) resp.push(["x-replace-session", replaceSession]);
  s.sendResponseHeaders(resp, { endOfStream: true });
  const cookies = s.responseHeaders.filter(([n]) => n === "set-cookie").map(([, v]) => v.slice(0, v.indexOf(";")));
  s.complete();
  return { id, cookies };
}

const full = await firstExchange(FULL, { replaceSession: "user=alice&role=admin" });
const ID = full.id;
const SESSION_COOKIE = full.cookies.find((c) => c.startsWith("session="));
const TRACK_COOKIE = full.cookies.find((c) => c.startsWith("Apache="));
const PLAIN_SESSION = (await firstExchange(PLAIN, { replaceSession: "user=alice" })).cookies.find((c) => c.startsWith("session="));
const FUTURE_ID = (await firstExchange(FULL, { nowS: NOW_S + 86400 })).id;
const OLD_ID = (await firstExchange(FULL, { nowS: NOW_S - 18001 })).id;
const OTHER_MACHINE_ID = (await firstExchange({ clickpath: { machine: "web9" } })).id;
const NO_TABLE_ID = (await firstExchange({ clickpath: {} })).id;
const SIGNED_ID = (await firstExchange(SIGNED)).id;
const OTHER_SECRET_ID = (await firstExchange({ ...SIGNED, clickpath: { ...SIGNED.clickpath, secrets: ["another secret, sixteen bytes+"] } })).id;

const flip = (s, i) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
const swap = (s, i, j) => { const a = [...s]; [a[i], a[j]] = [a[j], a[i]]; return a.join(""); };

// ------------------------------------------------------------------ categories

const files = {};

files.cookies = {
  description: "Cookie headers: malformed, oversized, duplicated, conflicting (usertrack and session cookies).",
  config: FULL,
  cases: [
    ["no value", ["Apache"]],
    ["only equals", ["="]],
    ["empty name and value", ["=; =; ="]],
    ["semicolons only", [";;;;;;;"]],
    ["empty tracking cookie", ["Apache="]],
    ["tracking cookie with equals in value", ["Apache==x=y"]],
    ["tracking cookie quoted", ['Apache="1.2"']],
    ["tracking cookie with spaces", ["  Apache  =  1.2  "]],
    ["tracking cookie case", ["apache=1.2"]],
    ["two conflicting tracking cookies", ["Apache=a.1; Apache=b.2"]],
    ["conflicting tracking cookies in two headers", ["Apache=a.1", "Apache=b.2"]],
    ["tracking cookie with NUL", ["Apache=a\u0000b"]],
    ["tracking cookie with high bytes", ["Apache=\u00ff\u00fe\u00e9"]],
    ["tracking cookie with CR LF", ["Apache=a\r\nSet-Cookie: evil=1"]],
    ["tracking cookie 64 KiB", [big("a", 65536, "Apache=")]],
    ["1000 cookies", [big("c=1; ", 1000)]],
    ["200 Cookie headers", Array.from({ length: 200 }, (_, i) => `k${i}=v${i}`)],
    ["comma separated", ["Apache=1.2, session=x"]],
    ["valid tracking cookie", [TRACK_COOKIE]],
    ["valid tracking cookie twice", [TRACK_COOKIE, TRACK_COOKIE]],
    ["empty session cookie", ["session="]],
    ["session cookie garbage", ["session=!!!!"]],
    ["session cookie not base64", ["session=%%%%%%"]],
    ["session cookie truncated", [SESSION_COOKIE.slice(0, 40)]],
    ["session cookie one byte flipped", [flip(SESSION_COOKIE, 30)]],
    ["session cookie last byte flipped", [flip(SESSION_COOKIE, SESSION_COOKIE.length - 1)]],
    ["session cookie with trailing bytes", [SESSION_COOKIE + "AAAA"]],
    ["session cookie 64 KiB", [big("A", 65536, "session=")]],
    ["valid session cookie", [SESSION_COOKIE]],
    ["valid session cookie twice", [SESSION_COOKIE, SESSION_COOKIE]],
    ["conflicting session cookies", [SESSION_COOKIE, "session=AAAA"]],
    ["conflicting session cookies in one header", [`${SESSION_COOKIE}; session=other`]],
    ["session chunk 2 without chunk 1", ["session_2=AAAA"]],
    ["session chunks out of range", ["session=x; session_2=y; session_99=z"]],
    ["session cookie with NUL", ["session=\u0000\u0000"]],
    ["session cookie with CR LF", ["session=a\r\nx-evil: 1"]],
    ["session cookie in clear under crypto", ["session=user=admin&role=root"]],
    ["cookie header empty", [""]],
    ["cookie header whitespace", ["   \t  "]],
    ["cookie header 1 MiB", [big("x", 1 << 20, "a=")]],
    ["session cookie after 20,000 other cookies in one header", [{ repeat: "c=v; ", times: 20000, suffix: SESSION_COOKIE }]],
  ].map(([name, cookies]) => ({ name, request: req("/index.html", cookies.map((c) => ["cookie", c])) })),
};

files["clickpath-ids"] = {
  description: "clickpath session ids: truncated, overlong, scrambled, bad CRC or tag, from the future, too old, unknown machines.",
  config: FULL,
  cases: [
    ["valid id", ID],
    ["empty id", ""],
    ["truncated by one", ID.slice(0, -1)],
    ["truncated by half", ID.slice(0, ID.length >> 1)],
    ["only the machine part", ID.slice(0, ID.indexOf(":") + 1)],
    ["overlong by one", ID + "N"],
    ["overlong 4 KiB", big("N", 4096, ID)],
    ["overlong 64 KiB", big("N", 65536, ID)],
    ["first two characters swapped", swap(ID, 0, 1)],
    ["two field characters swapped", swap(ID, ID.length - 4, ID.length - 3)],
    ["reversed", [...ID].reverse().join("")],
    ["bad CRC (last character)", flip(ID, ID.length - 1)],
    ["bad field character", flip(ID, ID.length - 6)],
    ["lower-cased", ID.toLowerCase()],
    ["upper-cased", ID.toUpperCase()],
    ["non-canonical base64 padding", ID + "="],
    ["percent-encoded id", [...ID].map((ch) => "%" + ch.charCodeAt(0).toString(16).toUpperCase()).join("")],
    ["invalid percent escapes", "%zz%"],
    ["NUL in id", "abc\u0000def"],
    ["high bytes in id", "\u00ff\u00fe\u00fd"],
    ["from the future", FUTURE_ID],
    ["too old", OLD_ID],
    ["unknown machine", OTHER_MACHINE_ID],
    ["machine-less id against a table", NO_TABLE_ID],
    ["signed id on an unsigned site", SIGNED_ID],
    ["many colons", ":::::::::::::::"],
    ["only separators", "@@@@@@@@"],
    ["base64 of zeros", "AAAAAAAAAAAAAAAAAAAA"],
    ["machine part 4 KiB", big("m", 4096, "", ":NNNNNNNNNNNNNNNNNNNN")],
  ].map(([name, id]) => ({ name, request: req(typeof id === "string" ? `/-S:${id}/page.html` : { ...id, prefix: "/-S:" + (id.prefix ?? ""), suffix: (id.suffix ?? "") + "/page.html" }) })).concat([
    { name: "signed: valid", config: SIGNED, request: req(`/-S:${SIGNED_ID}/x`) },
    { name: "signed: unsigned id", config: SIGNED, request: req(`/-S:${ID}/x`) },
    { name: "signed: other secret", config: SIGNED, request: req(`/-S:${OTHER_SECRET_ID}/x`) },
    { name: "signed: tag flipped", config: SIGNED, request: req(`/-S:${flip(SIGNED_ID, SIGNED_ID.length - 5)}/x`) },
    { name: "signed: tag truncated", config: SIGNED, request: req(`/-S:${SIGNED_ID.slice(0, -6)}/x`) },
    { name: "signed: tag doubled", config: SIGNED, request: req(`/-S:${SIGNED_ID}${SIGNED_ID.slice(-13)}/x`) },
  ]),
};

files.paths = {
  description: "Paths: the prefix twice, encoded slashes and dot segments around the session segment, odd request targets.",
  config: FULL,
  cases: [
    `/-S:${ID}/-S:${ID}/x`,
    `/-S:${ID}/-S:garbage/x`,
    `/-S:-S:${ID}/x`,
    `/-S:${ID}%2Fx`,
    `/-S:${ID}%2fx/y`,
    `/%2D%53%3A${ID}/x`,
    `/-S%3A${ID}/x`,
    `/../-S:${ID}/x`,
    `/./-S:${ID}/x`,
    `/-S:${ID}/../x`,
    `/-S:${ID}/./x`,
    `/-S:${ID}/..`,
    `/-S:../x`,
    `/-S:./x`,
    `/-S:%2e%2e/x`,
    `//-S:${ID}/x`,
    `/-S:${ID}//x`,
    `/-S:${ID}`,
    `/-S:${ID}?a=1`,
    `/-S:${ID}#frag`,
    `/-S:${ID}/x?y=/-S:${ID}/z`,
    `/-S:${ID};param/x`,
    `/-S:`,
    `/-S:/`,
    `-S:${ID}/x`,
    `*`,
    ``,
    `http://example.com/-S:${ID}/x`,
    `/x/-S:${ID}/y`,
    `/\\-S:${ID}/x`,
    `/-S:${ID}\\x`,
    big("/a", 32768),
    big("/-S:x", 10000),
    `/%00/-S:${ID}`,
    `/-S:${ID}/\u0000\u00ff`,
  ].map((path) => ({ name: `path ${typeof path === "string" ? JSON.stringify(path) : `${path.repeat} x ${path.times}`}`, request: req(path) })),
};

const ua = (name, value) => ({ name: `user-agent ${name}`, request: req("/", [["user-agent", value]]).filter(([n, v]) => n !== "user-agent" || v === value) });
const referer = (name, value, config) => ({ name: `referer ${name}`, ...(config ? { config } : {}), request: req("/", [["referer", value]]) });
files.useragents = {
  description: "User-Agents and Referers built to stress the pattern matcher and the Referer rewriting.",
  config: PLAIN,
  cases: [
    ua("Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1)"),
    ua("Googlebot near miss", "Mozilla/5.0 (compatible; Googlebo/2.1)"),
    ua("curl not at the start", "x curl/8.0"),
    ua("curl at the start", "curl/8.0"),
    ua("100 KiB of a", big("a", 102400)),
    ua("100 KiB of Googlebo", big("Googlebo", 12800)),
    ua("match at the end of 64 KiB", big("x", 65536, "", "bingbot")),
    ua("bingbot repeated", big("bingbot", 10000)),
    ua("NUL before Googlebot", "\u0000Googlebot"),
    ua("high bytes", big("\u00ff\u00fe", 5000)),
    ua("empty", ""),
    ua("CR LF", "a\r\nGooglebot"),
    referer("own site with session", `http://example.com/-S:${ID}/index.html`),
    referer("own site, invalid session", "http://example.com/-S:garbage/index.html"),
    referer("other site with our session", `http://evil.example/-S:${ID}/x`),
    referer("partner, both fields", "http://partner.example/shop/item?id=42"),
    referer("partner, fields with bytes", "http://partner.example/%00%ff\u00ff/x?id=%0A%0D\u0000"),
    referer("partner, 8 KiB field", { repeat: "z", times: 8192, prefix: "http://partner.example/", suffix: "?id=1" }),
    referer("partner, 1000 params", { repeat: "id=1&", times: 1000, prefix: "http://partner.example/a?" }),
    referer("partner, 10000 distinct params", "http://partner.example/a?" + Array.from({ length: 10000 }, (_, i) => `k${i}=1`).join("&") + "&id=7"),
    referer("partner, 40000 bytes to escape", { repeat: "%*!", times: 13000, prefix: "http://partner.example/", suffix: "?id=1" }),
    referer("partner, remote session just fits", { repeat: "z", times: 900, prefix: "http://partner.example/", suffix: "?id=1" }),
    referer("partner, no path", "http://partner.example"),
    referer("partner with port", "http://partner.example:8080/a?id=1"),
    referer("not a URL", "::::"),
    referer("only a scheme", "http://"),
    referer("64 KiB", big("a", 65536, "http://example.com/")),
    referer("NUL", "http://example.com/\u0000"),
    referer("user info", `http://evil@example.com/-S:${ID}/x`),
    referer("session segment twice", `http://example.com/-S:${ID}/-S:${ID}/x`),
  ],
};

const loc = (name, headers) => ({ name, request: req("/dir/page.html"), response: redirect(headers) });
const locRet = (name, headers) => ({ name, request: req(`/-S:${ID}/dir/page.html`), response: redirect(headers) });
files.redirects = {
  description: "Location and Refresh values of every shape, for new and returning sessions.",
  config: FULL,
  cases: [
    ...[
      "", "/", "x", "../x", "../../../../x", "./x", "?q=1", "#f", "//example.com/x", "//evil.example/x",
      "http://example.com", "http://example.com/x", "http://example.com:80/x", "http://example.com:8080/x",
      "https://example.com/x", "HTTP://EXAMPLE.COM/x", "http://evil.example/x", "http://example.com@evil.example/x",
      "http://evil.example@example.com/x", "javascript:alert(1)", "data:text/html,<a href=/x>", "mailto:a@example.com",
      "/\\evil.example/x", "\\\\evil.example\\x", " /x", "/x ", "/x\u0000y", "/x\u00ff", `/-S:${ID}/x`, "/-S:other/x",
      "http://[::1]/x", "http://example.com:99999/x", "http:/x", "http:x", "%2F%2Fevil.example",
    ].map((v, i) => loc(`location ${i} ${JSON.stringify(v)}`, [["location", v]])),
    loc("location 8 KiB", [["location", big("a", 8192, "/")]]),
    loc("location 64 KiB", [["location", big("a", 65536, "http://example.com/")]]),
    loc("two Location headers", [["location", "/a"], ["location", "http://evil.example/"]]),
    locRet("returning: relative", [["location", "next.html"]]),
    locRet("returning: absolute own", [["location", "http://example.com/next"]]),
    locRet("returning: already carries the session", [["location", `/-S:${ID}/next`]]),
    locRet("returning: dot segments above the root", [["location", "../../../x"]]),
    ...[
      "0; url=/x", "0;URL='/x'", '0; url="/x"', "0; url='/x", "5", "url=/x", "0; url=", "0;", ";", "garbage",
      "0; url=http://evil.example/", "0; url=http://example.com/x", "-1; url=/x", "99999999999999999999; url=/x",
      "0; url = /x", "0,url=/x", "0; URL=//evil.example/", "0; url=javascript:alert(1)",
    ].map((v, i) => loc(`refresh ${i} ${JSON.stringify(v)}`, [["refresh", v]])),
    loc("refresh 64 KiB", [["refresh", big("a", 65536, "0; url=/")]]),
    loc("refresh and location", [["refresh", "0; url=/r"], ["location", "/l"]]),
  ],
};

const upd = (name, value, config = PLAIN) => ({ name: `update ${name}`, config, request: req("/"), response: { headers: [[":status", "200"], ["content-type", "text/plain"], ["x-replace-session", value]], body: "ok" } });
const sc = (name, value, config = PLAIN) => ({ name: `cookie ${name}`, config, request: req("/", [["cookie", value]]) });
files.session = {
  description: "Session cookies and session response_header values: &=, %00, invalid escapes, huge keys, reserved keys.",
  config: PLAIN,
  cases: [
    sc("valid", PLAIN_SESSION),
    sc("&= only", "session=&="),
    sc("expiry then &=", "session=expiry=1&="),
    sc("percent NUL", "session=a=%00&b%00=c"),
    sc("invalid escapes", "session=a=%zz&%=%&b=%4"),
    sc("plus and spaces", "session=a+b=c+d&e = f"),
    sc("huge key", big("k", 65536, "session=", "=v")),
    sc("huge value", big("v", 65536, "session=k=")),
    sc("10000 keys", big("k=v&", 10000, "session=")),
    sc("10000 distinct keys", "session=" + Array.from({ length: 10000 }, (_, i) => `k${i}=v`).join("&")),
    sc("10000 keys set and unset", "session=" + Array.from({ length: 5000 }, (_, i) => `k${i}=v&k${i}=`).join("&") + "&last=1"),
    sc("duplicate keys", "session=a=1&a=2&a=3"),
    sc("expiry in the past", "session=expiry=1&user=x"),
    sc("expiry not a number", "session=expiry=abc&user=x"),
    sc("expiry overflow", "session=expiry=999999999999999999999999&user=x"),
    sc("expiry negative", "session=expiry=-5&user=x"),
    sc("_created garbage", "session=_created=zz&user=x"),
    sc("only ampersands", "session=&&&&&&"),
    sc("only equals", "session========"),
    sc("NUL raw", "session=a=\u0000"),
    upd("&=", "&="),
    upd("=x deletes nothing", "=x"),
    upd("%00 key", "%00=1"),
    upd("invalid escapes", "a=%zz&b=%&c=%4"),
    upd("huge key", big("k", 8192, "", "=v")),
    upd("session too large for the cookies", big("v", 65536, "k=")),
    upd("10000 keys", big("k=v&", 10000)),
    upd("expiry set in the past", "expiry=1&user=x"),
    upd("expiry overflow", "expiry=99999999999999999999999"),
    upd("_created overwrite", "_created=0&user=x"),
    upd("CR LF", "a=1\r\nset-cookie: evil=1"),
    upd("high bytes", "\u00ff=\u00fe"),
    upd("empty", ""),
    { name: "update: two headers", config: PLAIN, request: req("/"), response: { headers: [[":status", "200"], ["x-replace-session", "a=1"], ["x-replace-session", "a=&b=2"]], body: "" } },
    { name: "update: client-sent upstream header", config: PLAIN, request: req("/", [["x-session", "user=admin"]]) },
    sc("crypto: garbage", "session=" + "A".repeat(80), FULL),
    sc("crypto: clear text", "session=user=admin", FULL),
    upd("crypto: huge key", big("k", 8192, "", "=v"), FULL),
    upd("crypto: too large", big("v", 65536, "k="), FULL),
  ],
};

files.html = {
  description: "HTML bodies that end inside a tag, an attribute, a comment or a script; gigantic tags; NUL bytes; invalid UTF-8.",
  config: FULL,
  cases: [
    ["plain links", '<a href="/x">x</a> <a href="http://evil.example/">e</a> <form action=/f></form>'],
    ["ends inside a tag name", '<a href="/x">x</a><a'],
    ["ends inside an attribute name", '<a href="/x">x</a><a hr'],
    ["ends after the equals", '<a href="/x">x</a><a href='],
    ["ends inside a quoted value", '<a href="/x">x</a><a href="/y'],
    ["ends inside an unquoted value", '<a href="/x">x</a><a href=/y'],
    ["ends inside a comment", '<a href="/x">x</a><!-- <a href="/c">'],
    ["ends inside a script", '<a href="/x">x</a><script>var s = "<a href=/s>"'],
    ["ends inside a style", "<style>a { background: url(/s) }"],
    ["ends inside a textarea", "<textarea><a href=/t>"],
    ["ends inside a doctype", "<!DOCTYPE html"],
    ["ends inside a CDATA", "<![CDATA[ <a href=/c>"],
    ["ends inside a character reference", '<a href="/x&amp'],
    ["lone less-than", "<"],
    ["lone less-than slash", "</"],
    ["empty body", ""],
    ["gigantic tag (2 MiB attribute)", big("x", 2 << 20, '<a title="', '" href="/x">x</a>')],
    ["gigantic value (1 MiB href)", big("y", 1 << 20, '<a href="/', '">y</a>')],
    ["gigantic tag in 16 KiB chunks", big("x", 100000, '<a href="/x" title="', '">x</a><a href="/y">'), 16384],
    ["tag just under max_tag_bytes in 1 KiB chunks", big("x", 8192 - 22, '<a href="/x" title="', '">'), 1024],
    ["tag just over max_tag_bytes in 1 KiB chunks", big("x", 8192 - 21, '<a href="/x" title="', '">'), 1024],
    ["100,000 tags", big('<a href="/z">', 100000)],
    ["NUL bytes everywhere", '<a\u0000 href\u0000="/\u0000x">\u0000</a>'],
    ["invalid UTF-8", '<a href="/\u00ff\u00fe">\u00c3\u0028\u00a0\u00a1\u00e2\u0028\u00a1</a>'],
    ["UTF-8 BOM and UTF-16 BOM", '\u00ef\u00bb\u00bf\u00ff\u00fe<a href="/x">'],
    ["base href off site", '<base href="http://evil.example/"><a href="x">x</a>'],
    ["base href twice", '<base href="/a/"><base href="http://evil.example/"><a href="x">x</a>'],
    ["meta refresh", '<meta http-equiv="refresh" content="0; url=/next">'],
    ["meta refresh unterminated", "<meta http-equiv=refresh content='0; url=/next"],
    ["attributes repeated 1000 times", big(' href="/r"', 1000, "<a", ">")],
    ["uppercase and odd quoting", "<A HREF='/x' HrEf=\"/y\" href=`/z`>"],
    ["entities in the URL", '<a href="&#x2F;&#47;evil.example/">e</a><a href="&sol;x">x</a>'],
    ["javascript and data URLs", '<a href="javascript:alert(1)">j</a><a href="data:text/html,x">d</a>'],
    ["1-byte chunks", '<a href="/x">x</a><!-- <a href=/c> --><a href=/y>', 1],
    ["3-byte chunks across a script", '<script>"<a href=/s>"</script><a href="/x">', 3],
    ["7-byte chunks, invalid UTF-8", '<a href="/\u00ff\u00c3">\u00e2\u0028</a><a href=/q>', 7],
  ].map(([name, body, chunkSize]) => ({ name, request: req("/"), response: html(body, chunkSize ? { chunkSize } : {}) })).concat([
    { name: "returning session, relative links", request: req(`/-S:${ID}/dir/`), response: html('<a href="x">x</a><a href="../y">y</a><a href="/z">z</a>') },
    { name: "xhtml content type", request: req("/"), response: { headers: [[":status", "200"], ["content-type", "application/xhtml+xml"]], body: '<a href="/x"/>' } },
    { name: "gzip-encoded HTML passes through", request: req("/"), response: { headers: [[":status", "200"], ["content-type", "text/html"], ["content-encoding", "gzip"]], body: '<a href="/x">' } },
    { name: "content-type with garbage parameters", request: req("/"), response: { headers: [[":status", "200"], ["content-type", "text/html;;;charset=\u0000;;"]], body: '<a href="/x">' } },
    { name: "UA exception gets no rewriting", request: req("/").map(([n, v]) => (n === "user-agent" ? [n, "Googlebot"] : [n, v])), response: html('<a href="/x">') },
  ]),
};

// Config cases: inputs only; the outcome is configured=false and the exact error lines.
const cfg = (name, config) => ({ name, config, request: req("/") });
// The etcd store's answers: what a broken, hostile or impersonated store (or a proxy in front of it) could
// send back. Each must end in a 503 (the session could not be read), an empty session (what was read is no
// session) or an unsaved one, with a log line saying which, and never in a trap.
const ETCD = structuredClone(PLAIN);
ETCD.session.store = "etcd";
ETCD.session.etcd = { cluster: "etcd", cas_retries: 1 };
const SID = "session=AAAAAAAAAAAAAAAAAAAAAA";
const b64 = (s) => Buffer.from(s, "latin1").toString("base64");
const LIVE = b64("1s9999999999999999:user=alice");
const found = (value = LIVE, more = "") => ({ status: 200, body: `{"header":{"revision":"9"},"kvs":[{"key":"a2V5","create_revision":"5","mod_revision":"7","version":"1","value":"${value}"${more}}],"count":"1"}` });
const ok = (body) => ({ status: 200, body });
const LEASE = { status: 200, body: '{"header":{"revision":"9"},"ID":"7587","TTL":"180"}' };
const withSid = (path = "/") => req(path, [["cookie", SID]]);
const saving = { headers: [[":status", "200"], ["content-type", "text/plain"], ["x-replace-session", "cart=1"]], body: "ok" };
const etcd = (name, store, { request = withSid(), response } = {}) => ({ name, request, store, ...(response ? { response } : {}) });
files.etcd = {
  description: "session.store etcd: malformed, oversized and hostile answers from the store to reads, writes and lease grants.",
  config: ETCD,
  cases: [
    etcd("range: not JSON", [ok('{"kvs":['), ok('{"kvs":[')]),
    etcd("range: an array", [ok("[]")]),
    etcd("range: kvs not an array", [ok('{"kvs":{"key":"a2V5"}}')]),
    etcd("range: kvs holds a string", [ok('{"kvs":["x"]}')]),
    etcd("range: value not base64", [found("!!!not base64!!!")]),
    etcd("range: value base64url instead of base64", [found(Buffer.from("1s9999999999999999:\xfb\xff", "latin1").toString("base64url"))]),
    etcd("range: key not a string", [ok('{"kvs":[{"key":7,"value":"' + LIVE + '","mod_revision":"7"}]}')]),
    etcd("range: mod_revision a number", [ok('{"kvs":[{"key":"a2V5","value":"' + LIVE + '","mod_revision":7}]}')]),
    etcd("range: mod_revision of 20 digits", [ok('{"kvs":[{"key":"a2V5","value":"' + LIVE + '","mod_revision":"99999999999999999999"}]}')]),
    etcd("range: duplicate keys", [ok('{"kvs":[],"kvs":[]}')]),
    etcd("range: nesting 100000 deep", [ok(big("[", 100000)), ok(big("[", 100000))]),
    etcd("range: a lone surrogate escape", [ok('{"kvs":[{"key":"\\ud800","value":"' + LIVE + '"}]}')]),
    etcd("range: 4 MiB of JSON", [ok(big("x", 4 << 20, '{"x":"', '"}')), ok("{}")]),
    etcd("range: a 1 MiB value that is not a session", [ok(big("A", 1 << 20, '{"kvs":[{"key":"a2V5","mod_revision":"7","value":"' + b64("1s9999999999999999"), '"}]}'))]),
    etcd("range: a 1 MiB session", [ok(big("QUFB", 1 << 18, '{"kvs":[{"key":"a2V5","mod_revision":"7","value":"' + b64("1s9999999999999999:a=") , '"}]}'))]),
    etcd("range: a value of another layout", [found(b64("hello"))]),
    etcd("range: a value with an instant of 30 digits", [found(b64("1s" + "9".repeat(30) + ":user=alice"))]),
    etcd("range: an expired session", [found(b64("1s1000:user=alice"))]),
    etcd("range: a forward to a forward", [found(b64("1f9999999999999999:clicktrail/session/next")), found(b64("1f9999999999999999:clicktrail/session/again"))]),
    etcd("range: a forward whose grace is over", [found(b64("1f1000:clicktrail/session/next"))]),
    etcd("range: HTTP 500 twice", [{ status: 500, body: "<html>oops</html>" }, { status: 500, body: '{"error":"etcdserver: request timed out","code":14}' }]),
    etcd("range: HTTP 500, then found", [{ status: 503, body: "" }, found()]),
    etcd("range: no answer twice", [null, null]),
    etcd("range: error message of 1 MiB", [{ status: 400, body: big("e", 1 << 20, '{"error":"', '"}') }]),
    etcd("range: found, then the txn answer is not JSON, the read-back neither", [found(), LEASE, ok("nope"), ok("nope"), ok("{"), ok("{")], { response: saving }),
    etcd("range: found, then succeeded is a string", [found(), LEASE, ok('{"succeeded":"true"}'), ok("{}")], { response: saving }),
    etcd("range: found, then a lost compare with a malformed winner", [found(), LEASE, ok('{"responses":[{"response_range":{"kvs":[{"key":"a2V5","value":"%%%"}]}}]}')], { response: saving }),
    etcd("range: found, then a lost compare with responses not an array", [found(), LEASE, ok('{"responses":{}}')], { response: saving }),
    etcd("range: found, then the lease grant has no ID", [found(), ok('{"TTL":"60"}')], { response: saving }),
    etcd("range: found, then the lease ID is a number", [found(), ok('{"ID":758,"TTL":"60"}')], { response: saving }),
    etcd("range: found, lease granted, lease not found twice", [found(), ok('{"ID":"7587","TTL":"180"}'),
      { status: 404, body: '{"error":"etcdserver: requested lease not found","code":5}' }, ok('{"ID":"7588","TTL":"180"}'),
      { status: 404, body: '{"error":"etcdserver: requested lease not found","code":5}' }], { response: saving }),
    etcd("new session: txn refused with HTTP 400", [ok('{"ID":"7587","TTL":"180"}'), { status: 400, body: '{"error":"etcdserver: request is too large","code":3}' }],
      { request: req("/"), response: saving }),
    etcd("new session: no answers at all", [], { request: req("/"), response: saving }),
  ],
};

files.config = {
  description: "Configurations with every kind of wrong value: refused at load with a message naming the key.",
  config: {},
  cases: [
    cfg("not JSON", "{"),
    cfg("JSON array", "[]"),
    cfg("JSON string", '"usertrack"'),
    cfg("JSON null", "null"),
    cfg("trailing garbage", "{} x"),
    cfg("nested 100000 deep", { repeat: "[", times: 100000 }),
    cfg("nested 65 deep inside a section", { repeat: "[", times: 65, prefix: '{"clickpath":{"ua_exceptions":', suffix: "" }),
    cfg("duplicate section", '{"usertrack":{},"usertrack":{}}'),
    cfg("duplicate key", '{"usertrack":{"cookie_name":"a","cookie_name":"b"}}'),
    cfg("invalid UTF-8", "{\"usertrack\":{\"cookie_name\":\"\u00ff\"}}"),
    cfg("lone surrogate escape", '{"clickpath":{"prefix":"\\ud800"}}'),
    cfg("NUL escape", '{"clickpath":{"prefix":"\\u0000"}}'),
    cfg("unknown section", { cookies: {} }),
    cfg("section not an object", { usertrack: true }),
    cfg("section null", { usertrack: null }),
    cfg("usertrack.enabled string", { usertrack: { enabled: "yes" } }),
    cfg("usertrack.cookie_name empty", { usertrack: { cookie_name: "" } }),
    cfg("usertrack.cookie_name with semicolon", { usertrack: { cookie_name: "a;b" } }),
    cfg("usertrack.cookie_name 10 KiB", { usertrack: { cookie_name: "c".repeat(10240) } }),
    cfg("usertrack.domain without dot", { usertrack: { domain: "example" } }),
    cfg("usertrack.domain with comma", { usertrack: { domain: ".a.example,b" } }),
    cfg("usertrack.expires negative", { usertrack: { expires: -1 } }),
    cfg("usertrack.expires fraction", { usertrack: { expires: 1.5 } }),
    cfg("usertrack.expires 1e400", '{"usertrack":{"expires":1e400}}'),
    cfg("usertrack.expires 100 years", { usertrack: { expires: "100 years" } }),
    cfg("usertrack.expires bad unit", { usertrack: { expires: "2 fortnights" } }),
    cfg("usertrack.expires missing unit", { usertrack: { expires: "plus 2" } }),
    cfg("usertrack.style unknown", { usertrack: { style: "cookie3" } }),
    cfg("usertrack.same_site unknown", { usertrack: { same_site: "sometimes" } }),
    cfg("usertrack.upstream_header forbidden", { usertrack: { upstream_header: "cookie" } }),
    cfg("usertrack.upstream_header with space", { usertrack: { upstream_header: "x a" } }),
    cfg("usertrack.format unknown", { usertrack: { format: "iis" } }),
    cfg("usertrack.nginx_mark two letters", { usertrack: { format: "nginx", nginx_mark: "ab" } }),
    cfg("usertrack.nginx_service too big", { usertrack: { format: "nginx", nginx_service: 4294967296 } }),
    cfg("usertrack.nginx key with format apache", { usertrack: { nginx_version: 1 } }),
    cfg("clickpath.prefix number", { clickpath: { prefix: 5 } }),
    cfg("clickpath.prefix with slash", { clickpath: { prefix: "a/b" } }),
    cfg("clickpath.prefix empty", { clickpath: { prefix: "" } }),
    cfg("clickpath.max_session_age negative", { clickpath: { max_session_age: -1 } }),
    cfg("clickpath.max_session_age huge", '{"clickpath":{"max_session_age":99999999999999999999999}}'),
    cfg("clickpath.ua_exceptions not an array", { clickpath: { ua_exceptions: "Googlebot" } }),
    cfg("clickpath.ua_exceptions pattern missing", { clickpath: { ua_exceptions: [{ name: "a" }] } }),
    cfg("clickpath.ua_exceptions backreference", { clickpath: { ua_exceptions: [{ name: "a", pattern: "(a)\\1" }] } }),
    cfg("clickpath.ua_exceptions look-ahead", { clickpath: { ua_exceptions: [{ name: "a", pattern: "a(?=b)" }] } }),
    cfg("clickpath.ua_exceptions unbalanced", { clickpath: { ua_exceptions: [{ name: "a", pattern: "((a)" }] } }),
    cfg("clickpath.ua_exceptions 10000 parentheses", { clickpath: { ua_exceptions: [{ name: "a", pattern: "(".repeat(10000) }] } }),
    cfg("clickpath.ua_exceptions nested counted repeat", { clickpath: { ua_exceptions: [{ name: "a", pattern: "a{1000}{1000}" }] } }),
    cfg("clickpath.ua_exceptions huge repeat", { clickpath: { ua_exceptions: [{ name: "a", pattern: "(a{1000}){1000}" }] } }),
    cfg("clickpath.ua_exceptions name empty", { clickpath: { ua_exceptions: [{ name: "", pattern: "a" }] } }),
    cfg("clickpath.friendly_sessions bad field", { clickpath: { friendly_sessions: [{ host: "p", fields: ["uri(x)"] }] } }),
    cfg("clickpath.friendly_sessions negative uri", { clickpath: { friendly_sessions: [{ host: "p", fields: ["uri(-1)"] }] } }),
    cfg("clickpath.friendly_sessions fields not strings", { clickpath: { friendly_sessions: [{ host: "p", fields: [1] }] } }),
    cfg("clickpath.machine with colon", { clickpath: { machine: "a:b" } }),
    cfg("clickpath.machine not in the table", { clickpath: { machine: "c", machine_table: [{ address: "10.0.0.1", name: "a" }] } }),
    cfg("clickpath.machine_table duplicate name", { clickpath: { machine_table: [{ address: "10.0.0.1", name: "a" }, { address: "10.0.0.2", name: "a" }] } }),
    cfg("clickpath.machine_table address missing", { clickpath: { machine_table: [{ name: "a" }] } }),
    cfg("clickpath.secrets too short", { clickpath: { secrets: ["short"] } }),
    cfg("clickpath.secrets not an array", { clickpath: { secrets: "a secret of sixteen bytes" } }),
    cfg("clickpath.max_tag_bytes below range", { clickpath: { max_tag_bytes: 1 } }),
    cfg("clickpath.max_tag_bytes above range", { clickpath: { max_tag_bytes: 1 << 30 } }),
    cfg("clickpath.referrer_policy unknown", { clickpath: { referrer_policy: "always" } }),
    cfg("clickpath.upstream_header_prefix with colon", { clickpath: { upstream_header_prefix: "x:" } }),
    cfg("session.cookie_name with equals", { session: { cookie_name: "a=b" } }),
    cfg("session.cookie_attributes with newline", { session: { cookie_attributes: "path=/\nx" } }),
    cfg("session.max_age negative", { session: { max_age: -1 } }),
    cfg("session.max_age above int32", { session: { max_age: 2147483648 } }),
    cfg("session.include not strings", { session: { include: [1] } }),
    cfg("session.upstream_header empty", { session: { upstream_header: "" } }),
    cfg("session.response_header forbidden", { session: { response_header: "set-cookie" } }),
    cfg("session.max_chunks zero", { session: { max_chunks: 0 } }),
    cfg("session.max_chunks 17", { session: { max_chunks: 17 } }),
    cfg("session.store unknown", { session: { store: "redis" } }),
    cfg("session.crypto empty", { session: { crypto: {} } }),
    cfg("session.crypto passphrases empty", { session: { crypto: { passphrases: [] } } }),
    cfg("session.crypto empty passphrase", { session: { crypto: { passphrases: [""] } } }),
    cfg("session.crypto cipher for the other format", { session: { crypto: { passphrases: ["p"], format: "apache", cipher: "xchacha20-poly1305" } } }),
    cfg("session.crypto 3des", { session: { crypto: { passphrases: ["p"], format: "apache", cipher: "3des192" } } }),
    cfg("session.shared capacity zero", { session: { store: "shared", shared: { capacity: 0 } } }),
    cfg("session.shared without store shared", { session: { shared: { capacity: 10 } } }),
    cfg("session.shared key_prefix with space", { session: { store: "shared", shared: { key_prefix: "a b" } } }),
    cfg("session.shared when_full unknown", { session: { store: "shared", shared: { when_full: "panic" } } }),
    cfg("session.store etcd without session.etcd", { session: { store: "etcd" } }),
    cfg("session.etcd without cluster", { session: { store: "etcd", etcd: { key_prefix: "x/" } } }),
    cfg("session.etcd without store etcd", { session: { etcd: { cluster: "etcd" } } }),
    cfg("session.etcd cluster with a space", { session: { store: "etcd", etcd: { cluster: "etcd cluster" } } }),
    cfg("session.etcd on_unavailable unknown", { session: { store: "etcd", etcd: { cluster: "etcd", on_unavailable: "guess" } } }),
    cfg("session.etcd timeout_ms zero", { session: { store: "etcd", etcd: { cluster: "etcd", timeout_ms: 0 } } }),
    cfg("every section wrong at once", { usertrack: { expires: "x" }, clickpath: { prefix: 1 }, session: { max_age: "y" } }),
  ],
};

// ------------------------------------------------------------------ record

let total = 0;
for (const [name, file] of Object.entries(files)) {
  for (const c of file.cases) {
    const { outcome } = await runCase(c, file);
    c.expect = outcome;
  }
  total += file.cases.length;
  writeFileSync(new URL(`${name}.json`, dir), JSON.stringify(file, null, 1) + "\n");
  console.log(`${name}.json: ${file.cases.length} cases`);
}
console.log(`${total} cases`);
void readFileSync;
