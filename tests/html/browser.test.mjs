// A browser is the judge: Chromium parses each document before and after rewriting (DOMParser, which
// parses with scripting disabled, the view of the visitors who need URL sessions), and
//   1. the two DOMs serialise identically once the inserted segments are removed, and every inserted
//      segment is inside a link value: nothing but link values changed, in the browser's reading;
//   2. every link attribute the browser sees (a/area href, form action, frame/iframe src, base href,
//      button/input formaction, content of a refresh meta) has exactly the value the test UrlRewriter
//      gives the value the browser saw before, so the rewriter found every link and decoded it as the
//      browser does, and every other link is unchanged.
// Documents: lol-html's three pages, every html5lib tokenizer input, the hand-written edge cases and
// generated markup. Runs when /usr/bin/chromium (or $CHROMIUM) exists, else prints one SKIPPED line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { loadHtml } from "./harness.mjs";
import { EDGE_CASES, SEG } from "./cases.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const fixtures = new URL("../fixtures/", import.meta.url);

/** The same rule as the test UrlRewriter in entry.ts, applied to a value as the browser reads it. */
function expectedValue(tag, value, everywhere) {
  let at = 0;
  if (tag === "meta") {
    at = urlStartInRefresh(value);
    if (at < 0) return value;
  }
  if (everywhere) return at < value.length ? value.slice(0, at) + SEG + value.slice(at) : value;
  if (value.startsWith("/-S:", at)) {
    let end = value.indexOf("/", at + 1);
    if (end < 0) end = value.length;
    return value.slice(0, at) + SEG + value.slice(end);
  }
  if (value[at] === "/" && value[at + 1] !== "/") return value.slice(0, at) + SEG + value.slice(at);
  return value;
}

function urlStartInRefresh(v) {
  let i = 0;
  const n = v.length;
  const space = (c) => c === " " || c === "\t" || c === "\n" || c === "\f" || c === "\r";
  while (i < n && (/[0-9.]/.test(v[i]) || space(v[i]))) i++;
  if (i >= n || (v[i] !== ";" && v[i] !== ",")) return -1;
  i++;
  while (i < n && space(v[i])) i++;
  if (v.slice(i, i + 3).toLowerCase() === "url") {
    let j = i + 3;
    while (j < n && space(v[j])) j++;
    if (v[j] === "=") {
      j++;
      while (j < n && space(v[j])) j++;
      i = j;
    }
  }
  if (v[i] === "'" || v[i] === '"') i++;
  return i;
}

// Runs in the browser: for each document, its serialisation and its link attributes in document order.
const PAGE_SCRIPT = `
const SPEC = [["a","href"],["area","href"],["form","action"],["frame","src"],["iframe","src"],["base","href"],
  ["button","formaction"],["input","formaction"],["meta","content"]];
const docs = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(document.getElementById("in").textContent), c => c.charCodeAt(0))));
const out = docs.map(d => {
  const doc = new DOMParser().parseFromString(d, "text/html");
  const links = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      for (const [t, a] of SPEC) {
        if (el.localName !== t || !el.hasAttribute(a)) continue;
        if (t === "meta" && !/^refresh$/i.test(el.getAttribute("http-equiv") ?? "")) continue;
        links.push([t, el.getAttribute(a)]);
      }
      if (el.localName === "template" && el.content) walk(el.content); // template contents are a separate tree
    }
  };
  walk(doc);
  return [doc.documentElement.outerHTML, links];
});
document.getElementById("out").textContent = btoa(unescape(encodeURIComponent(JSON.stringify(out))));
`;

function parseInChromium(docs) {
  const dir = mkdtempSync(join(tmpdir(), "clicktrail-browser-"));
  try {
    const input = Buffer.from(JSON.stringify(docs), "utf8").toString("base64");
    const page = `<!doctype html><meta charset=utf-8><body><pre id=in>${input}</pre><pre id=out></pre><script>${PAGE_SCRIPT}</script>`;
    writeFileSync(join(dir, "page.html"), page);
    const r = spawnSync(CHROMIUM, ["--headless=new", "--no-sandbox", "--disable-gpu", `--user-data-dir=${join(dir, "profile")}`,
      "--dump-dom", `file://${join(dir, "page.html")}`], { encoding: "utf8", maxBuffer: 1 << 30, timeout: 120000 });
    const m = /<pre id="out">([^<]*)<\/pre>/.exec(r.stdout ?? "");
    assert.ok(m && m[1].length > 0, `chromium produced no result (status ${r.status}): ${(r.stderr ?? "").slice(-500)}`);
    return JSON.parse(Buffer.from(m[1], "base64").toString("utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const available = existsSync(CHROMIUM);
if (!available) console.log(`SKIPPED: browser agreement test (no Chromium at ${CHROMIUM})`);

test("Chromium agrees: only link values change, and each changes exactly as the UrlRewriter asked", { skip: !available }, async () => {
  const h = await loadHtml();
  const cases = [];
  for (const name of ["cloudflare.com.html", "ecma402-spec.html", "html-parsing-spec.html"]) {
    cases.push({ label: name, bytes: readFileSync(new URL(`lol-html-bench/${name}`, fixtures)) });
  }
  for (const file of ["test1", "test2", "test3", "test4", "contentModelFlags", "domjs", "escapeFlag", "entities"]) {
    const { tests } = JSON.parse(readFileSync(new URL(`html5lib-tokenizer/${file}.test`, fixtures), "utf8"));
    for (const t of tests) cases.push({ label: `${file}: ${t.description}`, bytes: Buffer.from(t.input, "utf8") });
  }
  for (const [input] of EDGE_CASES) cases.push({ label: JSON.stringify(input), bytes: Buffer.from(input, "latin1") });
  const pieces = ["<a href=", "<A HREF='", "<form action=", "<iframe src=", "<base href=", "<meta http-equiv=refresh content=\"0;url=",
    "<input formaction=", "/x", "/", "\"", "'", ">", "/>", "<", "</", " ", "\n", "&amp;", "&amp", "&#47;", "&not", "<!--", "-->",
    "<script>", "</script>", "<style>", "</style>", "<textarea>", "</textarea>", "<title>", "<xmp>", "<svg>", "</svg>", "<p>", "x",
    "<math>", "</math>", "<mi>", "</mi>", "<foreignObject>", "</foreignObject>", "<desc>", "</desc>", "</title>", "<select>", "</select>",
    "<table>", "<tr>", "<td>", "<template>", "</template>", "<frameset>", "<noscript>", "</noscript>", "<iframe>", "</iframe>",
    "<font color=red>", "<![CDATA[", "]]>", "<div>", "</div>", "<b>", "<option>", "<body>", "<head>", "<html>"];
  const generated = fc.sample(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }).map((p) => p.join("")), { seed: 4242, numRuns: 1500 });
  for (const g of generated) cases.push({ label: JSON.stringify(g), bytes: Buffer.from(g, "utf8") });

  // Each document three times: as is, rewritten by the default rule, rewritten with the segment put in
  // front of every non-empty value (so that every link's decoding and edit mapping is exercised).
  const utf8 = new TextDecoder("utf-8");
  const docs = [];
  for (const c of cases) {
    h.resetUrls();
    const byRule = h.rewrite(c.bytes, 0, 1 << 20);
    h.setEverywhere(true);
    const everywhere = h.rewrite(c.bytes, 0, 1 << 20);
    docs.push(utf8.decode(c.bytes), utf8.decode(byRule), utf8.decode(everywhere));
  }
  h.resetUrls();
  const parsed = parseInChromium(docs);
  assert.equal(parsed.length, docs.length);
  let links = 0;
  const changed = [0, 0];
  for (let i = 0; i < cases.length; i++) {
    const [beforeHtml, beforeLinks] = parsed[3 * i];
    const label = cases[i].label;
    for (const [mode, everywhere] of [[1, false], [2, true]]) {
      const [afterHtml, afterLinks] = parsed[3 * i + mode];
      if (!cases[i].bytes.includes("/-S:")) {
        assert.equal(afterHtml.split(SEG).join(""), beforeHtml, `${label}${everywhere ? " (every value)" : ""}: more than link values changed`);
      }
      assert.equal(afterLinks.length, beforeLinks.length, `${label}: link count`);
      // every inserted segment landed in a link value the browser sees, none in text or other attributes
      const inLinks = afterLinks.reduce((n, [, v]) => n + v.split(SEG).length - 1, 0);
      assert.equal(afterHtml.split(SEG).length - 1, inLinks, `${label}${everywhere ? " (every value)" : ""}: a segment outside link values`);
      for (let k = 0; k < beforeLinks.length; k++) {
        const [tag, value] = beforeLinks[k];
        assert.equal(afterLinks[k][1], expectedValue(tag, value, everywhere),
          `${label}${everywhere ? " (every value)" : ""}: <${tag}> value ${JSON.stringify(value)}`);
        if (afterLinks[k][1] !== value) changed[mode - 1]++;
      }
    }
    links += beforeLinks.length;
  }
  console.log(`browser agreement: ${cases.length} documents, ${links} links seen by Chromium; ` +
    `${changed[0]} rewritten by the test rule, ${changed[1]} with every value edited, all as expected`);
  assert.ok(changed[0] > 200 && changed[1] > 4000);
});
