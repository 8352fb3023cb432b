// The `usertrack` section: Apache mod_usertrack's directives (and nginx userid's, for format "nginx").
// Values Apache would refuse are refused with Apache's own message, under the key's JSON path.
// Each key's name, default and range come from its row in keys/usertrack.ts.
import { JSON } from "assemblyscript-json/assembly";
import { ObjectReader, describe } from "./reader";
import * as K from "./keys/usertrack";
import { CookieStyle, IdFormat, UsertrackSettings } from "../usertrack/settings";
import { MAX_EXPIRES_SECONDS, parseApacheDuration, parseNginxTime } from "../codecs/duration";
import { isAttributeValue, isCookieName } from "../codecs/cookies";
import { isToken } from "../codecs/ascii";


/** Reads the `usertrack` section. */
export function readUsertrack(r: ObjectReader): UsertrackSettings {
  const s = new UsertrackSettings();
  s.enabled = r.boolKey(K.enabled);
  s.format = r.keywordKey(K.format) == "nginx" ? IdFormat.Nginx : IdFormat.Apache;
  const nginx = s.format == IdFormat.Nginx;

  s.cookieName = r.string(K.cookieName.name, nginx ? K.NGINX_COOKIE_NAME : K.cookieName.stringDefault);
  if (!isCookieName(s.cookieName)) {
    r.fail(K.cookieName.name, "\"" + s.cookieName + "\" is not a cookie name: use letters, digits and !#$%&'*+-.^_`|~");
  }

  if (r.has(K.domain.name)) readDomain(r, s, nginx);
  if (r.has(K.expires.name)) readExpires(r, s, nginx);

  if (r.has(K.style.name)) {
    // Apache's own keyword parsing and message, not the generic choice check.
    const raw = r.stringKey(K.style);
    const v = raw.toLowerCase();
    if (v == "netscape") s.style = CookieStyle.Netscape;
    else if (v == "cookie" || v == "rfc2109") s.style = CookieStyle.Cookie;
    else if (v == "cookie2" || v == "rfc2965") s.style = CookieStyle.Cookie2;
    else r.fail(K.style.name, "Invalid CookieStyle keyword: '" + raw + "'");
    if (nginx && s.style != CookieStyle.Netscape) r.fail(K.style.name, "applies only to format \"apache\" (nginx has one Set-Cookie layout)");
  }

  if (r.has(K.sameSite.name)) {
    const v = r.stringKey(K.sameSite).toLowerCase();
    if (v == "strict") s.sameSite = "Strict";
    else if (v == "lax") s.sameSite = "Lax";
    else if (v == "none") s.sameSite = "None";
    else r.fail(K.sameSite.name, "CookieSameSite accepts 'Strict', 'Lax', or 'None'");
  }
  s.secure = r.boolKey(K.secure);
  s.httpOnly = r.boolKey(K.httpOnly);

  if (r.has(K.upstreamHeader.name)) {
    const h = r.stringKey(K.upstreamHeader).toLowerCase();
    if (!isToken(h)) r.fail(K.upstreamHeader.name, "\"" + h + "\" is not a header name");
    else if (K.upstreamHeader.forbidden.includes(h)) r.fail(K.upstreamHeader.name, "\"" + h + "\" must not be replaced by the tracking id");
    else s.upstreamHeader = h;
  }

  if (nginx) {
    s.nginxVersion = <i32>r.intKey(K.nginxVersion);
    // -1: the default that depends on the version (usertrack/settings.ts).
    s.nginxService = r.int(K.nginxService.name, -1, K.nginxService.lo, K.nginxService.hi);
    if (r.has(K.nginxMark.name)) {
      const m = r.stringKey(K.nginxMark);
      if (m == "off") s.nginxMark = 0;
      else if (m.length == 1 && isMarkChar(m.charCodeAt(0))) s.nginxMark = m.charCodeAt(0);
      else r.fail(K.nginxMark.name, "value must be \"off\" or a single letter, digit or \"=\"");
    }
    s.nginxPath = r.stringKey(K.nginxPath);
    if (s.nginxPath.length == 0 || !isAttributeValue(s.nginxPath)) {
      r.fail(K.nginxPath.name, "must be a non-empty path of visible ASCII without ';' or ','");
    }
    s.nginxP3p = r.stringKey(K.nginxP3p);
    if (s.nginxP3p == "none") s.nginxP3p = "";
    if (!isFieldValue(s.nginxP3p)) r.fail(K.nginxP3p.name, "must be a header value without control characters");
  } else {
    for (let i = 0; i < K.NGINX_ONLY.length; i++) {
      const key = K.NGINX_ONLY[i].name;
      if (r.has(key)) r.fail(key, "applies only to format \"nginx\"");
    }
  }
  r.rejectUnknownKeys();
  return s;
}

function readDomain(r: ObjectReader, s: UsertrackSettings, nginx: bool): void {
  const d = r.stringKey(K.domain);
  if (nginx) {
    // userid_domain takes any name; "none" means no attribute.
    if (d == "none") return;
    if (d.length == 0 || !isAttributeValue(d)) { r.fail(K.domain.name, "must be a domain name of visible ASCII without ';' or ','"); return; }
    s.domain = d;
    return;
  }
  if (d.length == 0) { r.fail(K.domain.name, "CookieDomain values may not be null"); return; }
  if (d.charCodeAt(0) != 0x2e) { r.fail(K.domain.name, "CookieDomain values must begin with a dot"); return; }
  if (d.indexOf(".", 1) < 0) { r.fail(K.domain.name, "CookieDomain values must contain at least one embedded dot"); return; }
  // Apache emits any bytes verbatim; a ';' or a blank here would forge attributes.
  if (!isAttributeValue(d)) { r.fail(K.domain.name, "must be visible ASCII without ';' or ','"); return; }
  s.domain = d;
}

function readExpires(r: ObjectReader, s: UsertrackSettings, nginx: bool): void {
  const v = r.value(K.expires.name);
  if (v == null) return;
  if (v.isInteger) {
    s.expires = r.int(K.expires.name, 0, K.expires.lo, K.expires.hi);
    return;
  }
  if (!v.isString) {
    r.fail(K.expires.name, "expected a number of seconds or a duration such as \"2 weeks 3 days\", got " + describe(v));
    return;
  }
  const text = (<JSON.Str>v).valueOf();
  if (nginx) {
    // nginx's own syntax first (what an nginx configuration holds), then Apache's.
    if (text == "max") { s.expiresMax = true; return; }
    if (text == "off") return;
    const seconds = parseNginxTime(text);
    if (seconds >= 0) { s.expires = seconds; return; }
    const apache = parseApacheDuration(text);
    if (apache.error == null) { s.expires = apache.seconds; return; }
    r.fail(K.expires.name, "invalid value \"" + text + "\": expected nginx time (\"365d\", \"12h 30m\"), an Apache duration (\"2 weeks\"), \"max\" or \"off\", at most " +
      MAX_EXPIRES_SECONDS.toString() + " seconds");
    return;
  }
  const d = parseApacheDuration(text);
  if (d.error != null) { r.fail(K.expires.name, d.error!); return; }
  s.expires = d.seconds;
}

function isFieldValue(v: string): bool {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c < 0x20 && c != 0x09) || c == 0x7f) return false;
  }
  return true;
}

function isMarkChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x3d;
}
