// Interop: real nginx (Debian `nginx`, ngx_http_userid_module) and clicktrail's format "nginx" with the
// same settings. nginx runs single-process on 127.0.0.1 from a temporary prefix, one instance per
// configuration. clicktrail gets nginx's own time and worker start value injected (read back from nginx's
// cookie: the start value's low 16 bits are nginx's pid, which stands in for clicktrail's odd worker
// number), so Set-Cookie lines agree byte for byte when the pid is odd and field by field otherwise.
// Which cookies count as valid, the mark re-issue and `$uid_got` are compared as well.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import http from "node:http";
import net from "node:net";
import { headerValues, loadHost, scriptedRandom, state, wasmPath } from "../usertrack/helpers.mjs";

const nginxBin = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"].find((p) => existsSync(p))
  ?? (spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" }).stdout.trim() || null);
const Host = nginxBin ? await loadHost() : null;
if (!nginxBin) console.log("SKIPPED: usertrack nginx interop (nginx not installed)");
else if (!Host) console.log("SKIPPED: usertrack nginx interop (dist/host has no Host; merge branch host)");
const skip = !nginxBin || !Host;

// [nginx directives, clicktrail usertrack section]
const CONFIGS = [
  ["userid on;", { format: "nginx" }],
  ["userid on; userid_name tid; userid_mark B; userid_expires 365d; userid_flags secure httponly samesite=lax;",
    { format: "nginx", cookie_name: "tid", nginx_mark: "B", expires: "365d", secure: true, http_only: true, same_site: "lax" }],
  ["userid v1; userid_service 7;", { format: "nginx", nginx_version: 1, nginx_service: 7 }],
  ["userid on; userid_service 258; userid_domain example.com; userid_path /app; userid_expires max; userid_p3p 'CP=\"NOI\"';",
    { format: "nginx", nginx_service: 258, domain: "example.com", nginx_path: "/app", expires: "max", nginx_p3p: 'CP="NOI"' }],
  ["userid on; userid_expires 12h30m; userid_flags samesite=strict;", { format: "nginx", expires: "12h30m", same_site: "strict" }],
  ["userid on; userid_mark =; userid_expires 1y;", { format: "nginx", nginx_mark: "=", expires: "1y" }],
  ["userid on; userid_mark 7; userid_flags samesite=none secure;", { format: "nginx", nginx_mark: "7", same_site: "none", secure: true }],
  ["userid v1; userid_expires 3600; userid_domain .a.example; userid_mark x;",
    { format: "nginx", nginx_version: 1, expires: 3600, domain: ".a.example", nginx_mark: "x" }],
];

const running = new Set();
const dirs = [];
process.on("exit", () => { for (const p of running) try { p.kill("SIGKILL"); } catch {} });
after(async () => {
  await Promise.all([...running].map(stop));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.on("connect", () => { s.destroy(); resolve(true); });
    s.on("error", () => resolve(false));
  });
}

function stop(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) { running.delete(proc); return resolve(); }
    const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
    proc.once("exit", () => { clearTimeout(timer); running.delete(proc); resolve(); });
    proc.kill("SIGTERM");
  });
}

async function start(directives) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "clicktrail-userid-"));
  dirs.push(dir);
  const conf = `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    ${directives}
    location / { add_header X-Uid-Got $uid_got always; return 200 "ok\\n"; }
    location /missing { return 404; }
  }
}
`;
  writeFileSync(join(dir, "nginx.conf"), conf);
  const proc = spawn(nginxBin, ["-p", dir, "-e", join(dir, "error.log"), "-c", join(dir, "nginx.conf")], { stdio: ["ignore", "ignore", "pipe"] });
  running.add(proc);
  let stderr = "";
  proc.stderr.on("data", (d) => { stderr += d; });
  const deadline = Date.now() + 10000;
  while (!(await canConnect(port))) {
    if (proc.exitCode !== null) throw new Error("nginx exited: " + stderr + (existsSync(join(dir, "error.log")) ? readFileSync(join(dir, "error.log"), "utf8") : ""));
    if (Date.now() > deadline) { await stop(proc); throw new Error("nginx did not start: " + stderr); }
    await new Promise((r) => setTimeout(r, 30));
  }
  return { proc, port, dir };
}

function get(port, path, cookies) {
  return new Promise((resolve, reject) => {
    const headers = cookies === undefined ? {} : { Cookie: cookies };
    const req = http.get({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, setCookie: res.headers["set-cookie"] ?? [], p3p: res.headers["p3p"] ?? null, got: res.headers["x-uid-got"] ?? null, date: res.headers["date"] }));
    });
    req.on("error", reject);
  });
}

function words(value, v1) {
  const b = Buffer.from(value.slice(0, 22) + "==", "base64");
  return [0, 4, 8, 12].map((o) => (v1 ? b.readUInt32LE(o) : b.readUInt32BE(o)));
}

function request(host, port, cookies = []) {
  const s = host.newStream({ worker: 0, destinationAddress: `127.0.0.1:${port}` });
  s.sendRequestHeaders([[":method", "GET"], [":path", "/"], [":authority", "example.com"], [":scheme", "http"],
    ...cookies.map((c) => ["cookie", c])], { endOfStream: true });
  s.sendResponseHeaders([[":status", "200"]], { endOfStream: true });
  s.complete();
  return s;
}

for (const [directives, usertrack] of CONFIGS) {
  test(`Set-Cookie, validity and re-issue agree with nginx: ${directives}`, { skip }, async () => {
    const name = usertrack.cookie_name ?? "uid";
    const v1 = usertrack.nginx_version === 1;
    const mark = usertrack.nginx_mark && usertrack.nginx_mark !== "off" ? usertrack.nginx_mark : "";
    const nginx = await start(directives);
    try {
      const first = await get(nginx.port, "/");
      assert.equal(first.setCookie.length, 1);
      const line = first.setCookie[0];
      const value = line.slice(name.length + 1, line.indexOf(";"));
      const [, time, start] = words(value, v1);
      // The worker start time's microseconds / 20 are in the start value's high half, nginx's pid in the low.
      const pid = start & 0xffff;
      const micros = BigInt(time) * 1000000n + BigInt((start >>> 16) * 20);
      // nginx stamps `expires` from its clock at each response; clicktrail's clock follows the Date of the
      // nginx response it is compared with, so a second ticking over between requests cannot split them.
      let now = micros * 1000n;
      const host = await Host.create({ wasm: wasmPath, config: { usertrack }, clock: () => now,
        random: scriptedRandom([pid >> 8, pid & 0xff]) });
      assert.equal(host.configured, true, JSON.stringify(host.logs));
      const s = request(host, nginx.port);
      const ours = headerValues(s.responseHeaders, "set-cookie");
      assert.equal(ours.length, 1);
      const oursValue = ours[0].slice(name.length + 1, ours[0].indexOf(";"));
      // Field by field: attributes exactly, the id word by word (the start value's lowest bit is nginx's
      // pid parity, clicktrail's worker number is always odd), the mark and padding exactly.
      assert.deepEqual(ours[0].split("; ").slice(1), line.split("; ").slice(1));
      const [a, b] = [words(value, v1), words(oursValue, v1)];
      assert.deepEqual([b[0], b[1], b[2] | 1, b[3]], [a[0], a[1], a[2] | 1, a[3]]);
      assert.equal(oursValue.slice(22), value.slice(22));
      if (pid % 2 === 1) assert.equal(ours[0], line);
      assert.deepEqual(headerValues(s.responseHeaders, "p3p"), first.p3p === null ? [] : [first.p3p]);

      // Cookies back: what nginx accepts, re-issues or replaces, clicktrail must too.
      const valid22 = value.slice(0, 22);
      const cases = [
        `${name}=${valid22}==`, `${name}=${valid22}${mark || "="}=`, `${name.toUpperCase()}=${valid22}${mark || "="}=`,
        `a=b, ${name}=${valid22}==`, `${name} = ${valid22}==`, `${name}=${valid22.slice(0, 20)}`,
        `${name}=${valid22.slice(0, 21)}_==`, `${name}=AAAAAAAAAAAAAAAAAAAAAA==`, `x${name}=${valid22}==`,
        `${name}=${valid22}; ${name}=AAAA`,
      ];
      for (const cookie of cases) {
        const theirs = await get(nginx.port, "/", cookie);
        now = BigInt(Date.parse(theirs.date)) * 1000000n;
        const mine = request(host, nginx.port, [cookie]);
        const mineSet = headerValues(mine.responseHeaders, "set-cookie");
        assert.equal(mineSet.length, theirs.setCookie.length, cookie);
        const returning = theirs.got !== null;
        assert.equal(state(mine, "clicktrail_usertrack_new"), returning ? "0" : "1", cookie);
        if (returning) {
          assert.equal(state(mine, "clicktrail_usertrack_uid"), theirs.got, cookie);
          // A re-issue repeats the client's id: the same line from both.
          if (theirs.setCookie.length) assert.equal(mineSet[0], theirs.setCookie[0], cookie);
        }
      }
      if (mark && mark !== "=") {
        // Known difference (docs/compat.md): a cookie with unused low bits set in its 22nd character is the
        // same id; nginx re-sends the client's characters, clicktrail the canonical encoding.
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const odd = valid22.slice(0, 21) + alphabet[alphabet.indexOf(valid22[21]) + 1] + "==";
        const theirs = await get(nginx.port, "/", `${name}=${odd}`);
        now = BigInt(Date.parse(theirs.date)) * 1000000n;
        const mine = request(host, nginx.port, [`${name}=${odd}`]);
        assert.equal(state(mine, "clicktrail_usertrack_uid"), theirs.got);
        assert.equal(theirs.setCookie[0].split(";")[0], `${name}=${odd.slice(0, 22)}${mark}=`);
        assert.equal(headerValues(mine.responseHeaders, "set-cookie")[0].split(";")[0], `${name}=${valid22}${mark}=`);
      }
    } finally {
      await stop(nginx.proc);
    }
  });
}
