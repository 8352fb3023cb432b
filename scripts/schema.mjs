#!/usr/bin/env node
// Generates envoy/clicktrail.schema.json, the JSON Schema of the plugin configuration. The schema is
// written as code because the filter's rules need helpers JSON cannot hold: keywords the filter compares
// case-insensitively (Apache's directives are) become an enum for editors plus an equivalent
// case-insensitive pattern, every key accepts null (the filter's reader treats null as absent), and the
// character classes are spelled once. assembly/config/*.ts stays the authority; the agreement test
// (tests/deploy/validate.test.mjs) feeds both the same configurations, and tests/deploy/schema.test.mjs
// checks that the committed file is what this script prints.
//
//   node scripts/schema.mjs            rewrite envoy/clicktrail.schema.json
//   node scripts/schema.mjs --check    exit 1 when the committed file is stale
import { readFileSync, writeFileSync } from "node:fs";

const SCHEMA_ID = "https://github.com/clicktrail/clicktrail/envoy/clicktrail.schema.json";

// Character classes (inside [...]) the readers use.
/** RFC 9110 tchar: usertrack.cookie_name, usertrack.upstream_header. */
const TCHAR = "!#$%&'*+\\-.^_`|~0-9A-Za-z";
/** tchar without "&": session names (Apache splits session pairs on "&"). */
const TCHAR_NO_AMP = "!#$%'*+\\-.^_`|~0-9A-Za-z";
/** Visible ASCII without ";" and ",": a cookie attribute value. */
const ATTR = "!-+\\--:<-~";
/** Printable ASCII including space. */
const PRINTABLE = " -~";
/** C isspace, as Apache splits CookieExpires words. */
const WS = "[ \\t\\n\\v\\f\\r]";
const NWS = "[^ \\t\\n\\v\\f\\r]";

/** A regex source matching `word` in any letter case. */
function ci(word) {
  let out = "";
  for (const ch of word) {
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    out += lo !== up ? `[${lo}${up}]` : ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return out;
}

/** A keyword compared case-insensitively: the enum is what editors offer, the pattern is the rule. */
function keyword(values, extra = {}) {
  return {
    ...extra,
    type: ["string", "null"],
    anyOf: [{ enum: values }, { type: "string", pattern: `^(?:${values.map(ci).join("|")})$` }, { type: "null" }],
  };
}

function nullable(schema) {
  const t = schema.type;
  return { ...schema, type: Array.isArray(t) ? [...t, "null"] : [t, "null"] };
}

const bool = (description, dflt) => ({ description, type: ["boolean", "null"], default: dflt });
const int = (description, dflt, minimum, maximum) => ({ description, type: ["integer", "null"], default: dflt, minimum, maximum });
const obj = (description, properties, extra = {}) => ({
  description, type: ["object", "null"], additionalProperties: false, properties, ...extra,
});
const strings = (description, items = { type: "string" }, extra = {}) => ({
  description, type: ["array", "null"], items, default: [], ...extra,
});
const objects = (description, properties, required, extra = {}) => ({
  description, type: ["array", "null"], default: [],
  items: { type: "object", additionalProperties: false, properties, required },
  ...extra,
});

// CookieExpires as mod_usertrack reads it (assembly/codecs/duration.ts parseApacheDuration): a value whose
// first and last characters are digits is its leading number; otherwise an optional word starting with
// "p" ("plus"), then pairs of a word starting with a digit and a unit word (y, mo, w, d, h, mi, s).
const UNIT = "(?:[yYwWdDhHsS]|[mM][oOiI])";
const APACHE_DURATION =
  `\\d(?:[\\s\\S]*\\d)?|${WS}*(?:[pP]${NWS}*(?:${WS}+|$))?(?:\\d${NWS}*${WS}+${UNIT}${NWS}*(?:${WS}+|$))*`;
// nginx's time syntax (parseNginxTime): units y M w d h m s in decreasing order, a trailing bare
// number, one space-separated bare number before it, at least one digit, no "ms".
const NGINX_TIME =
  "(?=[^]*\\d)(?:\\d*y *)?(?:\\d*M *)?(?:\\d*w *)?(?:\\d*d *)?(?:\\d*h *)?(?:\\d*m(?!s) *)?(?:\\d*s *\\d*|(?:\\d* +)?\\d*)";

const RESERVED_UPSTREAM = ["cookie", "host", "content-length", "transfer-encoding", "connection", "te", "upgrade"];

const usertrack = obj(
  "Apache mod_usertrack (or nginx ngx_http_userid_module with format \"nginx\"): a tracking cookie set on a visitor's first request. The section's presence turns it on.",
  {
    enabled: bool("CookieTracking on|off (nginx: userid on|off). A present section is on unless this is false.", true),
    format: keyword(["apache", "nginx"], {
      description: "Id and Set-Cookie layout: \"apache\" (mod_usertrack 2.4) or \"nginx\" (ngx_http_userid_module). Any letter case.",
      default: "apache",
    }),
    cookie_name: {
      description: "CookieName (nginx: userid_name). An RFC 9110 token. Default \"Apache\", or \"uid\" with format nginx.",
      type: ["string", "null"], pattern: `^[${TCHAR}]+$`, default: "Apache",
    },
    domain: {
      description: "CookieDomain (nginx: userid_domain). Format apache: must begin with a dot and contain another dot. Format nginx: any name, \"none\" for no attribute. Default: no Domain attribute.",
      type: ["string", "null"],
    },
    expires: {
      description: "CookieExpires (nginx: userid_expires). Seconds, or a duration string parsed as Apache does (\"2 weeks 3 days\", \"plus 1 month\"); format nginx also takes nginx time (\"365d\", \"12h 30m\"), \"max\" and \"off\". At most 2147483647 seconds. Default: none (a browser-session cookie).",
      type: ["integer", "string", "null"], minimum: 0, maximum: 2147483647,
    },
    style: keyword(["netscape", "cookie", "cookie2", "rfc2109", "rfc2965"], {
      description: "CookieStyle Netscape|Cookie|Cookie2|RFC2109|RFC2965 (any case). Format apache only.",
      default: "netscape",
    }),
    same_site: keyword(["lax", "strict", "none"], {
      description: "CookieSameSite Lax|Strict|None (any case; nginx: userid_flags samesite=...). Default: no SameSite attribute.",
    }),
    secure: bool("CookieSecure on|off (nginx: userid_flags secure).", false),
    http_only: bool("CookieHTTPOnly on|off (nginx: userid_flags httponly).", false),
    upstream_header: {
      description: "Request header carrying the id to the upstream (in place of the request note %{cookie}n; nginx: $uid_got/$uid_set). Any client-sent header of that name is removed. Not cookie, host, content-length, transfer-encoding, connection, te or upgrade. Default: none.",
      type: ["string", "null"], pattern: `^[${TCHAR}]+$`,
      not: { type: "string", pattern: `^(?:${RESERVED_UPSTREAM.map(ci).join("|")})$` },
    },
    nginx_version: int("userid v1 (1) or userid on (2). Format nginx only.", 2, 1, 2),
    nginx_service: int("userid_service: the first word of the id. Default: version 2 the connection's local IPv4 address, version 1 zero. Format nginx only.", undefined, 0, 4294967295),
    nginx_mark: {
      description: "userid_mark: \"off\" or one letter, digit or \"=\". Format nginx only.",
      type: ["string", "null"], pattern: "^(?:off|[0-9A-Za-z=])$", default: "off",
    },
    nginx_path: {
      description: "userid_path (mod_usertrack always writes path=/). Format nginx only.",
      type: ["string", "null"], pattern: `^[${ATTR}]+$`, default: "/",
    },
    nginx_p3p: {
      description: "userid_p3p: a P3P header sent with each new cookie; \"none\" for none. Format nginx only.",
      type: ["string", "null"], pattern: "^[^\\u0000-\\u0008\\u000a-\\u001f\\u007f]*$",
    },
  },
);
// Rules that depend on the format.
const NGINX_ONLY = ["nginx_version", "nginx_service", "nginx_mark", "nginx_path", "nginx_p3p"];
const isNginx = { properties: { format: { type: "string", pattern: `^${ci("nginx")}$` } }, required: ["format"] };
usertrack.allOf = [
  {
    if: isNginx,
    then: {
      properties: {
        domain: { description: "must be a domain name of visible ASCII without ';' or ',' (or \"none\")", anyOf: [{ type: "null" }, { type: "string", pattern: `^[${ATTR}]+$` }] },
        expires: {
          description: "must be seconds, nginx time (\"365d\", \"12h 30m\"), an Apache duration (\"2 weeks\"), \"max\" or \"off\"",
          anyOf: [
            { type: ["integer", "null"] },
            { type: "string", pattern: `^(?:max|off|${NGINX_TIME}|${APACHE_DURATION})$` },
          ],
        },
        style: { description: "applies only to format \"apache\" (nginx has one Set-Cookie layout)", anyOf: [{ type: "null" }, { type: "string", pattern: `^${ci("netscape")}$` }] },
      },
    },
    else: {
      properties: {
        domain: {
          description: "CookieDomain values must begin with a dot and contain at least one embedded dot (visible ASCII without ';' or ',')",
          anyOf: [{ type: "null" }, { type: "string", pattern: `^\\.[${ATTR}]*\\.[${ATTR}]*$` }],
        },
        expires: {
          description: "must be seconds or an Apache duration such as \"2 weeks 3 days\" (bad expires code)",
          anyOf: [{ type: ["integer", "null"] }, { type: "string", pattern: `^(?:${APACHE_DURATION})$` }],
        },
        ...Object.fromEntries(NGINX_ONLY.map((k) => [k, { description: "applies only to format \"nginx\"", type: "null" }])),
      },
    },
  },
];

const PREFIX_CHARS = "0-9A-Za-z\\-._~!$&'()*+,;=:@";
const REFERRER_POLICIES = [
  "no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "same-origin",
  "strict-origin", "strict-origin-when-cross-origin", "unsafe-url",
];
const FRIEND_NAME = "^[0-9A-Za-z_.\\-]+$";

const clickpath = obj(
  "Apache2::ClickPath: cookie-less sessions carried as the first URL path segment (/-S:<id>/...). The section's presence turns it on.",
  {
    enabled: bool("Loading ClickPath's handlers (PerlTransHandler/PerlOutputFilterHandler). A present section is on unless this is false.", true),
    prefix: {
      description: "ClickPathSessionPrefix: written after the leading \"/\". Case-sensitive; only characters that stand unencoded in a path segment.",
      type: ["string", "null"], pattern: `^[${PREFIX_CHARS}]+$`, default: "-S:",
    },
    max_session_age: int("ClickPathMaxSessionAge: seconds after which a session is replaced; 0 = no limit.", 0, 0, 4294967295),
    mode: keyword(["url", "cookie_first"], {
      description: "No Apache directive: \"url\" (Apache2::ClickPath: the id in every URL) or \"cookie_first\" (the id in a cookie once the browser keeps it; URLs rewritten only until then). Any letter case.",
      default: "url",
    }),
    cookie: obj(
      "Mode cookie_first: the cookie carrying the id. Its Max-Age is the id's remaining lifetime under max_session_age (none when 0).",
      {
        name: { description: "The cookie's name: an RFC 9110 token.", type: ["string", "null"], pattern: `^[${TCHAR}]+$`, default: "clickpath" },
        path: { description: "The Path attribute: starts with \"/\", visible ASCII without ';' or ','.", type: ["string", "null"], pattern: `^/[${ATTR}]*$`, default: "/" },
        domain: { description: "The Domain attribute (visible ASCII without ';' or ','). Default: none (a host-only cookie).", type: ["string", "null"], pattern: `^[${ATTR}]+$` },
        same_site: keyword(["lax", "strict", "none"], { description: "The SameSite attribute. Any letter case; \"none\" needs secure.", default: "lax" }),
        secure: bool("The Secure attribute.", true),
        http_only: bool("The HttpOnly attribute.", true),
      },
    ),
    clean_urls: bool("Mode cookie_first: a GET or HEAD whose cookie holds a valid id and whose URL carries a session segment is redirected (307) to the URL without it.", true),
    ua_exceptions: objects(
      "<ClickPathUAExceptions> / ClickPathUAExceptionsFile: ordered crawler list; the first pattern matching the User-Agent wins and no session is made.",
      {
        name: { description: "The line's name (SESSION for the crawler): printable ASCII.", type: "string", pattern: `^[${PRINTABLE}]+$` },
        pattern: { description: "A Perl-syntax regular expression matched, unanchored, against the User-Agent.", type: "string", minLength: 1 },
      },
      ["name", "pattern"],
    ),
    friendly_sessions: {
      ...objects(
        "<ClickPathFriendlySessions> / ClickPathFriendlySessionsFile: partner sites whose URL session is captured into a new session's id.",
        {
          host: { description: "The Referer's host, with :port when the partner uses one.", type: "string", pattern: "^[^/]+$" },
          fields: {
            description: "Statements uri(N) (N-th path segment, 0 to 9999) or param(name) (name=value from the query).",
            type: "array", minItems: 1,
            items: {
              type: "string",
              pattern: "^\\s*(?:uri\\s*\\(\\s*\\d{1,4}\\s*\\)|param\\s*\\(\\s*[!-%'-:<>-~]+\\s*\\))\\s*$",
            },
          },
          name: { description: "The short name stored in ids (default: host): letters, digits, \"_\", \".\", \"-\". Unique.", type: ["string", "null"], pattern: FRIEND_NAME },
        },
        ["host", "fields"],
      ),
    },
    machine: {
      description: "ClickPathMachine: the machine part of new ids (letters, digits, \"_\"; may be empty). With machine_table, one of its names. Default: the table row of the local address, else the local IPv4 address.",
      type: ["string", "null"], pattern: "^\\w*$",
    },
    machine_table: objects(
      "<ClickPathMachineTable>: the cluster; ids naming a machine not in the table are invalid.",
      {
        address: { description: "The machine's (the proxy's local) IP address.", type: "string", minLength: 1 },
        name: { description: "Its name (letters, digits, \"_\"); default the 1-based row number. Unique.", type: ["string", "null"], pattern: "^\\w+$" },
        store: { description: "Its Apache2::ClickPath::Store address, passed upstream: printable ASCII.", type: ["string", "null"], pattern: `^[${PRINTABLE}]*$` },
      },
      ["address"],
    ),
    secrets: strings(
      "Replaces ClickPathSecret (a different scheme: ids are signed with HMAC-SHA256): the first signs, all verify. Each at least 16 bytes of UTF-8.",
      { description: "a secret needs at least 16 bytes", type: "string", anyOf: [{ minLength: 16 }, { minLength: 4, pattern: "[^\\u0000-\\u007f]" }] },
    ),
    upstream_header_prefix: {
      description: "Prefix of the request headers carrying ClickPath's environment variables (SESSION, CGI_SESSION, ...) to the upstream.",
      type: ["string", "null"], pattern: "^[0-9A-Za-z_\\-]+$", default: "x-clickpath-",
    },
    strip_accept_encoding: bool("No Apache directive: remove Accept-Encoding from requests that get a session, so HTML comes back rewritable.", true),
    max_tag_bytes: int("No Apache directive (ClickPath carried partial tags without a cap): the most bytes of a partial tag carried between body chunks.", 8192, 256, 1048576),
    referrer_policy: keyword(REFERRER_POLICIES, {
      description: "No Apache directive: a Referrer-Policy added to rewritten HTML responses that have none. Any letter case. Default: none.",
    }),
  },
);
// A friend's name defaults to its host, which must then be a valid name itself.
clickpath.properties.friendly_sessions.items.allOf = [
  { if: { properties: { name: { type: "string" } }, required: ["name"] }, else: { properties: { host: { description: "without a name the host is the name, so it must consist of letters, digits, \"_\", \".\", \"-\"", type: "string", pattern: FRIEND_NAME } } } },
];
// cookie and clean_urls belong to mode cookie_first; SameSite=None needs Secure.
clickpath.allOf = [
  {
    if: { properties: { mode: { type: "string", pattern: `^${ci("cookie_first")}$` } }, required: ["mode"] },
    else: {
      properties: {
        cookie: { description: "applies only to mode \"cookie_first\"", type: "null" },
        clean_urls: { description: "applies only to mode \"cookie_first\"", type: "null" },
      },
    },
  },
];
clickpath.properties.cookie.allOf = [
  {
    if: { properties: { same_site: { type: "string", pattern: `^${ci("none")}$` } }, required: ["same_site"] },
    then: { properties: { secure: { description: "\"none\" needs secure true: browsers refuse SameSite=None cookies without Secure", enum: [true, null] } } },
  },
];


const shared = obj(
  "In place of mod_session_dbd: the session store in proxy-wasm shared data (store \"shared\"). Istio sets no vm_id, so every plugin of a proxy shares one key space: each plugin's keys start with its own prefix.",
  {
    key_prefix: { description: "Prefix of every shared-data key: 1 to 128 printable ASCII characters without spaces. Unset: the plugin's name urlencoded and \"/\" (\"clicktrail/\" for envoy/envoy.yaml, \"default.clicktrail/\" for the WasmPlugin clicktrail in namespace default), \"clicktrail/\" when the host names none.", type: ["string", "null"], pattern: "^[!-~]{1,128}$" },
    capacity: int("Most sessions stored (slots).", 10000, 1, 16777216),
    grace_seconds: int("Seconds an old token still opens a session after it rotated.", 10, 0, 3600),
    idle_timeout_seconds: int("Seconds after which an untouched session is reclaimed.", 3600, 2, 31622400),
    sweep_slots_per_tick: int("Slots examined per sweep tick.", 128, 1, 65536),
    sweep_period_millis: int("Milliseconds between sweep ticks.", 1000, 10, 3600000),
    when_full: keyword(["refuse", "evict_oldest"], { description: "What a new session does when every slot is taken. Any letter case.", default: "refuse" }),
    probes: int("Slots probed to place a new session.", 8, 1, 64),
    cas_retries: int("Compare-and-swap retries before a save gives up.", 8, 0, 64),
    max_value_bytes: int("Largest stored session in bytes.", 8192, 16, 1048576),
  },
);

const etcd = obj(
  "The session store in an etcd v3 cluster reached by HTTP callouts (store \"etcd\"): one store for a fleet of proxies. Required with store \"etcd\", refused otherwise. Not available under NGINX (no callouts from the response phase).",
  {
    cluster: { description: "The Envoy cluster of the etcd members (the callouts' target). Required.", type: "string", pattern: "^[!-~]{1,255}$" },
    key_prefix: { description: "Prefix of every etcd key: 1 to 128 printable ASCII characters without spaces.", type: ["string", "null"], pattern: "^[!-~]{1,128}$", default: "clicktrail/session/" },
    timeout_ms: int("Each callout's timeout in milliseconds.", 500, 10, 60000),
    cas_retries: int("Txn retries after another proxy changed the session between read and write.", 4, 0, 32),
    on_unavailable: keyword(["refuse", "empty"], { description: "When the store cannot be asked on load: \"refuse\" answers 503 with Retry-After; \"empty\" goes on with an empty session that is never saved. Any letter case.", default: "refuse" }),
    grace_seconds: int("Seconds the key of a session before its last change still opens it.", 10, 0, 3600),
    idle_timeout_seconds: int("Lifetime in seconds, from its last save, of a session without max_age.", 3600, 2, 31622400),
    max_value_bytes: int("Largest stored session in bytes.", 8192, 16, 1048576),
  },
  { required: ["cluster"] },
);

const crypto = obj(
  "mod_session_crypto: encrypts the session. Requires passphrases.",
  {
    passphrases: strings(
      "SessionCryptoPassphrase secret [secret ...]: the first encrypts, all decrypt (rotation). Required, never generated.",
      { type: "string", minLength: 1 }, { minItems: 1 },
    ),
    format: keyword(["aead", "apache"], {
      description: "\"aead\" (XChaCha20-Poly1305) or \"apache\" (mod_session_crypto's exact cookie, Apache 2.4.25+). Any letter case.",
      default: "aead",
    }),
    cipher: keyword(["xchacha20-poly1305", "chacha20-poly1305", "aes256", "aes192", "aes128"], {
      description: "SessionCryptoCipher. Format aead: xchacha20-poly1305 (default) or chacha20-poly1305; format apache: aes256 (default), aes192 or aes128. Any letter case.",
    }),
  },
  {
    required: ["passphrases"],
    allOf: [
      {
        if: { properties: { format: { type: "string", pattern: `^${ci("apache")}$` } }, required: ["format"] },
        then: { properties: { cipher: keyword(["aes256", "aes192", "aes128"]) } },
        else: { properties: { cipher: keyword(["xchacha20-poly1305", "chacha20-poly1305"]) } },
      },
    ],
  },
);
// passphrases must be present and not null.
crypto.properties.passphrases.type = "array";
delete crypto.properties.passphrases.default;

const session = obj(
  "Apache mod_session with mod_session_cookie and mod_session_crypto (and, with store \"shared\", a server-side store in place of mod_session_dbd). The section's presence turns it on.",
  {
    enabled: bool("Session On|Off. A present section is on unless this is false.", true),
    cookie_name: {
      description: "SessionCookieName (first word): the session cookie's name. A token without \"&\".",
      type: ["string", "null"], pattern: `^[${TCHAR_NO_AMP}]+$`, default: "session",
    },
    cookie_attributes: {
      description: "SessionCookieName (the words after the name): cookie attributes copied verbatim. Default: Apache's HttpOnly;Secure;Version=1.",
      type: ["string", "null"], pattern: `^[${PRINTABLE}]*$`,
    },
    cookie_remove: bool("SessionCookieRemove on|off: cut the session cookie out of the request before the upstream sees it.", false),
    max_age: int("SessionMaxAge: seconds; each save moves the expiry to now + max_age. 0 = no expiry.", 0, 0, 2147483647),
    expiry_update_interval: int("SessionExpiryUpdateInterval: seconds an unchanged session's expiry may move before it is rewritten.", 0, 0, 2147483647),
    absolute_max_age: int("No Apache directive: a hard limit in seconds from the session's creation that renewal cannot extend. 0 = none.", 0, 0, 2147483647),
    include: strings("SessionInclude (repeatable): path prefixes where the session is active. Empty: everywhere."),
    exclude: strings("SessionExclude (repeatable): path prefixes where it is not; wins over include."),
    upstream_header: {
      description: "SessionEnv On: the request header carrying the decoded session to the upstream (Apache's HTTP_SESSION). A client-sent header of that name is always removed. \"\" or absent: off.",
      type: ["string", "null"], pattern: `^[${TCHAR_NO_AMP}]*$`,
    },
    response_header: {
      description: "SessionHeader: the response header whose urlencoded pairs are merged into the session, then removed. \"\" or absent: off.",
      type: ["string", "null"], pattern: `^[${TCHAR_NO_AMP}]*$`,
    },
    max_chunks: int("No Apache directive: the most cookies one session may span (4096 bytes each).", 9, 1, 16),
    store: keyword(["cookie", "shared", "etcd"], {
      description: "Where the session lives: \"cookie\" (mod_session_cookie), \"shared\" (proxy-wasm shared data, in place of mod_session_dbd's SessionDBD* directives) or \"etcd\" (an etcd cluster shared by every proxy, configured under etcd). Any letter case.",
      default: "cookie",
    }),
    shared,
    etcd,
    crypto,
  },
);

export function buildSchema() {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: SCHEMA_ID,
    title: "clicktrail plugin configuration",
    description: "The configuration of the clicktrail proxy-wasm filter (Envoy StringValue, Istio pluginConfig, ngx_wasm_module proxy_wasm argument). Three optional sections; a present section turns its feature on. A null value means the same as leaving the key out. Generated by scripts/schema.mjs; the filter's own checks (npx clicktrail validate) are the authority.",
    type: "object",
    additionalProperties: false,
    properties: { usertrack, clickpath, session },
  };
}

export function schemaText() {
  return JSON.stringify(buildSchema(), null, 2) + "\n";
}

const target = new URL("../envoy/clicktrail.schema.json", import.meta.url);
if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes("--check")) {
    let current = "";
    try { current = readFileSync(target, "utf8"); } catch { /* missing: stale */ }
    if (current !== schemaText()) {
      console.error("envoy/clicktrail.schema.json is stale: run node scripts/schema.mjs");
      process.exit(1);
    }
  } else {
    writeFileSync(target, schemaText());
  }
}
