// mod_session_cookie: the encoded session lives in the cookie itself.
//
// Set-Cookie is written as util_cookies does, without spaces: `NAME=VALUE;` + `Max-Age=N;` (when the
// session has a max age) + the configured attribute string, or `HttpOnly;Secure;Version=1` when none is
// configured; a session that became empty is removed with `NAME=;Max-Age=0;` + the configured attributes.
//
// Beyond Apache: a session too big for one cookie is split across NAME, NAME_2 … NAME_n (n ≤ max_chunks).
// NAME's value then starts with `~n~` — a prefix neither Apache's urlencoded codec nor either encrypted
// format can produce (`~` is always escaped, and is outside both base64 alphabets) — and the pieces are
// concatenated in order. Chunks a shrinking session no longer needs are expired in the same response.
import { HeaderMap } from "../core/headers";
import { LogLevel, Services } from "../core/services";
import { BackendLoad, loadWithoutValue, SaveOutcome, SessionBackend, SessionBackendStream, SessionDelta } from "./backend";
import { chunkCookieName, CookieScan, scanSessionCookies } from "./cookie-read";
import { APACHE_DEFAULT_ATTRIBUTES, SessionSettings } from "./settings";
import { unitAt } from "../core/bytes";

/** The size a browser is guaranteed to keep for one cookie: name, value and attributes (RFC 6265 §6.1). */
export const MAX_COOKIE_BYTES: i32 = 4096;

export class CookieBackend extends SessionBackend {
  constructor(public settings: SessionSettings) { super(); }

  open(services: Services): SessionBackendStream {
    return new CookieBackendStream(this.settings, services);
  }
}

export class CookieBackendStream extends SessionBackendStream {
  /** The highest chunk slot the request carried (-1: none), so surplus chunks can be expired. */
  presentUpTo: i32 = -1;

  constructor(public settings: SessionSettings, public services: Services) { super(); }

  load(request: HeaderMap): BackendLoad {
    const s = this.settings;
    const scan = scanSessionCookies(request, s.cookieName, s.maxChunks, s.cookieRemove);
    this.presentUpTo = scan.lastPresent();
    const early = loadWithoutValue(scan);
    if (early != null) return early;
    // NAME's value is handed over where it is in its header: it becomes a string only if someone asks.
    const line = scan.firstLine!;
    const from = scan.firstFrom;
    if (unitAt(line, from) != 0x7e) return BackendLoad.foundIn(line, from, scan.firstTo);
    return joinChunks(scan, scan.first!, s);
  }

  save(response: HeaderMap, encoded: string, maxAgeSeconds: i64, delta: SessionDelta): SaveOutcome {
    const s = this.settings;
    const attrs = s.cookieAttributes;
    const tail = (maxAgeSeconds > 0 ? "Max-Age=" + maxAgeSeconds.toString() + ";" : "") +
      (attrs != null ? attrs : APACHE_DEFAULT_ATTRIBUTES);
    const single = s.cookieName + "=" + encoded + ";" + tail;
    let used = 1;
    if (single.length <= MAX_COOKIE_BYTES) {
      response.add("set-cookie", single);
    } else {
      const pieces = splitIntoChunks(encoded, s.cookieName, tail, s.maxChunks);
      if (pieces == null) {
        this.services.log(LogLevel.Error, "clicktrail: session: the session (" + encoded.length.toString() +
          " bytes encoded) does not fit in " + s.maxChunks.toString() + " cookie(s) of " + MAX_COOKIE_BYTES.toString() +
          " bytes (session.max_chunks); it was not saved");
        return SaveOutcome.NotSaved;
      }
      used = pieces.length;
      for (let i = 0; i < pieces.length; i++) {
        response.add("set-cookie", chunkCookieName(s.cookieName, i) + "=" + pieces[i] + ";" + tail);
      }
    }
    this.expireFrom(response, used);
    return SaveOutcome.Saved;
  }

  remove(response: HeaderMap, delta: SessionDelta): SaveOutcome {
    this.expireFrom(response, 0);
    return SaveOutcome.Saved;
  }

  /** Expires slots from `first` up to the highest the request carried (always NAME itself when first is 0). */
  private expireFrom(response: HeaderMap, first: i32): void {
    const s = this.settings;
    const attrs = s.cookieAttributes;
    const last = first == 0 ? max(0, this.presentUpTo) : this.presentUpTo;
    for (let i = first; i <= last; i++) {
      response.add("set-cookie", chunkCookieName(s.cookieName, i) + "=;Max-Age=0;" + (attrs != null ? attrs : ""));
    }
  }
}

function joinChunks(scan: CookieScan, first: string, s: SessionSettings): BackendLoad {
  const close = first.indexOf("~", 1);
  const count = close > 1 && close <= 3 ? parseSmall(first.substring(1, close)) : -1;
  if (count < 2 || count > s.maxChunks) {
    return BackendLoad.unusable("cookie " + s.cookieName + " announces an impossible number of chunks");
  }
  const parts = new Array<string>();
  parts.push(first.substring(close + 1));
  for (let i = 1; i < count; i++) {
    const v = scan.value(i);
    if (v == null) {
      return BackendLoad.unusable("cookie " + chunkCookieName(s.cookieName, i) + " (chunk " + (i + 1).toString() +
        " of " + count.toString() + ") is missing");
    }
    parts.push(v);
  }
  return BackendLoad.found(parts.join(""));
}

function parseSmall(digits: string): i32 {
  let n = 0;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/**
 * The fewest pieces (2 … maxChunks) whose cookies, each `NAME_i=piece;tail`, fit MAX_COOKIE_BYTES, the
 * first piece carrying the `~n~` prefix; null when even maxChunks are not enough.
 */
export function splitIntoChunks(encoded: string, name: string, tail: string, maxChunks: i32): string[] | null {
  for (let count = 2; count <= maxChunks; count++) {
    const prefix = "~" + count.toString() + "~";
    let capacity = 0;
    for (let i = 0; i < count; i++) {
      const room = MAX_COOKIE_BYTES - (chunkCookieName(name, i).length + 2 + tail.length) - (i == 0 ? prefix.length : 0);
      if (room <= 0) return null;
      capacity += room;
    }
    if (capacity < encoded.length) continue;
    // Even pieces rather than greedy ones: no cookie sits right at the limit.
    const out = new Array<string>();
    let at = 0;
    let fits = true;
    for (let i = 0; i < count; i++) {
      const room = MAX_COOKIE_BYTES - (chunkCookieName(name, i).length + 2 + tail.length) - (i == 0 ? prefix.length : 0);
      const remaining = encoded.length - at;
      const share = min(room, <i32>Math.ceil(<f64>remaining / <f64>(count - i)));
      if (i == count - 1 && share < remaining) { fits = false; break; }
      out.push((i == 0 ? prefix : "") + encoded.substring(at, at + share));
      at += share;
    }
    if (fits) return out;
  }
  return null;
}
