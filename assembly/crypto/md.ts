// The Merkle–Damgård engine shared by SHA-1, SHA-256 and MD5: all three use 64-byte blocks, a 0x80 pad
// byte and a 64-bit bit count, and differ only in the compression function, the number of state words and
// the byte order. One engine lets HMAC and PBKDF2 keep a keyed state per hash and copy it instead of
// re-hashing the key.

import { sha1Compress } from "./sha1core";
import { sha256Compress } from "./sha256core";
import { md5Compress } from "./md5core";

export const enum HashKind {
  SHA1 = 0,
  SHA256 = 1,
  MD5 = 2,
}

export const BLOCK_SIZE: i32 = 64;

// @ts-ignore: decorator
@inline
export function compress(kind: HashKind, state: usize, block: usize): void {
  if (kind == HashKind.SHA256) sha256Compress(state, block);
  else if (kind == HashKind.SHA1) sha1Compress(state, block);
  else md5Compress(state, block);
}

export function digestLengthOf(kind: HashKind): i32 {
  return kind == HashKind.SHA256 ? 32 : kind == HashKind.SHA1 ? 20 : 16;
}

const SHA256_IV: StaticArray<u32> = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];
const SHA1_IV: StaticArray<u32> = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0, 0, 0, 0];
const MD5_IV: StaticArray<u32> = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0, 0, 0, 0];

/** An incremental hash: `update` any number of times, then `finish` once (or `reset` to start over). */
export class MdHash {
  /** Chaining state, always 8 words; SHA-1 uses 5 and MD5 4. */
  readonly h: StaticArray<u32> = new StaticArray<u32>(8);
  readonly buf: StaticArray<u8> = new StaticArray<u8>(64);
  bufLen: i32 = 0;
  /** Bytes absorbed so far. */
  total: u64 = 0;
  readonly kind: HashKind;
  readonly digestLength: i32;

  constructor(kind: HashKind) {
    this.kind = kind;
    this.digestLength = digestLengthOf(kind);
    this.reset();
  }

  reset(): void {
    const iv = this.kind == HashKind.SHA256 ? SHA256_IV : this.kind == HashKind.SHA1 ? SHA1_IV : MD5_IV;
    memory.copy(changetype<usize>(this.h), changetype<usize>(iv), 32);
    this.bufLen = 0;
    this.total = 0;
  }

  /** Takes over another hash's progress (same kind), e.g. a keyed HMAC state. */
  copyFrom(other: MdHash): void {
    memory.copy(changetype<usize>(this.h), changetype<usize>(other.h), 32);
    memory.copy(changetype<usize>(this.buf), changetype<usize>(other.buf), 64);
    this.bufLen = other.bufLen;
    this.total = other.total;
  }

  updatePtr(ptr: usize, len: i32): void {
    if (len <= 0) return;
    this.total += <u64>len;
    const st = changetype<usize>(this.h);
    const buf = changetype<usize>(this.buf);
    let off = 0;
    if (this.bufLen > 0) {
      const take = min(64 - this.bufLen, len);
      memory.copy(buf + <usize>this.bufLen, ptr, <usize>take);
      this.bufLen += take;
      off = take;
      if (this.bufLen < 64) return;
      compress(this.kind, st, buf);
      this.bufLen = 0;
    }
    while (len - off >= 64) {
      compress(this.kind, st, ptr + <usize>off);
      off += 64;
    }
    if (off < len) {
      memory.copy(buf, ptr + <usize>off, <usize>(len - off));
      this.bufLen = len - off;
    }
  }

  update(data: Uint8Array): void {
    this.updatePtr(data.dataStart, data.length);
  }

  /** Pads, writes `digestLength` bytes at `out`. The hash must be reset before reuse. */
  finishTo(out: usize): void {
    const st = changetype<usize>(this.h);
    const buf = changetype<usize>(this.buf);
    const bits = this.total << 3;
    let n = this.bufLen;
    store<u8>(buf + <usize>n, 0x80);
    n++;
    if (n > 56) {
      memory.fill(buf + <usize>n, 0, <usize>(64 - n));
      compress(this.kind, st, buf);
      n = 0;
    }
    memory.fill(buf + <usize>n, 0, <usize>(56 - n));
    if (this.kind == HashKind.MD5) store<u64>(buf + 56, bits);
    else store<u64>(buf + 56, bswap<u64>(bits));
    compress(this.kind, st, buf);
    writeDigest(this.kind, st, out);
    this.bufLen = 0;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.digestLength);
    this.finishTo(out.dataStart);
    return out;
  }
}

/** The chaining words at `state` as digest bytes: big-endian for SHA, little-endian for MD5. */
// @ts-ignore: decorator
@inline
export function writeDigest(kind: HashKind, state: usize, out: usize): void {
  const words = digestLengthOf(kind) >> 2;
  if (kind == HashKind.MD5) {
    memory.copy(out, state, <usize>(words << 2));
  } else {
    for (let i = 0; i < words; i++) {
      store<u32>(out + (<usize>i << 2), bswap<u32>(load<u32>(state + (<usize>i << 2))));
    }
  }
}

export function hashOnce(kind: HashKind, data: Uint8Array): Uint8Array {
  const h = new MdHash(kind);
  h.update(data);
  return h.finish();
}
