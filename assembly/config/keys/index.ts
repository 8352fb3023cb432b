// The configuration's key tables, one per section (see key.ts for why they are AssemblyScript data).
import { Key, keysJson, unlistedKeys } from "./key";
import { SECTION as USERTRACK } from "./usertrack";
import { SECTION as CLICKPATH } from "./clickpath";
import { SECTION as SESSION } from "./session";

/** The top-level keys: the three sections, in the order the documentation presents them. */
export const SECTIONS: Key[] = [USERTRACK, CLICKPATH, SESSION];

/** Every table as JSON (what assembly/tools/config-keys.ts hands to Node). */
export function sectionsJson(): string {
  return keysJson(SECTIONS);
}

/** Keys defined in keys/*.ts but missing from the tables (should be none: tests/deploy/schema-keys.test.mjs). */
export function unlistedJson(): string {
  const names = unlistedKeys(SECTIONS);
  let out = "[";
  for (let i = 0; i < names.length; i++) out += (i ? "," : "") + "\"" + names[i] + "\"";
  return out + "]";
}
