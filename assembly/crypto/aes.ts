// AES-128/192/256 (FIPS 197) and CBC with PKCS#7 padding (SP 800-38A), for mod_session_crypto interop.
//
// This is table-based AES: its memory accesses depend on key and data, and wasm gives no way to keep
// tables in cache or to use AES instructions, so it is NOT constant-time against an attacker who can
// time or share the CPU. That is why the project's default session format is ChaCha20-Poly1305
// (arithmetic only); AES-CBC exists so Apache's cookies can be read and written. The tables are built
// once from the field arithmetic rather than typed in.

const SBOX = new StaticArray<u8>(256);
const INV_SBOX = new StaticArray<u8>(256);
const TE = new StaticArray<u32>(1024); // Te0..Te3, 256 words each
const TD = new StaticArray<u32>(1024); // Td0..Td3
let tablesReady = false;

// @ts-ignore: decorator
@inline
function xtime(x: u32): u32 {
  return ((x << 1) ^ ((x & 0x80) != 0 ? 0x1b : 0)) & 0xff;
}

function gmul(a: u32, b: u32): u32 {
  let p: u32 = 0;
  for (let i = 0; i < 8; i++) {
    if ((b & 1) != 0) p ^= a;
    a = xtime(a);
    b >>= 1;
  }
  return p;
}

function buildTables(): void {
  // Walk the multiplicative group with generator 3: pow[i] = 3^i, log[3^i] = i; inverse of 3^i is 3^(255-i).
  const pow = new StaticArray<u32>(256);
  const log = new StaticArray<u32>(256);
  let x: u32 = 1;
  for (let i = 0; i < 255; i++) {
    unchecked((pow[i] = x));
    unchecked((log[x] = i));
    x ^= xtime(x);
  }
  for (let i = 0; i < 256; i++) {
    const inv: u32 = i == 0 ? 0 : unchecked(pow[(255 - unchecked(log[i])) % 255]);
    // Affine transform: b ^ rotl(b,1) ^ rotl(b,2) ^ rotl(b,3) ^ rotl(b,4) ^ 0x63.
    let s = inv;
    let r = inv;
    for (let k = 0; k < 4; k++) {
      r = ((r << 1) | (r >> 7)) & 0xff;
      s ^= r;
    }
    s ^= 0x63;
    unchecked((SBOX[i] = <u8>s));
    unchecked((INV_SBOX[s] = <u8>i));
  }
  for (let i = 0; i < 256; i++) {
    const s = <u32>unchecked(SBOX[i]);
    const e = (xtime(s) << 24) | (s << 16) | (s << 8) | (xtime(s) ^ s);
    const si = <u32>unchecked(INV_SBOX[i]);
    const d = (gmul(si, 14) << 24) | (gmul(si, 9) << 16) | (gmul(si, 13) << 8) | gmul(si, 11);
    for (let t = 0; t < 4; t++) {
      unchecked((TE[(t << 8) + i] = rotr<u32>(e, <u32>(t << 3))));
      unchecked((TD[(t << 8) + i] = rotr<u32>(d, <u32>(t << 3))));
    }
  }
  tablesReady = true;
}

// @ts-ignore: decorator
@inline
function te(t: u32, b: u32): u32 {
  return load<u32>(changetype<usize>(TE) + (<usize>((t << 8) | (b & 0xff)) << 2));
}

// @ts-ignore: decorator
@inline
function td(t: u32, b: u32): u32 {
  return load<u32>(changetype<usize>(TD) + (<usize>((t << 8) | (b & 0xff)) << 2));
}

// @ts-ignore: decorator
@inline
function sb(b: u32): u32 {
  return <u32>load<u8>(changetype<usize>(SBOX) + <usize>(b & 0xff));
}

// @ts-ignore: decorator
@inline
function isb(b: u32): u32 {
  return <u32>load<u8>(changetype<usize>(INV_SBOX) + <usize>(b & 0xff));
}

const RCON: StaticArray<u32> = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36];

/** An expanded AES key (encryption and decryption round keys); build one per secret and reuse it. */
export class AesKey {
  readonly rounds: i32;
  /** 4 * (rounds + 1) encryption round-key words. */
  private readonly ek: StaticArray<u32>;
  /** Decryption round keys for the equivalent inverse cipher. */
  private readonly dk: StaticArray<u32>;

  /** The expanded key, or null unless `key` is 16, 24 or 32 bytes. */
  static create(key: Uint8Array): AesKey | null {
    const n = key.length;
    if (n != 16 && n != 24 && n != 32) return null;
    return new AesKey(key);
  }

  private constructor(key: Uint8Array) {
    if (!tablesReady) buildTables();
    const nk = key.length >> 2;
    const rounds = nk + 6;
    this.rounds = rounds;
    const total = (rounds + 1) << 2;
    const ek = new StaticArray<u32>(total);
    const dk = new StaticArray<u32>(total);
    for (let i = 0; i < nk; i++) unchecked((ek[i] = bswap<u32>(load<u32>(key.dataStart + (<usize>i << 2)))));
    for (let i = nk; i < total; i++) {
      let t = unchecked(ek[i - 1]);
      if (i % nk == 0) {
        t = (t << 8) | (t >>> 24);
        t = (sb(t >>> 24) << 24) | (sb(t >>> 16) << 16) | (sb(t >>> 8) << 8) | sb(t);
        t ^= unchecked(RCON[i / nk - 1]) << 24;
      } else if (nk > 6 && i % nk == 4) {
        t = (sb(t >>> 24) << 24) | (sb(t >>> 16) << 16) | (sb(t >>> 8) << 8) | sb(t);
      }
      unchecked((ek[i] = ek[i - nk] ^ t));
    }
    // Decryption keys: encryption round keys in reverse round order, middle rounds through InvMixColumns.
    for (let r = 0; r <= rounds; r++) {
      for (let j = 0; j < 4; j++) {
        const w = unchecked(ek[((rounds - r) << 2) + j]);
        unchecked((dk[(r << 2) + j] = r == 0 || r == rounds
          ? w
          : td(0, sb(w >>> 24)) ^ td(1, sb(w >>> 16)) ^ td(2, sb(w >>> 8)) ^ td(3, sb(w))));
      }
    }
    this.ek = ek;
    this.dk = dk;
  }

  /** Encrypts the 16 bytes at `src` into `dst` (which may equal `src`). */
  encryptBlock(src: usize, dst: usize): void {
    const rk = changetype<usize>(this.ek);
    let s0 = bswap<u32>(load<u32>(src, 0)) ^ load<u32>(rk, 0);
    let s1 = bswap<u32>(load<u32>(src, 4)) ^ load<u32>(rk, 4);
    let s2 = bswap<u32>(load<u32>(src, 8)) ^ load<u32>(rk, 8);
    let s3 = bswap<u32>(load<u32>(src, 12)) ^ load<u32>(rk, 12);
    const rounds = this.rounds;
    let k = rk + 16;
    for (let r = 1; r < rounds; r++) {
      const t0 = te(0, s0 >>> 24) ^ te(1, s1 >>> 16) ^ te(2, s2 >>> 8) ^ te(3, s3) ^ load<u32>(k, 0);
      const t1 = te(0, s1 >>> 24) ^ te(1, s2 >>> 16) ^ te(2, s3 >>> 8) ^ te(3, s0) ^ load<u32>(k, 4);
      const t2 = te(0, s2 >>> 24) ^ te(1, s3 >>> 16) ^ te(2, s0 >>> 8) ^ te(3, s1) ^ load<u32>(k, 8);
      const t3 = te(0, s3 >>> 24) ^ te(1, s0 >>> 16) ^ te(2, s1 >>> 8) ^ te(3, s2) ^ load<u32>(k, 12);
      s0 = t0; s1 = t1; s2 = t2; s3 = t3;
      k += 16;
    }
    const o0 = ((sb(s0 >>> 24) << 24) | (sb(s1 >>> 16) << 16) | (sb(s2 >>> 8) << 8) | sb(s3)) ^ load<u32>(k, 0);
    const o1 = ((sb(s1 >>> 24) << 24) | (sb(s2 >>> 16) << 16) | (sb(s3 >>> 8) << 8) | sb(s0)) ^ load<u32>(k, 4);
    const o2 = ((sb(s2 >>> 24) << 24) | (sb(s3 >>> 16) << 16) | (sb(s0 >>> 8) << 8) | sb(s1)) ^ load<u32>(k, 8);
    const o3 = ((sb(s3 >>> 24) << 24) | (sb(s0 >>> 16) << 16) | (sb(s1 >>> 8) << 8) | sb(s2)) ^ load<u32>(k, 12);
    store<u32>(dst, bswap<u32>(o0), 0);
    store<u32>(dst, bswap<u32>(o1), 4);
    store<u32>(dst, bswap<u32>(o2), 8);
    store<u32>(dst, bswap<u32>(o3), 12);
  }

  /** Decrypts the 16 bytes at `src` into `dst` (which may equal `src`). */
  decryptBlock(src: usize, dst: usize): void {
    const rk = changetype<usize>(this.dk);
    let s0 = bswap<u32>(load<u32>(src, 0)) ^ load<u32>(rk, 0);
    let s1 = bswap<u32>(load<u32>(src, 4)) ^ load<u32>(rk, 4);
    let s2 = bswap<u32>(load<u32>(src, 8)) ^ load<u32>(rk, 8);
    let s3 = bswap<u32>(load<u32>(src, 12)) ^ load<u32>(rk, 12);
    const rounds = this.rounds;
    let k = rk + 16;
    for (let r = 1; r < rounds; r++) {
      const t0 = td(0, s0 >>> 24) ^ td(1, s3 >>> 16) ^ td(2, s2 >>> 8) ^ td(3, s1) ^ load<u32>(k, 0);
      const t1 = td(0, s1 >>> 24) ^ td(1, s0 >>> 16) ^ td(2, s3 >>> 8) ^ td(3, s2) ^ load<u32>(k, 4);
      const t2 = td(0, s2 >>> 24) ^ td(1, s1 >>> 16) ^ td(2, s0 >>> 8) ^ td(3, s3) ^ load<u32>(k, 8);
      const t3 = td(0, s3 >>> 24) ^ td(1, s2 >>> 16) ^ td(2, s1 >>> 8) ^ td(3, s0) ^ load<u32>(k, 12);
      s0 = t0; s1 = t1; s2 = t2; s3 = t3;
      k += 16;
    }
    const o0 = ((isb(s0 >>> 24) << 24) | (isb(s3 >>> 16) << 16) | (isb(s2 >>> 8) << 8) | isb(s1)) ^ load<u32>(k, 0);
    const o1 = ((isb(s1 >>> 24) << 24) | (isb(s0 >>> 16) << 16) | (isb(s3 >>> 8) << 8) | isb(s2)) ^ load<u32>(k, 4);
    const o2 = ((isb(s2 >>> 24) << 24) | (isb(s1 >>> 16) << 16) | (isb(s0 >>> 8) << 8) | isb(s3)) ^ load<u32>(k, 8);
    const o3 = ((isb(s3 >>> 24) << 24) | (isb(s2 >>> 16) << 16) | (isb(s1 >>> 8) << 8) | isb(s0)) ^ load<u32>(k, 12);
    store<u32>(dst, bswap<u32>(o0), 0);
    store<u32>(dst, bswap<u32>(o1), 4);
    store<u32>(dst, bswap<u32>(o2), 8);
    store<u32>(dst, bswap<u32>(o3), 12);
  }

  /** One block in a fresh array; empty unless `block` is 16 bytes. */
  encrypt(block: Uint8Array): Uint8Array {
    if (block.length != 16) return new Uint8Array(0);
    const out = new Uint8Array(16);
    this.encryptBlock(block.dataStart, out.dataStart);
    return out;
  }

  /** One block in a fresh array; empty unless `block` is 16 bytes. */
  decrypt(block: Uint8Array): Uint8Array {
    if (block.length != 16) return new Uint8Array(0);
    const out = new Uint8Array(16);
    this.decryptBlock(block.dataStart, out.dataStart);
    return out;
  }

  /** CBC encryption with PKCS#7 padding; empty (never a valid ciphertext) unless `iv` is 16 bytes. */
  cbcEncrypt(iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (iv.length != 16) return new Uint8Array(0);
    const n = plaintext.length;
    const padded = (n & ~15) + 16;
    if (padded < n) return new Uint8Array(0);
    const out = new Uint8Array(padded);
    const dst = out.dataStart;
    memory.copy(dst, plaintext.dataStart, <usize>n);
    memory.fill(dst + <usize>n, <u8>(padded - n), <usize>(padded - n));
    let prev = iv.dataStart;
    for (let off = 0; off < padded; off += 16) {
      const p = dst + <usize>off;
      store<u64>(p, load<u64>(p) ^ load<u64>(prev));
      store<u64>(p, load<u64>(p, 8) ^ load<u64>(prev, 8), 8);
      this.encryptBlock(p, p);
      prev = p;
    }
    return out;
  }

  /**
   * CBC decryption removing PKCS#7 padding. Null when `iv` is not 16 bytes, the ciphertext is empty or not
   * whole blocks, or the padding is malformed. The padding check reads all 16 final bytes whatever they
   * hold, so its time does not say which byte was wrong (callers must still authenticate before
   * decrypting: an unauthenticated CBC decryption is a padding oracle, CVE-2016-0736).
   */
  cbcDecrypt(iv: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    const n = ciphertext.length;
    if (iv.length != 16 || n == 0 || (n & 15) != 0) return null;
    const plain = new Uint8Array(n);
    const src = ciphertext.dataStart;
    const dst = plain.dataStart;
    let prev = iv.dataStart;
    for (let off = 0; off < n; off += 16) {
      const c = src + <usize>off;
      const p = dst + <usize>off;
      this.decryptBlock(c, p);
      store<u64>(p, load<u64>(p) ^ load<u64>(prev));
      store<u64>(p, load<u64>(p, 8) ^ load<u64>(prev, 8), 8);
      prev = c;
    }
    const last = dst + <usize>(n - 16);
    const pad = <u32>load<u8>(last, 15);
    // bad != 0 when pad is 0 or > 16, or any of the last `pad` bytes differs from pad.
    let bad: u32 = ((pad - 1) >>> 8) | ((16 - pad) >>> 8);
    for (let i: u32 = 0; i < 16; i++) {
      const inPad = ((15 - i) - pad) >>> 31; // 1 when byte i is one of the last `pad` bytes
      bad |= (0 - inPad) & (<u32>load<u8>(last + <usize>i) ^ pad);
    }
    if (bad != 0) return null;
    return plain.slice(0, n - <i32>pad);
  }
}

/** AES-CBC encryption with PKCS#7 padding; an empty array when the key or IV has a bad length. */
export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const k = AesKey.create(key);
  if (k == null) return new Uint8Array(0);
  return k.cbcEncrypt(iv, plaintext);
}

/** AES-CBC decryption with PKCS#7 unpadding; null on a bad key/IV/ciphertext length or bad padding. */
export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
  const k = AesKey.create(key);
  if (k == null) return null;
  return k.cbcDecrypt(iv, ciphertext);
}
