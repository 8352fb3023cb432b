// The contract between the HTML rewriter (which knows what a tag, an attribute and a character reference
// are) and the clickpath logic (which knows what a URL on this site is and where the session goes). The
// rewriter hands over decoded values and maps the answer back onto the raw bytes; the URL side never sees
// markup and the markup side never parses URLs.

/** Which link-bearing attribute a value came from. */
export const enum LinkKind {
  /** `<a href>`, `<area href>` */
  AnchorHref = 0,
  /** `<form action>` */
  FormAction = 1,
  /** `<frame src>`, `<iframe src>` */
  FrameSrc = 2,
  /** `<meta content>` on a tag whose `http-equiv` is `refresh` (ASCII case-insensitive) */
  MetaRefresh = 3,
  /** `<base href>` */
  BaseHref = 4,
  /** `<button formaction>`, `<input formaction>` */
  FormActionOverride = 5,
}

/**
 * An edit of an attribute's DECODED value: replace [start, end) with `insert` (start == end: insert).
 *
 * How the rewriter applies it to the raw bytes: only the raw bytes that decode to [start, end) are
 * replaced; quotes, case, whitespace and character references elsewhere stay as they were. A boundary
 * that falls inside a character reference (or a CR LF pair, or a NUL) widens to the smallest raw span
 * covering it, and the decoded bytes of that span which the edit does not cover are written back
 * literally. Everything written is escaped (`&`, quotes, `<`, `>`, `=`, backtick, whitespace, NUL as
 * references), so it reads back exactly as given in any quoting. If the text around the edit would
 * combine with the new bytes into a different reading (`&amp` followed by an inserted letter), the
 * whole value is written out escaped instead. An attribute without a value (`<a href>`) gets
 * `="..."`; an unquoted value that becomes empty is written `""`. Edits outside [0, value length]
 * are ignored.
 */
export class UrlEdit {
  constructor(public start: i32 = 0, public end: i32 = 0, public insert: string = "") {}

  /** Makes this the edit; returns true, so a rewriter can `return edit.set(...)`. */
  set(start: i32, end: i32, insert: string): bool {
    this.start = start;
    this.end = end;
    this.insert = insert;
    return true;
  }
}

export abstract class UrlRewriter {
  /**
   * value: the attribute value after character-reference decoding, as a byte string (see core/bytes.ts;
   * UTF-8 bytes, one code unit per byte); base: the decoded href of the document's first `<base href>`
   * seen so far, or null (for a `<base>` tag itself: the base seen before it). `value` is valid only
   * during the call: the rewriter refills the same string for the next value, so keep a copy, never it.
   * Returns false to leave the value byte-for-byte unchanged, or true after filling `edit` (owned by the
   * caller and reused for every value, so that a rewritten value costs no allocation here).
   */
  abstract rewrite(value: string, kind: LinkKind, base: string | null, edit: UrlEdit): bool;
}
