// The session feature's SessionChanges: what one response did to the session (the response-header
// values merged into it and the expiry the save algorithm gave it), replayable on a session as some
// backend holds it now. The shared-data store replays it on every save, so that a change another worker
// made since this request loaded the session is kept.
import { Services } from "../http/services";
import { SessionChanges } from "./backend";
import { decodeInto, encodeSession, Session } from "./codec";
import { SessionSealer } from "./sealer";
import { SessionSettings } from "./settings";

export class ResponseChanges extends SessionChanges {
  constructor(public updates: string[], expiryMicros: i64, hasUserKeys: bool, public settings: SessionSettings,
              public sealer: SessionSealer | null, public services: Services) {
    super();
    this.expiryMicros = expiryMicros;
    this.hasUserKeys = hasUserKeys;
  }

  modifiesData(): bool { return this.updates.length > 0; }

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
    // `expiry=…` alone, but a slot per keyless visitor would let anonymous traffic fill the store.
    if (!session.entries.hasUserKeys()) return "";
    const encoded = encodeSession(session, reserveCreated);
    return sealer != null ? sealer.seal(encoded, session.expiry, s.cookieName, this.services) : encoded;
  }
}
