// Access-log line formats for `clicktrail clickstream`: Envoy's command-operator format strings (the line
// envoy/envoy.yaml writes, or any other text format), Envoy's JSON access log, and Apache's LogFormat
// strings. Each is compiled once into a LineParser that turns one line into a Hit (or null when the line
// does not fit the format).
//
// Apache directives: https://httpd.apache.org/docs/2.4/mod/mod_log_config.html#formats
// Envoy operators:   https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage
import { parseApacheTime, parseIsoTime } from "./times.js";

/** What the analysis needs from one request. Strings are null where the log has `-` or nothing. */
export interface Hit {
  /** Request time, milliseconds since the epoch. */
  time: number;
  method: string | null;
  /** The path without query string and without a ClickPath segment. */
  path: string;
  /** The response status; 0 when none was sent (Envoy logs 0, Apache -); NOT_LOGGED when the format has none. */
  status: number;
  /** The tracking id (mod_usertrack's %{cookie}n, clicktrail's usertrack id). */
  visitor: string | null;
  /** The ClickPath session (%{SESSION}e): an id, or the name of the crawler exception that matched. */
  session: string | null;
}

export type LineParser = (line: string) => Hit | null;

/** What a compiled format can tell: used to choose the default --by and to refuse a useless one. */
export interface LogFormat {
  name: string;
  parse: LineParser;
  hasVisitor: boolean;
  hasSession: boolean;
}

/** The fields a format's directives can fill. */
const enum Kind {
  Skip,
  IsoTime,
  ApacheTime,
  Method,
  Path,
  Query,
  RequestLine,
  Status,
  Visitor,
  Session,
}

interface Field {
  kind: Kind;
  /** The literal text that follows the field ("" at the end of the line). */
  next: string;
  /** Whether Apache escapes `"` as `\"` in this field (so a `"` after a backslash does not end it). */
  escaped: boolean;
}

interface Template {
  /** Literal text before the first field. */
  lead: string;
  fields: Field[];
}

const NO_VALUE = "-";

/** Hit.status when the format has no status field. */
export const NOT_LOGGED = -1;

/** The value as the analysis wants it: null for Apache's and Envoy's "nothing here" (`-`, empty). */
function value(s: string): string | null {
  return s === NO_VALUE || s === "" ? null : s;
}

/** Strips the query string and a leading ClickPath segment (`/-S:id/` as `%r` logs it). */
export function pagePath(raw: string): string {
  let p = raw;
  const q = p.indexOf("?");
  if (q >= 0) p = p.slice(0, q);
  if (p.startsWith("/-S:")) {
    const slash = p.indexOf("/", 1);
    p = slash < 0 ? "/" : p.slice(slash);
  }
  return p;
}

/** Finds where a field ends: the next occurrence of `next` (past backslash-escaped quotes when `escaped`). */
function fieldEnd(line: string, from: number, f: Field): number {
  if (f.next === "") return line.length;
  let at = line.indexOf(f.next, from);
  if (f.escaped && f.next.charCodeAt(0) === 34 /* " */) {
    while (at > from && line.charCodeAt(at - 1) === 92 /* \ */ && !evenBackslashes(line, from, at)) {
      at = line.indexOf(f.next, at + 1);
    }
  }
  return at;
}

function evenBackslashes(line: string, from: number, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= from && line.charCodeAt(i) === 92; i--) n++;
  return n % 2 === 0;
}

function compileTemplate(t: Template): LineParser {
  const { lead, fields } = t;
  const n = fields.length;
  // Without %>s (mod_usertrack's manual logs "%{cookie}n %r %t") the status is unknown: NOT_LOGGED.
  const noStatus = !fields.some((f) => f.kind === Kind.Status);
  return (text: string): Hit | null => {
    // A CRLF log's \r is the line end, not part of the last field.
    const line = text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
    if (lead !== "" && !line.startsWith(lead)) return null;
    let pos = lead.length;
    let time = NaN;
    let method: string | null = null;
    let path: string | null = null;
    let status = noStatus ? NOT_LOGGED : NaN;
    let visitor: string | null = null;
    let session: string | null = null;
    for (let i = 0; i < n; i++) {
      const f = fields[i];
      const end = fieldEnd(line, pos, f);
      if (end < 0) return null;
      switch (f.kind) {
        case Kind.Skip:
        case Kind.Query:
          break;
        case Kind.IsoTime:
          time = parseIsoTime(line, pos, end);
          break;
        case Kind.ApacheTime:
          time = parseApacheTime(line, pos, end);
          break;
        case Kind.Method:
          method = value(line.slice(pos, end));
          break;
        case Kind.Path:
          path = line.slice(pos, end);
          break;
        case Kind.RequestLine: {
          // "GET /path HTTP/1.1": the method up to the first space, the path up to the last.
          const s1 = line.indexOf(" ", pos);
          if (s1 < 0 || s1 >= end) return null;
          method = line.slice(pos, s1);
          const s2 = line.lastIndexOf(" ", end - 1);
          path = s2 > s1 ? line.slice(s1 + 1, s2) : line.slice(s1 + 1, end);
          break;
        }
        case Kind.Status:
          status = parseStatus(line, pos, end);
          break;
        case Kind.Visitor:
          if (visitor === null) visitor = value(line.slice(pos, end));
          break;
        case Kind.Session:
          session = value(line.slice(pos, end));
          break;
      }
      pos = end + f.next.length;
    }
    if (pos !== line.length) return null;
    if (Number.isNaN(time) || path === null || path === NO_VALUE || Number.isNaN(status)) return null;
    return { time, method, path: pagePath(path), status, visitor, session };
  };
}

function parseStatus(line: string, from: number, to: number): number {
  if (to - from !== 3) return to - from === 1 && line.charCodeAt(from) === 45 ? 0 : NaN;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/** Appends a field to a template; two fields with no literal between them cannot be told apart. */
function pushField(t: Template, pending: { text: string }, kind: Kind, escaped: boolean, source: string, where: string): void {
  if (t.fields.length === 0) t.lead = pending.text;
  else {
    const prev = t.fields[t.fields.length - 1];
    if (pending.text === "") throw new Error(`${source}: ${where} follows another field with nothing between them; the two cannot be told apart`);
    prev.next = pending.text;
  }
  pending.text = "";
  t.fields.push({ kind, next: "", escaped });
}

function finishTemplate(t: Template, pending: { text: string }, source: string): Template {
  if (t.fields.length === 0) throw new Error(`${source}: the format has no fields`);
  t.fields[t.fields.length - 1].next = pending.text;
  // A trailing newline in the format is the line separator, not part of the line.
  const last = t.fields[t.fields.length - 1];
  last.next = last.next.replace(/\r?\n$/, "");
  return t;
}

function describe(t: Template): { hasVisitor: boolean; hasSession: boolean } {
  const kinds = new Set(t.fields.map((f) => f.kind));
  const hasTime = kinds.has(Kind.IsoTime) || kinds.has(Kind.ApacheTime);
  const hasPath = kinds.has(Kind.Path) || kinds.has(Kind.RequestLine);
  if (!hasTime) throw new Error("the format has no request time (Apache %t, Envoy %START_TIME%)");
  if (!hasPath) throw new Error("the format has no request path (Apache %U or %r, Envoy %REQ(:PATH)%)");
  return { hasVisitor: kinds.has(Kind.Visitor), hasSession: kinds.has(Kind.Session) };
}

// ------------------------------------------------------------------------------------------------ Apache

/**
 * Compiles an Apache LogFormat string (as written inside the directive's quotes, with `\"` for quotes).
 * The tracking id is `%{cookie}n` (mod_usertrack's note; any `%{NAME}n` is taken as it, since the 2.4
 * manual's own example logs `%{Apache}n`) or `%{NAME}C` (the cookie itself); the ClickPath session is
 * `%{SESSION}e`.
 */
export function apacheFormat(format: string): LogFormat {
  const source = `LogFormat "${format}"`;
  const t: Template = { lead: "", fields: [] };
  const pending = { text: "" };
  // Inside the directive's quotes \" is a quote, \\ a backslash, \n and \t as in C.
  const unescaped = format.replace(/\\(["\\nt])/g, (_m, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
  let i = 0;
  const s = unescaped;
  while (i < s.length) {
    const c = s[i];
    if (c !== "%") {
      pending.text += c;
      i++;
      continue;
    }
    const start = i;
    i++;
    // Conditions (%400,501{User-agent}i, %!200,304r) and the < > original/final modifiers.
    const mods = /^(?:!?\d{3}(?:,\d{3})*)?[<>]?/.exec(s.slice(i))![0];
    i += mods.length;
    let arg: string | null = null;
    if (s[i] === "{") {
      const close = s.indexOf("}", i);
      if (close < 0) throw new Error(`${source}: unclosed { at column ${i + 1}`);
      arg = s.slice(i + 1, close);
      i = close + 1;
    }
    const d = s[i];
    i++;
    if (d === undefined) throw new Error(`${source}: a % at the end of the format`);
    const directive = s.slice(start, i);
    if (d === "%") {
      pending.text += "%";
      continue;
    }
    const quoted = pending.text.endsWith('"');
    let kind: Kind;
    switch (d) {
      case "t":
        if (arg !== null) throw new Error(`${source}: ${directive} (a custom time format) is not supported; use %t`);
        kind = Kind.ApacheTime;
        // %t is logged as [day/month/year:hour:minute:second zone]: the brackets are literal text.
        pending.text += "[";
        pushField(t, pending, kind, false, source, directive);
        pending.text = "]";
        continue;
      case "r": kind = Kind.RequestLine; break;
      case "m": kind = Kind.Method; break;
      case "U": kind = Kind.Path; break;
      case "q": kind = Kind.Query; break;
      case "s": kind = Kind.Status; break;
      case "n": kind = Kind.Visitor; break;
      case "C": kind = Kind.Visitor; break;
      case "e": kind = arg !== null && arg.toUpperCase() === "SESSION" ? Kind.Session : Kind.Skip; break;
      case "h": case "a": case "A": case "l": case "u": case "H": case "b": case "B": case "i": case "o":
      case "D": case "T": case "v": case "V": case "p": case "P": case "f": case "k": case "L": case "R":
      case "X": case "I": case "O": case "S": case "M": case "^":
        kind = Kind.Skip;
        if (d === "^") i++; // %{X}^ti / ^to: two letters
        break;
      default:
        throw new Error(`${source}: unknown directive ${directive} at column ${start + 1}`);
    }
    if (kind === Kind.Query) {
      // %U%q: the query string (empty or starting with ?) is glued to the path; the path field ends it.
      if (t.fields.length && t.fields[t.fields.length - 1].kind === Kind.Path && pending.text === "") continue;
    }
    pushField(t, pending, kind, quoted, source, directive);
  }
  finishTemplate(t, pending, source);
  // %U%q: the path field now runs up to the literal after %q, the query included; pagePath drops it.
  const info = describe(t);
  return { name: "apache", parse: compileTemplate(t), ...info };
}

// ------------------------------------------------------------------------------------------------ Envoy

/** The line envoy/envoy.yaml writes (tests/clickstream checks the two stay the same). */
export const ENVOY_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(:PATH)% %PROTOCOL%" %RESPONSE_CODE% %BYTES_SENT% usertrack=%FILTER_STATE(wasm.clicktrail_usertrack_id:PLAIN)% new=%FILTER_STATE(wasm.clicktrail_usertrack_new:PLAIN)% clickpath=%FILTER_STATE(wasm.clicktrail_clickpath_session:PLAIN)% upstream=%UPSTREAM_CLUSTER%\n';

/** What an Envoy command operator fills, by its text between the % signs. */
function envoyKind(op: string): Kind {
  const name = op.replace(/\(.*$/s, "");
  const arg = /^[A-Z_]+\((.*)\)(?::\d+)?$/s.exec(op)?.[1] ?? null;
  switch (name) {
    case "START_TIME":
      // START_TIME(%s) and other custom formats are not the ISO form this parser reads.
      return arg === null ? Kind.IsoTime : Kind.Skip;
    case "RESPONSE_CODE":
      return Kind.Status;
    case "REQ": {
      const h = (arg ?? "").toLowerCase().split("?");
      if (h.includes(":method")) return Kind.Method;
      if (h.includes(":path") || h.includes("x-envoy-original-path")) return Kind.Path;
      return Kind.Skip;
    }
    case "FILTER_STATE": {
      const key = (arg ?? "").split(":")[0];
      if (key.endsWith("clicktrail_usertrack_id")) return Kind.Visitor;
      if (key.endsWith("clicktrail_clickpath_session")) return Kind.Session;
      return Kind.Skip;
    }
    default:
      return Kind.Skip;
  }
}

/** Compiles an Envoy text access-log format (text_format_source.inline_string). */
export function envoyFormat(format: string = ENVOY_FORMAT): LogFormat {
  const source = `Envoy format "${format.replace(/\n$/, "\\n")}"`;
  const t: Template = { lead: "", fields: [] };
  const pending = { text: "" };
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c !== "%") {
      pending.text += c;
      i++;
      continue;
    }
    if (format[i + 1] === "%") {
      pending.text += "%";
      i += 2;
      continue;
    }
    const close = format.indexOf("%", i + 1);
    if (close < 0) throw new Error(`${source}: unclosed % at column ${i + 1}`);
    const op = format.slice(i + 1, close);
    if (!/^[A-Z][A-Z0-9_]*(\(.*\))?(:\d+)?$/s.test(op)) throw new Error(`${source}: not a command operator: %${op}%`);
    pushField(t, pending, envoyKind(op), false, source, `%${op}%`);
    i = close + 1;
  }
  finishTemplate(t, pending, source);
  const info = describe(t);
  return { name: "envoy", parse: compileTemplate(t), ...info };
}

/**
 * Envoy's JSON access log (json_format), one object per line, with the keys envoy/access-log-json.yaml
 * configures. Envoy writes absent values as null (text format: `-`) and RESPONSE_CODE as a number.
 */
export const ENVOY_JSON_KEYS = {
  time: "start_time",
  method: "method",
  path: "path",
  status: "response_code",
  visitor: "usertrack",
  session: "clickpath",
} as const;

export function envoyJsonFormat(): LogFormat {
  const k = ENVOY_JSON_KEYS;
  const str = (v: unknown): string | null => (typeof v === "string" ? value(v) : typeof v === "number" ? String(v) : null);
  const parse: LineParser = (line) => {
    if (line.charCodeAt(0) !== 123 /* { */) return null;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return null;
    }
    if (o === null || typeof o !== "object") return null;
    const t = o[k.time];
    const p = o[k.path];
    const st = o[k.status];
    if (typeof t !== "string" || typeof p !== "string") return null;
    const time = parseIsoTime(t, 0, t.length);
    const status = typeof st === "number" ? st : typeof st === "string" ? parseStatus(st, 0, st.length) : st === null ? 0 : NaN;
    if (Number.isNaN(time) || Number.isNaN(status) || p === NO_VALUE) return null;
    return { time, method: str(o[k.method]), path: pagePath(p), status, visitor: str(o[k.visitor]), session: str(o[k.session]) };
  };
  return { name: "envoy-json", parse, hasVisitor: true, hasSession: true };
}
