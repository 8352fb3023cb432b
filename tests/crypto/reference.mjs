// Plain-JS references for what node:crypto lacks (SipHash-2-4, HChaCha20) and for the Apache codecs.
// Written from the specifications, independently of the AssemblyScript code, and checked against the
// published vectors in the tests before they are trusted as a differential reference.
import crypto from "node:crypto";

// SipHash-2-4 on 64-bit words kept as [hi, lo] pairs of u32, so it is fast enough for the benchmark.
function add(x, y) {
  const lo = (x[1] + y[1]) >>> 0;
  const hi = (x[0] + y[0] + (lo < x[1] ? 1 : 0)) >>> 0;
  x[0] = hi; x[1] = lo;
}
function rotl(x, n) {
  let hi = x[0], lo = x[1];
  if (n >= 32) { const t = hi; hi = lo; lo = t; n -= 32; }
  if (n === 0) { x[0] = hi; x[1] = lo; return; }
  x[0] = ((hi << n) | (lo >>> (32 - n))) >>> 0;
  x[1] = ((lo << n) | (hi >>> (32 - n))) >>> 0;
}
function xor(x, y) { x[0] = (x[0] ^ y[0]) >>> 0; x[1] = (x[1] ^ y[1]) >>> 0; }
function word(b, o) {
  return [(b[o + 4] | (b[o + 5] << 8) | (b[o + 6] << 16) | (b[o + 7] << 24)) >>> 0,
    (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0];
}

/** SipHash-2-4 of `msg` under a 16-byte key, as the 8 little-endian bytes APR writes. */
export function siphash24(key, msg) {
  const k0 = word(key, 0), k1 = word(key, 8);
  const v0 = [k0[0] ^ 0x736f6d65, k0[1] ^ 0x70736575].map((v) => v >>> 0);
  const v1 = [k1[0] ^ 0x646f7261, k1[1] ^ 0x6e646f6d].map((v) => v >>> 0);
  const v2 = [k0[0] ^ 0x6c796765, k0[1] ^ 0x6e657261].map((v) => v >>> 0);
  const v3 = [k1[0] ^ 0x74656462, k1[1] ^ 0x79746573].map((v) => v >>> 0);
  const round = () => {
    add(v0, v1); rotl(v1, 13); xor(v1, v0); rotl(v0, 32);
    add(v2, v3); rotl(v3, 16); xor(v3, v2);
    add(v0, v3); rotl(v3, 21); xor(v3, v0);
    add(v2, v1); rotl(v1, 17); xor(v1, v2); rotl(v2, 32);
  };
  const n = msg.length;
  const last = new Uint8Array(8);
  const end = n - (n % 8);
  for (let o = 0; o < end; o += 8) {
    const m = word(msg, o);
    xor(v3, m); round(); round(); xor(v0, m);
  }
  last.set(msg.subarray(end));
  last[7] = n & 0xff;
  const m = word(last, 0);
  xor(v3, m); round(); round(); xor(v0, m);
  v2[1] = (v2[1] ^ 0xff) >>> 0;
  round(); round(); round(); round();
  xor(v0, v1); xor(v0, v2); xor(v0, v3);
  const out = new Uint8Array(8);
  for (let i = 0; i < 4; i++) { out[i] = (v0[1] >>> (8 * i)) & 0xff; out[4 + i] = (v0[0] >>> (8 * i)) & 0xff; }
  return out;
}

const rotl32 = (x, n) => ((x << n) | (x >>> (32 - n))) >>> 0;

/** HChaCha20 (XChaCha draft §2.2). */
export function hchacha20(key, nonce16) {
  const kv = new DataView(key.buffer, key.byteOffset, 32), nv = new DataView(nonce16.buffer, nonce16.byteOffset, 16);
  const s = new Uint32Array(16);
  s.set([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);
  for (let i = 0; i < 8; i++) s[4 + i] = kv.getUint32(4 * i, true);
  for (let i = 0; i < 4; i++) s[12 + i] = nv.getUint32(4 * i, true);
  const q = (a, b, c, d) => {
    s[a] += s[b]; s[d] = rotl32(s[d] ^ s[a], 16);
    s[c] += s[d]; s[b] = rotl32(s[b] ^ s[c], 12);
    s[a] += s[b]; s[d] = rotl32(s[d] ^ s[a], 8);
    s[c] += s[d]; s[b] = rotl32(s[b] ^ s[c], 7);
  };
  for (let i = 0; i < 10; i++) {
    q(0, 4, 8, 12); q(1, 5, 9, 13); q(2, 6, 10, 14); q(3, 7, 11, 15);
    q(0, 5, 10, 15); q(1, 6, 11, 12); q(2, 7, 8, 13); q(3, 4, 9, 14);
  }
  const out = new Uint8Array(32), ov = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) { ov.setUint32(4 * i, s[i], true); ov.setUint32(16 + 4 * i, s[12 + i], true); }
  return out;
}

/** ChaCha20-Poly1305 seal with node:crypto: ciphertext || tag. */
export function nodeAeadSeal(key, nonce12, msg, aad) {
  const c = crypto.createCipheriv("chacha20-poly1305", key, nonce12, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: msg.length });
  const ct = Buffer.concat([c.update(msg), c.final()]);
  return new Uint8Array(Buffer.concat([ct, c.getAuthTag()]));
}

/** ChaCha20-Poly1305 open with node:crypto, null when the tag does not verify. */
export function nodeAeadOpen(key, nonce12, sealed, aad) {
  if (sealed.length < 16) return null;
  const d = crypto.createDecipheriv("chacha20-poly1305", key, nonce12, { authTagLength: 16 });
  d.setAAD(aad, { plaintextLength: sealed.length - 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  const pt = d.update(sealed.subarray(0, sealed.length - 16));
  try { d.final(); } catch { return null; }
  return new Uint8Array(pt);
}

/** XChaCha20-Poly1305 from HChaCha20 above and node's ChaCha20-Poly1305. */
export function nodeXSeal(key, nonce24, msg, aad) {
  return nodeAeadSeal(hchacha20(key, nonce24.subarray(0, 16)), xNonce(nonce24), msg, aad);
}
export function nodeXOpen(key, nonce24, sealed, aad) {
  return nodeAeadOpen(hchacha20(key, nonce24.subarray(0, 16)), xNonce(nonce24), sealed, aad);
}
function xNonce(n24) {
  const n = new Uint8Array(12);
  n.set(n24.subarray(16, 24), 4);
  return n;
}

/** AES-CBC/PKCS#7 decryption with node:crypto, null on bad padding or length. */
export function nodeCbcDecrypt(key, iv, ct) {
  try {
    const d = crypto.createDecipheriv(`aes-${key.length * 8}-cbc`, key, iv);
    return new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
  } catch {
    return null;
  }
}

export function nodeCbcEncrypt(key, iv, pt) {
  const c = crypto.createCipheriv(`aes-${key.length * 8}-cbc`, key, iv);
  return new Uint8Array(Buffer.concat([c.update(pt), c.final()]));
}

/** Apache's ap_escape_urlencoded on a latin1 byte string (lowercase hex, space as +). */
export function apacheEscape(s) {
  let out = "";
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (/[A-Za-z0-9.\-*_]/.test(ch)) out += ch;
    else if (c === 0x20) out += "+";
    else out += "%" + c.toString(16).padStart(2, "0");
  }
  return out;
}

/** Apache's ap_unescape_urlencoded as "<status>:<value>": 400 for a bad escape (wins), 404 for NUL. */
export function apacheUnescape(s) {
  const t = s.replace(/\+/g, " ");
  let out = "", bad = false, nul = false;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    if (ch !== "%") { if (ch === "\0") nul = true; out += ch; continue; }
    if (/^[0-9a-fA-F]{2}$/.test(t.slice(i + 1, i + 3))) {
      const v = parseInt(t.slice(i + 1, i + 3), 16);
      if (v === 0) nul = true;
      out += String.fromCharCode(v);
      i += 2;
    } else {
      bad = true;
      out += "%";
    }
  }
  return `${bad ? 400 : nul ? 404 : 0}:${out}`;
}

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** APR's apr_base64_decode_binary: decode the longest prefix of standard-alphabet characters. */
export function aprBase64Decode(s) {
  let n = 0;
  while (n < s.length && STD.includes(s[n])) n++;
  const full = s.slice(0, n - (n % 4));
  const rest = s.slice(n - (n % 4), n);
  const head = Buffer.from(full, "base64");
  let tail = Buffer.alloc(0);
  if (rest.length >= 2) {
    const v = [...rest].map((c) => STD.indexOf(c));
    const bytes = [((v[0] << 2) | (v[1] >> 4)) & 0xff];
    if (rest.length === 3) bytes.push(((v[1] << 4) | (v[2] >> 2)) & 0xff);
    tail = Buffer.from(bytes);
  }
  return new Uint8Array(Buffer.concat([head, tail]));
}

/** CRC-8/SMBUS, bit by bit. */
export function crc8(data) {
  let c = 0;
  for (const b of data) {
    c ^= b;
    for (let i = 0; i < 8; i++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
  }
  return c;
}
