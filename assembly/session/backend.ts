// The seam between the session feature and where a session is kept. The feature owns everything about a
// session's content — the urlencoded codec, expiry, include/exclude, the upstream and response headers,
// encryption — and hands a backend only the finished "encoded session": the exact string Apache's
// mod_session would give its storage provider (urlencoded pairs, or their ciphertext when crypto is on).
// A backend decides where that string lives: in the cookie itself (CookieBackend, cookie-backend.ts) or
// server-side under a key carried in a cookie (the shared-data store, shared-store.ts).
//
// Lifecycle per HTTP stream, mirroring Apache's session_load / session_save provider hooks:
//   onRequestHeaders  → backend.open(services) → stream.load(request)        (at most once)
//   onResponseHeaders → stream.save(response, encoded, ...) or stream.remove(response)   (at most once,
//                       only when the save algorithm decided to write; never when load() was not called)
import { HeaderMap } from "../http/headers";
import { Services } from "../http/services";

/** What load() found. */
export const enum LoadStatus {
  /** No session stored for this client: a new, empty session starts. */
  None = 0,
  /** `encoded` holds the stored session. */
  Found = 1,
  /**
   * Something was stored but cannot be used (conflicting duplicate cookies, a missing chunk, an unknown
   * server-side key). The feature treats this like a failed decryption: empty session, one log line
   * (`reason`), one `decode_failures` count.
   */
  Unusable = 2,
}

export class BackendLoad {
  constructor(public status: LoadStatus, public encoded: string, public reason: string) {}

  static none(): BackendLoad { return new BackendLoad(LoadStatus.None, "", ""); }
  static found(encoded: string): BackendLoad { return new BackendLoad(LoadStatus.Found, encoded, ""); }
  static unusable(reason: string): BackendLoad { return new BackendLoad(LoadStatus.Unusable, "", reason); }
}

/** One backend per VM (per plugin configuration); it may keep caches and shared-data handles. */
export abstract class SessionBackend {
  /** The per-stream half. Called once per HTTP stream for which the session is in scope. */
  abstract open(services: Services): SessionBackendStream;
  /** Periodic maintenance (a server-side store sweeps expired entries here). */
  onTick(services: Services): void {}
  /** How often onTick wants to run, in milliseconds; 0 for never. */
  tickPeriodMillis(): u32 { return 0; }
}

/**
 * This request's changes to the session, for a backend whose stored session another worker may have
 * changed since load (the shared-data store): it re-applies them to the stored session instead of
 * overwriting it with `encoded`, so concurrent requests changing different keys keep both changes.
 */
export abstract class SessionChanges {
  /** The expiry the save gives the session (µs; 0: none). */
  expiryMicros: i64 = 0;
  /** Whether the session being saved (as this request sees it) has any key besides the reserved ones. */
  hasUserKeys: bool = true;
  /** Whether a response header was merged (the data changed), not only the expiry. */
  abstract modifiesData(): bool;
  /**
   * `stored` (an encoded session as the backend holds it now) with this request's changes and expiry
   * applied, encoded and sealed like `save`'s `encoded`; "" when that leaves a session the save algorithm
   * would remove; null when `stored` cannot be opened.
   */
  abstract reapply(stored: string): string | null;
}

/** A backend's state for one HTTP stream (e.g. which chunk cookies the request carried, the store key). */
export abstract class SessionBackendStream {
  /** Set by the feature just before save() or remove(); backends that overwrite may ignore it. */
  changes: SessionChanges | null = null;

  /**
   * Request phase: find the encoded session for this request. May edit the request headers (hide its
   * cookie from the upstream when configured). Byte strings throughout (see http/bytes.ts).
   */
  abstract load(request: HeaderMap): BackendLoad;

  /**
   * Response phase: store `encoded` (never empty). `maxAgeSeconds` is what the cookie's Max-Age should
   * say (0: no Max-Age, a browser-session cookie); `expiryMicros` is the session's absolute expiry in
   * µs since the epoch (0: none) — a server-side store keeps the entry that long. Returns false when the
   * session could not be stored (too large, store full); the backend has already logged why and the
   * client keeps whatever it had.
   */
  abstract save(response: HeaderMap, encoded: string, maxAgeSeconds: i64, expiryMicros: i64): bool;

  /** Response phase: the session became empty; delete what is stored and tell the client to forget it. */
  abstract remove(response: HeaderMap): void;
}
