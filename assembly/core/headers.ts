// A header map as a feature sees it: ordered (name, value) pairs, names lower-cased as Envoy stores them,
// values as byte strings (see bytes.ts). Features read and edit this pure object; the proxy-wasm adapter
// reads the host's map once per phase and replays only the recorded edits, so a request that no feature
// touches costs one host call, and features never depend on the SDK.

/** What an edit did, for the adapter to replay against the host in order. */
export const enum HeaderEditKind { Add = 0, Set = 1, Remove = 2 }

export class HeaderEdit {
  constructor(public kind: HeaderEditKind, public name: string, public value: string) {}
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
    const lower = name.toLowerCase();
    this.names.push(lower);
    this.values.push(value);
    this.edits.push(new HeaderEdit(HeaderEditKind.Add, lower, value));
  }

  /** Replaces every value of `name` with one value, adding it when absent. */
  set(name: string, value: string): void {
    const lower = name.toLowerCase();
    this.drop(lower);
    this.names.push(lower);
    this.values.push(value);
    this.edits.push(new HeaderEdit(HeaderEditKind.Set, lower, value));
  }

  /** Removes every value of `name`; a no-op edit is still recorded only when something was there. */
  remove(name: string): void {
    const lower = name.toLowerCase();
    if (this.drop(lower)) this.edits.push(new HeaderEdit(HeaderEditKind.Remove, lower, ""));
  }

  private drop(lower: string): bool {
    let found = false;
    let i = 0;
    while (i < this.names.length) {
      if (this.names[i] == lower) {
        this.names.splice(i, 1);
        this.values.splice(i, 1);
        found = true;
      } else {
        i++;
      }
    }
    return found;
  }
}
