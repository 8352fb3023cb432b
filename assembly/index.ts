// The module's exports: the allocator the host uses (`malloc`) and the proxy-wasm callbacks. Nothing
// else happens here; assembly/plugin/ is the adapter, everything else is pure AssemblyScript.
export { malloc } from "./plugin/memory";
export * from "./plugin/exports";
