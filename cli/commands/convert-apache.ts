// `clicktrail convert-apache FILE`: prints the clicktrail configuration equivalent to the mod_usertrack,
// Apache2::ClickPath and mod_session directives in an Apache httpd configuration file. The conversion
// (cli/apache/convert.ts) copies values; the result is then judged by the filter itself, and each of its
// complaints is reported against the Apache line the value came from. Errors go to stderr as
// FILE:LINE: message and the exit code is 1; warnings (FILE:LINE: warning: ...) and notes about skipped
// directives (FILE:LINE: note: ...) go to stderr too.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { convertApache as convertDirectives, lineOf, type ConversionResult, type Diagnostic } from "../apache/convert.js";
import { UsageError, parseFlags, readInputFile, type Command } from "./args.js";
import { checkWithFilter } from "./validate.js";
import { DEFAULT_WASM } from "./paths.js";

export interface ConvertReport extends ConversionResult {
  /** The filter's complaints about the converted values, each placed on its Apache line. */
  filterErrors: Array<Diagnostic & { path: string }>;
}

/** Converts and, unless `check` is false, runs the result through the filter's on_configure. */
export async function convertAndCheck(text: string, opts: { baseDir?: string; wasm?: string; check?: boolean; sessionEnvHeader?: string } = {}):
  Promise<ConvertReport> {
  const baseDir = opts.baseDir ?? process.cwd();
  const result = convertDirectives(text, {
    sessionEnvHeader: opts.sessionEnvHeader,
    readFile: (p) => {
      try {
        return readFileSync(isAbsolute(p) ? p : resolve(baseDir, p), "utf8");
      } catch {
        return null;
      }
    },
  });
  const filterErrors: ConvertReport["filterErrors"] = [];
  if (result.errors.length === 0 && opts.check !== false) {
    const filter = await checkWithFilter(JSON.stringify(result.config), opts.wasm ?? DEFAULT_WASM);
    for (const e of filter.errors) filterErrors.push({ line: lineOf(result.lines, e.path), path: e.path, message: e.message });
    filterErrors.sort((a, b) => a.line - b.line);
  }
  return { ...result, filterErrors };
}

/** Text in, the configuration and every error (the converter's and the filter's, "path: message") by line;
 *  the filter check runs when a wasm file is given. Warnings and notes are left out. */
export async function convertApache(text: string, wasm: string | null): Promise<{ config: ConversionResult["config"]; errors: Diagnostic[] }> {
  const r = await convertAndCheck(text, { wasm: wasm ?? undefined, check: wasm !== null });
  const errors = [...r.errors, ...r.filterErrors.map((e) => ({ line: e.line, message: `${e.path}: ${e.message}` }))];
  errors.sort((a, b) => a.line - b.line);
  return { config: r.config, errors };
}

export const convertApacheCommand: Command = {
  summary: "turn mod_usertrack, ClickPath and mod_session directives into a clicktrail configuration",
  usage: "clicktrail convert-apache FILE [--wasm FILE] [--no-check] [--session-env-header NAME]   (FILE may be - for stdin)",
  async run(args) {
    const noCheck = args.includes("--no-check");
    const { flags, positionals } = parseFlags(args.filter((a) => a !== "--no-check"), ["wasm", "session-env-header"]);
    if (positionals.length !== 1) throw new UsageError("expected exactly one Apache configuration FILE");
    const file = positionals[0];
    const text = readInputFile(file);
    const report = await convertAndCheck(text, {
      baseDir: file === "-" ? process.cwd() : dirname(resolve(file)),
      wasm: flags.get("wasm"),
      check: !noCheck,
      sessionEnvHeader: flags.get("session-env-header"),
    });
    const name = file === "-" ? "(stdin)" : file;
    const at = (line: number) => (line > 0 ? `${name}:${line}` : name);
    const stderr: string[] = [];
    for (const n of report.notes) stderr.push(`${at(n.line)}: note: ${n.message}`);
    for (const w of report.warnings) stderr.push(`${at(w.line)}: warning: ${w.message}`);
    for (const e of report.errors) stderr.push(`${at(e.line)}: ${e.message}`);
    for (const e of report.filterErrors) stderr.push(`${at(e.line)}: ${e.path}: ${e.message}`);
    const failed = report.errors.length + report.filterErrors.length;
    if (stderr.length) process.stderr.write(stderr.sort(byLine).join("\n") + "\n");
    if (failed) return 1;
    process.stdout.write(JSON.stringify(report.config, null, 2) + "\n");
    return 0;
  },
};

/** Orders diagnostics by line number (stable for equal lines). */
function byLine(a: string, b: string): number {
  const la = Number(/:(\d+): /.exec(a)?.[1] ?? 0);
  const lb = Number(/:(\d+): /.exec(b)?.[1] ?? 0);
  return la - lb;
}
