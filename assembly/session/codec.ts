// mod_session's "identity" codec: a session is an application/x-www-form-urlencoded string of key=value
// pairs, and that string — before any encryption — is what Apache stores, puts into HTTP_SESSION and reads
// from SessionHeader. Matching it byte for byte lets a site move between Apache and clicktrail without
// logging anybody out, so every rule below is Apache 2.4's (session_identity_decode and
// session_identity_encode in httpd's modules/session/mod_session.c), including the odd ones; the two
// places we depart are marked "departs" and listed in docs/compat.md.
//
// Strings here are byte strings (core/bytes.ts): one code unit per byte. The escaping itself is
// codecs/percent.ts (ap_escape_urlencoded / ap_unescape_urlencoded).
import { escapeUrlencoded, percentDecode, PercentMode } from "../codecs/percent";

/** Apache's reserved key: absolute expiry, decimal microseconds since the epoch. */
export const EXPIRY_KEY = "expiry";
/**
 * clicktrail's reserved key (only with `absolute_max_age`): when the session was created, decimal
 * microseconds since the epoch. It travels inside the session like `expiry`, so every worker and every
 * backend sees the same hard limit, and (with encryption) the client cannot move it.
 */
export const CREATED_KEY = "_created";

/**
 * Apache's session table (an apr_table): insertion-ordered pairs. `set` replaces the value of the first
 * pair with that key in place and drops later ones, so a key keeps the position it was first given —
 * which is why Apache writes `expiry` first when it was put into the table first.
 */
export class SessionTable {
  // Pairs in insertion order; an unset pair leaves a hole (dead) until the next read of the arrays, so a
  // session of n pairs costs O(n) to build whatever the mix of sets and unsets (a cookie of thousands of
  // pairs must not cost a worker seconds). `index` maps each live key to its slot.
  private ks: string[] = [];
  private vs: string[] = [];
  private dead: bool[] = [];
  private holes: i32 = 0;
  private index: Map<string, i32> = new Map<string, i32>();

  /** Live keys in order. */
  get keys(): string[] { this.compact(); return this.ks; }
  /** Their values. */
  get values(): string[] { this.compact(); return this.vs; }

  get size(): i32 { return this.ks.length - this.holes; }

  get(key: string): string | null {
    const index = this.index;
    return index.has(key) ? this.vs[index.get(key)] : null;
  }

  has(key: string): bool { return this.index.has(key); }

  set(key: string, value: string): void {
    const index = this.index;
    if (index.has(key)) {
      this.vs[index.get(key)] = value;
      return;
    }
    index.set(key, this.ks.length);
    this.ks.push(key);
    this.vs.push(value);
    this.dead.push(false);
  }

  unset(key: string): void {
    const index = this.index;
    if (!index.has(key)) return;
    const i = index.get(key);
    index.delete(key);
    this.dead[i] = true;
    this.holes++;
  }

  private compact(): void {
    if (this.holes == 0) return;
    const ks = new Array<string>();
    const vs = new Array<string>();
    const index = new Map<string, i32>();
    for (let i = 0, n = this.ks.length; i < n; i++) {
      if (this.dead[i]) continue;
      index.set(this.ks[i], ks.length);
      ks.push(this.ks[i]);
      vs.push(this.vs[i]);
    }
    this.ks = ks;
    this.vs = vs;
    this.dead = new Array<bool>(ks.length);
    this.holes = 0;
    this.index = index;
  }

  /** True when a key other than the reserved ones is present. */
  hasUserKeys(): bool {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (k != EXPIRY_KEY && k != CREATED_KEY) return true;
    }
    return false;
  }
}

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
  while (start <= n) {
    let end = encoded.indexOf("&", start);
    if (end < 0) end = n;
    if (end > start) decodePair(session, encoded.substring(start, end), reserveCreated, trusted);
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
  const value = v.value;
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
  const entries = session.entries;
  if (session.expiry != 0) entries.set(EXPIRY_KEY, session.expiry.toString());
  if (reserveCreated && session.created != 0) entries.set(CREATED_KEY, session.created.toString());
  const keys = entries.keys;
  const values = entries.values;
  // Joined once: appending to a string in the loop would copy the whole prefix for every pair.
  const parts = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) parts[i] = escapeUrlencoded(keys[i]) + "=" + escapeUrlencoded(values[i]);
  return parts.join("&");
}

/** apr_atoi64 (strtoll base 10): leading blanks, a sign, digits up to the first non-digit; clamps on overflow; 0 when none. */
export function atoi64(s: string): i64 {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c == 0x20 || (c >= 0x09 && c <= 0x0d)) i++;
    else break;
  }
  let negative = false;
  if (i < n && (s.charCodeAt(i) == 0x2b || s.charCodeAt(i) == 0x2d)) {
    negative = s.charCodeAt(i) == 0x2d;
    i++;
  }
  // Accumulate as a negative number so that i64.MIN_VALUE fits.
  let x: i64 = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    const d = <i64>(c - 0x30);
    if (x < (i64.MIN_VALUE + d) / 10) return negative ? i64.MIN_VALUE : i64.MAX_VALUE;
    x = x * 10 - d;
  }
  if (negative) return x;
  return x == i64.MIN_VALUE ? i64.MAX_VALUE : -x;
}
