// Tokenizer agreement with html5lib's tokenizer tests: for every test whose initial state the rewriter
// models, the start tags (names, decoded attribute values with the first duplicate winning, self-closing
// flag) reported by the rewriter's tokenizer-only mode equal the StartTag tokens html5lib expects, fed in
// one piece and in small chunks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadHtml, InitialState } from "./harness.mjs";

const dir = new URL("../fixtures/html5lib-tokenizer/", import.meta.url);
const FILES = ["test1", "test2", "test3", "test4", "contentModelFlags", "domjs", "escapeFlag", "entities"];
const STATES = {
  "Data state": InitialState.Data,
  "RCDATA state": InitialState.Rcdata,
  "RAWTEXT state": InitialState.Rawtext,
  "Script data state": InitialState.ScriptData,
  "PLAINTEXT state": InitialState.Plaintext,
  "CDATA section state": InitialState.CdataSection,
};

const unescape = (s) => s.replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
const hasLoneSurrogate = (s) => /[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/.test(s);

function expectedStartTags(t) {
  const fix = t.doubleEscaped ? unescape : (s) => s;
  return t.output
    .filter((tok) => tok[0] === "StartTag")
    .map((tok) => ({
      name: fix(tok[1]),
      attrs: Object.entries(tok[2]).map(([k, v]) => [fix(k), fix(v)]).sort(cmpPair),
      selfClosing: tok[3] === true,
    }));
}

const cmpPair = (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

const h = await loadHtml();
const summary = { compared: 0, runs: 0, excluded: [] };

for (const file of FILES) {
  const { tests } = JSON.parse(readFileSync(new URL(`${file}.test`, dir), "utf8"));
  test(`html5lib ${file}: start tags agree`, () => {
    let compared = 0;
    for (const t of tests) {
      const input = t.doubleEscaped ? unescape(t.input) : t.input;
      if (hasLoneSurrogate(input)) {
        summary.excluded.push(`${file}: ${t.description} (lone surrogate: not expressible as UTF-8 bytes)`);
        continue;
      }
      const bytes = Buffer.from(input, "utf8");
      const want = expectedStartTags(t);
      for (const stateName of t.initialStates ?? ["Data state"]) {
        const state = STATES[stateName];
        assert.notEqual(state, undefined, stateName);
        for (const chunk of [0, 1, 2, 5]) {
          const got = h.tokenize(bytes, state, t.lastStartTag ?? "", chunk).map((tag) => ({ ...tag, attrs: tag.attrs.sort(cmpPair) }));
          assert.deepEqual(got, want, `${file}: ${t.description} [${stateName}] chunk ${chunk}: ${JSON.stringify(input)}`);
          summary.runs++;
        }
      }
      compared++;
    }
    summary.compared += compared;
  });
}

// entities.test checks most references in text; in an attribute value a reference that ends with `;`
// or is numeric decodes the same way, so each such test also runs inside a double-quoted value.
test("html5lib entities: references inside attribute values decode as in text", () => {
  const { tests } = JSON.parse(readFileSync(new URL("entities.test", dir), "utf8"));
  let n = 0;
  for (const t of tests) {
    const text = t.input;
    if (!text.startsWith("&") || text.includes('"') || text.includes("<")) continue;
    if (!(/^&#/.test(text) || /^&[A-Za-z0-9]+;$/.test(text))) continue;
    if (t.output.length !== 1 || t.output[0][0] !== "Character") continue;
    // a named reference only partly consumed in text (`&noti;` is `&not` + `i;`) stays whole in a value
    if (!text.startsWith("&#") && t.output[0][1].includes(";")) continue;
    const got = h.tokenize(Buffer.from(`<h a="${text}">`, "utf8"));
    assert.deepEqual(got, [{ name: "h", attrs: [["a", t.output[0][1]]], selfClosing: false }], text);
    n++;
  }
  summary.entityChecks = n;
  assert.ok(n > 20, `${n}`);
});

test("html5lib summary", () => {
  console.log(`html5lib: ${summary.compared} tests compared (${summary.runs} runs over initial states and chunk sizes); ` +
    `${summary.excluded.length} excluded; ${summary.entityChecks} references checked inside attribute values`);
  for (const e of summary.excluded) console.log(`  excluded: ${e}`);
  assert.ok(summary.compared > 1800);
});
