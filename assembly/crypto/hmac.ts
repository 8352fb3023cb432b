// HMAC (RFC 2104) over the hashes of md.ts. `Hmac` keeps the states after the ipad and opad blocks so a
// key is hashed once however many messages it authenticates (PBKDF2 relies on this).

import { HashKind, MdHash, BLOCK_SIZE, digestLengthOf } from "./md";

export class Hmac {
  /** State after absorbing key ^ ipad. */
  readonly inner: MdHash;
  /** State after absorbing key ^ opad. */
  readonly outer: MdHash;
  private readonly work: MdHash;
  readonly kind: HashKind;
  readonly macLength: i32;

  constructor(kind: HashKind, key: Uint8Array) {
    this.kind = kind;
    this.macLength = digestLengthOf(kind);
    this.inner = new MdHash(kind);
    this.outer = new MdHash(kind);
    this.work = new MdHash(kind);
    const block = new StaticArray<u8>(BLOCK_SIZE);
    const b = changetype<usize>(block);
    if (key.length > BLOCK_SIZE) {
      this.work.update(key);
      this.work.finishTo(b);
      this.work.reset();
    } else {
      memory.copy(b, key.dataStart, <usize>key.length);
    }
    for (let i = 0; i < BLOCK_SIZE; i++) store<u8>(b + <usize>i, load<u8>(b + <usize>i) ^ 0x36);
    this.inner.updatePtr(b, BLOCK_SIZE);
    for (let i = 0; i < BLOCK_SIZE; i++) store<u8>(b + <usize>i, load<u8>(b + <usize>i) ^ (0x36 ^ 0x5c));
    this.outer.updatePtr(b, BLOCK_SIZE);
  }

  /** The MAC of the bytes at `ptr..ptr+len`, written to `out` (`macLength` bytes). */
  macPtrTo(ptr: usize, len: i32, out: usize): void {
    const w = this.work;
    w.copyFrom(this.inner);
    w.updatePtr(ptr, len);
    w.finishTo(out);
    w.copyFrom(this.outer);
    w.updatePtr(out, this.macLength);
    w.finishTo(out);
  }

  mac(data: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.macLength);
    this.macPtrTo(data.dataStart, data.length, out.dataStart);
    return out;
  }

  /** Starts a MAC over several pieces: `update` the returned hash, then pass it to `finishMac`. */
  begin(): MdHash {
    const w = new MdHash(this.kind);
    w.copyFrom(this.inner);
    return w;
  }

  finishMac(started: MdHash): Uint8Array {
    const out = new Uint8Array(this.macLength);
    started.finishTo(out.dataStart);
    started.copyFrom(this.outer);
    started.update(out);
    started.finishTo(out.dataStart);
    return out;
  }
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Hmac(HashKind.SHA256, key).mac(data);
}

export function hmacSha1(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Hmac(HashKind.SHA1, key).mac(data);
}

export function hmacMd5(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Hmac(HashKind.MD5, key).mac(data);
}
