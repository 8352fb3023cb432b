// The `usertrack` section's keys (see key.ts): Apache mod_usertrack, or nginx's userid module with format "nginx".
import {
  Key, boolKey, durationKey, intKey, intKeyNoDefault, keywordKey, objectKey, optionalStringKey, stringKey,
  DOCS,
} from "./key";
import { ATTR, NO_SEMICOLON_COMMA, TCHAR } from "./patterns";
import { MAX_EXPIRES_SECONDS } from "../../codecs/duration";

/** Request headers the id must never replace: the client's cookies, routing and framing. */
export const RESERVED_HEADERS: string[] = ["cookie", "host", "content-length", "transfer-encoding", "connection", "te", "upgrade"];

export const enabled = boolKey("enabled", true, DOCS ? "CookieTracking on|off (nginx: userid on|off). A present section is on unless this is false." : "")
  .withApache(DOCS ? "CookieTracking" : "").withDefaultText(DOCS ? "`true` (a present section is on)" : "")
  .withApacheText(DOCS ? "`CookieTracking on|off`" : "");
export const format = keywordKey("format", "apache", ["apache", "nginx"], DOCS ? "Id and Set-Cookie layout: \"apache\" (mod_usertrack 2.4) or \"nginx\" (ngx_http_userid_module). Any letter case." : "");
export const cookieName = stringKey("cookie_name", "Apache", DOCS ? "CookieName (nginx: userid_name). An RFC 9110 token. Default \"Apache\", or \"uid\" with format nginx." : "")
  .withPattern(DOCS ? "^[" + TCHAR + "]+$" : "", DOCS ? "cookie-name token (RFC 9110)" : "").withApache(DOCS ? "CookieName" : "").withDefaultText(DOCS ? "`\"Apache\"`; `\"uid\"` for format nginx" : "");
/** cookie_name's default with format nginx. */
export const NGINX_COOKIE_NAME = "uid";
export const domain = optionalStringKey("domain", DOCS ? "CookieDomain (nginx: userid_domain). Format apache: must begin with a dot and contain another dot. Format nginx: any name, \"none\" for no attribute. Default: no Domain attribute." : "")
  .withApache(DOCS ? "CookieDomain" : "").withDefaultText(DOCS ? "none (no attribute)" : "")
  .withApacheText(DOCS ? "`CookieDomain` — must start with `.` and contain another `.`, Apache's messages" : "");
export const expires = durationKey("expires", 0, MAX_EXPIRES_SECONDS, DOCS ? "CookieExpires (nginx: userid_expires). Seconds, or a duration string parsed as Apache does (\"2 weeks 3 days\", \"plus 1 month\"); format nginx also takes nginx time (\"365d\", \"12h 30m\"), \"max\" and \"off\". At most 2147483647 seconds. Default: none (a browser-session cookie)." : "")
  .withApache(DOCS ? "CookieExpires" : "").withDefaultText(DOCS ? "none (browser-session cookie)" : "")
  .withApacheText(DOCS ? "`CookieExpires` — seconds or `\"2 weeks 3 days\"`, parsed exactly as Apache does (see below)" : "");
export const style = keywordKey("style", "netscape", ["netscape", "cookie", "cookie2", "rfc2109", "rfc2965"], DOCS ? "CookieStyle Netscape|Cookie|Cookie2|RFC2109|RFC2965 (any case). Format apache only." : "")
  .withApache(DOCS ? "CookieStyle" : "");
export const sameSite = keywordKey("same_site", "", ["lax", "strict", "none"], DOCS ? "CookieSameSite Lax|Strict|None (any case; nginx: userid_flags samesite=...). Default: no SameSite attribute." : "")
  .withApache(DOCS ? "CookieSameSite" : "")
  .withApacheText(DOCS ? "`CookieSameSite` (written `SameSite=Lax` etc.)" : "");
export const secure = boolKey("secure", false, DOCS ? "CookieSecure on|off (nginx: userid_flags secure)." : "").withApache(DOCS ? "CookieSecure" : "");
export const httpOnly = boolKey("http_only", false, DOCS ? "CookieHTTPOnly on|off (nginx: userid_flags httponly)." : "").withApache(DOCS ? "CookieHTTPOnly" : "");
export const upstreamHeader = optionalStringKey("upstream_header", DOCS ? "Request header carrying the id to the upstream (in place of the request note %{cookie}n; nginx: $uid_got/$uid_set). Any client-sent header of that name is removed. Not cookie, host, content-length, transfer-encoding, connection, te or upgrade. Default: none." : "")
  .withPattern(DOCS ? "^[" + TCHAR + "]+$" : "", DOCS ? "header name" : "").withForbidden(RESERVED_HEADERS)
  .withApacheText(DOCS ? "(`%{cookie}n` note, passed on instead as a request header)" : "");
export const nginxVersion = intKey("nginx_version", 2, 1, 2, DOCS ? "userid v1 (1) or userid on (2). Format nginx only." : "");
export const nginxService = intKeyNoDefault("nginx_service", 0, 0xffffffff, DOCS ? "userid_service: the first word of the id. Default: version 2 the connection's local IPv4 address, version 1 zero. Format nginx only." : "")
  .withDefaultText(DOCS ? "version 2: the local address of the connection (Envoy's `destination.address`); version 1: 0" : "");
export const nginxMark = stringKey("nginx_mark", "off", DOCS ? "userid_mark: \"off\" or one letter, digit or \"=\". Format nginx only." : "")
  .withPattern(DOCS ? "^(?:off|[0-9A-Za-z=])$" : "", DOCS ? "`\"off\"` or one letter, digit or `=`" : "");
export const nginxPath = stringKey("nginx_path", "/", DOCS ? "userid_path (mod_usertrack always writes path=/). Format nginx only." : "")
  .withPattern(DOCS ? "^[" + ATTR + "]+$" : "", DOCS ? NO_SEMICOLON_COMMA : "")
  .withApacheText(DOCS ? "— (Apache always writes `path=/`)" : "");
export const nginxP3p = optionalStringKey("nginx_p3p", DOCS ? "userid_p3p: a P3P header sent with each new cookie; \"none\" for none. Format nginx only." : "")
  .withPattern(DOCS ? "^[^\\u0000-\\u0008\\u000a-\\u001f\\u007f]*$" : "", DOCS ? "header value without control characters" : "").withDefaultText(DOCS ? "none (`\"none\"` = none)" : "");

/** Keys that apply only to format "nginx". */
export const NGINX_ONLY: Key[] = [nginxVersion, nginxService, nginxMark, nginxPath, nginxP3p];

export const SECTION: Key = objectKey("usertrack", DOCS ? "Apache mod_usertrack (or nginx ngx_http_userid_module with format \"nginx\"): a tracking cookie set on a visitor's first request. The section's presence turns it on." : "", [
  enabled, format, cookieName, domain, expires, style, sameSite, secure, httpOnly, upstreamHeader,
  nginxVersion, nginxService, nginxMark, nginxPath, nginxP3p,
]);
