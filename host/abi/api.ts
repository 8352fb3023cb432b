// What the ABI layer needs from a host model (the Envoy model in host/envoy implements it). The ABI layer
// owns memory, marshalling and argument range checks; the model owns semantics. Values cross this
// interface as Buffers and byte strings, never as guest pointers.
import type { Pair } from "./pairs.js";

export interface Status<T = undefined> {
  status: number;
  value?: T;
}

export interface ProxyHostApi {
  log(level: number, message: string): number;
  getLogLevel(): number;
  realtimeNanos(): bigint;
  monotonicNanos(): bigint;
  fillRandom(buf: Uint8Array): void;

  getStatus(): { code: number; message: Buffer };
  getProperty(path: Buffer): Status<Buffer>;
  setProperty(path: Buffer, value: Buffer): number;

  continueStream(type: number): number;
  closeStream(type: number): number;
  sendLocalResponse(code: number, details: Buffer, body: Buffer, headers: Pair[], grpcStatus: number): number;
  clearRouteCache(): number;

  getSharedData(key: Buffer): Status<{ value: Buffer; cas: number }>;
  setSharedData(key: Buffer, value: Buffer, cas: number): number;
  registerSharedQueue(name: Buffer): Status<number>;
  resolveSharedQueue(vmId: Buffer, name: Buffer): Status<number>;
  dequeueSharedQueue(token: number): Status<Buffer>;
  enqueueSharedQueue(token: number, value: Buffer): number;

  getHeaderMapValue(type: number, key: string): Status<string>;
  addHeaderMapValue(type: number, key: string, value: string): number;
  replaceHeaderMapValue(type: number, key: string, value: string): number;
  removeHeaderMapValue(type: number, key: string): number;
  getHeaderMapPairs(type: number): Pair[];
  setHeaderMapPairs(type: number, pairs: Pair[]): number;
  getHeaderMapSize(type: number): Status<number>;

  /** The buffer as it is now, or null when it does not exist in this phase (NOT_FOUND). */
  getBuffer(type: number): Buffer | null;
  setBufferBytes(type: number, start: number, length: number, data: Buffer): number;

  httpCall(cluster: string, headers: Pair[], body: Buffer, trailers: Pair[], timeoutMs: number): Status<number>;
  grpcCall(service: Buffer): Status<number>;
  grpcStream(service: Buffer): Status<number>;
  grpcCancel(token: number): number;
  grpcClose(token: number): number;
  grpcSend(token: number, message: Buffer, endStream: boolean): number;

  setTickPeriod(millis: number): number;
  defineMetric(type: number, name: string): Status<number>;
  incrementMetric(id: number, delta: bigint): number;
  recordMetric(id: number, value: bigint): number;
  getMetric(id: number): Status<bigint>;

  setEffectiveContext(id: number): number;
  done(): number;
  callForeignFunction(name: string, args: Buffer): Status<Buffer>;
  /** ABI 0.1.0 only. */
  getConfiguration(): Buffer;
}
