// What every subcommand shares: the Command shape, usage errors and flag parsing. Kept apart from
// cli/cli.ts (which re-exports it) so a command module can be imported on its own without a cycle.
import { readFileSync } from "node:fs";

export interface Command {
  summary: string;
  usage: string;
  /** Resolves to the process exit code; a long-running command resolves when it stops. */
  run(args: string[]): Promise<number>;
}

export class UsageError extends Error {}

/** Parses `--name value` / `--name=value` flags; bare words are returned as positionals. */
export function parseFlags(args: string[], known: string[]): { flags: Map<string, string>; positionals: string[] } {
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
    let value: string;
    if (eq >= 0) value = a.slice(eq + 1);
    else {
      if (i + 1 >= args.length) throw new UsageError(`--${name} needs a value`);
      value = args[++i];
    }
    flags.set(name, value);
  }
  return { flags, positionals };
}

/** --config takes inline JSON (starting with { or [) or a file path. */
export function readConfigArg(value: string | undefined): string {
  if (value === undefined) return "";
  const t = value.trimStart();
  if (t.startsWith("{") || t.startsWith("[")) return value;
  try {
    return readFileSync(value, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read --config file ${value}: ${(e as Error).message}`);
  }
}

/** The text of input FILE, "-" meaning stdin; a usage error naming it when it cannot be read. */
export function readInputFile(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}
