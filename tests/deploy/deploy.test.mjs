// The deployment files: every YAML parses, points at the module, and embeds exactly envoy/clicktrail.json,
// which both validators accept; the filter-state names in the access log are the filter's own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import YAML from "yaml";
import { validateConfig } from "../../dist/cli/commands/validate.js";
import { envoyPaths } from "../../scripts/envoy-paths.mjs";
import { ENVOY, envoySkip } from "../support/envoy.mjs";
import { canConnect, freePort, startProcess } from "../support/processes.mjs";

const root = new URL("../..", import.meta.url).pathname;
const read = (p) => readFileSync(join(root, p), "utf8");
const configText = read("envoy/clicktrail.json");
const config = JSON.parse(configText);

function wasmFilter(httpFilters) {
  const f = httpFilters.find((h) => h.name === "envoy.filters.http.wasm");
  assert.ok(f, "no envoy.filters.http.wasm");
  assert.equal(f.typed_config["@type"], "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm");
  return f.typed_config.config;
}

async function assertValid(text) {
  const report = await validateConfig(text);
  assert.deepEqual([...report.schemaErrors, ...report.filterErrors], []);
  assert.deepEqual(report.enabled, ["usertrack", "clickpath", "session"]);
}

test("envoy/clicktrail.json turns on all three features and passes clicktrail validate", async () => {
  await assertValid(configText);
  assert.match(config.session.crypto.passphrases[0], /^DEMO-ONLY /);
  assert.ok(config.clickpath.ua_exceptions.length >= 2);
  assert.equal(config.session.crypto.format, "aead");
});

test("envoy/envoy.yaml: listener, module, vm_id, the configuration verbatim, routes per machine, access log", async () => {
  const doc = YAML.parse(read("envoy/envoy.yaml"));
  const [listener] = doc.static_resources.listeners;
  assert.deepEqual(listener.address.socket_address, { address: "127.0.0.1", port_value: 10000 });
  const hcm = listener.filter_chains[0].filters[0].typed_config;
  const wasm = wasmFilter(hcm.http_filters);
  assert.equal(hcm.http_filters.at(-1).name, "envoy.filters.http.router");
  assert.equal(wasm.vm_config.vm_id, "clicktrail");
  assert.equal(wasm.vm_config.runtime, "envoy.wasm.runtime.v8");
  assert.equal(wasm.vm_config.code.local.filename, "build/clicktrail.wasm");
  assert.ok(existsSync(join(root, wasm.vm_config.code.local.filename)), "run npm run build");
  assert.equal(wasm.configuration["@type"], "type.googleapis.com/google.protobuf.StringValue");
  assert.equal(wasm.configuration.value, configText);
  await assertValid(wasm.configuration.value);

  // The names the filter writes (assembly sources) are the ones the access log reads.
  const usertrackState = /STATE_ID = "([^"]+)"/.exec(read("assembly/usertrack/feature.ts"))[1];
  const clickpathState = /SESSION_FILTER_STATE = "([^"]+)"/.exec(read("assembly/clickpath/filter.ts"))[1];
  const format = hcm.access_log[0].typed_config.log_format.text_format_source.inline_string;
  assert.ok(format.includes(`%FILTER_STATE(wasm.${usertrackState}:PLAIN)%`), format);
  assert.ok(format.includes(`%FILTER_STATE(wasm.${clickpathState}:PLAIN)%`), format);

  // Each machine of the table has a route on x-clickpath-machine to a cluster that exists.
  const routes = hcm.route_config.virtual_hosts[0].routes;
  const clusters = new Set(doc.static_resources.clusters.map((c) => c.name));
  for (const { name } of config.clickpath.machine_table) {
    const r = routes.find((x) => x.match.headers?.[0]?.name === "x-clickpath-machine" && x.match.headers[0].string_match.exact === name);
    assert.ok(r, `no route for machine ${name}`);
    assert.ok(clusters.has(r.route.cluster));
  }
  assert.deepEqual(routes.at(-1).match, { prefix: "/" });
  assert.deepEqual(doc.admin.address.socket_address, { address: "127.0.0.1", port_value: 9901 });
});

test(".envoy-version pins one Envoy release", () => {
  assert.match(read(".envoy-version"), /^1\.\d+\.\d+\n$/);
});

test("envoy/istio/wasmplugin.yaml: pluginConfig is the configuration, module file, phase, failure strategy", async () => {
  const doc = YAML.parse(read("envoy/istio/wasmplugin.yaml"));
  assert.equal(doc.apiVersion, "extensions.istio.io/v1alpha1");
  assert.equal(doc.kind, "WasmPlugin");
  assert.deepEqual(doc.spec.pluginConfig, config);
  // The image npm run package:oci builds (tests/deploy/oci.test.mjs), tagged with the package's version; the
  // digest pin is in the build/istio/wasmplugin.yaml it writes, as a digest goes stale with every build.
  const version = JSON.parse(read("package.json")).version;
  assert.equal(doc.spec.url, `oci://registry.example/clicktrail:${version}`);
  assert.equal(doc.spec.imagePullPolicy, "IfNotPresent");
  assert.equal(doc.spec.sha256, undefined);
  assert.equal(doc.spec.phase, "AUTHN");
  assert.equal(doc.spec.failStrategy, "FAIL_CLOSE");
  // What istiod hands the filter: the Struct as JSON.
  await assertValid(JSON.stringify(doc.spec.pluginConfig));
});

test("envoy/istio/envoyfilter.yaml: the same module and configuration as an EnvoyFilter patch", async () => {
  const doc = YAML.parse(read("envoy/istio/envoyfilter.yaml"));
  assert.equal(doc.kind, "EnvoyFilter");
  const [patch] = doc.spec.configPatches;
  assert.equal(patch.applyTo, "HTTP_FILTER");
  assert.equal(patch.match.context, "SIDECAR_INBOUND");
  const wasm = wasmFilter([patch.patch.value]);
  // The module is mounted into the sidecar where docs/deploy.md's ConfigMap volume puts it.
  assert.equal(wasm.vm_config.code.local.filename, "/var/local/lib/wasm-filters/clicktrail.wasm");
  assert.ok(read("docs/deploy.md").includes('\\"mountPath\\":\\"/var/local/lib/wasm-filters\\"'));
  assert.equal(wasm.vm_config.vm_id, "clicktrail");
  assert.equal(wasm.configuration.value, configText);
  await assertValid(wasm.configuration.value);
});

test("envoy/nginx/nginx.conf: module path, shm_kv *, and the proxy_wasm argument is the configuration", async () => {
  const conf = read("envoy/nginx/nginx.conf");
  const module = /^\s*module\s+clicktrail\s+(\S+);/m.exec(conf);
  assert.ok(module);
  assert.ok(existsSync(join(root, module[1])), `${module[1]} (relative to the -p prefix, the repository root)`);
  assert.match(conf, /^\s*shm_kv\s+\*\s+16m;/m);
  const arg = /^\s*proxy_wasm\s+clicktrail\s+'([^']*)';/m.exec(conf);
  assert.ok(arg);
  assert.deepEqual(JSON.parse(arg[1]), config);
  await assertValid(arg[1]);
});

test("npm run deploy-configs has nothing to change (every file embeds envoy/clicktrail.json)", () => {
  const r = spawnSync(process.execPath, [join(root, "scripts/deploy-configs.mjs"), "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
});

test("envoy/clicktrail.schema.json is what scripts/schema.mjs generates", () => {
  const r = spawnSync(process.execPath, [join(root, "scripts/schema.mjs"), "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const schema = JSON.parse(read("envoy/clicktrail.schema.json"));
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.equal(schema.additionalProperties, false);
  assert.ok(schema.$id);
});

test("every key in the schema has a description and every object refuses unknown keys", () => {
  const schema = JSON.parse(read("envoy/clicktrail.schema.json"));
  const visit = (node, path) => {
    if (!node || typeof node !== "object") return;
    if (node.properties) {
      if (node.type === "object" || (Array.isArray(node.type) && node.type.includes("object"))) {
        assert.equal(node.additionalProperties, false, path);
      }
      for (const [k, v] of Object.entries(node.properties)) {
        if (!path.includes("allOf") && !path.includes("if")) assert.equal(typeof v.description, "string", `${path}.${k}`);
        visit(v, `${path}.${k}`);
      }
    }
    for (const k of ["items", "allOf", "then", "else"]) {
      const child = node[k];
      if (Array.isArray(child)) child.forEach((c, i) => visit(c, `${path}.${k}[${i}]`));
      else if (child) visit(child, `${path}.${k}`);
    }
  };
  visit(schema, "");
  // Directives named in the descriptions.
  const text = JSON.stringify(schema);
  for (const d of ["CookieName", "CookieExpires", "ClickPathSessionPrefix", "<ClickPathUAExceptions>", "SessionCryptoPassphrase", "SessionHeader", "SessionEnv"]) {
    assert.ok(text.includes(d), d);
  }
});

test("npm run envoy without func-e (neither the project's nor on PATH) says how to get it and exits 1", () => {
  // A copy of the script in a directory without .envoy/, and a PATH with node only.
  const dir = mkdtempSync(join(tmpdir(), "clicktrail-envoy-script-"));
  try {
    mkdirSync(join(dir, "scripts"));
    for (const f of ["envoy.mjs", "envoy-paths.mjs"]) copyFileSync(join(root, "scripts", f), join(dir, "scripts", f));
    const r = spawnSync(process.execPath, [join(dir, "scripts/envoy.mjs")], { encoding: "utf8", env: { ...process.env, PATH: dirname(process.execPath) } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^func-e was not found \(neither the project's \.envoy\/bin\/func-e nor func-e on PATH\)\. .*\n.*\n\n {4}npm run envoy:install\n\n.*\n\n {4}curl -L https:\/\/func-e\.io\/install\.sh \| bash -s -- -b \/usr\/local\/bin\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("npm run envoy refuses a bad port option with its usage (exit 2)", () => {
  const r = spawnSync(process.execPath, [join(root, "scripts/envoy.mjs"), "--backend-ports", "8080"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'npm run envoy: --backend-ports takes two ports, A,B; got "8080"\n' +
    "usage: npm run envoy -- [--port N] [--admin-port N] [--backend-ports A,B] [--no-backend] [ENVOY ARGS...]\n");
});

test("envoy --mode validate accepts envoy/envoy.yaml (run from the repository root, as documented)", { skip: envoySkip("envoy --mode validate") }, () => {
  const r = spawnSync(ENVOY, ["--mode", "validate", "-c", "envoy/envoy.yaml", "--log-level", "warn"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split("\n").at(-1), "configuration 'envoy/envoy.yaml' OK");
});

const funcESkip = (() => {
  const skip = envoySkip("npm run envoy under func-e");
  if (skip) return skip;
  if (existsSync(envoyPaths(root).funcE) || process.env.ENVOY_REQUIRED === "1") return false;
  const why = "npm run envoy under func-e (no .envoy/bin/func-e: run `npm run envoy:install`)";
  console.log(`SKIPPED: ${why}`);
  return why;
})();

test("npm run envoy serves the demo through Envoy via the project's func-e (no download), with the cookie, and stops cleanly", { skip: funcESkip }, async () => {
  const [port, adminPort, web1, web2, closed] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const home = mkdtempSync(join(tmpdir(), "clicktrail-func-e-"));
  // func-e's own state, config and runtime files go to a scratch directory; a versions URL that refuses
  // connections makes any download attempt fail, so serving proves the pinned binary ran offline.
  const env = { ...process.env, FUNC_E_STATE_HOME: join(home, "state"), FUNC_E_CONFIG_HOME: join(home, "config"),
    FUNC_E_RUNTIME_DIR: join(home, "run"), ENVOY_VERSIONS_URL: `http://127.0.0.1:${closed}/versions.json` };
  const { proc, stderr } = startProcess(process.execPath, [join(root, "scripts/envoy.mjs"), "--port", String(port),
    "--admin-port", String(adminPort), "--backend-ports", `${web1},${web2}`, "--concurrency", "1"], { cwd: root, env });
  try {
    const deadline = Date.now() + 30000;
    for (;;) {
      assert.equal(proc.exitCode, null, stderr());
      const ready = await fetch(`http://127.0.0.1:${adminPort}/ready`).then((r) => r.text(), () => "");
      if (ready.trim() === "LIVE") break;
      assert.ok(Date.now() < deadline, `Envoy not LIVE in 30 s:\n${stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const version = readFileSync(join(root, ".envoy-version"), "utf8").trim();
    assert.ok(stderr().includes(`.envoy/bin/func-e run -c `), stderr());
    assert.ok(stderr().includes(`(Envoy ${version} from .envoy-version, FUNC_E_DATA_HOME=.envoy/func-e)`), stderr());
    assert.ok(stderr().includes(`  backend: http://127.0.0.1:${web1} and http://127.0.0.1:${web2} (the demo site)`), stderr());
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { "user-agent": "Mozilla/5.0 (deploy test)" } });
    const body = await res.text();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("server"), "envoy");
    assert.match(res.headers.get("set-cookie"), /^Apache=[0-9a-f]{1,8}\.[0-9a-f]{1,16}; path=\/; expires=[A-Z][a-z]{2}, \d\d-[A-Z][a-z]{2}-\d\d \d\d:\d\d:\d\d GMT; SameSite=Lax; HttpOnly$/);
    assert.match(body, /<title>clicktrail demo — home<\/title>/);
    assert.match(body, /href="\/-S:[^"/]+\/[^"]*"/, "the demo page's links carry the ClickPath session");
    const stats = await (await fetch(`http://127.0.0.1:${adminPort}/stats?filter=wasm.envoy.wasm.runtime.v8.created`)).text();
    assert.match(stats, /^wasm\.envoy\.wasm\.runtime\.v8\.created: [1-9]\d*$/m);
  } finally {
    proc.kill("SIGTERM");
    const [code, signal] = await new Promise((r) => (proc.exitCode !== null ? r([proc.exitCode, null]) : proc.once("exit", (c, s) => r([c, s]))));
    rmSync(home, { recursive: true, force: true });
    assert.deepEqual([code, signal], [0, null], stderr());
  }
  // Everything it started is gone: Envoy's admin and listener, and both backend ports, refuse connections.
  for (const p of [adminPort, port, web1, web2]) {
    assert.equal(await canConnect(p), false, `port ${p} still open`);
  }
});
