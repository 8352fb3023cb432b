// `clicktrail <command> ...`: a small table of subcommands. bin/clicktrail.mjs calls main(); each command is
// a module in cli/commands/ (name → summary, usage, run) and adding one is one line here. The commands sit
// above the proxy-wasm host (host/index.ts), which knows nothing of them (docs/host.md).
import { UsageError, type Command } from "./commands/args.js";
import { decode } from "./commands/decode.js";
import { proxyCommand } from "./commands/proxy.js";
import { validateCommand } from "./commands/validate.js";
import { convertApacheCommand } from "./commands/convert-apache.js";
import { demoCommand } from "./commands/demo.js";
import { clickstreamCommand } from "./commands/clickstream.js";

export { UsageError, parseFlags, readConfigArg, type Command } from "./commands/args.js";

export const commands: Record<string, Command> = {
  decode,
  proxy: proxyCommand,
  validate: validateCommand,
  "convert-apache": convertApacheCommand,
  demo: demoCommand,
  clickstream: clickstreamCommand,
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
