// Where a URL gets the session: the one set of rules for Location and Refresh headers (§2.5) and for the
// links of HTML bodies (the html UrlRewriter). A URL gets the session segment when a browser would resolve
// it to this site — same host and port as the request's Host, absolute, protocol-relative or (for a page
// whose own URL has no session yet) relative — and is left byte for byte alone otherwise. Old session
// segments are replaced, never doubled.
import { isSpace } from "util/string";
import { LinkKind, UrlEdit, UrlRewriter } from "../html/links";
import { unitAt } from "../core/bytes";

/** What the rules need from the request; copied in onRequestHeaders because Envoy forgets them after. */
export class LinkContext {
  /** "/" + prefix + id: ClickPath's CGI_SESSION. */
  sess: string = "";
  prefix: string = "";
  /** The request's Host (:authority) verbatim, port included. */
  host: string = "";
  /**
   * The session was created by this request: the page's own URL has no session segment, so relative
   * references must get one too.
   */
  isNew: bool = false;
  /** The request path without session and query, as received. */
  reqPath: string = "/";
  /** reqPath up to and including its last "/": ClickPath's REQDIR. */
  reqDir: string = "/";
  /** How deep reqDir's segments go (see dotDepth), or -1 when they climb above the root themselves. */
  reqDirDepth: i32 = 0;
  // sess + a tail, kept while both are the same strings: an edit's insert, which the HTML rewriter
  // escapes once for as long as it is the same string
  private joinedSess: string = "";
  private joinedTail: string = "";
  private joined: string = "";

  /** sess followed by `tail` (the same string for the same two). */
  sessWith(tail: string): string {
    if (changetype<usize>(this.joinedSess) != changetype<usize>(this.sess) ||
        changetype<usize>(this.joinedTail) != changetype<usize>(tail)) {
      this.joined = this.sess + tail;
      this.joinedSess = this.sess;
      this.joinedTail = tail;
    }
    return this.joined;
  }

  /** Sets reqPath and reqDir from a request path (query already removed or not). */
  setRequestPath(path: string): void {
    let end = path.indexOf("?");
    if (end < 0) end = path.length;
    const hash = path.indexOf("#");
    if (hash >= 0 && hash < end) end = hash;
    let p = path.substring(0, end);
    if (!p.startsWith("/")) p = "/" + p;
    this.reqPath = p;
    const dir = p.substring(0, p.lastIndexOf("/") + 1);
    this.reqDir = dir;
    // A relative reference continues reqDir's last segment, so none of reqDir's is the last one.
    this.reqDirDepth = dir.length > 1 ? dotDepth(dir, 1, dir.length - 1, 0, false) : 0;
  }
}

/** Only whitespace (what String#trim removes), without making the trimmed copy. */
function isBlank(s: string): bool {
  for (let i = 0; i < s.length; i++) if (!isSpace(unitAt(s, i))) return false;
  return true;
}

function isAsciiSpace(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0c || c == 0x0d;
}

function lower(c: i32): i32 { return c >= 0x41 && c <= 0x5a ? c + 32 : c; }

function isSlash(c: i32): bool { return c == 0x2f || c == 0x5c; }

/** The length of a URL scheme followed by ":" at `at`, 0 when there is none. */
function schemeLength(s: string, at: i32): i32 {
  let i = at;
  const n = s.length;
  if (i >= n) return 0;
  const first = lower(unitAt(s, i));
  if (first < 0x61 || first > 0x7a) return 0;
  i++;
  while (i < n) {
    const c = lower(unitAt(s, i));
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2b || c == 0x2d || c == 0x2e) { i++; continue; }
    return c == 0x3a ? i - at : 0;
  }
  return 0;
}

/** a[aFrom, aTo) and b[bFrom, bTo) equal but for ASCII case. */
function regionEqualsIgnoreCase(a: string, aFrom: i32, aTo: i32, b: string, bFrom: i32, bTo: i32): bool {
  const n = aTo - aFrom;
  if (n != bTo - bFrom) return false;
  for (let i = 0; i < n; i++) if (lower(unitAt(a, aFrom + i)) != lower(unitAt(b, bFrom + i))) return false;
  return true;
}

/** Host and port equality as a browser sees it: case-insensitive, a default port the same as none. */
export function sameAuthority(authority: string, host: string, defaultPort: string): bool {
  return sameAuthorityAt(authority, 0, authority.length, host, defaultPort);
}

/** sameAuthority for the authority at s[from, to). */
function sameAuthorityAt(s: string, from: i32, to: i32, host: string, defaultPort: string): bool {
  const hostLen = host.length;
  if (regionEqualsIgnoreCase(s, from, to, host, 0, hostLen)) return true;
  const portLen = defaultPort.length + 1; // ":" + port
  if (endsWithPort(s, from, to, defaultPort) && regionEqualsIgnoreCase(s, from, to - portLen, host, 0, hostLen)) return true;
  if (endsWithPort(host, 0, hostLen, defaultPort) && regionEqualsIgnoreCase(host, 0, hostLen - portLen, s, from, to)) return true;
  return false;
}

/** s[from, to) ends with ":" + port. */
function endsWithPort(s: string, from: i32, to: i32, port: string): bool {
  const n = port.length;
  if (to - from < n + 1 || unitAt(s, to - n - 1) != 0x3a) return false;
  for (let i = 0; i < n; i++) if (unitAt(s, to - n + i) != unitAt(port, i)) return false;
  return true;
}

/** The end of the run of session segments ("/" PREFIX one-or-more-non-"/" followed by "/") at `at`. */
function skipSessionSegments(s: string, at: i32, prefix: string): i32 {
  let i = at;
  while (i < s.length && unitAt(s, i) == 0x2f && s.startsWith(prefix, i + 1)) {
    const segStart = i + 1 + prefix.length;
    let j = segStart;
    while (j < s.length && unitAt(s, j) != 0x2f && unitAt(s, j) != 0x3f && unitAt(s, j) != 0x23) j++;
    if (j == segStart || j >= s.length || unitAt(s, j) != 0x2f) break;
    i = j;
  }
  return i;
}

/** The end of a URL's path: the first "?" or "#" at or after `at`. */
function pathEnd(s: string, at: i32): i32 {
  for (let i = at; i < s.length; i++) {
    const c = unitAt(s, i);
    if (c == 0x3f || c == 0x23) return i;
  }
  return s.length;
}

/**
 * The depth after the "/"-separated segments of s[from, to), starting at `depth`, or -1 as soon as a ".."
 * climbs above the root: ".." goes up, "." stays, anything else goes down, except an empty last segment
 * (a trailing "/") when `lastIsLast` (false when more segments follow in another string). Walks the
 * characters; a path's dot segments are read for every link, so nothing is allocated.
 */
export function dotDepth(s: string, from: i32, to: i32, depth: i32, lastIsLast: bool): i32 {
  let segStart = from;
  while (true) {
    let segEnd = segStart;
    while (segEnd < to && unitAt(s, segEnd) != 0x2f) segEnd++;
    const len = segEnd - segStart;
    const last = segEnd >= to;
    if (len == 2 && unitAt(s, segStart) == 0x2e && unitAt(s, segStart + 1) == 0x2e) {
      if (depth == 0) return -1;
      depth--;
    } else if (!(len == 1 && unitAt(s, segStart) == 0x2e) && !(last && lastIsLast && len == 0)) {
      depth++;
    }
    if (last) return depth;
    segStart = segEnd + 1;
  }
}

/** RFC 3986 remove_dot_segments for an absolute path. */
export function removeDotSegments(path: string): string {
  const segs = path.split("/");
  const out = new Array<string>();
  let trailing = false;
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i];
    const last = i == segs.length - 1;
    if (seg == "..") {
      if (out.length) out.pop();
      trailing = last;
    } else if (seg == ".") {
      trailing = last;
    } else {
      out.push(seg);
      trailing = false;
    }
  }
  let r = "/" + out.join("/");
  if (trailing && !r.endsWith("/")) r += "/";
  return r;
}

/**
 * Fills `edit` with the edit that puts the session into the URL at value[from..] and returns true, or
 * returns false to leave it alone.
 * `pageIsBase`: relative references resolve against the page's own URL (no <base href> decides for them).
 * Fragment-only references ("#top") stay: they do not leave the page.
 */
export function planUrl(ctx: LinkContext, value: string, from: i32, pageIsBase: bool, edit: UrlEdit): bool {
  const n = value.length;
  let i = from;
  while (i < n && isAsciiSpace(unitAt(value, i))) i++;
  if (i >= n) return false;
  const start = i;
  let pathStart = -1;
  const scheme = schemeLength(value, i);
  if (scheme > 0) {
    const https = scheme == 5 && regionEqualsIgnoreCase(value, i, i + 5, "https", 0, 5);
    if (!https && !(scheme == 4 && regionEqualsIgnoreCase(value, i, i + 4, "http", 0, 4))) return false;
    const afterColon = i + scheme + 1;
    if (afterColon + 2 > n || !isSlash(unitAt(value, afterColon)) || !isSlash(unitAt(value, afterColon + 1))) return false;
    pathStart = authorityEnd(value, afterColon + 2);
    if (!sameAuthorityAt(value, afterColon + 2, pathStart, ctx.host, https ? "443" : "80")) return false;
  } else if (i + 1 < n && isSlash(unitAt(value, i)) && isSlash(unitAt(value, i + 1))) {
    pathStart = authorityEnd(value, i + 2);
    if (!sameAuthorityAt(value, i + 2, pathStart, ctx.host, "80") && !sameAuthorityAt(value, i + 2, pathStart, ctx.host, "443")) return false;
  }
  if (pathStart >= 0) {
    // Absolute or protocol-relative, same host: the session goes right after the authority.
    if (pathStart >= n || unitAt(value, pathStart) != 0x2f) {
      // "http://host", "http://host?x": the path is "/".
      if (pathStart < n && unitAt(value, pathStart) == 0x5c) return false;
      return edit.set(pathStart, pathStart, ctx.sess + "/");
    }
    return absolutePath(ctx, value, pathStart, edit);
  }
  const c = unitAt(value, start);
  if (c == 0x2f) return absolutePath(ctx, value, start, edit);
  if (c == 0x5c) return false;
  if (!pageIsBase || scheme > 0) return false;
  if (c == 0x23) return false;
  const end = pathEnd(value, start);
  // Dot segments that climb above the root would take the session segment away with them (from a page
  // whose URL has one as much as from a new session's page): such a path is resolved and gets the session.
  // (The reference continues reqDir: its segments start at reqDir's depth.)
  const climbs = c != 0x3f && (ctx.reqDirDepth < 0 || dotDepth(value, start, end, ctx.reqDirDepth, true) < 0);
  if (climbs) return edit.set(start, end, ctx.sess + removeDotSegments(ctx.reqDir + value.substring(start, end)));
  // Otherwise a page whose URL carries the session keeps it in every relative reference by itself; a new
  // session's page gets REQDIR in front, as ClickPath writes it.
  if (!ctx.isNew) return false;
  if (c == 0x3f) return edit.set(start, start, ctx.sessWith(ctx.reqPath));
  return edit.set(start, start, ctx.sessWith(ctx.reqDir));
}

function authorityEnd(s: string, at: i32): i32 {
  let i = at;
  while (i < s.length) {
    const c = unitAt(s, i);
    if (c == 0x2f || c == 0x5c || c == 0x3f || c == 0x23) break;
    i++;
  }
  return i;
}

// value[at] is "/": replace any session segments there with ours.
function absolutePath(ctx: LinkContext, value: string, at: i32, edit: UrlEdit): bool {
  if (at + 1 < value.length && unitAt(value, at + 1) == 0x5c) return false;
  const after = skipSessionSegments(value, at, ctx.prefix);
  const end = pathEnd(value, after);
  // value[after] is the path's leading "/"
  if (dotDepth(value, after + 1, end, 0, true) < 0) return edit.set(at, end, ctx.sess + removeDotSegments(value.substring(after, end)));
  return edit.set(at, after, ctx.sess);
}

/** Applies an edit to a string. */
export function applyEdit(value: string, edit: UrlEdit): string {
  return value.substring(0, edit.start) + edit.insert + value.substring(edit.end);
}

/** The new Location value, or null to leave it as it is. */
export function rewriteLocation(ctx: LinkContext, value: string): string | null {
  const edit = new UrlEdit();
  return planUrl(ctx, value, 0, true, edit) ? applyEdit(value, edit) : null;
}

/**
 * Where the URL of a Refresh value ("5; url=/x", spaces and case free, optionally quoted) starts, or -1.
 */
export function refreshUrlStart(value: string): i32 {
  const n = value.length;
  let i = 0;
  while (i < n && isAsciiSpace(unitAt(value, i))) i++;
  const digits = i;
  while (i < n && ((unitAt(value, i) >= 0x30 && unitAt(value, i) <= 0x39) || unitAt(value, i) == 0x2e)) i++;
  if (i == digits) return -1;
  while (i < n && isAsciiSpace(unitAt(value, i))) i++;
  if (i >= n || (unitAt(value, i) != 0x3b && unitAt(value, i) != 0x2c)) return -1;
  i++;
  while (i < n && isAsciiSpace(unitAt(value, i))) i++;
  if (i + 3 > n || !regionEqualsIgnoreCase(value, i, i + 3, "url", 0, 3)) return -1;
  i += 3;
  while (i < n && isAsciiSpace(unitAt(value, i))) i++;
  if (i >= n || unitAt(value, i) != 0x3d) return -1;
  i++;
  while (i < n && isAsciiSpace(unitAt(value, i))) i++;
  if (i < n && (unitAt(value, i) == 0x22 || unitAt(value, i) == 0x27)) i++;
  return i;
}

/** The edit for a Refresh header or a meta refresh content value. */
export function planRefresh(ctx: LinkContext, value: string, pageIsBase: bool, edit: UrlEdit): bool {
  const at = refreshUrlStart(value);
  if (at < 0) return false;
  return planUrl(ctx, value, at, pageIsBase, edit);
}

/** The new Refresh value, or null to leave it as it is. */
export function rewriteRefresh(ctx: LinkContext, value: string): string | null {
  const edit = new UrlEdit();
  return planRefresh(ctx, value, true, edit) ? applyEdit(value, edit) : null;
}

/** The html rewriter's view of these rules. */
export class SessionLinks extends UrlRewriter {
  constructor(public ctx: LinkContext) { super(); }

  rewrite(value: string, kind: LinkKind, base: string | null, edit: UrlEdit): bool {
    // With a <base href>, relative references resolve against it: an on-site base gets the session
    // itself (kind BaseHref), an off-site one takes them off-site; either way they stay as they are.
    const hasBase = changetype<usize>(base) != 0 && !isBlank(base); // (a null test, not String's `!=` call)
    if (kind == LinkKind.BaseHref) return planUrl(this.ctx, value, 0, true, edit);
    if (kind == LinkKind.MetaRefresh) return planRefresh(this.ctx, value, !hasBase, edit);
    return planUrl(this.ctx, value, 0, !hasBase, edit);
  }
}
