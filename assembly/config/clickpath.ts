import { ObjectReader } from "./reader";
import {
  ClickpathSettings, FriendlySession, FriendlyStatement, MachineRow, SessionCookie, SessionMode, UaException,
} from "../clickpath/settings";
import { isAttributeValue, isCookieName } from "../codecs/cookies";
import { isPathSegmentChar, isPrintable } from "../codecs/ascii";
import { Regex } from "../regex";
import { utf8ByteString } from "../core/bytes";
import { isWordString } from "../clickpath/id";

const REFERRER_POLICIES = [
  "no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "same-origin",
  "strict-origin", "strict-origin-when-cross-origin", "unsafe-url",
];

/** Secrets shorter than this are refused: a signing key must not be guessable. */
const MIN_SECRET_BYTES = 16;

/** Reads the `clickpath` section. */
export function readClickpath(r: ObjectReader): ClickpathSettings {
  const s = new ClickpathSettings();
  s.enabled = r.bool("enabled", true);
  s.prefix = r.string("prefix", s.prefix);
  const prefixProblem = checkPrefix(s.prefix);
  if (prefixProblem != null) r.fail("prefix", prefixProblem);
  s.maxSessionAge = r.int("max_session_age", 0, 0, 0xffffffff);
  s.mode = r.choice("mode", "url", ["url", "cookie_first"]) == "cookie_first" ? SessionMode.CookieFirst : SessionMode.Url;
  if (s.mode == SessionMode.CookieFirst) {
    const c = r.object("cookie");
    if (c != null) s.cookie = readSessionCookie(c);
    s.cleanUrls = r.bool("clean_urls", true);
  } else {
    if (r.has("cookie")) r.fail("cookie", "applies only to mode \"cookie_first\"");
    if (r.has("clean_urls")) r.fail("clean_urls", "applies only to mode \"cookie_first\"");
  }

  const ua = r.objects("ua_exceptions");
  for (let i = 0; i < ua.length; i++) {
    const e = ua[i];
    const name = e.string("name", "");
    if (name.length == 0 || !isPrintable(name)) e.fail("name", "expected a non-empty name of printable ASCII characters");
    const pattern = e.string("pattern", "");
    if (pattern.length == 0) {
      e.fail("pattern", "expected a non-empty regular expression");
    } else {
      const compiled = Regex.compile(utf8ByteString(pattern));
      const regex = compiled.regex;
      if (regex == null) e.fail("pattern", compiled.error);
      else s.uaExceptions.push(new UaException(name, pattern, regex));
    }
    e.rejectUnknownKeys();
  }

  const friends = r.objects("friendly_sessions");
  for (let i = 0; i < friends.length; i++) {
    const f = friends[i];
    const host = f.string("host", "");
    if (host.length == 0 || host.includes("/")) f.fail("host", "expected a host name (with :port when the partner uses one)");
    const fields = f.strings("fields");
    const statements = new Array<FriendlyStatement>();
    for (let j = 0; j < fields.length; j++) {
      const st = parseStatement(fields[j]);
      if (st == null) {
        r.errors.push(f.pathOf("fields") + "[" + j.toString() + "]: expected uri(N) or param(name), got \"" + fields[j] + "\"");
      } else {
        statements.push(st);
      }
    }
    if (fields.length == 0) f.fail("fields", "expected at least one of uri(N) or param(name)");
    const name = f.string("name", host);
    if (name.length == 0 || !isFriendName(name)) f.fail("name", "expected letters, digits, \"_\", \".\" or \"-\"");
    if (s.friendNamed(name) != null) f.fail("name", "\"" + name + "\" is used twice");
    s.friendlySessions.push(new FriendlySession(host, statements, name));
    f.rejectUnknownKeys();
  }

  if (r.has("machine")) {
    const m = r.string("machine", "");
    if (!isWordString(m)) r.fail("machine", "expected letters, digits and \"_\" only (may be empty)");
    s.machine = m;
  }
  const rows = r.objects("machine_table");
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const address = row.string("address", "");
    if (address.length == 0) row.fail("address", "expected the machine's IP address");
    const name = row.string("name", (i + 1).toString());
    if (name.length == 0 || !isWordString(name)) row.fail("name", "expected letters, digits and \"_\" only");
    else if (s.machineNamed(name) != null) row.fail("name", "\"" + name + "\" is used twice");
    const store = row.string("store", "");
    if (!isPrintable(store)) row.fail("store", "expected printable ASCII");
    s.machineTable.push(new MachineRow(address, name, store));
    row.rejectUnknownKeys();
  }
  const machine = s.machine;
  if (machine != null && s.machineTable.length > 0 && s.machineNamed(machine) == null) {
    r.fail("machine", "\"" + machine + "\" is not a name in machine_table: ids it issues would be refused");
  }

  const secrets = r.strings("secrets");
  for (let i = 0; i < secrets.length; i++) {
    const key = Uint8Array.wrap(String.UTF8.encode(secrets[i]));
    if (key.length < MIN_SECRET_BYTES) {
      r.errors.push(r.pathOf("secrets") + "[" + i.toString() + "]: a secret needs at least " + MIN_SECRET_BYTES.toString() + " bytes");
    }
    s.secrets.push(key);
  }

  s.upstreamHeaderPrefix = r.string("upstream_header_prefix", s.upstreamHeaderPrefix).toLowerCase();
  if (s.upstreamHeaderPrefix.length == 0 || !isTokenString(s.upstreamHeaderPrefix)) {
    r.fail("upstream_header_prefix", "expected a non-empty header-name prefix (letters, digits, \"-\", \"_\")");
  }
  s.stripAcceptEncoding = r.bool("strip_accept_encoding", true);
  s.maxTagBytes = <i32>r.int("max_tag_bytes", 8192, 256, 1 << 20);
  s.referrerPolicy = r.choice("referrer_policy", "", REFERRER_POLICIES);
  r.rejectUnknownKeys();
  return s;
}

/** Reads `clickpath.cookie`. */
function readSessionCookie(c: ObjectReader): SessionCookie {
  const out = new SessionCookie();
  out.name = c.string("name", out.name);
  if (!isCookieName(out.name)) c.fail("name", "\"" + out.name + "\" is not a cookie name: use letters, digits and !#$%&'*+-.^_`|~");
  out.path = c.string("path", out.path);
  if (!out.path.startsWith("/") || !isAttributeValue(out.path)) {
    c.fail("path", "expected a path starting with \"/\", visible ASCII without \";\" or \",\"");
  }
  if (c.has("domain")) {
    out.domain = c.string("domain", "");
    if (out.domain.length == 0 || !isAttributeValue(out.domain)) c.fail("domain", "expected a domain name, visible ASCII without \";\" or \",\"");
  }
  const sameSite = c.choice("same_site", "lax", ["lax", "strict", "none"]);
  out.sameSite = sameSite == "strict" ? "Strict" : sameSite == "none" ? "None" : "Lax";
  out.secure = c.bool("secure", true);
  out.httpOnly = c.bool("http_only", true);
  // Browsers drop a SameSite=None cookie that is not Secure (draft-ietf-httpbis-rfc6265bis, the storage model).
  if (out.sameSite == "None" && !out.secure) c.fail("same_site", "\"none\" needs secure true: browsers refuse SameSite=None cookies without Secure");
  c.rejectUnknownKeys();
  return out;
}

function checkPrefix(p: string): string | null {
  if (p.length == 0) return "must not be empty";
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (!isPathSegmentChar(c)) return "\"" + p + "\" has a character that cannot stand unencoded in a URL path segment";
  }
  return null;
}

/** `uri(N)` or `param(name)`, spaces allowed inside and around the parentheses. */
export function parseStatement(text: string): FriendlyStatement | null {
  const t = text.trim();
  const open = t.indexOf("(");
  if (open < 0 || !t.endsWith(")")) return null;
  const kind = t.substring(0, open).trim();
  const arg = t.substring(open + 1, t.length - 1).trim();
  if (arg.length == 0) return null;
  if (kind == "uri") {
    if (arg.length > 4) return null;
    let n: i32 = 0;
    for (let i = 0; i < arg.length; i++) {
      const c = arg.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return null;
      n = n * 10 + (c - 0x30);
    }
    return new FriendlyStatement(n, "");
  }
  if (kind == "param") {
    for (let i = 0; i < arg.length; i++) {
      const c = arg.charCodeAt(i);
      if (c == 0x3d || c == 0x26 || c == 0x3b || c <= 0x20 || c >= 0x7f) return null;
    }
    return new FriendlyStatement(-1, arg);
  }
  return null;
}

function isFriendName(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x2e || c == 0x2d)) return false;
  }
  return true;
}

function isTokenString(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c == 0x2d || c == 0x5f)) return false;
  }
  return true;
}
