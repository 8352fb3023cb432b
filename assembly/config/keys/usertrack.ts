// The `usertrack` section's keys (see key.ts): Apache mod_usertrack, or nginx's userid module with format "nginx".
import {
  Key, boolKey, durationKey, intKey, intKeyNoDefault, keywordKey, objectKey, optionalStringKey, stringKey,
} from "./key";
import { ATTR, NO_SEMICOLON_COMMA, TCHAR } from "./patterns";
import { MAX_EXPIRES_SECONDS } from "../../codecs/duration";

/** Request headers the id must never replace: the client's cookies, routing and framing. */
export const RESERVED_HEADERS: string[] = ["cookie", "host", "content-length", "transfer-encoding", "connection", "te", "upgrade"];

export const enabled = boolKey("enabled", true, "CookieTracking on|off (nginx: userid on|off). A present section is on unless this is false.")
  .withApache("CookieTracking").withDefaultText("`true` (a present section is on)")
  .withApacheText("`CookieTracking on|off`");
export const format = keywordKey("format", "apache", ["apache", "nginx"], "Id and Set-Cookie layout: \"apache\" (mod_usertrack 2.4) or \"nginx\" (ngx_http_userid_module). Any letter case.");
export const cookieName = stringKey("cookie_name", "Apache", "CookieName (nginx: userid_name). An RFC 9110 token. Default \"Apache\", or \"uid\" with format nginx.")
  .withPattern("^[" + TCHAR + "]+$", "cookie-name token (RFC 9110)").withApache("CookieName").withDefaultText("`\"Apache\"`; `\"uid\"` for format nginx");
/** cookie_name's default with format nginx. */
export const NGINX_COOKIE_NAME = "uid";
export const domain = optionalStringKey("domain", "CookieDomain (nginx: userid_domain). Format apache: must begin with a dot and contain another dot. Format nginx: any name, \"none\" for no attribute. Default: no Domain attribute.")
  .withApache("CookieDomain").withDefaultText("none (no attribute)")
  .withApacheText("`CookieDomain` — must start with `.` and contain another `.`, Apache's messages");
export const expires = durationKey("expires", 0, MAX_EXPIRES_SECONDS, "CookieExpires (nginx: userid_expires). Seconds, or a duration string parsed as Apache does (\"2 weeks 3 days\", \"plus 1 month\"); format nginx also takes nginx time (\"365d\", \"12h 30m\"), \"max\" and \"off\". At most 2147483647 seconds. Default: none (a browser-session cookie).")
  .withApache("CookieExpires").withDefaultText("none (browser-session cookie)")
  .withApacheText("`CookieExpires` — seconds or `\"2 weeks 3 days\"`, parsed exactly as Apache does (see below)");
export const style = keywordKey("style", "netscape", ["netscape", "cookie", "cookie2", "rfc2109", "rfc2965"], "CookieStyle Netscape|Cookie|Cookie2|RFC2109|RFC2965 (any case). Format apache only.")
  .withApache("CookieStyle");
export const sameSite = keywordKey("same_site", "", ["lax", "strict", "none"], "CookieSameSite Lax|Strict|None (any case; nginx: userid_flags samesite=...). Default: no SameSite attribute.")
  .withApache("CookieSameSite")
  .withApacheText("`CookieSameSite` (written `SameSite=Lax` etc.)");
export const secure = boolKey("secure", false, "CookieSecure on|off (nginx: userid_flags secure).").withApache("CookieSecure");
export const httpOnly = boolKey("http_only", false, "CookieHTTPOnly on|off (nginx: userid_flags httponly).").withApache("CookieHTTPOnly");
export const upstreamHeader = optionalStringKey("upstream_header", "Request header carrying the id to the upstream (in place of the request note %{cookie}n; nginx: $uid_got/$uid_set). Any client-sent header of that name is removed. Not cookie, host, content-length, transfer-encoding, connection, te or upgrade. Default: none.")
  .withPattern("^[" + TCHAR + "]+$", "header name").withForbidden(RESERVED_HEADERS)
  .withApacheText("(`%{cookie}n` note, passed on instead as a request header)");
export const nginxVersion = intKey("nginx_version", 2, 1, 2, "userid v1 (1) or userid on (2). Format nginx only.");
export const nginxService = intKeyNoDefault("nginx_service", 0, 0xffffffff, "userid_service: the first word of the id. Default: version 2 the connection's local IPv4 address, version 1 zero. Format nginx only.")
  .withDefaultText("version 2: the local address of the connection (Envoy's `destination.address`); version 1: 0");
export const nginxMark = stringKey("nginx_mark", "off", "userid_mark: \"off\" or one letter, digit or \"=\". Format nginx only.")
  .withPattern("^(?:off|[0-9A-Za-z=])$", "`\"off\"` or one letter, digit or `=`");
export const nginxPath = stringKey("nginx_path", "/", "userid_path (mod_usertrack always writes path=/). Format nginx only.")
  .withPattern("^[" + ATTR + "]+$", NO_SEMICOLON_COMMA)
  .withApacheText("— (Apache always writes `path=/`)");
export const nginxP3p = optionalStringKey("nginx_p3p", "userid_p3p: a P3P header sent with each new cookie; \"none\" for none. Format nginx only.")
  .withPattern("^[^\\u0000-\\u0008\\u000a-\\u001f\\u007f]*$", "header value without control characters").withDefaultText("none (`\"none\"` = none)");

/** Keys that apply only to format "nginx". */
export const NGINX_ONLY: Key[] = [nginxVersion, nginxService, nginxMark, nginxPath, nginxP3p];

export const SECTION: Key = objectKey("usertrack", "Apache mod_usertrack (or nginx ngx_http_userid_module with format \"nginx\"): a tracking cookie set on a visitor's first request. The section's presence turns it on.", [
  enabled, format, cookieName, domain, expires, style, sameSite, secure, httpOnly, upstreamHeader,
  nginxVersion, nginxService, nginxMark, nginxPath, nginxP3p,
]);
