// Clusters for the dev proxy's HTTP callouts (`clicktrail proxy --cluster NAME=URL[,URL...]`): each call a
// filter makes to NAME goes to one of the members over HTTP/1.1, round robin; a member that refuses the
// connection is skipped for the next one, as Envoy's outlier detection would take it out of rotation. Any
// other failure (reset, a member that hangs past the call's timeout) is answered as Envoy answers it: a
// failed call (reset) or the host's own 504.
import http from "node:http";
import type { Pair } from "../abi/pairs.js";
import type { ClusterHandler } from "../envoy/host.js";
import type { HttpCallResponse } from "../envoy/core.js";

/** Parses `NAME=URL[,URL...]`; every URL must be http:// with a host and port and no path beyond "/". */
export function parseClusterArg(arg: string): { name: string; members: URL[] } {
  const eq = arg.indexOf("=");
  if (eq <= 0) throw new Error(`--cluster must be NAME=URL[,URL...], got "${arg}"`);
  const name = arg.slice(0, eq);
  const members = arg.slice(eq + 1).split(",").map((u) => {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new Error(`--cluster ${name}: "${u}" is not a URL`);
    }
    if (url.protocol !== "http:" || url.pathname !== "/" || url.search) {
      throw new Error(`--cluster ${name}: members must be http://HOST:PORT, got "${u}"`);
    }
    return url;
  });
  if (members.length === 0 || members.some((m) => !m.hostname)) throw new Error(`--cluster ${name}: no member URL`);
  return { name, members };
}

/** A handler that sends each call to the members in turn. */
export function clusterHandler(members: URL[]): ClusterHandler {
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return (call) => {
    const start = next;
    next = (next + 1) % members.length;
    return tryMember(call, members, start, 0, agent);
  };
}

function tryMember(
  call: Parameters<ClusterHandler>[0], members: URL[], index: number, tried: number, agent: http.Agent,
): Promise<HttpCallResponse | null> {
  const member = members[(index + tried) % members.length];
  const pick = (n: string) => call.headers.find(([k]) => k === n)?.[1];
  const headers: Record<string, string> = {};
  for (const [k, v] of call.headers) if (!k.startsWith(":")) headers[k] = v;
  headers.host = member.host;
  return new Promise((resolve) => {
    const req = http.request({
      host: member.hostname, port: member.port || 80, method: pick(":method") ?? "GET", path: pick(":path") ?? "/", headers, agent,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const out: Pair[] = [[":status", String(res.statusCode ?? 502)]];
        for (let i = 0; i < res.rawHeaders.length; i += 2) out.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
        resolve({ headers: out, body: Buffer.concat(chunks) });
      });
      res.on("error", () => resolve(null));
    });
    // A member that does not answer in time: the host's own timer answers 504; this request just ends.
    if (call.timeoutMs > 0) req.setTimeout(call.timeoutMs, () => req.destroy(new Error("timeout")));
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ECONNREFUSED" && tried + 1 < members.length) {
        resolve(tryMember(call, members, index, tried + 1, agent));
      } else {
        resolve(null);
      }
    });
    req.end(call.body);
  });
}
