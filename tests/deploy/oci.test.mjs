// npm run package:oci: the OCI image layout it writes is the Wasm image specification's compat variant that
// Istio's agent pulls (solo-io/wasm spec/spec-compat.md; istio/istio pkg/wasm/imagefetcher.go), its layer holds
// build/clicktrail.wasm byte for byte, and build/istio/wasmplugin.yaml pins the manifest digest.
import { test, before, after } from "node:test";
import { promisify } from "node:util";
import { execFile } from "node:child_process";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { root, tools, toolsSkip } from "../support/tools.mjs";
import { freePort, startProcess, stop, waitForPort } from "../support/processes.mjs";
import { crdValidator, istioCrds } from "../support/istio.mjs";

const skip = toolsSkip("OCI packaging", "oras");
const wasmPath = join(root, "build/clicktrail.wasm");
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const dir = mkdtempSync(join(tmpdir(), "clicktrail-oci-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function packageOci(name, { wasm = wasmPath, epoch = "1700000000" } = {}) {
  const out = join(dir, name);
  const istio = join(dir, `${name}.wasmplugin.yaml`);
  const env = { ...process.env };
  if (epoch === undefined) delete env.SOURCE_DATE_EPOCH;
  else env.SOURCE_DATE_EPOCH = epoch;
  const r = spawnSync(process.execPath, [join(root, "scripts/package-oci.mjs"), "--wasm", wasm, "--out", out, "--istio", istio],
    { encoding: "utf8", env });
  return { ...r, out, istio };
}

/** The layout's index, manifest and blobs, each blob checked against its name. */
function openLayout(out) {
  const blobDir = join(out, "blobs", "sha256");
  const blobs = new Map();
  for (const name of readdirSync(blobDir)) {
    const bytes = readFileSync(join(blobDir, name));
    assert.equal(sha256(bytes), name, `blob ${name} holds what its name says`);
    blobs.set(`sha256:${name}`, bytes);
  }
  const blob = (descriptor) => {
    const bytes = blobs.get(descriptor.digest);
    assert.ok(bytes, `blob ${descriptor.digest} is in the layout`);
    assert.equal(bytes.length, descriptor.size, `size of ${descriptor.digest}`);
    return bytes;
  };
  const index = JSON.parse(readFileSync(join(out, "index.json"), "utf8"));
  const manifestBytes = blob(index.manifests[0]);
  return { index, blobs, blob, manifestDigest: index.manifests[0].digest, manifest: JSON.parse(manifestBytes) };
}

let first;
before(() => {
  if (skip) return;
  first = packageOci("image");
  assert.equal(first.status, 0, first.stderr);
});

test("the layout: oci-layout, one tagged manifest in index.json, every blob as named", { skip }, () => {
  assert.deepEqual(JSON.parse(readFileSync(join(first.out, "oci-layout"), "utf8")), { imageLayoutVersion: "1.0.0" });
  const { index, blobs, manifestDigest } = openLayout(first.out);
  assert.equal(index.schemaVersion, 2);
  assert.equal(index.mediaType, "application/vnd.oci.image.index.v1+json");
  assert.equal(index.manifests.length, 1);
  const [entry] = index.manifests;
  assert.equal(entry.mediaType, "application/vnd.oci.image.manifest.v1+json");
  assert.deepEqual(entry.annotations, {
    "module.wasm.image/variant": "compat",
    "org.opencontainers.image.created": "2023-11-14T22:13:20Z",
    "org.opencontainers.image.ref.name": version,
    "org.opencontainers.image.version": version,
  });
  // Manifest, config and the one layer: nothing else.
  assert.equal(blobs.size, 3);
  assert.equal(first.stdout, `${first.out}:${version} ${manifestDigest}\n`);
});

test("the manifest is the compat variant: one tar+gzip layer, the variant annotation", { skip }, () => {
  const { manifest, blob } = openLayout(first.out);
  assert.equal(manifest.schemaVersion, 2);
  assert.equal(manifest.mediaType, "application/vnd.oci.image.manifest.v1+json");
  assert.equal(manifest.artifactType, "application/vnd.module.wasm.image.v1");
  assert.equal(manifest.annotations["module.wasm.image/variant"], "compat");
  // OCI 1.1's empty config: Istio's agent reads only the layers.
  assert.equal(manifest.config.mediaType, "application/vnd.oci.empty.v1+json");
  assert.equal(blob(manifest.config).toString(), "{}");
  assert.equal(manifest.layers.length, 1);
  assert.equal(manifest.layers[0].mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
});

test("the layer's plugin.wasm is build/clicktrail.wasm, byte for byte, at the top of the tar", { skip }, () => {
  const { manifest, blob } = openLayout(first.out);
  const layer = blob(manifest.layers.at(-1));
  const listing = spawnSync("tar", ["-tvzf", "-"], { input: layer, encoding: "utf8" });
  assert.equal(listing.status, 0, listing.stderr);
  const entries = listing.stdout.trim().split("\n").map((l) => l.split(/\s+/));
  // Mode, owner, size, time and name of each entry: a directory "." and the module.
  assert.deepEqual(entries.map((e) => [e[0], e[1], e.at(-1)]), [["drwxr-xr-x", "0/0", "."], ["-rw-r--r--", "0/0", "plugin.wasm"]]);
  const wasm = readFileSync(wasmPath);
  assert.equal(Number(entries[1][2]), wasm.length);
  const extracted = spawnSync("tar", ["-xzOf", "-", "plugin.wasm"], { input: layer, maxBuffer: 64 << 20 });
  assert.equal(extracted.status, 0, String(extracted.stderr));
  assert.ok(Buffer.compare(extracted.stdout, wasm) === 0, "plugin.wasm differs from build/clicktrail.wasm");
  assert.equal(sha256(extracted.stdout), sha256(wasm));
});

test("build/istio/wasmplugin.yaml is envoy/istio/wasmplugin.yaml plus sha256: the manifest digest", { skip }, () => {
  const { manifestDigest } = openLayout(first.out);
  const committed = readFileSync(join(root, "envoy/istio/wasmplugin.yaml"), "utf8");
  const pinned = readFileSync(first.istio, "utf8");
  const hex = manifestDigest.slice("sha256:".length);
  assert.equal(pinned, committed.replace(/^( *url: .*\n)/m, `$1  sha256: ${hex}\n`));
  const doc = YAML.parse(pinned);
  assert.equal(doc.spec.sha256, hex);
  // Istio compares sha256 with the digest of the pulled manifest (pkg/wasm/cache.go), i.e. the sha256 of its bytes.
  assert.equal(sha256(readFileSync(join(first.out, "blobs", "sha256", hex))), hex);
  assert.match(doc.spec.url, new RegExp(`^oci://[^:]+:${version.replace(/\./g, "\\.")}$`));
});

test("build/istio/wasmplugin.yaml validates against Istio's WasmPlugin CRD", { skip: skip || toolsSkip("OCI packaging: CRD check", "istioCrds") }, () => {
  const { check } = crdValidator(istioCrds(), "extensions.istio.io/v1alpha1", "WasmPlugin");
  assert.deepEqual(check(YAML.parse(readFileSync(first.istio, "utf8"))), []);
});

test("the same module and SOURCE_DATE_EPOCH give the same digest; another module or time another one", { skip }, () => {
  const again = packageOci("again");
  assert.equal(again.status, 0, again.stderr);
  assert.equal(openLayout(again.out).manifestDigest, openLayout(first.out).manifestDigest);

  const later = packageOci("later", { epoch: "1700000001" });
  assert.equal(later.status, 0, later.stderr);
  const laterLayout = openLayout(later.out);
  assert.notEqual(laterLayout.manifestDigest, openLayout(first.out).manifestDigest);
  assert.equal(laterLayout.manifest.annotations["org.opencontainers.image.created"], "2023-11-14T22:13:21Z");

  const debugWasm = join(root, "build/clicktrail.debug.wasm");
  const debug = packageOci("debug", { wasm: debugWasm });
  assert.equal(debug.status, 0, debug.stderr);
  const d = openLayout(debug.out);
  assert.notEqual(d.manifest.layers[0].digest, openLayout(first.out).manifest.layers[0].digest);
  const extracted = spawnSync("tar", ["-xzOf", "-", "plugin.wasm"], { input: d.blob(d.manifest.layers[0]), maxBuffer: 64 << 20 });
  assert.ok(Buffer.compare(extracted.stdout, readFileSync(debugWasm)) === 0);
});

test("package:oci refuses a missing module and a SOURCE_DATE_EPOCH that is not whole seconds", { skip }, () => {
  const missing = packageOci("missing", { wasm: join(dir, "nope.wasm") });
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, `package:oci: ${join(dir, "nope.wasm")} is missing: run npm run build\n`);
  const bad = packageOci("bad", { epoch: "1.5" });
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, `package:oci: SOURCE_DATE_EPOCH must be whole seconds, not "1.5"\n`);
  assert.throws(() => statSync(bad.out));
});

const registrySkip = skip || toolsSkip("OCI packaging: push and pull through a registry", "registry", "wasmFetch");
const run = promisify(execFile);

test("pushed with oras cp as docs/deploy.md says, pulled as istio-agent pulls: the module and the pinned digest", { skip: registrySkip }, async () => {
  const port = await freePort();
  const registry = startProcess(tools.registry, ["-port", String(port)]);
  try {
    assert.equal(await waitForPort(registry.proc, port), "listening", registry.stderr());
    const { manifestDigest } = openLayout(first.out);
    const target = `127.0.0.1:${port}/clicktrail:${version}`;
    // docs/deploy.md: oras cp --from-oci-layout build/oci:VERSION REGISTRY/clicktrail:VERSION (plain HTTP here).
    const push = await run(tools.oras, ["cp", "--no-tty", "--from-oci-layout", `${first.out}:${version}`, "--to-plain-http", target]);
    assert.ok(push.stdout.includes(`Digest: ${manifestDigest}`), push.stdout);
    const pull = spawnSync(tools.wasmFetch, ["--plain-http", target], { maxBuffer: 64 << 20 });
    assert.equal(pull.status, 0, String(pull.stderr));
    assert.ok(Buffer.compare(pull.stdout, readFileSync(wasmPath)) === 0, "the pulled module differs from build/clicktrail.wasm");
    // The digest Istio checks WasmPlugin.sha256 against is the one build/istio/wasmplugin.yaml pins.
    assert.equal(String(pull.stderr).trim().split("\n").at(-1), YAML.parse(readFileSync(first.istio, "utf8")).spec.sha256);

    const missing = spawnSync(tools.wasmFetch, ["--plain-http", `127.0.0.1:${port}/clicktrail:no-such-tag`], { encoding: "utf8" });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^istio-wasm-fetch: could not fetch manifest: .*MANIFEST_UNKNOWN/m);
  } finally {
    await stop(registry.proc);
  }
});
