// The `usertrack` section: Apache mod_usertrack's directives (and nginx userid's, for format "nginx").
// Values Apache would refuse are refused with Apache's own message, under the key's JSON path.
import { JSON } from "assemblyscript-json/assembly";
import { ObjectReader, describe } from "./reader";
import { CookieStyle, IdFormat, UsertrackSettings } from "../usertrack/settings";
import { MAX_EXPIRES_SECONDS, parseApacheDuration, parseNginxTime } from "../codecs/duration";
import { isAttributeValue, isCookieName } from "../codecs/cookies";
import { isToken } from "../codecs/ascii";

const NGINX_ONLY: string[] = ["nginx_version", "nginx_service", "nginx_mark", "nginx_path", "nginx_p3p"];

// Request headers the id must never replace: the client's cookies, routing and framing.
const RESERVED_HEADERS: string[] = ["cookie", "host", "content-length", "transfer-encoding", "connection", "te", "upgrade"];

/** Reads the `usertrack` section. */
export function readUsertrack(r: ObjectReader): UsertrackSettings {
  const s = new UsertrackSettings();
  s.enabled = r.bool("enabled", true);
  s.format = r.choice("format", "apache", ["apache", "nginx"]) == "nginx" ? IdFormat.Nginx : IdFormat.Apache;
  const nginx = s.format == IdFormat.Nginx;

  s.cookieName = r.string("cookie_name", nginx ? "uid" : "Apache");
  if (!isCookieName(s.cookieName)) {
    r.fail("cookie_name", "\"" + s.cookieName + "\" is not a cookie name: use letters, digits and !#$%&'*+-.^_`|~");
  }

  if (r.has("domain")) readDomain(r, s, nginx);
  if (r.has("expires")) readExpires(r, s, nginx);

  if (r.has("style")) {
    const raw = r.string("style", "netscape");
    const v = raw.toLowerCase();
    if (v == "netscape") s.style = CookieStyle.Netscape;
    else if (v == "cookie" || v == "rfc2109") s.style = CookieStyle.Cookie;
    else if (v == "cookie2" || v == "rfc2965") s.style = CookieStyle.Cookie2;
    else r.fail("style", "Invalid CookieStyle keyword: '" + raw + "'");
    if (nginx && s.style != CookieStyle.Netscape) r.fail("style", "applies only to format \"apache\" (nginx has one Set-Cookie layout)");
  }

  if (r.has("same_site")) {
    const v = r.string("same_site", "").toLowerCase();
    if (v == "strict") s.sameSite = "Strict";
    else if (v == "lax") s.sameSite = "Lax";
    else if (v == "none") s.sameSite = "None";
    else r.fail("same_site", "CookieSameSite accepts 'Strict', 'Lax', or 'None'");
  }
  s.secure = r.bool("secure", false);
  s.httpOnly = r.bool("http_only", false);

  if (r.has("upstream_header")) {
    const h = r.string("upstream_header", "").toLowerCase();
    if (!isToken(h)) r.fail("upstream_header", "\"" + h + "\" is not a header name");
    else if (RESERVED_HEADERS.includes(h)) r.fail("upstream_header", "\"" + h + "\" must not be replaced by the tracking id");
    else s.upstreamHeader = h;
  }

  if (nginx) {
    s.nginxVersion = <i32>r.int("nginx_version", 2, 1, 2);
    s.nginxService = r.int("nginx_service", -1, 0, 0xffffffff);
    if (r.has("nginx_mark")) {
      const m = r.string("nginx_mark", "off");
      if (m == "off") s.nginxMark = 0;
      else if (m.length == 1 && isMarkChar(m.charCodeAt(0))) s.nginxMark = m.charCodeAt(0);
      else r.fail("nginx_mark", "value must be \"off\" or a single letter, digit or \"=\"");
    }
    s.nginxPath = r.string("nginx_path", "/");
    if (s.nginxPath.length == 0 || !isAttributeValue(s.nginxPath)) {
      r.fail("nginx_path", "must be a non-empty path of visible ASCII without ';' or ','");
    }
    s.nginxP3p = r.string("nginx_p3p", "");
    if (s.nginxP3p == "none") s.nginxP3p = "";
    if (!isFieldValue(s.nginxP3p)) r.fail("nginx_p3p", "must be a header value without control characters");
  } else {
    for (let i = 0; i < NGINX_ONLY.length; i++) {
      if (r.has(NGINX_ONLY[i])) r.fail(NGINX_ONLY[i], "applies only to format \"nginx\"");
    }
  }
  r.rejectUnknownKeys();
  return s;
}

function readDomain(r: ObjectReader, s: UsertrackSettings, nginx: bool): void {
  const d = r.string("domain", "");
  if (nginx) {
    // userid_domain takes any name; "none" means no attribute.
    if (d == "none") return;
    if (d.length == 0 || !isAttributeValue(d)) { r.fail("domain", "must be a domain name of visible ASCII without ';' or ','"); return; }
    s.domain = d;
    return;
  }
  if (d.length == 0) { r.fail("domain", "CookieDomain values may not be null"); return; }
  if (d.charCodeAt(0) != 0x2e) { r.fail("domain", "CookieDomain values must begin with a dot"); return; }
  if (d.indexOf(".", 1) < 0) { r.fail("domain", "CookieDomain values must contain at least one embedded dot"); return; }
  // Apache emits any bytes verbatim; a ';' or a blank here would forge attributes.
  if (!isAttributeValue(d)) { r.fail("domain", "must be visible ASCII without ';' or ','"); return; }
  s.domain = d;
}

function readExpires(r: ObjectReader, s: UsertrackSettings, nginx: bool): void {
  const v = r.value("expires");
  if (v == null) return;
  if (v.isInteger) {
    s.expires = r.int("expires", 0, 0, MAX_EXPIRES_SECONDS);
    return;
  }
  if (!v.isString) {
    r.fail("expires", "expected a number of seconds or a duration such as \"2 weeks 3 days\", got " + describe(v));
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
    r.fail("expires", "invalid value \"" + text + "\": expected nginx time (\"365d\", \"12h 30m\"), an Apache duration (\"2 weeks\"), \"max\" or \"off\", at most " +
      MAX_EXPIRES_SECONDS.toString() + " seconds");
    return;
  }
  const d = parseApacheDuration(text);
  if (d.error != null) { r.fail("expires", d.error!); return; }
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
