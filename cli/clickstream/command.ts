// `clicktrail clickstream LOG… [--format envoy|envoy-json|apache "LOGFORMAT"] [--by session|visitor]
// [--idle 30m] [--top N] [--html FILE] [--json]`: access logs in, click streams out.
import { writeFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { Analyzer, isPageView, type SessionKey } from "./analyze.js";
import { apacheFormat, envoyFormat, envoyJsonFormat, type LogFormat } from "./formats.js";
import { readLogs } from "./input.js";
import { jsonReport, textReport, type FullReport } from "./report.js";
import { htmlReport } from "./report-html.js";

export const usage =
  'clicktrail clickstream LOG... [--format envoy|envoy-json|apache "LOGFORMAT"] [--by session|visitor] [--idle 30m] [--top N] [--html FILE] [--json]';

export class ClickstreamUsageError extends Error {}

/** `30m`, `90s`, `1h30m`, `2d`, a bare number of seconds. */
export function parseIdle(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };
  let ms = 0;
  const re = /(\d+)(ms|s|m|h|d)/gy;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    ms += Number(m[1]) * unit[m[2]];
    at = re.lastIndex;
  }
  if (text === "" || at !== text.length || ms <= 0) {
    throw new ClickstreamUsageError(`--idle must be a duration such as 30m, 90s, 1h30m or 2d, got "${text}"`);
  }
  return ms;
}

export interface ClickstreamOptions {
  files: string[];
  format: LogFormat;
  by?: SessionKey;
  idleMs?: number;
  top?: number;
  stdin?: Readable;
  progress?: ((line: string | null) => void) | null;
}

/** Reads the logs and analyses them: what the command prints, as data. */
export async function clickstream(opts: ClickstreamOptions): Promise<FullReport> {
  const f = opts.format;
  const by = opts.by ?? (f.hasSession ? "session" : "visitor");
  if (by === "session" && !f.hasSession) throw new ClickstreamUsageError("--by session needs a ClickPath session in the log (Apache %{SESSION}e); this format has none");
  if (by === "visitor" && !f.hasVisitor) throw new ClickstreamUsageError("--by visitor needs a tracking id in the log (Apache %{cookie}n); this format has none");
  const analyzer = new Analyzer({ by, idleMs: opts.idleMs ?? 30 * 60000, top: opts.top, countVisitors: f.hasVisitor });
  const input = await readLogs({
    files: opts.files,
    format: f.name,
    parse: f.parse,
    onHit: (h) => analyzer.add(h),
    stdin: opts.stdin,
    progress: opts.progress,
    openSessions: () => analyzer.openSessions,
  });
  return { input, report: analyzer.finish() };
}

/** The page views of one session (or visitor), in the order the log has them. */
export async function pathOf(files: string[], format: LogFormat, key: { session?: string; visitor?: string }): Promise<Array<{ time: number; path: string }>> {
  const out: Array<{ time: number; path: string }> = [];
  await readLogs({
    files,
    format: format.name,
    parse: format.parse,
    onHit: (h) => {
      if (key.session !== undefined && h.session !== key.session) return;
      if (key.visitor !== undefined && h.visitor !== key.visitor) return;
      if (isPageView(h)) out.push({ time: h.time, path: h.path });
    },
  });
  return out;
}

/** The arguments as options; usage errors name the offending argument. */
export function parseArgs(args: string[]): ClickstreamOptions & { html: string | null; json: boolean } {
  const files: string[] = [];
  let format: LogFormat | null = null;
  let by: SessionKey | undefined;
  let idleMs: number | undefined;
  let top: number | undefined;
  let html: string | null = null;
  let json = false;
  const value = (i: number, name: string) => {
    if (i >= args.length) throw new ClickstreamUsageError(`${name} needs a value`);
    return args[i];
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--json") json = true;
    else if (a === "--format") {
      const kind = value(++i, "--format");
      try {
        if (kind === "envoy") {
          // An optional custom Envoy format follows when the next argument has command operators in it.
          if (i + 1 < args.length && /%[A-Z_]+(\(|%)/.test(args[i + 1])) format = envoyFormat(args[++i]);
          else format = envoyFormat();
        } else if (kind === "envoy-json") format = envoyJsonFormat();
        else if (kind === "apache") format = apacheFormat(value(++i, "--format apache"));
        else throw new ClickstreamUsageError(`--format must be envoy, envoy-json or apache "LOGFORMAT", got "${kind}"`);
      } catch (e) {
        if (e instanceof ClickstreamUsageError) throw e;
        throw new ClickstreamUsageError((e as Error).message);
      }
    } else if (a === "--by") {
      const v = value(++i, "--by");
      if (v !== "session" && v !== "visitor") throw new ClickstreamUsageError(`--by must be session or visitor, got "${v}"`);
      by = v;
    } else if (a === "--idle") idleMs = parseIdle(value(++i, "--idle"));
    else if (a === "--top") {
      const v = value(++i, "--top");
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new ClickstreamUsageError(`--top must be a positive integer, got "${v}"`);
      top = Number(v);
    } else if (a === "--html") html = value(++i, "--html");
    else if (a.startsWith("--")) throw new ClickstreamUsageError(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length === 0) throw new ClickstreamUsageError("no log file given (use - for standard input)");
  return { files, format: format ?? envoyFormat(), by, idleMs, top, html, json };
}

/** Runs the command; resolves to the exit code. */
export async function clickstreamCommand(args: string[], io: {
  out?: (s: string) => void;
  err?: (s: string) => void;
  stdin?: Readable;
  tty?: boolean;
} = {}): Promise<number> {
  const out = io.out ?? ((s: string) => void process.stdout.write(s));
  const err = io.err ?? ((s: string) => void process.stderr.write(s));
  const opts = parseArgs(args);
  const tty = io.tty ?? Boolean(process.stderr.isTTY);
  const progress = tty ? (line: string | null) => err(line === null ? "\r\x1b[K" : "\r\x1b[K" + line) : null;
  const full = await clickstream({ ...opts, stdin: io.stdin, progress });
  out(opts.json ? jsonReport(full) : textReport(full));
  if (opts.html !== null) writeFileSync(opts.html, htmlReport(full));
  return 0;
}
