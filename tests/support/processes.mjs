// Servers that tests run as child processes (Apache, nginx, the dev proxy): a free loopback port, start
// with stderr captured, wait until the port accepts connections, and stop with SIGTERM then SIGKILL.
// Every started process is remembered so that stopAll() (for an `after` hook) and, as a last resort,
// process exit can end it: a test that fails half-way must not leave a server behind.
import { spawn } from "node:child_process";
import net from "node:net";

const running = new Set();
process.on("exit", () => {
  for (const proc of running) try { proc.kill("SIGKILL"); } catch {}
});

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** Whether a TCP connection to 127.0.0.1:port succeeds now. */
export function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.on("connect", () => { s.destroy(); resolve(true); });
    s.on("error", () => resolve(false));
  });
}

/**
 * Spawns `command` with stdin and stdout ignored and stderr collected. `ownGroup` puts it into a process
 * group of its own (Apache prefork signals its whole group on shutdown, which would include the test).
 * Returns { proc, stderr() }.
 */
export function startProcess(command, args, { ownGroup = false, cwd, env } = {}) {
  const proc = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], detached: ownGroup, cwd, env });
  running.add(proc);
  proc.on("exit", () => running.delete(proc));
  let stderr = "";
  proc.stderr.on("data", (d) => { stderr += d; });
  return { proc, stderr: () => stderr };
}

/**
 * Polls until 127.0.0.1:port accepts a connection: "listening", or "exited" once `proc` has ended, or
 * "timeout" after `timeoutMs`. The caller words the failure.
 */
export async function waitForPort(proc, port, { timeoutMs = 10000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) return "exited";
    if (await canConnect(port)) return "listening";
    if (Date.now() > deadline) return "timeout";
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it has exited. */
export function stop(proc, graceMs = 5000) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) { running.delete(proc); return resolve(); }
    const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    proc.once("exit", () => { clearTimeout(timer); running.delete(proc); resolve(); });
    proc.kill("SIGTERM");
  });
}

/** Stops every process started here that is still running. */
export function stopAll() {
  return Promise.all([...running].map((proc) => stop(proc)));
}
