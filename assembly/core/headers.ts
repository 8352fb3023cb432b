// A header map as a feature sees it: ordered (name, value) pairs, names lower-cased as Envoy stores them,
// values as byte strings (see bytes.ts). Features read and edit this pure object; the proxy-wasm adapter
// reads the host's map once per phase and replays only the recorded edits, so a request that no feature
// touches costs one host call, and features never depend on the SDK.

/** What an edit did, for the adapter to replay against the host in order. */
export const enum HeaderEditKind { Add = 0, Set = 1, Remove = 2 }

export class HeaderEdit {
  constructor(public kind: HeaderEditKind, public name: string, public value: string) {}
}

/** `name` in lower case: itself when it already is (the usual case: the features' names are constants). */
function lowerName(name: string): string {
  for (let i = 0, n = name.length; i < n; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c >= 0x80) return name.toLowerCase();
  }
  return name;
}

export class HeaderMap {
  names: string[] = [];
  values: string[] = [];
  edits: HeaderEdit[] = [];

  /** Adds a pair as it came from the host, without recording an edit. */
  load(name: string, value: string): void {
    this.names.push(name);
    this.values.push(value);
  }

  get size(): i32 { return this.names.length; }

  /** The first value of `name` (lower-case), or null when absent. */
  get(name: string): string | null {
    const names = this.names;
    for (let i = 0, n = names.length; i < n; i++) {
      if (names[i] == name) return this.values[i];
    }
    return null;
  }

  has(name: string): bool {
    return this.names.includes(name);
  }

  /** Every value of `name` in order. */
  getAll(name: string): string[] {
    const out = new Array<string>();
    const names = this.names;
    for (let i = 0, n = names.length; i < n; i++) {
      if (names[i] == name) out.push(this.values[i]);
    }
    return out;
  }

  /** Appends a value (a repeated header when `name` exists). */
  add(name: string, value: string): void {
    const lower = lowerName(name);
    this.names.push(lower);
    this.values.push(value);
    this.edits.push(new HeaderEdit(HeaderEditKind.Add, lower, value));
  }

  /** Replaces every value of `name` with one value, adding it when absent. */
  set(name: string, value: string): void {
    const lower = lowerName(name);
    this.drop(lower);
    this.names.push(lower);
    this.values.push(value);
    this.edits.push(new HeaderEdit(HeaderEditKind.Set, lower, value));
  }

  /** Removes every value of `name`; a no-op edit is still recorded only when something was there. */
  remove(name: string): void {
    const lower = lowerName(name);
    if (this.drop(lower)) this.edits.push(new HeaderEdit(HeaderEditKind.Remove, lower, ""));
  }

  private drop(lower: string): bool {
    // Compacted in place: splice would allocate an array of the removed element for every match.
    const names = this.names, values = this.values;
    const n = names.length;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const name = unchecked(names[i]);
      if (name == lower) continue;
      if (kept != i) {
        unchecked(names[kept] = name);
        unchecked(values[kept] = unchecked(values[i]));
      }
      kept++;
    }
    if (kept == n) return false;
    names.length = kept;
    values.length = kept;
    return true;
  }
}
