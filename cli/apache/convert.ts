// Apache httpd configuration → clicktrail configuration, for the directives of mod_usertrack,
// Apache2::ClickPath and the mod_session family (as the httpd 2.4 manual and ClickPath's POD document them). Pure:
// text in, a config object and line-numbered diagnostics out; files named by *File directives are read
// through a callback. Values are copied as Apache received them and judged afterwards by the filter itself
// (see host/commands/convert-apache.ts), so a converted configuration means what the filter says it means;
// this module checks only what the filter cannot see (argument counts, on/off, numbers, container syntax).
//
// Reading follows httpd's own config reader: a line ending in "\" continues on the next one; a line whose
// first non-blank character is "#" is a comment; arguments are split as ap_getword_conf does (blanks
// separate words, "..." or '...' quote them, a backslash before the quote character escapes it).
// Directives of other modules are skipped with a note; an unknown directive whose name belongs to one of
// the three families (Cookie*, ClickPath*, Session*) is an error, since it is most likely a misspelling.

import { getwordsConf } from "./words.js";
import { USERTRACK_DIRECTIVES } from "./usertrack.js";

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

const USERTRACK = ["CookieTracking", "CookieName", "CookieDomain", "CookieExpires", "CookieStyle", "CookieSameSite", "CookieSecure", "CookieHTTPOnly"];
const CLICKPATH = [
  "ClickPathSessionPrefix", "ClickPathMaxSessionAge", "ClickPathMachine", "ClickPathUAExceptionsFile",
  "ClickPathFriendlySessionsFile", "ClickPathSecret", "ClickPathSecretIV",
  "ClickPathStoreDirectory", "ClickPathStorePath", "ClickPathStoreTimeout", "ClickPathStoreCleanupInterval",
];
const CLICKPATH_CONTAINERS = ["ClickPathMachineTable", "ClickPathUAExceptions", "ClickPathFriendlySessions"];
const SESSION = [
  "Session", "SessionMaxAge", "SessionExpiryUpdateInterval", "SessionHeader", "SessionEnv", "SessionInclude", "SessionExclude",
  "SessionCookieName", "SessionCookieName2", "SessionCookieRemove", "SessionCookieMaxAge",
  "SessionCryptoPassphrase", "SessionCryptoPassphraseFile", "SessionCryptoCipher", "SessionCryptoDriver",
  "SessionDBDCookieName", "SessionDBDCookieName2", "SessionDBDCookieRemove", "SessionDBDPerUser",
  "SessionDBDSelectLabel", "SessionDBDInsertLabel", "SessionDBDUpdateLabel", "SessionDBDDeleteLabel",
];
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

function canonical(name: string, list: string[]): string | null {
  const lower = name.toLowerCase();
  return list.find((d) => d.toLowerCase() === lower) ?? null;
}

function family(name: string): "usertrack" | "clickpath" | "session" | null {
  const lower = name.toLowerCase();
  if (lower.startsWith("clickpath")) return "clickpath";
  if (lower.startsWith("cookie")) return "usertrack";
  if (lower.startsWith("session")) return "session";
  return null;
}

export function convertApache(text: string, opts: ConvertOptions = {}): ConversionResult {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const notes: Diagnostic[] = [];
  const lines = new Map<string, number>();
  const usertrack: Record<string, unknown> = {};
  const clickpath: Record<string, unknown> = {};
  const session: Record<string, unknown> = {};
  const crypto: Record<string, unknown> = {};
  const seen = { usertrack: 0, clickpath: 0, session: 0 };
  let cookieTracking: boolean | null = null;
  let sessionOn: boolean | null = null;
  let prefixLine = 0;
  let cookieName2: { line: number; name: string; attrs: string } | null = null;
  let cookieNameLine = 0;
  let dbdUsed = 0;
  let dbdCookieRemove: boolean | null = null;
  let passphraseLine = 0;
  const passphrases: string[] = [];
  const uaExceptions: Array<{ name: string; pattern: string }> = [];
  const friends: Array<{ host: string; fields: string[]; name?: string }> = [];
  const machines: Array<{ address: string; name: string; store?: string }> = [];
  const include: string[] = [];
  const exclude: string[] = [];
  const scopes: Array<{ name: string; line: number; tag: string; kind: ScopeKind; warned: boolean }> = [];
  /** Null when a directive may be converted here; otherwise the error for it. Warns once per virtual host. */
  const scopeProblem = (name: string): string | null => {
    const narrow = scopes.find((sc) => sc.kind === "scope");
    if (narrow) {
      return `${name} inside ${narrow.tag}: clicktrail has one configuration per filter; put per-route settings in Envoy's per-route configuration (docs/compat.md)`;
    }
    for (const sc of scopes) {
      if (sc.kind === "vhost" && !sc.warned) {
        sc.warned = true;
        warnings.push({ line: sc.line, message: `${sc.tag}: converted as the one configuration of its listener; give each virtual host its own filter configuration` });
      }
    }
    return null;
  };

  const err = (line: number, message: string) => errors.push({ line, message });
  const warn = (line: number, message: string) => warnings.push({ line, message });
  const set = (section: Record<string, unknown>, sectionName: string, key: string, value: unknown, line: number) => {
    section[key] = value;
    lines.set(`${sectionName}.${key}`, line);
  };

  const onOff = (directive: string, args: string[], line: number): boolean | null => {
    if (args.length !== 1 || !/^(on|off)$/i.test(args[0])) {
      err(line, `${directive} must be On or Off`);
      return null;
    }
    return args[0].toLowerCase() === "on";
  };
  const one = (directive: string, args: string[], line: number): string | null => {
    if (args.length !== 1 || args[0] === "") {
      err(line, `${directive} takes one argument${HELP[directive] ? ", " + HELP[directive] : ""}`);
      return null;
    }
    return args[0];
  };
  const seconds = (directive: string, args: string[], line: number, max: number): number | null => {
    const v = one(directive, args, line);
    if (v === null) return null;
    if (!/^\d+$/.test(v) || Number(v) > max) {
      err(line, `${directive} takes a number of seconds from 0 to ${max}, got "${v}"`);
      return null;
    }
    return Number(v);
  };

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
        const problem = scopeProblem(`<${cp}>`);
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
        if (cp === "ClickPathUAExceptions") readUaExceptions(body, uaExceptions, lines, warn);
        else if (cp === "ClickPathFriendlySessions") readFriends(body, friends, lines, err);
        else readMachineTable(body, machines, lines, err);
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
      notes.push({ line, message: `skipped ${name} (not a mod_usertrack, ClickPath or mod_session directive)` });
      continue;
    }
    const directive = canonical(name, fam === "usertrack" ? USERTRACK : fam === "clickpath" ? CLICKPATH : SESSION);
    if (!directive) {
      const known = fam === "usertrack" ? USERTRACK : fam === "clickpath" ? [...CLICKPATH, ...CLICKPATH_CONTAINERS.map((c) => `<${c}>`)] : SESSION;
      err(line, `unknown directive ${name}; ${fam === "usertrack" ? "mod_usertrack" : fam === "clickpath" ? "Apache2::ClickPath" : "the mod_session family"} has ${known.join(", ")}`);
      continue;
    }
    const problem = scopeProblem(name);
    if (problem) {
      err(line, problem);
      continue;
    }
    if (!seen[fam]++) lines.set(fam, line);

    switch (directive) {
      // mod_usertrack (§1.2): usertrack.ts maps each one.
      case "CookieTracking":
      case "CookieName":
      case "CookieDomain":
      case "CookieExpires":
      case "CookieStyle":
      case "CookieSameSite":
      case "CookieSecure":
      case "CookieHTTPOnly": {
        const entry = USERTRACK_DIRECTIVES[directive.toLowerCase()];
        const problem = entry.handle({ name, rawArgs: rest, args, line, sections: scopes.map((sc) => sc.tag) }, usertrack);
        if (problem) { err(line, problem); break; }
        lines.set(`usertrack.${entry.key}`, line);
        if (directive === "CookieTracking") {
          cookieTracking = usertrack.enabled === true;
          delete usertrack.enabled;
        }
        break;
      }

      // Apache2::ClickPath (§2.2)
      case "ClickPathSessionPrefix": {
        const v = one(directive, args, line);
        if (v !== null) { set(clickpath, "clickpath", "prefix", v, line); prefixLine = line; }
        break;
      }
      case "ClickPathMaxSessionAge": {
        const v = seconds(directive, args, line, 4294967295);
        if (v !== null) set(clickpath, "clickpath", "max_session_age", v, line);
        break;
      }
      case "ClickPathMachine": {
        if (args.length > 1) err(line, `${directive} takes at most one argument, got ${args.length}`);
        else set(clickpath, "clickpath", "machine", args[0] ?? "", line);
        break;
      }
      case "ClickPathUAExceptionsFile":
      case "ClickPathFriendlySessionsFile": {
        const path = one(directive, args, line);
        if (path === null) break;
        const content = opts.readFile?.(path) ?? null;
        if (content === null) { err(line, `${directive}: cannot read ${path}`); break; }
        warn(line, `${directive} ${path}: its current contents are copied in; clicktrail does not re-read the file when it changes`);
        const body = logicalLines(content).map((l) => ({ line, text: l.text }));
        if (directive === "ClickPathUAExceptionsFile") {
          // When the file exists it replaces the container (ClickPath's rule).
          uaExceptions.length = 0;
          readUaExceptions(body, uaExceptions, lines, warn);
        } else {
          friends.length = 0;
          readFriends(body, friends, lines, err);
        }
        break;
      }
      case "ClickPathSecret":
        warn(line, "ClickPathSecret is not convertible: its Blowfish key scheme is replaced by signed ids. Put one or more random " +
          "secrets of at least 16 bytes into clickpath.secrets from your secret store; ids issued by Apache will then be replaced once");
        break;
      case "ClickPathSecretIV":
        warn(line, "ClickPathSecretIV has no equivalent (clicktrail's signed ids need no IV); ignored");
        break;
      case "ClickPathStoreDirectory":
      case "ClickPathStorePath":
      case "ClickPathStoreTimeout":
      case "ClickPathStoreCleanupInterval":
        warn(line, `${directive} configures Apache2::ClickPath::Store, a separate service clicktrail does not provide; ignored ` +
          "(the machine_table's store addresses are still passed upstream)");
        break;

      // mod_session (§3.1)
      case "Session": {
        const v = onOff(directive, args, line);
        if (v !== null) { sessionOn = v; lines.set("session.enabled", line); }
        break;
      }
      case "SessionMaxAge": { const v = seconds(directive, args, line, 2147483647); if (v !== null) set(session, "session", "max_age", v, line); break; }
      case "SessionExpiryUpdateInterval": {
        const v = seconds(directive, args, line, 2147483647);
        if (v !== null) set(session, "session", "expiry_update_interval", v, line);
        break;
      }
      case "SessionHeader": { const v = one(directive, args, line); if (v !== null) set(session, "session", "response_header", v, line); break; }
      case "SessionEnv": {
        const v = onOff(directive, args, line);
        if (v === true) {
          const header = opts.sessionEnvHeader ?? "x-session";
          set(session, "session", "upstream_header", header, line);
          warn(line, `SessionEnv On: the upstream reads the session from the request header ${header} (in place of the CGI variable HTTP_SESSION)`);
        } else if (v === false) {
          delete session.upstream_header;
        }
        break;
      }
      case "SessionInclude":
      case "SessionExclude": {
        const v = one(directive, args, line);
        if (v === null) break;
        const list = directive === "SessionInclude" ? include : exclude;
        lines.set(`session.${directive === "SessionInclude" ? "include" : "exclude"}[${list.length}]`, line);
        list.push(v);
        break;
      }

      // mod_session_cookie (§3.2) and mod_session_dbd's cookie (§3.4)
      case "SessionCookieName":
      case "SessionDBDCookieName": {
        const parsed = cookieNameArgs(directive, rest, line, err);
        if (!parsed) break;
        set(session, "session", "cookie_name", parsed.name, line);
        if (parsed.attrs) set(session, "session", "cookie_attributes", parsed.attrs, line);
        else delete session.cookie_attributes;
        cookieNameLine = line;
        if (directive === "SessionDBDCookieName") dbdUsed = dbdUsed || line;
        break;
      }
      case "SessionCookieName2":
      case "SessionDBDCookieName2": {
        const parsed = cookieNameArgs(directive, rest, line, err);
        if (parsed) cookieName2 = { line, ...parsed };
        if (directive === "SessionDBDCookieName2") dbdUsed = dbdUsed || line;
        break;
      }
      case "SessionCookieRemove": { const v = onOff(directive, args, line); if (v !== null) set(session, "session", "cookie_remove", v, line); break; }
      case "SessionDBDCookieRemove": {
        const v = onOff(directive, args, line);
        if (v !== null) { dbdCookieRemove = v; lines.set("session.cookie_remove", line); }
        dbdUsed = dbdUsed || line;
        break;
      }
      case "SessionCookieMaxAge":
        err(line, "SessionCookieMaxAge exists only in httpd trunk (2.5-dev); Apache 2.4 refuses it too");
        break;

      // mod_session_crypto (§3.3)
      case "SessionCryptoPassphrase": {
        if (args.length === 0) { err(line, `${directive} takes at least one passphrase`); break; }
        for (const p of args) {
          if (p.startsWith("exec:")) {
            err(line, "SessionCryptoPassphrase exec:... cannot be converted: run the program yourself and put its output into session.crypto.passphrases");
            continue;
          }
          lines.set(`session.crypto.passphrases[${passphrases.length}]`, line);
          passphrases.push(p);
        }
        passphraseLine = passphraseLine || line;
        lines.set("session.crypto", passphraseLine);
        break;
      }
      case "SessionCryptoPassphraseFile": {
        const path = one(directive, args, line);
        if (path === null) break;
        const content = opts.readFile?.(path) ?? null;
        if (content === null) { err(line, `${directive}: cannot read ${path}`); break; }
        for (const l of logicalLines(content)) {
          for (const w of splitWords(l.text)) {
            if (w.startsWith("#")) break;
            lines.set(`session.crypto.passphrases[${passphrases.length}]`, line);
            passphrases.push(w);
          }
        }
        warn(line, `${directive} ${path}: its passphrases are copied into the configuration; keep the output as secret as the file`);
        passphraseLine = passphraseLine || line;
        lines.set("session.crypto", passphraseLine);
        break;
      }
      case "SessionCryptoCipher": {
        const v = one(directive, args, line);
        if (v !== null) { crypto.cipher = v; lines.set("session.crypto.cipher", line); }
        break;
      }
      case "SessionCryptoDriver":
        warn(line, "SessionCryptoDriver has no equivalent: the filter carries its own AES, SipHash and PBKDF2; ignored");
        break;

      // mod_session_dbd (§3.4): the session moves server-side, into proxy-wasm shared data.
      case "SessionDBDPerUser": {
        const v = onOff(directive, args, line);
        if (v === true) err(line, "SessionDBDPerUser On cannot be converted: clicktrail keys server-side sessions by a cookie, never by the authenticated user");
        dbdUsed = dbdUsed || line;
        break;
      }
      case "SessionDBDSelectLabel":
      case "SessionDBDInsertLabel":
      case "SessionDBDUpdateLabel":
      case "SessionDBDDeleteLabel":
        warn(line, `${directive} names an SQL statement; the shared-data store needs none; ignored`);
        dbdUsed = dbdUsed || line;
        break;
    }
  }
  for (const open of scopes) err(open.line, `${open.tag} was not closed`);

  const config: Record<string, Record<string, unknown>> = {};
  if (seen.usertrack) {
    if (cookieTracking !== true) {
      const at = lines.get("usertrack.enabled") ?? lines.get("usertrack") ?? 0;
      warn(at, cookieTracking === false ? "CookieTracking Off: the usertrack section is written with enabled false"
        : "usertrack directives without CookieTracking On (Apache's default is off): the usertrack section is written with enabled false");
    }
    config.usertrack = { enabled: cookieTracking === true, ...usertrack };
  }
  if (seen.clickpath) {
    if (uaExceptions.length) clickpath.ua_exceptions = uaExceptions;
    if (friends.length) clickpath.friendly_sessions = friends;
    if (machines.length) clickpath.machine_table = machines;
    if (!prefixLine) warn(lines.get("clickpath") ?? 0, "ClickPath directives without ClickPathSessionPrefix (Apache2::ClickPath then does nothing): the clickpath section is written with enabled false");
    // Apache2::ClickPath has URL sessions only: "url" spelt out, so the conversion means the same whatever
    // the default, and the key is there for a site to change to "cookie_first" (README, Security notes).
    config.clickpath = { enabled: prefixLine > 0, mode: "url", ...clickpath };
  }
  if (seen.session) {
    if (cookieName2) {
      if (cookieNameLine) {
        warn(cookieName2.line, "SessionCookieName2 beside SessionCookieName: clicktrail writes one Set-Cookie (no obsolete Set-Cookie2) and reads the SessionCookieName cookie");
      } else {
        warn(cookieName2.line, "SessionCookieName2: clicktrail writes Set-Cookie, never the obsolete Set-Cookie2; the name and attributes are kept");
        set(session, "session", "cookie_name", cookieName2.name, cookieName2.line);
        if (cookieName2.attrs) set(session, "session", "cookie_attributes", cookieName2.attrs, cookieName2.line);
      }
    }
    if (include.length) session.include = include;
    if (exclude.length) session.exclude = exclude;
    if (dbdUsed) {
      session.store = "shared";
      lines.set("session.store", dbdUsed);
      // SessionDBDCookieRemove defaults to On, unlike SessionCookieRemove.
      session.cookie_remove = dbdCookieRemove ?? true;
      warn(dbdUsed, "mod_session_dbd: sessions move into proxy-wasm shared data (session.store \"shared\"); existing database sessions are not carried over");
    }
    if (passphrases.length || crypto.cipher !== undefined) {
      // Apache's own cookie format, so cookies issued by Apache keep working after the move.
      session.crypto = { passphrases, format: "apache", ...crypto };
      if (crypto.cipher !== undefined) lines.set("session.crypto.format", lines.get("session.crypto.cipher")!);
      if (!lines.has("session.crypto")) lines.set("session.crypto", lines.get("session.crypto.cipher") ?? 0);
    }
    if (sessionOn !== true) {
      warn(lines.get("session.enabled") ?? lines.get("session") ?? 0, sessionOn === false ? "Session Off: the session section is written with enabled false"
        : "mod_session directives without Session On (Apache's default is off): the session section is written with enabled false");
    }
    config.session = { enabled: sessionOn === true, ...session };
  }
  return { config, errors, warnings, notes, lines };
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
