// The configuration key tables for Node (build/config-keys.wasm, JS glue from asc --bindings): what
// scripts/schema.mjs and tests/deploy/schema-keys.test.mjs read, so that the JSON Schema and the reference
// tables of docs/configuration.md come from the very rows the filter's readers use (config/keys/key.ts).
import { sectionsJson, unlistedJson } from "../config/keys";

/** Every section's key table as JSON: an array of keys, objects holding theirs under "keys". */
export function configKeys(): string {
  return sectionsJson();
}

/** Names of rows defined in config/keys/ that no table lists, as a JSON array (empty when all is well). */
export function unlistedKeys(): string {
  return unlistedJson();
}
