// Istio for the tests, without a cluster: the CRD schemas of the pinned istio.io/api module as JSON Schemas
// for ajv, and what istiod makes of a WasmPlugin (the Envoy wasm filter it generates, the JSON it sends as
// pluginConfig). scripts/tools-paths.mjs pins the versions; `npm run tools:install` fetches them.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { parseAllDocuments } from "yaml";
import { tools } from "./tools.mjs";

/** Every CustomResourceDefinition in istio.io/api's kubernetes/customresourcedefinitions.gen.yaml. */
export function istioCrds() {
  return parseAllDocuments(readFileSync(tools.istioCrds, "utf8")).map((d) => d.toJS()).filter((d) => d?.kind === "CustomResourceDefinition");
}

/**
 * A CRD's openAPIV3Schema as a JSON Schema ajv checks the way the API server would. Kubernetes drops the
 * fields a structural schema does not name (and `kubectl apply --validate=strict` reports them as unknown):
 * here every object with `properties` and without x-kubernetes-preserve-unknown-fields refuses other keys.
 * The CEL rules (x-kubernetes-validations) are returned, not evaluated: ajv has no CEL.
 */
export function toJsonSchema(openApi) {
  const rules = [];
  const visit = (node, path) => {
    if (Array.isArray(node)) return node.map((n, i) => visit(n, `${path}[${i}]`));
    if (!node || typeof node !== "object") return node;
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "x-kubernetes-validations") rules.push(...v.map((r) => ({ path, ...r })));
      if (k.startsWith("x-kubernetes-")) continue;
      out[k] = k === "properties" ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, visit(s, `${path}.${p}`)]))
        : k === "enum" || k === "required" ? v : visit(v, path);
    }
    if (node.type === "object" && node.properties && !node["x-kubernetes-preserve-unknown-fields"] && out.additionalProperties === undefined) {
      out.additionalProperties = false;
    }
    return out;
  };
  return { schema: visit(openApi, ""), rules };
}

/** A validator for `kind` of `apiVersion` (group/version), from a version the CRD serves. */
export function crdValidator(crds, apiVersion, kind) {
  const [group, version] = apiVersion.split("/");
  const crd = crds.find((c) => c.spec.group === group && c.spec.names.kind === kind);
  if (!crd) throw new Error(`no CRD for ${kind} in ${group}`);
  const v = crd.spec.versions.find((x) => x.name === version);
  if (!v?.served) throw new Error(`${kind} ${apiVersion} is not served by the CRD (it serves ${crd.spec.versions.filter((x) => x.served).map((x) => x.name).join(", ")})`);
  const { schema, rules } = toJsonSchema(v.schema.openAPIV3Schema);
  // Kubernetes' OpenAPI formats for numbers and strings.
  const ajv = new Ajv({ allErrors: true, strict: false, formats: {
    int32: { type: "number", validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
    double: { type: "number", validate: () => true },
    byte: /^[A-Za-z0-9+/]*={0,2}$/,
    "date-time": /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/,
  } });
  const validate = ajv.compile(schema);
  /** The errors for a resource (its spec; metadata is the API server's), as "path: message" lines. */
  const check = (resource) => {
    if (resource.apiVersion !== apiVersion || resource.kind !== kind) return [`(root): ${resource.apiVersion} ${resource.kind} is not ${apiVersion} ${kind}`];
    return validate({ spec: resource.spec }) ? []
      : validate.errors.map((e) => `${e.instancePath || "(root)"}: ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ""}${e.params?.allowedValues ? ` (${e.params.allowedValues.join(", ")})` : ""}`);
  };
  return { check, rules, crdName: crd.metadata.name };
}

/** What istiod sends the filter for this WasmPlugin resource: tests/support/istio-plugin-config's output. */
export function istiodPluginConfig(resource) {
  const r = spawnSync(tools.pluginConfig, [], { input: JSON.stringify(resource.spec), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`istio-plugin-config failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * The Envoy HTTP filter istiod generates for a WasmPlugin (istio/istio pilot/pkg/model/extensions.go,
 * buildPluginConfig and buildVMConfig): name "<namespace>.<name>", root_id = pluginName, runtime V8, no
 * vm_id, the configuration as a StringValue; `filename` stands for the module istio-agent downloads (the
 * agent turns the remote code into a local file and drops the ISTIO_META_* environment variables istiod adds
 * for it, pkg/wasm/convert.go, so neither reaches Envoy).
 */
export function istiodWasmFilter(resource, filename) {
  const failurePolicy = { FAIL_CLOSE: "FAIL_CLOSED", FAIL_OPEN: "FAIL_OPEN", FAIL_RELOAD: "FAIL_RELOAD" }[resource.spec.failStrategy ?? "FAIL_CLOSE"];
  return {
    name: "envoy.filters.http.wasm",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
      config: {
        name: `${resource.metadata.namespace}.${resource.metadata.name}`,
        root_id: resource.spec.pluginName ?? "",
        failure_policy: failurePolicy,
        vm_config: { runtime: "envoy.wasm.runtime.v8", code: { local: { filename } } },
        configuration: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: istiodPluginConfig(resource) },
      },
    },
  };
}
