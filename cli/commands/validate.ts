// `clicktrail validate FILE`: checks a plugin configuration twice — against envoy/clicktrail.schema.json
// (what editors and CI linters see) and against the filter itself, by running build/clicktrail.wasm's
// proxy_on_configure in the Host exactly as Envoy would. The filter is the authority; the schema is there
// so mistakes show up before anything runs. Every error is printed with its JSON path.
import { existsSync, readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { Host } from "../../host/index.js";
import { UsageError, parseFlags, readInputFile, type Command } from "./args.js";
import { DEFAULT_WASM, SCHEMA_FILE } from "./paths.js";

export interface ConfigError {
  /** JSON path in the filter's notation: `usertrack.cookie_name`, `clickpath.ua_exceptions[0].pattern`, `(root)`. */
  path: string;
  message: string;
}

export interface ValidationReport {
  ok: boolean;
  schemaErrors: ConfigError[];
  filterErrors: ConfigError[];
  /** Sections the filter turned on (only when ok). */
  enabled: string[];
}

let compiled: ValidateFunction | null = null;

/** The compiled schema (compiled once per process). */
export function schemaValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strict: true, verbose: true });
    compiled = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")));
  }
  return compiled;
}

const FILTER_PREFIX = "clicktrail: invalid configuration: ";

/** Splits one of the filter's "path: message" lines. Unknown keys may hold any text, so they are cut from the end. */
export function splitFilterMessage(line: string): ConfigError {
  if (line.endsWith(": unknown key")) return { path: line.slice(0, -": unknown key".length), message: "unknown key" };
  if (line.startsWith("invalid JSON")) return { path: "(root)", message: line };
  const i = line.indexOf(": ");
  return i < 0 ? { path: "(root)", message: line } : { path: line.slice(0, i), message: line.slice(i + 2) };
}

/** Runs proxy_on_configure on the configuration and collects the filter's own error lines. */
export async function checkWithFilter(text: string, wasm: string = DEFAULT_WASM): Promise<{ ok: boolean; errors: ConfigError[] }> {
  if (!existsSync(wasm)) throw new Error(`${wasm} is missing: run npm run build (or pass --wasm FILE)`);
  const host = await Host.create({ wasm, config: text, workers: 1, logLevel: "info" });
  try {
    const errors = host.logs
      .filter((e) => e.level === "error" && !e.host && e.message.startsWith(FILTER_PREFIX))
      .map((e) => splitFilterMessage(e.message.slice(FILTER_PREFIX.length)));
    if (!host.configured && errors.length === 0) {
      // A refusal the filter did not explain (a trap, a missing export): show what the host saw.
      for (const e of host.logs) if (e.level === "error" || e.level === "critical") errors.push({ path: "(root)", message: e.message });
    }
    return { ok: host.configured, errors };
  } finally {
    host.close();
  }
}

/** A JSON pointer into `data` in the filter's path notation (array indices in brackets). */
function pointerToPath(pointer: string, data: unknown): string {
  if (pointer === "") return "";
  let out = "";
  let node: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) {
      out += `[${seg}]`;
      node = node[Number(seg)];
    } else {
      out += out ? "." + seg : seg;
      node = node && typeof node === "object" ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Turns ajv's errors into one readable line per problem. */
export function formatSchemaErrors(errors: ErrorObject[], data: unknown): ConfigError[] {
  // Branch errors under an anyOf, and the if/else bookkeeping, restate what the anyOf line says.
  const anyOfs = errors.filter((e) => e.keyword === "anyOf").map((e) => e.schemaPath + "/");
  const described = errors
    .filter((e) => e.schemaPath.includes("/allOf/") && typeof (e.parentSchema as { description?: unknown })?.description === "string")
    .map((e) => e.schemaPath.slice(0, e.schemaPath.lastIndexOf("/") + 1));
  const out: ConfigError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === "if") continue;
    if (anyOfs.some((p) => e.schemaPath.startsWith(p))) continue;
    const ownPrefix = e.schemaPath.slice(0, e.schemaPath.lastIndexOf("/") + 1);
    if (described.some((p) => e.schemaPath.startsWith(p) && p.length < ownPrefix.length)) continue;
    const path = pointerToPath(e.instancePath, data);
    const parent = e.parentSchema as { description?: string; anyOf?: Array<{ enum?: unknown[] }> } | undefined;
    let item: ConfigError;
    if (e.keyword === "additionalProperties") {
      item = { path: join(path, String((e.params as { additionalProperty: string }).additionalProperty)), message: "unknown key" };
    } else if (e.keyword === "required") {
      item = { path: join(path, String((e.params as { missingProperty: string }).missingProperty)), message: "is required" };
    } else if (e.schemaPath.includes("/allOf/") && parent?.description) {
      item = { path, message: parent.description };
    } else if (e.keyword === "anyOf" && parent?.description && !parent.anyOf?.some((b) => Array.isArray(b.enum))) {
      // A rule written as alternatives (e.g. a length in bytes of UTF-8): its description says it in words.
      item = { path, message: parent.description };
    } else if (e.keyword === "anyOf" && parent?.anyOf?.some((b) => Array.isArray(b.enum))) {
      const values = parent.anyOf.find((b) => Array.isArray(b.enum))!.enum!;
      item = { path, message: `must be one of ${values.map((v) => JSON.stringify(v)).join(", ")} (any letter case)` };
    } else if (e.keyword === "type") {
      const t = (e.params as { type: string | string[] }).type;
      const types = (Array.isArray(t) ? t : String(t).split(",")).filter((x) => x !== "null");
      item = { path, message: `must be ${types.length ? types.join(" or ") : "null"}` };
    } else {
      item = { path, message: e.message ?? e.keyword };
    }
    const key = `${item.path}\u0000${item.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path: item.path || "(root)", message: item.message });
    }
  }
  return out;
}

/** Checks configuration text against the schema. Blank text is the filter's "every feature off". */
export function checkWithSchema(text: string): { ok: boolean; errors: ConfigError[] } {
  if (text.trim() === "") return { ok: true, errors: [] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [{ path: "(root)", message: `invalid JSON: ${(e as Error).message}` }] };
  }
  const validate = schemaValidator();
  if (validate(data)) return { ok: true, errors: [] };
  return { ok: false, errors: formatSchemaErrors(validate.errors ?? [], data) };
}

/** Both checks on one configuration text. */
export async function validateConfig(text: string, wasm: string = DEFAULT_WASM): Promise<ValidationReport> {
  const schema = checkWithSchema(text);
  const filter = await checkWithFilter(text, wasm);
  let enabled: string[] = [];
  if (filter.ok && text.trim() !== "") {
    const data = JSON.parse(text) as Record<string, { enabled?: boolean } | null>;
    enabled = ["usertrack", "clickpath", "session"].filter((k) => data[k] != null && data[k]!.enabled !== false);
  }
  return { ok: schema.ok && filter.ok, schemaErrors: schema.errors, filterErrors: filter.errors, enabled };
}

export const validateCommand: Command = {
  summary: "check a configuration against the JSON schema and the filter's own rules",
  usage: "clicktrail validate FILE [--wasm FILE]   (FILE may be - for stdin)",
  async run(args) {
    const { flags, positionals } = parseFlags(args, ["wasm"]);
    if (positionals.length !== 1) throw new UsageError("expected exactly one configuration FILE");
    const file = positionals[0];
    const text = readInputFile(file);
    const report = await validateConfig(text, flags.get("wasm") ?? DEFAULT_WASM);
    const name = file === "-" ? "(stdin)" : file;
    if (report.ok) {
      const on = report.enabled.length ? report.enabled.join(", ") : "no feature enabled";
      process.stdout.write(`${name}: valid (${on})\n`);
      return 0;
    }
    process.stdout.write(`${name}: invalid\n`);
    for (const e of report.schemaErrors) process.stdout.write(`  schema  ${e.path}: ${e.message}\n`);
    for (const e of report.filterErrors) process.stdout.write(`  filter  ${e.path}: ${e.message}\n`);
    if (report.filterErrors.length === 0) process.stdout.write("  (the filter itself accepts this configuration)\n");
    if (report.schemaErrors.length === 0) process.stdout.write("  (the schema cannot express this rule; the filter is the authority)\n");
    return 1;
  },
};
