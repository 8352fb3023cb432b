// One row of a configuration key table: everything the project says about a key, written once.
//
// Why the tables are AssemblyScript data and not a JSON file with a generator: the reader is the authority
// on what a configuration means, so the tables live where it can use them directly (config/*.ts reads each
// value with its Key; the settings classes take their defaults from it), and nothing generated has to be
// kept in step on the AssemblyScript side. Node gets the same rows from the compiled tables:
// assembly/tools/config-keys.ts exports them as JSON (build/config-keys.wasm, `npm run build:config-keys`),
// and `npm run schema` (scripts/schema.mjs) writes from that JSON envoy/clicktrail.schema.json, the key
// tables of docs/configuration.md (with the docs' longer prose from scripts/config-notes.mjs) and the
// Apache converter's directive map (cli/apache/config-keys.ts). Those three are committed, so the CLI and
// a reader of the repository need no build; tests/deploy/schema-keys.test.mjs compares them with what the
// tables generate. A row holds only what is per key; rules between keys (nginx-only keys, cookie_first-only
// keys, the cipher that goes with a format) stay in the readers and as conditionals in scripts/schema.mjs.

/**
 * Whether this build carries the tables' documentation (descriptions, patterns, the Apache side in words).
 * Only the tool build does (assembly/tools/config-keys.ts, built with `--use CONFIG_KEY_DOCS=1`): the filter
 * needs names, types, defaults and ranges, and the ~30 KB of UTF-16 text would raise its memory floor
 * (tests/robustness/soak.test.mjs). The rows write each text as `DOCS ? "..." : ""`; with DOCS a constant
 * false the compiler never emits the text.
 */
// @ts-ignore: CONFIG_KEY_DOCS exists only when the build defines it.
export const DOCS: bool = isDefined(CONFIG_KEY_DOCS);

/** The JSON type a key takes. */
export const enum KeyType {
  Bool = 0,
  Int = 1,
  String = 2,
  /** A string compared case-insensitively against `choices`. */
  Keyword = 3,
  /** An array of strings. */
  Strings = 4,
  /** A nested object whose keys are `children`. */
  Object = 5,
  /** An array of objects whose keys are `children`. */
  Objects = 6,
  /** Seconds as an integer, or a duration string (usertrack.expires). */
  Duration = 7,
}

const TYPE_NAMES: string[] = ["bool", "int", "string", "keyword", "strings", "object", "objects", "duration"];

/** A JSON string literal of `s` (the table's own text: ASCII and a few typographic characters). */
export function jsonString(s: string): string {
  let out = "\"";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c < 0x20) out += "\\u00" + (c < 0x10 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  return out + "\"";
}

/** Every Key made (in the tool build), so that unlistedKeys() can find a row a reader uses but no table lists. */
const CREATED: Key[] = [];

export class Key {
  /** Default as a value of the key's type (only the field of its type is meaningful). */
  boolDefault: bool = false;
  intDefault: i64 = 0;
  stringDefault: string = "";
  /** Whether the default is a fixed value (false: none, or one that depends on other keys, see `defaultText`). */
  hasDefault: bool = false;
  /** Inclusive range of an Int (or Duration given as seconds). */
  lo: i64 = 0;
  hi: i64 = 0;
  /** Keyword values, lower-case, in the order error messages list them. */
  choices: string[] = [];
  /** JSON Schema pattern for a String (or the items of Strings); "" for none. */
  pattern: string = "";
  /** The same rule in words, for the documentation ("an RFC 9110 token"); "" for none. */
  patternText: string = "";
  /** Values a String must not take (compared after lower-casing); empty for none. */
  forbidden: string[] = [];
  /** Smallest length of a String, or count of a Strings / Objects array; 0 for none. */
  minLength: i32 = 0;
  /** Must be present and not null. */
  required: bool = false;
  /** The Apache directive the key is converted from, one to one; "" when it has none or maps otherwise. */
  apache: string = "";
  /** The Apache side in the documentation's words when it is more than the directive's name ("" for none). */
  apacheText: string = "";
  /** What the documentation says the default is when it is not a fixed value ("" for none). */
  defaultText: string = "";
  /** Keys of an Object or of each item of Objects. */
  children: Key[] = [];

  constructor(public name: string, public type: KeyType, public description: string) {
    if (DOCS) CREATED.push(this);
  }

  withApache(directive: string): Key { this.apache = directive; return this; }
  /** `regex` for the schema ("" when only `text` applies), `text` for the documentation. */
  withPattern(regex: string, text: string): Key { this.pattern = regex; this.patternText = text; return this; }
  withForbidden(values: string[]): Key { this.forbidden = values; return this; }
  withMinLength(n: i32): Key { this.minLength = n; return this; }
  withDefaultText(text: string): Key { this.defaultText = text; return this; }
  withApacheText(text: string): Key { this.apacheText = text; return this; }
  isRequired(): Key { this.required = true; return this; }
  withChildren(keys: Key[]): Key { this.children = keys; return this; }

  toJson(): string {
    let out = "{\"name\":" + jsonString(this.name) + ",\"type\":" + jsonString(TYPE_NAMES[<i32>this.type]);
    out += ",\"description\":" + jsonString(this.description);
    if (this.hasDefault) {
      out += ",\"default\":";
      if (this.type == KeyType.Bool) out += this.boolDefault ? "true" : "false";
      else if (this.type == KeyType.Int) out += this.intDefault.toString();
      else out += jsonString(this.stringDefault);
    }
    if (this.type == KeyType.Int || this.type == KeyType.Duration) {
      out += ",\"minimum\":" + this.lo.toString() + ",\"maximum\":" + this.hi.toString();
    }
    if (this.choices.length) {
      out += ",\"choices\":[";
      for (let i = 0; i < this.choices.length; i++) out += (i ? "," : "") + jsonString(this.choices[i]);
      out += "]";
    }
    if (this.pattern.length) out += ",\"pattern\":" + jsonString(this.pattern);
    if (this.patternText.length) out += ",\"patternText\":" + jsonString(this.patternText);
    if (this.forbidden.length) {
      out += ",\"forbidden\":[";
      for (let i = 0; i < this.forbidden.length; i++) out += (i ? "," : "") + jsonString(this.forbidden[i]);
      out += "]";
    }
    if (this.minLength) out += ",\"minLength\":" + this.minLength.toString();
    if (this.required) out += ",\"required\":true";
    if (this.apache.length) out += ",\"apache\":" + jsonString(this.apache);
    if (this.apacheText.length) out += ",\"apacheText\":" + jsonString(this.apacheText);
    if (this.defaultText.length) out += ",\"defaultText\":" + jsonString(this.defaultText);
    if (this.type == KeyType.Object || this.type == KeyType.Objects) out += ",\"keys\":" + keysJson(this.children);
    return out + "}";
  }
}

export function keysJson(keys: Key[]): string {
  let out = "[";
  for (let i = 0; i < keys.length; i++) out += (i ? "," : "") + keys[i].toJson();
  return out + "]";
}

export function boolKey(name: string, dflt: bool, description: string): Key {
  const k = new Key(name, KeyType.Bool, description);
  k.boolDefault = dflt;
  k.hasDefault = true;
  return k;
}

export function intKey(name: string, dflt: i64, lo: i64, hi: i64, description: string): Key {
  const k = new Key(name, KeyType.Int, description);
  k.intDefault = dflt;
  k.hasDefault = true;
  k.lo = lo;
  k.hi = hi;
  return k;
}

/** An Int without a fixed default (`defaultText` says what applies). */
export function intKeyNoDefault(name: string, lo: i64, hi: i64, description: string): Key {
  const k = intKey(name, 0, lo, hi, description);
  k.hasDefault = false;
  return k;
}

export function durationKey(name: string, lo: i64, hi: i64, description: string): Key {
  const k = new Key(name, KeyType.Duration, description);
  k.lo = lo;
  k.hi = hi;
  return k;
}

/** A string with a fixed default. */
export function stringKey(name: string, dflt: string, description: string): Key {
  const k = new Key(name, KeyType.String, description);
  k.stringDefault = dflt;
  k.hasDefault = true;
  return k;
}

/** A string without a fixed default (absent means none, or `defaultText`). */
export function optionalStringKey(name: string, description: string): Key {
  return new Key(name, KeyType.String, description);
}

export function keywordKey(name: string, dflt: string, choices: string[], description: string): Key {
  const k = new Key(name, KeyType.Keyword, description);
  k.choices = choices;
  k.stringDefault = dflt;
  k.hasDefault = dflt.length > 0;
  return k;
}

export function stringsKey(name: string, description: string): Key {
  return new Key(name, KeyType.Strings, description);
}

export function objectKey(name: string, description: string, children: Key[]): Key {
  return new Key(name, KeyType.Object, description).withChildren(children);
}

export function objectsKey(name: string, description: string, children: Key[]): Key {
  return new Key(name, KeyType.Objects, description).withChildren(children);
}

/** Names of keys made but reachable from none of `roots` (a row missing from its table's list). */
export function unlistedKeys(roots: Key[]): string[] {
  const listed = new Set<Key>();
  const stack = roots.slice();
  while (stack.length) {
    const k = stack.pop();
    listed.add(k);
    for (let i = 0; i < k.children.length; i++) stack.push(k.children[i]);
  }
  const out = new Array<string>();
  for (let i = 0; i < CREATED.length; i++) if (!listed.has(CREATED[i])) out.push(CREATED[i].name);
  return out;
}
