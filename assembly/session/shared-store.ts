// The server-side session store, in the place of mod_session_dbd: the cookie carries only an address and
// an unguessable token; the session itself lives in proxy-wasm shared data, which every worker VM of the
// proxy sees.
//
// Shared data has no delete, no TTL and no listing, so a store that made one key per session would grow
// without bound. This one makes a fixed table of `capacity` slots, key = prefix + slot number, and never
// any other key. A new session claims a slot by compare-and-swap when the slot is free, expired or never
// written; a periodic sweep turns expired slots back into small free markers. The cookie names the slot
// and holds a 128-bit random token; the slot keeps only a digest of it, compared in constant time.
//
// Every write is a read-modify-write under CAS, retried a bounded number of times. An update takes the
// request's changes as a SessionDelta and re-applies it to whatever it reads, so two requests of one
// session on two workers that change different keys both keep their change.
//
// A changed session gets a new token, as mod_session_dbd gives it a new key, so a key fixed or stolen
// before the change stops working; the previous token keeps opening the session for `grace_seconds` so
// that requests already in flight with it are not logged out, and never learns the new one.
import { Services, SharedEntry, SharedWrite, LogLevel } from "../core/services";
import { base64Decode, base64Encode } from "../codecs/base64";
import { sha256 } from "../crypto/sha256";
import { constantTimeEqualPtr } from "../crypto/compare";
import { SharedStoreSettings, WhenFull } from "./shared-settings";
import { keyPrefixFromPluginName } from "./key-prefix";
import { SessionDelta } from "./backend";

// A slot's value. All integers little-endian; times are microseconds since the Unix epoch.
//
// | offset | size | field                                                                          |
// |-------:|-----:|--------------------------------------------------------------------------------|
// |      0 |    1 | layout version, 1                                                              |
// |      1 |    1 | state: 0 free, 1 live                                                          |
// |      2 |    1 | flags: bit 0 = the expiry is the store's idle deadline, not the session's own  |
// |      3 |    1 | 0 (reserved)                                                                   |
// |      4 |    8 | expires (i64): the session is gone at and after this instant                   |
// |     12 |    8 | created (i64)                                                                  |
// |     20 |    8 | touched (i64): last write; the eviction order                                  |
// |     28 |   16 | first 16 bytes of SHA-256(current token)                                       |
// |     44 |   16 | first 16 bytes of SHA-256(previous token), zeros when none                     |
// |     60 |    8 | previous token valid until (i64), 0 when none                                  |
// |     68 |    4 | n = payload length (u32)                                                       |
// |     72 |    n | payload: the encoded (possibly encrypted) session, opaque to the store         |
//
// A free slot holds just bytes 0..3 (version 1, state 0). A value whose version is not 1 belongs to some
// other layout (a newer clicktrail during a rolling update): it is neither read nor claimed nor swept.
// A version-1 value of the wrong shape is corrupt: it reads as no session and may be claimed.
const VERSION: u8 = 1;
const STATE_FREE: u8 = 0;
const STATE_LIVE: u8 = 1;
const FLAG_IDLE: u8 = 1;
const OFF_STATE: usize = 1;
const OFF_FLAGS: usize = 2;
const OFF_EXPIRES: usize = 4;
const OFF_CREATED: usize = 12;
const OFF_TOUCHED: usize = 20;
const OFF_DIGEST: usize = 28;
const OFF_PREVIOUS: usize = 44;
const OFF_PREVIOUS_UNTIL: usize = 60;
const OFF_LENGTH: usize = 68;
const HEADER_BYTES: i32 = 72;
const FREE_BYTES: i32 = 4;
const DIGEST_BYTES: i32 = 16;

// The cookie: base64url without padding of slot (3 bytes, big-endian) || token (16 bytes) = 26 characters.
// The key: prefix + base64url of the 3 slot bytes = prefix + 4 characters. Keys of one prefix therefore
// have one length and differ only in their last four bytes, and CRC-32 tells apart any two messages of
// equal length that differ only within 32 consecutive bits: ngx_wasm_module finds keys by the CRC-32 of
// the key alone, so slot keys can never collide with each other there.
const SLOT_BYTES: i32 = 3;
const TOKEN_BYTES: i32 = 16;
const COOKIE_CHARS: i32 = 26;

/**
 * The CAS presented when creating a key seen absent. cpp-host (Envoy) writes an absent key whatever the
 * CAS, and a present key only when the CAS matches; a key created by another worker since our read got a
 * fresh number from the host's counter, which is this value once in 2^32 writes. ngx_wasm_module refuses
 * any non-zero CAS for an absent key and 0 for a present one, so there the refusal is followed by a
 * re-read and, if the key is still absent, a write with CAS 0, which NGINX makes atomic.
 */
const ABSENT_FENCE: u32 = 0xffffffff;

/** Free slots remembered by the sweep for the next `create`s on this worker. */
const HINTS: i32 = 64;

export const METRIC_PREFIX = "clicktrail.session.store.";

// The request's changes are a SessionDelta (backend.ts), re-applied to the freshly read session on every
// attempt of an update; it is re-exported here for callers of the store alone.
export { SessionDelta } from "./backend";

/** Which token of a slot a cookie value presented (the store's answer to `load`). */
export const enum TokenStatus {
  /** No cookie value. */
  NoCookie = 0,
  /** The value does not have the shape of a key: not one of ours. */
  Malformed = 1,
  /** No live session answers to this key: forged, rotated out longer than the grace ago, deleted, evicted. */
  Invalid = 2,
  /** The session was found and has expired. */
  Expired = 3,
  /** Found, by its current token. */
  Current = 4,
  /** Found, by the token it had before its last change, within the grace period. */
  Previous = 5,
}

/** A session as loaded for one request; pass it back to `update` or `destroy`. */
export class LoadedSession {
  status: TokenStatus = TokenStatus.NoCookie;
  slot: i32 = -1;
  /** The stored payload; empty unless found. */
  payload: Uint8Array = new Uint8Array(0);
  /** The session's own expiry as saved (0: none, the store's idle timeout applies). */
  expiresMicros: i64 = 0;
  createdMicros: i64 = 0;
  /** The slot's CAS when loaded (0 once this request wrote it): equal CAS means unchanged since. */
  cas: u32 = 0;
  /** Digest of the token presented, then of the token the last save of this request issued. */
  digest: Uint8Array = new Uint8Array(DIGEST_BYTES);

  get found(): bool { return this.status == TokenStatus.Current || this.status == TokenStatus.Previous; }
}

export const enum SaveStatus {
  /** Written; `cookie` is the value to send when it is not "". */
  Saved = 0,
  /** Nothing needed writing. */
  Unchanged = 1,
  /** The session became empty and its slot was freed: remove the cookie. */
  Destroyed = 2,
  /** The session is no longer there (expired, evicted, deleted or its token rotated out meanwhile). */
  Gone = 3,
  /** No free slot among those sampled (when_full "refuse"). */
  Full = 4,
  /** The payload is larger than max_value_bytes. */
  TooLarge = 5,
  /** Other workers kept changing the session for cas_retries attempts. */
  Conflict = 6,
  /** The host refused a write or has no usable random source. */
  Failed = 7,
}

export class SaveResult {
  constructor(public status: SaveStatus, public cookie: string = "", public slot: i32 = -1) {}
  get ok(): bool { return this.status <= SaveStatus.Destroyed; }
}

const enum Claim { Taken = 0, Busy = 1, Failed = 2 }

const enum SlotKind { Absent = 0, Free = 1, Live = 2, Corrupt = 3, Foreign = 4 }

/** One slot as read: its kind, the CAS to write it back with and, when live, its header fields. */
class Slot {
  kind: SlotKind = SlotKind.Absent;
  cas: u32 = 0;
  value: ArrayBuffer = new ArrayBuffer(0);
  flags: u8 = 0;
  expires: i64 = 0;
  created: i64 = 0;
  touched: i64 = 0;
  previousUntil: i64 = 0;
  payloadLength: i32 = 0;

  get ptr(): usize { return changetype<usize>(this.value); }

  payload(): Uint8Array {
    const out = new Uint8Array(this.payloadLength);
    memory.copy(out.dataStart, this.ptr + <usize>HEADER_BYTES, <usize>this.payloadLength);
    return out;
  }
}

function parseSlot(entry: SharedEntry | null): Slot {
  const s = new Slot();
  if (entry == null) return s;
  s.cas = entry.cas;
  s.value = entry.value;
  const n = entry.value.byteLength;
  const p = s.ptr;
  if (n < FREE_BYTES) { s.kind = SlotKind.Corrupt; return s; }
  if (load<u8>(p) != VERSION) { s.kind = SlotKind.Foreign; return s; }
  const state = load<u8>(p + OFF_STATE);
  if (state == STATE_FREE) { s.kind = SlotKind.Free; return s; }
  if (state != STATE_LIVE || n < HEADER_BYTES) { s.kind = SlotKind.Corrupt; return s; }
  const len = load<u32>(p + OFF_LENGTH);
  if (<u64>len != <u64>(n - HEADER_BYTES)) { s.kind = SlotKind.Corrupt; return s; }
  s.kind = SlotKind.Live;
  s.flags = load<u8>(p + OFF_FLAGS);
  s.expires = load<i64>(p + OFF_EXPIRES);
  s.created = load<i64>(p + OFF_CREATED);
  s.touched = load<i64>(p + OFF_TOUCHED);
  s.previousUntil = load<i64>(p + OFF_PREVIOUS_UNTIL);
  s.payloadLength = <i32>len;
  return s;
}

function freeValue(): ArrayBuffer {
  const v = new ArrayBuffer(FREE_BYTES);
  store<u8>(changetype<usize>(v), VERSION);
  return v;
}

/** A live value. `previous` is a 16-byte digest pointer, or 0 for none. */
function liveValue(flags: u8, expires: i64, created: i64, touched: i64, digest: usize, previous: usize,
                   previousUntil: i64, payload: Uint8Array): ArrayBuffer {
  const v = new ArrayBuffer(HEADER_BYTES + payload.length);
  const p = changetype<usize>(v);
  store<u8>(p, VERSION);
  store<u8>(p + OFF_STATE, STATE_LIVE);
  store<u8>(p + OFF_FLAGS, flags);
  store<i64>(p + OFF_EXPIRES, expires);
  store<i64>(p + OFF_CREATED, created);
  store<i64>(p + OFF_TOUCHED, touched);
  memory.copy(p + OFF_DIGEST, digest, <usize>DIGEST_BYTES);
  if (previous != 0) {
    memory.copy(p + OFF_PREVIOUS, previous, <usize>DIGEST_BYTES);
    store<i64>(p + OFF_PREVIOUS_UNTIL, previousUntil);
  }
  store<u32>(p + OFF_LENGTH, <u32>payload.length);
  memory.copy(p + <usize>HEADER_BYTES, payload.dataStart, <usize>payload.length);
  return v;
}

/** The same value with a new expiry and touch time (no rotation, same payload). */
function retouched(s: Slot, flags: u8, expires: i64, now: i64): ArrayBuffer {
  const v = s.value.slice(0);
  const p = changetype<usize>(v);
  store<u8>(p + OFF_FLAGS, flags);
  store<i64>(p + OFF_EXPIRES, expires);
  store<i64>(p + OFF_TOUCHED, now);
  return v;
}

function tokenDigest(token: Uint8Array): Uint8Array {
  return sha256(token).subarray(0, DIGEST_BYTES);
}

function allZero(b: Uint8Array): bool {
  let acc: u32 = 0;
  for (let i = 0; i < b.length; i++) acc |= b[i];
  return acc == 0;
}

/** The 4-character slot code used in keys. */
export function slotCode(slot: i32): string {
  const b = new Uint8Array(SLOT_BYTES);
  b[0] = <u8>(slot >> 16);
  b[1] = <u8>(slot >> 8);
  b[2] = <u8>slot;
  return base64Encode(b, true, false);
}

export class SharedSessionStore {
  private readonly idleMicros: i64;
  private readonly graceMicros: i64;
  private hints: StaticArray<i32> = new StaticArray<i32>(HINTS);
  private hintCount: i32 = 0;
  private cursor: i32 = 0;
  private allocCursor: i32 = 0;
  private passVisited: i32 = 0;
  private passLive: i64 = 0;
  private readonly mEntries: u32;
  private readonly mCreated: u32;
  private readonly mExpired: u32;
  private readonly mEvicted: u32;
  private readonly mCasRetries: u32;
  private readonly mFull: u32;
  private readonly mTooLarge: u32;
  /** The prefix of every key once known (see keyPrefix). */
  private prefix: string | null = null;

  constructor(public settings: SharedStoreSettings, private services: Services) {
    if (settings.keyPrefixConfigured) this.prefix = settings.keyPrefix;
    this.idleMicros = <i64>settings.idleTimeoutSeconds * 1_000_000;
    this.graceMicros = <i64>settings.graceSeconds * 1_000_000;
    this.mEntries = services.defineGauge(METRIC_PREFIX + "entries_in_use");
    this.mCreated = services.defineCounter(METRIC_PREFIX + "created");
    this.mExpired = services.defineCounter(METRIC_PREFIX + "expired");
    this.mEvicted = services.defineCounter(METRIC_PREFIX + "evicted");
    this.mCasRetries = services.defineCounter(METRIC_PREFIX + "cas_retries");
    this.mFull = services.defineCounter(METRIC_PREFIX + "full");
    this.mTooLarge = services.defineCounter(METRIC_PREFIX + "too_large");
    // Workers start their sweeps at different places so that together they cover the table sooner.
    this.cursor = this.randomSlot();
    this.allocCursor = this.randomSlot();
  }

  /**
   * The prefix of every key: `key_prefix` when configured, else derived from the plugin's name
   * (key-prefix.ts), read the first time a request needs a key. Not in on_configure and not in on_tick:
   * there ngx_wasm_module dereferences a null filter chain for `plugin_name` (in on_tick before its
   * prerelease-0.6.0, Kong/ngx_wasm_module commit fa0cd87).
   */
  keyPrefix(): string {
    let p = this.prefix;
    if (p == null) this.prefix = p = keyPrefixFromPluginName(this.services.pluginName());
    return p;
  }

  /** The shared-data key of a slot. */
  keyOf(slot: i32): string { return this.keyPrefix() + slotCode(slot); }

  /** How often `sweep` wants to run. */
  tickPeriodMillis(): u32 { return <u32>this.settings.sweepPeriodMillis; }

  /** Finds the session a cookie value names. Never fails: anything wrong reads as no session. */
  load(cookieValue: string): LoadedSession {
    const out = new LoadedSession();
    if (cookieValue.length == 0) return out;
    out.status = TokenStatus.Malformed;
    if (cookieValue.length != COOKIE_CHARS) return out;
    const raw = base64Decode(cookieValue, true);
    if (raw == null || raw.length != SLOT_BYTES + TOKEN_BYTES) return out;
    const slot = (<i32>raw[0] << 16) | (<i32>raw[1] << 8) | <i32>raw[2];
    out.status = TokenStatus.Invalid;
    if (slot >= this.settings.capacity) return out;
    out.slot = slot;
    out.digest = tokenDigest(raw.subarray(SLOT_BYTES));
    const now = this.services.nowMicros();
    const s = parseSlot(this.services.sharedGet(this.keyOf(slot)));
    if (s.kind != SlotKind.Live) return out;
    const which = this.match(s, out.digest, now);
    if (which == TokenStatus.Invalid) return out;
    if (s.expires <= now) { out.status = TokenStatus.Expired; return out; }
    out.status = which;
    out.cas = s.cas;
    out.payload = s.payload();
    out.expiresMicros = (s.flags & FLAG_IDLE) != 0 ? 0 : s.expires;
    out.createdMicros = s.created;
    // A session without an expiry of its own lives idle_timeout past its last use; pushing the deadline
    // only once half of it is used up keeps reads from writing on every request.
    if ((s.flags & FLAG_IDLE) != 0 && s.expires - now < this.idleMicros / 2) {
      const w = this.services.sharedSet(this.keyOf(slot), retouched(s, s.flags, now + this.idleMicros, now), s.cas);
      if (w == SharedWrite.CasMismatch) this.services.count(this.mCasRetries, 1);
      out.cas = 0;
    }
    return out;
  }

  /** Stores a new session. On success `cookie` is the value for the session cookie. */
  create(payload: Uint8Array, expiresMicros: i64): SaveResult {
    if (payload.length > this.settings.maxValueBytes) return this.tooLarge(payload.length);
    const token = new Uint8Array(TOKEN_BYTES);
    this.services.fillRandom(token);
    if (allZero(token)) return this.noRandom();
    const digest = tokenDigest(token);
    const now = this.services.nowMicros();
    const flags: u8 = expiresMicros > 0 ? 0 : FLAG_IDLE;
    const expires = expiresMicros > 0 ? expiresMicros : now + this.idleMicros;
    const value = liveValue(flags, expires, now, now, digest.dataStart, 0, 0, payload);
    const probes = this.settings.probes;
    const capacity = this.settings.capacity;
    const oldest = new Slot();
    oldest.touched = i64.MAX_VALUE;
    let oldestSlot = -1;
    // Each read costs one host call and a copy of the value, so a create reads at most 2 × probes slots:
    // first the slots this worker's sweep saw free, then the ones after the slot it claimed last (a ring
    // allocator: while the table fills they were never written, and with sessions of one lifetime they
    // hold the oldest sessions); then random slots, which also sample the candidates for eviction.
    for (let i = 0; i < 2 * probes; i++) {
      let slot: i32;
      if (i >= probes) {
        slot = this.randomSlot();
      } else if (this.hintCount > 0) {
        slot = this.hints[--this.hintCount];
        if (slot >= capacity) continue;
      } else {
        slot = this.allocCursor;
        this.allocCursor = slot + 1 >= capacity ? 0 : slot + 1;
      }
      const seen = new Slot();
      const c = this.claim(slot, value, now, seen);
      if (c == Claim.Taken) return this.created(slot, token);
      if (c == Claim.Failed) return this.writeFailed(this.keyOf(slot));
      if (seen.kind == SlotKind.Live && seen.touched < oldest.touched) {
        oldestSlot = slot;
        oldest.touched = seen.touched;
        oldest.cas = seen.cas;
      }
    }
    this.services.count(this.mFull, 1);
    if (this.settings.whenFull == WhenFull.EvictOldest && oldestSlot >= 0) {
      if (this.services.sharedSet(this.keyOf(oldestSlot), value, oldest.cas) == SharedWrite.Ok) {
        this.services.count(this.mEvicted, 1);
        return this.created(oldestSlot, token);
      }
      this.services.count(this.mCasRetries, 1);
    }
    if (this.services.logs(LogLevel.Debug)) {
      this.services.log(LogLevel.Debug, "clicktrail: session store: no free slot among " + (2 * probes).toString() +
        " read of " + this.settings.capacity.toString() + "; no session created");
    }
    return new SaveResult(SaveStatus.Full);
  }

  /**
   * Re-applies `delta` (null: no change of data) to the stored session and saves it with the session's
   * expiry `expiresMicros` (0: none; the idle timeout applies). A session whose data changed, reached by
   * its current token, gets a new token (`cookie`); reached by its previous token it keeps the current
   * one, which that request never learns, and `cookie` is "". `cookie` is "" whenever the token stays.
   */
  update(session: LoadedSession, delta: SessionDelta | null, expiresMicros: i64): SaveResult {
    if (!session.found) return new SaveResult(SaveStatus.Gone, "", session.slot);
    const key = this.keyOf(session.slot);
    for (let attempt = 0; attempt <= this.settings.casRetries; attempt++) {
      if (attempt > 0) this.services.count(this.mCasRetries, 1);
      const now = this.services.nowMicros();
      const s = parseSlot(this.services.sharedGet(key));
      if (s.kind != SlotKind.Live || s.expires <= now) return new SaveResult(SaveStatus.Gone, "", session.slot);
      const which = this.match(s, session.digest, now);
      if (which == TokenStatus.Invalid) return new SaveResult(SaveStatus.Gone, "", session.slot);
      let next: Uint8Array | null = null;
      if (delta != null) next = s.cas == session.cas ? delta.applyUnchanged(s.payload()) : delta.apply(s.payload());
      const flags: u8 = expiresMicros > 0 ? 0 : FLAG_IDLE;
      let value: ArrayBuffer;
      let token: Uint8Array | null = null;
      let newDigest = session.digest;
      let destroyed = false;
      if (next == null) {
        if (!this.needsTouch(s, flags, expiresMicros, now)) {
          session.status = which;
          return new SaveResult(SaveStatus.Unchanged, "", session.slot);
        }
        const expires = expiresMicros > 0 ? expiresMicros : now + this.idleMicros;
        value = retouched(s, flags, expires, now);
      } else if (next.length == 0) {
        value = freeValue();
        destroyed = true;
      } else {
        if (next.length > this.settings.maxValueBytes) return this.tooLarge(next.length);
        const payload = next;
        const expires = expiresMicros > 0 ? expiresMicros : now + this.idleMicros;
        if (which == TokenStatus.Current && delta !== null && delta.modifiesData()) {
          const t = new Uint8Array(TOKEN_BYTES);
          this.services.fillRandom(t);
          if (allZero(t)) return this.noRandom();
          newDigest = tokenDigest(t);
          const keepPrevious = this.graceMicros > 0;
          value = liveValue(flags, expires, s.created, now, newDigest.dataStart, keepPrevious ? s.ptr + OFF_DIGEST : 0,
                            keepPrevious ? now + this.graceMicros : 0, payload);
          token = t;
        } else {
          value = liveValue(flags, expires, s.created, now, s.ptr + OFF_DIGEST, s.ptr + OFF_PREVIOUS,
                            s.previousUntil, payload);
        }
      }
      const w = this.services.sharedSet(key, value, s.cas);
      if (w == SharedWrite.CasMismatch) continue;
      if (w != SharedWrite.Ok) return this.writeFailed(key);
      session.cas = 0;
      if (destroyed) {
        this.pushHint(session.slot);
        session.status = TokenStatus.Invalid;
        session.payload = new Uint8Array(0);
        return new SaveResult(SaveStatus.Destroyed, "", session.slot);
      }
      if (next !== null) session.payload = next;
      session.expiresMicros = expiresMicros > 0 ? expiresMicros : 0;
      // Another worker may have rotated the token since load: the caller must not hand out a previous one.
      session.status = which;
      if (token == null) return new SaveResult(SaveStatus.Saved, "", session.slot);
      session.digest = newDigest;
      session.status = TokenStatus.Current;
      return new SaveResult(SaveStatus.Saved, this.cookieOf(session.slot, token), session.slot);
    }
    this.services.log(LogLevel.Warn, "clicktrail: session store: slot " + key + " kept changing for " +
      (this.settings.casRetries + 1).toString() + " attempts; this request's session changes are lost");
    return new SaveResult(SaveStatus.Conflict, "", session.slot);
  }

  /** Deletes the session (logout): its slot becomes free and every token of it stops working. */
  destroy(session: LoadedSession): SaveResult {
    if (!session.found) return new SaveResult(SaveStatus.Gone, "", session.slot);
    const key = this.keyOf(session.slot);
    for (let attempt = 0; attempt <= this.settings.casRetries; attempt++) {
      if (attempt > 0) this.services.count(this.mCasRetries, 1);
      const now = this.services.nowMicros();
      const s = parseSlot(this.services.sharedGet(key));
      if (s.kind != SlotKind.Live || s.expires <= now || this.match(s, session.digest, now) == TokenStatus.Invalid) {
        return new SaveResult(SaveStatus.Gone, "", session.slot);
      }
      const w = this.services.sharedSet(key, freeValue(), s.cas);
      if (w == SharedWrite.CasMismatch) continue;
      if (w != SharedWrite.Ok) return this.writeFailed(key);
      this.pushHint(session.slot);
      session.status = TokenStatus.Invalid;
      session.payload = new Uint8Array(0);
      return new SaveResult(SaveStatus.Destroyed, "", session.slot);
    }
    return new SaveResult(SaveStatus.Conflict, "", session.slot);
  }

  /**
   * One tick of reclamation: examines the next sweep_slots_per_tick slots, frees the expired ones (and
   * corrupt ones), remembers free slots for `create`, and after each full pass over the table publishes
   * the number of live sessions it saw as the entries_in_use gauge.
   */
  sweep(): void {
    // Runs on the root context: until a request on this worker has fixed the prefix (keyPrefix) the
    // keys are unknown. Nothing is lost meanwhile: workers that served requests sweep the same table,
    // and `create` claims expired slots itself.
    if (this.prefix == null) return;
    const capacity = this.settings.capacity;
    const n = min(this.settings.sweepSlotsPerTick, capacity);
    const now = this.services.nowMicros();
    for (let i = 0; i < n; i++) {
      const slot = this.cursor;
      const key = this.keyOf(slot);
      const s = parseSlot(this.services.sharedGet(key));
      if (s.kind == SlotKind.Absent || s.kind == SlotKind.Free) {
        this.pushHint(slot);
      } else if (s.kind == SlotKind.Corrupt || (s.kind == SlotKind.Live && s.expires <= now)) {
        const w = this.services.sharedSet(key, freeValue(), s.cas);
        if (w == SharedWrite.Ok) {
          if (s.kind == SlotKind.Live) this.services.count(this.mExpired, 1);
          this.pushHint(slot);
        } else if (w == SharedWrite.CasMismatch) {
          this.services.count(this.mCasRetries, 1);
        }
      } else if (s.kind == SlotKind.Live) {
        this.passLive++;
      }
      this.cursor = slot + 1 == capacity ? 0 : slot + 1;
      if (++this.passVisited >= capacity) {
        this.services.setGauge(this.mEntries, this.passLive);
        this.passVisited = 0;
        this.passLive = 0;
      }
    }
  }

  /** The cookie value naming `slot` with `token`. */
  cookieOf(slot: i32, token: Uint8Array): string {
    const raw = new Uint8Array(SLOT_BYTES + TOKEN_BYTES);
    raw[0] = <u8>(slot >> 16);
    raw[1] = <u8>(slot >> 8);
    raw[2] = <u8>slot;
    raw.set(token, SLOT_BYTES);
    return base64Encode(raw, true, false);
  }

  /** Which token `digest` is in slot `s`: Current, Previous (within its grace) or Invalid. */
  private match(s: Slot, digest: Uint8Array, now: i64): TokenStatus {
    // Both comparisons always run, so timing does not tell which token matched or how far.
    const current = constantTimeEqualPtr(s.ptr + OFF_DIGEST, digest.dataStart, DIGEST_BYTES);
    const previous = constantTimeEqualPtr(s.ptr + OFF_PREVIOUS, digest.dataStart, DIGEST_BYTES);
    if (current) return TokenStatus.Current;
    if (previous && s.previousUntil > now) return TokenStatus.Previous;
    return TokenStatus.Invalid;
  }

  private needsTouch(s: Slot, flags: u8, expiresMicros: i64, now: i64): bool {
    if (flags != (s.flags & FLAG_IDLE)) return true;
    if (flags == 0) return s.expires != expiresMicros;
    return s.expires - now < this.idleMicros / 2;
  }

  /**
   * Tries to take `slot` for `value`. Free, never-written, corrupt and expired slots are taken; a live
   * one is described in `seen` (when given) for eviction. Busy when the slot is live or another worker
   * changed it first.
   */
  private claim(slot: i32, value: ArrayBuffer, now: i64, seen: Slot | null): Claim {
    const key = this.keyOf(slot);
    const s = parseSlot(this.services.sharedGet(key));
    if (seen != null) {
      seen.kind = s.kind;
      seen.cas = s.cas;
      seen.touched = s.touched;
    }
    let w: SharedWrite;
    if (s.kind == SlotKind.Absent) {
      w = this.createKey(key, value);
    } else if (s.kind == SlotKind.Free || s.kind == SlotKind.Corrupt || (s.kind == SlotKind.Live && s.expires <= now)) {
      w = this.services.sharedSet(key, value, s.cas);
      if (w == SharedWrite.Ok && s.kind == SlotKind.Live) this.services.count(this.mExpired, 1);
    } else {
      return Claim.Busy;
    }
    if (w == SharedWrite.Ok) return Claim.Taken;
    if (w == SharedWrite.Failed) return Claim.Failed;
    this.services.count(this.mCasRetries, 1);
    if (seen != null) seen.kind = SlotKind.Foreign;
    return Claim.Busy;
  }

  /** Writes a key that was absent when read, without overwriting one another worker created since. */
  private createKey(key: string, value: ArrayBuffer): SharedWrite {
    const w = this.services.sharedSet(key, value, ABSENT_FENCE);
    if (w != SharedWrite.CasMismatch) return w;
    if (this.services.sharedGet(key) != null) return SharedWrite.CasMismatch;
    return this.services.sharedSet(key, value, 0);
  }

  private created(slot: i32, token: Uint8Array): SaveResult {
    this.services.count(this.mCreated, 1);
    this.allocCursor = slot + 1 >= this.settings.capacity ? 0 : slot + 1;
    return new SaveResult(SaveStatus.Saved, this.cookieOf(slot, token), slot);
  }

  private pushHint(slot: i32): void {
    for (let i = 0; i < this.hintCount; i++) if (this.hints[i] == slot) return;
    if (this.hintCount < HINTS) this.hints[this.hintCount++] = slot;
  }

  private randomSlot(): i32 {
    const b = new Uint8Array(4);
    this.services.fillRandom(b);
    const x = (<u32>b[0] << 24) | (<u32>b[1] << 16) | (<u32>b[2] << 8) | <u32>b[3];
    return <i32>(x % <u32>this.settings.capacity);
  }

  private tooLarge(length: i32): SaveResult {
    this.services.count(this.mTooLarge, 1);
    this.services.log(LogLevel.Warn, "clicktrail: session store: a session of " + length.toString() +
      " bytes exceeds session.shared.max_value_bytes (" + this.settings.maxValueBytes.toString() + "); not saved");
    return new SaveResult(SaveStatus.TooLarge);
  }

  private noRandom(): SaveResult {
    this.services.log(LogLevel.Error, "clicktrail: session store: the host's random source returned zeros; no session token issued");
    return new SaveResult(SaveStatus.Failed);
  }

  private writeFailed(key: string): SaveResult {
    this.services.log(LogLevel.Error, "clicktrail: session store: the host refused to write " + key);
    return new SaveResult(SaveStatus.Failed);
  }
}
