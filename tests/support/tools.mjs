// The Go tools and modules of the Istio tests (scripts/tools-paths.mjs; `npm run tools:install` puts them in
// `.tools/`). Without them a suite prints one `SKIPPED: …` line and skips; with ENVOY_REQUIRED=1 (set by
// .ci/run, which also runs tools:install) a missing tool is a failure instead, as for Envoy.
import { existsSync } from "node:fs";
import { toolPaths } from "../../scripts/tools-paths.mjs";

export const root = new URL("../../", import.meta.url).pathname;
export const tools = toolPaths(root);

/** `skip` for a suite that needs the named entries of toolPaths (e.g. "oras", "istioCrds"). */
export function toolsSkip(suite, ...names) {
  const missing = names.filter((n) => !existsSync(tools[n]));
  if (missing.length === 0 || process.env.ENVOY_REQUIRED === "1") return false;
  const why = `${suite} (missing ${missing.map((n) => tools[n]).join(", ")}: run \`npm run tools:install\`)`;
  console.log(`SKIPPED: ${why}`);
  return why;
}
