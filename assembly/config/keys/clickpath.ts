// The `clickpath` section's keys (see key.ts): Apache2::ClickPath, plus mode cookie_first.
import {
  Key, boolKey, intKey, keywordKey, objectKey, objectsKey, optionalStringKey, stringKey, stringsKey,
  DOCS,
} from "./key";
import { ATTR, FRIEND_NAME, NO_SEMICOLON_COMMA, PATH_SEGMENT, PRINTABLE, TCHAR } from "./patterns";

/** Secrets shorter than this are refused: a signing key must not be guessable. */
export const MIN_SECRET_BYTES = 16;

export const REFERRER_POLICIES: string[] = [
  "no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "same-origin",
  "strict-origin", "strict-origin-when-cross-origin", "unsafe-url",
];

export const enabled = boolKey("enabled", true, DOCS ? "Loading ClickPath's handlers (PerlTransHandler/PerlOutputFilterHandler). A present section is on unless this is false." : "")
  .withDefaultText(DOCS ? "`true` (a present section is on)" : "")
  .withApacheText(DOCS ? "(loading the handlers)" : "");
export const prefix = stringKey("prefix", "-S:", DOCS ? "ClickPathSessionPrefix: written after the leading \"/\". Case-sensitive; only characters that stand unencoded in a path segment." : "")
  .withPattern(DOCS ? "^[" + PATH_SEGMENT + "]+$" : "", DOCS ? "characters that stand unencoded in a URL path segment" : "").withApache(DOCS ? "ClickPathSessionPrefix" : "");
export const maxSessionAge = intKey("max_session_age", 0, 0, 0xffffffff, DOCS ? "ClickPathMaxSessionAge: seconds after which a session is replaced; 0 = no limit." : "")
  .withApache(DOCS ? "ClickPathMaxSessionAge" : "");
export const mode = keywordKey("mode", "url", ["url", "cookie_first"], DOCS ? "No Apache directive: \"url\" (Apache2::ClickPath: the id in every URL) or \"cookie_first\" (the id in a cookie once the browser keeps it; URLs rewritten only until then). Any letter case." : "");

export const cookieName = stringKey("name", "clickpath", DOCS ? "The cookie's name: an RFC 9110 token." : "").withPattern(DOCS ? "^[" + TCHAR + "]+$" : "", DOCS ? "cookie name (RFC 9110 token)" : "");
export const cookiePath = stringKey("path", "/", DOCS ? "The Path attribute: starts with \"/\", visible ASCII without ';' or ','." : "").withPattern(DOCS ? "^/[" + ATTR + "]*$" : "", DOCS ? "starting with `/`, " + NO_SEMICOLON_COMMA : "");
export const cookieDomain = optionalStringKey("domain", DOCS ? "The Domain attribute (visible ASCII without ';' or ','). Default: none (a host-only cookie)." : "").withPattern(DOCS ? "^[" + ATTR + "]+$" : "", DOCS ? NO_SEMICOLON_COMMA : "");
export const cookieSameSite = keywordKey("same_site", "lax", ["lax", "strict", "none"], DOCS ? "The SameSite attribute. Any letter case; \"none\" needs secure." : "");
export const cookieSecure = boolKey("secure", true, DOCS ? "The Secure attribute." : "");
export const cookieHttpOnly = boolKey("http_only", true, DOCS ? "The HttpOnly attribute." : "");
export const cookie = objectKey("cookie", DOCS ? "Mode cookie_first: the cookie carrying the id. Its Max-Age is the id's remaining lifetime under max_session_age (none when 0)." : "", [
  cookieName, cookiePath, cookieDomain, cookieSameSite, cookieSecure, cookieHttpOnly,
]);
export const cleanUrls = boolKey("clean_urls", true, DOCS ? "Mode cookie_first: a GET or HEAD whose cookie holds a valid id and whose URL carries a session segment is redirected (307) to the URL without it." : "")
  .withDefaultText(DOCS ? "`true` in mode `cookie_first`" : "");

export const uaName = optionalStringKey("name", DOCS ? "The line's name (SESSION for the crawler): printable ASCII." : "").withPattern(DOCS ? "^[" + PRINTABLE + "]+$" : "", DOCS ? "printable ASCII" : "").isRequired();
export const uaPattern = optionalStringKey("pattern", DOCS ? "A Perl-syntax regular expression matched, unanchored, against the User-Agent." : "").withMinLength(1).isRequired();
export const uaExceptions = objectsKey("ua_exceptions", DOCS ? "<ClickPathUAExceptions> / ClickPathUAExceptionsFile: ordered crawler list; the first pattern matching the User-Agent wins and no session is made." : "", [uaName, uaPattern])
  .withApacheText(DOCS ? "`<ClickPathUAExceptions>` / `ClickPathUAExceptionsFile`" : "");

export const friendHost = optionalStringKey("host", DOCS ? "The Referer's host, with :port when the partner uses one." : "").withPattern(DOCS ? "^[^/]+$" : "", DOCS ? "host, with `:port` when used" : "").isRequired();
export const friendFields = stringsKey("fields", DOCS ? "Statements uri(N) (N-th path segment, 0 to 9999) or param(name) (name=value from the query)." : "")
  .withPattern(DOCS ? "^\\s*(?:uri\\s*\\(\\s*\\d{1,4}\\s*\\)|param\\s*\\(\\s*[!-%'-:<>-~]+\\s*\\))\\s*$" : "", DOCS ? "`uri(N)` or `param(name)`" : "").withMinLength(1).isRequired();
export const friendName = optionalStringKey("name", DOCS ? "The short name stored in ids (default: host): letters, digits, \"_\", \".\", \"-\". Unique." : "").withPattern(DOCS ? FRIEND_NAME : "", DOCS ? "letters, digits, `_`, `.`, `-`" : "");
export const friendlySessions = objectsKey("friendly_sessions", DOCS ? "<ClickPathFriendlySessions> / ClickPathFriendlySessionsFile: partner sites whose URL session is captured into a new session's id." : "", [friendHost, friendFields, friendName])
  .withApacheText(DOCS ? "`<ClickPathFriendlySessions>` / `ClickPathFriendlySessionsFile`" : "");

export const machine = optionalStringKey("machine", DOCS ? "ClickPathMachine: the machine part of new ids (letters, digits, \"_\"; may be empty). With machine_table, one of its names. Default: the table row of the local address, else the local IPv4 address." : "")
  .withPattern(DOCS ? "^\\w*$" : "", DOCS ? "letters, digits, `_`; may be empty" : "").withApache(DOCS ? "ClickPathMachine" : "");
export const rowAddress = optionalStringKey("address", DOCS ? "The machine's (the proxy's local) IP address." : "").withMinLength(1).isRequired();
export const rowName = optionalStringKey("name", DOCS ? "Its name (letters, digits, \"_\"); default the 1-based row number. Unique." : "").withPattern(DOCS ? "^\\w+$" : "", DOCS ? "letters, digits, `_`" : "");
export const rowStore = optionalStringKey("store", DOCS ? "Its Apache2::ClickPath::Store address, passed upstream: printable ASCII." : "").withPattern(DOCS ? "^[" + PRINTABLE + "]*$" : "", DOCS ? "printable ASCII" : "");
export const machineTable = objectsKey("machine_table", DOCS ? "<ClickPathMachineTable>: the cluster; ids naming a machine not in the table are invalid." : "", [rowAddress, rowName, rowStore])
  .withApacheText(DOCS ? "`<ClickPathMachineTable>`" : "");

export const secrets = stringsKey("secrets", DOCS ? "Replaces ClickPathSecret (a different scheme: ids are signed with HMAC-SHA256): the first signs, all verify. Each at least 16 bytes of UTF-8." : "")
  .withPattern(DOCS ? "" : "", DOCS ? "at least 16 bytes each" : "")
  .withApacheText(DOCS ? "`ClickPathSecret` (different scheme, see compat.md)" : "");
export const upstreamHeaderPrefix = stringKey("upstream_header_prefix", "x-clickpath-", DOCS ? "Prefix of the request headers carrying ClickPath's environment variables (SESSION, CGI_SESSION, ...) to the upstream." : "")
  .withPattern(DOCS ? "^[0-9A-Za-z_\\-]+$" : "", DOCS ? "letters, digits, `-`, `_`" : "")
  .withApacheText(DOCS ? "(`SetEnv` variables)" : "");
export const stripAcceptEncoding = boolKey("strip_accept_encoding", true, DOCS ? "No Apache directive: remove Accept-Encoding from requests that get a session, so HTML comes back rewritable." : "");
export const maxTagBytes = intKey("max_tag_bytes", 8192, 256, 1 << 20, DOCS ? "No Apache directive (ClickPath carried partial tags without a cap): the most bytes of a partial tag carried between body chunks." : "");
export const referrerPolicy = keywordKey("referrer_policy", "", REFERRER_POLICIES, DOCS ? "No Apache directive: a Referrer-Policy added to rewritten HTML responses that have none. Any letter case. Default: none." : "");

export const SECTION: Key = objectKey("clickpath", DOCS ? "Apache2::ClickPath: cookie-less sessions carried as the first URL path segment (/-S:<id>/...). The section's presence turns it on." : "", [
  enabled, prefix, maxSessionAge, mode, cookie, cleanUrls, uaExceptions, friendlySessions, machine, machineTable,
  secrets, upstreamHeaderPrefix, stripAcceptEncoding, maxTagBytes, referrerPolicy,
]);
