// Istio's two ways of loading clicktrail, in the real Envoy:
// * the EnvoyFilter patch of envoy/istio/envoyfilter.yaml, put into a bootstrap as Istio would patch the
//   inbound HTTP connection manager (first filter, INSERT_FIRST), passes `envoy --mode validate` and serves;
// * the filter istiod generates for envoy/istio/wasmplugin.yaml (tests/support/istio.mjs: name
//   "<namespace>.<name>", root_id = pluginName, no vm_id, pluginConfig as istiod's jsonpb writes it) serves;
// * two such WasmPlugins on one proxy share one shared-data namespace (vm_id ""): the session stores of two
//   clicktrail plugins keep apart by their key prefixes, by default derived from the plugin's name
//   (session/key-prefix.ts), or set with session.shared.key_prefix, which wins.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { freePort } from "../support/processes.mjs";
import { ENVOY, envoySkip, root, startEnvoy, testBootstrap } from "../support/envoy.mjs";
import { toolsSkip } from "../support/tools.mjs";
import { istiodWasmFilter } from "../support/istio.mjs";

const skip = envoySkip("Istio in Envoy");
const istiodSkip = skip || toolsSkip("Istio in Envoy: the WasmPlugin's filter (istio-plugin-config, oras)", "pluginConfig", "oras");
const wasm = join(root, "build/clicktrail.wasm");
const envoyFilter = YAML.parse(readFileSync(join(root, "envoy/istio/envoyfilter.yaml"), "utf8"));
const wasmPlugin = YAML.parse(readFileSync(join(root, "envoy/istio/wasmplugin.yaml"), "utf8"));
const dir = mkdtempSync(join(tmpdir(), "clicktrail-istio-"));
const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

/** The EnvoyFilter's patch value with the module path of this checkout (the mount path in a pod). */
function patchedFilter(edit) {
  const [patch] = envoyFilter.spec.configPatches;
  assert.equal(patch.patch.operation, "INSERT_FIRST");
  const value = structuredClone(patch.patch.value);
  value.typed_config.config.vm_config.code.local.filename = wasm;
  if (edit) edit(value.typed_config.config);
  return value;
}

/** envoy/envoy.yaml at the test's ports with `filters` first in the chain instead of its own wasm filter. */
const withFilters = (ports, filters) => testBootstrap({ ...ports, edit: (b) => {
  const hcm = b.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  hcm.http_filters = [...filters, ...hcm.http_filters.filter((f) => f.name !== "envoy.filters.http.wasm")];
} });

function validate(filters) {
  const file = join(dir, `validate-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, YAML.stringify(withFilters({ listenPort: 10000, adminPort: 9901, upstreams: {} }, filters)));
  return spawnSync(ENVOY, ["--mode", "validate", "-c", file, "--log-level", "warn"], { encoding: "utf8" });
}

/** An upstream that answers every request with `headers` and echoes the request headers named in `echo`. */
async function upstream(headers = {}, echo = []) {
  const port = await freePort();
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain", ...headers });
    res.end(echo.map((h) => `${h}=${req.headers[h] ?? ""}`).join("\n"));
  });
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return port;
}

async function envoyWith(filters, upstreamPort) {
  const envoy = await startEnvoy((ports) => withFilters({ ...ports, upstreams: { web1: upstreamPort, web2: upstreamPort } }, filters),
    { concurrency: 1 });
  cleanups.push(() => envoy.stop());
  return envoy;
}

const trackingCookie = /^Apache=([0-9a-f]{1,8}\.[0-9a-f]{1,16}); path=\/; expires=[A-Z][a-z]{2}, \d\d-[A-Z][a-z]{2}-\d\d \d\d:\d\d:\d\d GMT; SameSite=Lax; HttpOnly$/;

test("the EnvoyFilter's filter passes envoy --mode validate, which loads the module and configures it", { skip }, () => {
  const ok = validate([patchedFilter()]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^configuration '.*' OK\n$/);

  // Validation runs proxy_on_configure: a configuration the filter refuses fails it, with the filter's message.
  const badConfig = validate([patchedFilter((c) => { c.configuration.value = '{"usertrack":{"domain":"example.com"}}'; })]);
  assert.equal(badConfig.status, 1);
  assert.ok(badConfig.stderr.includes("clicktrail: invalid configuration: usertrack.domain: CookieDomain values must begin with a dot"), badConfig.stderr);
  // And Envoy's own schema: a misspelt enum of the patch.
  const badField = validate([patchedFilter((c) => { c.failure_policy = "FAIL_CLOSE"; })]);
  assert.equal(badField.status, 1);
  assert.match(badField.stderr, /unknown enum value: 'FAIL_CLOSE'/);
});

test("the EnvoyFilter's filter serves: first visit gets the tracking cookie, the upstream its id", { skip }, async () => {
  const port = await upstream({}, ["x-usertrack-id"]);
  const envoy = await envoyWith([patchedFilter()], port);
  const res = await fetch(`http://127.0.0.1:${envoy.port}/`, { headers: { "user-agent": "Mozilla/5.0" } });
  const m = trackingCookie.exec(res.headers.get("set-cookie"));
  assert.ok(m, res.headers.get("set-cookie"));
  assert.equal(await res.text(), `x-usertrack-id=${m[1]}`);
});

/** plugin.wasm out of the image npm run package:oci builds: the file istio-agent hands Envoy. */
function moduleFromImage() {
  const out = join(dir, "oci");
  const r = spawnSync(process.execPath, [join(root, "scripts/package-oci.mjs"), "--out", out, "--istio", join(dir, "wasmplugin.yaml")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const index = JSON.parse(readFileSync(join(out, "index.json"), "utf8"));
  const manifest = JSON.parse(readFileSync(join(out, "blobs", ...index.manifests[0].digest.split(":"))));
  const layer = join(out, "blobs", ...manifest.layers.at(-1).digest.split(":"));
  const module = spawnSync("tar", ["-xzOf", layer, "plugin.wasm"], { maxBuffer: 64 << 20 });
  assert.equal(module.status, 0, String(module.stderr));
  const file = join(dir, "plugin.wasm");
  writeFileSync(file, module.stdout);
  return file;
}

test("the filter istiod makes of the WasmPlugin, with the module from the OCI image, validates and serves", { skip: istiodSkip }, async () => {
  const filter = istiodWasmFilter(wasmPlugin, moduleFromImage());
  assert.equal(filter.typed_config.config.name, "default.clicktrail");
  assert.equal(filter.typed_config.config.root_id, "clicktrail");
  assert.equal(filter.typed_config.config.vm_config.vm_id, undefined);
  const v = validate([filter]);
  assert.equal(v.status, 0, v.stderr);

  const port = await upstream({}, ["x-usertrack-id"]);
  const envoy = await envoyWith([filter], port);
  const res = await fetch(`http://127.0.0.1:${envoy.port}/`, { headers: { "user-agent": "Mozilla/5.0" } });
  const m = trackingCookie.exec(res.headers.get("set-cookie"));
  assert.ok(m, res.headers.get("set-cookie"));
  assert.equal(await res.text(), `x-usertrack-id=${m[1]}`);
});

/**
 * A WasmPlugin like envoy/istio/wasmplugin.yaml named `name` (istiod calls its filter "default.<name>"),
 * keeping its session in shared data under `prefix`, or without key_prefix when `prefix` is null.
 */
function sessionPlugin(name, prefix) {
  const p = structuredClone(wasmPlugin);
  p.metadata.name = name;
  // One slot: a second session under the same prefix finds it taken.
  const shared = { capacity: 1, probes: 1 };
  if (prefix !== null) shared.key_prefix = prefix;
  p.spec.pluginConfig = { session: {
    store: "shared", cookie_name: `s_${name}`, cookie_attributes: "path=/",
    response_header: `x-replace-${name}`, upstream_header: `x-session-${name}`, shared,
  } };
  return p;
}

/**
 * Envoy with the filters istiod makes of two WasmPlugins, [name, key_prefix or null] each; the upstream
 * gives plugin `name` the session "user=<users[name]>". Returns the session cookies of a first request.
 */
async function twoPlugins([nameA, prefixA, filterNameA], [nameB, prefixB], users) {
  const filters = [istiodWasmFilter(sessionPlugin(nameA, prefixA), wasm), istiodWasmFilter(sessionPlugin(nameB, prefixB), wasm)];
  assert.deepEqual(filters.map((f) => f.typed_config.config.name), [`default.${nameA}`, `default.${nameB}`]);
  // A plugin named as outside Istio (envoy/envoy.yaml names its plugin "clicktrail").
  if (filterNameA) filters[0].typed_config.config.name = filterNameA;
  const port = await upstream({ [`x-replace-${nameA}`]: `user=${users[nameA]}`, [`x-replace-${nameB}`]: `user=${users[nameB]}` },
    [`x-session-${nameA}`, `x-session-${nameB}`]);
  const envoy = await envoyWith(filters, port);
  const res = await fetch(`http://127.0.0.1:${envoy.port}/`);
  await res.text();
  const cookies = res.headers.getSetCookie().map((c) => c.split(";")[0]);
  return { envoy, cookies, stats: await envoy.stats() };
}

test("two WasmPlugins (vm_id \"\") with their own key_prefix keep their sessions apart", { skip: istiodSkip }, async () => {
  const { envoy, cookies } = await twoPlugins(["shop", "shop/"], ["blog", "blog/"], { shop: "alice", blog: "bob" });
  assert.deepEqual(cookies.map((c) => c.split("=")[0]).sort(), ["s_blog", "s_shop"]);
  for (const c of cookies) assert.match(c, /^s_(shop|blog)=[A-Za-z0-9_-]{26}$/);
  const res = await fetch(`http://127.0.0.1:${envoy.port}/`, { headers: { cookie: cookies.join("; ") } });
  assert.equal(await res.text(), "x-session-shop=user=alice\nx-session-blog=user=bob");
  await envoy.stop();
});

test("two WasmPlugins default.a and default.b (vm_id \"\") without key_prefix keep their sessions apart: the prefix is the plugin's name", { skip: istiodSkip }, async () => {
  const { envoy, cookies, stats } = await twoPlugins(["a", null], ["b", null], { a: "alice", b: "bob" });
  assert.deepEqual(cookies.map((c) => c.split("=")[0]).sort(), ["s_a", "s_b"]);
  for (const c of cookies) assert.match(c, /^s_[ab]=[A-Za-z0-9_-]{26}$/);
  assert.equal(stats.get("wasmcustom.clicktrail.session.store.created"), 2);
  assert.equal(stats.get("wasmcustom.clicktrail.session.store.full"), 0);
  const res = await fetch(`http://127.0.0.1:${envoy.port}/`, { headers: { cookie: cookies.join("; ") } });
  assert.equal(await res.text(), "x-session-a=user=alice\nx-session-b=user=bob");
  // Each key opens nothing in the other plugin: one slot each, under default.a/ and default.b/.
  const [ka, kb] = ["s_a", "s_b"].map((n) => cookies.find((c) => c.startsWith(`${n}=`)).split("=")[1]);
  const swapped = await fetch(`http://127.0.0.1:${envoy.port}/`, { headers: { cookie: `s_a=${kb}; s_b=${ka}` } });
  assert.equal(await swapped.text(), "x-session-a=\nx-session-b=");
  await envoy.stop();
});

test("two WasmPlugins (vm_id \"\") with the same key_prefix share one store: one's session takes the other's slot", { skip: istiodSkip }, async () => {
  const { envoy, cookies, stats } = await twoPlugins(["shop", "clicktrail/"], ["blog", "clicktrail/"], { shop: "alice", blog: "bob" });
  // The response passes the filters in reverse order, so "blog" stores first; "shop" finds the only slot live.
  assert.deepEqual(cookies.map((c) => c.split("=")[0]), ["s_blog"]);
  assert.equal(stats.get("wasmcustom.clicktrail.session.store.full"), 1);
  assert.equal(stats.get("wasmcustom.clicktrail.session.store.created"), 1);
  // The slot is readable under the other plugin's cookie name: the key is all a session store goes by.
  const key = cookies[0].split("=")[1];
  const res = await fetch(`http://127.0.0.1:${envoy.port}/`, { headers: { cookie: `s_shop=${key}` } });
  assert.equal(await res.text(), "x-session-shop=user=bob\nx-session-blog=");
  await envoy.stop();
});

test("an explicit key_prefix wins over the name: default.shop with key_prefix default.a/ shares default.a's store", { skip: istiodSkip }, async () => {
  // Plugin a derives "default.a/"; shop (whose own name would give "default.shop/") is told "default.a/".
  const { envoy, cookies, stats } = await twoPlugins(["a", null], ["shop", "default.a/"], { a: "alice", shop: "bob" });
  // shop runs second on the request, so first on the response: it stores first and a finds the slot taken.
  assert.deepEqual(cookies.map((c) => c.split("=")[0]), ["s_shop"]);
  assert.equal(stats.get("wasmcustom.clicktrail.session.store.full"), 1);
  const key = cookies[0].split("=")[1];
  const res = await fetch(`http://127.0.0.1:${envoy.port}/`, { headers: { cookie: `s_a=${key}` } });
  assert.equal(await res.text(), "x-session-a=user=bob\nx-session-shop=");
  await envoy.stop();
});

test("a plugin named clicktrail, as in envoy/envoy.yaml, keeps the prefix clicktrail/ it always had", { skip: istiodSkip }, async () => {
  const { envoy, cookies, stats } = await twoPlugins(["a", null, "clicktrail"], ["shop", "clicktrail/"], { a: "alice", shop: "bob" });
  assert.deepEqual(cookies.map((c) => c.split("=")[0]), ["s_shop"]);
  assert.equal(stats.get("wasmcustom.clicktrail.session.store.full"), 1);
  const key = cookies[0].split("=")[1];
  const res = await fetch(`http://127.0.0.1:${envoy.port}/`, { headers: { cookie: `s_a=${key}` } });
  assert.equal(await res.text(), "x-session-a=user=bob\nx-session-shop=");
  await envoy.stop();
});
