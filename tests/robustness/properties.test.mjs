// Property-based tests (fast-check 4, fixed seeds, bounded runs) over the codecs and parsers of the
// standalone test builds and over the filter itself through the Host: no input traps, codecs round-trip,
// and the HTML rewriting inside build/clicktrail.wasm depends neither on how the body is chunked nor
// changes anything but attribute values. (tests/html/property.test.mjs checks the rewriter alone on
// random markup; this checks it inside the filter, on markup whose value spans are known.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { loadCrypto } from "../crypto/wasm.mjs";
import { makeHost } from "./hostile-run.mjs";

const crypto = await loadCrypto();
const clickpathTools = await import(new URL("../../build/clickpath-tools.js", import.meta.url).href);
const regexWasm = await import(new URL("../regex/wasm.mjs", import.meta.url).href);
const CONFIG = JSON.parse(readFileSync(new URL("../../envoy/clicktrail.json", import.meta.url), "utf8"));

const bytes = (max = 300) => fc.uint8Array({ maxLength: max });
const byteString = (max = 200) => bytes(max).map((b) => Buffer.from(b).toString("latin1"));

// ------------------------------------------------------------------ codecs (build/crypto-test.wasm)

test("base64 (standard and url-safe, padded or not) and hex round-trip any bytes", () => {
  fc.assert(fc.property(bytes(), fc.boolean(), fc.boolean(), (b, url, pad) => {
    const s = crypto.base64Encode(b, url, pad);
    let want = Buffer.from(b).toString("base64");
    if (url) want = want.replaceAll("+", "-").replaceAll("/", "_");
    if (!pad) want = want.replace(/=+$/, "");
    assert.equal(s, want);
    assert.deepEqual(Buffer.from(crypto.base64Decode(s, url)), Buffer.from(b));
    assert.deepEqual(Buffer.from(crypto.hexDecode(crypto.hexEncode(b))), Buffer.from(b));
  }), { seed: 1, numRuns: 500 });
});

test("base64 and hex decoders: any string gives null or bytes that encode back canonically", () => {
  const alphabet = fc.string({ unit: fc.constantFrom(..."AZaz09+/-_=%. \0\xff".split("")), maxLength: 40 });
  fc.assert(fc.property(alphabet, fc.boolean(), (s, url) => {
    const d = crypto.base64Decode(s, url);
    if (d !== null) {
      const again = crypto.base64Decode(crypto.base64Encode(d, url, false), url);
      assert.deepEqual(Buffer.from(again), Buffer.from(d));
    }
    const h = crypto.hexDecode(s);
    if (h !== null) assert.equal(crypto.hexEncode(h), s.toLowerCase());
    crypto.aprBase64Decode(s);
  }), { seed: 2, numRuns: 1000 });
});

test("session urlencoding round-trips any byte string (a NUL comes back flagged 404, as Apache refuses %00)", () => {
  fc.assert(fc.property(byteString(), (s) => {
    const e = crypto.escapeUrlencoded(s);
    assert.match(e, /^[A-Za-z0-9*\-._+%]*$/);
    assert.equal(crypto.unescapeUrlencoded(e), (s.includes("\0") ? "404:" : "0:") + s);
  }), { seed: 3, numRuns: 500 });
});

test("AEAD: seal then open round-trips; any single flipped bit or wrong AAD fails", () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 24, maxLength: 24 }),
    bytes(200), bytes(40), fc.nat(), fc.boolean(), (key, nonce, plain, aad, flip, x) => {
      const seal = x ? crypto.xaeadSeal : crypto.aeadSeal;
      const open = x ? crypto.xaeadOpen : crypto.aeadOpen;
      const n = x ? nonce : nonce.subarray(0, 12);
      const sealed = seal(key, n, plain, aad);
      assert.equal(sealed.length, plain.length + 16);
      assert.deepEqual(Buffer.from(open(key, n, sealed, aad)), Buffer.from(plain));
      const bad = Uint8Array.from(sealed);
      bad[flip % bad.length] ^= 1 << (flip % 8);
      assert.equal(open(key, n, bad, aad), null);
      assert.equal(open(key, n, sealed, Uint8Array.from([...aad, 0])), null);
      assert.equal(open(key, n, sealed.subarray(0, sealed.length - 1), aad), null);
    }), { seed: 4, numRuns: 300 });
});

// ------------------------------------------------------------------ clickpath ids and configs (build/clickpath-tools.wasm)

const ID_PIECES = ["s9NNNd", "9roB", ":", ",", "N", "M", "@", "-", "%", "%2", "%2F", "%zz", "/", "?", "\0", "\xff", "A", "=", "web1", "!", "*", "."];
const idish = fc.oneof(fc.string({ unit: fc.constantFrom(...ID_PIECES), maxLength: 40 }), byteString(60));

test("clickpath decode: any id, under any configuration, answers JSON and never traps", () => {
  const configs = [
    "", JSON.stringify({ clickpath: CONFIG.clickpath }),
    JSON.stringify({ clickpath: { ...CONFIG.clickpath, secrets: ["a secret of more than sixteen bytes"] } }),
  ];
  fc.assert(fc.property(idish, fc.constantFrom(...configs), fc.integer({ min: 0, max: 2 ** 32 }), (id, config, now) => {
    const out = JSON.parse(clickpathTools.decode(id, config, now));
    assert.equal(typeof out.valid, "boolean");
    if (out.valid) {
      assert.equal(out.id, id);
      assert.ok(Number.isInteger(out.time) && out.time >= 0 && out.time < 2 ** 32);
    } else {
      assert.equal(typeof out.problem, "string");
    }
  }), { seed: 5, numRuns: 5000 });
});

test("configuration parser: any JSON value in any section is accepted or refused with a message, never a trap", () => {
  const section = fc.oneof(fc.json({ maxDepth: 3 }).map((j) => JSON.parse(j)),
    fc.record({ prefix: fc.oneof(fc.string(), fc.integer()), max_session_age: fc.oneof(fc.integer(), fc.double()),
      machine: fc.string(), secrets: fc.array(fc.string()) }, { requiredKeys: [] }));
  fc.assert(fc.property(section, fc.constantFrom("usertrack", "clickpath", "session"), (value, name) => {
    const out = JSON.parse(clickpathTools.decode("x", JSON.stringify({ [name]: value }), 1700000000));
    if (out.error !== undefined) assert.match(out.error, /^invalid configuration: /);
  }), { seed: 6, numRuns: 1500 });
});

// ------------------------------------------------------------------ regex (build/regex-test.wasm)

test("regex: any pattern compiles or is refused; any input is matched without a trap, as V8 does for plain literals", async () => {
  const rx = await regexWasm.loadRegex();
  const PIECES = ["a", "b", ".", "*", "+", "?", "|", "(", ")", "[", "]", "^", "$", "\\", "{", "}", "2", ",", "\\d", "\\w", "\\b", "(?:", "(?i)", "-", "\0", "\xff"];
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...PIECES), maxLength: 20 }), fc.boolean(), fc.array(byteString(80), { maxLength: 4 }), (pattern, ci, inputs) => {
    const error = rx.compile(pattern, ci);
    if (error !== "") return;
    for (const input of inputs) {
      const r = rx.test(input);
      assert.equal(typeof r, "boolean");
      if (/^[ab]*$/.test(pattern)) assert.equal(r, input.includes(pattern) || (ci && input.toLowerCase().includes(pattern)));
    }
  }), { seed: 7, numRuns: 1500 });
});

// ------------------------------------------------------------------ the filter through the Host

const REQ = (path, extra) => [[":method", "GET"], [":path", path], [":authority", "example.com"], [":scheme", "http"], ...extra];

test("the filter: random request and response headers never trap and never leave a context behind", async () => {
  const host = await makeHost(CONFIG);
  const headerName = fc.constantFrom("cookie", "user-agent", "referer", "x-clickpath-session", "x-session", "x-usertrack-id", "accept-encoding", "host", "x-replace-session");
  const pathish = fc.oneof(fc.constant("/"), fc.string({ unit: fc.constantFrom(...ID_PIECES, "/-S:", "/", ".."), maxLength: 30 }).map((s) => "/" + s));
  const respName = fc.constantFrom("location", "refresh", "x-replace-session", "content-type", "content-encoding", "set-cookie");
  fc.assert(fc.property(pathish, fc.array(fc.tuple(headerName, byteString(120)), { maxLength: 6 }),
    fc.array(fc.tuple(respName, byteString(120)), { maxLength: 5 }), fc.option(byteString(300)), (path, reqHeaders, respHeaders, body) => {
      const s = host.newStream({ destinationAddress: "127.0.0.1:10000" });
      s.sendRequestHeaders(REQ(path, reqHeaders), { endOfStream: true });
      if (!s.localReply) {
        s.sendResponseHeaders([[":status", "200"], ...respHeaders], { endOfStream: body === null });
        if (body !== null) s.sendResponseBody(Buffer.from(body, "latin1"), { endOfStream: true });
      }
      s.complete();
      assert.equal(host.workers[0].failed, false, host.workers[0].failure ?? "");
      assert.equal(host.liveStreams, 0);
      assert.equal(s.localReply, null);
    }), { seed: 8, numRuns: 4000 });
});

// Markup built from parts whose attribute values are known, so that every change can be located.
const LINK_ATTRS = [["a", "href"], ["area", "href"], ["form", "action"], ["iframe", "src"], ["frame", "src"], ["button", "formaction"], ["input", "formaction"]];
const value = fc.oneof(fc.constantFrom("/x", "/a/b?c=1#d", "http://example.com/p", "https://example.com:443/q", "//example.com/r",
  "http://other.example/", "x.html", "../up", "?q", "#top", "mailto:a@b", "javascript:void(0)", "&#47;amp", "/a&amp;b", ""),
fc.string({ unit: fc.constantFrom("/", "a", ".", "?", "#", "&amp;", "%20", " ", "\xe9"), maxLength: 8 }));
const quote = fc.constantFrom('"', "'", "");
const part = fc.oneof(
  fc.tuple(fc.constantFrom(...LINK_ATTRS), value, quote, fc.constantFrom("", " title=\"t\"", " data-x=1")).map(([[tag, attr], v, q, extra]) =>
    ({ pre: `<${tag}${extra} ${attr}=${q}`, value: q === "" ? v.replace(/[\s>"'=<`]/g, "") || "/u" : v.replaceAll(q, ""), post: `${q}>` })),
  fc.tuple(value, quote).map(([v, q]) => ({ pre: `<meta http-equiv="refresh" content=${q || '"'}0; url=`, value: v.replaceAll(q || '"', ""), post: `${q || '"'}>` })),
  fc.constantFrom("text ", "<p>", "</p>", "<!-- <a href=\"/c\"> -->", "<script>var a='<a href=/s>';</script>", "<style>a{}</style>",
    "<textarea><a href=/t></textarea>", "<title><a href=/t></title>", "&amp;", "\xe9\xff\0", "<svg><text>t</text></svg>", "\n")
    .map((t) => ({ pre: t, value: null, post: "" })),
);

test("HTML in the filter: output independent of chunking; only attribute values change", async () => {
  const host = await makeHost(CONFIG);
  // A returning visitor: links get the session inserted, nothing else is resolved or re-written.
  const first = host.newStream({ destinationAddress: "127.0.0.1:10000" });
  first.sendRequestHeaders(REQ("/", []), { endOfStream: true });
  const seg = first.requestHeaders.find(([n]) => n === "x-clickpath-session-path")[1];
  first.sendResponseHeaders([[":status", "204"]], { endOfStream: true });
  first.complete();
  const run = (html, cuts) => {
    const s = host.newStream({ destinationAddress: "127.0.0.1:10000" });
    s.sendRequestHeaders(REQ(`${seg}/dir/page.html`, [["user-agent", "Mozilla/5.0"]]), { endOfStream: true });
    s.sendResponseHeaders([[":status", "200"], ["content-type", "text/html"]], { endOfStream: false });
    const buf = Buffer.from(html, "latin1");
    let at = 0;
    for (const c of [...cuts, buf.length].filter((c) => c <= buf.length).sort((a, b) => a - b)) {
      s.sendResponseBody(buf.subarray(at, Math.max(at, c)), { endOfStream: c === buf.length });
      at = Math.max(at, c);
    }
    const out = s.responseBody.toString("latin1");
    s.complete();
    return out;
  };
  fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 25 }), fc.array(fc.nat({ max: 2000 }), { maxLength: 12 }), (parts, cuts) => {
    const html = parts.map((p) => p.pre + (p.value ?? "") + p.post).join("");
    const whole = run(html, []);
    assert.equal(run(html, cuts), whole, `cuts ${cuts}`);
    // Everything outside the values is byte for byte the input; a value that changed carries the session.
    const esc = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const shape = new RegExp("^" + parts.map((p) => esc(p.pre) + (p.value !== null ? "([^]*?)" : "") + esc(p.post)).join("") + "$");
    const m = shape.exec(whole);
    assert.ok(m, `static text changed: ${JSON.stringify(html)} → ${JSON.stringify(whole)}`);
    const values = parts.filter((p) => p.value !== null).map((p) => p.value);
    values.forEach((v, k) => {
      if (m[k + 1] !== v) assert.ok(m[k + 1].includes(seg), `value ${JSON.stringify(v)} became ${JSON.stringify(m[k + 1])} without the session`);
    });
    assert.equal(host.workers[0].failed, false);
  }), { seed: 9, numRuns: 1500 });
});
