// Module admission, in the order Envoy applies it: compile, find the ABI marker (cpp-host getAbiVersion),
// link every import against the host's table (V8 refuses unknown names and mismatched types), require an
// allocator (WasmBase::getFunctions), and bind the exported callbacks with their expected signatures.
import { ABI_MARKERS, type AbiVersion } from "./constants.js";
import { formatSignature, readModuleShape, type ModuleShape } from "./binary.js";
import { allowedImports, expectedExports, sameSignature } from "./signatures.js";

export interface ValidatedModule {
  module: WebAssembly.Module;
  abiVersion: AbiVersion;
  shape: ModuleShape;
  exportNames: Set<string>;
}

export class ModuleRejected extends Error {
  constructor(readonly problems: string[]) {
    super(`wasm module rejected: ${problems.join("; ")}`);
    this.name = "ModuleRejected";
  }
}

export function validateModule(bytes: Uint8Array): ValidatedModule {
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes as unknown as BufferSource);
  } catch (e) {
    throw new ModuleRejected([`cannot compile: ${(e as Error).message}`]);
  }
  let shape: ModuleShape;
  try {
    shape = readModuleShape(bytes);
  } catch (e) {
    throw new ModuleRejected([`cannot read module: ${(e as Error).message}`]);
  }
  const problems: string[] = [];
  const exportNames = new Set(shape.exports.map((e) => e.name));
  const markers = shape.exports.filter((e) => e.name in ABI_MARKERS);
  if (markers.length === 0) {
    throw new ModuleRejected([
      "missing or unknown Proxy-Wasm ABI version (export one of proxy_abi_version_0_2_1, proxy_abi_version_0_2_0, proxy_abi_version_0_1_0)",
    ]);
  }
  // cpp-host checks 0_1_0, then 0_2_0, then 0_2_1 and keeps the last one found; a module exporting
  // several markers therefore runs under the newest.
  const abiVersion = markers.map((m) => ABI_MARKERS[m.name]).sort().at(-1) as AbiVersion;
  const allowed = allowedImports(abiVersion);
  for (const imp of shape.imports) {
    const key = `${imp.module}.${imp.name}`;
    if (imp.kind !== "function") {
      problems.push(`import ${key} of kind ${imp.kind} is not provided by Envoy`);
      continue;
    }
    const want = allowed.get(key);
    if (!want) {
      problems.push(`import ${key} is not provided by Envoy for ABI ${abiVersion}`);
    } else if (!sameSignature(imp.type, want)) {
      problems.push(
        `import ${key} has signature ${formatSignature(imp.type)}, Envoy provides ${formatSignature(want)}`,
      );
    }
  }
  if (!exportNames.has("malloc") && !exportNames.has("proxy_on_memory_allocate")) {
    problems.push("missing allocator: export malloc or proxy_on_memory_allocate");
  }
  const expected = expectedExports(abiVersion);
  // cpp-host looks up main only next to _initialize, and _start only without it.
  const reactor = exportNames.has("_initialize");
  if (reactor) expected.delete("_start");
  else expected.delete("main");
  if (!exportNames.has("malloc")) expected.set("proxy_on_memory_allocate", expected.get("proxy_on_memory_allocate")!);
  else expected.delete("proxy_on_memory_allocate");
  for (const exp of shape.exports) {
    const want = expected.get(exp.name);
    if (!want || exp.kind !== "function") continue;
    if (!sameSignature(exp.type, want)) {
      problems.push(`export ${exp.name} has signature ${formatSignature(exp.type)}, Envoy calls it as ${formatSignature(want)}`);
    }
  }
  // cpp-host reads and writes guest memory through the export named "memory" only.
  if (!shape.exports.some((e) => e.kind === "memory" && e.name === "memory")) {
    problems.push('module does not export its memory as "memory"');
  }
  if (problems.length) throw new ModuleRejected(problems);
  return { module, abiVersion, shape, exportNames };
}
