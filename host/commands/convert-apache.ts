// `clicktrail convert-apache FILE`: Apache directives → a clicktrail JSON configuration on stdout.
// Each directive family (usertrack now; ClickPath and the mod_session family register theirs in
// FAMILIES) maps its directives to keys of one section. The result is then checked by the filter itself
// (build/clicktrail.wasm in the project's host), so a value is judged by exactly the rules Envoy will
// apply, and each of the filter's errors is reported against the line of the directive that set the key.
// Errors go to stderr as `FILE:LINE: message`; the exit code is 1 when there is any.
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { parseApacheConfig, type Directive } from "../convert/apache-config.js";
import { USERTRACK_DIRECTIVES, finishUsertrack, type Section } from "../convert/usertrack.js";
import { Host } from "../envoy/host.js";

interface Family {
  section: string;
  directives: Record<string, { key: string; handle: (d: Directive, out: Section) => string | null }>;
  finish(out: Section): Section;
}

export const FAMILIES: Family[] = [
  { section: "usertrack", directives: USERTRACK_DIRECTIVES, finish: finishUsertrack },
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export const usage = "clicktrail convert-apache FILE [--wasm FILE]";

export interface Conversion { config: Record<string, Section>; errors: { line: number; message: string }[] }

/** Converts configuration text; `check` (the filter's own validation) runs when a wasm file is given. */
export async function convertApache(text: string, wasm: string | null): Promise<Conversion> {
  const { directives, errors } = parseApacheConfig(text);
  const config: Record<string, Section> = {};
  const lineOfKey = new Map<string, number>();
  for (const d of directives) {
    const lower = d.name.toLowerCase();
    const family = FAMILIES.find((f) => lower in f.directives);
    if (!family) {
      errors.push({ line: d.line, message: `unknown directive ${d.name} (only usertrack${FAMILIES.length > 1 ? ", " + FAMILIES.slice(1).map((f) => f.section).join(", ") : ""} directives are converted)` });
      continue;
    }
    if (d.sections.length) {
      errors.push({ line: d.line, message: `${d.name} inside ${d.sections[d.sections.length - 1]}: clicktrail has one configuration per filter; put per-route settings in Envoy's per-route configuration (docs/compat.md)` });
      continue;
    }
    const entry = family.directives[lower];
    const out = (config[family.section] ??= {});
    const problem = entry.handle(d, out);
    if (problem) errors.push({ line: d.line, message: problem });
    else lineOfKey.set(`${family.section}.${entry.key}`, d.line);
  }
  for (const f of FAMILIES) if (config[f.section]) config[f.section] = f.finish(config[f.section]);
  if (wasm && errors.length === 0) {
    const host = await Host.create({ wasm, config: JSON.stringify(config), logLevel: "error" });
    if (!host.configured) {
      const prefix = "clicktrail: invalid configuration: ";
      for (const l of host.logs) {
        if (!l.message.startsWith(prefix)) continue;
        const message = l.message.slice(prefix.length);
        const key = message.slice(0, message.indexOf(":"));
        errors.push({ line: lineOfKey.get(key) ?? 0, message });
      }
    }
  }
  errors.sort((a, b) => a.line - b.line);
  return { config, errors };
}

export async function convertApacheCommand(args: string[], out: (s: string) => void = (s) => process.stdout.write(s),
                                           err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  let file: string | null = null;
  let wasm = resolve(root, "build", "clicktrail.wasm");
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--wasm") { wasm = args[++i] ?? ""; continue; }
    if (a.startsWith("--wasm=")) { wasm = a.slice(7); continue; }
    if (a.startsWith("--") || file !== null) { err(`usage: ${usage}\n`); return 2; }
    file = a;
  }
  if (file === null) { err(`usage: ${usage}\n`); return 2; }
  let text: string;
  try { text = readFileSync(file, "utf8"); } catch (e) { err(`clicktrail convert-apache: cannot read ${file}: ${(e as Error).message}\n`); return 2; }
  if (!existsSync(wasm)) { err(`clicktrail convert-apache: ${wasm} is missing: run npm run build\n`); return 2; }
  const { config, errors } = await convertApache(text, wasm);
  for (const e of errors) err(`${file}:${e.line}: ${e.message}\n`);
  if (errors.length) return 1;
  out(JSON.stringify(config, null, 2) + "\n");
  return 0;
}
