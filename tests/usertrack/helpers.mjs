// Shared by the usertrack tests that run build/clicktrail.wasm in the project's host.
import { readFileSync, existsSync } from "node:fs";

export const root = new URL("../../", import.meta.url).pathname;
export const wasmPath = root + "build/clicktrail.wasm";
export const vectors = JSON.parse(readFileSync(root + "tests/fixtures/originals/vectors.json", "utf8"));

/** The host's Host class, or null (with one SKIPPED line from the caller) when it is not built. */
export async function loadHost() {
  const file = root + "dist/host/index.js";
  if (!existsSync(file)) return null;
  const mod = await import(file);
  return typeof mod.Host === "function" ? mod.Host : null;
}

/** A random_get source that hands out `bytes` first, then zeros. */
export function scriptedRandom(bytes) {
  let at = 0;
  return (buf) => {
    for (let i = 0; i < buf.length; i++) buf[i] = at < bytes.length ? bytes[at++] : 0;
  };
}

/** The little-endian bytes of a 32-bit number: what the filter reads back as that number. */
export function le32(n) {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** Splits an Apache usertrack value `<hex random>.<hex micros>` into its parts. */
export function apacheParts(value) {
  const [r, t] = value.split(".");
  return { random: parseInt(r, 16), micros: BigInt("0x" + t) };
}

/** A filter-state value whichever way the host keys it (`wasm.` prefix or not). */
export function state(stream, name) {
  const fs = stream.filterState;
  return fs.get(name) ?? fs.get("wasm." + name);
}

/** The values of response header `name` (lower-case), in order. */
export function headerValues(pairs, name) {
  return pairs.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
}

/** One GET through a fresh stream; returns the stream after request and response headers. */
export function roundTrip(host, { cookies = [], extra = [], status = "200" } = {}) {
  const s = host.newStream({ worker: 0, connectionId: 7, sourceAddress: "10.1.2.3:5555" });
  s.sendRequestHeaders([[":method", "GET"], [":path", "/"], [":authority", "example.com"], [":scheme", "http"],
    ...cookies.map((c) => ["cookie", c]), ...extra], { endOfStream: true });
  s.sendResponseHeaders([[":status", status], ["content-type", "text/html"]], { endOfStream: true });
  return s;
}

/** A Set-Cookie line split into its name/value pair and its attributes, for field-by-field comparison. */
export function cookieFields(line) {
  const parts = line.split("; ");
  const [name] = parts[0].split("=");
  return { name, attributes: parts.slice(1) };
}
