// Files the commands ship with, found from the package root (this file compiles to dist/cli/commands/),
// so `npx clicktrail ...` works from any directory.
import { fileURLToPath } from "node:url";

export const packageRoot = fileURLToPath(new URL("../../../", import.meta.url));

export function packagePath(rel: string): string {
  return fileURLToPath(new URL(rel, new URL("../../../", import.meta.url)));
}

export const DEFAULT_WASM = packagePath("build/clicktrail.wasm");
export const SCHEMA_FILE = packagePath("envoy/clicktrail.schema.json");
export const DEMO_CONFIG = packagePath("envoy/clicktrail.json");
