// mod_session's "identity" codec: a session is an application/x-www-form-urlencoded string of key=value
// pairs, and that string — before any encryption — is what Apache stores, puts into HTTP_SESSION and reads
// from SessionHeader. Matching it byte for byte lets a site move between Apache and clicktrail without
// logging anybody out, so every rule below is Apache 2.4's (session_identity_decode and
// session_identity_encode in httpd's modules/session/mod_session.c), including the odd ones; the two
// places we depart are marked "departs" and listed in docs/compat.md.
//
// Strings here are byte strings (core/bytes.ts): one code unit per byte. The escaping itself is
// codecs/percent.ts (ap_escape_urlencoded / ap_unescape_urlencoded).
import { escapeUrlencoded, isPlain, percentDecode, PercentMode } from "../codecs/percent";
import { MAX_CODEC_OUTPUT } from "../codecs/base64";
import { unitAt } from "../core/bytes";
import { withRoom } from "../core/arrays";

/** Apache's reserved key: absolute expiry, decimal microseconds since the epoch. */
export const EXPIRY_KEY = "expiry";
/**
 * clicktrail's reserved key (only with `absolute_max_age`): when the session was created, decimal
 * microseconds since the epoch. It travels inside the session like `expiry`, so every worker and every
 * backend sees the same hard limit, and (with encryption) the client cannot move it.
 */
export const CREATED_KEY = "_created";

/** Up to this many slots a SessionTable finds keys by comparing them in turn (see SessionTable). */
const LINEAR_MAX = 16;

/**
 * Apache's session table (an apr_table): insertion-ordered pairs. `set` replaces the value of the first
 * pair with that key in place and drops later ones, so a key keeps the position it was first given —
 * which is why Apache writes `expiry` first when it was put into the table first.
 */
export class SessionTable {
  // Pairs in insertion order, each key beside its value (kv[2i], kv[2i + 1]) in one array made on the
  // first set: an empty session costs no array, and a loaded one a single array sized for eight pairs
  // (two growing arrays per session were a measurable part of a request, issue 15). An unset pair leaves
  // a hole (dead) until the next read of the pairs, so a session of n pairs costs O(n) to build whatever
  // the mix of sets and unsets (a cookie of thousands of pairs must not cost a worker seconds). `index`
  // maps each live key to its slot; it is built only once the table passes LINEAR_MAX slots: a handful of
  // keys are found faster by comparing them in turn, and the usual session (three to ten keys) then
  // costs no hash map per request.
  private kv: string[] | null = null;
  /** Which slots are holes; made on the first unset (most requests only ever set). */
  private dead: bool[] | null = null;
  private holes: i32 = 0;
  private index: Map<string, i32> | null = null;
  /** False while every key and value was set through setPlain: the encoder need not look at their bytes. */
  private mayEscape: bool = false;

  /** Live keys in order (a new array). */
  get keys(): string[] { return this.column(0); }
  /** Their values (a new array). */
  get values(): string[] { return this.column(1); }

  /**
   * The live pairs in order, each key followed by its value: the table's own array, to be read, not
   * changed (the encoder walks it without copying the keys and values apart).
   */
  get pairs(): string[] {
    this.compact();
    const kv = this.kv;
    return kv != null ? kv : NO_PAIRS;
  }

  get size(): i32 { return this.slots() - this.holes; }

  get(key: string): string | null {
    const i = this.slotOf(key);
    return i >= 0 ? unchecked(this.kv![(i << 1) + 1]) : null;
  }

  has(key: string): bool { return this.slotOf(key) >= 0; }

  set(key: string, value: string): void {
    this.mayEscape = true;
    this.put(key, value);
  }

  /**
   * set(), for a key and value known to be of plain bytes only (isPlain: escapeUrlencoded leaves them as
   * they are), such as a plain pair of a stored session or a number.
   */
  setPlain(key: string, value: string): void {
    this.put(key, value);
  }

  /** True when every key and value was set through setPlain. */
  get knownPlain(): bool { return !this.mayEscape; }

  private put(key: string, value: string): void {
    const i = this.slotOf(key);
    let kv = this.kv;
    if (i >= 0) {
      kv![(i << 1) + 1] = value;
      return;
    }
    if (kv == null) {
      kv = withRoom<string>(FIRST_CAPACITY << 1);
      this.kv = kv;
    }
    const slot = kv.length >> 1;
    kv.push(key);
    kv.push(value);
    const dead = this.dead;
    if (dead != null) dead.push(false);
    const index = this.index;
    if (index != null) index.set(key, slot);
    else if (slot + 1 > LINEAR_MAX) this.index = this.indexLive();
  }

  unset(key: string): void {
    const i = this.slotOf(key);
    if (i < 0) return;
    const index = this.index;
    if (index != null) index.delete(key);
    let dead = this.dead;
    if (dead == null) {
      dead = new Array<bool>(this.slots());
      this.dead = dead;
    }
    dead[i] = true;
    this.holes++;
  }

  private slots(): i32 {
    const kv = this.kv;
    return kv != null ? kv.length >> 1 : 0;
  }

  /** Column 0 (keys) or 1 (values) of the live pairs, as a new array. */
  private column(which: i32): string[] {
    const kv = this.pairs;
    const n = kv.length >> 1;
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) unchecked((out[i] = unchecked(kv[(i << 1) + which])));
    return out;
  }

  /** The slot of live `key`, -1 when absent. */
  private slotOf(key: string): i32 {
    const index = this.index;
    if (index != null) return index.has(key) ? index.get(key) : -1;
    const kv = this.kv;
    if (kv == null) return -1;
    const dead = this.dead;
    for (let i = 0, n = kv.length >> 1; i < n; i++) {
      if (unchecked(kv[i << 1]) == key && (dead == null || !unchecked(dead[i]))) return i;
    }
    return -1;
  }

  private indexLive(): Map<string, i32> {
    const index = new Map<string, i32>();
    const dead = this.dead;
    const kv = this.kv!;
    for (let i = 0, n = kv.length >> 1; i < n; i++) {
      if (dead == null || !dead[i]) index.set(kv[i << 1], i);
    }
    return index;
  }

  private compact(): void {
    const dead = this.dead;
    if (this.holes == 0 || dead == null) return;
    const old = this.kv!;
    const kv = new Array<string>();
    for (let i = 0, n = old.length >> 1; i < n; i++) {
      if (dead[i]) continue;
      kv.push(old[i << 1]);
      kv.push(old[(i << 1) + 1]);
    }
    this.kv = kv;
    this.dead = null;
    this.holes = 0;
    this.index = kv.length >> 1 > LINEAR_MAX ? this.indexLive() : null;
  }

  /** True when a key other than the reserved ones is present. */
  hasUserKeys(): bool {
    const kv = this.pairs;
    for (let i = 0, n = kv.length; i < n; i += 2) {
      const k = unchecked(kv[i]);
      if (k != EXPIRY_KEY && k != CREATED_KEY) return true;
    }
    return false;
  }
}

/** The pairs of a table that never had any. */
const NO_PAIRS: string[] = [];

/** How many pairs a table's first array holds before it grows (a session's keys plus `expiry`). */
const FIRST_CAPACITY = 8;

/** A session as mod_session's session_rec holds it. */
export class Session {
  entries: SessionTable = new SessionTable();
  /** µs since the epoch; 0 = none. */
  expiry: i64 = 0;
  /** µs since the epoch; 0 = unknown. Kept only with absolute_max_age. */
  created: i64 = 0;
  /** Changed in this request (Apache's z->dirty): a changed session is always saved. */
  dirty: bool = false;
}

/**
 * session_identity_decode: merges `encoded` into `session`.
 *
 * Split on `&` (empty pieces skipped); the key is what precedes the first `=`, the value everything
 * after it (2.4.x: `e=1=2` gives `1=2`). No `=` or an empty value deletes the key. Key and value are
 * urldecoded (`+` is a space); a piece with a malformed escape or an encoded NUL in either is ignored.
 * Later duplicates win. `expiry` sets the session's expiry instead of a table entry.
 *
 * `reserveCreated`: treat `_created` as clicktrail's reserved key (absolute_max_age on). `trusted`:
 * the text is the stored session; false for SessionHeader values, which may not move `_created`.
 *
 * Departs: Apache deletes with the still-escaped key (`a%20b=` fails to delete "a b") and reads `=x` as a
 * deletion of key `x` (apr_strtok skips leading separators); here deletions use the decoded key and a
 * piece with an empty key is ignored.
 */
export function decodeInto(session: Session, encoded: string, reserveCreated: bool, trusted: bool): void {
  const n = encoded.length;
  let start = 0;
  while (start < n) {
    // One walk to the next `&` finds the first `=` and whether the piece is plain bytes only: a
    // `key=value` of plain bytes (the usual stored pair) unescapes to itself, so its two halves are taken
    // as they are instead of cutting the pair out and unescaping each half.
    let end = start;
    let eq = -1;
    let plain = true;
    while (end < n) {
      const c = unitAt(encoded, end);
      if (c == 0x26) break;
      if (!isPlain(c)) {
        if (c == 0x3d && eq < 0) eq = end;
        else plain = false;
      }
      end++;
    }
    if (end > start) {
      // Plain: a non-empty key, one `=` and a non-empty value, all of bytes isPlain accepts (no `%`, `+` or NUL).
      if (plain && eq > start && eq + 1 < end) applyPlainPair(session, encoded, start, eq, end, reserveCreated, trusted);
      else decodePair(session, encoded.substring(start, end), reserveCreated, trusted);
    }
    start = end + 1;
  }
}

function decodePair(session: Session, pair: string, reserveCreated: bool, trusted: bool): void {
  const eq = pair.indexOf("=");
  if (eq == 0) return;
  const rawKey = eq < 0 ? pair : pair.substring(0, eq);
  const rawValue = eq < 0 ? "" : pair.substring(eq + 1);
  const k = percentDecode(rawKey, PercentMode.FORM);
  if (!k.ok || k.value.length == 0) return;
  const key = k.value;
  if (rawValue.length == 0) {
    // `expiry=` only drops a table copy of the expiry (Apache's unset); the session keeps its expiry.
    if (key == CREATED_KEY && reserveCreated) return;
    session.entries.unset(key);
    return;
  }
  const v = percentDecode(rawValue, PercentMode.FORM);
  if (!v.ok) return;
  applyValue(session, key, v.value, reserveCreated, trusted);
}

/**
 * applyValue for the plain pair `encoded[start, end)` with its `=` at `eq`: the reserved keys are
 * recognised and their numbers read in place, so only a table entry's key and value become strings.
 */
function applyPlainPair(session: Session, encoded: string, start: i32, eq: i32, end: i32, reserveCreated: bool, trusted: bool): void {
  if (rangeIs(encoded, start, eq, EXPIRY_KEY)) {
    session.expiry = atoi64Range(encoded, eq + 1, end);
    return;
  }
  if (reserveCreated && rangeIs(encoded, start, eq, CREATED_KEY)) {
    if (trusted) session.created = atoi64Range(encoded, eq + 1, end);
    return;
  }
  session.entries.setPlain(knownKey(encoded, start, eq), encoded.substring(eq + 1, end));
}

// The keys plain pairs had lately, so that a session's keys (the same few for every visitor) are not
// cut out of every cookie as new strings; values, which differ per visitor, always are.
const KNOWN_KEYS = new StaticArray<string>(16);
let knownKeys = 0;
/** Keys longer than this are never kept. */
const KNOWN_KEY_MAX = 32;

/** `s[start, end)` as a string: a kept one when it was seen before, else a new one (kept while there is room). */
function knownKey(s: string, start: i32, end: i32): string {
  for (let i = 0; i < knownKeys; i++) {
    const k = unchecked(KNOWN_KEYS[i]);
    if (rangeIs(s, start, end, k)) return k;
  }
  const key = s.substring(start, end);
  if (knownKeys < KNOWN_KEYS.length && end - start <= KNOWN_KEY_MAX) unchecked((KNOWN_KEYS[knownKeys++] = key));
  return key;
}

/** Whether `s[start, end)` is exactly `word`. */
function rangeIs(s: string, start: i32, end: i32, word: string): bool {
  const n = word.length;
  if (end - start != n) return false;
  for (let i = 0; i < n; i++) {
    if (unitAt(s, start + i) != unitAt(word, i)) return false;
  }
  return true;
}

/** One decoded pair with a non-empty value. */
function applyValue(session: Session, key: string, value: string, reserveCreated: bool, trusted: bool): void {
  if (key == EXPIRY_KEY) {
    session.expiry = atoi64(value);
    return;
  }
  if (key == CREATED_KEY && reserveCreated) {
    if (trusted) session.created = atoi64(value);
    return;
  }
  session.entries.set(key, value);
}

/**
 * session_identity_encode. Like Apache it first writes the expiry into the table (in place when it is
 * there already, else at the end), so encoding is not free of side effects: after a SessionEnv encode at
 * request time the saved cookie reads `expiry=…&k=v`, without one `k=v&expiry=…`.
 */
export function encodeSession(session: Session, reserveCreated: bool): string {
  tableReserved(session, reserveCreated);
  return joinEntries(session.entries);
}

/**
 * encodeSession, returning `stored` itself (no new string) when the encoding reads exactly the same: the
 * steady state, where the session loaded from the store goes upstream unchanged. Same side effects.
 */
export function encodeSessionLike(session: Session, reserveCreated: bool, stored: string): string {
  tableReserved(session, reserveCreated);
  const entries = session.entries;
  return encodesTo(entries, stored) ? stored : joinEntries(entries);
}

/** Apache's session_identity_encode writes the expiry (and clicktrail its `_created`) into the table first. */
function tableReserved(session: Session, reserveCreated: bool): void {
  const entries = session.entries;
  // The reserved keys and decimal numbers are plain bytes.
  if (session.expiry != 0) entries.setPlain(EXPIRY_KEY, session.expiry.toString());
  if (reserveCreated && session.created != 0) entries.setPlain(CREATED_KEY, session.created.toString());
}

function joinEntries(entries: SessionTable): string {
  const kv = entries.pairs;
  const plain = plainLength(kv, entries.knownPlain);
  if (plain >= 0) return joinPlain(kv, plain);
  // Joined once: appending to a string in the loop would copy the whole prefix for every pair.
  const n = kv.length >> 1;
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = escapeUrlencoded(kv[i << 1]) + "=" + escapeUrlencoded(kv[(i << 1) + 1]);
  return parts.join("&");
}

/**
 * The length of the joined encoding of the pairs `kv` (key, value, key, value…) when every key and value
 * is of plain bytes only (escapeUrlencoded leaves them as they are, so the encoding is a plain join); -1
 * otherwise. `knownPlain`: the table vouches for the bytes, only the lengths are checked.
 */
function plainLength(kv: string[], knownPlain: bool): i32 {
  const n = kv.length;
  let total = n > 0 ? n - 1 : 0;
  for (let i = 0; i < n; i++) {
    const s = unchecked(kv[i]);
    if (s.length > MAX_CODEC_OUTPUT || (!knownPlain && !allPlain(s))) return -1;
    total += s.length;
  }
  return total;
}

function allPlain(s: string): bool {
  for (let i = 0, n = s.length; i < n; i++) {
    if (!isPlain(unitAt(s, i))) return false;
  }
  return true;
}

/** `k=v&k=v…` of the pairs `kv` into one new string of `length` characters, no intermediate strings. */
function joinPlain(kv: string[], length: i32): string {
  const out = changetype<string>(__new(<usize>length << 1, idof<string>()));
  let dst = changetype<usize>(out);
  for (let i = 0, n = kv.length; i < n; i++) {
    if (i > 0) {
      // `=` after a key, `&` after a value.
      store<u16>(dst, (i & 1) != 0 ? 0x3d : 0x26);
      dst += 2;
    }
    const s = unchecked(kv[i]);
    const bytes = <usize>s.length << 1;
    memory.copy(dst, changetype<usize>(s), bytes);
    dst += bytes;
  }
  return out;
}

/**
 * Whether joinEntries would give exactly `text`, decided without building it: only pairs of plain bytes
 * (which escapeUrlencoded leaves as they are) are compared; any other byte answers false.
 */
function encodesTo(entries: SessionTable, text: string): bool {
  const kv = entries.pairs;
  const length = text.length;
  let at = 0;
  for (let i = 0, n = kv.length; i < n; i++) {
    if (i > 0) {
      if (at >= length || unitAt(text, at) != ((i & 1) != 0 ? 0x3d : 0x26)) return false;
      at++;
    }
    at = matchPlain(unchecked(kv[i]), text, at);
    if (at < 0) return false;
  }
  return at == length;
}

/**
 * The offset after `s` when `text` has it at `at` and every byte of it is plain; -1 otherwise (also when
 * `s` is longer than escapeUrlencoded's limit, which it would replace by "").
 */
function matchPlain(s: string, text: string, at: i32): i32 {
  const n = s.length;
  if (n > MAX_CODEC_OUTPUT || at + n > text.length) return -1;
  for (let i = 0; i < n; i++) {
    const c = unitAt(s, i);
    if (!isPlain(c) || c != unitAt(text, at + i)) return -1;
  }
  return at + n;
}

/** apr_atoi64 (strtoll base 10): leading blanks, a sign, digits up to the first non-digit; clamps on overflow; 0 when none. */
export function atoi64(s: string): i64 {
  return atoi64Range(s, 0, s.length);
}

/** atoi64 of `s[from, to)`, read in place. */
function atoi64Range(s: string, from: i32, to: i32): i64 {
  const n = to;
  let i = from;
  while (i < n) {
    const c = unitAt(s, i);
    if (c == 0x20 || (c >= 0x09 && c <= 0x0d)) i++;
    else break;
  }
  let negative = false;
  if (i < n && (unitAt(s, i) == 0x2b || unitAt(s, i) == 0x2d)) {
    negative = unitAt(s, i) == 0x2d;
    i++;
  }
  // Accumulate as a negative number so that i64.MIN_VALUE fits.
  let x: i64 = 0;
  for (; i < n; i++) {
    const c = unitAt(s, i);
    if (c < 0x30 || c > 0x39) break;
    const d = <i64>(c - 0x30);
    if (x < (i64.MIN_VALUE + d) / 10) return negative ? i64.MIN_VALUE : i64.MAX_VALUE;
    x = x * 10 - d;
  }
  if (negative) return x;
  return x == i64.MIN_VALUE ? i64.MAX_VALUE : -x;
}
