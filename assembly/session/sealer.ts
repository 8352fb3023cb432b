// Encryption of the encoded session, between the codec and the backend (Apache's session_encode /
// session_decode hooks of mod_session_crypto). Two formats implement it: crypto-apache.ts (the exact
// mod_session_crypto cookie) and crypto-aead.ts (clicktrail's own, docs/session-format.md).
import { Services } from "../core/services";

export class OpenedSession {
  /**
   * `expiry`: the expiry the format itself authenticates outside the plaintext (µs; 0 when the format
   * has none and the plaintext's `expiry` key is all there is).
   */
  constructor(public plaintext: string, public expiry: i64) {}
}

export abstract class SessionSealer {
  /** Encrypts `plaintext` (the identity-encoded session, a byte string) into a cookie-safe value. */
  abstract seal(plaintext: string, expiryMicros: i64, cookieName: string, services: Services): string;
  /**
   * Decrypts a stored value; null on any failure. Failures carry no reason on purpose: a caller that
   * could tell a bad MAC from bad padding would rebuild the padding oracle of CVE-2016-0736. The answer
   * may be an object the sealer fills again on its next open: read it before opening another value.
   */
  abstract open(value: string, cookieName: string, services: Services): OpenedSession | null;

  /**
   * open() of `source[from, to)` (a value inside a longer string, such as a Cookie header). This one cuts
   * the value out; a sealer that can read it in place overrides it.
   */
  openIn(source: string, from: i32, to: i32, cookieName: string, services: Services): OpenedSession | null {
    return this.open(from == 0 && to == source.length ? source : source.substring(from, to), cookieName, services);
  }
}
