// The session feature's SessionDelta: what one response did to the session (the response-header values
// merged into it and the expiry the save algorithm gave it), replayable on a session as some backend
// holds it now. The server-side stores replay it on every save, so that a change another worker or proxy
// made since this request loaded the session is kept.
import { Services } from "../core/services";
import { byteStringFromBytes, byteStringToBytes } from "../core/bytes";
import { SessionDelta } from "./backend";
import { decodeInto, encodeSession, Session } from "./codec";
import { SessionSealer } from "./sealer";
import { SessionSettings } from "./settings";

export class ResponseDelta extends SessionDelta {
  /**
   * `encoded`: the session as this request saves it (encoded and sealed), "" when it removes it; it is
   * what `applyUnchanged` returns and what `apply` falls back to when the stored session cannot be opened.
   */
  constructor(public updates: string[], expiryMicros: i64, hasUserKeys: bool, public encoded: string,
              public settings: SessionSettings, public sealer: SessionSealer | null, public services: Services) {
    super();
    this.expiryMicros = expiryMicros;
    this.hasUserKeys = hasUserKeys;
  }

  modifiesData(): bool { return this.updates.length > 0; }

  apply(stored: Uint8Array): Uint8Array | null {
    const r = this.reapply(byteStringFromBytes(stored));
    return byteStringToBytes(r != null ? r : this.encoded);
  }

  /** Unchanged since load: `encoded` is that session with the changes applied already. */
  applyUnchanged(stored: Uint8Array): Uint8Array | null {
    return byteStringToBytes(this.hasUserKeys ? this.encoded : "");
  }

  /**
   * `stored` (an encoded session as the backend holds it now) with this request's changes and expiry
   * applied, encoded and sealed like `encoded`; "" when that leaves a session without keys; null when
   * `stored` cannot be opened.
   */
  reapply(stored: string): string | null {
    const s = this.settings;
    const reserveCreated = s.absoluteMaxAge > 0;
    let plaintext = stored;
    const sealer = this.sealer;
    if (sealer != null) {
      const opened = sealer.open(stored, s.cookieName, this.services);
      if (opened == null) return null;
      plaintext = opened.plaintext;
    }
    const session = new Session();
    decodeInto(session, plaintext, reserveCreated, true);
    for (let i = 0; i < this.updates.length; i++) decodeInto(session, this.updates[i], reserveCreated, false);
    session.expiry = this.expiryMicros;
    // Replayed for a server-side store, which keeps no empty sessions: with a max age Apache would keep
    // `expiry=…` alone, but an entry per keyless visitor would let anonymous traffic fill the store.
    if (!session.entries.hasUserKeys()) return "";
    const encoded = encodeSession(session, reserveCreated);
    return sealer != null ? sealer.seal(encoded, session.expiry, s.cookieName, this.services) : encoded;
  }
}
