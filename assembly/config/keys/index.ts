// The configuration's key tables, one per section (see key.ts for why they are AssemblyScript data).
import { Key, keysJson } from "./key";
import { SECTION as USERTRACK } from "./usertrack";
import { SECTION as CLICKPATH } from "./clickpath";
import { SECTION as SESSION } from "./session";

/** The top-level keys: the three sections, in the order the documentation presents them. */
export const SECTIONS: Key[] = [USERTRACK, CLICKPATH, SESSION];

/** Every table as JSON (what assembly/tools/config-keys.ts hands to Node). */
export function sectionsJson(): string {
  return keysJson(SECTIONS);
}
