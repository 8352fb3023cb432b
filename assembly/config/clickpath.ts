// Each key's name, default and range come from its row in keys/clickpath.ts.
import { ObjectReader } from "./reader";
import * as K from "./keys/clickpath";
import {
  ClickpathSettings, FriendlySession, FriendlyStatement, MachineRow, SessionCookie, SessionMode, UaException,
} from "../clickpath/settings";
import { isAttributeValue, isCookieName } from "../codecs/cookies";
import { isPathSegmentChar, isPrintable } from "../codecs/ascii";
import { Regex } from "../regex";
import { utf8ByteString } from "../core/bytes";
import { isWordString } from "../clickpath/id";

/** Reads the `clickpath` section. */
export function readClickpath(r: ObjectReader): ClickpathSettings {
  const s = new ClickpathSettings();
  s.enabled = r.boolKey(K.enabled);
  s.prefix = r.stringKey(K.prefix);
  const prefixProblem = checkPrefix(s.prefix);
  if (prefixProblem != null) r.fail(K.prefix.name, prefixProblem);
  s.maxSessionAge = r.intKey(K.maxSessionAge);
  s.mode = r.keywordKey(K.mode) == "cookie_first" ? SessionMode.CookieFirst : SessionMode.Url;
  if (s.mode == SessionMode.CookieFirst) {
    const c = r.object(K.cookie.name);
    if (c != null) s.cookie = readSessionCookie(c);
    s.cleanUrls = r.boolKey(K.cleanUrls);
  } else {
    if (r.has(K.cookie.name)) r.fail(K.cookie.name, "applies only to mode \"cookie_first\"");
    if (r.has(K.cleanUrls.name)) r.fail(K.cleanUrls.name, "applies only to mode \"cookie_first\"");
  }

  const ua = r.objects(K.uaExceptions.name);
  for (let i = 0; i < ua.length; i++) {
    const e = ua[i];
    const name = e.stringKey(K.uaName);
    if (name.length == 0 || !isPrintable(name)) e.fail(K.uaName.name, "expected a non-empty name of printable ASCII characters");
    const pattern = e.stringKey(K.uaPattern);
    if (pattern.length == 0) {
      e.fail(K.uaPattern.name, "expected a non-empty regular expression");
    } else {
      const compiled = Regex.compile(utf8ByteString(pattern));
      const regex = compiled.regex;
      if (regex == null) e.fail(K.uaPattern.name, compiled.error);
      else s.uaExceptions.push(new UaException(name, pattern, regex));
    }
    e.rejectUnknownKeys();
  }

  const friends = r.objects(K.friendlySessions.name);
  for (let i = 0; i < friends.length; i++) {
    const f = friends[i];
    const host = f.stringKey(K.friendHost);
    if (host.length == 0 || host.includes("/")) f.fail(K.friendHost.name, "expected a host name (with :port when the partner uses one)");
    const fields = f.strings(K.friendFields.name);
    const statements = new Array<FriendlyStatement>();
    for (let j = 0; j < fields.length; j++) {
      const st = parseStatement(fields[j]);
      if (st == null) {
        r.errors.push(f.pathOf(K.friendFields.name) + "[" + j.toString() + "]: expected uri(N) or param(name), got \"" + fields[j] + "\"");
      } else {
        statements.push(st);
      }
    }
    if (fields.length == 0) f.fail(K.friendFields.name, "expected at least one of uri(N) or param(name)");
    const name = f.string(K.friendName.name, host);
    if (name.length == 0 || !isFriendName(name)) f.fail(K.friendName.name, "expected letters, digits, \"_\", \".\" or \"-\"");
    if (s.friendNamed(name) != null) f.fail(K.friendName.name, "\"" + name + "\" is used twice");
    s.friendlySessions.push(new FriendlySession(host, statements, name));
    f.rejectUnknownKeys();
  }

  if (r.has(K.machine.name)) {
    const m = r.stringKey(K.machine);
    if (!isWordString(m)) r.fail(K.machine.name, "expected letters, digits and \"_\" only (may be empty)");
    s.machine = m;
  }
  const rows = r.objects(K.machineTable.name);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const address = row.stringKey(K.rowAddress);
    if (address.length == 0) row.fail(K.rowAddress.name, "expected the machine's IP address");
    const name = row.string(K.rowName.name, (i + 1).toString());
    if (name.length == 0 || !isWordString(name)) row.fail(K.rowName.name, "expected letters, digits and \"_\" only");
    else if (s.machineNamed(name) != null) row.fail(K.rowName.name, "\"" + name + "\" is used twice");
    const store = row.stringKey(K.rowStore);
    if (!isPrintable(store)) row.fail(K.rowStore.name, "expected printable ASCII");
    s.machineTable.push(new MachineRow(address, name, store));
    row.rejectUnknownKeys();
  }
  const machine = s.machine;
  if (machine != null && s.machineTable.length > 0 && s.machineNamed(machine) == null) {
    r.fail(K.machine.name, "\"" + machine + "\" is not a name in machine_table: ids it issues would be refused");
  }

  const secrets = r.strings(K.secrets.name);
  for (let i = 0; i < secrets.length; i++) {
    const key = Uint8Array.wrap(String.UTF8.encode(secrets[i]));
    if (key.length < K.MIN_SECRET_BYTES) {
      r.errors.push(r.pathOf(K.secrets.name) + "[" + i.toString() + "]: a secret needs at least " + K.MIN_SECRET_BYTES.toString() + " bytes");
    }
    s.secrets.push(key);
  }

  s.upstreamHeaderPrefix = r.stringKey(K.upstreamHeaderPrefix).toLowerCase();
  if (s.upstreamHeaderPrefix.length == 0 || !isTokenString(s.upstreamHeaderPrefix)) {
    r.fail(K.upstreamHeaderPrefix.name, "expected a non-empty header-name prefix (letters, digits, \"-\", \"_\")");
  }
  s.stripAcceptEncoding = r.boolKey(K.stripAcceptEncoding);
  s.maxTagBytes = <i32>r.intKey(K.maxTagBytes);
  s.referrerPolicy = r.keywordKey(K.referrerPolicy);
  r.rejectUnknownKeys();
  return s;
}

/** Reads `clickpath.cookie`. */
function readSessionCookie(c: ObjectReader): SessionCookie {
  const out = new SessionCookie();
  out.name = c.stringKey(K.cookieName);
  if (!isCookieName(out.name)) c.fail(K.cookieName.name, "\"" + out.name + "\" is not a cookie name: use letters, digits and !#$%&'*+-.^_`|~");
  out.path = c.stringKey(K.cookiePath);
  if (!out.path.startsWith("/") || !isAttributeValue(out.path)) {
    c.fail(K.cookiePath.name, "expected a path starting with \"/\", visible ASCII without \";\" or \",\"");
  }
  if (c.has(K.cookieDomain.name)) {
    out.domain = c.stringKey(K.cookieDomain);
    if (out.domain.length == 0 || !isAttributeValue(out.domain)) c.fail(K.cookieDomain.name, "expected a domain name, visible ASCII without \";\" or \",\"");
  }
  const sameSite = c.keywordKey(K.cookieSameSite);
  out.sameSite = sameSite == "strict" ? "Strict" : sameSite == "none" ? "None" : "Lax";
  out.secure = c.boolKey(K.cookieSecure);
  out.httpOnly = c.boolKey(K.cookieHttpOnly);
  // Browsers drop a SameSite=None cookie that is not Secure (draft-ietf-httpbis-rfc6265bis, the storage model).
  if (out.sameSite == "None" && !out.secure) c.fail(K.cookieSameSite.name, "\"none\" needs secure true: browsers refuse SameSite=None cookies without Secure");
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
