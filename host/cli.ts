// `clicktrail <command> ...`: a small table of subcommands. bin/clicktrail.mjs calls main(); other parts of
// the project add their commands to `commands` (name → summary, usage, run) and nothing else changes.
import { convertApacheCommand, usage as CONVERT_USAGE } from "./commands/convert-apache.js";
import { readFileSync } from "node:fs";
import { LOG_LEVEL_NAMES, type LogLevelName } from "./abi/constants.js";
import { startProxy } from "./server/proxy.js";
import { decodeCommand, usage as DECODE_USAGE } from "./commands/decode.js";

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

function positiveInt(name: string, v: string | undefined, dflt: number | undefined): number | undefined {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--${name} must be a positive integer, got "${v}"`);
  return Number(v);
}

function choice<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${name} must be one of ${allowed.join("|")}, got "${v}"`);
  return v as T;
}

const PROXY_USAGE = `clicktrail proxy --wasm FILE --config FILE_OR_JSON --listen HOST:PORT --upstream URL
    [--workers N] [--chunk-size N] [--vm-id ID] [--failure-policy fail_closed|fail_open]
    [--profile envoy|nginx] [--log-level trace|debug|info|warn|error]`;

export const commands: Record<string, Command> = {
  decode: {
    summary: "print the fields of a clickpath session id as JSON",
    usage: DECODE_USAGE,
    run: (args) => decodeCommand(args),
  },
  proxy: {
    summary: "run any proxy-wasm module in front of an upstream, as Envoy would",
    usage: PROXY_USAGE,
    async run(args) {
      const { flags } = parseFlags(args, [
        "wasm", "config", "listen", "upstream", "workers", "chunk-size", "vm-id", "failure-policy", "profile", "log-level",
      ]);
      for (const required of ["wasm", "listen", "upstream"]) {
        if (!flags.has(required)) throw new UsageError(`--${required} is required`);
      }
      const proxy = await startProxy({
        wasm: flags.get("wasm")!,
        config: readConfigArg(flags.get("config")),
        listen: flags.get("listen")!,
        upstream: flags.get("upstream")!,
        workers: positiveInt("workers", flags.get("workers"), 1),
        chunkSize: positiveInt("chunk-size", flags.get("chunk-size"), undefined),
        vmId: flags.get("vm-id"),
        failurePolicy: choice("failure-policy", flags.get("failure-policy"), ["fail_closed", "fail_open"] as const),
        profile: choice("profile", flags.get("profile"), ["envoy", "nginx"] as const),
        logLevel: choice("log-level", flags.get("log-level"), LOG_LEVEL_NAMES.slice(0, 5) as unknown as LogLevelName[]),
      });
      process.stdout.write(`clicktrail proxy listening on ${proxy.url} -> ${flags.get("upstream")}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          void proxy.close().then(resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      return 0;
    },
  },
  "convert-apache": {
    summary: "turn Apache directives (usertrack so far) into a clicktrail JSON config",
    usage: CONVERT_USAGE,
    run: (args) => convertApacheCommand(args),
  },
};

export function usage(): string {
  const lines = ["usage: clicktrail <command> [options]", "", "commands:"];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(16)} ${c.summary}`);
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage() + "\n");
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`clicktrail: unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`clicktrail ${name}: ${e.message}\nusage: ${cmd.usage}\n`);
      return 2;
    }
    process.stderr.write(`clicktrail ${name}: ${(e as Error).message}\n`);
    return 1;
  }
}
