// `clicktrail proxy`: any proxy-wasm module in front of an upstream, on the host's dev proxy
// (host/server/proxy.ts), until SIGINT or SIGTERM.
import { LOG_LEVEL_NAMES, parseClusterArg, startProxy, type LogLevelName } from "../../host/index.js";
import { UsageError, parseFlags, readConfigArg, type Command } from "./args.js";

export const usage = `clicktrail proxy --wasm FILE --config FILE_OR_JSON --listen HOST:PORT --upstream URL
    [--workers N] [--chunk-size N] [--vm-id ID] [--failure-policy fail_closed|fail_open]
    [--profile envoy|nginx] [--log-level trace|debug|info|warn|error] [--cluster NAME=URL[,URL...]]...
    [--access-log FILE]`;

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

/** Every value of a flag that may be given more than once (parseFlags keeps the last). */
function repeatedFlag(args: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}` && i + 1 < args.length) out.push(args[++i]);
    else if (args[i].startsWith(`--${name}=`)) out.push(args[i].slice(name.length + 3));
  }
  return out;
}

function clustersOf(args: string[]): Record<string, URL[]> {
  const out: Record<string, URL[]> = {};
  for (const a of args) {
    try {
      const { name, members } = parseClusterArg(a);
      out[name] = members;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return out;
}

export const proxyCommand: Command = {
  summary: "run any proxy-wasm module in front of an upstream, as Envoy would",
  usage,
  async run(args) {
    const { flags } = parseFlags(args, [
      "wasm", "config", "listen", "upstream", "workers", "chunk-size", "vm-id", "failure-policy", "profile", "log-level",
      "cluster", "access-log",
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
      clusters: clustersOf(repeatedFlag(args, "cluster")),
      accessLog: flags.get("access-log"),
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
};
