// envoy/istio/*.yaml against Istio's own CRD schemas (istio.io/api, the version pinned in scripts/tools-paths.mjs)
// with ajv, and the WasmPlugin's pluginConfig as istiod serialises it: envoy/clicktrail.json's value, in
// jsonpb's byte layout (compact, keys sorted, whole numbers without a fraction).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { validateConfig } from "../../dist/cli/commands/validate.js";
import { ISTIO_API_VERSION } from "../../scripts/tools-paths.mjs";
import { root, tools, toolsSkip } from "../support/tools.mjs";
import { crdValidator, istioCrds, istiodPluginConfig } from "../support/istio.mjs";

const read = (p) => readFileSync(join(root, p), "utf8");
const config = JSON.parse(read("envoy/clicktrail.json"));
const wasmPlugin = () => YAML.parse(read("envoy/istio/wasmplugin.yaml"));
const envoyFilter = () => YAML.parse(read("envoy/istio/envoyfilter.yaml"));

const crdSkip = toolsSkip(`Istio CRD schemas (istio.io/api ${ISTIO_API_VERSION})`, "istioCrds");
const crds = crdSkip ? [] : istioCrds();
const validators = crdSkip ? {} : {
  wasm: crdValidator(crds, "extensions.istio.io/v1alpha1", "WasmPlugin"),
  filter: crdValidator(crds, "networking.istio.io/v1alpha3", "EnvoyFilter"),
};

test("the pinned istio.io/api is the one on disk", { skip: crdSkip }, () => {
  assert.ok(tools.istioCrds.includes(`istio.io/api@${ISTIO_API_VERSION}/`));
  assert.deepEqual([validators.wasm.crdName, validators.filter.crdName], ["wasmplugins.extensions.istio.io", "envoyfilters.networking.istio.io"]);
});

test("envoy/istio/wasmplugin.yaml validates against Istio's WasmPlugin CRD", { skip: crdSkip }, () => {
  assert.deepEqual(validators.wasm.check(wasmPlugin()), []);
  // As build/istio/wasmplugin.yaml has it, with the manifest digest (npm run package:oci).
  assert.deepEqual(validators.wasm.check({ ...wasmPlugin(), spec: { ...wasmPlugin().spec, sha256: "ab".repeat(32) } }), []);
});

test("envoy/istio/envoyfilter.yaml validates against Istio's EnvoyFilter CRD", { skip: crdSkip }, () => {
  assert.deepEqual(validators.filter.check(envoyFilter()), []);
});

test("the CRD checks bite: unknown keys, enums, the sha256 pattern, types, the version", { skip: crdSkip }, () => {
  const w = wasmPlugin();
  const spec = (edit) => ({ ...w, spec: { ...w.spec, ...edit } });
  assert.deepEqual(validators.wasm.check(spec({ pluginConfg: {} })), ["/spec: must NOT have additional properties (pluginConfg)"]);
  assert.deepEqual(validators.wasm.check(spec({ phase: "AUTHX" })),
    ["/spec/phase: must be equal to one of the allowed values (UNSPECIFIED_PHASE, AUTHN, AUTHZ, STATS)"]);
  assert.deepEqual(validators.wasm.check(spec({ failStrategy: "FAIL_CLOSED" })),
    ["/spec/failStrategy: must be equal to one of the allowed values (FAIL_CLOSE, FAIL_OPEN, FAIL_RELOAD)"]);
  // The digest without its algorithm, as Istio wants it.
  assert.deepEqual(validators.wasm.check(spec({ sha256: `sha256:${"ab".repeat(32)}` })), ['/spec/sha256: must match pattern "(^$|^[a-f0-9]{64}$)"']);
  assert.deepEqual(validators.wasm.check(spec({ imagePullPolicy: "Never" })),
    ["/spec/imagePullPolicy: must be equal to one of the allowed values (UNSPECIFIED_POLICY, IfNotPresent, Always)"]);
  assert.deepEqual(validators.wasm.check(spec({ priority: 1.5 })), ["/spec/priority: must be integer", '/spec/priority: must match format "int32"']);
  assert.deepEqual(validators.wasm.check(spec({ priority: 2 ** 31 })), ['/spec/priority: must match format "int32"']);
  assert.deepEqual(validators.wasm.check(spec({ url: undefined, selector: { matchLabels: { app: 1 } } })),
    ["/spec: must have required property 'url'", "/spec/selector/matchLabels/app: must be string"]);
  assert.deepEqual(validators.wasm.check({ ...w, apiVersion: "extensions.istio.io/v1beta1" }),
    ["(root): extensions.istio.io/v1beta1 WasmPlugin is not extensions.istio.io/v1alpha1 WasmPlugin"]);

  const f = envoyFilter();
  const patch = (edit) => ({ ...f, spec: { ...f.spec, configPatches: [{ ...f.spec.configPatches[0], ...edit(f.spec.configPatches[0]) }] } });
  assert.deepEqual(validators.filter.check(patch((p) => ({ patch: { ...p.patch, operation: "INSERT_SOMEWHERE" } }))),
    ["/spec/configPatches/0/patch/operation: must be equal to one of the allowed values (INVALID, MERGE, ADD, REMOVE, INSERT_BEFORE, INSERT_AFTER, INSERT_FIRST, REPLACE, MERGE_AND_REPLACE_LIST)"]);
  assert.deepEqual(validators.filter.check(patch((p) => ({ match: { ...p.match, context: "INBOUND" } }))),
    ["/spec/configPatches/0/match/context: must be equal to one of the allowed values (ANY, SIDECAR_INBOUND, SIDECAR_OUTBOUND, GATEWAY, WAYPOINT)"]);
});

test("the CEL rules ajv cannot run, checked here by hand for these manifests", { skip: crdSkip }, () => {
  // Every rule of both CRDs is listed, so that one added by a newer istio.io/api fails here until it is looked at.
  const rules = (v) => v.rules.map((r) => `${r.path}: ${r.message}`);
  assert.deepEqual(rules(validators.wasm), [
    ".spec.selector.matchLabels: wildcard not allowed in label value match",
    ".spec.selector.matchLabels: wildcard not allowed in label key match",
    ".spec.selector.matchLabels: key must not be empty",
    ".spec.targetRef.namespace: cross namespace referencing is not currently supported",
    ".spec.targetRefs.namespace: cross namespace referencing is not currently supported",
    ".spec.url: url must have schema one of [http, https, file, oci]",
    ".spec.vmConfig.env: value may only be set when valueFrom is INLINE",
    ".spec: only one of targetRefs or selector can be set",
  ]);
  assert.deepEqual(rules(validators.filter), [
    ".spec.configPatches.match.waypoint.portNumber: port must be between 1-65535",
    ".spec.configPatches.match: only support waypointMatch when context is WAYPOINT",
    ".spec.targetRefs.namespace: cross namespace referencing is not currently supported",
    ".spec.workloadSelector.labels: wildcard is not supported in selector",
    ".spec: only one of targetRefs or workloadSelector can be set",
  ]);
  // The rules about fields these manifests set (the others concern targetRef(s), vmConfig.env and waypoint, unset here).
  const w = wasmPlugin();
  assert.ok(["http:", "https:", "file:", "oci:"].includes(new URL(w.spec.url).protocol), w.spec.url);
  assert.deepEqual(["selector", "targetRef", "targetRefs", "vmConfig"].filter((k) => k in w.spec), ["selector"]);
  const labelsOk = (labels) => Object.entries(labels).every(([k, v]) => k !== "" && !k.includes("*") && !String(v).includes("*"));
  assert.ok(labelsOk(w.spec.selector.matchLabels));
  const f = envoyFilter();
  assert.deepEqual(["workloadSelector", "targetRefs"].filter((k) => k in f.spec), ["workloadSelector"]);
  assert.ok(labelsOk(f.spec.workloadSelector.labels));
  assert.ok(f.spec.configPatches.every((p) => !("waypoint" in p.match)));
});

const goSkip = toolsSkip("istiod's pluginConfig JSON (tests/support/istio-plugin-config)", "pluginConfig");

/** JSON with every object's keys sorted and no spaces: how jsonpb writes a Struct. */
const sortedJson = (v) => Array.isArray(v) ? `[${v.map(sortedJson).join(",")}]`
  : v && typeof v === "object" ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${sortedJson(v[k])}`).join(",")}}`
  : JSON.stringify(v);

test("istiod turns pluginConfig into envoy/clicktrail.json's value, keys sorted, compact", { skip: goSkip }, async () => {
  const json = istiodPluginConfig(wasmPlugin());
  assert.deepEqual(JSON.parse(json), config);
  assert.equal(json, sortedJson(config));
  assert.ok(json.includes('"max_session_age":18000,'), "whole numbers stay whole");
  const report = await validateConfig(json);
  assert.deepEqual([...report.schemaErrors, ...report.filterErrors], []);
  assert.deepEqual(report.enabled, ["usertrack", "clickpath", "session"]);
});

test("what the Struct does to numbers: whole doubles print whole, fractions stay, and the filter says which key", { skip: goSkip }, async () => {
  const w = wasmPlugin();
  const json = istiodPluginConfig({ spec: { ...w.spec, pluginConfig: { session: { max_age: 1800.0, expiry_update_interval: 60.5 } } } });
  assert.equal(json, '{"session":{"expiry_update_interval":60.5,"max_age":1800}}');
  const report = await validateConfig(json);
  assert.equal(report.ok, false);
  assert.deepEqual(report.filterErrors.map((e) => e.path), ["session.expiry_update_interval"]);
  // No pluginConfig: istiod sends nothing, and the filter runs with every feature off.
  assert.equal(istiodPluginConfig({ spec: { ...w.spec, pluginConfig: {} } }), "");
  assert.equal((await validateConfig("")).ok, true);
});
