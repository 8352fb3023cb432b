// The streaming link rewriter through build/html-test.wasm: exact outputs for hand-written edge cases,
// what the UrlRewriter is asked, chunk-size invariance on every fixture, and "only attribute values
// change" (removing the inserted segments gives the input back byte for byte).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadHtml, LinkKind } from "./harness.mjs";
import { EDGE_CASES, SEG } from "./cases.mjs";

const h = await loadHtml();

/** Rewrites `input` (latin1 string) in one piece and at every chunk size 1..64; all must agree. */
function rw(input, { cap = 4096, sizes = range(1, 64) } = {}) {
  const bytes = Buffer.from(input, "latin1");
  const whole = h.rewrite(bytes, 0, cap).toString("latin1");
  for (const size of sizes) {
    const got = h.rewrite(bytes, size, cap).toString("latin1");
    assert.equal(got, whole, `chunk size ${size} differs for ${JSON.stringify(input)}`);
  }
  h.rewrite(bytes, 0, cap); // leave the log of one whole-document run for the caller
  return whole;
}

function range(a, b) {
  const r = [];
  for (let i = a; i <= b; i++) r.push(i);
  return r;
}


test("edge cases: exact output, same at every chunk size 1..64", () => {
  for (const [input, want] of EDGE_CASES) {
    assert.equal(rw(input), want, JSON.stringify(input));
  }
});

test("the UrlRewriter sees decoded values, the kind, and the first <base href>", () => {
  rw('<a href="/&amp;&#x41;&lt"><base href="/b1/"><base href="/b2/"><form action="x"><meta content="1;/r" http-equiv=refresh>' +
    '<iframe src="&quot;"></iframe><input formaction=/i><area href=\'q\'><meta content="x">');
  assert.deepEqual(h.takeLog(), [
    { kind: LinkKind.AnchorHref, value: "/&A<", base: null },
    { kind: LinkKind.BaseHref, value: "/b1/", base: null },
    { kind: LinkKind.BaseHref, value: "/b2/", base: "/b1/" },
    { kind: LinkKind.FormAction, value: "x", base: "/b1/" },
    { kind: LinkKind.MetaRefresh, value: "1;/r", base: "/b1/" },
    { kind: LinkKind.FrameSrc, value: '"', base: "/b1/" },
    { kind: LinkKind.FormActionOverride, value: "/i", base: "/b1/" },
    { kind: LinkKind.AnchorHref, value: "q", base: "/b1/" },
  ]);
});

test("values are passed as UTF-8 byte strings; CR LF and NUL normalised as a browser does", () => {
  rw('<a href="/\u00c3\u00a9&eacute;\r\n\r\0">');
  assert.deepEqual(h.takeLog(), [{ kind: 0, value: "/\u00c3\u00a9\u00c3\u00a9\n\n\u00ef\u00bf\u00bd", base: null }]);
});

test("edits with boundaries inside character references widen to the whole reference", () => {
  try {
    // é is two decoded bytes (C3 A9); an insert between them replaces the whole `&eacute;`
    h.setFixedEdit(1, 1, "Q");
    assert.equal(rw('<a href="&eacute;x">'), '<a href="\u00c3Q\u00a9x">');
    // a boundary at a reference's edge leaves it alone
    assert.equal(rw('<a href="&#x2F;x">'), '<a href="&#x2F;Qx">');
    // replacing a span that starts inside one reference and ends inside another
    h.setFixedEdit(1, 3, "-");
    assert.equal(rw('<a href="&eacute;&eacute;">'), '<a href="\u00c3-\u00a9">');
    // `&amp` + `x` would read as `&ampx`: the whole value is written out escaped instead
    h.setFixedEdit(1, 1, "x");
    assert.equal(rw('<a href="&amp/">'), '<a href="&amp;x/">');
    // `&` + `#38` would read as a reference
    h.setFixedEdit(1, 1, "#38");
    assert.equal(rw('<a href="&;">'), '<a href="&amp;#38;">');
    // inserted text is escaped for any quoting
    h.setFixedEdit(0, 0, "a\"b'c&d<e>f g=h`");
    const esc = "a&quot;b&#39;c&amp;d&lt;e&gt;f&#32;g&#61;h&#96;";
    assert.equal(rw('<a href="/x">'), `<a href="${esc}/x">`);
    assert.equal(rw("<a href='/x'>"), `<a href='${esc}/x'>`);
    assert.equal(rw("<a href=/x>"), `<a href=${esc}/x>`);
    // an attribute without a value gets one
    h.setFixedEdit(0, 0, "/-S:TEST");
    assert.equal(rw("<a href>"), '<a href="/-S:TEST">');
    assert.equal(rw("<a href/>"), '<a href="/-S:TEST"/>');
    assert.equal(rw("<a href=>"), "<a href=/-S:TEST>");
    // emptying an unquoted value must not let the next attribute become the value
    h.setFixedEdit(0, 2, "");
    assert.equal(rw("<a href=/x title=y>"), '<a href="" title=y>');
    assert.equal(rw('<a href="/x" title=y>'), '<a href="" title=y>');
    // edits outside the value are ignored, never applied half-way
    h.setFixedEdit(0, 9, "x");
    assert.equal(rw('<a href="/x">'), '<a href="/x">');
    h.setFixedEdit(-1, 0, "x");
    assert.equal(rw('<a href="/x">'), '<a href="/x">');
  } finally {
    h.resetUrls();
  }
});

test("a held tag longer than the cap passes through unchanged, however the body is split", () => {
  const big = `<a href="/x" data-x="${"y".repeat(200)}">`;
  const input = `${big}<a href="/z">`;
  const want = `${big}<a href="${SEG}/z">`;
  assert.equal(rw(input, { cap: 100 }), want);
  h.rewrite(Buffer.from(input), 10, 100);
  assert.equal(h.carryOverflows(), 1);
  h.rewrite(Buffer.from(input), input.length, 100);
  assert.equal(h.carryOverflows(), 1, "a tag given up in one chunk counts too: the metric does not depend on chunking");
  // exactly at the cap it is still rewritten
  const fits = `<a href="/x" d="${"y".repeat(100 - 18)}">`;
  assert.equal(fits.length, 100);
  assert.equal(rw(fits, { cap: 100 }), fits.replace('"/x"', `"${SEG}/x"`));
  assert.equal(rw(fits + "x", { cap: 99 }), fits + "x");
  // a long tag name is never held at all
  h.rewrite(Buffer.from(`<${"q".repeat(500)} href="/x"><a href="/y">`), 7, 64);
  assert.equal(h.carryOverflows(), 0);
});

test("memory held per stream stays near the cap, whatever the chunk sizes", () => {
  const head = Buffer.from('<a href="/held'); // a tag held when the big chunk arrives
  const links = Buffer.from('">' + "<a href=/x>y</a>".repeat(70000)); // ~1.1 MB, every tag held in turn
  for (const chunking of [[3, 1 << 20], [1 << 20]]) {
    h.create(100);
    let out = 0;
    out += h.push(head, false).length;
    for (let i = 0; i < links.length;) {
      const size = chunking[i % chunking.length] ?? chunking[0];
      const end = Math.min(links.length, i + size);
      out += h.push(links.subarray(i, end), false).length;
      i = end;
    }
    out += h.push(Buffer.alloc(0), true).length;
    assert.ok(h.carryCapacity() <= 1024, `carry capacity ${h.carryCapacity()}`);
    assert.equal(h.carryOverflows(), 0);
    assert.equal(out, head.length + links.length + 70001 * SEG.length);
  }
});

test("content type and encoding gates", () => {
  for (const ct of ["text/html", "TEXT/HTML; charset=utf-8", " text/html ;x", "application/xhtml+xml"]) assert.equal(h.isHtml(ct), true, ct);
  for (const ct of [null, "", "text/plain", "text/htmlx", "text/html-x; a=b", "application/json"]) assert.equal(h.isHtml(ct), false, String(ct));
  for (const ce of [null, "", " ", "identity", "IDENTITY "]) assert.equal(h.isIdentity(ce), true, String(ce));
  for (const ce of ["gzip", "br", "identity, gzip", "x"]) assert.equal(h.isIdentity(ce), false, ce);
});

// --- every fixture: chunk invariance and "only attribute values change" ---

const fixtures = new URL("../fixtures/", import.meta.url);
const PAGES = ["cloudflare.com.html", "ecma402-spec.html", "html-parsing-spec.html"].map((name) => ({
  name, bytes: readFileSync(new URL(`lol-html-bench/${name}`, fixtures)),
}));

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSplits(seed, count, max) {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, () => 1 + Math.floor(rand() * max));
}

const stripped = (buf) => Buffer.from(buf.toString("latin1").split(SEG).join(""), "latin1");

test("lol-html pages: same output at representative chunk sizes and random splits; only values change", () => {
  try {
    pagesInvariant(false);
    h.setEverywhere(true); // the spec pages link mostly by fragment: make every value an edit too
    pagesInvariant(true);
  } finally {
    h.resetUrls();
  }
});

function pagesInvariant(everywhere) {
  for (const { name, bytes } of PAGES) {
    assert.equal(bytes.includes("/-S:"), false);
    const whole = h.rewrite(bytes, 0, 4096);
    const inserted = whole.toString("latin1").split(SEG).length - 1;
    if (everywhere || name === "cloudflare.com.html") assert.ok(inserted > 0, `${name}: nothing rewritten`);
    assert.ok(stripped(whole).equals(bytes), `${name}: stripping the segments does not give the input back`);
    const sizes = [1, 2, 3, 7, 13, 31, 64, 1000, 1024, 16384];
    for (const size of sizes) {
      assert.ok(h.rewrite(bytes, size, 4096).equals(whole), `${name}: chunk size ${size}`);
    }
    for (const seed of [1, 2, 3]) {
      assert.ok(h.rewrite(bytes, randomSplits(seed, 997, 300), 4096).equals(whole), `${name}: random splits seed ${seed}`);
    }
    if (everywhere) assert.equal(inserted, h.takeLog().filter((c) => c.value.length > 0 && c.kind !== LinkKind.MetaRefresh).length);
  }
}

test("lol-html pages: rewritten links are exactly the root-relative a/area/form/frame/iframe/base/meta/formaction values", () => {
  const counts = {};
  for (const { name, bytes } of PAGES) {
    h.rewrite(bytes, 16384, 4096);
    const calls = h.takeLog();
    const rewritten = calls.filter((c) => {
      let v = c.value;
      if (c.kind === LinkKind.MetaRefresh) return false;
      return v.startsWith("/") && !v.startsWith("//");
    }).length;
    const out = h.rewrite(bytes, 16384, 4096).toString("latin1");
    counts[name] = { asked: calls.length, rewritten };
    assert.equal(out.split(SEG).length - 1, rewritten, name);
  }
  // Pinned so that a tokenizer change that finds more or fewer links shows up here.
  assert.deepEqual(counts, COUNTS);
});

const COUNTS = {
  "cloudflare.com.html": { asked: 238, rewritten: 187 },
  "ecma402-spec.html": { asked: 749, rewritten: 0 },
  "html-parsing-spec.html": { asked: 3990, rewritten: 0 },
};

const html5libDir = new URL("html5lib-tokenizer/", fixtures);
const HTML5LIB_FILES = ["test1", "test2", "test3", "test4", "contentModelFlags", "domjs", "escapeFlag", "entities"];

test("html5lib inputs as documents: every chunk size 1..64 and random splits agree; only values change", () => {
  let n = 0;
  for (const file of HTML5LIB_FILES) {
    const { tests } = JSON.parse(readFileSync(new URL(`${file}.test`, html5libDir), "utf8"));
    for (const t of tests) {
      const bytes = Buffer.from(t.input, "utf8");
      const whole = h.rewrite(bytes, 0, 4096);
      assert.ok(stripped(whole).equals(bytes), `${file}: ${t.description}`);
      for (let size = 1; size <= Math.min(64, bytes.length); size++) {
        assert.ok(h.rewrite(bytes, size, 4096).equals(whole), `${file}: ${t.description} chunk ${size}`);
      }
      assert.ok(h.rewrite(bytes, randomSplits(n, 50, 8), 4096).equals(whole), `${file}: ${t.description} random`);
      n++;
    }
  }
  assert.ok(n > 1900, `${n}`);
});

test("edge cases: only values change; random splits agree", () => {
  for (const [input] of EDGE_CASES) {
    if (input.includes("/-S:")) continue; // replaced, not inserted
    const bytes = Buffer.from(input, "latin1");
    const whole = h.rewrite(bytes, 0, 4096);
    assert.ok(stripped(whole).equals(bytes), JSON.stringify(input));
    for (const seed of [11, 12, 13]) assert.ok(h.rewrite(bytes, randomSplits(seed, 40, 6), 4096).equals(whole));
  }
});

test("the tree-builder view of start tags does not depend on chunking either", () => {
  for (const { name, bytes } of PAGES) {
    const whole = h.tokenizeDocument(bytes, 0);
    assert.ok(whole.length > 100, name);
    assert.deepEqual(h.tokenizeDocument(bytes, 5), whole, name);
  }
});
