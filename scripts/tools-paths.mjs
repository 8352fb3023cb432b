// Where the project keeps the Go tools and Go modules of its Istio packaging and checks (scripts/tools-install.mjs
// installs them into the git-ignored `.tools/`), and their pinned versions. Like scripts/envoy-paths.mjs for Envoy.
import { join } from "node:path";

/** oras (https://oras.land), the OCI registry client that builds and pushes the Wasm image (`npm run package:oci`). */
export const ORAS_MODULE = "oras.land/oras/cmd/oras";
export const ORAS_VERSION = "v1.3.6";

/**
 * go-containerregistry's in-memory registry (cmd/registry), which tests push the image to with oras and pull it
 * from with tests/support/istio-wasm-fetch (the same library and version as that helper's go.mod).
 */
export const REGISTRY_MODULE = "github.com/google/go-containerregistry/cmd/registry";
export const GGCR_VERSION = "v0.22.1";

/**
 * istio.io/api, the Go module that carries Istio's CustomResourceDefinitions
 * (kubernetes/customresourcedefinitions.gen.yaml) and the WasmPlugin type istiod decodes. ISTIO_API_SUM is the
 * module's go.sum hash (the Go checksum database's record for this version): `go mod download` refuses a
 * zip that does not match it, and tools-install checks that it is the one pinned here.
 */
export const ISTIO_API_MODULE = "istio.io/api";
export const ISTIO_API_VERSION = "v1.32.0";
export const ISTIO_API_SUM = "h1:37mJvg9I0biYZAEQF+MATs4FNeCpXEIVO3LFpVb6iNM=";

export function toolPaths(root) {
  const base = join(root, ".tools");
  const gomodcache = join(base, "gomod");
  return {
    base,
    bin: join(base, "bin"),
    gomodcache,
    oras: join(base, "bin", "oras"),
    registry: join(base, "bin", "registry"),
    /** tests/support/istio-plugin-config built: what istiod makes of a WasmPlugin's pluginConfig. */
    pluginConfig: join(base, "bin", "istio-plugin-config"),
    /** tests/support/istio-wasm-fetch built: istio-agent's steps to pull the module from a registry. */
    wasmFetch: join(base, "bin", "istio-wasm-fetch"),
    /** The Go programs under tests/support that tools-install builds: [source directory, binary]. */
    helpers: ["istio-plugin-config", "istio-wasm-fetch"].map((n) => [join(root, "tests", "support", n), join(base, "bin", n)]),
    istioApi: join(gomodcache, `${ISTIO_API_MODULE}@${ISTIO_API_VERSION}`),
    istioCrds: join(gomodcache, `${ISTIO_API_MODULE}@${ISTIO_API_VERSION}`, "kubernetes", "customresourcedefinitions.gen.yaml"),
  };
}

/** Go's environment for the project-local module cache (read-write, so that `rm -rf .tools` works). */
export function goEnv(root) {
  const p = toolPaths(root);
  return { ...process.env, GOMODCACHE: p.gomodcache, GOFLAGS: "-modcacherw", GOBIN: p.bin };
}
