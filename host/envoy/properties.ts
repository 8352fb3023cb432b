// proxy_get_property / proxy_set_property as Envoy answers them (source/extensions/common/wasm/context.cc
// getProperty/findValue/serializeValue over the CEL attribute wrappers of filters/common/expr/context.cc):
//
// * the path is split on NUL; the first segment is a top-level attribute, later ones index maps;
// * values are encoded as Envoy serialises CEL values: strings and bytes raw, ints 8-byte little-endian,
//   bools one byte, timestamps/durations int64 nanoseconds, maps as proxy-wasm pairs;
// * header-derived request.* attributes read the stream's CURRENT request header map, which Envoy drops
//   once on_request_headers returns Continue — so request.path is NOT_FOUND in on_response_headers (but
//   readable again in on_log, from the access-log headers). That is what Envoy's source does; filters must
//   copy what they need;
// * a name Envoy does not know is filter state "wasm.<name>", written by set_property (stream contexts only;
//   a root context has no stream info, so both calls answer NOT_FOUND there).
//
// The "nginx" profile answers as Kong's ngx_wasm_module does: every value is a string, '.' and NUL both
// separate segments, plugin_vm_id is missing, and only wasmx.<key> is writable scratch storage. Its
// plugin_name (the filter's name) comes from the request's filter chain: on a root context ngx_wasm_module
// dereferences a chain that is not there (src/common/proxy_wasm/ngx_proxy_wasm_properties.c,
// get_filter_name: in on_configure always, in on_tick before prerelease-0.6.0), which crashes the worker;
// the profile throws, failing the VM, so that a filter reading it there is caught.
import { WasmResult } from "../abi/constants.js";
import { encodePairs, type Pair } from "../abi/pairs.js";

export type Profile = "envoy" | "nginx";

export type Value =
  | { t: "string"; v: string }
  | { t: "bytes"; v: Buffer }
  | { t: "int"; v: bigint }
  | { t: "bool"; v: boolean }
  | { t: "timestamp"; v: bigint }
  | { t: "duration"; v: bigint }
  | { t: "map"; entries: () => Array<[string, Value]>; get: (key: string) => Value | undefined }
  | { t: "opaque" };

export interface PropertyEnv {
  profile: Profile;
  pluginName: string;
  rootId: string;
  vmId: string;
  /** Null on a root context: no stream info, so only the plugin_* names resolve. */
  stream: StreamFacts | null;
}

export interface StreamFacts {
  requestHeaders: Pair[] | null;
  responseHeaders: Pair[] | null;
  responseTrailers: Pair[] | null;
  requestStartNs: bigint;
  protocol: string;
  connectionId: number;
  sourceAddress: string;
  destinationAddress: string;
  upstreamAddress: string | null;
  requestedServerName: string;
  mtls: boolean;
  responseCode: number | null;
  responseCodeDetails: string | null;
  requestBodyBytes: number;
  responseBodyBytes: number;
  requestComplete: boolean;
  durationNs: bigint | null;
  filterState: Map<string, Buffer>;
}

const str = (v: string): Value => ({ t: "string", v });
const int = (v: number | bigint): Value => ({ t: "int", v: BigInt(v) });

function first(headers: Pair[] | null, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of headers) if (k === name) return v;
  return undefined;
}

function headerMapValue(headers: Pair[]): Value {
  const joined = (key: string): string | undefined => {
    const values = headers.filter(([k]) => k === key).map(([, v]) => v);
    return values.length ? values.join(",") : undefined;
  };
  return {
    t: "map",
    get: (key) => {
      const v = joined(key.toLowerCase());
      return v === undefined ? undefined : str(v);
    },
    entries: () => {
      const seen: string[] = [];
      for (const [k] of headers) if (!seen.includes(k)) seen.push(k);
      return seen.map((k) => [k, str(joined(k)!)]);
    },
  };
}

function byteSize(headers: Pair[]): number {
  return headers.reduce((n, [k, v]) => n + k.length + v.length, 0);
}

function splitAddress(addr: string): { host: string; port: number | null } {
  const m = /^(.*):(\d+)$/.exec(addr);
  if (!m) return { host: addr, port: null };
  return { host: m[1].replace(/^\[(.*)\]$/, "$1"), port: Number(m[2]) };
}

function mapOf(fields: Record<string, () => Value | undefined>): Value {
  return {
    t: "map",
    get: (k) => (Object.hasOwn(fields, k) ? fields[k]() : undefined),
    entries: () => [],
  };
}

function topLevel(name: string, env: PropertyEnv): Value | undefined {
  const s = env.stream;
  if (s) {
    const rh = s.requestHeaders;
    switch (name) {
      case "request":
        return mapOf({
          path: () => (rh ? opt(first(rh, ":path")) : undefined),
          url_path: () => {
            const p = first(rh, ":path");
            return p === undefined ? undefined : str(p.split("?")[0]);
          },
          host: () => opt(first(rh, ":authority")),
          scheme: () => opt(first(rh, ":scheme")),
          method: () => opt(first(rh, ":method")),
          referer: () => opt(first(rh, "referer")),
          useragent: () => opt(first(rh, "user-agent")),
          id: () => opt(first(rh, "x-request-id")),
          query: () => {
            const p = first(rh, ":path");
            if (p === undefined) return undefined;
            const i = p.indexOf("?");
            return str(i < 0 ? "" : p.slice(i + 1));
          },
          headers: () => (rh ? headerMapValue(rh) : undefined),
          headers_bytes: () => (rh ? int(byteSize(rh)) : undefined),
          time: () => ({ t: "timestamp", v: s.requestStartNs }),
          protocol: () => str(s.protocol),
          size: () => {
            const cl = first(rh, "content-length");
            if (cl !== undefined && /^\d+$/.test(cl)) return int(BigInt(cl));
            return int(s.requestBodyBytes);
          },
          total_size: () => int(s.requestBodyBytes + (rh ? byteSize(rh) : 0)),
          duration: () => (s.durationNs === null ? undefined : { t: "duration", v: s.durationNs }),
        });
      case "response":
        return mapOf({
          code: () => (s.responseCode === null ? undefined : int(s.responseCode)),
          code_details: () => (s.responseCodeDetails === null ? undefined : str(s.responseCodeDetails)),
          flags: () => int(0),
          grpc_status: () => {
            const g = first(s.responseTrailers, "grpc-status") ?? first(s.responseHeaders, "grpc-status");
            return g === undefined ? undefined : int(Number(g));
          },
          headers: () => (s.responseHeaders ? headerMapValue(s.responseHeaders) : undefined),
          headers_bytes: () => (s.responseHeaders ? int(byteSize(s.responseHeaders)) : undefined),
          trailers: () => (s.responseTrailers ? headerMapValue(s.responseTrailers) : undefined),
          size: () => int(s.responseBodyBytes),
          total_size: () => int(s.responseBodyBytes + (s.responseHeaders ? byteSize(s.responseHeaders) : 0)),
        });
      case "source":
      case "destination": {
        const a = name === "source" ? s.sourceAddress : s.destinationAddress;
        return mapOf({
          address: () => str(a),
          port: () => {
            const p = splitAddress(a).port;
            return p === null ? undefined : int(p);
          },
        });
      }
      case "upstream": {
        const a = s.upstreamAddress;
        return mapOf({
          address: () => (a === null ? undefined : str(a)),
          port: () => {
            const p = a === null ? null : splitAddress(a).port;
            return p === null ? undefined : int(p);
          },
        });
      }
      case "connection":
        return mapOf({
          id: () => int(s.connectionId),
          mtls: () => ({ t: "bool", v: s.mtls }),
          requested_server_name: () => str(s.requestedServerName),
        });
      case "connection_id":
        return int(s.connectionId);
      case "metadata":
      case "filter_state":
      case "upstream_filter_state":
      case "xds":
        return { t: "opaque" };
    }
  }
  switch (name) {
    case "plugin_name":
      return str(env.pluginName);
    case "plugin_root_id":
      return str(env.rootId);
    case "plugin_vm_id":
      return str(env.vmId);
  }
  if (s) {
    const state = s.filterState.get(name);
    if (state) return { t: "bytes", v: state };
  }
  return undefined;
}

function opt(v: string | undefined): Value | undefined {
  return v === undefined ? undefined : str(v);
}

export function serializeValue(v: Value): { status: number; value?: Buffer } {
  switch (v.t) {
    case "string":
      return { status: WasmResult.Ok, value: Buffer.from(v.v, "latin1") };
    case "bytes":
      return { status: WasmResult.Ok, value: v.v };
    case "int":
    case "timestamp":
    case "duration": {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt.asUintN(64, v.v));
      return { status: WasmResult.Ok, value: b };
    }
    case "bool":
      return { status: WasmResult.Ok, value: Buffer.from([v.v ? 1 : 0]) };
    case "map": {
      const pairs: Pair[] = [];
      for (const [k, val] of v.entries()) {
        const s = serializeValue(val);
        if (s.status !== WasmResult.Ok) return { status: WasmResult.SerializationFailure };
        pairs.push([k, s.value!.toString("latin1")]);
      }
      if (pairs.length === 0) return { status: WasmResult.SerializationFailure };
      return { status: WasmResult.Ok, value: encodePairs(pairs) };
    }
    default:
      return { status: WasmResult.SerializationFailure };
  }
}

function stringify(v: Value): string | undefined {
  switch (v.t) {
    case "string":
      return v.v;
    case "bytes":
      return v.v.toString("latin1");
    case "int":
    case "timestamp":
    case "duration":
      return v.v.toString();
    case "bool":
      return v.v ? "true" : "false";
    default:
      return undefined;
  }
}

export function getProperty(rawPath: Buffer, env: PropertyEnv): { status: number; value?: Buffer } {
  const text = rawPath.toString("latin1");
  if (env.profile === "nginx") return getNginxProperty(text, env);
  const parts = text.split("\0");
  if (text.length === 0) return { status: WasmResult.NotFound };
  let value = topLevel(parts[0], env);
  if (!value) return { status: WasmResult.NotFound };
  for (const part of parts.slice(1)) {
    if (value.t !== "map") return { status: WasmResult.NotFound };
    const next: Value | undefined = value.get(part);
    if (!next) return { status: WasmResult.NotFound };
    value = next;
  }
  return serializeValue(value);
}

function getNginxProperty(text: string, env: PropertyEnv): { status: number; value?: Buffer } {
  const path = text.replace(/\0/g, ".");
  if (path === "plugin_vm_id") return { status: WasmResult.NotFound };
  if (path === "plugin_name" && !env.stream) {
    throw new Error("ngx_wasm_module reads plugin_name from the request's filter chain: on a root context it dereferences NULL");
  }
  if (path.startsWith("wasmx.")) {
    const v = env.stream?.filterState.get(path);
    return v ? { status: WasmResult.Ok, value: v } : { status: WasmResult.NotFound };
  }
  // Header names may contain dots, so request.headers.<name> takes the whole rest.
  const m = /^(request|response)\.headers\.(.+)$/.exec(path);
  let value: Value | undefined;
  if (m) {
    const map = topLevel(m[1], env);
    const headers = map?.t === "map" ? map.get("headers") : undefined;
    value = headers?.t === "map" ? headers.get(m[2]) : undefined;
  } else {
    const parts = path.split(".");
    value = topLevel(parts[0], env);
    for (const part of parts.slice(1)) {
      if (!value || value.t !== "map") {
        value = undefined;
        break;
      }
      value = value.get(part);
    }
  }
  if (!value) return { status: WasmResult.NotFound };
  const s = stringify(value);
  return s === undefined ? { status: WasmResult.NotFound } : { status: WasmResult.Ok, value: Buffer.from(s, "latin1") };
}

/** set_property: a stream's filter state; NOT_FOUND without stream info (root contexts). */
export function setProperty(rawPath: Buffer, value: Buffer, env: PropertyEnv): number {
  if (!env.stream) return WasmResult.NotFound;
  const text = rawPath.toString("latin1");
  if (env.profile === "nginx") {
    const path = text.replace(/\0/g, ".");
    if (!path.startsWith("wasmx.")) return WasmResult.NotFound;
    env.stream.filterState.set(path, Buffer.from(value));
    return WasmResult.Ok;
  }
  env.stream.filterState.set(text, Buffer.from(value));
  return WasmResult.Ok;
}
