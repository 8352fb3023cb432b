#!/usr/bin/env node
// Generates envoy/clicktrail.schema.json, the JSON Schema of the plugin configuration, from the key tables
// the filter's readers use (assembly/config/keys/*.ts, read here through build/config-keys.wasm; see
// assembly/config/keys/key.ts for why). Each row gives a key's type, default, range, choices, pattern and
// description; this script adds what is not one key's business: keywords the filter compares
// case-insensitively (Apache's directives are) become an enum for editors plus an equivalent
// case-insensitive pattern, every optional key accepts null (the filter's reader treats null as absent),
// and the rules between keys (format nginx, mode cookie_first, SameSite=None, a format's ciphers) are
// written below as conditionals. The readers stay the authority: the agreement test
// (tests/deploy/validate.test.mjs) feeds both the same configurations, and tests/deploy/schema-keys.test.mjs
// checks that the committed schema and docs/configuration.md are what this script prints.
//
//   npm run schema                     rebuild the tables, rewrite the schema and the docs' key tables
//   node scripts/schema.mjs --check    exit 1 when a committed file is stale
import { readFileSync, writeFileSync } from "node:fs";
import { NOTES } from "./config-notes.mjs";

const SCHEMA_ID = "https://github.com/clicktrail/clicktrail/envoy/clicktrail.schema.json";

// Character classes (inside [...]) of the conditional rules; the rows' own patterns come with the tables.
/** Visible ASCII without ";" and ",": a cookie attribute value (assembly/config/keys/patterns.ts ATTR). */
const ATTR = "!-+\\--:<-~";
/** C isspace, as Apache splits CookieExpires words. */
const WS = "[ \\t\\n\\v\\f\\r]";
const NWS = "[^ \\t\\n\\v\\f\\r]";

// CookieExpires as mod_usertrack reads it (assembly/codecs/duration.ts parseApacheDuration): a value whose
// first and last characters are digits is its leading number; otherwise an optional word starting with
// "p" ("plus"), then pairs of a word starting with a digit and a unit word (y, mo, w, d, h, mi, s).
const UNIT = "(?:[yYwWdDhHsS]|[mM][oOiI])";
const APACHE_DURATION =
  `\\d(?:[\\s\\S]*\\d)?|${WS}*(?:[pP]${NWS}*(?:${WS}+|$))?(?:\\d${NWS}*${WS}+${UNIT}${NWS}*(?:${WS}+|$))*`;
// nginx's time syntax (parseNginxTime): units y M w d h m s in decreasing order, a trailing bare
// number, one space-separated bare number before it, at least one digit, no "ms".
const NGINX_TIME =
  "(?=[^]*\\d)(?:\\d*y *)?(?:\\d*M *)?(?:\\d*w *)?(?:\\d*d *)?(?:\\d*h *)?(?:\\d*m(?!s) *)?(?:\\d*s *\\d*|(?:\\d* +)?\\d*)";

/** A regex source matching `word` in any letter case. */
function ci(word) {
  let out = "";
  for (const ch of word) {
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    out += lo !== up ? `[${lo}${up}]` : ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return out;
}

/** A keyword compared case-insensitively: the enum is what editors offer, the pattern is the rule. */
function keyword(values, extra = {}) {
  return {
    ...extra,
    type: ["string", "null"],
    anyOf: [{ enum: values }, { type: "string", pattern: `^(?:${values.map(ci).join("|")})$` }, { type: "null" }],
  };
}

/** The key tables as build/config-keys.wasm exports them (`npm run build:config-keys`). */
export async function loadKeyTables() {
  const glue = new URL("../build/config-keys.js", import.meta.url);
  let tools;
  try {
    tools = await import(glue.href);
  } catch (e) {
    throw new Error(`cannot load build/config-keys.js (run npm run build:config-keys): ${e.message}`);
  }
  return JSON.parse(tools.configKeys());
}

/** The schema of one key from its table row. */
function property(key) {
  const nullable = (t) => (key.required ? t : [t, "null"]);
  const dflt = "default" in key ? { default: key.default } : {};
  switch (key.type) {
    case "bool":
      return { description: key.description, type: nullable("boolean"), ...dflt };
    case "int":
      return { description: key.description, type: nullable("integer"), ...dflt, minimum: key.minimum, maximum: key.maximum };
    case "duration":
      return { description: key.description, type: ["integer", "string", "null"], minimum: key.minimum, maximum: key.maximum };
    case "keyword":
      return { description: key.description, ...dflt, ...keyword(key.choices) };
    case "string":
      return {
        description: key.description, type: nullable("string"),
        ...(key.pattern ? { pattern: key.pattern } : {}), ...(key.minLength ? { minLength: key.minLength } : {}), ...dflt,
        // The reader lower-cases before comparing: refused in any letter case.
        ...(key.forbidden ? { not: { type: "string", pattern: `^(?:${key.forbidden.map(ci).join("|")})$` } } : {}),
      };
    case "strings":
      return {
        description: key.description, type: nullable("array"),
        items: { type: "string", ...(key.pattern ? { pattern: key.pattern } : {}) },
        ...(key.required ? {} : { default: [] }), ...(key.minLength ? { minItems: key.minLength } : {}),
      };
    case "object": {
      const required = key.keys.filter((k) => k.required).map((k) => k.name);
      return {
        description: key.description, type: ["object", "null"], additionalProperties: false, properties: properties(key.keys),
        ...(required.length ? { required } : {}),
      };
    }
    case "objects":
      return {
        description: key.description, type: ["array", "null"], default: [],
        items: {
          type: "object", additionalProperties: false, properties: properties(key.keys),
          required: key.keys.filter((k) => k.required).map((k) => k.name),
        },
      };
    default:
      throw new Error(`key ${key.name}: unknown type ${key.type}`);
  }
}

function properties(keys) {
  return Object.fromEntries(keys.map((k) => [k.name, property(k)]));
}

/** Rules a single row cannot state, added to the generated sections. */
function addRules({ usertrack, clickpath, session }) {
  const nginxOnly = Object.keys(usertrack.properties).filter((k) => k.startsWith("nginx_"));
  const isNginx = { properties: { format: { type: "string", pattern: `^${ci("nginx")}$` } }, required: ["format"] };
  usertrack.allOf = [
    {
      if: isNginx,
      then: {
        properties: {
          domain: { description: "must be a domain name of visible ASCII without ';' or ',' (or \"none\")", anyOf: [{ type: "null" }, { type: "string", pattern: `^[${ATTR}]+$` }] },
          expires: {
            description: "must be seconds, nginx time (\"365d\", \"12h 30m\"), an Apache duration (\"2 weeks\"), \"max\" or \"off\"",
            anyOf: [
              { type: ["integer", "null"] },
              { type: "string", pattern: `^(?:max|off|${NGINX_TIME}|${APACHE_DURATION})$` },
            ],
          },
          style: { description: "applies only to format \"apache\" (nginx has one Set-Cookie layout)", anyOf: [{ type: "null" }, { type: "string", pattern: `^${ci("netscape")}$` }] },
        },
      },
      else: {
        properties: {
          domain: {
            description: "CookieDomain values must begin with a dot and contain at least one embedded dot (visible ASCII without ';' or ',')",
            anyOf: [{ type: "null" }, { type: "string", pattern: `^\\.[${ATTR}]*\\.[${ATTR}]*$` }],
          },
          expires: {
            description: "must be seconds or an Apache duration such as \"2 weeks 3 days\" (bad expires code)",
            anyOf: [{ type: ["integer", "null"] }, { type: "string", pattern: `^(?:${APACHE_DURATION})$` }],
          },
          ...Object.fromEntries(nginxOnly.map((k) => [k, { description: "applies only to format \"nginx\"", type: "null" }])),
        },
      },
    },
  ];

  // A secret is at least 16 bytes of UTF-8: 16 characters, or fewer when some take more than one byte.
  clickpath.properties.secrets.items = {
    description: "a secret needs at least 16 bytes", type: "string", anyOf: [{ minLength: 16 }, { minLength: 4, pattern: "[^\\u0000-\\u007f]" }],
  };
  // A friend's name defaults to its host, which must then be a valid name itself.
  clickpath.properties.friendly_sessions.items.allOf = [
    { if: { properties: { name: { type: "string" } }, required: ["name"] }, else: { properties: { host: { description: "without a name the host is the name, so it must consist of letters, digits, \"_\", \".\", \"-\"", type: "string", pattern: clickpath.properties.friendly_sessions.items.properties.name.pattern } } } },
  ];
  // cookie and clean_urls belong to mode cookie_first; SameSite=None needs Secure.
  clickpath.allOf = [
    {
      if: { properties: { mode: { type: "string", pattern: `^${ci("cookie_first")}$` } }, required: ["mode"] },
      else: {
        properties: {
          cookie: { description: "applies only to mode \"cookie_first\"", type: "null" },
          clean_urls: { description: "applies only to mode \"cookie_first\"", type: "null" },
        },
      },
    },
  ];
  clickpath.properties.cookie.allOf = [
    {
      if: { properties: { same_site: { type: "string", pattern: `^${ci("none")}$` } }, required: ["same_site"] },
      then: { properties: { secure: { description: "\"none\" needs secure true: browsers refuse SameSite=None cookies without Secure", enum: [true, null] } } },
    },
  ];

  // Passphrases are non-empty; the ciphers offered depend on the format.
  const crypto = session.properties.crypto;
  crypto.properties.passphrases.items.minLength = 1;
  crypto.allOf = [
    {
      if: { properties: { format: { type: "string", pattern: `^${ci("apache")}$` } }, required: ["format"] },
      then: { properties: { cipher: keyword(["aes256", "aes192", "aes128"]) } },
      else: { properties: { cipher: keyword(["xchacha20-poly1305", "chacha20-poly1305"]) } },
    },
  ];
}

/** The schema of the whole configuration from the key tables (loadKeyTables()). */
export function buildSchema(tables) {
  const sections = Object.fromEntries(tables.map((section) => [section.name, property(section)]));
  addRules(sections);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: SCHEMA_ID,
    title: "clicktrail plugin configuration",
    description: "The configuration of the clicktrail proxy-wasm filter (Envoy StringValue, Istio pluginConfig, ngx_wasm_module proxy_wasm argument). Three optional sections; a present section turns its feature on. A null value means the same as leaving the key out. Generated by scripts/schema.mjs; the filter's own checks (npx clicktrail validate) are the authority.",
    type: "object",
    additionalProperties: false,
    properties: sections,
  };
}

export function schemaText(tables) {
  return JSON.stringify(buildSchema(tables), null, 2) + "\n";
}

const schemaFile = new URL("../envoy/clicktrail.schema.json", import.meta.url);
const docsFile = new URL("../docs/configuration.md", import.meta.url);
// The generated directive map goes beside the Apache converter (cli/apache/convert.ts).
const apacheDir = "cli/apache";
const apacheKeysFile = new URL(`../${apacheDir}/config-keys.ts`, import.meta.url);

/** The keys an Apache directive converts to one to one, as a TypeScript module for the converter. */
export function apacheKeysText(tables) {
  const rows = [];
  const walk = (keys, path) => {
    for (const k of keys) {
      const child = path ? `${path}.${k.name}` : k.name;
      if (k.apache) {
        const range = k.type === "int" || k.type === "duration" ? `, minimum: ${k.minimum}, maximum: ${k.maximum}` : "";
        rows.push(`  ${k.apache}: { path: ${JSON.stringify(child)}, type: ${JSON.stringify(k.type)}${range} },`);
      }
      if (k.keys) walk(k.keys, k.type === "objects" ? `${child}[]` : child);
    }
  };
  walk(tables, "");
  return [
    "// Generated by npm run schema (scripts/schema.mjs) from the key tables, assembly/config/keys/*.ts: do not edit.",
    "// Each Apache directive that maps one to one onto a configuration key: the key's JSON path, type and range.",
    "",
    "export interface ApacheKey {",
    "  path: string;",
    "  type: \"bool\" | \"int\" | \"string\" | \"keyword\" | \"strings\" | \"duration\";",
    "  minimum?: number;",
    "  maximum?: number;",
    "}",
    "",
    "export const APACHE_KEYS = {",
    ...rows,
    "} satisfies Record<string, ApacheKey>;",
    "",
  ].join("\n");
}

/** The committed files and what they should hold. */
export async function generatedFiles() {
  const tables = await loadKeyTables();
  const docs = readFileSync(docsFile, "utf8");
  return [
    { name: "envoy/clicktrail.schema.json", url: schemaFile, text: schemaText(tables) },
    { name: "docs/configuration.md", url: docsFile, text: docsText(docs, tables) },
    { name: `${apacheDir}/config-keys.ts`, url: apacheKeysFile, text: apacheKeysText(tables) },
  ];
}

// ------------------------------------------------------------------ docs/configuration.md's key tables

/** The objects whose keys docs/configuration.md lists in a generated table, each between its markers. */
export const DOC_TABLES = ["usertrack", "clickpath", "clickpath.cookie", "session", "session.crypto", "session.shared", "session.etcd"];
const beginMarker = (path) => `<!-- generated by npm run schema from assembly/config/keys: the keys of ${path} -->`;
const END_MARKER = "<!-- end of generated keys -->";

/** The row of the object at `path` ("session.shared"). */
export function keyAt(tables, path) {
  let keys = tables;
  let key = null;
  for (const name of path.split(".")) {
    key = keys.find((k) => k.name === name);
    if (!key) return null;
    keys = key.keys ?? [];
  }
  return key;
}

/** Text inside a table cell: pipes escaped. */
const cell = (text) => text.replace(/\|/g, "\\|");
/** Inline code, fenced with two backticks when the text holds one. */
const code = (text) => (text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``);

function typeText(key) {
  switch (key.type) {
    case "bool": return "bool";
    case "int": return `integer ${key.minimum} – ${key.maximum}`;
    case "duration": return `integer seconds (${key.minimum} – ${key.maximum}) or duration string`;
    case "keyword": return key.choices.map((c) => code(JSON.stringify(c))).join(", ") + " (any case)";
    case "string": return key.patternText ? `string: ${key.patternText}` : key.minLength ? "non-empty string" : "string";
    case "strings": return `array of strings${key.patternText ? `, ${key.patternText}` : ""}${key.minLength ? ` (at least ${key.minLength})` : ""}`;
    case "object": return "object";
    case "objects": return `array of {${key.keys.map((k) => k.name).join(", ")}}`;
    default: throw new Error(key.type);
  }
}

function defaultText(key) {
  if (key.required) return "**required**";
  if (key.defaultText) return key.defaultText;
  if ("default" in key) return code(JSON.stringify(key.default));
  if (key.type === "strings" || key.type === "objects") return code("[]");
  return "none";
}

/** The Markdown table of the keys of the object at `path`. */
export function docsTable(tables, path) {
  const object = keyAt(tables, path);
  if (!object) throw new Error(`docs: no object ${path} in the key tables`);
  const lines = ["| Key | Type | Default | Apache directive | Meaning |", "|---|---|---|---|---|"];
  for (const k of object.keys) {
    const meaning = NOTES[`${path}.${k.name}`] ?? cell(k.description);
    lines.push(`| \`${k.name}\` | ${cell(typeText(k))} | ${cell(defaultText(k))} | ${k.apacheText ? cell(k.apacheText) : k.apache ? code(k.apache) : "—"} | ${meaning} |`);
  }
  return lines.join("\n");
}

/** `docs` with every generated table rewritten from the tables. */
export function docsText(docs, tables) {
  let out = docs;
  for (const path of DOC_TABLES) {
    const begin = beginMarker(path);
    const i = out.indexOf(begin);
    const j = out.indexOf(END_MARKER, i);
    if (i < 0 || j < 0) throw new Error(`docs/configuration.md lacks the markers of ${path}`);
    out = out.slice(0, i + begin.length) + "\n" + docsTable(tables, path) + "\n" + out.slice(j);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await generatedFiles();
  if (process.argv.includes("--check")) {
    let stale = false;
    for (const f of files) {
      let current = "";
      try { current = readFileSync(f.url, "utf8"); } catch { /* missing: stale */ }
      if (current !== f.text) {
        console.error(`${f.name} is stale: run npm run schema`);
        stale = true;
      }
    }
    if (stale) process.exit(1);
  } else {
    for (const f of files) writeFileSync(f.url, f.text);
  }
}
