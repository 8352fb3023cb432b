// The end-to-end suite runs twice: as Envoy (the default) and once more under the host's nginx profile
// (ngx_wasm_module's differences: string properties, eos false in header phases, no trailers callbacks,
// capped response buffering). scripts/test.mjs sets CLICKTRAIL_E2E_PROFILE=nginx for the second run.
export const PROFILE = process.env.CLICKTRAIL_E2E_PROFILE === "nginx" ? "nginx" : "envoy";
