// The proxy-wasm pairs format (u32 count; count × (u32 key length, u32 value length); then each key and
// value followed by a NUL), with cpp-host's strict reader (src/pairs_util.cc): any deviation — a missing
// NUL, trailing bytes, more than 1024 pairs or 1 MiB — yields an EMPTY map, silently. Envoy behaves that
// way, so a filter that serialises pairs wrongly loses all its headers here as it would there.
//
// Keys and values are "byte strings": JS strings with one char per byte (latin1), the way node:http
// hands out raw header values, so no byte is ever re-encoded.
import { PAIRS_MAX_BYTES, PAIRS_MAX_COUNT } from "./constants.js";

export type Pair = [string, string];

export function pairsByteSize(pairs: readonly Pair[]): number {
  let size = 4;
  for (const [k, v] of pairs) size += 8 + k.length + 1 + v.length + 1;
  return size;
}

export function encodePairs(pairs: readonly Pair[]): Buffer {
  const out = Buffer.alloc(pairsByteSize(pairs));
  out.writeUInt32LE(pairs.length, 0);
  let table = 4;
  let data = 4 + pairs.length * 8;
  for (const [k, v] of pairs) {
    out.writeUInt32LE(k.length, table);
    out.writeUInt32LE(v.length, table + 4);
    table += 8;
    data += out.write(k, data, "latin1") + 1;
    data += out.write(v, data, "latin1") + 1;
  }
  return out;
}

export function decodePairs(buf: Uint8Array | null): Pair[] {
  if (!buf || buf.length > PAIRS_MAX_BYTES || buf.length < 4) return [];
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const count = b.readUInt32LE(0);
  if (count > PAIRS_MAX_COUNT) return [];
  let pos = 4;
  if (pos + count * 8 > b.length) return [];
  const sizes: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    sizes.push([b.readUInt32LE(pos), b.readUInt32LE(pos + 4)]);
    pos += 8;
  }
  const out: Pair[] = [];
  for (const [kl, vl] of sizes) {
    if (pos + kl + 1 > b.length) return [];
    const k = b.toString("latin1", pos, pos + kl);
    pos += kl;
    if (b[pos++] !== 0) return [];
    if (pos + vl + 1 > b.length) return [];
    const v = b.toString("latin1", pos, pos + vl);
    pos += vl;
    if (b[pos++] !== 0) return [];
    out.push([k, v]);
  }
  if (pos !== b.length) return [];
  return out;
}
