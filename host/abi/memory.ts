// Guest memory access with the bounds checks cpp-host applies to every (pointer, length) a module passes:
// a range outside linear memory is INVALID_MEMORY_ACCESS for the call, never a host crash. The view is
// re-derived on every access because memory.grow detaches the old ArrayBuffer.

export class GuestMemory {
  constructor(private readonly memory: WebAssembly.Memory) {}

  get size(): number {
    return this.memory.buffer.byteLength;
  }

  inBounds(ptr: number, len: number): boolean {
    return ptr >= 0 && len >= 0 && ptr + len <= this.memory.buffer.byteLength;
  }

  /** A copy of [ptr, ptr+len), or null when the range is not inside memory. */
  read(ptr: number, len: number): Buffer | null {
    ptr >>>= 0;
    len >>>= 0;
    if (!this.inBounds(ptr, len)) return null;
    return Buffer.from(new Uint8Array(this.memory.buffer, ptr, len));
  }

  write(ptr: number, bytes: Uint8Array): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, bytes.length)) return false;
    new Uint8Array(this.memory.buffer, ptr, bytes.length).set(bytes);
    return true;
  }

  setU32(ptr: number, value: number): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 4)) return false;
    new DataView(this.memory.buffer).setUint32(ptr, value >>> 0, true);
    return true;
  }

  setU64(ptr: number, value: bigint): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 8)) return false;
    new DataView(this.memory.buffer).setBigUint64(ptr, BigInt.asUintN(64, value), true);
    return true;
  }

  getU32(ptr: number): number | null {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 4)) return null;
    return new DataView(this.memory.buffer).getUint32(ptr, true);
  }
}
