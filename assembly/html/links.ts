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

/** An edit of an attribute's DECODED value: replace [start, end) with `insert` (start == end: insert). */
export class UrlEdit {
  constructor(public start: i32, public end: i32, public insert: string) {}
}

export abstract class UrlRewriter {
  /**
   * value: the attribute value after character-reference decoding, as a byte string (see http/bytes.ts;
   * UTF-8 bytes, one code unit per byte); base: the decoded href of the document's first `<base href>`
   * seen so far, or null (for a `<base>` tag itself: the base seen before it).
   * Returns null to leave the value byte-for-byte unchanged.
   */
  abstract rewrite(value: string, kind: LinkKind, base: string | null): UrlEdit | null;
}
