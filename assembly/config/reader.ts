// The one funnel every configuration value goes through. Each section reader asks for its keys with a
// type, a default and a range; the reader records a message naming the JSON path of anything wrong
// ("usertrack.expires: ...") and hands back the default so reading can go on and report every problem
// at once. Keys nobody asked for are errors too: a misspelt key silently ignored is a feature silently off.
//
// The key tables (keys/*.ts) give each key its name, default, range and choices once; the *Key methods below
// read a key by its row, so a reader states only what a table cannot (rules between keys, Apache's messages).
import { JSON } from "assemblyscript-json/assembly";
import { Key } from "./keys/key";

export class ObjectReader {
  private seen: Set<string> = new Set<string>();

  constructor(public obj: JSON.Obj, public path: string, public errors: string[]) {}

  /** The JSON path of `key` inside this object. */
  pathOf(key: string): string {
    return this.path.length ? this.path + "." + key : key;
  }

  /** Records an error against `key` (or against this object when `key` is ""). */
  fail(key: string, message: string): void {
    this.errors.push((key.length ? this.pathOf(key) : this.path.length ? this.path : "(root)") + ": " + message);
  }

  has(key: string): bool {
    this.seen.add(key);
    const v = this.obj.get(key);
    return v != null && !v.isNull;
  }

  /** The raw value of `key`, null when absent or JSON null. */
  value(key: string): JSON.Value | null {
    this.seen.add(key);
    const v = this.obj.get(key);
    return v == null || v.isNull ? null : v;
  }

  string(key: string, fallback: string): string {
    const v = this.value(key);
    if (v == null) return fallback;
    if (!v.isString) { this.fail(key, "expected a string, got " + describe(v)); return fallback; }
    return (<JSON.Str>v).valueOf();
  }

  /** A string that must be one of `choices` (compared case-insensitively, returned lower-case). */
  choice(key: string, fallback: string, choices: string[]): string {
    const v = this.value(key);
    if (v == null) return fallback;
    if (!v.isString) { this.fail(key, "expected one of " + choices.join(", ") + ", got " + describe(v)); return fallback; }
    const s = (<JSON.Str>v).valueOf().toLowerCase();
    if (!choices.includes(s)) {
      this.fail(key, "expected one of " + choices.join(", ") + ", got \"" + (<JSON.Str>v).valueOf() + "\"");
      return fallback;
    }
    return s;
  }

  bool(key: string, fallback: bool): bool {
    const v = this.value(key);
    if (v == null) return fallback;
    if (!v.isBool) { this.fail(key, "expected true or false, got " + describe(v)); return fallback; }
    return (<JSON.Bool>v).valueOf();
  }

  /** An integer in [lo, hi]. */
  int(key: string, fallback: i64, lo: i64, hi: i64): i64 {
    const v = this.value(key);
    if (v == null) return fallback;
    if (!v.isInteger) {
      this.fail(key, "expected an integer, got " + describe(v));
      return fallback;
    }
    const n = (<JSON.Integer>v).valueOf();
    if (n < lo || n > hi) {
      this.fail(key, "must be between " + lo.toString() + " and " + hi.toString() + ", got " + n.toString());
      return fallback;
    }
    return n;
  }

  /** An array of strings; absent means `[]`. */
  strings(key: string): string[] {
    const out = new Array<string>();
    const v = this.value(key);
    if (v == null) return out;
    if (!v.isArr) { this.fail(key, "expected an array of strings, got " + describe(v)); return out; }
    const items = (<JSON.Arr>v).valueOf();
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (!item.isString) {
        this.errors.push(this.pathOf(key) + "[" + i.toString() + "]: expected a string, got " + describe(item));
        continue;
      }
      out.push((<JSON.Str>item).valueOf());
    }
    return out;
  }

  /** A nested object, or null when absent (a wrong type is recorded). */
  object(key: string): ObjectReader | null {
    const v = this.value(key);
    if (v == null) return null;
    if (!v.isObj) { this.fail(key, "expected an object, got " + describe(v)); return null; }
    return new ObjectReader(<JSON.Obj>v, this.pathOf(key), this.errors);
  }

  /** An array of objects, each with its indexed path (`key[2]`). */
  objects(key: string): ObjectReader[] {
    const out = new Array<ObjectReader>();
    const v = this.value(key);
    if (v == null) return out;
    if (!v.isArr) { this.fail(key, "expected an array of objects, got " + describe(v)); return out; }
    const items = (<JSON.Arr>v).valueOf();
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const path = this.pathOf(key) + "[" + i.toString() + "]";
      if (!item.isObj) { this.errors.push(path + ": expected an object, got " + describe(item)); continue; }
      out.push(new ObjectReader(<JSON.Obj>item, path, this.errors));
    }
    return out;
  }

  /** A Bool key, its default when absent. */
  boolKey(k: Key): bool { return this.bool(k.name, k.boolDefault); }

  /** An Int key within its range, its default when absent. */
  intKey(k: Key): i64 { return this.int(k.name, k.intDefault, k.lo, k.hi); }

  /** A String key, its default when absent. */
  stringKey(k: Key): string { return this.string(k.name, k.stringDefault); }

  /** A Keyword key: one of its choices (lower-case), its default when absent. */
  keywordKey(k: Key): string { return this.choice(k.name, k.stringDefault, k.choices); }

  /** Reports every key of this object that no reader asked for. Call once, after reading. */
  rejectUnknownKeys(): void {
    const keys = this.obj.keys;
    for (let i = 0; i < keys.length; i++) {
      if (!this.seen.has(keys[i])) this.fail(keys[i], "unknown key");
    }
  }
}

/** A short description of a JSON value for error messages. */
export function describe(v: JSON.Value): string {
  if (v.isString) return "the string \"" + (<JSON.Str>v).valueOf() + "\"";
  if (v.isBool) return (<JSON.Bool>v).valueOf() ? "true" : "false";
  if (v.isInteger) return (<JSON.Integer>v).valueOf().toString();
  if (v.isFloat) return (<JSON.Float>v).valueOf().toString();
  if (v.isArr) return "an array";
  if (v.isObj) return "an object";
  return "null";
}
