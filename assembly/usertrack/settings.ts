// The validated settings of the usertrack feature, as config/usertrack.ts reads them from the JSON
// configuration. Each field names the Apache (or nginx) directive it stands for.
import * as K from "../config/keys/usertrack";

/** CookieStyle: which Set-Cookie syntax carries the cookie. */
export const enum CookieStyle {
  /** `Netscape` (Apache's default): `expires=` with a two-digit-year date. */
  Netscape = 0,
  /** `Cookie` / `RFC2109`: `max-age=`. */
  Cookie = 1,
  /** `Cookie2` / `RFC2965`: `max-age=`, header `Set-Cookie2`, `version=1` after a domain. */
  Cookie2 = 2,
}

/** Which original's id, cookie reading and Set-Cookie layout to follow. */
export const enum IdFormat { Apache = 0, Nginx = 1 }

export class UsertrackSettings {
  /** CookieTracking on|off / userid on|off. */
  enabled: bool = true;
  format: IdFormat = IdFormat.Apache;
  /** CookieName (default "Apache") / userid_name (default "uid"). */
  cookieName: string = K.cookieName.stringDefault;
  /**
   * The Path attribute of the Apache layout: mod_usertrack always writes "/" (it has no directive for it);
   * the clickpath cookie, written in the same layout, sets its own.
   */
  path: string = "/";
  /** CookieDomain / userid_domain; "" for none. */
  domain: string = "";
  /** CookieExpires / userid_expires in seconds; 0 for a browser-session cookie. */
  expires: i64 = 0;
  /** userid_expires max: the fixed date 31-Dec-37 23:55:55 GMT (format nginx only). */
  expiresMax: bool = false;
  /** CookieStyle (format apache only). */
  style: CookieStyle = CookieStyle.Netscape;
  /** CookieSameSite as Apache writes it ("Lax", "Strict", "None"); "" for no attribute. */
  sameSite: string = "";
  /** CookieSecure / userid_flags secure. */
  secure: bool = false;
  /** CookieHTTPOnly / userid_flags httponly. */
  httpOnly: bool = false;
  /** Request header (lower-case) that carries the id to the upstream; "" for none. */
  upstreamHeader: string = "";
  /** `userid on` (2) or `userid v1` (1). */
  nginxVersion: i32 = <i32>K.nginxVersion.intDefault;
  /** userid_service; -1 for the default (v2: the server's address; v1: 0). */
  nginxService: i64 = -1;
  /** userid_mark as a character code; 0 for off. */
  nginxMark: i32 = 0;
  /** userid_path. */
  nginxPath: string = K.nginxPath.stringDefault;
  /** userid_p3p; "" for none. */
  nginxP3p: string = "";
}
