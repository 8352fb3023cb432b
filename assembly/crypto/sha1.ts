// SHA-1 (FIPS 180-4). Only for HMAC/PBKDF2 interop with Apache; not collision resistant.

import { HashKind, MdHash, hashOnce } from "./md";

/** The 20-byte SHA-1 digest of `data`. */
export function sha1(data: Uint8Array): Uint8Array {
  return hashOnce(HashKind.SHA1, data);
}

/** An incremental SHA-1: `update` then `finish`. */
export function newSha1(): MdHash {
  return new MdHash(HashKind.SHA1);
}
