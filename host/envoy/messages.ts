// The parts of an HTTP message as the model keeps them, shared by vm.ts (callout responses) and stream.ts
// (the stream's maps, local replies): header lists in the order of Envoy's HeaderMapImpl
// (source/common/http/header_map_impl.cc: pseudo-headers ahead of the rest, setCopy moving the replaced
// header to the end), and body bytes from what the test API accepts.
import type { Pair } from "../abi/pairs.js";

const isPseudo = (k: string) => k.startsWith(":");

/** Pseudo-headers are kept in front of regular ones, as HeaderMapImpl inserts them. */
export function addHeader(map: Pair[], key: string, value: string): void {
  if (isPseudo(key)) {
    let i = 0;
    while (i < map.length && isPseudo(map[i][0])) i++;
    map.splice(i, 0, [key, value]);
  } else {
    map.push([key, value]);
  }
}

export function removeHeader(map: Pair[], key: string): void {
  for (let i = map.length - 1; i >= 0; i--) if (map[i][0] === key) map.splice(i, 1);
}

/**
 * setCopy: Envoy removes every entry of the key and adds one at the end (of the pseudo-header block for
 * pseudo-headers) — the replaced header moves.
 */
export function setHeader(map: Pair[], key: string, value: string): void {
  removeHeader(map, key);
  addHeader(map, key, value);
}

export function lowerPairs(pairs: readonly (readonly [string, string])[]): Pair[] {
  const out: Pair[] = [];
  for (const [k, v] of pairs) addHeader(out, String(k).toLowerCase(), String(v));
  return out;
}

/** A body given to the test API as a Buffer, bytes or a UTF-8 string. */
export function toBuffer(b: Buffer | Uint8Array | string | undefined): Buffer {
  if (b === undefined) return Buffer.alloc(0);
  if (typeof b === "string") return Buffer.from(b, "utf8");
  return Buffer.from(b);
}
