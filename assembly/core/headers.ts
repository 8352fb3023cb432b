// A header map as a feature sees it: ordered (name, value) pairs, names lower-cased as Envoy stores them,
// values as byte strings (see bytes.ts). Features read and edit this pure object; the proxy-wasm adapter
// reads the host's map once per phase and replays only the recorded edits, so a request that no feature
// touches costs one host call, and features never depend on the SDK.

import { withRoom } from "./arrays";

/** What an edit did, for the adapter to replay against the host in order. */
export const enum HeaderEditKind { Add = 0, Set = 1, Remove = 2 }

/** `name` in lower case: itself when it already is (the usual case: the features' names are constants). */
function lowerName(name: string): string {
  // Code units read in place: charCodeAt is a call of its own in the release build, and every edit comes here.
  const p = changetype<usize>(name);
  for (let i = 0, n = name.length; i < n; i++) {
    const c = <u32>load<u16>(p + (<usize>i << 1));
    if ((c - 0x41 < 26) || c >= 0x80) return name.toLowerCase();
  }
  return name;
}

/**
 * Whether two header names are the same: by pointer first (names from the host's common-name table and
 * the features' literals are the same static strings), then by length, and only then by content.
 */
@inline
function sameName(a: string, b: string): bool {
  if (changetype<usize>(a) == changetype<usize>(b)) return true;
  const n = a.length;
  return n == b.length && memory.compare(changetype<usize>(a), changetype<usize>(b), <usize>n << 1) == 0;
}

export class HeaderMap {
  names: string[];
  values: string[];
  /**
   * The edits in order, for the adapter to replay: kind, name and value at the same index (three arrays
   * instead of an object per edit: a steady-state request makes nine).
   */
  editKinds: HeaderEditKind[];
  editNames: string[];
  editValues: string[];

  /**
   * `capacity`: pairs to make room for at once. A map read from the host passes its pair count plus room
   * for the features' additions, so that loading and editing it never regrows the arrays (an array literal
   * starts with no room and is copied at 8 pairs and again at 16: a request's map grew three times per array).
   */
  constructor(capacity: i32 = 0) {
    this.names = withRoom<string>(capacity);
    this.values = withRoom<string>(capacity);
    this.editKinds = new Array<HeaderEditKind>();
    this.editNames = new Array<string>();
    this.editValues = new Array<string>();
  }

  /** Empties the map and its edits, keeping the arrays' room (for a map that is used again). */
  clear(): void {
    this.names.length = 0;
    this.values.length = 0;
    this.clearEdits();
  }

  get editCount(): i32 { return this.editKinds.length; }

  /** Forgets the recorded edits (they have been written to the host). */
  clearEdits(): void {
    this.editKinds.length = 0;
    this.editNames.length = 0;
    this.editValues.length = 0;
  }

  private record(kind: HeaderEditKind, name: string, value: string): void {
    this.editKinds.push(kind);
    this.editNames.push(name);
    this.editValues.push(value);
  }

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
      if (sameName(unchecked(names[i]), name)) return unchecked(this.values[i]);
    }
    return null;
  }

  has(name: string): bool {
    const names = this.names;
    for (let i = 0, n = names.length; i < n; i++) if (sameName(unchecked(names[i]), name)) return true;
    return false;
  }

  /** Every value of `name` in order. */
  getAll(name: string): string[] {
    const out = new Array<string>();
    const names = this.names;
    for (let i = 0, n = names.length; i < n; i++) {
      if (sameName(unchecked(names[i]), name)) out.push(unchecked(this.values[i]));
    }
    return out;
  }

  /** Appends a value (a repeated header when `name` exists). */
  add(name: string, value: string): void {
    const lower = lowerName(name);
    this.names.push(lower);
    this.values.push(value);
    this.record(HeaderEditKind.Add, lower, value);
  }

  /** Replaces every value of `name` with one value, adding it when absent. */
  set(name: string, value: string): void {
    const lower = lowerName(name);
    this.drop(lower);
    this.names.push(lower);
    this.values.push(value);
    this.record(HeaderEditKind.Set, lower, value);
  }

  /** Removes every value of `name`; a no-op edit is still recorded only when something was there. */
  remove(name: string): void {
    const lower = lowerName(name);
    if (this.drop(lower)) this.record(HeaderEditKind.Remove, lower, "");
  }

  private drop(lower: string): bool {
    // Compacted in place: splice would allocate an array of the removed element for every match.
    const names = this.names, values = this.values;
    const n = names.length;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const name = unchecked(names[i]);
      if (sameName(name, lower)) continue;
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
