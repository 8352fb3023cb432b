// One instantiated module (one "VM" in cpp-host terms): links the import object, finds the allocator, runs
// the start function, and makes every call into the guest through one place so the Envoy model can catch
// traps and track which context is executing.
import type { AbiVersion } from "./constants.js";
import type { ProxyHostApi } from "./api.js";
import { GuestMemory } from "./memory.js";
import { proxyFunctions } from "./imports.js";
import type { ValidatedModule } from "./validate.js";
import { wasiFunctions } from "./wasi.js";

/** Thrown when the module calls a host function cpp-host does not allow inside its allocator. */
export class RestrictedHostCall extends Error {
  constructor(readonly fn: string, where = "malloc") {
    super(`host function ${fn} called from inside ${where}`);
    this.name = "RestrictedHostCall";
  }
}

const wasi = (...names: string[]) => names.flatMap((n) => [`wasi_unstable.${n}`, `wasi_snapshot_preview1.${n}`]);

// cpp-host runs the allocator in restricted mode (wasm.h allocMemory): only logging and clocks may be
// called back, anything else means the module re-enters the host while the host is mid-call.
const ALLOWED_DURING_MALLOC = new Set(["env.proxy_log", ...wasi("fd_write", "clock_time_get")]);

// ...and the start function too (WasmBase::startVm): no proxy_* call but logging is possible before any
// context exists.
const ALLOWED_DURING_START = new Set([
  "env.proxy_log",
  ...wasi("fd_write", "args_sizes_get", "args_get", "environ_sizes_get", "environ_get", "fd_prestat_get",
    "fd_prestat_dir_name", "clock_time_get", "random_get"),
]);

export class AbiInstance {
  readonly instance: WebAssembly.Instance;
  readonly memory: GuestMemory;
  readonly abiVersion: AbiVersion;
  private readonly exportsMap: Record<string, any>;
  private readonly allocator: (size: number) => number;
  private inAllocator = false;
  private inStart = false;
  /** Called after every host function the guest calls (test-framework style strict recording). */
  hostCallObserver: ((fn: string, args: unknown[], result: unknown) => void) | null = null;
  /** Every guest allocation the host made, for tests of the memory protocol. */
  readonly allocations: Array<{ size: number; ptr: number }> = [];
  recordAllocations = false;

  constructor(validated: ValidatedModule, host: ProxyHostApi) {
    this.abiVersion = validated.abiVersion;
    const guest = {
      memory: () => this.memory,
      allocate: (size: number) => this.allocate(size),
    };
    const wasi = wasiFunctions({
      memory: () => this.memory,
      log: (level, message) => void host.log(level, message),
      realtimeNanos: () => host.realtimeNanos(),
      monotonicNanos: () => host.monotonicNanos(),
      fillRandom: (buf) => host.fillRandom(buf),
    });
    const env = proxyFunctions(host, guest);
    const guard = (module: string, name: string, fn: (...a: any[]) => any) => {
      const key = `${module}.${name}`;
      const inMalloc = ALLOWED_DURING_MALLOC.has(key);
      const inStart = ALLOWED_DURING_START.has(key);
      return (...args: any[]) => {
        if (this.inAllocator && !inMalloc) throw new RestrictedHostCall(key);
        if (this.inStart && !inStart) throw new RestrictedHostCall(key, "the start function");
        const result = fn(...args);
        this.hostCallObserver?.(key, args, result);
        return result;
      };
    };
    const importObject: Record<string, Record<string, any>> = { env: {}, wasi_snapshot_preview1: {}, wasi_unstable: {} };
    // Link only what the module imports (validation already proved each name is in Envoy's table).
    for (const imp of WebAssembly.Module.imports(validated.module)) {
      const table = imp.module === "env" ? env : wasi;
      const fn = table[imp.name];
      if (!fn) throw new Error(`no host implementation for ${imp.module}.${imp.name}`);
      importObject[imp.module][imp.name] = guard(imp.module, imp.name, fn);
    }
    this.instance = new WebAssembly.Instance(validated.module, importObject);
    this.exportsMap = this.instance.exports as Record<string, any>;
    this.memory = new GuestMemory(this.exportsMap.memory as WebAssembly.Memory);
    this.allocator = (this.exportsMap.malloc ?? this.exportsMap.proxy_on_memory_allocate) as (n: number) => number;
  }

  has(name: string): boolean {
    return typeof this.exportsMap[name] === "function";
  }

  /** Calls an export; a trap or a host-side exception propagates to the caller. */
  call(name: string, ...args: number[]): number {
    const r = this.exportsMap[name](...args);
    return typeof r === "number" ? r >>> 0 : 0;
  }

  /** cpp-host startVm: _initialize (then main(0, 0) when exported), else _start; restricted mode. */
  start(): void {
    this.inStart = true;
    try {
      if (this.has("_initialize")) {
        this.call("_initialize");
        if (this.has("main")) this.call("main", 0, 0);
      } else if (this.has("_start")) {
        this.call("_start");
      }
    } finally {
      this.inStart = false;
    }
  }

  /** Allocates `size` bytes in the guest; 0 when the allocator fails or answers outside memory. */
  allocate(size: number): number {
    if (this.inAllocator) throw new RestrictedHostCall("malloc (re-entered)");
    this.inAllocator = true;
    let ptr: number;
    try {
      ptr = this.allocator(size) >>> 0;
    } finally {
      this.inAllocator = false;
    }
    if (this.recordAllocations) this.allocations.push({ size, ptr });
    if (ptr === 0 || !this.memory.inBounds(ptr, size)) return 0;
    return ptr;
  }
}
