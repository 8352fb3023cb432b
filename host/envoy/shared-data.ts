// The process-wide shared-data store and shared queues (proxy-wasm-cpp-host src/shared_data.cc,
// src/shared_queue.cc). Keys live in a namespace per vm_id STRING only — not per plugin or code — so every
// plugin with the same vm_id (Istio: all of them, with "") shares one key space across all worker VMs.
// One CAS counter serves every vm_id; it starts at 1 and skips 0, because 0 means "no CAS" in set.
//
// A Host owns one store by default — one Host is one Envoy process — so tests stay isolated; pass the same
// store (for example SharedDataStore.processWide) to several Hosts to model several plugins in one process.
import { WasmResult } from "../abi/constants.js";

export interface SharedEntry {
  value: Buffer;
  cas: number;
}

interface Queue {
  vmId: string;
  name: string;
  token: number;
  items: Buffer[];
  /** Who gets proxy_on_queue_ready: the registering VM's root context. */
  notify: ((token: number) => void) | null;
}

export class SharedDataStore {
  /** One store for every Host that asks for it: "process-wide" across Hosts in this Node process. */
  static readonly processWide = new SharedDataStore();

  private casCounter = 1;
  private readonly data = new Map<string, Map<string, SharedEntry>>();
  private queueCounter = 1;
  private readonly queues = new Map<number, Queue>();
  private readonly queueTokens = new Map<string, number>();

  private nextCas(): number {
    let result = this.casCounter;
    this.casCounter = (this.casCounter + 1) >>> 0;
    if (result === 0) {
      result = this.casCounter;
      this.casCounter = (this.casCounter + 1) >>> 0;
    }
    return result;
  }

  get(vmId: string, key: string): SharedEntry | undefined {
    return this.data.get(vmId)?.get(key);
  }

  /** cas 0 always writes; a non-zero cas must match an existing entry's (a missing key always writes). */
  set(vmId: string, key: string, value: Buffer, cas: number): number {
    let map = this.data.get(vmId);
    if (!map) {
      map = new Map();
      this.data.set(vmId, map);
    }
    const existing = map.get(key);
    if (existing && cas !== 0 && cas !== existing.cas) return WasmResult.CasMismatch;
    map.set(key, { value: Buffer.from(value), cas: this.nextCas() });
    return WasmResult.Ok;
  }

  /** The entries of one vm_id (keys are byte strings). */
  entries(vmId: string): Map<string, SharedEntry> {
    let map = this.data.get(vmId);
    if (!map) {
      map = new Map();
      this.data.set(vmId, map);
    }
    return map;
  }

  /** Creates or re-opens (vmId, name); re-registering moves notifications to the new registrant. */
  registerQueue(vmId: string, name: string, notify: (token: number) => void): number {
    const key = `${vmId}\0${name}`;
    const existing = this.queueTokens.get(key);
    if (existing !== undefined) {
      this.queues.get(existing)!.notify = notify;
      return existing;
    }
    let token = this.queueCounter++;
    if (token === 0) token = this.queueCounter++;
    this.queueTokens.set(key, token);
    this.queues.set(token, { vmId, name, token, items: [], notify });
    return token;
  }

  resolveQueue(vmId: string, name: string): number | undefined {
    return this.queueTokens.get(`${vmId}\0${name}`);
  }

  enqueue(token: number, value: Buffer): number {
    const q = this.queues.get(token);
    if (!q) return WasmResult.NotFound;
    q.items.push(Buffer.from(value));
    q.notify?.(token);
    return WasmResult.Ok;
  }

  dequeue(token: number): { status: number; value?: Buffer } {
    const q = this.queues.get(token);
    if (!q) return { status: WasmResult.NotFound };
    const v = q.items.shift();
    if (!v) return { status: WasmResult.Empty };
    return { status: WasmResult.Ok, value: v };
  }
}
