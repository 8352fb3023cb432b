// The session cookie of mode cookie_first: the id as a cookie value and the Set-Cookie line.
//
// Ids stand in URLs in path-segment form (id.ts pathSafe). Two characters that form allows, "," (in the
// scramble alphabet) and ";" (from a friend part), end a cookie value for the readers in codecs/cookies.ts
// and are outside RFC 6265's cookie-octet, so the cookie carries them percent-encoded; decodeId reads
// either form, since it percent-decodes first.
import { pathSafe } from "./id";
import { percentDecode, PercentMode, UnescapeStatus } from "../codecs/percent";
import { SessionCookie } from "./settings";
import { UsertrackSettings, CookieStyle } from "../usertrack/settings";
import { apacheSetCookie } from "../usertrack/apache";

/** An id (URL form) as a cookie value: "," and ";" percent-encoded. */
export function cookieValueOf(id: string): string {
  let out: string[] | null = null; // made at the first "," or ";" (most ids have neither)
  let from = 0;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c != 0x2c && c != 0x3b) continue;
    if (out == null) out = new Array<string>();
    out.push(id.substring(from, i));
    out.push(c == 0x2c ? "%2C" : "%3B");
    from = i + 1;
  }
  if (out == null) return id;
  out.push(id.substring(from));
  return out.join("");
}

/**
 * The URL form of an id however it was written (cookie form, or a URL with needless escapes), so that ids
 * from the cookie and the URL compare equal when they are the same id; null on a malformed escape.
 */
export function urlFormOf(id: string): string | null {
  const plain = percentDecode(id, PercentMode.URL);
  return plain.status != UnescapeStatus.BAD_ESCAPE ? pathSafe(plain.value) : null;
}

/**
 * The Set-Cookie value carrying `id` for `lifetime` more seconds (0: no Max-Age, a browser-session
 * cookie). Written in mod_usertrack's layout with CookieStyle "Cookie" (usertrack/apache.ts), e.g.
 * `clickpath=ID; path=/; max-age=3600; SameSite=Lax; Secure; HttpOnly`.
 */
export function sessionSetCookie(c: SessionCookie, id: string, lifetime: i64): string {
  const layout = new UsertrackSettings();
  layout.cookieName = c.name;
  layout.path = c.path;
  layout.style = CookieStyle.Cookie;
  layout.expires = lifetime;
  layout.domain = c.domain;
  layout.sameSite = c.sameSite;
  layout.secure = c.secure;
  layout.httpOnly = c.httpOnly;
  return apacheSetCookie(layout, cookieValueOf(id), 0);
}
