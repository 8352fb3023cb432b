// MD5 (RFC 1321). Only for mod_session_crypto's MAC key (MD5 of the passphrase); not a secure hash.

import { HashKind, hashOnce } from "./md";

/** The 16-byte MD5 digest of `data`. */
export function md5(data: Uint8Array): Uint8Array {
  return hashOnce(HashKind.MD5, data);
}
