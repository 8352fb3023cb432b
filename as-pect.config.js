// as-pect runs the pure AssemblyScript units in tests/assembly/ without a proxy-wasm host: the modules
// under test never import the SDK, so they need no imports beyond as-pect's own.
export default {
  entries: ["tests/assembly/**/*.spec.ts"],
  include: ["tests/assembly/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
