// Translation between node:http's raw header lists and the header maps Envoy's HTTP/1 codec and
// connection manager hand to filters: names lower-cased, Host becomes :authority, hop-by-hop headers
// dropped, x-forwarded-proto and x-request-id added as the HCM does by default. rawHeaders keep repeated
// headers (Set-Cookie, Vary, ...) as separate entries, which the filter must see.
import { randomUUID } from "node:crypto";
import type { Pair } from "../abi/pairs.js";

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te"]);

export function rawPairs(raw: string[]): Pair[] {
  const out: Pair[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i].toLowerCase(), raw[i + 1]]);
  return out;
}

export function requestHeadersFromNode(method: string, url: string, raw: string[], scheme = "http"): Pair[] {
  const pairs = rawPairs(raw);
  const authority = pairs.find(([k]) => k === "host")?.[1] ?? "";
  const out: Pair[] = [
    [":authority", authority],
    [":path", url],
    [":method", method],
    [":scheme", scheme],
  ];
  for (const [k, v] of pairs) {
    if (k === "host" || HOP_BY_HOP.has(k)) continue;
    out.push([k, v]);
  }
  if (!out.some(([k]) => k === "x-forwarded-proto")) out.push(["x-forwarded-proto", scheme]);
  if (!out.some(([k]) => k === "x-request-id")) out.push(["x-request-id", randomUUID()]);
  return out;
}

export function responseHeadersFromNode(status: number, raw: string[], { keepFraming = false } = {}): Pair[] {
  const out: Pair[] = [[":status", String(status)]];
  for (const [k, v] of rawPairs(raw)) if (!HOP_BY_HOP.has(k) || (keepFraming && (k === "connection" || k === "transfer-encoding"))) out.push([k, v]);
  return out;
}

/**
 * The response header map as Envoy's connection manager sends it downstream, after the filters: hop-by-hop
 * headers dropped, `date` added when missing, `server: envoy` (its default server_header_transformation,
 * OVERWRITE), `connection: close` when the client asked to close. Seen by filters only in on_log.
 */
export function downstreamHeaderMap(headers: Pair[], requestWantsClose: boolean, now = new Date()): Pair[] {
  const out: Pair[] = headers.filter(([k]) => !HOP_BY_HOP.has(k));
  if (!out.some(([k]) => k === "date")) out.push(["date", now.toUTCString()]);
  const server = out.findIndex(([k]) => k === "server");
  if (server >= 0) out[server] = ["server", "envoy"];
  else out.push(["server", "envoy"]);
  if (requestWantsClose) out.push(["connection", "close"]);
  return out;
}

/** A flat [name, value, name, value, ...] list without pseudo-headers, for node:http. */
export function toNodeHeaders(pairs: Pair[]): string[] {
  const out: string[] = [];
  for (const [k, v] of pairs) if (!k.startsWith(":") && !HOP_BY_HOP.has(k)) out.push(k, v);
  return out;
}

export function pseudo(pairs: Pair[], name: string): string | undefined {
  return pairs.find(([k]) => k === name)?.[1];
}

/** Whether an HTTP/1.1 message announces a body (RFC 9112 §6). */
export function hasBody(raw: string[]): boolean {
  const pairs = rawPairs(raw);
  if (pairs.some(([k]) => k === "transfer-encoding")) return true;
  const cl = pairs.find(([k]) => k === "content-length")?.[1];
  return cl !== undefined && cl.trim() !== "0";
}
