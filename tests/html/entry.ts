// A standalone build of the HTML rewriter for the Node tests and the benchmark (build/html-test.wasm),
// with a UrlRewriter that stands in for clickpath: it inserts `/-S:TEST` in front of root-relative
// values, replaces an existing `/-S:...` first segment, and records what it was asked.
import { HtmlRewriter } from "../../assembly/html/rewriter";
import { LinkKind, UrlEdit, UrlRewriter } from "../../assembly/html/links";
import { ByteBuffer } from "../../assembly/html/charref";
import { isHtmlContentType, isIdentityEncoding } from "../../assembly/html/content";

export const UINT8ARRAY_ID = idof<Uint8Array>();

const SEGMENT = "/-S:TEST";

class TestUrls extends UrlRewriter {
  log: ByteBuffer = new ByteBuffer();
  fixed: UrlEdit | null = null;
  prefix: string = SEGMENT;
  everywhere: bool = false;
  logging: bool = true;

  rewrite(value: string, kind: LinkKind, base: string | null, edit: UrlEdit): bool {
    if (this.logging) {
      const log = this.log;
      pushU32(log, <i32>kind);
      pushU32(log, value.length);
      log.pushByteString(value);
      if (base == null) pushU32(log, -1);
      else { pushU32(log, base.length); log.pushByteString(base); }
    }
    const fixed = this.fixed;
    if (fixed != null) return edit.set(fixed.start, fixed.end, fixed.insert);
    let at = 0;
    if (kind == LinkKind.MetaRefresh) {
      at = urlStartInRefresh(value);
      if (at < 0) return false;
    }
    if (this.everywhere) return at < value.length ? edit.set(at, at, this.prefix) : false;
    if (value.length > at + 3 && value.charCodeAt(at) == 0x2f && value.substr(at, 4) == "/-S:") {
      let end = value.indexOf("/", at + 1);
      if (end < 0) end = value.length;
      return edit.set(at, end, this.prefix);
    }
    if (value.length > at && value.charCodeAt(at) == 0x2f && !(value.length > at + 1 && value.charCodeAt(at + 1) == 0x2f)) {
      return edit.set(at, at, this.prefix);
    }
    return false;
  }
}

/** Where the URL starts in `N; URL=...` (or `N;...`), -1 when there is none. */
function urlStartInRefresh(v: string): i32 {
  let i = 0;
  const n = v.length;
  while (i < n && (isDigitOrDot(v.charCodeAt(i)) || isSpace(v.charCodeAt(i)))) i++;
  if (i >= n || (v.charCodeAt(i) != 0x3b && v.charCodeAt(i) != 0x2c)) return -1;
  i++;
  while (i < n && isSpace(v.charCodeAt(i))) i++;
  if (i + 3 <= n && v.substr(i, 3).toLowerCase() == "url") {
    let j = i + 3;
    while (j < n && isSpace(v.charCodeAt(j))) j++;
    if (j < n && v.charCodeAt(j) == 0x3d) {
      j++;
      while (j < n && isSpace(v.charCodeAt(j))) j++;
      i = j;
    }
  }
  if (i < n && (v.charCodeAt(i) == 0x27 || v.charCodeAt(i) == 0x22)) i++;
  return i;
}

function isDigitOrDot(c: i32): bool { return (c >= 0x30 && c <= 0x39) || c == 0x2e; }
function isSpace(c: i32): bool { return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0c || c == 0x0d; }

function pushU32(b: ByteBuffer, v: i32): void {
  b.reserve(4);
  store<i32>(b.ptr + <usize>b.length, v);
  b.length += 4;
}

function bytesOf(b: ByteBuffer): Uint8Array {
  const out = new Uint8Array(b.length);
  memory.copy(out.dataStart, b.ptr, <usize>b.length);
  return out;
}

let urls = new TestUrls();
let rewriter = new HtmlRewriter(urls, 4096);

/** A fresh rewriter with this cap on held-back tags (the test UrlRewriter keeps its settings). */
export function create(maxCarryBytes: i32): void {
  urls.log.clear();
  rewriter = new HtmlRewriter(urls, maxCarryBytes);
}

/** Back to the default test UrlRewriter. */
export function resetUrls(): void {
  urls = new TestUrls();
}

/** Insert the segment at the start of every non-empty value (at the URL in a refresh). */
export function setEverywhere(on: bool): void {
  urls.everywhere = on;
}

/** Makes the test UrlRewriter answer every value with this edit (edge cases of edit mapping). */
export function setFixedEdit(start: i32, end: i32, insert: string): void {
  urls.fixed = new UrlEdit(start, end, insert);
}

/** Whether calls are recorded for takeLog (the benchmark turns it off). */
export function setLogging(on: bool): void {
  urls.logging = on;
}

/** Replaces the inserted segment (default `/-S:TEST`). */
export function setPrefix(prefix: string): void {
  urls.prefix = prefix;
}

export function push(chunk: Uint8Array, endOfStream: bool): Uint8Array {
  return rewriter.push(chunk, endOfStream);
}

export function carryCapacity(): i32 {
  return rewriter.carryCapacity;
}

export function carryOverflows(): i32 {
  return rewriter.carryOverflows;
}

/** What the UrlRewriter was asked since the last call: per call i32 kind, i32 length + value, i32 length (-1: null) + base. */
export function takeLog(): Uint8Array {
  const out = bytesOf(urls.log);
  urls.log.clear();
  return out;
}

/**
 * Tokenizer-only mode (no tree-builder simulation) from an html5lib initial state, feeding `input` in
 * chunks of `chunkSize` bytes (0: one piece); returns the start-tag report (see HtmlRewriter.reportTag).
 */
export function tokenize(input: Uint8Array, initialState: i32, lastStartTag: string, chunkSize: i32): Uint8Array {
  const r = new HtmlRewriter(new TestUrls(), 0x7fffffff);
  r.simulateTreeBuilder = false;
  r.reportTags = true;
  r.setInitialState(initialState, lastStartTag);
  feed(r, input, chunkSize);
  return bytesOf(r.report);
}

/** Like tokenize but with the tree-builder simulation on, starting in the data state. */
export function tokenizeDocument(input: Uint8Array, chunkSize: i32): Uint8Array {
  const r = new HtmlRewriter(new TestUrls(), 0x7fffffff);
  r.reportTags = true;
  feed(r, input, chunkSize);
  return bytesOf(r.report);
}

function feed(r: HtmlRewriter, input: Uint8Array, chunkSize: i32): void {
  const n = input.length;
  if (chunkSize <= 0 || chunkSize >= n) {
    r.push(input, true);
    return;
  }
  for (let i = 0; i < n; i += chunkSize) {
    const end = i + chunkSize < n ? i + chunkSize : n;
    r.push(input.subarray(i, end), end == n);
  }
}

export function isHtml(contentType: string | null): bool {
  return isHtmlContentType(contentType);
}

export function isIdentity(contentEncoding: string | null): bool {
  return isIdentityEncoding(contentEncoding);
}

/** Rewrites `input` `iterations` times in chunks of `chunkSize` entirely inside wasm (no JS per chunk); returns output bytes of the last run. */
export function rewriteRepeatedly(input: Uint8Array, chunkSize: i32, iterations: i32): i32 {
  let total = 0;
  for (let k = 0; k < iterations; k++) {
    const r = new HtmlRewriter(urls, 4096);
    total = 0;
    const n = input.length;
    for (let i = 0; i < n; i += chunkSize) {
      const end = i + chunkSize < n ? i + chunkSize : n;
      total += r.push(input.subarray(i, end), end == n).length;
    }
  }
  return total;
}
