// clicktrail's own session cookie format (`crypto.format: "aead"`, the default); docs/session-format.md
// is its specification. The value is base64url (no padding) of:
//
//   offset  size  field
//   ------  ----  -----------------------------------------------------------------------------
//        0     1  version        0x01
//        1     1  algorithm      0x01 XChaCha20-Poly1305 (24-byte nonce)
//                                0x02 ChaCha20-Poly1305  (12-byte nonce)
//        2     4  key id         HKDF-SHA256(passphrase, SALT, "clicktrail session key id", 4)
//        6     8  expiry         µs since the Unix epoch, unsigned big-endian; 0 = none
//       14     N  nonce          random; N = 24 (algorithm 1) or 12 (algorithm 2)
//     14+N     L  ciphertext     of the identity-encoded session (L = its length)
//   14+N+L    16  tag            Poly1305
//
//   key  = HKDF-SHA256(passphrase, SALT, "clicktrail session encryption", 32)
//   SALT = "clicktrail-session-v1"
//   AAD  = bytes 0 … 14+N-1 (the whole header, nonce included) ‖ the cookie name
//
// The header is authenticated as AAD, so neither the expiry nor the algorithm can be changed; binding
// the cookie name stops a value sealed for one cookie being replayed as another. The key id picks the
// passphrase without trial decryption (several passphrases: the first seals, all open).
import { Services } from "../core/services";
import { byteStringFromMemory, byteStringToBytes } from "../core/bytes";
import { base64DecodedLength, base64DecodeTo, base64Encode } from "../codecs/base64";
import { hkdfSha256 } from "../crypto/hkdf";
import {
  chacha20Poly1305OpenTo, chacha20Poly1305Seal, xchacha20Poly1305OpenTo, xchacha20Poly1305Seal,
} from "../crypto/chacha20poly1305";
import { OpenedSession, SessionSealer } from "./sealer";
import { CryptoCipher } from "./settings";

export const AEAD_VERSION: u8 = 0x01;              // offset 0
export const AEAD_ALG_XCHACHA20_POLY1305: u8 = 0x01; // offset 1
export const AEAD_ALG_CHACHA20_POLY1305: u8 = 0x02;
export const AEAD_KEY_ID_OFFSET: i32 = 2;          // 2..5
export const AEAD_KEY_ID_LENGTH: i32 = 4;
export const AEAD_EXPIRY_OFFSET: i32 = 6;          // 6..13
export const AEAD_NONCE_OFFSET: i32 = 14;          // 14..14+N-1
export const AEAD_XNONCE_LENGTH: i32 = 24;
export const AEAD_NONCE_LENGTH: i32 = 12;
export const AEAD_TAG_LENGTH: i32 = 16;
export const AEAD_HKDF_SALT = "clicktrail-session-v1";
export const AEAD_INFO_KEY = "clicktrail session encryption";
export const AEAD_INFO_KEY_ID = "clicktrail session key id";

function ascii(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }

class AeadKey {
  constructor(public key: Uint8Array, public id: Uint8Array) {}
}

export class AeadSealer extends SessionSealer {
  keys: AeadKey[] = [];
  algorithm: u8;
  private lastName: string = "";
  private lastNameBytes: Uint8Array | null = null;
  private opened: OpenedSession = new OpenedSession("", 0);

  constructor(passphrases: Uint8Array[], cipher: CryptoCipher) {
    super();
    this.algorithm = cipher == CryptoCipher.ChaCha20Poly1305 ? AEAD_ALG_CHACHA20_POLY1305 : AEAD_ALG_XCHACHA20_POLY1305;
    const salt = ascii(AEAD_HKDF_SALT);
    for (let i = 0; i < passphrases.length; i++) {
      const key = hkdfSha256(passphrases[i], salt, ascii(AEAD_INFO_KEY), 32);
      const id = hkdfSha256(passphrases[i], salt, ascii(AEAD_INFO_KEY_ID), AEAD_KEY_ID_LENGTH);
      if (key != null && id != null) this.keys.push(new AeadKey(key, id));
    }
  }

  seal(plaintext: string, expiryMicros: i64, cookieName: string, services: Services): string {
    if (this.keys.length == 0) return "";
    const k = this.keys[0];
    const nonceLength = this.algorithm == AEAD_ALG_XCHACHA20_POLY1305 ? AEAD_XNONCE_LENGTH : AEAD_NONCE_LENGTH;
    const headerLength = AEAD_NONCE_OFFSET + nonceLength;
    const header = new Uint8Array(headerLength);
    header[0] = AEAD_VERSION;
    header[1] = this.algorithm;
    header.set(k.id, AEAD_KEY_ID_OFFSET);
    store<u64>(header.dataStart + <usize>AEAD_EXPIRY_OFFSET, bswap<u64>(<u64>max<i64>(0, expiryMicros)));
    const nonce = header.subarray(AEAD_NONCE_OFFSET);
    services.fillRandom(nonce);
    const aad = withName(header, cookieName);
    const sealed = this.algorithm == AEAD_ALG_XCHACHA20_POLY1305
      ? xchacha20Poly1305Seal(k.key, nonce, byteStringToBytes(plaintext), aad)
      : chacha20Poly1305Seal(k.key, nonce, byteStringToBytes(plaintext), aad);
    const out = new Uint8Array(headerLength + sealed.length);
    out.set(header, 0);
    out.set(sealed, headerLength);
    return base64Encode(out, true, false);
  }

  open(value: string, cookieName: string, services: Services): OpenedSession | null {
    return this.openIn(value, 0, value.length, cookieName, services);
  }

  /** open() of `source[from, to)`, decoded where it is. */
  openIn(source: string, from: i32, to: i32, cookieName: string, services: Services): OpenedSession | null {
    const rawLength = base64DecodedLength(source, from, to);
    if (rawLength < AEAD_NONCE_OFFSET + AEAD_NONCE_LENGTH + AEAD_TAG_LENGTH) return null;
    const name = this.nameBytes(cookieName);
    // The decoded value, then the AAD (the header and the name), in memory kept between requests: a
    // cookie opened per request no longer costs an array for the value, views into it and the AAD.
    const raw = openScratch(rawLength + AEAD_NONCE_OFFSET + AEAD_XNONCE_LENGTH + name.length);
    if (!base64DecodeTo(source, from, to, true, raw)) return null;
    const opened = this.openRaw(raw, rawLength, name);
    // The scratch held the plaintext; it is not left there until the next cookie.
    memory.fill(raw, 0, <usize>rawLength);
    return opened;
  }

  /** open() once the value is decoded: `rawLength` bytes at `raw`, with room for the AAD after them. */
  private openRaw(raw: usize, rawLength: i32, name: Uint8Array): OpenedSession | null {
    if (load<u8>(raw) != AEAD_VERSION) return null;
    const alg = load<u8>(raw, 1);
    let nonceLength = 0;
    if (alg == AEAD_ALG_XCHACHA20_POLY1305) nonceLength = AEAD_XNONCE_LENGTH;
    else if (alg == AEAD_ALG_CHACHA20_POLY1305) nonceLength = AEAD_NONCE_LENGTH;
    else return null;
    const headerLength = AEAD_NONCE_OFFSET + nonceLength;
    if (rawLength < headerLength + AEAD_TAG_LENGTH) return null;
    const nonce = raw + <usize>AEAD_NONCE_OFFSET;
    const sealed = raw + <usize>headerLength;
    const sealedLength = rawLength - headerLength;
    const aad = raw + <usize>rawLength;
    const aadLength = headerLength + name.length;
    memory.copy(aad, raw, <usize>headerLength);
    memory.copy(aad + <usize>headerLength, name.dataStart, <usize>name.length);
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i];
      if (load<u32>(k.id.dataStart) != load<u32>(raw + <usize>AEAD_KEY_ID_OFFSET)) continue;
      // Decrypted in place, only once the tag has verified (a failed key leaves the bytes as they were).
      const ok = alg == AEAD_ALG_XCHACHA20_POLY1305
        ? xchacha20Poly1305OpenTo(k.key.dataStart, nonce, sealed, sealedLength, aad, aadLength, sealed)
        : chacha20Poly1305OpenTo(k.key.dataStart, nonce, sealed, sealedLength, aad, aadLength, sealed);
      if (!ok) continue;
      const expiry = <i64>bswap<u64>(load<u64>(raw + <usize>AEAD_EXPIRY_OFFSET));
      // An expiry beyond i64 cannot have been sealed by us; read it as "already expired".
      // One answer object per sealer, filled again for every value opened (see SessionSealer.open).
      const opened = this.opened;
      opened.plaintext = byteStringFromMemory(sealed, sealedLength - AEAD_TAG_LENGTH);
      opened.expiry = expiry < 0 ? 1 : expiry;
      return opened;
    }
    return null;
  }

  /** The cookie name's bytes for the AAD, kept for the name last asked (a sealer serves one cookie name). */
  private nameBytes(cookieName: string): Uint8Array {
    let bytes = this.lastNameBytes;
    if (bytes == null || cookieName != this.lastName) {
      bytes = byteStringToBytes(cookieName);
      this.lastName = cookieName;
      this.lastNameBytes = bytes;
    }
    return bytes;
  }
}

// open()'s working memory, grown to the largest value seen.
let scratch = new ArrayBuffer(512);

function openScratch(size: i32): usize {
  if (size > scratch.byteLength) scratch = new ArrayBuffer(size);
  return changetype<usize>(scratch);
}

function withName(header: Uint8Array, cookieName: string): Uint8Array {
  const name = byteStringToBytes(cookieName);
  const aad = new Uint8Array(header.length + name.length);
  aad.set(header, 0);
  aad.set(name, header.length);
  return aad;
}
