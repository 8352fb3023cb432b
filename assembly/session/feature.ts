// mod_session in the proxy. Per request, in Apache's order (httpd modules/session/mod_session.c: the
// session is loaded in session_fixups and saved by session_output_filter):
//
//   request headers   drop any client-sent upstream_header (CVE-2018-1283); if the path is in scope,
//                     load the session from the backend, decrypt, decode, drop it when expired
//                     (CVE-2018-17199), and hand it upstream in upstream_header (SessionEnv).
//   response headers  take response_header out of the response (always, so it never reaches the
//                     client), merge it into the session, add `Cache-Control: no-cache, private`, and
//                     run Apache's save algorithm to decide whether a Set-Cookie goes out.
//
// A backend that asks another service (etcd-backend.ts) answers Pending: the filter then waits (the
// stream pauses) and finishes the same step with the same HeaderMap when the answer has come.
import { Feature, LocalReply, StreamFilter } from "../core/filter";
import { HeaderMap } from "../core/headers";
import { HttpCallResult, LogLevel, Services } from "../core/services";
import { BackendLoad, BackendLoadStatus, SaveOutcome, SessionBackend, SessionBackendStream } from "./backend";
import { decodeInto, encodeSession, encodeSessionLike, Session } from "./codec";
import { SessionSealer } from "./sealer";
import { ResponseDelta } from "./changes";
import { SessionSettings } from "./settings";
import { percentDecode, PercentMode } from "../codecs/percent";

const MICROS: i64 = 1000000;

/**
 * The updates of a response that merged none: one shared empty list instead of a new array per stream
 * (nothing appends to a stream's updates; ResponseDelta only reads them).
 */
const NO_UPDATES: string[] = [];

/** The same line for every unreadable session, whatever went wrong inside the crypto. */
export const DECRYPT_FAILURE_LOG = "clicktrail: session: the session cookie could not be decrypted or authenticated; an empty session was started";

/** The body of the 503 sent when the session store cannot be asked (Retry-After: 1 goes with it). */
export const STORE_UNAVAILABLE_BODY = "the session store is unavailable; please retry\n";

export class SessionMetrics {
  loaded: u32;
  saved: u32;
  expired: u32;
  decodeFailures: u32;
  unavailable: u32;

  constructor(services: Services) {
    this.loaded = services.defineCounter("clicktrail.session.loaded");
    this.saved = services.defineCounter("clicktrail.session.saved");
    this.expired = services.defineCounter("clicktrail.session.expired");
    this.decodeFailures = services.defineCounter("clicktrail.session.decode_failures");
    this.unavailable = services.defineCounter("clicktrail.session.store_unavailable");
  }
}

export class SessionFeature extends Feature {
  metrics: SessionMetrics;

  constructor(public settings: SessionSettings, services: Services, public backend: SessionBackend,
              public sealer: SessionSealer | null) {
    super();
    this.metrics = new SessionMetrics(services);
  }

  newStream(services: Services): StreamFilter | null {
    return new SessionFilter(this, services);
  }

  onTick(services: Services): void { this.backend.onTick(services); }
  tickPeriodMillis(): u32 { return this.backend.tickPeriodMillis(); }
}

const enum Phase { Idle = 0, Loading = 1, Saving = 2 }

export class SessionFilter extends StreamFilter {
  /** The loaded session; null when the request is out of scope. */
  session: Session | null = null;
  store: SessionBackendStream | null = null;
  /** The response-header values merged into the session, for backends that re-apply them. */
  updates: string[] = NO_UPDATES;
  /** Which callout answer the filter waits for. */
  phase: Phase = Phase.Idle;
  /** The header map of the step that waits (the request's while loading, the response's while saving). */
  held: HeaderMap | null = null;
  /** Set when the store could not be asked: the request is refused with it. */
  reply: LocalReply | null = null;
  /** The store could not be asked and on_unavailable is "empty": the empty session is never saved. */
  readOnly: bool = false;

  constructor(public feature: SessionFeature, public services: Services) { super(); }

  waiting(): bool { return this.phase != Phase.Idle; }
  localReply(): LocalReply | null { return this.reply; }

  onHttpCallResponse(result: HttpCallResult): void {
    const store = this.store;
    const held = this.held;
    if (store == null || held == null) return;
    if (this.phase == Phase.Loading) {
      const found = store.resumeLoad(result);
      if (found.status == BackendLoadStatus.Pending) return;
      this.phase = Phase.Idle;
      this.held = null;
      this.loaded(held, found);
    } else if (this.phase == Phase.Saving) {
      const outcome = store.resumeSave(result, held);
      if (outcome == SaveOutcome.Pending) return;
      this.phase = Phase.Idle;
      this.held = null;
      this.saved(outcome);
    }
  }

  onRequestHeaders(request: HeaderMap): void {
    const s = this.feature.settings;
    // Looked for first (the name is lower case already): remove() would lower-case it for every request.
    if (s.upstreamHeader.length && request.get(s.upstreamHeader) != null) request.remove(s.upstreamHeader);
    // Without include/exclude every path is in scope: the path is not even decoded.
    if (s.include.length || s.exclude.length) {
      const path = request.get(":path");
      if (!inScope(s, decodedPath(path != null ? path : "/"))) return;
    }

    const store = this.feature.backend.open(this.services);
    this.store = store;
    const found = store.load(request);
    if (found.status == BackendLoadStatus.Pending) {
      this.phase = Phase.Loading;
      this.held = request;
      return;
    }
    this.loaded(request, found);
  }

  /** The rest of the request step once the backend has answered. */
  private loaded(request: HeaderMap, found: BackendLoad): void {
    const s = this.feature.settings;
    const services = this.services;
    const metrics = this.feature.metrics;
    const now = services.nowMicros();
    const reserveCreated = s.absoluteMaxAge > 0;
    let session = new Session();
    // The stored plaintext, which in the steady state is also what goes upstream.
    let stored: string | null = null;
    if (found.status == BackendLoadStatus.Unavailable) {
      services.count(metrics.unavailable, 1);
      if (!this.feature.backend.emptyWhenUnavailable()) {
        services.log(LogLevel.Error, "clicktrail: session: " + found.reason + "; the request was refused with 503");
        const h = new HeaderMap();
        h.add("retry-after", "1");
        h.add("content-type", "text/plain");
        this.reply = new LocalReply(503, h, "clicktrail_session_store_unavailable", STORE_UNAVAILABLE_BODY);
        return;
      }
      services.log(LogLevel.Error, "clicktrail: session: " + found.reason + "; the request goes on with an empty session that will not be saved");
      this.readOnly = true;
    } else if (found.status == BackendLoadStatus.Unusable) {
      services.log(LogLevel.Warn, "clicktrail: session: " + found.reason + "; an empty session was started");
      services.count(metrics.decodeFailures, 1);
    } else if (found.status == BackendLoadStatus.Found && found.encodedLength > 0) {
      let plaintext: string | null = null;
      let sealedExpiry: i64 = 0;
      const sealer = this.feature.sealer;
      if (sealer == null) {
        plaintext = found.encoded;
      } else {
        // Read where the backend found it (for the cookie backend, inside the Cookie header).
        const opened = sealer.openIn(found.encodedSource, found.encodedFrom, found.encodedTo, s.cookieName, services);
        if (opened == null) {
          plaintext = null;
          services.log(LogLevel.Warn, DECRYPT_FAILURE_LOG);
          services.count(metrics.decodeFailures, 1);
        } else {
          plaintext = opened.plaintext;
          sealedExpiry = opened.expiry;
        }
      }
      if (plaintext != null) {
        stored = plaintext;
        decodeInto(session, plaintext, reserveCreated, true);
        if (sealedExpiry != 0) session.expiry = sealedExpiry;
        if (isExpired(session, s, now)) {
          services.count(metrics.expired, 1);
          if (services.logs(LogLevel.Debug)) services.log(LogLevel.Debug, "clicktrail: session: the session has expired; an empty session was started");
          session = new Session();
        } else {
          services.count(metrics.loaded, 1);
        }
      }
    }
    if (reserveCreated && session.created == 0) session.created = now;
    if (s.maxAge > 0 && session.expiry == 0) session.expiry = now + s.maxAge * MICROS;
    capExpiry(session, s);
    this.session = session;

    if (s.upstreamHeader.length) {
      const encoded = stored != null ? encodeSessionLike(session, reserveCreated, stored) : encodeSession(session, reserveCreated);
      if (encoded.length) request.set(s.upstreamHeader, encoded);
    }
  }

  onResponseHeaders(response: HeaderMap): void {
    const s = this.feature.settings;
    let updates = NO_UPDATES;
    // Looked for first: most responses carry no update, and getAll would make a list every time.
    if (s.responseHeader.length && response.get(s.responseHeader) != null) {
      updates = response.getAll(s.responseHeader);
      response.remove(s.responseHeader);
    }
    const session = this.session;
    const store = this.store;
    if (session == null || store == null) return;
    // mod_session_cookie adds this whenever it loads a session: pages that depend on it must not be cached.
    response.add("cache-control", "no-cache, private");
    if (this.readOnly) return;
    const reserveCreated = s.absoluteMaxAge > 0;
    for (let i = 0; i < updates.length; i++) {
      decodeInto(session, updates[i], reserveCreated, false);
      session.dirty = true;
    }
    this.updates = updates;
    const outcome = this.save(response, session, store);
    if (outcome == SaveOutcome.Pending) {
      this.phase = Phase.Saving;
      this.held = response;
      return;
    }
    this.saved(outcome);
  }

  private saved(outcome: SaveOutcome): void {
    if (outcome == SaveOutcome.Saved) this.services.count(this.feature.metrics.saved, 1);
  }

  /** ap_session_save, with absolute_max_age added as a cap on the expiry. NotSaved also when nothing needed saving. */
  private save(response: HeaderMap, session: Session, store: SessionBackendStream): SaveOutcome {
    const s = this.feature.settings;
    const services = this.services;
    const now = services.nowMicros();
    const initialExpiry = session.expiry;
    if (session.expiry != 0 && session.expiry < now) {
      services.log(LogLevel.Warn, "clicktrail: session: the session expired during the request; it was not saved");
      return SaveOutcome.NotSaved;
    }
    if (s.maxAge > 0) session.expiry = now + s.maxAge * MICROS;
    capExpiry(session, s);
    if (!session.dirty && s.expiryUpdateInterval > 0 && session.expiry - initialExpiry < s.expiryUpdateInterval * MICROS) return SaveOutcome.NotSaved;
    if (!session.dirty && s.maxAge == 0) return SaveOutcome.NotSaved;
    const sealer = this.feature.sealer;
    if (s.maxAge == 0 && !session.entries.hasUserKeys()) {
      return store.remove(response, new ResponseDelta(this.updates, session.expiry, false, "", s, sealer, services));
    }
    const reserveCreated = s.absoluteMaxAge > 0;
    const plaintext = encodeSession(session, reserveCreated);
    const value = sealer != null ? sealer.seal(plaintext, session.expiry, s.cookieName, services) : plaintext;
    let maxAge = s.maxAge;
    if (s.absoluteMaxAge > 0 && session.expiry != 0) {
      // The cookie should not outlive the hard limit either.
      const left = (session.expiry - now + MICROS - 1) / MICROS;
      if (maxAge == 0 || left < maxAge) maxAge = max<i64>(1, left);
    }
    const delta = new ResponseDelta(this.updates, session.expiry, session.entries.hasUserKeys(), value, s, sealer, services);
    return store.save(response, value, maxAge, delta);
  }
}

function isExpired(session: Session, s: SessionSettings, now: i64): bool {
  if (session.expiry != 0 && session.expiry < now) return true;
  if (s.absoluteMaxAge > 0 && session.created != 0 && session.created + s.absoluteMaxAge * MICROS <= now) return true;
  return false;
}

/** absolute_max_age: no expiry may reach past creation + the limit, however often the session is renewed. */
function capExpiry(session: Session, s: SessionSettings): void {
  if (s.absoluteMaxAge <= 0 || session.created == 0) return;
  const cap = session.created + s.absoluteMaxAge * MICROS;
  if (session.expiry == 0 || session.expiry > cap) session.expiry = cap;
}

/**
 * SessionInclude / SessionExclude: plain, case-sensitive byte prefixes of the decoded path (Apache's
 * r->uri), no segment boundary (`/app` covers `/application`); exclude wins.
 */
export function inScope(s: SessionSettings, path: string): bool {
  if (s.include.length) {
    let hit = false;
    for (let i = 0; i < s.include.length; i++) {
      if (path.startsWith(s.include[i])) { hit = true; break; }
    }
    if (!hit) return false;
  }
  for (let i = 0; i < s.exclude.length; i++) {
    if (path.startsWith(s.exclude[i])) return false;
  }
  return true;
}

/** The path of a `:path` value without its query, `%xx` decoded (malformed escapes are left as they are). */
export function decodedPath(raw: string): string {
  let end = raw.indexOf("?");
  if (end < 0) end = raw.length;
  const hash = raw.indexOf("#");
  if (hash >= 0 && hash < end) end = hash;
  const path = raw.substring(0, end);
  return percentDecode(path, PercentMode.URL).value;
}
