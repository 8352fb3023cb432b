// session.store "shared": the SessionBackend of the shared-data store (shared-store.ts), mod_session_dbd's
// counterpart. The cookie (session.cookie_name, read by Apache's rules) carries only the store's key;
// Set-Cookie is written like mod_session_cookie's (`NAME=KEY;` + `Max-Age=N;` + attributes) and sent
// whenever the key changes, and with a max age whenever the session is saved, to renew Max-Age.
//
// Saves re-apply this request's changes (the SessionDelta handed to save) to the session as stored now, so a concurrent
// request of the same session on another worker does not lose its changes. Unlike mod_session_dbd, a
// session without keys is never stored (not even `expiry=…` under a max age): anonymous requests must
// not be able to fill the store. A session that vanished
// between load and save (expired, evicted, logged out elsewhere) is not re-created from this request's
// copy: a logout on one worker must not be undone by a slower request on another.
import { HeaderMap } from "../core/headers";
import { LogLevel, Services } from "../core/services";
import { byteStringFromBytes, byteStringToBytes } from "../core/bytes";
import { BackendLoad, loadWithoutValue, SaveOutcome, SessionBackend, SessionBackendStream, SessionDelta } from "./backend";
import { scanSessionCookies } from "./cookie-read";
import { APACHE_DEFAULT_ATTRIBUTES, SessionSettings } from "./settings";
import { LoadedSession, SaveStatus, SharedSessionStore, TokenStatus } from "./shared-store";

export class SharedBackend extends SessionBackend {
  store: SharedSessionStore;

  constructor(public settings: SessionSettings, services: Services) {
    super();
    this.store = new SharedSessionStore(settings.shared, services);
  }

  open(services: Services): SessionBackendStream { return new SharedBackendStream(this, services); }
  onTick(services: Services): void { this.store.sweep(); }
  tickPeriodMillis(): u32 { return this.store.tickPeriodMillis(); }
}

export class SharedBackendStream extends SessionBackendStream {
  loaded: LoadedSession | null = null;
  /** The key the request carried, "" when none. */
  presented: string = "";

  constructor(public backend: SharedBackend, public services: Services) { super(); }

  load(request: HeaderMap): BackendLoad {
    const s = this.backend.settings;
    const scan = scanSessionCookies(request, s.cookieName, 1, s.cookieRemove);
    const early = loadWithoutValue(scan);
    if (early != null) return early;
    const value = scan.first!;
    this.presented = value;
    const l = this.backend.store.load(value);
    this.loaded = l;
    if (l.found) return BackendLoad.found(byteStringFromBytes(l.payload));
    if (l.status == TokenStatus.Expired) {
      if (this.services.logs(LogLevel.Debug)) {
        this.services.log(LogLevel.Debug, "clicktrail: session: the stored session has expired; an empty session was started");
      }
      return BackendLoad.none();
    }
    if (l.status == TokenStatus.Malformed) return BackendLoad.unusable("cookie " + s.cookieName + " does not hold a session key");
    return BackendLoad.unusable("cookie " + s.cookieName + " names no stored session (forged, expired, replaced or deleted)");
  }

  save(response: HeaderMap, encoded: string, maxAgeSeconds: i64, delta: SessionDelta): SaveOutcome {
    const store = this.backend.store;
    const l = this.loaded;
    if (l != null && l.found) {
      const r = store.update(l, delta, delta.expiryMicros);
      if (r.status == SaveStatus.Saved || r.status == SaveStatus.Unchanged) {
        if (r.cookie.length) this.setCookie(response, r.cookie, maxAgeSeconds);
        else if (l.status == TokenStatus.Current && maxAgeSeconds > 0) this.setCookie(response, this.presented, maxAgeSeconds);
        return SaveOutcome.Saved;
      }
      if (r.status == SaveStatus.Destroyed) { this.expireCookie(response); return SaveOutcome.Saved; }
      if (r.status == SaveStatus.Gone) {
        this.services.log(LogLevel.Info, "clicktrail: session: the stored session was removed or replaced during the request; its changes were not saved");
      }
      return SaveOutcome.NotSaved;
    }
    // A session with nothing in it gets no slot and no cookie (see changes.ts); the next request starts
    // an empty session again, which is what it would have loaded.
    if (!delta.hasUserKeys) {
      if (this.presented.length) this.expireCookie(response);
      return SaveOutcome.NotSaved;
    }
    const r = store.create(byteStringToBytes(encoded), delta.expiryMicros);
    if (r.status != SaveStatus.Saved) return SaveOutcome.NotSaved;
    this.setCookie(response, r.cookie, maxAgeSeconds);
    return SaveOutcome.Saved;
  }

  remove(response: HeaderMap, delta: SessionDelta): SaveOutcome {
    const l = this.loaded;
    if (l != null && l.found) {
      // Another worker may have added keys since load: only an empty result deletes the session.
      const r = this.backend.store.update(l, delta, delta.expiryMicros);
      if (r.status == SaveStatus.Saved || r.status == SaveStatus.Unchanged) {
        if (r.cookie.length) this.setCookie(response, r.cookie, 0);
        return SaveOutcome.Saved;
      }
    }
    this.expireCookie(response);
    return SaveOutcome.Saved;
  }

  private setCookie(response: HeaderMap, key: string, maxAgeSeconds: i64): void {
    setStoreCookie(this.backend.settings, response, key, maxAgeSeconds);
  }

  private expireCookie(response: HeaderMap): void { expireStoreCookie(this.backend.settings, response); }
}

/** The cookie of a server-side store: `NAME=KEY;` + `Max-Age=N;` (when > 0) + attributes, as mod_session_cookie writes it. */
export function setStoreCookie(s: SessionSettings, response: HeaderMap, key: string, maxAgeSeconds: i64): void {
  const attrs = s.cookieAttributes;
  response.add("set-cookie", s.cookieName + "=" + key + ";" +
    (maxAgeSeconds > 0 ? "Max-Age=" + maxAgeSeconds.toString() + ";" : "") +
    (attrs != null ? attrs : APACHE_DEFAULT_ATTRIBUTES));
}

/** Tells the client to forget the session cookie. */
export function expireStoreCookie(s: SessionSettings, response: HeaderMap): void {
  const attrs = s.cookieAttributes;
  response.add("set-cookie", s.cookieName + "=;Max-Age=0;" + (attrs != null ? attrs : ""));
}
