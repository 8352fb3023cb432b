// The dev proxy's access log: the line envoy/envoy.yaml has Envoy write, field for field, so that the
// same tools (clicktrail clickstream) read both. Envoy's operators as the dev proxy fills them:
// %START_TIME% when the request arrived (ISO 8601, milliseconds, UTC: Envoy's default form), %REQ(...)%
// from the request headers as the filter left them (so :path has no session segment), %RESPONSE_CODE%
// 0 when no response was sent, %BYTES_SENT% the response body bytes written to the client,
// %FILTER_STATE(wasm.NAME:PLAIN)% what the filter set as property NAME (Envoy adds the "wasm." prefix),
// %UPSTREAM_CLUSTER% the upstream's HOST:PORT (the dev proxy has no clusters), and `-` wherever Envoy
// writes `-` for nothing.
import { createWriteStream, type WriteStream } from "node:fs";
import type { HttpStream } from "../envoy/stream.js";

export interface AccessLogEntry {
  startMs: number;
  protocol: string;
  bytesSent: number;
  upstreamCluster: string | null;
}

function header(headers: ReadonlyArray<readonly [string, string]> | null, name: string): string {
  const hit = headers?.find(([k]) => k === name);
  return hit ? hit[1] : "-";
}

export function accessLogLine(stream: HttpStream, e: AccessLogEntry): string {
  const req = stream.requestHeaders;
  const res = stream.responseHeaders;
  const state = stream.filterState;
  const fs = (name: string) => state.get(name) ?? "-";
  const status = res ? header(res, ":status") : "0";
  return `[${new Date(e.startMs).toISOString()}] "${header(req, ":method")} ${header(req, ":path")} ${e.protocol}" ${status} ${e.bytesSent} ` +
    `usertrack=${fs("clicktrail_usertrack_id")} new=${fs("clicktrail_usertrack_new")} ` +
    `clickpath=${fs("clicktrail_clickpath_session")} upstream=${e.upstreamCluster ?? "-"}\n`;
}

/** Appends lines to FILE (created if missing), as Envoy's file access logger does. */
export function openAccessLog(file: string): { write(line: string): void; close(): Promise<void> } {
  const out: WriteStream = createWriteStream(file, { flags: "a" });
  let open = true;
  return {
    // A request that ends while the proxy shuts down is not logged (the file is closed by then).
    write: (line) => void (open && out.write(line)),
    close: () => new Promise<void>((resolve) => {
      open = false;
      out.end(() => resolve());
    }),
  };
}
