// SHA-256 (FIPS 180-4).

import { HashKind, MdHash, hashOnce } from "./md";

/** The 32-byte SHA-256 digest of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return hashOnce(HashKind.SHA256, data);
}

/** An incremental SHA-256: `update` then `finish`. */
export function newSha256(): MdHash {
  return new MdHash(HashKind.SHA256);
}
