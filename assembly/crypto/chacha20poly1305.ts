// ChaCha20, Poly1305 and the ChaCha20-Poly1305 AEAD (RFC 8439), and XChaCha20-Poly1305 with HChaCha20
// (draft-irtf-cfrg-xchacha-03). Only additions, rotations and xors on secrets, no secret-dependent
// branches or memory indices: constant-time in wasm, which is why the project's sessions default to it.
// XChaCha's 24-byte nonce is safe to pick at random for every cookie written.

import { constantTimeEqualPtr } from "./compare";

export const KEY_LENGTH: i32 = 32;
export const NONCE_LENGTH: i32 = 12;
export const XNONCE_LENGTH: i32 = 24;
export const TAG_LENGTH: i32 = 16;

const STATE = new StaticArray<u32>(16);
const WORK = new StaticArray<u32>(16);

/**
 * The ChaCha20 block function (RFC 8439 §2.3) on the 16-word state at `s`, written to the 16 words at
 * `out`: the 20 rounds, then, when `addInput`, the state added word by word (HChaCha20 leaves it out).
 * The words live in locals through the rounds rather than being loaded and stored by every quarter round.
 */
function block(s: usize, out: usize, addInput: bool): void {
  let x0 = load<u32>(s, 0);
  let x1 = load<u32>(s, 4);
  let x2 = load<u32>(s, 8);
  let x3 = load<u32>(s, 12);
  let x4 = load<u32>(s, 16);
  let x5 = load<u32>(s, 20);
  let x6 = load<u32>(s, 24);
  let x7 = load<u32>(s, 28);
  let x8 = load<u32>(s, 32);
  let x9 = load<u32>(s, 36);
  let x10 = load<u32>(s, 40);
  let x11 = load<u32>(s, 44);
  let x12 = load<u32>(s, 48);
  let x13 = load<u32>(s, 52);
  let x14 = load<u32>(s, 56);
  let x15 = load<u32>(s, 60);
  for (let i = 0; i < 10; i++) {
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 16);
    x8 += x12; x4 = rotl<u32>(x4 ^ x8, 12);
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 8);
    x8 += x12; x4 = rotl<u32>(x4 ^ x8, 7);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 16);
    x9 += x13; x5 = rotl<u32>(x5 ^ x9, 12);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 8);
    x9 += x13; x5 = rotl<u32>(x5 ^ x9, 7);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 16);
    x10 += x14; x6 = rotl<u32>(x6 ^ x10, 12);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 8);
    x10 += x14; x6 = rotl<u32>(x6 ^ x10, 7);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 16);
    x11 += x15; x7 = rotl<u32>(x7 ^ x11, 12);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 8);
    x11 += x15; x7 = rotl<u32>(x7 ^ x11, 7);
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 16);
    x10 += x15; x5 = rotl<u32>(x5 ^ x10, 12);
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 8);
    x10 += x15; x5 = rotl<u32>(x5 ^ x10, 7);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 16);
    x11 += x12; x6 = rotl<u32>(x6 ^ x11, 12);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 8);
    x11 += x12; x6 = rotl<u32>(x6 ^ x11, 7);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 16);
    x8 += x13; x7 = rotl<u32>(x7 ^ x8, 12);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 8);
    x8 += x13; x7 = rotl<u32>(x7 ^ x8, 7);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 16);
    x9 += x14; x4 = rotl<u32>(x4 ^ x9, 12);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 8);
    x9 += x14; x4 = rotl<u32>(x4 ^ x9, 7);
  }
  store<u32>(out, addInput ? x0 + load<u32>(s, 0) : x0, 0);
  store<u32>(out, addInput ? x1 + load<u32>(s, 4) : x1, 4);
  store<u32>(out, addInput ? x2 + load<u32>(s, 8) : x2, 8);
  store<u32>(out, addInput ? x3 + load<u32>(s, 12) : x3, 12);
  store<u32>(out, addInput ? x4 + load<u32>(s, 16) : x4, 16);
  store<u32>(out, addInput ? x5 + load<u32>(s, 20) : x5, 20);
  store<u32>(out, addInput ? x6 + load<u32>(s, 24) : x6, 24);
  store<u32>(out, addInput ? x7 + load<u32>(s, 28) : x7, 28);
  store<u32>(out, addInput ? x8 + load<u32>(s, 32) : x8, 32);
  store<u32>(out, addInput ? x9 + load<u32>(s, 36) : x9, 36);
  store<u32>(out, addInput ? x10 + load<u32>(s, 40) : x10, 40);
  store<u32>(out, addInput ? x11 + load<u32>(s, 44) : x11, 44);
  store<u32>(out, addInput ? x12 + load<u32>(s, 48) : x12, 48);
  store<u32>(out, addInput ? x13 + load<u32>(s, 52) : x13, 52);
  store<u32>(out, addInput ? x14 + load<u32>(s, 56) : x14, 56);
  store<u32>(out, addInput ? x15 + load<u32>(s, 60) : x15, 60);
}

/** Fills the 16 words at `s` with the constants, the key at `key` (32 bytes) and words 12..15 as given. */
function setup(s: usize, key: usize): void {
  store<u32>(s, 0x61707865, 0);
  store<u32>(s, 0x3320646e, 4);
  store<u32>(s, 0x79622d32, 8);
  store<u32>(s, 0x6b206574, 12);
  memory.copy(s + 16, key, 32);
}

/**
 * XORs `len` bytes from `src` into `dst` with the ChaCha20 keystream for the 32-byte key at `key`, the
 * 12-byte nonce at `nonce` and the initial block counter (RFC 8439 §2.4). `src` may equal `dst`.
 */
export function chacha20XorPtr(key: usize, nonce: usize, counter: u32, src: usize, dst: usize, len: i32): void {
  const s = changetype<usize>(STATE);
  const x = changetype<usize>(WORK);
  setup(s, key);
  store<u32>(s, counter, 48);
  memory.copy(s + 52, nonce, 12);
  let off = 0;
  while (off < len) {
    block(s, x, true);
    const take = min(64, len - off);
    if (take == 64) {
      for (let i = 0; i < 64; i += 8) {
        store<u64>(dst + <usize>(off + i), load<u64>(src + <usize>(off + i)) ^ load<u64>(x + <usize>i));
      }
    } else {
      for (let i = 0; i < take; i++) {
        store<u8>(dst + <usize>(off + i), load<u8>(src + <usize>(off + i)) ^ load<u8>(x + <usize>i));
      }
    }
    off += take;
    store<u32>(s, load<u32>(s, 48) + 1, 48);
  }
}

/** ChaCha20 (RFC 8439 §2.4) of `data`; an empty array when the key is not 32 bytes or the nonce not 12. */
export function chacha20(key32: Uint8Array, nonce12: Uint8Array, counter: u32, data: Uint8Array): Uint8Array {
  if (key32.length != KEY_LENGTH || nonce12.length != NONCE_LENGTH) return new Uint8Array(0);
  const out = new Uint8Array(data.length);
  chacha20XorPtr(key32.dataStart, nonce12.dataStart, counter, data.dataStart, out.dataStart, data.length);
  return out;
}

/** HChaCha20 (XChaCha draft §2.2): a 32-byte subkey from a key and a 16-byte nonce; null on bad lengths. */
export function hchacha20(key32: Uint8Array, nonce16: Uint8Array): Uint8Array | null {
  if (key32.length != KEY_LENGTH || nonce16.length != 16) return null;
  const out = new Uint8Array(32);
  hchacha20Ptr(key32.dataStart, nonce16.dataStart, out.dataStart);
  return out;
}

function hchacha20Ptr(key: usize, nonce16: usize, out: usize): void {
  const s = changetype<usize>(STATE);
  const x = changetype<usize>(WORK);
  setup(s, key);
  memory.copy(s + 48, nonce16, 16);
  block(s, x, false);
  memory.copy(out, x, 16);
  memory.copy(out + 16, x + 48, 16);
}

/** Poly1305 (RFC 8439 §2.5) with five 26-bit limbs, so every product fits a u64. */
export class Poly1305 {
  private r0: u32 = 0; private r1: u32 = 0; private r2: u32 = 0; private r3: u32 = 0; private r4: u32 = 0;
  private h0: u32 = 0; private h1: u32 = 0; private h2: u32 = 0; private h3: u32 = 0; private h4: u32 = 0;
  private pad0: u32 = 0; private pad1: u32 = 0; private pad2: u32 = 0; private pad3: u32 = 0;
  private readonly buf: StaticArray<u8> = new StaticArray<u8>(16);
  private bufLen: i32 = 0;

  /** Keyed with the 32 bytes at `key` (r, clamped, then s). */
  constructor(key: usize) {
    this.rekey(key);
  }

  /** Starts over keyed with the 32 bytes at `key`, as a new instance would (one instance serves many tags). */
  rekey(key: usize): void {
    this.r0 = load<u32>(key, 0) & 0x3ffffff;
    this.r1 = (load<u32>(key, 3) >>> 2) & 0x3ffff03;
    this.r2 = (load<u32>(key, 6) >>> 4) & 0x3ffc0ff;
    this.r3 = (load<u32>(key, 9) >>> 6) & 0x3f03fff;
    this.r4 = (load<u32>(key, 12) >>> 8) & 0x00fffff;
    this.h0 = 0; this.h1 = 0; this.h2 = 0; this.h3 = 0; this.h4 = 0;
    this.pad0 = load<u32>(key, 16);
    this.pad1 = load<u32>(key, 20);
    this.pad2 = load<u32>(key, 24);
    this.pad3 = load<u32>(key, 28);
    this.bufLen = 0;
  }

  /** Absorbs whole 16-byte blocks at `m`; `hibit` is 1 << 24 for full blocks, 0 for the padded last one. */
  private blocks(m: usize, len: i32, hibit: u32): void {
    const r0 = <u64>this.r0, r1 = <u64>this.r1, r2 = <u64>this.r2, r3 = <u64>this.r3, r4 = <u64>this.r4;
    const s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
    let h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;
    for (let off = 0; off + 16 <= len; off += 16) {
      const p = m + <usize>off;
      h0 += load<u32>(p, 0) & 0x3ffffff;
      h1 += (load<u32>(p, 3) >>> 2) & 0x3ffffff;
      h2 += (load<u32>(p, 6) >>> 4) & 0x3ffffff;
      h3 += (load<u32>(p, 9) >>> 6) & 0x3ffffff;
      h4 += (load<u32>(p, 12) >>> 8) | hibit;
      const d0 = <u64>h0 * r0 + <u64>h1 * s4 + <u64>h2 * s3 + <u64>h3 * s2 + <u64>h4 * s1;
      let d1 = <u64>h0 * r1 + <u64>h1 * r0 + <u64>h2 * s4 + <u64>h3 * s3 + <u64>h4 * s2;
      let d2 = <u64>h0 * r2 + <u64>h1 * r1 + <u64>h2 * r0 + <u64>h3 * s4 + <u64>h4 * s3;
      let d3 = <u64>h0 * r3 + <u64>h1 * r2 + <u64>h2 * r1 + <u64>h3 * r0 + <u64>h4 * s4;
      let d4 = <u64>h0 * r4 + <u64>h1 * r3 + <u64>h2 * r2 + <u64>h3 * r1 + <u64>h4 * r0;
      let c = d0 >> 26; h0 = <u32>d0 & 0x3ffffff;
      d1 += c; c = d1 >> 26; h1 = <u32>d1 & 0x3ffffff;
      d2 += c; c = d2 >> 26; h2 = <u32>d2 & 0x3ffffff;
      d3 += c; c = d3 >> 26; h3 = <u32>d3 & 0x3ffffff;
      d4 += c; c = d4 >> 26; h4 = <u32>d4 & 0x3ffffff;
      h0 += <u32>c * 5;
      h1 += h0 >>> 26; h0 &= 0x3ffffff;
    }
    this.h0 = h0; this.h1 = h1; this.h2 = h2; this.h3 = h3; this.h4 = h4;
  }

  update(m: usize, len: i32): void {
    if (len <= 0) return;
    let off = 0;
    const buf = changetype<usize>(this.buf);
    if (this.bufLen > 0) {
      const take = min(16 - this.bufLen, len);
      memory.copy(buf + <usize>this.bufLen, m, <usize>take);
      this.bufLen += take;
      off = take;
      if (this.bufLen < 16) return;
      this.blocks(buf, 16, 1 << 24);
      this.bufLen = 0;
    }
    const whole = (len - off) & ~15;
    if (whole > 0) {
      this.blocks(m + <usize>off, whole, 1 << 24);
      off += whole;
    }
    if (off < len) {
      memory.copy(buf, m + <usize>off, <usize>(len - off));
      this.bufLen = len - off;
    }
  }

  /** Writes the 16-byte tag to `out`. */
  finish(out: usize): void {
    if (this.bufLen > 0) {
      const buf = changetype<usize>(this.buf);
      store<u8>(buf + <usize>this.bufLen, 1);
      memory.fill(buf + <usize>this.bufLen + 1, 0, <usize>(15 - this.bufLen));
      this.blocks(buf, 16, 0);
      this.bufLen = 0;
    }
    let h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;
    let c: u32;
    c = h1 >>> 26; h1 &= 0x3ffffff;
    h2 += c; c = h2 >>> 26; h2 &= 0x3ffffff;
    h3 += c; c = h3 >>> 26; h3 &= 0x3ffffff;
    h4 += c; c = h4 >>> 26; h4 &= 0x3ffffff;
    h0 += c * 5; c = h0 >>> 26; h0 &= 0x3ffffff;
    h1 += c;
    // g = h + 5 - 2^130; take g when it did not go negative, without branching on h.
    let g0 = h0 + 5; c = g0 >>> 26; g0 &= 0x3ffffff;
    let g1 = h1 + c; c = g1 >>> 26; g1 &= 0x3ffffff;
    let g2 = h2 + c; c = g2 >>> 26; g2 &= 0x3ffffff;
    let g3 = h3 + c; c = g3 >>> 26; g3 &= 0x3ffffff;
    const g4 = h4 + c - (1 << 26);
    const useG = (g4 >>> 31) - 1; // all ones when g4 >= 0
    const useH = ~useG;
    h0 = (h0 & useH) | (g0 & useG);
    h1 = (h1 & useH) | (g1 & useG);
    h2 = (h2 & useH) | (g2 & useG);
    h3 = (h3 & useH) | (g3 & useG);
    h4 = (h4 & useH) | (g4 & useG);
    const w0 = h0 | (h1 << 26);
    const w1 = (h1 >>> 6) | (h2 << 20);
    const w2 = (h2 >>> 12) | (h3 << 14);
    const w3 = (h3 >>> 18) | (h4 << 8);
    let f = <u64>w0 + <u64>this.pad0;
    store<u32>(out, <u32>f, 0);
    f = <u64>w1 + <u64>this.pad1 + (f >> 32);
    store<u32>(out, <u32>f, 4);
    f = <u64>w2 + <u64>this.pad2 + (f >> 32);
    store<u32>(out, <u32>f, 8);
    f = <u64>w3 + <u64>this.pad3 + (f >> 32);
    store<u32>(out, <u32>f, 12);
  }
}

/** Poly1305 one-time authenticator of `msg` under a 32-byte key; null when the key is not 32 bytes. */
export function poly1305(key32: Uint8Array, msg: Uint8Array): Uint8Array | null {
  if (key32.length != 32) return null;
  const p = new Poly1305(key32.dataStart);
  p.update(msg.dataStart, msg.length);
  const out = new Uint8Array(16);
  p.finish(out.dataStart);
  return out;
}

const ZEROS = new StaticArray<u8>(16);
const LENGTHS = new StaticArray<u8>(16);
const POLY_KEY = new StaticArray<u8>(64);
// Per-call working memory, reused: no call below is re-entered, and allocating these for every cookie
// opened was a measurable part of a request (issue 15). Secrets in them are wiped after use.
const MAC = new Poly1305(changetype<usize>(POLY_KEY));
const TAG = new StaticArray<u8>(16);
const SUBKEY = new StaticArray<u8>(32);
const SUBNONCE = new StaticArray<u8>(12);

/** The AEAD tag (RFC 8439 §2.8) over the `aadLen` bytes at `aad` and the ciphertext, written to `out`. */
function aeadTag(key: usize, nonce: usize, aad: usize, aadLen: i32, ct: usize, ctLen: i32, out: usize): void {
  const pk = changetype<usize>(POLY_KEY);
  memory.fill(pk, 0, 64);
  chacha20XorPtr(key, nonce, 0, pk, pk, 64);
  const p = MAC;
  p.rekey(pk);
  const zeros = changetype<usize>(ZEROS);
  p.update(aad, aadLen);
  p.update(zeros, (16 - (aadLen & 15)) & 15);
  p.update(ct, ctLen);
  p.update(zeros, (16 - (ctLen & 15)) & 15);
  const lens = changetype<usize>(LENGTHS);
  store<u64>(lens, <u64>aadLen, 0);
  store<u64>(lens, <u64>ctLen, 8);
  p.update(lens, 16);
  p.finish(out);
  memory.fill(pk, 0, 64);
  p.rekey(pk);
}

function sealPtr(key: usize, nonce: usize, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const n = plaintext.length;
  if (n > 0x7fffffff - TAG_LENGTH) return new Uint8Array(0);
  const out = new Uint8Array(n + TAG_LENGTH);
  chacha20XorPtr(key, nonce, 1, plaintext.dataStart, out.dataStart, n);
  aeadTag(key, nonce, aad.dataStart, aad.length, out.dataStart, n, out.dataStart + <usize>n);
  return out;
}

/**
 * Checks the tag of the `sealedLen` bytes at `sealed` (ciphertext || tag) and only then decrypts the
 * ciphertext into `out` (which may be `sealed` itself); false, with `out` untouched, on a bad tag.
 */
function openPtr(key: usize, nonce: usize, sealed: usize, sealedLen: i32, aad: usize, aadLen: i32, out: usize): bool {
  const n = sealedLen - TAG_LENGTH;
  if (n < 0) return false;
  const t = changetype<usize>(TAG);
  aeadTag(key, nonce, aad, aadLen, sealed, n, t);
  if (!constantTimeEqualPtr(t, sealed + <usize>n, TAG_LENGTH)) return false;
  chacha20XorPtr(key, nonce, 1, sealed, out, n);
  return true;
}

function openToArray(key: usize, nonce: usize, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  const n = sealed.length - TAG_LENGTH;
  if (n < 0) return null;
  const out = new Uint8Array(n);
  return openPtr(key, nonce, sealed.dataStart, sealed.length, aad.dataStart, aad.length, out.dataStart) ? out : null;
}

/**
 * ChaCha20-Poly1305 (RFC 8439 §2.8): ciphertext || 16-byte tag. An empty array (never a valid sealed
 * value) when the key is not 32 bytes or the nonce not 12.
 */
export function chacha20Poly1305Seal(key32: Uint8Array, nonce12: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  if (key32.length != KEY_LENGTH || nonce12.length != NONCE_LENGTH) return new Uint8Array(0);
  return sealPtr(key32.dataStart, nonce12.dataStart, plaintext, aad);
}

/** The plaintext of ciphertext || tag, or null when lengths are wrong or the tag does not verify. */
export function chacha20Poly1305Open(key32: Uint8Array, nonce12: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  if (key32.length != KEY_LENGTH || nonce12.length != NONCE_LENGTH) return null;
  return openToArray(key32.dataStart, nonce12.dataStart, sealed, aad);
}

/**
 * chacha20Poly1305Open on memory the caller owns: the 32-byte key at `key32`, the 12-byte nonce at
 * `nonce12`, ciphertext || tag at `sealed` (`sealedLen` bytes) and the AAD at `aad`. On a good tag the
 * plaintext (sealedLen - 16 bytes) is written to `out`, which may be `sealed` itself, and the answer is
 * true; otherwise false and nothing is written.
 */
export function chacha20Poly1305OpenTo(key32: usize, nonce12: usize, sealed: usize, sealedLen: i32, aad: usize, aadLen: i32, out: usize): bool {
  return openPtr(key32, nonce12, sealed, sealedLen, aad, aadLen, out);
}

/** Subkey and 12-byte nonce for XChaCha20: HChaCha20 over nonce[0..16], then 4 zero bytes || nonce[16..24]. */
function xSetup(key: usize, nonce24: usize, subkey: usize, nonce12: usize): void {
  hchacha20Ptr(key, nonce24, subkey);
  store<u32>(nonce12, 0);
  memory.copy(nonce12 + 4, nonce24 + 16, 8);
}

/** XChaCha20-Poly1305: ciphertext || tag; an empty array when the key is not 32 bytes or the nonce not 24. */
export function xchacha20Poly1305Seal(key32: Uint8Array, nonce24: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  if (key32.length != KEY_LENGTH || nonce24.length != XNONCE_LENGTH) return new Uint8Array(0);
  const subkey = changetype<usize>(SUBKEY);
  const nonce = changetype<usize>(SUBNONCE);
  xSetup(key32.dataStart, nonce24.dataStart, subkey, nonce);
  const out = sealPtr(subkey, nonce, plaintext, aad);
  memory.fill(subkey, 0, 32);
  return out;
}

/** The plaintext of an XChaCha20-Poly1305 sealed value, or null on wrong lengths or a bad tag. */
export function xchacha20Poly1305Open(key32: Uint8Array, nonce24: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  if (key32.length != KEY_LENGTH || nonce24.length != XNONCE_LENGTH) return null;
  const subkey = changetype<usize>(SUBKEY);
  const nonce = changetype<usize>(SUBNONCE);
  xSetup(key32.dataStart, nonce24.dataStart, subkey, nonce);
  const out = openToArray(subkey, nonce, sealed, aad);
  memory.fill(subkey, 0, 32);
  return out;
}

/** xchacha20Poly1305Open on memory the caller owns, as chacha20Poly1305OpenTo (the nonce is 24 bytes). */
export function xchacha20Poly1305OpenTo(key32: usize, nonce24: usize, sealed: usize, sealedLen: i32, aad: usize, aadLen: i32, out: usize): bool {
  const subkey = changetype<usize>(SUBKEY);
  const nonce = changetype<usize>(SUBNONCE);
  xSetup(key32, nonce24, subkey, nonce);
  const ok = openPtr(subkey, nonce, sealed, sealedLen, aad, aadLen, out);
  memory.fill(subkey, 0, 32);
  return ok;
}
