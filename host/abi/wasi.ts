// The WASI subset cpp-host registers (src/exports.cc wasi_unstable_*), under both wasi_unstable and
// wasi_snapshot_preview1: stdout/stderr become log lines (info/error, one trailing newline trimmed), clocks
// and randomness come from injectable sources so tests are deterministic, environment and arguments are
// empty, and files do not exist.
import { LogLevel, RANDOM_GET_MAX_BYTES, WasiErrno } from "./constants.js";
import type { GuestMemory } from "./memory.js";

export class ProcExit extends Error {
  constructor(readonly code: number) {
    super(`wasi proc_exit(${code})`);
    this.name = "ProcExit";
  }
}

export interface WasiEnv {
  memory(): GuestMemory;
  log(level: number, message: string): void;
  realtimeNanos(): bigint;
  monotonicNanos(): bigint;
  fillRandom(buf: Uint8Array): void;
}

export function wasiFunctions(env: WasiEnv): Record<string, (...args: any[]) => any> {
  return {
    fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number {
      let level: number;
      if (fd === 1) level = LogLevel.Info;
      else if (fd === 2) level = LogLevel.Error;
      else return WasiErrno.Badf;
      const mem = env.memory();
      const parts: Buffer[] = [];
      for (let i = 0; i < iovsLen >>> 0; i++) {
        const ptr = mem.getU32(iovs + i * 8);
        const len = mem.getU32(iovs + i * 8 + 4);
        if (ptr === null || len === null) return WasiErrno.Fault;
        if (len === 0) continue;
        const chunk = mem.read(ptr, len);
        if (!chunk) return WasiErrno.Fault;
        parts.push(chunk);
      }
      const all = Buffer.concat(parts);
      if (all.length) {
        const text = all[all.length - 1] === 0x0a ? all.subarray(0, all.length - 1) : all;
        env.log(level, text.toString("utf8"));
      }
      if (!mem.setU32(nwrittenPtr, all.length)) return WasiErrno.Fault;
      return WasiErrno.Success;
    },
    fd_read: () => WasiErrno.Nosys,
    // No files exist: there are no preopened directories and nothing can be opened.
    path_open: () => 44, // NOENT
    fd_prestat_get: () => WasiErrno.Badf,
    fd_prestat_dir_name: () => WasiErrno.Nosys,
    fd_seek: () => {
      env.log(LogLevel.Error, "wasi_unstable fd_seek");
      return WasiErrno.Success;
    },
    fd_close: () => {
      env.log(LogLevel.Error, "wasi_unstable fd_close");
      return WasiErrno.Success;
    },
    fd_fdstat_get(fd: number, statPtr: number): number {
      if (fd !== 1 && fd !== 2) return WasiErrno.Badf;
      const stat = Buffer.alloc(24);
      stat.writeBigUInt64LE(64n, 8); // fs_rights_base = FD_WRITE
      env.memory().write(statPtr, stat);
      return WasiErrno.Success;
    },
    environ_get: () => WasiErrno.Success,
    environ_sizes_get(countPtr: number, sizePtr: number): number {
      const mem = env.memory();
      if (!mem.setU32(countPtr, 0) || !mem.setU32(sizePtr, 0)) return WasiErrno.Fault;
      return WasiErrno.Success;
    },
    args_get: () => WasiErrno.Success,
    args_sizes_get(argcPtr: number, sizePtr: number): number {
      const mem = env.memory();
      if (!mem.setU32(argcPtr, 0) || !mem.setU32(sizePtr, 0)) return WasiErrno.Fault;
      return WasiErrno.Success;
    },
    clock_time_get(clockId: number, _precision: bigint, resultPtr: number): number {
      let t: bigint;
      if (clockId === 0) t = env.realtimeNanos();
      else if (clockId === 1) t = env.monotonicNanos();
      else return WasiErrno.Notsup;
      if (!env.memory().setU64(resultPtr, t)) return WasiErrno.Fault;
      return WasiErrno.Success;
    },
    random_get(ptr: number, len: number): number {
      len >>>= 0;
      if (len > RANDOM_GET_MAX_BYTES) return WasiErrno.Inval;
      if (len === 0) return WasiErrno.Success;
      const buf = new Uint8Array(len);
      env.fillRandom(buf);
      if (!env.memory().write(ptr, buf)) return WasiErrno.Fault;
      return WasiErrno.Success;
    },
    proc_exit(code: number): never {
      // cpp-host only logs here and lets the module run on; every toolchain follows proc_exit with
      // `unreachable`, so the net effect in Envoy is a trap. Throwing makes that explicit and also stops
      // modules that would otherwise continue in an undefined state.
      throw new ProcExit(code);
    },
  };
}
