// The HTML tokenizer of the link rewriter (rewriter.ts): where tags, attribute values, comments and raw
// text begin and end, as a browser decides it.
//
// It is the WHATWG HTML tokenizer restricted to what decides those boundaries: every state is resumable
// byte by byte, so a chunk may end anywhere and the next one continues exactly where it stopped. A
// start tag that may carry a link (a, area, form, frame, iframe, meta, base, button, input) is "held":
// its attributes are filed as they pass, and its end is handed to the rewriter (TagSink.heldTagEnded),
// which needs the whole tag (`<meta content>` is a link only when the same tag says
// `http-equiv=refresh`, before or after it) and its raw bytes.
//
// What the tree builder contributes is simulated (as lol-html does): after `<script>` the tokenizer is
// in script data, after `<style>`, `<xmp>`, `<iframe>`, `<noembed>`, `<noframes>` in RAWTEXT, after
// `<textarea>` and `<title>` in RCDATA, after `<plaintext>` in PLAINTEXT until the end; inside `<svg>` and
// `<math>` (foreign content) none of these switch and `<![CDATA[` opens a CDATA section, until an HTML
// integration point (`<foreignObject>`, `<desc>`, `<title>` in SVG; `<mi>`, `<mo>`, `<mn>`, `<ms>`,
// `<mtext>` in MathML) or a tag that breaks out of foreign content (`<p>`, `<div>`, `<font color>`, ...).
// `<annotation-xml>` with `encoding` text/html or application/xhtml+xml is one as well (when the tag fits
// the cap). Simplifications, each a place where a browser can disagree: an end tag closes foreign
// content only when it names the innermost `<svg>`/`<math>`/integration point (a browser also closes
// it for mismatched nesting), and HTML elements open inside an integration point are counted, not
// tracked by name; `<noscript>` is treated as normal markup (what a browser without scripting, i.e. the
// visitor who needs URL sessions, sees) although a scripting browser reads it as raw text;
// insertion-mode subtleties such as a `<script>` or `<style>` ignored after `<frameset>` are not modelled.
//
// Why an @unmanaged class: with the incremental runtime, AssemblyScript spills a managed reference to
// its shadow stack wherever it may be live across a call (in practice a store at nearly every field
// access through `this`, and a zeroed frame in every function that calls with one), which the per-tag
// path paid on every tag (docs/benchmarks.md, "HTML rewriting"). The tokenizer's state lives in a block
// the rewriter owns and holds no managed values; the few places that need the rewriter (a held tag's
// end, report mode) reach it through TagSink.
//
// The hot path works on raw memory: runs of text, comments, raw text, quoted and unquoted attribute
// values are skipped eight bytes at a time, and a tag that ends inside the buffer (nearly all) is
// tokenized straight through by wholeTag; the state machine in scan takes the rest. Its states are
// grouped by syntax, as lol-html's parser groups them (src/parser/state_machine/syntax/ in
// github.com/cloudflare/lol-html): scan runs data, tag and attribute states itself and hands markup
// declarations (comments, DOCTYPE, CDATA), raw text and script data to scanMarkup, scanRawText and
// scanScriptData, each of which runs until a state of another group (one call per comment or script
// element, not per byte; docs/benchmarks.md, "Tokenizer split").

/** Tokenizer states a test may start in (html5lib's "initialStates"). */
export const enum InitialState {
  Data = 0,
  Rcdata = 1,
  Rawtext = 2,
  ScriptData = 3,
  Plaintext = 4,
  CdataSection = 5,
}

const enum S {
  Data,
  TagOpen,
  EndTagOpen,
  TagName,
  BeforeAttrName,
  AttrName,
  AfterAttrName,
  BeforeAttrValue,
  AttrValueDq,
  AttrValueSq,
  AttrValueUnq,
  AfterAttrValueQuoted,
  SelfClosing,
  MarkupDecl,
  MarkupMatch,
  BogusComment,
  Doctype,
  CommentStart,
  CommentStartDash,
  Comment,
  CommentEndDash,
  CommentEnd,
  CommentEndBang,
  Cdata,
  CdataBracket,
  CdataEnd,
  Raw, // RCDATA and RAWTEXT: they differ only in character references, which do not end anything
  RawLt,
  RawEndTagOpen,
  RawEndTagName,
  ScriptData,
  ScriptLt,
  ScriptEscapeStart,
  ScriptEscapeStartDash,
  ScriptEscaped,
  ScriptEscapedDash,
  ScriptEscapedDashDash,
  ScriptEscapedLt,
  ScriptDoubleEscapeStart,
  ScriptDoubleEscaped,
  ScriptDoubleEscapedDash,
  ScriptDoubleEscapedDashDash,
  ScriptDoubleEscapedLt,
  ScriptDoubleEscapeEnd,
  Plaintext,
}

// Tag names the rewriter or the tree-builder simulation cares about.
export const enum T {
  Other, A, Area, Form, Frame, Iframe, Meta, Base, Button, Input,
  Script, Style, Xmp, Noembed, Noframes, Textarea, Title, Plaintext,
  Svg, Math, Font, Br, P, Breakout,
  ForeignObject, Desc, Mi, Mo, Mn, Ms, Mtext, VoidBreakout, Void, AnnotationXml,
}

// Namespace stack entries; NS.HtmlIn + a tag id marks an HTML integration point opened by that tag.
// Foreign entries also say which tag opened them: an <svg> inside MathML is a MathML element named svg
// (closed by </svg>, still MathML inside), and likewise a <math> inside SVG.
const enum NS { Html = 0, Svg = 1, Math = 2, SvgByMath = 3, MathBySvg = 4, HtmlIn = 8 }

@inline function isForeignNs(top: i32): bool { return top >= NS.Svg && top <= NS.MathBySvg; }
@inline function isSvgNs(top: i32): bool { return top == NS.Svg || top == NS.SvgByMath; }
const NS_STACK: i32 = 64;

// Attributes remembered per held tag (first occurrence wins, as in browsers).
export const enum A { Href, Src, Action, Content, HttpEquiv, FormAction, Color, Face, Size, Encoding, Count }

// How an attribute's value was written.
export const enum Q { Unquoted = 0, Quoted = 1, Valueless = 2 }

/** Longest name of a tag that is held back ("button", "iframe"). */
const MAX_HELD_NAME: i32 = 6;
const NAME_BUF: i32 = 16;

const LT: u8 = 0x3c;
const GT: u8 = 0x3e;
const DASH: u8 = 0x2d;
const SLASH: u8 = 0x2f;
const BANG: u8 = 0x21;
const EQ: u8 = 0x3d;
export const DQ: u8 = 0x22;
const SQ: u8 = 0x27;

@inline function isWs(c: u32): bool {
  // Tab, LF, FF, space, and CR (which input preprocessing turns into LF).
  return c == 0x20 || (c - 0x09 < 5 && c != 0x0b);
}

@inline function isAlpha(c: u32): bool {
  return (c | 0x20) - 0x61 < 26;
}

@inline export function lower(c: u32): u32 {
  return c - 0x41 < 26 ? c | 0x20 : c;
}

/** ASCII capitals in eight bytes lowered (exactly as `lower` does each byte). */
@inline function lowerAscii8(x: u64): u64 {
  const h = x & 0x7f7f7f7f7f7f7f7f;
  const upper = (h + 0x3f3f3f3f3f3f3f3f) & ~(h + 0x2525252525252525) & ~x & 0x8080808080808080;
  return x | (upper >> 2);
}

@inline export function swarHas(x: u64, pattern: u64): u64 {
  const y = x ^ pattern;
  return (y - 0x0101010101010101) & ~y & 0x8080808080808080;
}

/** First address in [p, end) holding byte `b`, or `end`. */
export function findByte(p: usize, end: usize, b: u8): usize {
  const pattern = <u64>b * 0x0101010101010101;
  while (p + 8 <= end) {
    const m = swarHas(load<u64>(p), pattern);
    if (m) return p + <usize>(ctz(m) >> 3);
    p += 8;
  }
  while (p < end) {
    if (load<u8>(p) == b) return p;
    p++;
  }
  return end;
}

/** First address in [p, end) holding byte `a` or `b`, or `end`. */
function findByte2(p: usize, end: usize, a: u8, b: u8): usize {
  const pa = <u64>a * 0x0101010101010101;
  const pb = <u64>b * 0x0101010101010101;
  while (p + 8 <= end) {
    const x = load<u64>(p);
    const m = swarHas(x, pa) | swarHas(x, pb);
    if (m) return p + <usize>(ctz(m) >> 3);
    p += 8;
  }
  while (p < end) {
    const c = load<u8>(p);
    if (c == a || c == b) return p;
    p++;
  }
  return end;
}

/**
 * First address in [p, end) holding a byte that ends an unquoted attribute value (whitespace or `>`), or
 * `end`. Eight bytes at a time: bytes below 0x21 and `>` are candidates, checked against STOPS.
 */
function findUnquotedEnd(p: usize, end: usize): usize {
  const gt = <u64>GT * 0x0101010101010101;
  while (p + 8 <= end) {
    const x = load<u64>(p);
    let m = ((x - 0x2121212121212121) & ~x & 0x8080808080808080) | swarHas(x, gt);
    // The lowest flagged byte is a true candidate (a borrow only flags bytes above it); others are checked.
    while (m) {
      const at = p + <usize>(ctz(m) >> 3);
      if (load<u8>(STOPS + <usize>load<u8>(at)) & STOP_UNQUOTED) return at;
      m &= m - 1;
    }
    p += 8;
  }
  while (p < end) {
    if (load<u8>(STOPS + <usize>load<u8>(p)) & STOP_UNQUOTED) return p;
    p++;
  }
  return end;
}

// Which bytes end a run inside a tag (a lookup instead of a chain of comparisons per byte):
// a tag name ends at whitespace, `/` or `>`; an attribute name also at `=`; an unquoted value at
// whitespace or `>`. And which bytes of a value the decoder must see (`&`, NUL, CR): a value without
// them is its raw bytes.
const STOP_NAME: u8 = 1;
const STOP_ATTR_NAME: u8 = 2;
const STOP_UNQUOTED: u8 = 4;
export const NEEDS_DECODING: u8 = 8;
export const STOPS: usize = memory.data<u8>([
  8, 0, 0, 0, 0, 0, 0, 0, 0, 7, 7, 0, 7, 15, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  7, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 3,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 7, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

// Fixed names as keys (see classifyName), read a byte at a time by keyByte.
const SCRIPT_KEY: u64 = 0x747069726373; // script
const DOCTYPE_KEY: u64 = 0x65707974636f64; // doctype, lower-case
const CDATA_KEY: u64 = 0x5b41544144435b; // [CDATA[

@inline function keyByte(k1: u64, k2: u64, i: i32): u32 {
  return <u32>((i < 8 ? k1 >> (<u64>i << 3) : k2 >> (<u64>(i - 8) << 3)) & 0xff);
}

// The tokenizer's tables, in its block right after its fields: the namespace stack (a byte per entry),
// the HTML elements open in each recorded integration point (i32), and per attribute slot (A) where its
// name ends, where its value starts and ends, and how it was quoted (i32 each).
const NS_STACK_AT: usize = 0;
const NS_OPEN_AT: usize = NS_STACK_AT + <usize>NS_STACK;
const SLOTS_AT: usize = NS_OPEN_AT + (<usize>NS_STACK << 2);
export const enum SlotField { NameEnd = 0, Start = 1, End = 2, Quote = 3 }
const TABLES_SIZE: usize = SLOTS_AT + ((4 * <usize>A.Count) << 2);

/**
 * The rewriter's side of a held tag. The tokenizer keeps no managed values, so it reaches its sink
 * through a raw reference: the sink owns the tokenizer's block and outlives every call into it.
 */
export abstract class TagSink {
  /** A held start tag ended; its `<` is at `tagStart` of `buf` and its attributes are in the slots. */
  abstract heldTagEnded(): void;
  /** Report mode: the `index`th attribute of the current tag (offsets relative to its `<`). */
  abstract recordAttr(index: i32, nameStart: i32, nameEnd: i32, valueStart: i32, valueEnd: i32, quote: i32): void;
  /** Whether the held tag's `encoding` names HTML (which makes `<annotation-xml>` an integration point). */
  abstract encodingIsHtml(): bool;
}

/**
 * Whether this build has report mode (every start tag with its attributes handed to the sink, for the
 * tests' start-tag report). Only the test build defines HTML_REPORT_MODE (tests/html/asconfig.json,
 * `"use": ["HTML_REPORT_MODE=1"]`): in the filter every report-mode test below is a constant false, so
 * the per-tag and per-attribute paths carry none of it (docs/benchmarks.md, "HTML report mode compiled
 * out").
 */
// @ts-ignore: HTML_REPORT_MODE exists only when the build defines it.
export const REPORT_MODE: bool = isDefined(HTML_REPORT_MODE);

@unmanaged
export class Tokenizer {
  // --- testing aids (the filter leaves them at their defaults) ---
  /** Switch tokenizer states after start tags as a browser's tree builder does. Off for html5lib tests. */
  simulateTreeBuilder: bool;
  /** Hand every start tag to the sink as held, with each attribute (TagSink.recordAttr); see REPORT_MODE. */
  reportTags: bool;

  /** The buffer being scanned (offsets are relative to it). */
  buf: usize;
  private bufEnd: usize; // where the bytes scan was given end
  /** How many times a held tag grew beyond the cap and was passed on unchanged. */
  overflows: i32;
  private sinkRef: usize;
  private maxCarry: i32;

  private state: i32;
  private returnState: i32; // where an end tag that is not "appropriate" goes back to
  private lastTagKey1: u64; // the last start tag that opened raw text, as a key (see classifyName)
  private lastTagKey2: u64;
  private lastTagLen: i32;
  private matchIdx: i32; // end tag name / "script" / markup declaration keyword match position
  private matchOk: bool;
  private markupWhich: i32; // 1: "--", 2: "doctype", 3: "[CDATA["
  private nsDepth: i32;

  // The tag being tokenized.
  private nameLen: i32;
  private nameKey1: u64; // first 8 bytes of the lower-cased name, little-endian (see classifyName)
  private nameKey2: u64; // bytes 8..15
  /** Where the name ends, relative to `tagStart`. */
  nameEnd: i32;
  tagId: i32;
  private isEndTag: bool;
  selfClosing: bool;
  holding: bool;
  /** The offset of the held tag's `<` in `buf`. */
  tagStart: i32;
  private afterTag: i32; // the state after a tag wholeTag tokenized
  private attrOpen: bool;
  private attrNameStart: i32; // these four relative to tagStart
  private attrNameEnd: i32;
  private attrValueStart: i32;
  private attrValueEnd: i32;
  private attrQuote: i32;
  /** Which slots (1 << A) the held tag has filled. */
  slotSeen: u32;
  /** Report mode: attributes of the current tag handed to the sink. */
  reportAttrCount: i32;

  /** Report mode is on: a constant false where the build has none (REPORT_MODE). */
  @inline get reporting(): bool {
    return REPORT_MODE && this.reportTags;
  }

  /** Bytes a tokenizer's block needs (fields and tables). */
  static get blockSize(): i32 {
    return <i32>offsetof<Tokenizer>() + <i32>TABLES_SIZE;
  }

  /** A tokenizer in `block` (blockSize zeroed bytes that the sink keeps alive), in the data state. */
  static within(block: usize, sink: TagSink, maxCarryBytes: i32): Tokenizer {
    const t = changetype<Tokenizer>(block);
    t.sinkRef = changetype<usize>(sink);
    t.maxCarry = maxCarryBytes < 0 ? 0 : maxCarryBytes;
    t.simulateTreeBuilder = true;
    t.state = S.Data;
    t.returnState = S.Raw;
    t.matchOk = true;
    t.tagId = T.Other;
    t.attrQuote = Q.Valueless;
    t.afterTag = S.Data;
    return t;
  }

  @inline private sink(): TagSink {
    return changetype<TagSink>(this.sinkRef);
  }

  @inline private get tables(): usize {
    return changetype<usize>(this) + offsetof<Tokenizer>();
  }

  @inline private slotAt(field: SlotField, slot: i32): usize {
    return this.tables + SLOTS_AT + ((<usize>field * <usize>A.Count + <usize>slot) << 2);
  }

  /** A field of the held tag's attribute in `slot` (filled when slotSeen has its bit). */
  @inline slot(field: SlotField, slot: i32): i32 {
    return load<i32>(this.slotAt(field, slot));
  }

  /** Starts tokenizing in another state (html5lib tests); the key (see classifyName) makes `</name>` end raw text. */
  setInitialState(initial: i32, lastKey1: u64, lastKey2: u64, lastLen: i32): void {
    switch (initial) {
      case InitialState.Rcdata:
      case InitialState.Rawtext: this.state = S.Raw; break;
      case InitialState.ScriptData: this.state = S.ScriptData; break;
      case InitialState.Plaintext: this.state = S.Plaintext; break;
      case InitialState.CdataSection: this.state = S.Cdata; break;
      default: this.state = S.Data;
    }
    this.setLastTag(lastKey1, lastKey2, lastLen);
  }

  /** The start tag whose end tag ends the raw text that follows it ("appropriate end tag"). */
  private setLastTag(k1: u64, k2: u64, len: i32): void {
    this.lastTagKey1 = k1;
    this.lastTagKey2 = k2;
    this.lastTagLen = len <= NAME_BUF ? len : 0;
  }

  /** Where the bytes that can be passed on now end, given input up to `end` of the current buffer. */
  settle(end: i32, endOfStream: bool): i32 {
    if (this.holding && this.state == S.TagName && this.nameLen > MAX_HELD_NAME && !this.reporting &&
        !(this.nameLen <= 14 && this.inForeignContent())) { // "annotation-xml" is held in foreign content
      this.holding = false; // a long name is not one of the link tags; no need to wait for its end
    }
    if (!this.holding) return end;
    if (endOfStream) {
      this.holding = false; // a tag cut off by the end of the body is text to nobody; pass it on
      return end;
    }
    if (end - this.tagStart > this.maxCarry) {
      this.holding = false;
      this.overflows++;
      return end;
    }
    return this.tagStart;
  }

  /** Tokenizes [start, end) of `buf` from the current state, finishing every tag that ends in it. */
  scan(start: i32, end: i32): void {
    this.bufEnd = this.buf + <usize>end;
    const base = this.buf;
    const limit = base + <usize>end;
    let s = this.state;
    let p = start;
    while (p < end) {
      const c = <u32>load<u8>(base + <usize>p);
      switch (s) {
        case S.Data: {
          const q = <i32>(findByte(base + <usize>p, limit, LT) - base);
          if (q >= end) { p = end; break; }
          const after = this.wholeTag(q, end);
          if (after >= 0) { s = this.afterTag; p = after; break; }
          this.tagStart = q;
          this.holding = true;
          s = S.TagOpen;
          p = q + 1;
          break;
        }
        case S.TagOpen: {
          if (isAlpha(c)) {
            this.beginTag(false);
            s = S.TagName;
          } else {
            this.holding = false;
            if (c == BANG) { s = S.MarkupDecl; p++; }
            else if (c == SLASH) { s = S.EndTagOpen; p++; }
            else if (c == 0x3f /* ? */) s = S.BogusComment;
            else s = S.Data;
          }
          break;
        }
        case S.EndTagOpen: {
          if (isAlpha(c)) { this.beginTag(true); s = S.TagName; }
          else if (c == GT) { s = S.Data; p++; }
          else s = S.BogusComment;
          break;
        }
        case S.TagName: {
          let n = this.nameLen;
          let k1 = this.nameKey1;
          let k2 = this.nameKey2;
          let x = c;
          while (true) {
            if (load<u8>(STOPS + <usize>x) & STOP_NAME) break;
            const kc = <u64>lower(x);
            if (n < 8) k1 |= kc << (<u64>n << 3);
            else if (n < NAME_BUF) k2 |= kc << (<u64>(n - 8) << 3);
            n++;
            p++;
            if (p >= end) break;
            x = <u32>load<u8>(base + <usize>p);
          }
          this.nameLen = n;
          this.nameKey1 = k1;
          this.nameKey2 = k2;
          if (p >= end) break;
          this.endTagName(p);
          if (x == GT) { s = this.endTag(p); p++; }
          else { s = x == SLASH ? S.SelfClosing : S.BeforeAttrName; p++; }
          break;
        }
        case S.BeforeAttrName: {
          if (isWs(c)) { p++; break; }
          if (c == SLASH || c == GT) { s = S.AfterAttrName; break; }
          this.beginAttr(p);
          s = S.AttrName;
          if (c == EQ) p++; // a leading `=` is part of the name
          break;
        }
        case S.AttrName: {
          let x = c;
          while (!(load<u8>(STOPS + <usize>x) & STOP_ATTR_NAME)) {
            p++;
            if (p >= end) break;
            x = <u32>load<u8>(base + <usize>p);
          }
          if (p >= end) break;
          this.attrNameEnd = p - this.tagStart;
          if (x == EQ) { s = S.BeforeAttrValue; p++; }
          else s = S.AfterAttrName;
          break;
        }
        case S.AfterAttrName: {
          if (isWs(c)) { p++; break; }
          if (c == SLASH) { s = S.SelfClosing; p++; }
          else if (c == EQ) { s = S.BeforeAttrValue; p++; }
          else if (c == GT) { s = this.finishTag(p); p++; }
          else { this.beginAttr(p); s = S.AttrName; }
          break;
        }
        case S.BeforeAttrValue: {
          if (isWs(c)) { p++; break; }
          if (c == DQ || c == SQ) {
            this.attrQuote = Q.Quoted;
            this.attrValueStart = p + 1 - this.tagStart;
            s = c == DQ ? S.AttrValueDq : S.AttrValueSq;
            p++;
          } else if (c == GT) {
            this.attrQuote = Q.Unquoted;
            this.attrValueStart = this.attrValueEnd = p - this.tagStart;
            s = this.finishTag(p);
            p++;
          } else {
            this.attrQuote = Q.Unquoted;
            this.attrValueStart = p - this.tagStart;
            s = S.AttrValueUnq;
          }
          break;
        }
        case S.AttrValueDq:
        case S.AttrValueSq: {
          const q = <i32>(findByte(base + <usize>p, limit, s == S.AttrValueDq ? DQ : SQ) - base);
          if (q >= end) { p = end; break; }
          this.attrValueEnd = q - this.tagStart;
          s = S.AfterAttrValueQuoted;
          p = q + 1;
          break;
        }
        case S.AttrValueUnq: {
          let x = c;
          while (!(load<u8>(STOPS + <usize>x) & STOP_UNQUOTED)) {
            p++;
            if (p >= end) break;
            x = <u32>load<u8>(base + <usize>p);
          }
          if (p >= end) break;
          this.attrValueEnd = p - this.tagStart;
          if (x == GT) s = this.endTag(p);
          else s = S.BeforeAttrName;
          p++;
          break;
        }
        case S.AfterAttrValueQuoted: {
          if (isWs(c)) { s = S.BeforeAttrName; p++; }
          else if (c == SLASH) { s = S.SelfClosing; p++; }
          else if (c == GT) { s = this.endTag(p); p++; }
          else s = S.BeforeAttrName;
          break;
        }
        case S.SelfClosing: {
          if (c == GT) { this.selfClosing = true; s = this.finishTag(p); p++; }
          else s = S.BeforeAttrName;
          break;
        }
        default: {
          // Markup declarations, raw text and script data each run in their own function until they
          // reach a state of another group (or the end of the buffer).
          let r: u64 = 0;
          if (s < S.Raw) r = this.scanMarkup(s, p, end);
          else if (s < S.ScriptData) r = this.scanRawText(s, p, end);
          else if (s < S.Plaintext) r = this.scanScriptData(s, p, end);
          else { p = end; break; } // PLAINTEXT: nothing ends it.
          s = <i32>(r & 0xff);
          p = <i32>(r >>> 8);
        }
      }
    }
    this.state = s;
  }

  /**
   * Markup declarations: comments, DOCTYPEs, bogus comments and CDATA sections.
   * From state `s` at `p` until a state of another group or the buffer's end; returns that state and
   * where, as `p << 8 | s`.
   */
  private scanMarkup(s: i32, p: i32, end: i32): u64 {
    const base = this.buf;
    const limit = base + <usize>end;
    while (p < end) {
      const c = <u32>load<u8>(base + <usize>p);
      switch (s) {
        case S.MarkupDecl: {
          this.matchIdx = 1;
          if (c == DASH) { this.markupWhich = 1; s = S.MarkupMatch; p++; }
          else if ((c | 0x20) == 0x64 /* d */) { this.markupWhich = 2; s = S.MarkupMatch; p++; }
          else if (c == 0x5b /* [ */ && this.currentNodeForeign()) { this.markupWhich = 3; s = S.MarkupMatch; p++; }
          else s = S.BogusComment;
          break;
        }
        case S.MarkupMatch: {
          const which = this.markupWhich;
          const i = this.matchIdx;
          let want: u32;
          let len: i32;
          if (which == 1) { want = DASH; len = 2; }
          else if (which == 2) { want = keyByte(DOCTYPE_KEY, 0, i); len = 7; }
          else { want = keyByte(CDATA_KEY, 0, i); len = 7; }
          const got = which == 2 ? lower(c) : c;
          if (got != want) { s = S.BogusComment; break; }
          p++;
          if (i + 1 < len) { this.matchIdx = i + 1; break; }
          s = which == 1 ? S.CommentStart : which == 2 ? S.Doctype : S.Cdata;
          break;
        }
        case S.BogusComment:
        case S.Doctype: {
          // A DOCTYPE ends at its first `>` too, even inside a quoted identifier.
          const q = <i32>(findByte(base + <usize>p, limit, GT) - base);
          if (q >= end) { p = end; break; }
          s = S.Data;
          p = q + 1;
          break;
        }
        case S.CommentStart: {
          if (c == DASH) { s = S.CommentStartDash; p++; }
          else if (c == GT) { s = S.Data; p++; } // `<!-->`
          else s = S.Comment;
          break;
        }
        case S.CommentStartDash: {
          if (c == DASH) { s = S.CommentEnd; p++; }
          else if (c == GT) { s = S.Data; p++; } // `<!--->`
          else s = S.Comment;
          break;
        }
        case S.Comment: {
          // `<!--` inside a comment only leads, through the less-than-sign states, to where `--` leads.
          const q = <i32>(findByte(base + <usize>p, limit, DASH) - base);
          if (q >= end) { p = end; break; }
          s = S.CommentEndDash;
          p = q + 1;
          break;
        }
        case S.CommentEndDash: {
          if (c == DASH) { s = S.CommentEnd; p++; }
          else s = S.Comment;
          break;
        }
        case S.CommentEnd: {
          if (c == GT) { s = S.Data; p++; }
          else if (c == BANG) { s = S.CommentEndBang; p++; }
          else if (c == DASH) p++;
          else s = S.Comment;
          break;
        }
        case S.CommentEndBang: {
          if (c == DASH) { s = S.CommentEndDash; p++; }
          else if (c == GT) { s = S.Data; p++; }
          else s = S.Comment;
          break;
        }
        case S.Cdata: {
          const q = <i32>(findByte(base + <usize>p, limit, 0x5d) - base);
          if (q >= end) { p = end; break; }
          s = S.CdataBracket;
          p = q + 1;
          break;
        }
        case S.CdataBracket: {
          if (c == 0x5d) { s = S.CdataEnd; p++; }
          else s = S.Cdata;
          break;
        }
        case S.CdataEnd: {
          if (c == GT) { s = S.Data; p++; }
          else if (c == 0x5d) p++;
          else s = S.Cdata;
          break;
        }
        default: return <u64>p << 8 | <u64>s;
      }
    }
    return <u64>p << 8 | <u64>s;
  }

  /**
   * RCDATA and RAWTEXT up to the appropriate end tag (script data shares the end-tag states).
   * From state `s` at `p` until a state of another group or the buffer's end; returns that state and
   * where, as `p << 8 | s`.
   */
  private scanRawText(s: i32, p: i32, end: i32): u64 {
    const base = this.buf;
    const limit = base + <usize>end;
    while (p < end) {
      const c = <u32>load<u8>(base + <usize>p);
      switch (s) {
        case S.Raw: {
          const q = <i32>(findByte(base + <usize>p, limit, LT) - base);
          if (q >= end) { p = end; break; }
          s = S.RawLt;
          p = q + 1;
          break;
        }
        case S.RawLt: {
          if (c == SLASH) { this.returnState = S.Raw; s = S.RawEndTagOpen; p++; }
          else s = S.Raw;
          break;
        }
        case S.RawEndTagOpen: {
          if (isAlpha(c)) { this.matchIdx = 0; this.matchOk = true; s = S.RawEndTagName; }
          else s = this.returnState;
          break;
        }
        case S.RawEndTagName: {
          if (isAlpha(c)) {
            const i = this.matchIdx;
            if (i >= this.lastTagLen || keyByte(this.lastTagKey1, this.lastTagKey2, i) != lower(c)) this.matchOk = false;
            this.matchIdx = i + 1;
            p++;
            break;
          }
          const appropriate = this.matchOk && this.matchIdx == this.lastTagLen && this.lastTagLen > 0;
          if (!appropriate || !(isWs(c) || c == SLASH || c == GT)) { s = this.returnState; break; }
          // An appropriate end tag: from here on it is tokenized like any tag (its attributes too).
          this.holding = false;
          this.isEndTag = true;
          this.attrOpen = false;
          this.selfClosing = false;
          this.tagId = T.Other;
          if (c == GT) s = this.finishTag(p);
          else s = c == SLASH ? S.SelfClosing : S.BeforeAttrName;
          p++;
          break;
        }
        default: return <u64>p << 8 | <u64>s;
      }
    }
    return <u64>p << 8 | <u64>s;
  }

  /**
   * Script data with its escaped and double-escaped states.
   * From state `s` at `p` until a state of another group or the buffer's end; returns that state and
   * where, as `p << 8 | s`.
   */
  private scanScriptData(s: i32, p: i32, end: i32): u64 {
    const base = this.buf;
    const limit = base + <usize>end;
    while (p < end) {
      const c = <u32>load<u8>(base + <usize>p);
      switch (s) {
        case S.ScriptData: {
          const q = <i32>(findByte(base + <usize>p, limit, LT) - base);
          if (q >= end) { p = end; break; }
          s = S.ScriptLt;
          p = q + 1;
          break;
        }
        case S.ScriptLt: {
          if (c == SLASH) { this.returnState = S.ScriptData; s = S.RawEndTagOpen; p++; }
          else if (c == BANG) { s = S.ScriptEscapeStart; p++; }
          else s = S.ScriptData;
          break;
        }
        case S.ScriptEscapeStart: {
          if (c == DASH) { s = S.ScriptEscapeStartDash; p++; }
          else s = S.ScriptData;
          break;
        }
        case S.ScriptEscapeStartDash: {
          if (c == DASH) { s = S.ScriptEscapedDashDash; p++; }
          else s = S.ScriptData;
          break;
        }
        case S.ScriptEscaped: {
          const q = <i32>(findByte2(base + <usize>p, limit, DASH, LT) - base);
          if (q >= end) { p = end; break; }
          s = load<u8>(base + <usize>q) == DASH ? S.ScriptEscapedDash : S.ScriptEscapedLt;
          p = q + 1;
          break;
        }
        case S.ScriptEscapedDash: {
          if (c == DASH) s = S.ScriptEscapedDashDash;
          else if (c == LT) s = S.ScriptEscapedLt;
          else s = S.ScriptEscaped;
          p++;
          break;
        }
        case S.ScriptEscapedDashDash: {
          if (c == DASH) {}
          else if (c == LT) s = S.ScriptEscapedLt;
          else if (c == GT) s = S.ScriptData;
          else s = S.ScriptEscaped;
          p++;
          break;
        }
        case S.ScriptEscapedLt: {
          if (c == SLASH) { this.returnState = S.ScriptEscaped; s = S.RawEndTagOpen; p++; }
          else if (isAlpha(c)) { this.matchIdx = 0; this.matchOk = true; s = S.ScriptDoubleEscapeStart; }
          else s = S.ScriptEscaped;
          break;
        }
        case S.ScriptDoubleEscapeStart:
        case S.ScriptDoubleEscapeEnd: {
          const starting = s == S.ScriptDoubleEscapeStart;
          if (isAlpha(c)) {
            const i = this.matchIdx;
            if (i >= 6 || keyByte(SCRIPT_KEY, 0, i) != lower(c)) this.matchOk = false;
            this.matchIdx = i + 1;
            p++;
          } else if (isWs(c) || c == SLASH || c == GT) {
            const isScript = this.matchOk && this.matchIdx == 6;
            if (starting) s = isScript ? S.ScriptDoubleEscaped : S.ScriptEscaped;
            else s = isScript ? S.ScriptEscaped : S.ScriptDoubleEscaped;
            p++;
          } else {
            s = starting ? S.ScriptEscaped : S.ScriptDoubleEscaped;
          }
          break;
        }
        case S.ScriptDoubleEscaped: {
          const q = <i32>(findByte2(base + <usize>p, limit, DASH, LT) - base);
          if (q >= end) { p = end; break; }
          s = load<u8>(base + <usize>q) == DASH ? S.ScriptDoubleEscapedDash : S.ScriptDoubleEscapedLt;
          p = q + 1;
          break;
        }
        case S.ScriptDoubleEscapedDash: {
          if (c == DASH) s = S.ScriptDoubleEscapedDashDash;
          else if (c == LT) s = S.ScriptDoubleEscapedLt;
          else s = S.ScriptDoubleEscaped;
          p++;
          break;
        }
        case S.ScriptDoubleEscapedDashDash: {
          if (c == DASH) {}
          else if (c == LT) s = S.ScriptDoubleEscapedLt;
          else if (c == GT) s = S.ScriptData;
          else s = S.ScriptDoubleEscaped;
          p++;
          break;
        }
        case S.ScriptDoubleEscapedLt: {
          if (c == SLASH) { this.matchIdx = 0; this.matchOk = true; s = S.ScriptDoubleEscapeEnd; p++; }
          else s = S.ScriptDoubleEscaped;
          break;
        }
        default: return <u64>p << 8 | <u64>s;
      }
    }
    return <u64>p << 8 | <u64>s;
  }

  /**
   * The usual case, a start or end tag that ends inside the buffer, tokenized straight through from its
   * `<` at `lt` with its state in locals (scan's state machine takes a step per state change). Returns
   * the offset after its `>`, having finished the tag, with the state that follows in `afterTag`; or -1
   * for anything else (a comment, a doctype, a tag cut off by the end of the buffer), which scan then
   * tokenizes from `lt` itself: whatever this filed for the tag is reset there by beginTag.
   * The steps are the tokenizer's tag states, each in a comment below.
   */
  @inline private wholeTag(lt: i32, end: i32): i32 {
    const base = this.buf;
    const limit = base + <usize>end;
    let p = lt + 1;
    if (p >= end) return -1;
    let c = <u32>load<u8>(base + <usize>p);
    // tag open, end tag open
    const isEnd = c == SLASH;
    if (isEnd) {
      if (++p >= end) return -1;
      c = <u32>load<u8>(base + <usize>p);
    }
    if (!isAlpha(c)) return -1;
    // tag name
    const nameStart = p;
    let k1: u64 = 0;
    let k2: u64 = 0;
    do {
      const n = p - nameStart;
      const kc = <u64>lower(c);
      if (n < 8) k1 |= kc << (<u64>n << 3);
      else if (n < NAME_BUF) k2 |= kc << (<u64>(n - 8) << 3);
      if (++p >= end) return -1;
      c = <u32>load<u8>(base + <usize>p);
    } while (!(load<u8>(STOPS + <usize>c) & STOP_NAME));
    const nameEnd = p;
    const nameLen = nameEnd - nameStart;
    const id = this.tagIdOf(isEnd, nameLen, k1, k2);
    const held = !isEnd && this.holds(id);
    if (held) {
      this.tagStart = lt;
      this.slotSeen = 0;
      if (REPORT_MODE) this.reportAttrCount = 0;
    }
    let selfClosing = false;
    while (true) {
      // before attribute name
      while (isWs(c)) {
        if (++p >= end) return -1;
        c = <u32>load<u8>(base + <usize>p);
      }
      if (c == GT) break;
      if (c == SLASH) {
        // after attribute name, self-closing start tag: anything but `>` is reconsumed
        if (++p >= end) return -1;
        c = <u32>load<u8>(base + <usize>p);
        if (c == GT) { selfClosing = true; break; }
        continue;
      }
      // attribute name (a leading `=` is part of it)
      const an = p;
      if (c == EQ) {
        if (++p >= end) return -1;
        c = <u32>load<u8>(base + <usize>p);
      }
      while (!(load<u8>(STOPS + <usize>c) & STOP_ATTR_NAME)) {
        if (++p >= end) return -1;
        c = <u32>load<u8>(base + <usize>p);
      }
      const ane = p;
      // after attribute name
      while (isWs(c)) {
        if (++p >= end) return -1;
        c = <u32>load<u8>(base + <usize>p);
      }
      let vs = ane;
      let ve = ane;
      let quote: i32 = Q.Valueless;
      if (c == EQ) {
        // before attribute value
        do {
          if (++p >= end) return -1;
          c = <u32>load<u8>(base + <usize>p);
        } while (isWs(c));
        if (c == DQ || c == SQ) {
          // attribute value (double- or single-quoted), after attribute value (quoted)
          const q = <i32>(findByte(base + <usize>(p + 1), limit, <u8>c) - base);
          if (q >= end) return -1;
          vs = p + 1;
          ve = q;
          quote = Q.Quoted;
          p = q + 1;
          if (p >= end) return -1;
          c = <u32>load<u8>(base + <usize>p);
        } else {
          // attribute value (unquoted); a `>` right away leaves it empty
          vs = p;
          quote = Q.Unquoted;
          if (c != GT) {
            p = <i32>(findUnquotedEnd(base + <usize>p, limit) - base);
            if (p >= end) return -1;
            c = <u32>load<u8>(base + <usize>p);
          }
          ve = p;
        }
      }
      if (held) this.takeAttr(an - lt, ane - lt, vs - lt, ve - lt, quote);
    }
    // Most tags end here. Their fields are left as they are: only finishTag reads them, and in data
    // nothing is held.
    if (this.endsPlainly(held, isEnd, id)) {
      this.afterTag = S.Data;
      return p + 1;
    }
    this.isEndTag = isEnd;
    this.tagId = id;
    this.nameLen = nameLen;
    this.nameKey1 = k1;
    this.nameKey2 = k2;
    this.nameEnd = nameEnd - lt;
    this.selfClosing = selfClosing;
    this.holding = held;
    this.attrOpen = false;
    if (held) this.tagStart = lt;
    this.afterTag = this.finishTag(p);
    return p + 1;
  }

  @inline private beginTag(isEnd: bool): void {
    this.isEndTag = isEnd;
    this.nameLen = 0;
    this.nameKey1 = 0;
    this.nameKey2 = 0;
    this.selfClosing = false;
    this.attrOpen = false;
    this.slotSeen = 0;
    if (REPORT_MODE) this.reportAttrCount = 0;
    if (isEnd) this.holding = false;
  }

  @inline private endTagName(p: i32): void {
    this.nameEnd = p - this.tagStart;
    const id = this.tagIdOf(this.isEndTag, this.nameLen, this.nameKey1, this.nameKey2);
    this.tagId = id;
    if (this.holding && !this.holds(id)) this.holding = false;
  }

  /** The id of a tag with this name key: an end tag's name matters only to the foreign-content simulation (raw text ends elsewhere). */
  @inline private tagIdOf(isEnd: bool, nameLen: i32, k1: u64, k2: u64): i32 {
    return isEnd && this.nsDepth == 0 && !this.reporting ? T.Other : Tokenizer.classifyName(nameLen, k1, k2);
  }

  /**
   * Whether a start tag is held until its `>`: a link tag; in foreign content a tag whose attributes
   * decide where foreign content ends (`<font>`, `<annotation-xml>`); any tag in report mode.
   */
  @inline private holds(id: i32): bool {
    return this.reporting || Tokenizer.isLinkTag(id) || ((id == T.Font || id == T.AnnotationXml) && this.inForeignContent());
  }

  /**
   * Whether a tag that ended leaves finishTag nothing to do: an end tag or a start tag that is not held,
   * outside foreign content, which switches neither namespace nor tokenizer state.
   */
  @inline private endsPlainly(held: bool, isEnd: bool, id: i32): bool {
    return !held && this.nsDepth == 0 &&
      (isEnd || (id != T.Svg && id != T.Math && (!this.simulateTreeBuilder || Tokenizer.contentStateAfter(id) == S.Data)));
  }

  @inline private inForeignContent(): bool {
    const top = this.nsTop();
    return isForeignNs(top);
  }

  /** Whether the current node is a foreign element (for CDATA): also an integration point itself. */
  private currentNodeForeign(): bool {
    const top = this.nsTop();
    return isForeignNs(top) || (top >= NS.HtmlIn && this.nsOpen() == 0);
  }

  @inline static isLinkTag(id: i32): bool {
    return id >= T.A && id <= T.Input;
  }

  @inline private beginAttr(p: i32): void {
    if (this.attrOpen) { this.attrOpen = false; if (this.holding) this.endAttr(); }
    this.attrOpen = true;
    this.attrNameStart = p - this.tagStart;
    this.attrNameEnd = this.attrNameStart;
    this.attrQuote = Q.Valueless;
  }

  /** Files the attribute that just ended (of a held tag). */
  private endAttr(): void {
    const nameEnd = this.attrNameEnd;
    const quote = this.attrQuote;
    if (quote == Q.Valueless) this.takeAttr(this.attrNameStart, nameEnd, nameEnd, nameEnd, quote);
    else this.takeAttr(this.attrNameStart, nameEnd, this.attrValueStart, this.attrValueEnd, quote);
  }

  /**
   * An attribute of a held tag (offsets relative to its `<`; a valueless one's value is empty at its
   * name's end): recorded in report mode, filed in its slot.
   */
  @inline private takeAttr(nameStart: i32, nameEnd: i32, valueStart: i32, valueEnd: i32, quote: i32): void {
    if (REPORT_MODE) if (this.reportTags) this.sink().recordAttr(this.reportAttrCount++, nameStart, nameEnd, valueStart, valueEnd, quote);
    this.fileAttr(nameStart, nameEnd, valueStart, valueEnd, quote);
  }

  /** Remembers the first attribute of each name the rewriter looks at (no managed values: no frame). */
  private fileAttr(nameStart: i32, nameEnd: i32, valueStart: i32, valueEnd: i32, quote: i32): void {
    const slot = Tokenizer.classifyAttr(this.buf + <usize>(this.tagStart + nameStart), nameEnd - nameStart, this.bufEnd);
    if (slot < 0 || (this.slotSeen & (1 << slot)) != 0) return;
    this.slotSeen |= 1 << slot;
    store<i32>(this.slotAt(SlotField.NameEnd, slot), nameEnd);
    store<i32>(this.slotAt(SlotField.Start, slot), valueStart);
    store<i32>(this.slotAt(SlotField.End, slot), valueEnd);
    store<i32>(this.slotAt(SlotField.Quote, slot), quote);
  }

  /** finishTag without a call for the tags that leave it nothing to do (see endsPlainly). */
  @inline private endTag(gt: i32): i32 {
    if (this.endsPlainly(this.holding, this.isEndTag, this.tagId)) {
      this.attrOpen = false;
      return S.Data;
    }
    return this.finishTag(gt);
  }

  /** A tag ended with the `>` at `gt`; returns the tokenizer state that follows it. */
  private finishTag(gt: i32): i32 {
    if (this.attrOpen) { this.attrOpen = false; if (this.holding) this.endAttr(); }
    const id = this.tagId;
    if (this.isEndTag) {
      if (this.simulateTreeBuilder && this.nsDepth > 0) this.endTagLeaves(id);
      return S.Data;
    }
    const held = this.holding && gt + 1 - this.tagStart <= this.maxCarry;
    // Given up although it arrived whole: counted like one given up across chunks, so the count does not
    // depend on where the body was split.
    if (this.holding && !held) this.overflows++;
    this.holding = false;
    let next: i32 = S.Data;
    if (this.simulateTreeBuilder) {
      let top = this.nsTop();
      if (isForeignNs(top)) {
        if (id == T.Breakout || id == T.VoidBreakout || id == T.Br || id == T.P || id == T.Meta ||
            (id == T.Font && held && (this.slotSeen & ((1 << A.Color) | (1 << A.Face) | (1 << A.Size))) != 0)) {
          // These leave foreign content: back to the HTML element or integration point below.
          while (this.nsDepth > 0 && isForeignNs(this.nsTop())) this.nsPop();
          top = this.nsTop();
        }
      }
      if (isForeignNs(top)) {
        if (!this.selfClosing) {
          const svg = isSvgNs(top);
          // nested <svg>/<math>: an element of the current namespace, closed by its own end tag
          if (id == T.Svg) this.nsPush(svg ? NS.Svg : NS.MathBySvg);
          else if (id == T.Math) this.nsPush(svg ? NS.SvgByMath : NS.Math);
          else if (svg && (id == T.ForeignObject || id == T.Desc || id == T.Title)) this.nsPush(NS.HtmlIn + id);
          else if (!svg && id >= T.Mi && id <= T.Mtext) this.nsPush(NS.HtmlIn + id);
          else if (!svg && id == T.AnnotationXml && held && this.sink().encodingIsHtml()) this.nsPush(NS.HtmlIn + id);
        }
      } else if ((id == T.Svg || id == T.Math) && !this.selfClosing) {
        this.nsPush(id == T.Svg ? NS.Svg : NS.Math);
      } else {
        if (top >= NS.HtmlIn && !Tokenizer.isVoid(id)) this.nsOpenAdd(1);
        next = Tokenizer.contentStateAfter(id);
        if (next != S.Data) this.setLastTag(this.nameKey1, this.nameKey2, this.nameLen);
      }
    }
    if (held) this.sink().heldTagEnded();
    return next;
  }

  // The namespace stack records only where the tree builder changes namespace: an <svg> or <math>
  // (foreign content begins) and an HTML integration point inside it (<foreignObject>, <desc>, <title>
  // in SVG; <mi>, <mo>, <mn>, <ms>, <mtext> in MathML), where HTML rules apply again. Deeper than
  // NS_STACK such changes are counted but not recorded, and the innermost recorded one stands in.
  @inline private nsTop(): i32 {
    const d = this.nsDepth;
    if (d == 0) return NS.Html;
    return <i32>load<u8>(this.tables + NS_STACK_AT + <usize>((d <= NS_STACK ? d : NS_STACK) - 1));
  }

  private nsPush(entry: i32): void {
    const d = this.nsDepth;
    if (d < NS_STACK) {
      store<u8>(this.tables + NS_STACK_AT + <usize>d, <u8>entry);
      store<i32>(this.tables + NS_OPEN_AT + (<usize>d << 2), 0);
    }
    if (d < 0x7fffffff) this.nsDepth = d + 1;
  }

  private nsPop(): void {
    if (this.nsDepth > 0) this.nsDepth--;
  }

  private endTagLeaves(id: i32): void {
    const top = this.nsTop();
    if (isForeignNs(top)) {
      if ((id == T.Svg && (top == NS.Svg || top == NS.MathBySvg)) || (id == T.Math && (top == NS.Math || top == NS.SvgByMath))) {
        this.nsPop();
      }
      else if (id == T.Br || id == T.P) {
        while (this.nsDepth > 0 && isForeignNs(this.nsTop())) this.nsPop();
      }
    } else if (top >= NS.HtmlIn) {
      // Inside an integration point: its own end tag closes it only when it is the current node (a
      // browser ignores it otherwise); any other end tag is taken to close the innermost HTML element.
      if (this.nsOpen() > 0) {
        if (top != NS.HtmlIn + id && !Tokenizer.isVoid(id)) this.nsOpenAdd(-1);
      } else if (top == NS.HtmlIn + id) {
        this.nsPop();
      }
    }
  }

  @inline private static isVoid(id: i32): bool {
    return id == T.Void || id == T.VoidBreakout || id == T.Area || id == T.Base || id == T.Br ||
      id == T.Input || id == T.Meta;
  }

  /** HTML elements open inside the innermost integration point (only kept for recorded levels). */
  private nsOpen(): i32 {
    const d = this.nsDepth;
    return d > 0 && d <= NS_STACK ? load<i32>(this.tables + NS_OPEN_AT + (<usize>(d - 1) << 2)) : 0;
  }

  private nsOpenAdd(delta: i32): void {
    const d = this.nsDepth;
    if (d > 0 && d <= NS_STACK) {
      const at = this.tables + NS_OPEN_AT + (<usize>(d - 1) << 2);
      const v = load<i32>(at) + delta;
      store<i32>(at, v < 0 ? 0 : v > 0xffff ? 0xffff : v);
    }
  }

  private static contentStateAfter(id: i32): i32 {
    switch (id) {
      case T.Script: return S.ScriptData;
      case T.Style:
      case T.Xmp:
      case T.Iframe:
      case T.Noembed:
      case T.Noframes:
      case T.Textarea:
      case T.Title: return S.Raw;
      case T.Plaintext: return S.Plaintext;
    }
    return S.Data;
  }

  // Names are compared as packed little-endian integers: `name` is "eman" read as a u64. `k1` holds the
  // first 8 bytes of the lower-cased name `n` bytes long, `k2` bytes 8 to 15 (a NUL is a zero byte: with
  // the length compared too, no name with one matches).
  private static classifyName(n: i32, k1: u64, k2: u64): i32 {
    if (n > 8) {
      if (n == 9 && k1 == 0x7865746e69616c70 && k2 == 0x74) return T.Plaintext;
      if (n == 13 && k1 == 0x6f6e676965726f66 && k2 == 0x7463656a62) return T.ForeignObject;
      if (n == 14 && k1 == 0x697461746f6e6e61 && k2 == 0x6c6d782d6e6f) return T.AnnotationXml;
      if (n == 10 && k1 == 0x6f75716b636f6c62 && k2 == 0x6574) return T.Breakout; // blockquote
      return T.Other;
    }
    // The length picks a short list to compare.
    switch (n) {
      case 1: {
        switch (k1) {
          case 0x61: return T.A; // a
          case 0x70: return T.P; // p
          case 0x62: // b
          case 0x69: // i
          case 0x73: // s
          case 0x75: return T.Breakout; // u
        }
        break;
      }
      case 2: {
        switch (k1) {
          case 0x696c: // li
          case 0x6464: // dd
          case 0x6c64: // dl
          case 0x7464: // dt
          case 0x6d65: // em
          case 0x3168: // h1
          case 0x3268: // h2
          case 0x3368: // h3
          case 0x3468: // h4
          case 0x3568: // h5
          case 0x3668: // h6
          case 0x6c6f: // ol
          case 0x7474: // tt
          case 0x6c75: return T.Breakout; // ul
          case 0x7262: return T.Br; // br
          case 0x7268: return T.VoidBreakout; // hr
          case 0x696d: return T.Mi; // mi
          case 0x6f6d: return T.Mo; // mo
          case 0x6e6d: return T.Mn; // mn
          case 0x736d: return T.Ms; // ms
        }
        break;
      }
      case 3: {
        switch (k1) {
          case 0x766964: // div
          case 0x676962: // big
          case 0x657270: // pre
          case 0x627573: // sub
          case 0x707573: // sup
          case 0x726176: return T.Breakout; // var
          case 0x676d69: return T.VoidBreakout; // img
          case 0x706d78: return T.Xmp; // xmp
          case 0x677673: return T.Svg; // svg
          case 0x6c6f63: // col
          case 0x726277: return T.Void; // wbr
        }
        break;
      }
      case 4: {
        switch (k1) {
          case 0x6e617073: // span
          case 0x79646f62: // body
          case 0x65646f63: // code
          case 0x64616568: // head
          case 0x756e656d: // menu
          case 0x72626f6e: // nobr
          case 0x79627572: return T.Breakout; // ruby
          case 0x61657261: return T.Area; // area
          case 0x6d726f66: return T.Form; // form
          case 0x6174656d: return T.Meta; // meta
          case 0x65736162: return T.Base; // base
          case 0x6874616d: return T.Math; // math
          case 0x746e6f66: return T.Font; // font
          case 0x6b6e696c: return T.Void; // link
          case 0x63736564: return T.Desc; // desc
        }
        break;
      }
      case 5: {
        switch (k1) {
          case 0x656d617266: return T.Frame; // frame
          case 0x7475706e69: return T.Input; // input
          case 0x656c797473: return T.Style; // style
          case 0x656c746974: return T.Title; // title
          case 0x6465626d65: return T.VoidBreakout; // embed
          case 0x6b63617274: // track
          case 0x6d61726170: return T.Void; // param
          case 0x747865746d: return T.Mtext; // mtext
          case 0x6c6c616d73: // small
          case 0x656c626174: return T.Breakout; // table
        }
        break;
      }
      case 6: {
        switch (k1) {
          case 0x656d61726669: return T.Iframe; // iframe
          case 0x6e6f74747562: return T.Button; // button
          case 0x747069726373: return T.Script; // script
          case 0x656372756f73: // source
          case 0x6e656779656b: return T.Void; // keygen
          case 0x7265746e6563: // center
          case 0x656b69727473: // strike
          case 0x676e6f727473: return T.Breakout; // strong
        }
        break;
      }
      case 7: {
        switch (k1) {
          case 0x6465626d656f6e: return T.Noembed; // noembed
          case 0x676e697473696c: return T.Breakout; // listing
        }
        break;
      }
      case 8: {
        switch (k1) {
          case 0x73656d6172666f6e: return T.Noframes; // noframes
          case 0x6165726174786574: return T.Textarea; // textarea
        }
        break;
      }
    }
    return T.Other;
  }

  /** The slot (A) of the attribute named by the `n` bytes at `p`, or -1. Keys as in classifyName. */
  private static classifyAttr(p: usize, n: i32, limit: usize): i32 {
    if (n < 3 || n > 10) return -1;
    let k1: u64 = 0;
    let k2: u64 = 0;
    if (n <= 8 && p + 8 <= limit) {
      // the usual short name, keyed eight bytes at a time
      k1 = lowerAscii8(load<u64>(p)) & (<u64>-1 >> (<u64>(8 - n) << 3));
    } else {
      for (let i = 0; i < n; i++) {
        const kc = <u64>lower(<u32>load<u8>(p + <usize>i));
        if (i < 8) k1 |= kc << (<u64>i << 3);
        else k2 |= kc << (<u64>(i - 8) << 3);
      }
    }
    switch (n) {
      case 3: return k1 == 0x637273 ? A.Src : -1;
      case 4: {
        if (k1 == 0x66657268) return A.Href;
        if (k1 == 0x65636166) return A.Face;
        if (k1 == 0x657a6973) return A.Size;
        return -1;
      }
      case 5: return k1 == 0x726f6c6f63 ? A.Color : -1;
      case 6: return k1 == 0x6e6f69746361 ? A.Action : -1;
      case 7: return k1 == 0x746e65746e6f63 ? A.Content : -1;
      case 8: return k1 == 0x676e69646f636e65 ? A.Encoding : -1;
      case 10: {
        if (k1 == 0x7571652d70747468 && k2 == 0x7669) return A.HttpEquiv;
        if (k1 == 0x697463616d726f66 && k2 == 0x6e6f) return A.FormAction;
        return -1;
      }
    }
    return -1;
  }
}
