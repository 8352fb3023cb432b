// Apache httpd configuration → clicktrail configuration, for the directives of mod_usertrack,
// Apache2::ClickPath and the mod_session family (as the httpd 2.4 manual and ClickPath's POD document them). Pure:
// text in, a config object and line-numbered diagnostics out; files named by *File directives are read
// through a callback. Values are copied as Apache received them and judged afterwards by the filter itself
// (see cli/commands/convert-apache.ts), so a converted configuration means what the filter says it means;
// this module checks only what the filter cannot see (argument counts, on/off, numbers, container syntax).
//
// Reading follows httpd's own config reader: a line ending in "\" continues on the next one; a line whose
// first non-blank character is "#" is a comment; arguments are split as ap_getword_conf does (blanks
// separate words, "..." or '...' quote them, a backslash before the quote character escapes it).
// Directives of other modules are skipped with a note; an unknown directive whose name belongs to one of
// the three families (Cookie*, ClickPath*, Session*) is an error, since it is most likely a misspelling.

import { getwordsConf } from "./words.js";
import { USERTRACK_DIRECTIVES } from "./usertrack.js";
import { APACHE_KEYS, type ApacheKey } from "./config-keys.js";

export interface Diagnostic {
  line: number;
  message: string;
}

export interface ConversionResult {
  config: Record<string, Record<string, unknown>>;
  errors: Diagnostic[];
  warnings: Diagnostic[];
  /** Skipped directives of other modules. */
  notes: Diagnostic[];
  /** JSON path (`usertrack.domain`, `clickpath.ua_exceptions[2]`) → the line it came from. */
  lines: Map<string, number>;
}

export interface ConvertOptions {
  /** Reads a file named by ClickPathUAExceptionsFile, ClickPathFriendlySessionsFile or SessionCryptoPassphraseFile; null when unreadable. */
  readFile?: (path: string) => string | null;
  /** The request header SessionEnv On becomes (the backend's HTTP_SESSION). */
  sessionEnvHeader?: string;
}

interface LogicalLine {
  line: number;
  text: string;
}

/** Physical lines joined at trailing backslashes, each tagged with the line it starts on. */
export function logicalLines(text: string): LogicalLine[] {
  const physical = text.split(/\r?\n/);
  const out: LogicalLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    const start = i + 1;
    let acc = physical[i].replace(/[ \t\r\f\v]+$/, "");
    while (acc.endsWith("\\") && i + 1 < physical.length) {
      acc = acc.slice(0, -1) + physical[++i].replace(/[ \t\r\f\v]+$/, "");
    }
    out.push({ line: start, text: acc.trim() });
  }
  return out;
}

/** Splits arguments as httpd's ap_getword_conf does (words.ts). */
export const splitWords = getwordsConf;

type Family = "usertrack" | "clickpath" | "session";

const CLICKPATH_CONTAINERS = ["ClickPathMachineTable", "ClickPathUAExceptions", "ClickPathFriendlySessions"];
// Containers whose contents apply only under a condition that holds on a working server: entered as if absent.
const CONDITIONAL = ["IfModule", "IfDefine", "IfVersion", "IfFile", "IfDirective", "IfSection"];
/** How a container scopes what it holds: read through, one virtual host (converted with a warning), or a
 *  narrower scope (a path, a method, an expression) that one filter configuration cannot express. */
type ScopeKind = "conditional" | "vhost" | "scope";

/** httpd's "takes one argument, ..." help texts (mod_session's own; ClickPath's in the same style). */
const HELP: Record<string, string> = {
  ClickPathSessionPrefix: "the session prefix",
  ClickPathMaxSessionAge: "the maximum session age in seconds",
  ClickPathUAExceptionsFile: "a file of UA exceptions",
  ClickPathFriendlySessionsFile: "a file of friendly sessions",
  SessionMaxAge: "the maximum age in seconds for the session",
  SessionExpiryUpdateInterval: "time interval in seconds after which a session expiry is updated",
  SessionHeader: "the name of the header to use for the session",
  SessionInclude: "URL prefixes to include in the session",
  SessionExclude: "URL prefixes to exclude from the session",
  SessionCryptoPassphraseFile: "file containing passphrases used to encrypt the session",
  SessionCryptoCipher: "the name of the cipher to use",
};

/** One directive as the converter met it. */
interface Call {
  /** The directive's canonical spelling (the table's). */
  directive: string;
  /** As written in the file. */
  name: string;
  /** The text after the name, verbatim. */
  rest: string;
  args: string[];
  line: number;
}

/** Everything a conversion collects; directive handlers write into it, convertApache assembles the result. */
class Conversion {
  errors: Diagnostic[] = [];
  warnings: Diagnostic[] = [];
  notes: Diagnostic[] = [];
  lines = new Map<string, number>();
  sections: Record<Family, Record<string, unknown>> = { usertrack: {}, clickpath: {}, session: {} };
  crypto: Record<string, unknown> = {};
  /** The values of list keys (session.include, ...), by JSON path. */
  lists = new Map<string, string[]>();
  seen: Record<Family, number> = { usertrack: 0, clickpath: 0, session: 0 };
  cookieTracking: boolean | null = null;
  sessionOn: boolean | null = null;
  prefixLine = 0;
  cookieName2: { line: number; name: string; attrs: string } | null = null;
  cookieNameLine = 0;
  dbdUsed = 0;
  dbdCookieRemove: boolean | null = null;
  passphraseLine = 0;
  passphrases: string[] = [];
  uaExceptions: Array<{ name: string; pattern: string }> = [];
  friends: Array<{ host: string; fields: string[]; name?: string }> = [];
  machines: Array<{ address: string; name: string; store?: string }> = [];
  scopes: Array<{ name: string; line: number; tag: string; kind: ScopeKind; warned: boolean }> = [];

  constructor(public opts: ConvertOptions) {}

  err(line: number, message: string): void { this.errors.push({ line, message }); }
  warn(line: number, message: string): void { this.warnings.push({ line, message }); }

  /** Sets the key at `path` (`section.key`) and records the line it came from. */
  set(path: string, value: unknown, line: number): void {
    const dot = path.indexOf(".");
    this.sections[path.slice(0, dot) as Family][path.slice(dot + 1)] = value;
    this.lines.set(path, line);
  }

  /** Null when a directive may be converted here; otherwise the error for it. Warns once per virtual host. */
  scopeProblem(name: string): string | null {
    const narrow = this.scopes.find((sc) => sc.kind === "scope");
    if (narrow) {
      return `${name} inside ${narrow.tag}: clicktrail has one configuration per filter; put per-route settings in Envoy's per-route configuration (docs/compat.md)`;
    }
    for (const sc of this.scopes) {
      if (sc.kind === "vhost" && !sc.warned) {
        sc.warned = true;
        this.warn(sc.line, `${sc.tag}: converted as the one configuration of its listener; give each virtual host its own filter configuration`);
      }
    }
    return null;
  }

  onOff(d: Call): boolean | null {
    if (d.args.length !== 1 || !/^(on|off)$/i.test(d.args[0])) {
      this.err(d.line, `${d.directive} must be On or Off`);
      return null;
    }
    return d.args[0].toLowerCase() === "on";
  }

  one(d: Call): string | null {
    if (d.args.length !== 1 || d.args[0] === "") {
      this.err(d.line, `${d.directive} takes one argument${HELP[d.directive] ? ", " + HELP[d.directive] : ""}`);
      return null;
    }
    return d.args[0];
  }

  seconds(d: Call, max: number): number | null {
    const v = this.one(d);
    if (v === null) return null;
    if (!/^\d+$/.test(v) || Number(v) > max) {
      this.err(d.line, `${d.directive} takes a number of seconds from 0 to ${max}, got "${v}"`);
      return null;
    }
    return Number(v);
  }

  /** Reads the file a *File directive names; null (with the error recorded) when there is none. */
  fileOf(d: Call): { path: string; content: string } | null {
    const path = this.one(d);
    if (path === null) return null;
    const content = this.opts.readFile?.(path) ?? null;
    if (content === null) { this.err(d.line, `${d.directive}: cannot read ${path}`); return null; }
    return { path, content };
  }
}

type Handler = (cv: Conversion, d: Call) => void;

/** The key a directive maps onto one to one (config-keys.ts, generated from the key tables). */
function keyOf(directive: keyof typeof APACHE_KEYS): ApacheKey {
  return APACHE_KEYS[directive];
}

/** A directive that sets its key from its one argument, checked by the key's type (On/Off, seconds in range, text, one more list item). */
function toKey(directive: keyof typeof APACHE_KEYS): Handler {
  const key = keyOf(directive);
  return (cv, d) => {
    switch (key.type) {
      case "bool": { const v = cv.onOff(d); if (v !== null) cv.set(key.path, v, d.line); break; }
      case "int": { const v = cv.seconds(d, key.maximum!); if (v !== null) cv.set(key.path, v, d.line); break; }
      case "strings": {
        const v = cv.one(d);
        if (v === null) break;
        const list = cv.lists.get(key.path) ?? [];
        cv.lists.set(key.path, list);
        cv.lines.set(`${key.path}[${list.length}]`, d.line);
        list.push(v);
        break;
      }
      default: { const v = cv.one(d); if (v !== null) cv.set(key.path, v, d.line); }
    }
  };
}

/** mod_usertrack's directives: usertrack.ts checks each with httpd's texts and writes its key. */
const usertrack: Handler = (cv, d) => {
  const entry = USERTRACK_DIRECTIVES[d.directive.toLowerCase()];
  const problem = entry.handle({ name: d.name, rawArgs: d.rest, args: d.args, line: d.line, sections: cv.scopes.map((sc) => sc.tag) }, cv.sections.usertrack);
  if (problem) { cv.err(d.line, problem); return; }
  cv.lines.set(`usertrack.${entry.key}`, d.line);
  if (d.directive === "CookieTracking") {
    cv.cookieTracking = cv.sections.usertrack.enabled === true;
    delete cv.sections.usertrack.enabled;
  }
};

const clickpathFile: Handler = (cv, d) => {
  const file = cv.fileOf(d);
  if (file === null) return;
  cv.warn(d.line, `${d.directive} ${file.path}: its current contents are copied in; clicktrail does not re-read the file when it changes`);
  const body = logicalLines(file.content).map((l) => ({ line: d.line, text: l.text }));
  if (d.directive === "ClickPathUAExceptionsFile") {
    // When the file exists it replaces the container (ClickPath's rule).
    cv.uaExceptions.length = 0;
    readUaExceptions(body, cv.uaExceptions, cv.lines, (l, m) => cv.warn(l, m));
  } else {
    cv.friends.length = 0;
    readFriends(body, cv.friends, cv.lines, (l, m) => cv.err(l, m));
  }
};

const clickpathStore: Handler = (cv, d) => cv.warn(d.line, `${d.directive} configures Apache2::ClickPath::Store, a separate service clicktrail does not provide; ignored ` +
  "(the machine_table's store addresses are still passed upstream)");

const sessionCookieName: Handler = (cv, d) => {
  const parsed = cookieNameArgs(d.directive, d.rest, d.line, (l, m) => cv.err(l, m));
  if (!parsed) return;
  cv.set("session.cookie_name", parsed.name, d.line);
  if (parsed.attrs) cv.set("session.cookie_attributes", parsed.attrs, d.line);
  else delete cv.sections.session.cookie_attributes;
  cv.cookieNameLine = d.line;
  if (d.directive === "SessionDBDCookieName") cv.dbdUsed = cv.dbdUsed || d.line;
};

const sessionCookieName2: Handler = (cv, d) => {
  const parsed = cookieNameArgs(d.directive, d.rest, d.line, (l, m) => cv.err(l, m));
  if (parsed) cv.cookieName2 = { line: d.line, ...parsed };
  if (d.directive === "SessionDBDCookieName2") cv.dbdUsed = cv.dbdUsed || d.line;
};

const dbdLabel: Handler = (cv, d) => {
  cv.warn(d.line, `${d.directive} names an SQL statement; the shared-data store needs none; ignored`);
  cv.dbdUsed = cv.dbdUsed || d.line;
};

/** Records passphrases for session.crypto; the section's line is the first passphrase directive's. */
function addPassphrase(cv: Conversion, p: string, line: number): void {
  cv.lines.set(`${keyOf("SessionCryptoPassphrase").path}[${cv.passphrases.length}]`, line);
  cv.passphrases.push(p);
}

/**
 * Every directive of the three families, in the order the modules declare them (the unknown-directive
 * error lists them so), with its handler. Directives that map one to one onto a key take it from the key
 * tables (toKey, keyOf); the rest say here what they become.
 */
const DIRECTIVES: Array<[string, Family, Handler]> = [
  // mod_usertrack (§1.2): usertrack.ts maps each one.
  ["CookieTracking", "usertrack", usertrack],
  ["CookieName", "usertrack", usertrack],
  ["CookieDomain", "usertrack", usertrack],
  ["CookieExpires", "usertrack", usertrack],
  ["CookieStyle", "usertrack", usertrack],
  ["CookieSameSite", "usertrack", usertrack],
  ["CookieSecure", "usertrack", usertrack],
  ["CookieHTTPOnly", "usertrack", usertrack],

  // Apache2::ClickPath (§2.2)
  ["ClickPathSessionPrefix", "clickpath", (cv, d) => {
    const v = cv.one(d);
    if (v !== null) { cv.set(keyOf("ClickPathSessionPrefix").path, v, d.line); cv.prefixLine = d.line; }
  }],
  ["ClickPathMaxSessionAge", "clickpath", toKey("ClickPathMaxSessionAge")],
  ["ClickPathMachine", "clickpath", (cv, d) => {
    if (d.args.length > 1) cv.err(d.line, `${d.directive} takes at most one argument, got ${d.args.length}`);
    else cv.set(keyOf("ClickPathMachine").path, d.args[0] ?? "", d.line);
  }],
  ["ClickPathUAExceptionsFile", "clickpath", clickpathFile],
  ["ClickPathFriendlySessionsFile", "clickpath", clickpathFile],
  ["ClickPathSecret", "clickpath", (cv, d) => cv.warn(d.line, "ClickPathSecret is not convertible: its Blowfish key scheme is replaced by signed ids. Put one or more random " +
    "secrets of at least 16 bytes into clickpath.secrets from your secret store; ids issued by Apache will then be replaced once")],
  ["ClickPathSecretIV", "clickpath", (cv, d) => cv.warn(d.line, "ClickPathSecretIV has no equivalent (clicktrail's signed ids need no IV); ignored")],
  ["ClickPathStoreDirectory", "clickpath", clickpathStore],
  ["ClickPathStorePath", "clickpath", clickpathStore],
  ["ClickPathStoreTimeout", "clickpath", clickpathStore],
  ["ClickPathStoreCleanupInterval", "clickpath", clickpathStore],

  // mod_session (§3.1)
  ["Session", "session", (cv, d) => {
    const v = cv.onOff(d);
    if (v !== null) { cv.sessionOn = v; cv.lines.set(keyOf("Session").path, d.line); }
  }],
  ["SessionMaxAge", "session", toKey("SessionMaxAge")],
  ["SessionExpiryUpdateInterval", "session", toKey("SessionExpiryUpdateInterval")],
  ["SessionHeader", "session", toKey("SessionHeader")],
  ["SessionEnv", "session", (cv, d) => {
    const v = cv.onOff(d);
    if (v === true) {
      const header = cv.opts.sessionEnvHeader ?? "x-session";
      cv.set("session.upstream_header", header, d.line);
      cv.warn(d.line, `SessionEnv On: the upstream reads the session from the request header ${header} (in place of the CGI variable HTTP_SESSION)`);
    } else if (v === false) {
      delete cv.sections.session.upstream_header;
    }
  }],
  ["SessionInclude", "session", toKey("SessionInclude")],
  ["SessionExclude", "session", toKey("SessionExclude")],

  // mod_session_cookie (§3.2) and mod_session_dbd's cookie (§3.4)
  ["SessionCookieName", "session", sessionCookieName],
  ["SessionCookieName2", "session", sessionCookieName2],
  ["SessionCookieRemove", "session", toKey("SessionCookieRemove")],
  ["SessionCookieMaxAge", "session", (cv, d) => cv.err(d.line, "SessionCookieMaxAge exists only in httpd trunk (2.5-dev); Apache 2.4 refuses it too")],

  // mod_session_crypto (§3.3)
  ["SessionCryptoPassphrase", "session", (cv, d) => {
    if (d.args.length === 0) { cv.err(d.line, `${d.directive} takes at least one passphrase`); return; }
    for (const p of d.args) {
      if (p.startsWith("exec:")) {
        cv.err(d.line, "SessionCryptoPassphrase exec:... cannot be converted: run the program yourself and put its output into session.crypto.passphrases");
        continue;
      }
      addPassphrase(cv, p, d.line);
    }
    cv.passphraseLine = cv.passphraseLine || d.line;
    cv.lines.set("session.crypto", cv.passphraseLine);
  }],
  ["SessionCryptoPassphraseFile", "session", (cv, d) => {
    const file = cv.fileOf(d);
    if (file === null) return;
    for (const l of logicalLines(file.content)) {
      for (const w of splitWords(l.text)) {
        if (w.startsWith("#")) break;
        addPassphrase(cv, w, d.line);
      }
    }
    cv.warn(d.line, `${d.directive} ${file.path}: its passphrases are copied into the configuration; keep the output as secret as the file`);
    cv.passphraseLine = cv.passphraseLine || d.line;
    cv.lines.set("session.crypto", cv.passphraseLine);
  }],
  ["SessionCryptoCipher", "session", (cv, d) => {
    const v = cv.one(d);
    if (v !== null) { cv.crypto.cipher = v; cv.lines.set(keyOf("SessionCryptoCipher").path, d.line); }
  }],
  ["SessionCryptoDriver", "session", (cv, d) => cv.warn(d.line, "SessionCryptoDriver has no equivalent: the filter carries its own AES, SipHash and PBKDF2; ignored")],

  // mod_session_dbd (§3.4): the session moves server-side, into proxy-wasm shared data.
  ["SessionDBDCookieName", "session", sessionCookieName],
  ["SessionDBDCookieName2", "session", sessionCookieName2],
  ["SessionDBDCookieRemove", "session", (cv, d) => {
    const v = cv.onOff(d);
    if (v !== null) { cv.dbdCookieRemove = v; cv.lines.set("session.cookie_remove", d.line); }
    cv.dbdUsed = cv.dbdUsed || d.line;
  }],
  ["SessionDBDPerUser", "session", (cv, d) => {
    const v = cv.onOff(d);
    if (v === true) cv.err(d.line, "SessionDBDPerUser On cannot be converted: clicktrail keys server-side sessions by a cookie, never by the authenticated user");
    cv.dbdUsed = cv.dbdUsed || d.line;
  }],
  ["SessionDBDSelectLabel", "session", dbdLabel],
  ["SessionDBDInsertLabel", "session", dbdLabel],
  ["SessionDBDUpdateLabel", "session", dbdLabel],
  ["SessionDBDDeleteLabel", "session", dbdLabel],
];

const HANDLERS = new Map(DIRECTIVES.map(([directive, , handler]) => [directive, handler]));
const directivesOf = (fam: Family) => DIRECTIVES.filter(([, f]) => f === fam).map(([directive]) => directive);
const FAMILY_DIRECTIVES: Record<Family, string[]> = {
  usertrack: directivesOf("usertrack"), clickpath: directivesOf("clickpath"), session: directivesOf("session"),
};
const MODULE_NAMES: Record<Family, string> = { usertrack: "mod_usertrack", clickpath: "Apache2::ClickPath", session: "the mod_session family" };

function canonical(name: string, list: string[]): string | null {
  const lower = name.toLowerCase();
  return list.find((d) => d.toLowerCase() === lower) ?? null;
}

function family(name: string): Family | null {
  const lower = name.toLowerCase();
  if (lower.startsWith("clickpath")) return "clickpath";
  if (lower.startsWith("cookie")) return "usertrack";
  if (lower.startsWith("session")) return "session";
  return null;
}

export function convertApache(text: string, opts: ConvertOptions = {}): ConversionResult {
  const cv = new Conversion(opts);
  const { lines, scopes, seen } = cv;
  const err = (line: number, message: string) => cv.err(line, message);
  const warn = (line: number, message: string) => cv.warn(line, message);

  const all = logicalLines(text);
  for (let k = 0; k < all.length; k++) {
    const { line, text: t } = all[k];
    if (t === "" || t.startsWith("#")) continue;

    if (t.startsWith("</")) {
      const name = t.slice(2).replace(/>\s*$/, "").trim();
      const open = scopes.pop();
      if (!open) err(line, `</${name}> without a matching <${name}>`);
      else if (open.name.toLowerCase() !== name.toLowerCase()) {
        err(line, `</${name}> closes <${open.name}> (line ${open.line})`);
        scopes.push(open);
      }
      continue;
    }
    if (t.startsWith("<")) {
      if (!t.endsWith(">")) {
        err(line, `a container line must end with ">": ${t}`);
        continue;
      }
      const inner = t.slice(1, -1).trim();
      const name = inner.split(/\s+/, 1)[0];
      const containerArgs = splitWords(inner.slice(name.length));
      const cp = canonical(name, CLICKPATH_CONTAINERS);
      if (cp) {
        const problem = cv.scopeProblem(`<${cp}>`);
        if (problem) err(line, problem);
        else if (!seen.clickpath++) lines.set("clickpath", line);
        // ClickPath's containers hand their raw lines to the module.
        const body: LogicalLine[] = [];
        let closed = false;
        for (k++; k < all.length; k++) {
          if (all[k].text.toLowerCase().replace(/\s+/g, "") === `</${cp.toLowerCase()}>`) { closed = true; break; }
          body.push(all[k]);
        }
        if (!closed) { err(line, `<${cp}> is never closed`); continue; }
        if (problem) continue;
        if (containerArgs.length) err(line, `<${cp}> takes no arguments`);
        if (cp === "ClickPathUAExceptions") readUaExceptions(body, cv.uaExceptions, lines, warn);
        else if (cp === "ClickPathFriendlySessions") readFriends(body, cv.friends, lines, err);
        else readMachineTable(body, cv.machines, lines, err);
        continue;
      }
      const tag = `<${inner}>`;
      if (family(name)) {
        err(line, `unknown container <${name}>: ClickPath's containers are ${CLICKPATH_CONTAINERS.map((c) => `<${c}>`).join(", ")}`);
        scopes.push({ name, line, tag, kind: "conditional", warned: false });
        continue;
      }
      const kind: ScopeKind = CONDITIONAL.some((c) => c.toLowerCase() === name.toLowerCase()) ? "conditional"
        : name.toLowerCase() === "virtualhost" ? "vhost" : "scope";
      scopes.push({ name, line, tag, kind, warned: false });
      continue;
    }

    const name = t.split(/\s+/, 1)[0];
    const rest = t.slice(name.length).trim();
    const args = splitWords(rest);
    const fam = family(name);
    if (!fam) {
      cv.notes.push({ line, message: `skipped ${name} (not a mod_usertrack, ClickPath or mod_session directive)` });
      continue;
    }
    const directive = canonical(name, FAMILY_DIRECTIVES[fam]);
    if (!directive) {
      const known = fam === "clickpath" ? [...FAMILY_DIRECTIVES.clickpath, ...CLICKPATH_CONTAINERS.map((c) => `<${c}>`)] : FAMILY_DIRECTIVES[fam];
      err(line, `unknown directive ${name}; ${MODULE_NAMES[fam]} has ${known.join(", ")}`);
      continue;
    }
    const problem = cv.scopeProblem(name);
    if (problem) {
      err(line, problem);
      continue;
    }
    if (!seen[fam]++) lines.set(fam, line);
    HANDLERS.get(directive)!(cv, { directive, name, rest, args, line });
  }
  for (const open of scopes) err(open.line, `${open.tag} was not closed`);

  const { usertrack, clickpath, session } = cv.sections;
  const config: Record<string, Record<string, unknown>> = {};
  if (seen.usertrack) {
    if (cv.cookieTracking !== true) {
      const at = lines.get("usertrack.enabled") ?? lines.get("usertrack") ?? 0;
      warn(at, cv.cookieTracking === false ? "CookieTracking Off: the usertrack section is written with enabled false"
        : "usertrack directives without CookieTracking On (Apache's default is off): the usertrack section is written with enabled false");
    }
    config.usertrack = { enabled: cv.cookieTracking === true, ...usertrack };
  }
  if (seen.clickpath) {
    if (cv.uaExceptions.length) clickpath.ua_exceptions = cv.uaExceptions;
    if (cv.friends.length) clickpath.friendly_sessions = cv.friends;
    if (cv.machines.length) clickpath.machine_table = cv.machines;
    if (!cv.prefixLine) warn(lines.get("clickpath") ?? 0, "ClickPath directives without ClickPathSessionPrefix (Apache2::ClickPath then does nothing): the clickpath section is written with enabled false");
    // Apache2::ClickPath has URL sessions only: "url" spelt out, so the conversion means the same whatever
    // the default, and the key is there for a site to change to "cookie_first" (README, Security notes).
    config.clickpath = { enabled: cv.prefixLine > 0, mode: "url", ...clickpath };
  }
  if (seen.session) {
    const cookieName2 = cv.cookieName2;
    if (cookieName2) {
      if (cv.cookieNameLine) {
        warn(cookieName2.line, "SessionCookieName2 beside SessionCookieName: clicktrail writes one Set-Cookie (no obsolete Set-Cookie2) and reads the SessionCookieName cookie");
      } else {
        warn(cookieName2.line, "SessionCookieName2: clicktrail writes Set-Cookie, never the obsolete Set-Cookie2; the name and attributes are kept");
        cv.set("session.cookie_name", cookieName2.name, cookieName2.line);
        if (cookieName2.attrs) cv.set("session.cookie_attributes", cookieName2.attrs, cookieName2.line);
      }
    }
    // List keys in the tables' order (include before exclude), whatever order the directives came in.
    for (const key of Object.values(APACHE_KEYS) as ApacheKey[]) {
      const list = cv.lists.get(key.path);
      if (list?.length) session[key.path.slice("session.".length)] = list;
    }
    if (cv.dbdUsed) {
      session.store = "shared";
      lines.set("session.store", cv.dbdUsed);
      // SessionDBDCookieRemove defaults to On, unlike SessionCookieRemove.
      session.cookie_remove = cv.dbdCookieRemove ?? true;
      warn(cv.dbdUsed, "mod_session_dbd: sessions move into proxy-wasm shared data (session.store \"shared\"); existing database sessions are not carried over");
    }
    const crypto = cv.crypto;
    if (cv.passphrases.length || crypto.cipher !== undefined) {
      // Apache's own cookie format, so cookies issued by Apache keep working after the move.
      session.crypto = { passphrases: cv.passphrases, format: "apache", ...crypto };
      if (crypto.cipher !== undefined) lines.set("session.crypto.format", lines.get("session.crypto.cipher")!);
      if (!lines.has("session.crypto")) lines.set("session.crypto", lines.get("session.crypto.cipher") ?? 0);
    }
    if (cv.sessionOn !== true) {
      warn(lines.get("session.enabled") ?? lines.get("session") ?? 0, cv.sessionOn === false ? "Session Off: the session section is written with enabled false"
        : "mod_session directives without Session On (Apache's default is off): the session section is written with enabled false");
    }
    config.session = { enabled: cv.sessionOn === true, ...session };
  }
  return { config, errors: cv.errors, warnings: cv.warnings, notes: cv.notes, lines };
}

/** `NAME [attributes...]`: the attributes are the rest of the line, verbatim (mod_session_cookie takes raw arguments). */
function cookieNameArgs(directive: string, rest: string, line: number, err: (line: number, message: string) => void):
  { name: string; attrs: string } | null {
  const m = /^(\S+)\s*(.*)$/.exec(rest);
  if (!m) {
    err(line, `${directive} takes a cookie name and optional attributes`);
    return null;
  }
  if (/[=&]/.test(m[1])) {
    err(line, `${directive}: the cookie name "${m[1]}" cannot contain '=' or '&'`);
    return null;
  }
  return { name: m[1], attrs: m[2] };
}

/** `<ClickPathUAExceptions>` lines: `name[:] regex`. ClickPath silently drops a line whose name is not
 *  word characters (the POD's own `dir.com Pompos`); clicktrail takes any printable name (docs/compat.md),
 *  so such a line is converted, with a warning that its behaviour changes. */
function readUaExceptions(body: LogicalLine[], out: Array<{ name: string; pattern: string }>, lines: Map<string, number>,
                          warn: (line: number, message: string) => void): void {
  for (const { line, text } of body) {
    if (text === "" || text.startsWith("#")) continue;
    const m = /^\s*(\S+?):?\s+(.+?)\s*$/.exec(text);
    if (!m) {
      warn(line, `"${text}" is not "name regex"; ignored, as Apache2::ClickPath does`);
      continue;
    }
    if (!/^\w+$/.test(m[1])) {
      warn(line, `"${m[1]}": Apache2::ClickPath ignored this line (its names are letters, digits and "_"); clicktrail honours it`);
    }
    lines.set(`clickpath.ua_exceptions[${out.length}]`, line);
    out.push({ name: m[1], pattern: m[2] });
  }
}

/** `<ClickPathFriendlySessions>` lines: `host stmt... [shortname]`, stmt = `uri(N)` or `param(name)`. */
function readFriends(body: LogicalLine[], out: Array<{ host: string; fields: string[]; name?: string }>, lines: Map<string, number>,
                     err: (line: number, message: string) => void): void {
  for (const { line, text } of body) {
    if (text === "" || text.startsWith("#")) continue;
    const host = text.split(/\s+/, 1)[0];
    let rest = text.slice(host.length);
    const fields: string[] = [];
    for (;;) {
      const m = /^\s*(uri|param)\s*\(\s*([^)]*?)\s*\)/.exec(rest);
      if (!m) break;
      fields.push(`${m[1]}(${m[2]})`);
      rest = rest.slice(m[0].length);
    }
    const shortname = rest.trim();
    if (fields.length === 0 || (shortname !== "" && !/^\w+$/.test(shortname))) {
      err(line, `"${text}" is not "host uri(N)|param(name)... [shortname]"`);
      continue;
    }
    lines.set(`clickpath.friendly_sessions[${out.length}]`, line);
    out.push(shortname ? { host, fields, name: shortname } : { host, fields });
  }
}

/** `<ClickPathMachineTable>` lines: `address [name [store]]`; a row's default name is its number (comments not counted). */
function readMachineTable(body: LogicalLine[], out: Array<{ address: string; name: string; store?: string }>, lines: Map<string, number>,
                          err: (line: number, message: string) => void): void {
  for (const { line, text } of body) {
    if (text === "" || text.startsWith("#")) continue;
    const words = text.split(/\s+/);
    if (words.length > 3) {
      err(line, `"${text}" is not "address [name [store]]"`);
      continue;
    }
    lines.set(`clickpath.machine_table[${out.length}]`, line);
    const row: { address: string; name: string; store?: string } = { address: words[0], name: words[1] ?? String(out.length + 1) };
    if (words[2] !== undefined) row.store = words[2];
    out.push(row);
  }
}

/** The line a JSON path came from: the path itself or its nearest recorded ancestor (0 when none). */
export function lineOf(lines: Map<string, number>, path: string): number {
  let p = path;
  for (;;) {
    const hit = lines.get(p);
    if (hit !== undefined) return hit;
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) return 0;
    p = p.slice(0, cut);
  }
}
