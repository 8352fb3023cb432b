#!/usr/bin/env node
// Copies envoy/clicktrail.json into the deployment files that embed it: the StringValue blocks of
// envoy/envoy.yaml and envoy/istio/envoyfilter.yaml (verbatim), the pluginConfig of
// envoy/istio/wasmplugin.yaml (as YAML) and the proxy_wasm argument of envoy/nginx/nginx.conf (one line).
// Everything else in those files is left as written.
//
//   node scripts/deploy-configs.mjs           after editing envoy/clicktrail.json (npm run deploy-configs)
//   node scripts/deploy-configs.mjs --check   exit 1 when a file differs from what it would write
import { readFileSync, writeFileSync } from "node:fs";
import YAML from "yaml";

const root = new URL("..", import.meta.url).pathname;
const configText = readFileSync(`${root}envoy/clicktrail.json`, "utf8");
const config = JSON.parse(configText);

/** Replaces the indented block after the line `<indent>value: |` that follows a StringValue @type line. */
function embedStringValue(text) {
  const m = /^( *)"@type": type\.googleapis\.com\/google\.protobuf\.StringValue\n\1value: \|\n/m.exec(text);
  if (!m) throw new Error("no StringValue block");
  const indent = m[1] + "  ";
  const start = m.index + m[0].length;
  let consumed = 0;
  for (const line of text.slice(start).split("\n")) {
    if (line !== "" && !line.startsWith(indent)) break;
    consumed += line.length + 1;
  }
  // Trailing blank lines belong to what follows.
  const end = start + text.slice(start, start + consumed).replace(/\n+$/, "\n").length;
  const body = configText.split("\n").map((l) => (l ? indent + l : l)).join("\n").replace(/\n+$/, "\n");
  return text.slice(0, start) + body + text.slice(end);
}

function embedPluginConfig(text) {
  const m = /^( *)pluginConfig:\n/m.exec(text);
  if (!m) throw new Error("no pluginConfig");
  const indent = m[1] + "  ";
  const start = m.index + m[0].length;
  const rest = text.slice(start).split("\n");
  let consumed = 0;
  for (const line of rest) {
    if (line !== "" && !line.startsWith(indent)) break;
    consumed += line.length + 1;
  }
  const block = text.slice(start, start + consumed).replace(/\n+$/, "\n");
  const yaml = YAML.stringify(config, { indent: 2, lineWidth: 0 }).split("\n").map((l) => (l ? indent + l : l)).join("\n").replace(/\n+$/, "\n");
  return text.slice(0, start) + yaml + text.slice(start + block.length);
}

function embedNginx(text) {
  const line = JSON.stringify(config);
  if (line.includes("'") || line.includes("\\")) throw new Error("the configuration holds ' or \\, which the single-quoted nginx argument cannot carry as is");
  return text.replace(/^(\s*proxy_wasm\s+clicktrail\s+)'[^']*';/m, (_, head) => `${head}'${line}';`);
}

const targets = [
  ["envoy/envoy.yaml", embedStringValue],
  ["envoy/istio/envoyfilter.yaml", embedStringValue],
  ["envoy/istio/wasmplugin.yaml", embedPluginConfig],
  ["envoy/nginx/nginx.conf", embedNginx],
];
const check = process.argv.includes("--check");
let stale = 0;
for (const [file, embed] of targets) {
  const before = readFileSync(`${root}${file}`, "utf8");
  const after = embed(before);
  if (after === before) continue;
  if (check) {
    console.error(`${file} does not embed envoy/clicktrail.json: run npm run deploy-configs`);
    stale++;
  } else {
    writeFileSync(`${root}${file}`, after);
    console.error(`updated ${file}`);
  }
}
process.exit(stale ? 1 : 0);
