// Reading the session cookie the way Apache's ap_cookie_read does (httpd server/util_cookies.c), which is
// not how a general cookie parser reads: every Cookie and Cookie2 header is split on `,` and then `;`,
// leading blanks are trimmed, and a piece that starts exactly (case-sensitively) with `NAME=` gives the
// value — the rest of the piece, untrimmed. The same name twice with different values means "no session"
// (a browser holding two session cookies for different paths cannot be told apart). RFC 2965 `$Path`-style
// pieces after our cookie belong to it. With SessionCookieRemove the cookie is cut out of the headers.
//
// One scan finds the base cookie and its chunk cookies (NAME_2 … NAME_n, see cookie-backend.ts).
import { HeaderMap } from "../core/headers";
import { unitAt } from "../core/bytes";

export class CookieScan {
  /** The header line NAME's value is in, from firstFrom to firstTo; null when NAME is absent. */
  firstLine: string | null = null;
  firstFrom: i32 = 0;
  firstTo: i32 = 0;
  /** NAME's value once cut out of its line. */
  private firstCut: string | null = null;
  /**
   * NAME_2's value at 0, NAME_3's at 1, …; made only when the request carries a chunk cookie (a scan of
   * an ordinary request makes no array).
   */
  private chunks: Array<string | null> | null = null;
  /** The first name seen twice with different values, "" when none. */
  conflict: string = "";
  /** How many of our cookies the scan removed from the request. */
  removed: i32 = 0;

  constructor(public slots: i32) {}

  /** NAME's value (cut out of its line on first use); null when absent. */
  get first(): string | null {
    let cut = this.firstCut;
    const line = this.firstLine;
    if (cut == null && line != null) {
      cut = line.substring(this.firstFrom, this.firstTo);
      this.firstCut = cut;
    }
    return cut;
  }

  /** The length of NAME's value, -1 when absent. */
  get firstLength(): i32 { return this.firstLine != null ? this.firstTo - this.firstFrom : -1; }

  /** The value of slot `slot` (0 for NAME, i for NAME_{i+1}); null when absent or out of range. */
  value(slot: i32): string | null {
    if (slot == 0) return this.first;
    const chunks = this.chunks;
    return chunks != null && slot > 0 && slot <= chunks.length ? chunks[slot - 1] : null;
  }

  /** Sets NAME's value to `line[from, to)`, without cutting it out. */
  setFirstIn(line: string, from: i32, to: i32): void {
    this.firstLine = line;
    this.firstFrom = from;
    this.firstTo = to;
    this.firstCut = null;
  }

  /** Sets slot `slot`, 0 <= slot < slots. */
  setValue(slot: i32, value: string): void {
    if (slot == 0) {
      this.firstLine = value;
      this.firstFrom = 0;
      this.firstTo = value.length;
      this.firstCut = value;
      return;
    }
    let chunks = this.chunks;
    if (chunks == null) {
      // A new array of references holds nulls.
      chunks = new Array<string | null>(this.slots - 1);
      this.chunks = chunks;
    }
    chunks[slot - 1] = value;
  }

  /** The highest chunk slot present (0 = only NAME), -1 when none is. */
  lastPresent(): i32 {
    const chunks = this.chunks;
    if (chunks != null) {
      for (let i = chunks.length - 1; i >= 0; i--) {
        if (chunks[i] != null) return i + 1;
      }
    }
    return this.firstLine != null ? 0 : -1;
  }
}

/** The name of chunk `slot` (0-based): NAME, NAME_2, NAME_3, … */
export function chunkCookieName(name: string, slot: i32): string {
  return slot == 0 ? name : name + "_" + (slot + 1).toString();
}

// The headers Apache's ap_cookie_read looks at, in its order.
const COOKIE_HEADERS: string[] = ["cookie", "cookie2"];

/**
 * Scans `cookie` then `cookie2` headers for NAME and NAME_2…NAME_slots. With `remove`, rewrites those
 * headers without our cookies (a header left with no cookie is dropped).
 */
export function scanSessionCookies(request: HeaderMap, name: string, slots: i32, remove: bool): CookieScan {
  const scan = new CookieScan(slots);
  // What remove writes back; not needed (nor made) otherwise.
  const kept = remove ? new Array<string>() : null;
  const keptNames = remove ? new Array<string>() : null;
  const headerNames = COOKIE_HEADERS;
  // The map's own pairs, walked once per header name (in that order), without a list of the values;
  // the walk for `cookie` notes whether there is any `cookie2` (rare) to walk for.
  const names = request.names, values = request.values;
  let more = true;
  for (let h = 0; h < headerNames.length && more; h++) {
    const headerName = unchecked(headerNames[h]);
    const next = h + 1 < headerNames.length ? unchecked(headerNames[h + 1]) : null;
    const nextLength = next != null ? next.length : -1;
    more = false;
    for (let v = 0, n = names.length; v < n; v++) {
      const at = unchecked(names[v]);
      // Lengths first: most headers differ in length from both names, and a string comparison is a call.
      const atLength = at.length;
      if (atLength != headerName.length || at != headerName) {
        if (!more && atLength == nextLength && at == next) more = true;
        continue;
      }
      const rebuilt = scanLine(scan, unchecked(values[v]), name, slots, remove);
      if (rebuilt != null && kept != null && keptNames != null) {
        kept.push(rebuilt);
        keptNames.push(headerName);
      }
    }
  }
  if (kept != null && keptNames != null && scan.removed > 0) {
    request.remove("cookie");
    request.remove("cookie2");
    for (let i = 0; i < kept.length; i++) request.add(keptNames[i], kept[i]);
  }
  return scan;
}

/**
 * Scans one header value; returns it without our cookies (only rebuilt when `rebuild`: otherwise the line
 * as it is), or null when no other cookie is left. Pieces are read in place by their offsets: only our
 * cookies' values (and, when rebuilding, the kept pieces) become strings.
 */
function scanLine(scan: CookieScan, line: string, name: string, slots: i32, rebuild: bool): string | null {
  // Kept pieces, joined once at the end: appending to a string would copy it for every cookie, and a
  // header of thousands of cookies would cost a worker quadratic time.
  const out = rebuild ? new Array<string>() : null;
  let outLength = 0;
  let others = 0;
  let eating = false;
  const n = line.length;
  let i = 0;
  let sepBefore = -1;
  while (i < n) {
    // Pieces end at `;` or `,`; `,` separates whole cookie lists (several headers joined by a proxy).
    let j = i;
    while (j < n) {
      const c = unitAt(line, j);
      if (c == 0x3b || c == 0x2c) break;
      j++;
    }
    if (j > i) {
      let t = i;
      while (t < j && isSpace(unitAt(line, t))) t++;
      const slot = matchSlot(line, t, j, name, slots);
      if (slot >= 0) {
        const valueStart = slot == 0 ? t + name.length + 1 : line.indexOf("=", t) + 1;
        if (slot == 0) {
          // NAME's value stays where it is in the line (compared in place with an earlier one).
          const previous = scan.firstLine;
          if (previous != null && !sameText(previous, scan.firstFrom, scan.firstTo, line, valueStart, j) && scan.conflict.length == 0) {
            scan.conflict = name;
          }
          scan.setFirstIn(line, valueStart, j);
        } else {
          const value = line.substring(valueStart, j);
          const previous = scan.value(slot);
          if (previous != null && previous != value && scan.conflict.length == 0) {
            scan.conflict = chunkCookieName(name, slot);
          }
          scan.setValue(slot, value);
        }
        scan.removed++;
        eating = true;
      } else {
        if (t >= j || unitAt(line, t) != 0x24) {
          others++;
          eating = false;
        }
        if (!eating && out != null) {
          // The separator before the piece goes with it, except at the start of the rebuilt line.
          const add = outLength ? String.fromCharCode(sepBefore) + line.substring(i, j) : line.substring(t, j);
          out.push(add);
          outLength += add.length;
        }
      }
    }
    if (j < n) sepBefore = <i32>unitAt(line, j);
    i = j + 1;
  }
  if (others == 0) return null;
  return out != null ? out.join("") : line;
}

/** Whether `a[aFrom, aTo)` and `b[bFrom, bTo)` are the same code units. */
function sameText(a: string, aFrom: i32, aTo: i32, b: string, bFrom: i32, bTo: i32): bool {
  const n = aTo - aFrom;
  if (n != bTo - bFrom) return false;
  return memory.compare(changetype<usize>(a) + (<usize>aFrom << 1), changetype<usize>(b) + (<usize>bFrom << 1), <usize>n << 1) == 0;
}

/** Which of our cookies the piece `line[t, end)` is: 0 for NAME, k-1 for NAME_k, -1 for none. */
function matchSlot(line: string, t: i32, end: i32, name: string, slots: i32): i32 {
  const len = name.length;
  if (end < t + len + 1) return -1;
  for (let k = 0; k < len; k++) {
    if (unitAt(line, t + k) != unitAt(name, k)) return -1;
  }
  const next = unitAt(line, t + len);
  if (next == 0x3d) return 0;
  if (next != 0x5f || slots < 2) return -1;
  // NAME_<k>= with 2 <= k <= slots, no leading zero.
  let p = t + len + 1;
  let k: i32 = 0;
  const digitsStart = p;
  while (p < end) {
    const c = unitAt(line, p);
    if (c < 0x30 || c > 0x39) break;
    if (p - digitsStart >= 3) return -1;
    k = k * 10 + <i32>(c - 0x30);
    p++;
  }
  if (p == digitsStart || p >= end || unitAt(line, p) != 0x3d) return -1;
  if (unitAt(line, digitsStart) == 0x30) return -1;
  if (k < 2 || k > slots) return -1;
  return k - 1;
}

function isSpace(c: u32): bool {
  return c == 0x20 || (c >= 0x09 && c <= 0x0d);
}
