// A streaming HTML link rewriter: every link a browser would follow from an HTML response is handed to a
// UrlRewriter as the browser reads it, and its edit written back into the raw bytes, touching nothing else.
//
// The tokenizer (tokenizer.ts) finds tags, attributes and raw text as a browser does. Only one thing is
// held back across chunks: a start tag that may carry a link, from its `<` until its `>`, because the
// decision needs the whole tag and the edit needs its raw bytes. A held tag longer than `maxCarryBytes`
// is given up: it is passed on unchanged, whether it arrived in one chunk or many, so the output never
// depends on where the body was split.
//
// Unchanged bytes are never copied when a chunk needs no edit (the result is then a view of the input),
// an edited chunk is assembled once in a buffer reused for every chunk, and nothing is allocated per
// byte or per value.
import { OBJECT, TOTAL_OVERHEAD } from "rt/common";
import { byteStringFromMemory } from "../core/bytes";
import { AttrValueDecoder, ByteBuffer, appendEscaped, doubledI32 } from "./charref";
import { LinkKind, UrlEdit, UrlRewriter } from "./links";
import {
  A, DQ, NEEDS_DECODING, Q, REPORT_MODE, STOPS, SlotField, T, TagSink, Tokenizer, findByte, lower, swarHas,
} from "./tokenizer";

export { InitialState } from "./tokenizer";

/** Four bytes (the low half of `x`) as four UTF-16 code units. */
@inline function spreadBytes(x: u64): u64 {
  x = (x | (x << 16)) & 0x0000ffff0000ffff;
  return (x | (x << 8)) & 0x00ff00ff00ff00ff;
}

/** How much of a chunk joins a held tag at a time. */
const HOLD_BLOCK: i32 = 512;

export class HtmlRewriter extends TagSink {
  /** Report mode's record of start tags (see reportTag for the format). */
  report: ByteBuffer = new ByteBuffer();

  private urls: UrlRewriter;
  /** The tokenizer's state and tables (see Tokenizer: it lives in memory this object owns). */
  private tokenizerBlock: StaticArray<u8> = new StaticArray<u8>(Tokenizer.blockSize);
  private tok!: Tokenizer;

  private reportAttrs: StaticArray<i32> = new StaticArray<i32>(REPORT_MODE ? 64 : 0); // quintuples, report mode only

  private baseHref: string | null = null;

  // What of the buffer being scanned has been passed on.
  private emitted: i32 = 0;
  private edited: bool = false;
  private out: ByteBuffer = new ByteBuffer();
  private carry: ByteBuffer = new ByteBuffer();
  private decoder: AttrValueDecoder = new AttrValueDecoder();
  /** The one edit the URL rewriter fills, reused for every value of the stream. */
  private edit: UrlEdit = new UrlEdit();
  /**
   * The decoded value handed to the URL rewriter: one string per stream, refilled in place for each value
   * (its length set in its header), so a value costs no allocation. Valid only during that call.
   */
  private value: string = "";
  private valueCapacity: i32 = 0;
  private check: AttrValueDecoder = new AttrValueDecoder();
  private scratch: ByteBuffer = new ByteBuffer();
  private insertBytes: ByteBuffer = new ByteBuffer();
  private insertOf: string = ""; // the string insertBytes holds the bytes of
  private insertEscaped: ByteBuffer = new ByteBuffer(); // insertBytes as appendEscaped writes them
  private candidate: ByteBuffer = new ByteBuffer();
  private want: ByteBuffer = new ByteBuffer();

  constructor(urls: UrlRewriter, maxCarryBytes: i32 /* cap on a held-back partial tag */) {
    super();
    this.urls = urls;
    this.tok = Tokenizer.within(changetype<usize>(this.tokenizerBlock), this, maxCarryBytes);
  }

  // --- testing aids (the filter leaves them at their defaults) ---
  /** Switch tokenizer states after start tags as a browser's tree builder does. Off for html5lib tests. */
  get simulateTreeBuilder(): bool { return this.tok.simulateTreeBuilder; }
  set simulateTreeBuilder(on: bool) { this.tok.simulateTreeBuilder = on; }
  /**
   * Record every start tag with its attributes in `report` (see reportTag for the format). Only in a
   * build with report mode (REPORT_MODE in tokenizer.ts); using it in another fails to compile.
   */
  get reportTags(): bool { return this.tok.reporting; }
  set reportTags(on: bool) {
    if (!REPORT_MODE) ERROR("HtmlRewriter.reportTags needs a build with --use HTML_REPORT_MODE=1");
    this.tok.reportTags = on;
  }

  /** How many times a held tag grew beyond the cap and was passed on unchanged. */
  get carryOverflows(): i32 {
    return this.tok.overflows;
  }

  /** True when the end of the input so far is held back (an incomplete tag), to go out with a later push. */
  get holding(): bool {
    return this.carry.length > 0;
  }

  /** Bytes reserved for held-back input (bounded by the cap plus one block, whatever the chunk sizes). */
  get carryCapacity(): i32 {
    return this.carry.data.byteLength;
  }

  /** The decoded href of the first `<base href>` seen, or null. */
  get documentBase(): string | null {
    return this.baseHref;
  }

  /** Starts tokenizing in another state (html5lib tests); `lastStartTag` makes `</name>` end raw text. */
  setInitialState(initial: i32, lastStartTag: string): void {
    // the name as the tokenizer keys names (see Tokenizer.classifyName)
    let k1: u64 = 0;
    let k2: u64 = 0;
    const n = lastStartTag.length;
    for (let i = 0; i < n && i < 16; i++) {
      const c = <u64>lower(<u32>lastStartTag.charCodeAt(i) & 0xff);
      if (i < 8) k1 |= c << (<u64>i << 3);
      else k2 |= c << (<u64>(i - 8) << 3);
    }
    this.tok.setInitialState(initial, k1, k2, n);
  }

  /**
   * Rewrites one body chunk; returns the bytes to pass on now (an incomplete tag at the end is held back,
   * up to maxCarryBytes; beyond the cap the held bytes pass through unmodified). With endOfStream
   * everything held is emitted. The result is a view, valid until the next push: of `chunk` when
   * nothing in it changed, else of this rewriter's output buffer (the filter hands it to the host at once).
   */
  push(chunk: Uint8Array, endOfStream: bool): Uint8Array {
    const tok = this.tok;
    const n = chunk.length;
    this.out.clear();
    this.edited = false;
    let pos = 0;
    let copied = false;
    // While a tag is held, the chunk joins it in the carry buffer a block at a time, so the held tag
    // stays contiguous and the buffer never holds much more than the cap; once nothing is held, the
    // rest of the chunk is scanned where it lies.
    while (this.carry.length > 0 && pos < n) {
      copied = true;
      const take = n - pos < HOLD_BLOCK ? n - pos : HOLD_BLOCK;
      const start = this.carry.length;
      this.carry.pushMemory(chunk.dataStart + <usize>pos, take);
      pos += take;
      tok.buf = this.carry.ptr;
      this.emitted = 0;
      tok.scan(start, this.carry.length);
      const safe = tok.settle(this.carry.length, endOfStream && pos == n);
      this.flushTo(safe);
      const rest = this.carry.length - safe;
      if (rest > 0) {
        memory.copy(this.carry.ptr, this.carry.ptr + <usize>safe, <usize>rest);
        tok.tagStart -= safe;
      }
      this.carry.length = rest;
    }
    if (endOfStream && this.carry.length > 0) {
      // an empty last chunk: what is held goes out as it is
      copied = true;
      this.out.pushMemory(this.carry.ptr, this.carry.length);
      this.carry.length = 0;
      tok.holding = false;
    }
    let result: Uint8Array;
    if (pos < n) {
      tok.buf = chunk.dataStart;
      this.emitted = pos;
      tok.scan(pos, n);
      const safe = tok.settle(n, endOfStream);
      if (!copied && !this.edited) {
        result = safe == n ? chunk : chunk.subarray(0, safe);
      } else {
        this.flushTo(safe);
        result = this.takeOut();
      }
      const rest = n - safe;
      if (rest > 0) {
        this.carry.clear();
        this.carry.reserve(rest);
        memory.copy(this.carry.ptr, chunk.dataStart + <usize>safe, <usize>rest);
        this.carry.length = rest;
        tok.tagStart -= safe;
      }
    } else {
      result = this.takeOut();
    }
    tok.buf = 0;
    return result;
  }

  private takeOut(): Uint8Array {
    return this.out.view();
  }

  @inline private flushTo(pos: i32): void {
    if (pos > this.emitted) {
      this.out.pushMemory(this.tok.buf + <usize>this.emitted, pos - this.emitted);
      this.emitted = pos;
    }
  }

  heldTagEnded(): void {
    if (REPORT_MODE) { if (this.tok.reportTags) this.reportTag(); } // nested: not compiled at all without it
    this.rewriteLinks();
  }

  recordAttr(index: i32, nameStart: i32, nameEnd: i32, valueStart: i32, valueEnd: i32, quote: i32): void {
    const at = index * 5;
    if (at + 5 > this.reportAttrs.length) this.reportAttrs = doubledI32(this.reportAttrs, at);
    unchecked(this.reportAttrs[at] = nameStart);
    unchecked(this.reportAttrs[at + 1] = nameEnd);
    unchecked(this.reportAttrs[at + 2] = valueStart);
    unchecked(this.reportAttrs[at + 3] = valueEnd);
    unchecked(this.reportAttrs[at + 4] = quote);
  }

  @inline private rewriteLinks(): void {
    const tok = this.tok;
    const id = tok.tagId;
    let slot: i32;
    let kind: LinkKind;
    switch (id) {
      case T.A:
      case T.Area: slot = A.Href; kind = LinkKind.AnchorHref; break;
      case T.Form: slot = A.Action; kind = LinkKind.FormAction; break;
      case T.Frame:
      case T.Iframe: slot = A.Src; kind = LinkKind.FrameSrc; break;
      case T.Meta: slot = A.Content; kind = LinkKind.MetaRefresh; break;
      case T.Base: slot = A.Href; kind = LinkKind.BaseHref; break;
      case T.Button:
      case T.Input: slot = A.FormAction; kind = LinkKind.FormActionOverride; break;
      default: return;
    }
    if ((this.tok.slotSeen & (1 << slot)) == 0) return;
    if (id == T.Meta) {
      if ((this.tok.slotSeen & (1 << A.HttpEquiv)) == 0) return;
      if (!this.slotValueIs(A.HttpEquiv, "refresh")) return;
    }
    const vs = this.tok.slot(SlotField.Start, slot);
    const raw = this.tok.buf + <usize>(this.tok.tagStart + vs);
    const rawLen = this.tok.slot(SlotField.End, slot) - vs;
    // Most values are their raw bytes, and skip the decoder.
    const plain = this.widenPlain(raw, rawLen);
    let decoded = raw;
    let decodedLen = rawLen;
    if (!plain) {
      const decoder = this.decoder;
      decoder.decode(raw, rawLen);
      decoded = decoder.decoded.ptr;
      decodedLen = decoder.decoded.length;
      this.widen(decoded, decodedLen);
    }
    const value = this.value;
    const edit = this.edit;
    const rewritten = this.urls.rewrite(value, kind, this.baseHref, edit);
    if (id == T.Base && this.baseHref == null) this.baseHref = byteStringFromMemory(decoded, decodedLen);
    if (!rewritten) return;
    this.applyEdit(edit, slot, plain, decodedLen);
  }

  /** `this.value` made `len` code units long (its contents unspecified): it grows only for a longer value. */
  private valueOfLength(len: i32): usize {
    if (len > this.valueCapacity) {
      const capacity = max(len, 256);
      this.value = changetype<string>(__new(<usize>capacity << 1, idof<string>()));
      this.valueCapacity = capacity;
    }
    const dst = changetype<usize>(this.value);
    changetype<OBJECT>(dst - TOTAL_OVERHEAD).rtSize = <u32>len << 1;
    return dst;
  }

  /** These bytes as a byte string in `this.value`. */
  private widen(ptr: usize, len: i32): void {
    const dst = this.valueOfLength(len);
    for (let i = 0; i < len; i++) store<u16>(dst + (<usize>i << 1), load<u8>(ptr + <usize>i));
  }

  /**
   * Raw value bytes as a byte string in `this.value`, if they are the value as they stand (no `&`, NUL or
   * CR for the decoder): one pass, four bytes at a time. False (`this.value` unspecified) otherwise.
   */
  @inline private widenPlain(raw: usize, len: i32): bool {
    const dst = this.valueOfLength(len);
    let i = 0;
    while (i + 8 <= len) {
      const x = load<u64>(raw + <usize>i);
      if (swarHas(x, 0x2626262626262626) | swarHas(x, 0) | swarHas(x, 0x0d0d0d0d0d0d0d0d)) return false;
      store<u64>(dst + (<usize>i << 1), spreadBytes(x & 0xffffffff));
      store<u64>(dst + (<usize>i << 1) + 8, spreadBytes(x >> 32));
      i += 8;
    }
    while (i < len) {
      const c = load<u8>(raw + <usize>i);
      if (load<u8>(STOPS + <usize>c) & NEEDS_DECODING) return false;
      store<u16>(dst + (<usize>i << 1), c);
      i++;
    }
    return true;
  }

  /** `<annotation-xml encoding>` naming HTML makes the element an HTML integration point. */
  encodingIsHtml(): bool {
    if ((this.tok.slotSeen & (1 << A.Encoding)) == 0) return false;
    return this.slotValueIs(A.Encoding, "text/html") || this.slotValueIs(A.Encoding, "application/xhtml+xml");
  }

  private slotValueIs(slot: i32, asciiLower: string): bool {
    const vs = this.tok.slot(SlotField.Start, slot);
    const ve = this.tok.slot(SlotField.End, slot);
    const d = this.check;
    d.decode(this.tok.buf + <usize>(this.tok.tagStart + vs), ve - vs);
    const n = d.decoded.length;
    if (n != asciiLower.length) return false;
    const ptr = d.decoded.ptr;
    for (let i = 0; i < n; i++) {
      if (lower(<u32>load<u8>(ptr + <usize>i)) != <u32>asciiLower.charCodeAt(i)) return false;
    }
    return true;
  }

  /**
   * Writes the edited value: only the bytes the edit covers change (see the module comment). `plain`: the
   * value is its raw bytes (the decoder did not run); otherwise `this.decoder` holds its decoding.
   */
  @inline private applyEdit(edit: UrlEdit, slot: i32, plain: bool, decLen: i32): void {
    const ds = edit.start;
    const de = edit.end;
    if (ds < 0 || de < ds || de > decLen) return; // not an edit of this value: ignore rather than guess
    // A URL rewriter usually answers with the same string every time: its bytes are kept (strings are
    // immutable, and holding the reference keeps the address from being reused). An insert that is the
    // refilled value string itself may change under the same address.
    const insert = edit.insert;
    if (changetype<usize>(insert) != changetype<usize>(this.insertOf) || changetype<usize>(insert) == changetype<usize>(this.value)) {
      this.takeInsert(insert);
    }
    const quote = this.tok.slot(SlotField.Quote, slot);
    if (plain && quote != Q.Valueless && (quote == Q.Quoted || decLen - (de - ds) + this.insertBytes.length != 0)) {
      // The usual case, a value that is its raw bytes: the edit's offsets are raw offsets and only the
      // escaped insert is written (what the general path computes for it, with less work).
      const vs = this.tok.tagStart + this.tok.slot(SlotField.Start, slot);
      this.flushTo(vs + ds);
      this.out.pushMemory(this.insertEscaped.ptr, this.insertEscaped.length);
      this.emitted = vs + de;
      this.edited = true;
      return;
    }
    this.applyEditInGeneral(ds, de, slot, plain, decLen);
  }

  /** The insert's bytes in `insertBytes`, and escaped in `insertEscaped`. */
  private takeInsert(insert: string): void {
    const bytes = this.insertBytes;
    bytes.clear();
    bytes.pushByteString(insert);
    const escaped = this.insertEscaped;
    escaped.clear();
    appendEscaped(escaped, bytes.ptr, bytes.length);
    this.insertOf = insert;
  }

  /** applyEdit for a value that needed decoding, is empty where that matters, or has no value at all. */
  private applyEditInGeneral(ds: i32, de: i32, slot: i32, plain: bool, decLen: i32): void {
    const decoder = this.decoder;
    const tagAbs = this.tok.tagStart;
    const quote = this.tok.slot(SlotField.Quote, slot);
    const vs = this.tok.slot(SlotField.Start, slot);
    const ve = this.tok.slot(SlotField.End, slot);
    const rawLen = ve - vs;
    const raw = this.tok.buf + <usize>(tagAbs + vs);
    if (plain) decoder.decode(raw, rawLen); // rewriteLinks skipped it; the code below reads its offsets
    const repl = this.scratch;
    repl.clear();
    const insert = this.insertBytes;
    if (quote == Q.Valueless) {
      // `<a href>`: the value is empty, so the edit is all insert; give it a quoted value.
      repl.pushAscii("=\"");
      appendEscaped(repl, insert.ptr, insert.length);
      repl.pushByte(DQ);
      this.flushTo(tagAbs + this.tok.slot(SlotField.NameEnd, slot));
      this.out.pushMemory(repl.ptr, repl.length);
      this.edited = true;
      return;
    }

    // An edit boundary inside a character reference widens to the whole reference; the decoded bytes
    // of its uncovered part are written back literally (escaped).
    const rs = decoder.rawStart(ds);
    const alignedStart = decoder.alignedDecoded;
    const re = decoder.rawEnd(de);
    const alignedEnd = decoder.alignedDecoded;
    const dec = decoder.decoded.ptr;
    appendEscaped(repl, dec + <usize>alignedStart, ds - alignedStart);
    appendEscaped(repl, insert.ptr, insert.length);
    appendEscaped(repl, dec + <usize>de, alignedEnd - de);

    let from = rs;
    let to = re;
    if (quote == Q.Unquoted && decLen - (de - ds) + insert.length == 0) {
      // An empty unquoted value would let the next attribute become the value: write `""` instead.
      repl.clear();
      repl.pushAscii("\"\"");
      from = 0;
      to = rawLen;
    } else if (this.hasAmpersand(raw, rawLen)) {
      // Text next to the edit could join a reference with it (`&amp` + `x`); if the result would not
      // decode to what was asked for, write the whole value out escaped instead.
      const candidate = this.candidate;
      candidate.clear();
      candidate.pushMemory(raw, rs);
      candidate.pushMemory(repl.ptr, repl.length);
      candidate.pushMemory(raw + <usize>re, rawLen - re);
      const check = this.check;
      check.decode(candidate.ptr, candidate.length);
      const want = this.want;
      want.clear();
      want.pushMemory(dec, ds);
      want.pushMemory(insert.ptr, insert.length);
      want.pushMemory(dec + <usize>de, decLen - de);
      let same = check.decoded.length == want.length;
      if (same) same = memory.compare(check.decoded.ptr, want.ptr, <usize>want.length) == 0;
      if (!same) {
        repl.clear();
        appendEscaped(repl, want.ptr, want.length);
        from = 0;
        to = rawLen;
      }
    }
    this.flushTo(tagAbs + vs + from);
    this.out.pushMemory(repl.ptr, repl.length);
    this.emitted = tagAbs + vs + to;
    this.edited = true;
  }

  private hasAmpersand(p: usize, len: i32): bool {
    return findByte(p, p + <usize>len, 0x26) < p + <usize>len;
  }

  /**
   * Report record (test mode): u32 name length, name, u32 attribute count, then per attribute (first
   * occurrence of each name only) u32 length, name, u32 length, decoded value; then u8 self-closing.
   * Lengths little-endian; names lower-cased with NUL as U+FFFD, as the tokenizer produces them.
   */
  private reportTag(): void {
    const r = this.report;
    const tag = this.tok.buf + <usize>this.tok.tagStart;
    this.pushName(r, tag + 1, this.tok.nameEnd - 1);
    const countAt = r.length;
    HtmlRewriter.pushU32(r, 0); // placeholder, overwritten below
    let count = 0;
    for (let k = 0; k < this.tok.reportAttrCount; k++) {
      const at = k * 5;
      const ns = unchecked(this.reportAttrs[at]);
      const ne = unchecked(this.reportAttrs[at + 1]);
      let duplicate = false;
      for (let j = 0; j < k && !duplicate; j++) {
        const bt = j * 5;
        duplicate = HtmlRewriter.sameAttrName(tag, ns, ne, unchecked(this.reportAttrs[bt]), unchecked(this.reportAttrs[bt + 1]));
      }
      if (duplicate) continue;
      this.pushName(r, tag + <usize>ns, ne - ns);
      const vs = unchecked(this.reportAttrs[at + 2]);
      const ve = unchecked(this.reportAttrs[at + 3]);
      const d = this.check;
      d.decode(tag + <usize>vs, ve - vs);
      HtmlRewriter.pushU32(r, d.decoded.length);
      r.pushMemory(d.decoded.ptr, d.decoded.length);
      count++;
    }
    store<u32>(r.ptr + <usize>countAt, <u32>count);
    r.pushByte(this.tok.selfClosing ? 1 : 0);
  }

  private static sameAttrName(tag: usize, as: i32, ae: i32, bs: i32, be: i32): bool {
    if (ae - as != be - bs) return false;
    for (let i = 0; i < ae - as; i++) {
      if (lower(<u32>load<u8>(tag + <usize>(as + i))) != lower(<u32>load<u8>(tag + <usize>(bs + i)))) return false;
    }
    return true;
  }

  private pushName(r: ByteBuffer, p: usize, len: i32): void {
    const lenAt = r.length;
    HtmlRewriter.pushU32(r, 0);
    const start = r.length;
    for (let i = 0; i < len; i++) {
      const c = <u32>load<u8>(p + <usize>i);
      if (c == 0) r.pushCodePoint(0xfffd);
      else r.pushByte(<u8>lower(c));
    }
    store<u32>(r.ptr + <usize>lenAt, <u32>(r.length - start));
  }

  private static pushU32(r: ByteBuffer, v: i32): void {
    r.reserve(4);
    store<u32>(r.ptr + <usize>r.length, <u32>v);
    r.length += 4;
  }

}
