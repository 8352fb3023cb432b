#!/usr/bin/env node
// Session crypto in build/crypto-test.wasm against node:crypto doing the same work, measured side by side
// in one run (alternating rounds, median of rounds). Prints ms per operation and the ratio wasm / node
// (above 1: wasm slower). Run after `npm run build:crypto-test`:  node bench/crypto.mjs [--rounds N]
//
// What "the same" means per row, since node:crypto lacks two pieces:
// - xchacha20-poly1305: node has no XChaCha, so its side is HChaCha20 in plain JS (tests/crypto/reference.mjs)
//   plus node's ChaCha20-Poly1305; the chacha20-poly1305 row compares like for like.
// - apache: node has no SipHash, so its side uses the plain-JS SipHash from reference.mjs with node's
//   AES-256-CBC and Buffer base64. Both sides reuse a derived key (warm cache); the wasm side also keeps
//   the expanded AES key, node's cipher objects cannot be reused across IVs.
// The wasm side's time includes copying arguments in and results out through @assemblyscript/loader.
import crypto from "node:crypto";
import { loadCrypto, prng } from "../tests/crypto/wasm.mjs";
import * as ref from "../tests/crypto/reference.mjs";

const roundsArg = process.argv.indexOf("--rounds");
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 15;
const c = await loadCrypto();
const rng = prng(1);

const session = rng.bytes(256);
const aad = new Uint8Array(0);
const key = rng.bytes(32);

function timeIt(fn, iterations) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e6 / iterations;
}

function compare(name, wasmFn, nodeFn, iterations) {
  for (let i = 0; i < Math.max(50, iterations / 4); i++) { wasmFn(); nodeFn(); } // warm up both JITs
  const w = [], n = [];
  for (let r = 0; r < ROUNDS; r++) {
    w.push(timeIt(wasmFn, iterations));
    n.push(timeIt(nodeFn, iterations));
  }
  const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
  const mw = med(w), mn = med(n);
  console.log(`${name.padEnd(44)} wasm ${(mw * 1000).toFixed(1).padStart(8)} µs   node ${(mn * 1000).toFixed(1).padStart(8)} µs   ratio ${(mw / mn).toFixed(2)}`);
  return { name, wasmMicros: mw * 1000, nodeMicros: mn * 1000, ratio: mw / mn };
}

// XChaCha20-Poly1305 seal + open of a 256-byte session, fresh random nonce each time.
const nonces = Array.from({ length: 64 }, () => rng.bytes(24));
let k = 0;
compare("xchacha20-poly1305 seal+open 256 B", () => {
  const n = nonces[k++ & 63];
  const s = c.xaeadSeal(key, n, session, aad);
  if (c.xaeadOpen(key, n, s, aad).length !== 256) throw new Error("open failed");
}, () => {
  const n = nonces[k++ & 63];
  const s = ref.nodeXSeal(key, n, session, aad);
  if (ref.nodeXOpen(key, n, s, aad).length !== 256) throw new Error("open failed");
}, 2000);

compare("chacha20-poly1305 seal+open 256 B", () => {
  const n = nonces[k++ & 63].subarray(0, 12);
  const s = c.aeadSeal(key, n, session, aad);
  if (c.aeadOpen(key, n, s, aad).length !== 256) throw new Error("open failed");
}, () => {
  const n = nonces[k++ & 63].subarray(0, 12);
  const s = ref.nodeAeadSeal(key, n, session, aad);
  if (ref.nodeAeadOpen(key, n, s, aad).length !== 256) throw new Error("open failed");
}, 2000);

// mod_session_crypto format, warm key cache: AES-256 key = PBKDF2-SHA1(passphrase, salt, 4096) derived
// once, MAC key = MD5(passphrase). Seal = encrypt + MAC + base64; open = base64 + MAC check + decrypt.
const pass = Buffer.from("secret");
const salt = rng.bytes(16);
const aesKey = new Uint8Array(crypto.pbkdf2Sync(pass, salt, 4096, 32, "sha1"));
const macKey = new Uint8Array(crypto.createHash("md5").update(pass).digest());
if (!c.apacheSetKeys(aesKey, macKey)) throw new Error("key setup failed");
const ivs = Array.from({ length: 64 }, () => rng.bytes(16));
compare("apache aes256-cbc+siphash seal+open 256 B", () => {
  const v = c.apacheSeal(salt, ivs[k++ & 63], session);
  if (c.apacheOpen(v).length !== 256) throw new Error("open failed");
}, () => {
  const iv = ivs[k++ & 63];
  const ct = ref.nodeCbcEncrypt(aesKey, iv, session);
  const raw = new Uint8Array(40 + ct.length);
  raw.set(salt, 8); raw.set(iv, 24); raw.set(ct, 40);
  raw.set(ref.siphash24(macKey, raw.subarray(8)), 0);
  const v = Buffer.from(raw).toString("base64");
  const back = new Uint8Array(Buffer.from(v, "base64"));
  if (!crypto.timingSafeEqual(ref.siphash24(macKey, back.subarray(8)), back.subarray(0, 8))) throw new Error("mac");
  if (ref.nodeCbcDecrypt(aesKey, back.subarray(24, 40), back.subarray(40)).length !== 256) throw new Error("open failed");
}, 2000);

// Bulk throughput, where per-call overhead no longer hides the cipher itself.
const big = rng.bytes(16384);
compare("chacha20-poly1305 seal 16 KiB", () => {
  c.aeadSeal(key, nonces[k++ & 63].subarray(0, 12), big, aad);
}, () => {
  ref.nodeAeadSeal(key, nonces[k++ & 63].subarray(0, 12), big, aad);
}, 200);

compare("aes256-cbc encrypt 16 KiB", () => {
  c.aesCbcEncrypt(aesKey, ivs[k++ & 63], big);
}, () => {
  ref.nodeCbcEncrypt(aesKey, ivs[k++ & 63], big);
}, 200);

// The cold path: one PBKDF2-HMAC-SHA1 derivation of an AES-256 key at Apache's 4,096 iterations.
compare("pbkdf2-hmac-sha1 4096 iterations, 32 B", () => {
  c.pbkdf2Sha1(pass, salt, 4096, 32);
}, () => {
  crypto.pbkdf2Sync(pass, salt, 4096, 32, "sha1");
}, 40);
