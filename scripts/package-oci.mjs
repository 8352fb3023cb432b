#!/usr/bin/env node
// `npm run package:oci`: build/clicktrail.wasm as an OCI image that Istio's agent pulls for a WasmPlugin
// (`url: oci://…`), written as an OCI image layout directory by oras (scripts/tools-install.mjs installs it):
//
//   build/oci/                  the layout (oci-layout, index.json, blobs/sha256/…), tagged with package.json's version
//   build/istio/wasmplugin.yaml envoy/istio/wasmplugin.yaml with `sha256:` set to this image's manifest digest
//
// The image is the *compat* variant of the Wasm image specification (solo-io/wasm, spec/spec-compat.md): one
// layer of media type application/vnd.oci.image.layer.v1.tar+gzip holding `plugin.wasm`, and the manifest
// annotation module.wasm.image/variant=compat. Istio's agent (istio/istio pkg/wasm/imagefetcher.go) takes the
// last layer of such a manifest, and from its tar the first entry named plugin.wasm.
//
// With SOURCE_DATE_EPOCH set (seconds), the file times in the layer and the manifest's creation time are that
// moment instead of now, so the same module always gives the same manifest digest.
//
//   node scripts/package-oci.mjs [--wasm FILE] [--out DIR] [--istio FILE]
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, chmodSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import YAML from "yaml";
import { toolPaths } from "./tools-paths.mjs";

const root = new URL("..", import.meta.url).pathname;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? resolve(process.argv[i + 1]) : fallback;
};
const wasm = arg("--wasm", join(root, "build/clicktrail.wasm"));
const out = arg("--out", join(root, "build/oci"));
const istioOut = arg("--istio", join(root, "build/istio/wasmplugin.yaml"));
const fail = (msg) => {
  console.error(`package:oci: ${msg}`);
  process.exit(1);
};

const { oras } = toolPaths(root);
if (!existsSync(oras)) fail(`${oras} is missing: run npm run tools:install`);
if (!existsSync(wasm)) fail(`${wasm} is missing: run npm run build`);
const tag = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;

const epoch = process.env.SOURCE_DATE_EPOCH;
if (epoch !== undefined && !/^\d+$/.test(epoch)) fail(`SOURCE_DATE_EPOCH must be whole seconds, not ${JSON.stringify(epoch)}`);
const when = epoch !== undefined ? new Date(Number(epoch) * 1000) : new Date(Math.floor(Date.now() / 1000) * 1000);

// The layer's content: a directory holding plugin.wasm. oras packs a directory argument into a tar+gzip layer,
// naming the entries after the argument, so packing "." from inside it puts plugin.wasm at the top of the tar.
// oras records each file's mode and modification time (owners are zeroed): both are set here.
const stage = `${out}.stage`;
rmSync(stage, { recursive: true, force: true });
rmSync(out, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
copyFileSync(wasm, join(stage, "plugin.wasm"));
chmodSync(join(stage, "plugin.wasm"), 0o644);
chmodSync(stage, 0o755);
utimesSync(join(stage, "plugin.wasm"), when, when);
utimesSync(stage, when, when);

const r = spawnSync(oras, [
  "push", "--no-tty", "--oci-layout", `${out}:${tag}`,
  "--artifact-type", "application/vnd.module.wasm.image.v1",
  "--annotation", "module.wasm.image/variant=compat",
  "--annotation", `org.opencontainers.image.created=${when.toISOString().replace(/\.000Z$/, "Z")}`,
  "--annotation", `org.opencontainers.image.version=${tag}`,
  "--format", "json",
  ".:application/vnd.oci.image.layer.v1.tar+gzip",
], { cwd: stage, encoding: "utf8" });
rmSync(stage, { recursive: true, force: true });
if (r.error || r.status !== 0) fail(`oras push failed${r.error ? `: ${r.error.message}` : `:\n${r.stderr}`}`);
const digest = JSON.parse(r.stdout).digest;
if (!/^sha256:[0-9a-f]{64}$/.test(digest)) fail(`oras printed no manifest digest:\n${r.stdout}`);

// Istio compares a WasmPlugin's sha256 with the digest of the image manifest it pulled (pkg/wasm/cache.go,
// `dChecksum` from imagefetcher.go's `img.Digest()`), not with the module's own sha256.
// The line goes in as text after `url:`, so the file keeps its comments and layout.
const manifest = readFileSync(join(root, "envoy/istio/wasmplugin.yaml"), "utf8").replace(/^  sha256:.*\n/m, "");
const pinned = manifest.replace(/^  url: .*\n/m, (line) => `${line}  sha256: ${digest.slice("sha256:".length)}\n`);
if (YAML.parse(pinned).spec?.sha256 !== digest.slice("sha256:".length)) fail("envoy/istio/wasmplugin.yaml has no spec.url line");
mkdirSync(dirname(istioOut), { recursive: true });
writeFileSync(istioOut, pinned);

console.log(`${out}:${tag} ${digest}`);
console.error(`package:oci: wrote ${out} (tag ${tag}) and ${istioOut} (sha256 ${digest.slice(7)})`);
