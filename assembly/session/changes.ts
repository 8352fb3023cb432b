// The session feature's SessionChanges: what one response did to the session (the response-header
// values merged into it and the expiry the save algorithm gave it), replayable on a session as some
// backend holds it now. The shared-data store replays it after another worker changed the session.
import { Services } from "../http/services";
import { SessionChanges } from "./backend";
import { decodeInto, encodeSession, Session } from "./codec";
import { SessionSealer } from "./sealer";
import { SessionSettings } from "./settings";

export class ResponseChanges extends SessionChanges {
  constructor(public updates: string[], expiryMicros: i64, public settings: SessionSettings,
              public sealer: SessionSealer | null, public services: Services) {
    super();
    this.expiryMicros = expiryMicros;
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
    // The save algorithm's rule: without a max age, a session left with no keys is removed.
    if (s.maxAge == 0 && !session.entries.hasUserKeys()) return "";
    const encoded = encodeSession(session, reserveCreated);
    return sealer != null ? sealer.seal(encoded, session.expiry, s.cookieName, this.services) : encoded;
  }
}
