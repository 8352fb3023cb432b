// The module's exports: the SDK's allocator (the host's `malloc`) and the proxy-wasm callbacks. Nothing
// else happens here; assembly/plugin/ is the adapter, everything else is pure AssemblyScript.
export { malloc } from "@gcoredev/proxy-wasm-sdk-as/assembly/malloc";
export * from "./plugin/exports";
