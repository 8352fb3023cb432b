// Property tests over generated markup (fast-check, fixed seed): whatever the bytes and however they are
// split, the rewriter never traps, its output does not depend on the chunking, and removing the
// inserted segments gives the input back.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { loadHtml } from "./harness.mjs";

const h = await loadHtml();
const SEG = "/-S:TEST";

// Pieces that steer the tokenizer into every state family, glued together at random.
const PIECES = [
  "<a href=", "<A HREF='", "<area href=\"", "<form action=", "<iframe src=", "<frame src=", "<base href=",
  "<meta http-equiv=refresh content=\"0;url=", "<meta content='1; URL=", " http-equiv=REFRESH", "<button formaction=",
  "<input formaction=", "/x", "/", "//", "\"", "'", ">", "/>", "<", "</", " ", "\n", "\r", "\t", "=", "&", "&amp;",
  "&amp", "&#47;", "&#x2F", "&eacute;", "&not", "&#0;", ";", "\0", "\xff", "é", "<!--", "-->", "--!>", "-", "<!",
  "<!DOCTYPE ", "<![CDATA[", "]]>", "<?", "<script>", "</script>", "</script ", "<!--<script>", "<style>",
  "</style>", "<textarea>", "</textarea>", "<title>", "</title>", "<xmp>", "</xmp>", "<noembed>", "<noframes>",
  "<plaintext>", "<svg>", "</svg>", "<math>", "</math>", "<p>", "</p>", "<font color=red>", "<b>", "x", "y=1",
  "<foreignObject>", "</foreignObject>", "<desc>", "<mi>", "</mi>", "<annotation-xml encoding='text/html'>",
  "</annotation-xml>", "<annotation-xml", " encoding=application/xhtml+xml>", "<template>", "<select>",
];

const doc = fc.array(fc.oneof(
  fc.constantFrom(...PIECES),
  fc.uint8Array({ maxLength: 4 }).map((b) => Buffer.from(b).toString("latin1")),
), { maxLength: 60 }).map((parts) => Buffer.from(parts.join(""), "latin1"));

test("generated markup: no trap, chunk-size invariant, only values change", () => {
  fc.assert(
    fc.property(doc, fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 8, max: 200 }), (bytes, splits, cap) => {
      const whole = h.rewrite(bytes, 0, cap);
      const split = h.rewrite(bytes, splits, cap);
      assert.ok(split.equals(whole), `splits ${splits} cap ${cap}: ${JSON.stringify(bytes.toString("latin1"))}`);
      const back = Buffer.from(whole.toString("latin1").split(SEG).join(""), "latin1");
      assert.ok(back.equals(bytes), JSON.stringify(bytes.toString("latin1")));
    }),
    { seed: 20261122, numRuns: 3000 },
  );
});

test("generated markup with every value edited: no trap, chunk-size invariant", () => {
  h.setEverywhere(true);
  try {
    fc.assert(
      fc.property(doc, fc.integer({ min: 1, max: 7 }), (bytes, size) => {
        assert.ok(h.rewrite(bytes, size, 64).equals(h.rewrite(bytes, 0, 64)));
      }),
      { seed: 7, numRuns: 2000 },
    );
  } finally {
    h.resetUrls();
  }
});

test("random bytes: no trap, chunk-size invariant", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 13 }), (b, size) => {
      const bytes = Buffer.from(b);
      assert.ok(h.rewrite(bytes, size, 32).equals(h.rewrite(bytes, 0, 32)));
    }),
    { seed: 99, numRuns: 2000 },
  );
});
