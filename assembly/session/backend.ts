// The seam between the session feature and where a session is kept. The feature owns everything about a
// session's content — the urlencoded codec, expiry, include/exclude, the upstream and response headers,
// encryption — and hands a backend only the finished "encoded session": the exact string Apache's
// mod_session would give its storage provider (urlencoded pairs, or their ciphertext when crypto is on).
// A backend decides where that string lives: in the cookie itself (CookieBackend, cookie-backend.ts),
// server-side in the proxy's shared data (shared-backend.ts) or in an etcd cluster (etcd-backend.ts).
//
// Lifecycle per HTTP stream, mirroring Apache's session_load / session_save provider hooks:
//   onRequestHeaders  → backend.open(services) → stream.load(request)        (at most once)
//   onResponseHeaders → stream.save(response, encoded, maxAge, delta) or stream.remove(response, delta)
//                       (at most once, only when the save algorithm decided to write; never when load()
//                       was not called)
// A backend that must ask another service answers Pending (BackendLoadStatus.Pending, SaveOutcome.Pending)
// after starting an HTTP callout through Services.httpCall; the stream then pauses and each answer is
// handed to resumeLoad / resumeSave until they stop answering Pending.
import { HeaderMap } from "../core/headers";
import { HttpCallResult, Services } from "../core/services";
import { CookieScan } from "./cookie-read";

/** What load() found. */
export const enum BackendLoadStatus {
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
  /** The backend started a callout; its answer goes to resumeLoad. */
  Pending = 3,
  /**
   * The store could not be asked (unreachable, timed out, answered nonsense): whether the client has a
   * session is unknown. The feature refuses the request, or with on_unavailable "empty" goes on with an
   * empty session it never saves. `reason` says what happened.
   */
  Unavailable = 4,
}

export class BackendLoad {
  // The encoded session is source[from, to): a backend that found it inside a longer string (the cookie
  // backend, in a Cookie header) hands over where it is, and it is cut out only when asked for as a
  // string (a sealer reads it in place).
  private source: string;
  private from: i32;
  private to: i32;

  constructor(public status: BackendLoadStatus, encoded: string, public reason: string) {
    this.source = encoded;
    this.from = 0;
    this.to = encoded.length;
  }

  /** The encoded session (Found), "" otherwise. */
  get encoded(): string {
    const source = this.source;
    if (this.from == 0 && this.to == source.length) return source;
    const cut = source.substring(this.from, this.to);
    this.source = cut;
    this.from = 0;
    this.to = cut.length;
    return cut;
  }

  /** encoded.length, without cutting it out. */
  get encodedLength(): i32 { return this.to - this.from; }

  /** The string the encoded session is in, from encodedFrom to encodedTo. */
  get encodedSource(): string { return this.source; }
  get encodedFrom(): i32 { return this.from; }
  get encodedTo(): i32 { return this.to; }

  static none(): BackendLoad { return new BackendLoad(BackendLoadStatus.None, "", ""); }
  static found(encoded: string): BackendLoad { return new BackendLoad(BackendLoadStatus.Found, encoded, ""); }
  /** Found: the encoded session is `source[from, to)`. */
  static foundIn(source: string, from: i32, to: i32): BackendLoad {
    const load = new BackendLoad(BackendLoadStatus.Found, source, "");
    load.from = from;
    load.to = to;
    return load;
  }
  static unusable(reason: string): BackendLoad { return new BackendLoad(BackendLoadStatus.Unusable, "", reason); }
  static pending(): BackendLoad { return new BackendLoad(BackendLoadStatus.Pending, "", ""); }
  static unavailable(reason: string): BackendLoad { return new BackendLoad(BackendLoadStatus.Unavailable, "", reason); }
}

/**
 * What a scan of the session cookies answers before any value is read: Unusable when the client sent one
 * of them twice with different values, None when the first one is absent or empty; null when
 * scan.first holds a value for the backend to read.
 */
export function loadWithoutValue(scan: CookieScan): BackendLoad | null {
  if (scan.conflict.length) {
    return BackendLoad.unusable("the client sent cookie " + scan.conflict + " more than once with different values");
  }
  return scan.firstLength <= 0 ? BackendLoad.none() : null;
}

/** What save() or remove() did. */
export const enum SaveOutcome {
  /** Stored (or removed), and the response carries what the client needs. */
  Saved = 0,
  /** Not stored; the backend has logged why and the client keeps whatever it had. */
  NotSaved = 1,
  /** The backend started a callout; its answer goes to resumeSave. */
  Pending = 2,
}

/**
 * This request's changes to the session, handed to save() and remove(). A backend that overwrites (the
 * cookie) ignores it; a backend whose stored session another worker or proxy may have changed since load
 * re-applies it to the session as stored now instead of overwriting it with `encoded`, so concurrent
 * requests changing different keys keep both changes. AssemblyScript has no closures: the feature
 * subclasses it (changes.ts); tests subclass it with deltas of their own.
 */
export abstract class SessionDelta {
  /** The expiry the save gives the session (µs since the epoch; 0: none). */
  expiryMicros: i64 = 0;
  /** Whether the session being saved (as this request sees it) has any key besides the reserved ones. */
  hasUserKeys: bool = true;
  /**
   * Applies the changes to `stored` (the payload as a backend holds it now: the encoded, possibly sealed
   * session). Returns the new payload; null when the session needs no new payload (nothing changed, or
   * `stored` cannot be decoded and should be left alone); an empty array to delete the session.
   */
  abstract apply(stored: Uint8Array): Uint8Array | null;
  /**
   * Whether a new payload from `apply` carries changed data, which gives a server-side session a new key.
   * False for a payload rewritten only to move the expiry it encodes (mod_session re-saves `expiry=` on
   * every request with a max age): that keeps the key, as mod_session_dbd keeps the key of an unchanged
   * session.
   */
  modifiesData(): bool { return true; }
  /**
   * `apply` for the case where the stored session has not been written since load, so `stored` is the
   * payload the request loaded. A delta that already built its new payload from that one returns it here
   * and saves decoding and re-encoding (re-sealing) the session a second time.
   */
  applyUnchanged(stored: Uint8Array): Uint8Array | null { return this.apply(stored); }
}

/** One backend per VM (per plugin configuration); it may keep caches and shared-data handles. */
export abstract class SessionBackend {
  /** The per-stream half. Called once per HTTP stream for which the session is in scope. */
  abstract open(services: Services): SessionBackendStream;
  /** Periodic maintenance (a server-side store sweeps expired entries here). */
  onTick(services: Services): void {}
  /** How often onTick wants to run, in milliseconds; 0 for never. */
  tickPeriodMillis(): u32 { return 0; }
  /** Whether an Unavailable load goes on with an empty, never-saved session instead of a 503. */
  emptyWhenUnavailable(): bool { return false; }
}

/** A backend's state for one HTTP stream (e.g. which chunk cookies the request carried, the store key). */
export abstract class SessionBackendStream {
  /**
   * Request phase: find the encoded session for this request. May edit the request headers (hide its
   * cookie from the upstream when configured). Byte strings throughout (see core/bytes.ts).
   */
  abstract load(request: HeaderMap): BackendLoad;

  /** The answer to the callout a Pending load started; may answer Pending again after starting another. */
  resumeLoad(result: HttpCallResult): BackendLoad {
    return BackendLoad.unavailable("an HTTP callout answered a backend that makes none");
  }

  /**
   * Response phase: store `encoded` (never empty). `maxAgeSeconds` is what the cookie's Max-Age should
   * say (0: no Max-Age, a browser-session cookie); `delta.expiryMicros` is the session's absolute expiry
   * in µs since the epoch (0: none) — a server-side store keeps the entry that long. NotSaved when the
   * session could not be stored (too large, store full); the backend has already logged why and the
   * client keeps whatever it had.
   */
  abstract save(response: HeaderMap, encoded: string, maxAgeSeconds: i64, delta: SessionDelta): SaveOutcome;

  /** Response phase: the session became empty; delete what is stored and tell the client to forget it. */
  abstract remove(response: HeaderMap, delta: SessionDelta): SaveOutcome;

  /** The answer to the callout a Pending save or remove started; `response` is the same map save() had. */
  resumeSave(result: HttpCallResult, response: HeaderMap): SaveOutcome { return SaveOutcome.NotSaved; }
}
