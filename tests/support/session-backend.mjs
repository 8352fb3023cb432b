// The backend the session-store suites talk to: `/set?k=K&v=V` answers with `x-replace-session: K=V` (the
// filter's response_header), any other path echoes the `x-session` header it received (upstream_header).
// `seen`, when given, records { path, session } for every request in arrival order.
import http from "node:http";

/** Starts the backend on 127.0.0.1 (`port` 0: any free port); resolves to the listening server. */
export async function startSessionBackend({ seen = null, port = 0, keepAliveTimeout } = {}) {
  const server = http.createServer(keepAliveTimeout ? { keepAliveTimeout } : {}, (req, res) => {
    const url = new URL(req.url, "http://backend.invalid");
    if (seen) seen.push({ path: url.pathname, session: req.headers["x-session"] ?? "" });
    if (url.pathname === "/set") {
      res.writeHead(200, { "content-type": "text/plain", "x-replace-session": `${url.searchParams.get("k")}=${url.searchParams.get("v")}` });
      res.end("ok");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(String(req.headers["x-session"] ?? ""));
  });
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return server;
}
