// Public entry of the proxy-wasm host for Node: the Envoy-faithful Host and its test API, the ABI pieces
// other tools reuse, and the dev proxy server.
export { Host, type HostOptions, type LogEntry, type CallRecord, type HostCallRecord, type ClusterHandler } from "./envoy/host.js";
export { HttpStream, type LocalReply, type StreamOptions, type StreamEvents } from "./envoy/stream.js";
export type { PendingHttpCall, HttpCallResponse } from "./envoy/core.js";
export { SharedDataStore } from "./envoy/shared-data.js";
export { MetricStore } from "./envoy/metrics.js";
export { validateModule, ModuleRejected } from "./abi/validate.js";
export { encodePairs, decodePairs, type Pair } from "./abi/pairs.js";
export * from "./abi/constants.js";
export { startProxy, parseListen, type ProxyOptions, type RunningProxy } from "./server/proxy.js";
export { parseClusterArg, clusterHandler } from "./server/clusters.js";
