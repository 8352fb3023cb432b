// `clicktrail demo` (`npm start`): the bundled demo site (demo/server.mjs) on 127.0.0.1:8080 and the dev
// proxy with build/clicktrail.wasm and envoy/clicktrail.json in front of it on 127.0.0.1:10000, with all
// three features on; prints where to point a browser and what to look for.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startProxy, parseListen, type RunningProxy } from "../../host/index.js";
import { UsageError, parseFlags, type Command } from "./args.js";
import { DEFAULT_WASM, DEMO_CONFIG, packagePath } from "./paths.js";
import { decodeId } from "./decode.js";
import { clickstream, pathOf } from "../clickstream/command.js";
import { envoyFormat } from "../clickstream/formats.js";
import { esc as escapeHtml, htmlReport } from "../clickstream/report-html.js";

export interface DemoOptions {
  /** The proxy's HOST:PORT (default 127.0.0.1:10000; port 0 picks a free one). */
  listen?: string;
  /** The backend's HOST:PORT (default 127.0.0.1:8080). */
  backend?: string;
  wasm?: string;
  /** Configuration file (default envoy/clicktrail.json). */
  config?: string;
  workers?: number;
  /** false: only the backend, for a real Envoy (npm run envoy) to sit in front of. */
  proxy?: boolean;
  /** The proxy's access log (envoy/envoy.yaml's line format), which /clickstream reports on. */
  accessLog?: string;
  log?: (line: string) => void;
}

export interface RunningDemo {
  backendUrl: string;
  /** The proxy's access log, when it writes one. */
  accessLog: string | null;
  proxy: RunningProxy | null;
  /** Where a browser should go. */
  url: string;
  close(): Promise<void>;
}

type DemoBackendModule = {
  createDemoBackend(opts: {
    sessionRequestHeader?: string; sessionResponseHeader?: string; usertrackHeader?: string; clickpathHeaderPrefix?: string;
    describeSession?: (id: string) => Promise<Record<string, unknown> | null>;
    clickstreamPage?: (session: string | null) => Promise<string | null>;
  }): Server;
};

/** The report page of the access log, the visitor's own session (from the backend's header) first. */
export async function demoClickstreamPage(accessLog: string, session: string | null): Promise<string | null> {
  if (!existsSync(accessLog)) return null;
  const format = envoyFormat();
  const full = await clickstream({ files: [accessLog], format, by: "session" });
  let lead = `<p>Every request through the dev proxy is a line of <code>${escapeHtml(accessLog)}</code>, in envoy/envoy.yaml's format; ` +
    "this page is <code>clicktrail clickstream</code> of that file. A page appears once its request has ended.</p>";
  if (session !== null) {
    const mine = await pathOf([accessLog], format, { session });
    lead += `<h2>Your path (ClickPath session <code id="your-session">${escapeHtml(session)}</code>)</h2>` +
      (mine.length ? `<ol id="your-path">${mine.map((p) => `<li><code>${escapeHtml(p.path)}</code> <small>${new Date(p.time).toISOString()}</small></li>`).join("")}</ol>`
        : `<p id="your-path">No page views of this session in the log yet.</p>`);
  }
  return htmlReport(full, { lead });
}

export async function startDemo(opts: DemoOptions = {}): Promise<RunningDemo> {
  const configFile = opts.config ?? DEMO_CONFIG;
  const configText = readFileSync(configFile, "utf8");
  let session: { upstream_header?: string; response_header?: string } = {};
  let usertrack: { upstream_header?: string } = {};
  let clickpath: { upstream_header_prefix?: string } = {};
  try {
    const parsed = JSON.parse(configText) as { session?: typeof session; usertrack?: typeof usertrack; clickpath?: typeof clickpath };
    session = parsed.session ?? {};
    usertrack = parsed.usertrack ?? {};
    clickpath = parsed.clickpath ?? {};
  } catch {
    // The filter reports the syntax error with its position when the proxy starts.
  }
  const { createDemoBackend } = (await import(pathToFileURL(packagePath("demo/server.mjs")).href)) as DemoBackendModule;
  const backend = createDemoBackend({
    sessionRequestHeader: session.upstream_header || "x-session",
    sessionResponseHeader: session.response_header || "x-replace-session",
    usertrackHeader: usertrack.upstream_header || "x-usertrack-id",
    clickpathHeaderPrefix: clickpath.upstream_header_prefix || "x-clickpath-",
    describeSession: (id) => decodeId(id, configText).catch(() => null),
    clickstreamPage: async (sess) => (opts.accessLog ? demoClickstreamPage(opts.accessLog, sess) : null),
  });
  const b = parseListen(opts.backend ?? "127.0.0.1:8080");
  await new Promise<void>((resolve, reject) => {
    backend.once("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "EADDRINUSE" ? new Error(`the backend's port ${b.port} is in use; pick another with --backend-port`) : e));
    backend.listen(b.port, b.host, () => resolve());
  });
  const baddr = backend.address() as AddressInfo;
  const backendUrl = `http://${b.host}:${baddr.port}`;
  const closeBackend = () => new Promise<void>((resolve) => {
    backend.close(() => resolve());
    backend.closeAllConnections();
  });
  if (opts.proxy === false) return { backendUrl, accessLog: null, proxy: null, url: backendUrl, close: closeBackend };
  let proxy: RunningProxy;
  try {
    proxy = await startProxy({
      wasm: opts.wasm ?? DEFAULT_WASM,
      config: configText,
      listen: opts.listen ?? "127.0.0.1:10000",
      upstream: backendUrl,
      workers: opts.workers ?? 2,
      vmId: "clicktrail",
      log: opts.log,
      accessLog: opts.accessLog,
    });
  } catch (e) {
    await closeBackend();
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EADDRINUSE") throw new Error(`the proxy's port is in use (${opts.listen ?? "127.0.0.1:10000"}); pick another with --port`);
    throw e;
  }
  return {
    backendUrl,
    accessLog: opts.accessLog ?? null,
    proxy,
    url: `${proxy.url}/`,
    close: async () => {
      await proxy.close();
      await closeBackend();
    },
  };
}

function port(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`--${name} must be a port number, got "${v}"`);
  return Number(v);
}

export const demoCommand: Command = {
  summary: "serve the demo site behind the dev proxy with all three features on (npm start)",
  usage: "clicktrail demo [--port 10000] [--backend-port 8080] [--wasm FILE] [--config FILE] [--workers N] [--access-log FILE] [--no-proxy]",
  async run(args) {
    const noProxy = args.includes("--no-proxy");
    const { flags, positionals } = parseFlags(args.filter((a) => a !== "--no-proxy"), ["port", "backend-port", "wasm", "config", "workers", "access-log"]);
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const workers = flags.has("workers") ? Number(flags.get("workers")) : 2;
    if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers must be a positive integer, got "${flags.get("workers")}"`);
    const demo = await startDemo({
      listen: `127.0.0.1:${port("port", flags.get("port"), 10000)}`,
      backend: `127.0.0.1:${port("backend-port", flags.get("backend-port"), 8080)}`,
      wasm: flags.get("wasm"),
      config: flags.get("config"),
      workers,
      proxy: !noProxy,
      accessLog: noProxy ? undefined : (flags.get("access-log") ?? join(tmpdir(), "clicktrail-demo-access.log")),
    });
    const out = (s: string) => process.stdout.write(s + "\n");
    if (!demo.proxy) {
      out(`clicktrail demo backend (no proxy) on ${demo.backendUrl}/ — put Envoy in front of it: npm run envoy`);
    } else {
      const u = demo.url;
      out(`clicktrail demo: open ${u}`);
      out(`  (the backend itself, unfiltered: ${demo.backendUrl}/)`);
      out(`  filter ${flags.get("wasm") ?? "build/clicktrail.wasm"}, configuration ${flags.get("config") ?? "envoy/clicktrail.json"}, ${workers} worker VMs`);
      out("");
      out("What to look for (browser developer tools → Network and Application → Cookies):");
      out("  usertrack  the first response sets the tracking cookie Apache=<random hex>.<µs hex>, which then stays");
      out("  clickpath  the first page's links become /-S:<id>/...; the address bar keeps the segment as you click;");
      out("             links to other sites, #fragments, comments, scripts and the textarea stay as they were;");
      out(`             ${u}redirect answers with a Location that carries the session`);
      out(`  session    ${u}session.html stores a key: an encrypted cookie "session" appears (demo-only passphrase)`);
      out(`  upstream   ${u}echo shows what the backend receives: x-usertrack-id, x-clickpath-*, x-session`);
      out(`  state      every page ends with what the backend received: tracking id, ClickPath session and age, session`);
      out(`  clicks     ${u}clickstream reports on the proxy's access log ${demo.accessLog} (yours first)`);
      out(`  crawlers   curl -si ${u} gets no session segment (the ua_exceptions entry "curl");`);
      out(`             curl -si -A Mozilla/5.0 ${u} gets the rewritten page`);
      out("Ctrl-C stops.");
    }
    await new Promise<void>((resolve) => {
      const stop = () => void demo.close().then(resolve);
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    return 0;
  },
};
