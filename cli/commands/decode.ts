// `clicktrail decode ID [--config FILE]`: prints the fields of a clickpath session id as JSON. The decoding
// is the filter's own AssemblyScript (assembly/clickpath/describe.ts) built as build/clickpath-tools.wasm.
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, resolve } from "node:path";
import type { Command } from "./args.js";

type Tools = { decode(id: string, config: string, now: number): string };

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

async function loadTools(): Promise<Tools> {
  const glue = resolve(root, "build", "clickpath-tools.js");
  if (!existsSync(glue)) throw new Error(`${glue} is missing: run npm run build`);
  return (await import(pathToFileURL(glue).href)) as Tools;
}

export const usage = "clicktrail decode ID [--config FILE_OR_JSON]";

/** The fields of a session id, as `clicktrail decode` prints them (the demo shows them on every page). */
export async function decodeId(id: string, config = "", now: number = Math.floor(Date.now() / 1000)): Promise<Record<string, unknown>> {
  const tools = await loadTools();
  return JSON.parse(tools.decode(id, config, now)) as Record<string, unknown>;
}

/** Runs the command; returns the process exit code. Output goes to `out` (stdout by default). */
export async function decodeCommand(args: string[], out: (line: string) => void = (l) => process.stdout.write(l + "\n"),
                                    err: (line: string) => void = (l) => process.stderr.write(l + "\n"),
                                    now: number = Math.floor(Date.now() / 1000)): Promise<number> {
  let id: string | null = null;
  let config = "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--config") {
      const v = args[++i];
      if (v === undefined) { err("--config needs a file or JSON"); return 2; }
      config = v.trimStart().startsWith("{") ? v : readFileSync(v, "utf8");
    } else if (a.startsWith("--config=")) {
      const v = a.slice("--config=".length);
      config = v.trimStart().startsWith("{") ? v : readFileSync(v, "utf8");
    } else if (a.startsWith("--") && a.length > 2) {
      err(`unknown option ${a}\nusage: ${usage}`);
      return 2;
    } else if (id === null) {
      id = a;
    } else {
      err(`one id at a time\nusage: ${usage}`);
      return 2;
    }
  }
  if (id === null) { err(`usage: ${usage}`); return 2; }
  const tools = await loadTools();
  const json = tools.decode(id, config, now);
  const parsed = JSON.parse(json);
  out(JSON.stringify(parsed, null, 2));
  if (parsed.error) return 2;
  return parsed.valid ? 0 : 1;
}

/** The command-table entry for `clicktrail decode`. */
export const decode: Command = {
  summary: "print the fields of a clickpath session id as JSON",
  usage,
  run: (args) => decodeCommand(args),
};
