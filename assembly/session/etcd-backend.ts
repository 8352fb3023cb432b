// session.store "etcd": the session lives in an etcd v3 cluster that every proxy of a fleet reaches
// through HTTP callouts (Services.httpCall; the proxy-wasm adapter makes them proxy_http_call), so a
// visitor's next request may land on any proxy. mod_session_dbd's counterpart, like the shared-data
// store (shared-backend.ts), whose rules it follows:
//
// * The cookie carries only a 128-bit random token (base64url, 22 characters). The etcd key is
//   key_prefix + base64url(first 16 bytes of SHA-256(token)), so whoever can read the store cannot
//   present its keys as cookies.
// * The value (values below) holds the session's expiry and the encoded, possibly sealed session.
// * Load (request headers): one range of the key; the stream waits for it. A callout that fails, times
//   out or answers nonsense makes the load Unavailable (a 503, or with on_unavailable "empty" an empty
//   session never saved): the store may hold a session we could not read, and handing the upstream an
//   empty one in its place would lose it.
// * Save (response headers): one Txn whose compare is the mod_revision the load saw (create_revision 0
//   for a new key), so a write never overwrites a change it did not see. A lost compare comes back with
//   the value that won (the Txn's failure branch reads it); the request's SessionDelta is re-applied to
//   it and the Txn retried, at most cas_retries times. Only a confirmed write sets the cookie.
// * A changed session gets a new token and key in the same Txn that turns the old key into a forward
//   to the new one for grace_seconds, so requests in flight with the old cookie still reach the session
//   (and never learn the new token). A forward to a forward is not followed.
// * Leases collect what nobody deletes: one lease per LEASE_BUCKET_SECONDS of expiry per VM, granted
//   on first use and shared by every session expiring in that bucket (the lessor revokes at most 1,000
//   leases a second, so one lease per session would not keep up). "lease not found" (revoked, or lost
//   with a leader change) grants a new one once. The value's own expiry is what decides.
// * An ambiguous Txn (no answer, a timeout, a 5xx, an unreadable answer) may or may not have been
//   applied: the key written is read back, and only a value byte-equal to ours counts as saved.
import { HeaderMap } from "../core/headers";
import { HttpCallResult, LogLevel, Services } from "../core/services";
import { base64Decode, base64Encode } from "../codecs/base64";
import { byteStringFromBytes, byteStringToBytes } from "../core/bytes";
import { sha256 } from "../crypto/sha256";
import { BackendLoad, loadWithoutValue, SaveOutcome, SessionBackend, SessionBackendStream, SessionDelta } from "./backend";
import { scanSessionCookies } from "./cookie-read";
import { EtcdStoreSettings, WhenUnavailable } from "./etcd-settings";
import {
  CompareTarget, EtcdAnswer, LEASE_GRANT_PATH, leaseGrantBody, parseLeaseGrant, parseRange, parseTxn, RANGE_PATH,
  rangeBody, storeErrorOf, TXN_PATH, TxnCompare, TxnOp, txnBody,
} from "./etcd-protocol";
import { SessionSettings } from "./settings";
import { expireStoreCookie, setStoreCookie } from "./shared-backend";

export const ETCD_METRIC_PREFIX = "clicktrail.session.etcd.";
/** Sessions whose expiries fall in one bucket of this many seconds share a lease. */
export const LEASE_BUCKET_SECONDS: i64 = 60;
const MICROS: i64 = 1_000_000;
const TOKEN_BYTES: i32 = 16;
const TOKEN_CHARS: i32 = 22;

// A value: "1" (layout version), a kind letter, a decimal instant in µs since the epoch, ":", then
//   kind "s" (session): the encoded session, opaque to the store; the instant is its expiry;
//   kind "f" (forward): the etcd key of the session that replaced this one; the instant ends the grace.
const KIND_SESSION: u8 = 0x73;
const KIND_FORWARD: u8 = 0x66;

export class StoredValue {
  constructor(public kind: u8, public instant: i64, public rest: Uint8Array) {}
}

export function encodeValue(kind: u8, instant: i64, rest: Uint8Array): Uint8Array {
  const head = "1" + String.fromCharCode(kind) + instant.toString() + ":";
  const out = new Uint8Array(head.length + rest.length);
  for (let i = 0; i < head.length; i++) out[i] = <u8>head.charCodeAt(i);
  out.set(rest, head.length);
  return out;
}

/** Null when the bytes are not a value of this layout. */
export function decodeValue(v: Uint8Array): StoredValue | null {
  if (v.length < 4 || v[0] != 0x31 || (v[1] != KIND_SESSION && v[1] != KIND_FORWARD)) return null;
  let instant: i64 = 0;
  let i = 2;
  for (; i < v.length && i < 2 + 19; i++) {
    const c = v[i];
    if (c == 0x3a) break;
    if (c < 0x30 || c > 0x39) return null;
    instant = instant * 10 + <i64>(c - 0x30);
  }
  if (i == 2 || i >= v.length || v[i] != 0x3a) return null;
  return new StoredValue(v[1], instant, v.subarray(i + 1));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}

function allZero(b: Uint8Array): bool {
  let acc: u32 = 0;
  for (let i = 0; i < b.length; i++) acc |= b[i];
  return acc == 0;
}

class EtcdMetrics {
  found: u32; notFound: u32; expired: u32; unavailable: u32; malformed: u32;
  created: u32; rotated: u32; updated: u32; removed: u32;
  casRetries: u32; conflicts: u32; gone: u32; leaseGrants: u32; leaseNotFound: u32;
  unconfirmed: u32; confirmedByReadBack: u32; saveFailed: u32; tooLarge: u32;

  constructor(services: Services) {
    const p = ETCD_METRIC_PREFIX;
    this.found = services.defineCounter(p + "found");
    this.notFound = services.defineCounter(p + "not_found");
    this.expired = services.defineCounter(p + "expired");
    this.unavailable = services.defineCounter(p + "unavailable");
    this.malformed = services.defineCounter(p + "malformed_answers");
    this.created = services.defineCounter(p + "created");
    this.rotated = services.defineCounter(p + "rotated");
    this.updated = services.defineCounter(p + "updated");
    this.removed = services.defineCounter(p + "removed");
    this.casRetries = services.defineCounter(p + "cas_retries");
    this.conflicts = services.defineCounter(p + "conflicts");
    this.gone = services.defineCounter(p + "gone");
    this.leaseGrants = services.defineCounter(p + "lease_grants");
    this.leaseNotFound = services.defineCounter(p + "lease_not_found");
    this.unconfirmed = services.defineCounter(p + "unconfirmed");
    this.confirmedByReadBack = services.defineCounter(p + "confirmed_by_read_back");
    this.saveFailed = services.defineCounter(p + "save_failed");
    this.tooLarge = services.defineCounter(p + "too_large");
  }
}

export class EtcdBackend extends SessionBackend {
  metrics: EtcdMetrics;
  /** This VM's leases: bucket number → lease ID. */
  leases: Map<i64, string> = new Map<i64, string>();

  constructor(public settings: SessionSettings, services: Services) {
    super();
    this.metrics = new EtcdMetrics(services);
  }

  get etcd(): EtcdStoreSettings { return this.settings.etcd; }

  open(services: Services): SessionBackendStream { return new EtcdBackendStream(this, services); }

  emptyWhenUnavailable(): bool { return this.etcd.whenUnavailable == WhenUnavailable.Empty; }

  /** The etcd key of a token. */
  keyOf(token: Uint8Array): string {
    return this.etcd.keyPrefix + base64Encode(sha256(token).subarray(0, TOKEN_BYTES), true, false);
  }

  leaseFor(bucket: i64): string { return this.leases.has(bucket) ? this.leases.get(bucket) : ""; }

  rememberLease(bucket: i64, id: string, now: i64): void {
    // Buckets already over are forgotten: their leases expire by themselves.
    const keys = this.leases.keys();
    const current = now / (LEASE_BUCKET_SECONDS * MICROS);
    for (let i = 0; i < keys.length; i++) if (keys[i] < current) this.leases.delete(keys[i]);
    this.leases.set(bucket, id);
  }

  forgetLease(bucket: i64): void { if (this.leases.has(bucket)) this.leases.delete(bucket); }
}

const enum Step { Idle = 0, LoadRange = 1, LoadFollow = 2, Grant = 3, Txn = 4, ReadBack = 5, SaveFollow = 6 }

/** How the request reached its session. */
const enum Reach { None = 0, Current = 1, Previous = 2 }

export class EtcdBackendStream extends SessionBackendStream {
  step: Step = Step.Idle;
  token: u32 = 0;
  /** The cookie value the request carried ("" when none). */
  presented: string = "";
  reach: Reach = Reach.None;
  /** The key holding the session (for Previous: the key the forward led to). */
  key: string = "";
  /** The key the cookie names. */
  cookieKey: string = "";
  modRevision: string = "0";
  /** The stored payload (the encoded session) as last read. */
  stored: Uint8Array = new Uint8Array(0);
  /** Whether `stored` is still what the request loaded (the delta's shortcut applies). */
  unchanged: bool = true;

  // The save in progress.
  delta: SessionDelta | null = null;
  encoded: string = "";
  maxAgeSeconds: i64 = 0;
  removing: bool = false;
  attempt: i32 = 0;
  leaseRetried: bool = false;
  bucket: i64 = 0;
  expires: i64 = 0;
  newToken: Uint8Array | null = null;
  /** The key the last Txn wrote (or deleted) and the value it wrote (empty for a delete). */
  writtenKey: string = "";
  written: Uint8Array = new Uint8Array(0);
  /** The last Txn sent, for a resend after an unconfirmed outcome. */
  lastTxn: Uint8Array = new Uint8Array(0);
  /** Whether the load's range was already sent a second time. */
  loadRetried: bool = false;

  constructor(public backend: EtcdBackend, public services: Services) { super(); }

  // ------------------------------------------------------------------ load

  load(request: HeaderMap): BackendLoad {
    const s = this.backend.settings;
    const scan = scanSessionCookies(request, s.cookieName, 1, s.cookieRemove);
    const early = loadWithoutValue(scan);
    if (early != null) return early;
    const value = scan.first!;
    this.presented = value;
    const raw = value.length == TOKEN_CHARS ? base64Decode(value, true) : null;
    if (raw == null || raw.length != TOKEN_BYTES) {
      this.services.count(this.backend.metrics.notFound, 1);
      return BackendLoad.unusable("cookie " + s.cookieName + " does not hold a session key");
    }
    this.cookieKey = this.backend.keyOf(raw);
    if (!this.call(RANGE_PATH, rangeBody(this.cookieKey), Step.LoadRange)) {
      return this.unavailable("the etcd callout to cluster " + this.backend.etcd.cluster + " could not be started");
    }
    return BackendLoad.pending();
  }

  resumeLoad(result: HttpCallResult): BackendLoad {
    if (result.token != this.token) return BackendLoad.pending();
    const step = this.step;
    this.step = Step.Idle;
    if (result.status != 200) {
      // A read changes nothing: one more try, which may reach another member (a leader change answers
      // 503 "leader changed" for a moment, a killed member refuses).
      if (!this.loadRetried && (result.status == 0 || result.status >= 500)) {
        this.loadRetried = true;
        const key = step == Step.LoadFollow ? this.key : this.cookieKey;
        if (this.call(RANGE_PATH, rangeBody(key), step)) return BackendLoad.pending();
      }
      return this.unavailable("reading the session from etcd failed: " + storeErrorOf(result.status, result.body));
    }
    const a = parseRange(result.body);
    if (a.error.length) return this.malformedOnLoad(a);
    const s = this.backend.settings;
    const m = this.backend.metrics;
    const now = this.services.nowMicros();
    if (a.kvs.length == 0) {
      this.services.count(m.notFound, 1);
      return BackendLoad.unusable("cookie " + s.cookieName + " names no stored session (forged, expired, replaced or deleted)");
    }
    const kv = a.kvs[0];
    const v = decodeValue(kv.value);
    if (v == null) {
      this.services.count(m.malformed, 1);
      return BackendLoad.unusable("the etcd key of cookie " + s.cookieName + " holds a value clicktrail cannot read");
    }
    if (v.kind == KIND_FORWARD) {
      if (step == Step.LoadFollow || v.instant <= now) {
        this.services.count(m.notFound, 1);
        return BackendLoad.unusable("cookie " + s.cookieName + " names a session replaced longer than session.etcd.grace_seconds ago");
      }
      this.key = byteStringFromBytes(v.rest);
      if (!this.call(RANGE_PATH, rangeBody(this.key), Step.LoadFollow)) {
        return this.unavailable("the etcd callout to cluster " + this.backend.etcd.cluster + " could not be started");
      }
      return BackendLoad.pending();
    }
    if (v.instant <= now) {
      this.services.count(m.expired, 1);
      if (this.services.logs(LogLevel.Debug)) {
        this.services.log(LogLevel.Debug, "clicktrail: session: the stored session has expired; an empty session was started");
      }
      return BackendLoad.none();
    }
    this.reach = step == Step.LoadFollow ? Reach.Previous : Reach.Current;
    if (this.reach == Reach.Current) this.key = this.cookieKey;
    this.modRevision = kv.modRevision;
    this.stored = v.rest.slice(0);
    this.services.count(m.found, 1);
    return BackendLoad.found(byteStringFromBytes(this.stored));
  }

  private unavailable(reason: string): BackendLoad {
    this.services.count(this.backend.metrics.unavailable, 1);
    return BackendLoad.unavailable(reason);
  }

  private malformedOnLoad(a: EtcdAnswer): BackendLoad {
    this.services.count(this.backend.metrics.malformed, 1);
    return this.unavailable("etcd answered the read with something clicktrail cannot use (" + a.error + ")");
  }

  // ------------------------------------------------------------------ save

  save(response: HeaderMap, encoded: string, maxAgeSeconds: i64, delta: SessionDelta): SaveOutcome {
    if (this.reach == Reach.None && !delta.hasUserKeys) {
      // A session with nothing in it gets no key and no cookie, as in the shared store.
      if (this.presented.length) this.expireCookie(response);
      return SaveOutcome.NotSaved;
    }
    return this.begin(response, encoded, maxAgeSeconds, delta, false);
  }

  remove(response: HeaderMap, delta: SessionDelta): SaveOutcome {
    if (this.reach == Reach.None) {
      this.expireCookie(response);
      return SaveOutcome.Saved;
    }
    return this.begin(response, "", 0, delta, true);
  }

  private begin(response: HeaderMap, encoded: string, maxAgeSeconds: i64, delta: SessionDelta, removing: bool): SaveOutcome {
    this.delta = delta;
    this.encoded = encoded;
    this.maxAgeSeconds = maxAgeSeconds;
    this.removing = removing;
    const now = this.services.nowMicros();
    this.expires = delta.expiryMicros > 0 ? delta.expiryMicros : now + <i64>this.backend.etcd.idleTimeoutSeconds * MICROS;
    this.bucket = this.expires / (LEASE_BUCKET_SECONDS * MICROS);
    return this.leaseThenWrite(response);
  }

  private leaseThenWrite(response: HeaderMap): SaveOutcome {
    if (this.backend.leaseFor(this.bucket).length) return this.write(response);
    const now = this.services.nowMicros();
    // The lease outlives every expiry of its bucket by one bucket.
    const end = (this.bucket + 2) * LEASE_BUCKET_SECONDS * MICROS;
    const ttl = max<i64>(LEASE_BUCKET_SECONDS, (end - now + MICROS - 1) / MICROS);
    if (!this.call(LEASE_GRANT_PATH, leaseGrantBody(ttl), Step.Grant)) return this.failSave(response, "the lease grant callout could not be started");
    return SaveOutcome.Pending;
  }

  /** One Txn attempt from `stored` / `modRevision`. */
  private write(response: HeaderMap): SaveOutcome {
    const delta = this.delta!;
    const settings = this.backend.etcd;
    const now = this.services.nowMicros();
    const lease = this.backend.leaseFor(this.bucket);
    this.newToken = null;
    if (this.reach == Reach.None) {
      // A new session: a new key, created only if absent.
      const payload = byteStringToBytes(this.encoded);
      if (payload.length > settings.maxValueBytes) return this.tooLarge(payload.length);
      const token = this.freshToken();
      if (token == null) return this.failSave(response, "the host's random source returned zeros");
      const key = this.backend.keyOf(token);
      this.newToken = token;
      this.writtenKey = key;
      this.written = encodeValue(KIND_SESSION, this.expires, payload);
      const body = txnBody([new TxnCompare(key, CompareTarget.Create, "0")], [TxnOp.put(key, this.written, lease)], "");
      return this.sendTxn(response, body);
    }
    let next: Uint8Array | null = this.unchanged ? delta.applyUnchanged(this.stored) : delta.apply(this.stored);
    if (next == null) next = this.stored;
    const compare = new TxnCompare(this.key, CompareTarget.Mod, this.modRevision);
    // A removal deletes only when the changes leave nothing: keys another request added since load stay.
    if (next.length == 0) {
      this.writtenKey = this.key;
      this.written = new Uint8Array(0);
      return this.sendTxn(response, txnBody([compare], [TxnOp.remove(this.key)], this.key));
    }
    if (next.length > settings.maxValueBytes) return this.tooLarge(next.length);
    const value = encodeValue(KIND_SESSION, this.expires, next);
    if (this.reach == Reach.Current && delta.modifiesData()) {
      const token = this.freshToken();
      if (token == null) return this.failSave(response, "the host's random source returned zeros");
      const key = this.backend.keyOf(token);
      this.newToken = token;
      this.writtenKey = key;
      this.written = value;
      const ops = [TxnOp.put(key, value, lease)];
      if (settings.graceSeconds > 0) {
        const until = now + <i64>settings.graceSeconds * MICROS;
        ops.push(TxnOp.put(this.key, encodeValue(KIND_FORWARD, until, byteStringToBytes(key)), lease));
      } else {
        ops.push(TxnOp.remove(this.key));
      }
      return this.sendTxn(response, txnBody([compare, new TxnCompare(key, CompareTarget.Create, "0")], ops, this.key));
    }
    this.writtenKey = this.key;
    this.written = value;
    return this.sendTxn(response, txnBody([compare], [TxnOp.put(this.key, value, lease)], this.key));
  }

  private sendTxn(response: HeaderMap, body: Uint8Array): SaveOutcome {
    this.lastTxn = body;
    if (!this.call(TXN_PATH, body, Step.Txn)) return this.failSave(response, "the txn callout could not be started");
    return SaveOutcome.Pending;
  }

  resumeSave(result: HttpCallResult, response: HeaderMap): SaveOutcome {
    if (result.token != this.token) return SaveOutcome.Pending;
    const step = this.step;
    this.step = Step.Idle;
    const m = this.backend.metrics;
    if (step == Step.Grant) {
      if (result.status != 200) return this.failSave(response, "granting a lease failed: " + storeErrorOf(result.status, result.body));
      const a = parseLeaseGrant(result.body);
      if (a.error.length) {
        this.services.count(m.malformed, 1);
        return this.failSave(response, a.error);
      }
      this.services.count(m.leaseGrants, 1);
      this.backend.rememberLease(this.bucket, a.leaseId, this.services.nowMicros());
      return this.write(response);
    }
    if (step == Step.ReadBack) return this.readBack(result, response);
    if (step == Step.SaveFollow) return this.followed(result, response);
    // Step.Txn
    if (result.status == 200) {
      const a = parseTxn(result.body);
      if (a.error.length) {
        this.services.count(m.malformed, 1);
        return this.ambiguous(response, a.error);
      }
      if (a.succeeded) return this.confirmed(response, false);
      return this.lostCompare(a, response);
    }
    const why = storeErrorOf(result.status, result.body);
    if (result.status != 0 && why.indexOf("lease not found") >= 0) {
      this.services.count(m.leaseNotFound, 1);
      this.backend.forgetLease(this.bucket);
      if (this.leaseRetried) return this.failSave(response, "etcd refused the newly granted lease too: " + why);
      this.leaseRetried = true;
      return this.leaseThenWrite(response);
    }
    if (result.status == 0 || result.status >= 500) return this.ambiguous(response, why);
    return this.failSave(response, "etcd refused the write: " + why);
  }

  /** The Txn's compare failed: re-apply the delta to what won, or give up. */
  private lostCompare(a: EtcdAnswer, response: HeaderMap): SaveOutcome {
    const m = this.backend.metrics;
    if (this.reach == Reach.None) return this.failSave(response, "a freshly drawn session key already existed");
    if (++this.attempt > this.backend.etcd.casRetries) {
      this.services.count(m.conflicts, 1);
      this.services.log(LogLevel.Warn, "clicktrail: session: etcd: the session kept changing for " + this.attempt.toString() +
        " attempts; this request's session changes are lost");
      return SaveOutcome.NotSaved;
    }
    this.services.count(m.casRetries, 1);
    return this.reapplyTo(a, response, false);
  }

  /** Continues a save from the current value of `key` (as a failed Txn or a follow read it). */
  private reapplyTo(a: EtcdAnswer, response: HeaderMap, followed: bool): SaveOutcome {
    const now = this.services.nowMicros();
    const v = a.kvs.length ? decodeValue(a.kvs[0].value) : null;
    if (v == null || (v.kind == KIND_SESSION && v.instant <= now) || (v.kind == KIND_FORWARD && (followed || v.instant <= now))) {
      return this.gone(response);
    }
    if (v.kind == KIND_FORWARD) {
      // Another request changed the session and gave it a new key: this one goes on as a previous-key
      // request, keeps its own cookie and saves into the new key.
      this.reach = Reach.Previous;
      this.key = byteStringFromBytes(v.rest);
      if (!this.call(RANGE_PATH, rangeBody(this.key), Step.SaveFollow)) return this.failSave(response, "the range callout could not be started");
      return SaveOutcome.Pending;
    }
    this.modRevision = a.kvs[0].modRevision;
    this.stored = v.rest.slice(0);
    this.unchanged = false;
    return this.write(response);
  }

  private followed(result: HttpCallResult, response: HeaderMap): SaveOutcome {
    if (result.status != 200) return this.failSave(response, "reading the replaced session failed: " + storeErrorOf(result.status, result.body));
    const a = parseRange(result.body);
    if (a.error.length) {
      this.services.count(this.backend.metrics.malformed, 1);
      return this.failSave(response, a.error);
    }
    return this.reapplyTo(a, response, true);
  }

  /** No answer, or one that cannot be read: the Txn may have been applied. Read the key back. */
  private ambiguous(response: HeaderMap, why: string): SaveOutcome {
    this.services.log(LogLevel.Warn, "clicktrail: session: etcd: the write's outcome is unknown (" + why + "); reading it back");
    if (!this.call(RANGE_PATH, rangeBody(this.writtenKey), Step.ReadBack)) return this.unconfirmed(response, "the read-back could not be started");
    return SaveOutcome.Pending;
  }

  private readBack(result: HttpCallResult, response: HeaderMap): SaveOutcome {
    let why = "";
    if (result.status != 200) {
      why = storeErrorOf(result.status, result.body);
    } else {
      const a = parseRange(result.body);
      if (a.error.length) {
        this.services.count(this.backend.metrics.malformed, 1);
        why = a.error;
      } else {
        const deleted = this.written.length == 0;
        if (deleted ? a.kvs.length == 0 : a.kvs.length == 1 && bytesEqual(a.kvs[0].value, this.written)) return this.confirmed(response, true);
        why = "the key does not hold what was written";
      }
    }
    // Not applied, or not known: the same Txn again is safe, since its compare fails if the first one
    // was applied after all (and that failure re-reads and re-applies as any lost compare does).
    if (this.attempt < this.backend.etcd.casRetries) {
      this.attempt++;
      this.services.count(this.backend.metrics.casRetries, 1);
      if (this.call(TXN_PATH, this.lastTxn, Step.Txn)) return SaveOutcome.Pending;
    }
    return this.unconfirmed(response, why);
  }

  private confirmed(response: HeaderMap, byReadBack: bool): SaveOutcome {
    const m = this.backend.metrics;
    const s = this.backend.settings;
    if (byReadBack) this.services.count(m.confirmedByReadBack, 1);
    if (this.written.length == 0) {
      this.services.count(m.removed, 1);
      this.debug("the session was removed from etcd");
      this.expireCookie(response);
      return SaveOutcome.Saved;
    }
    const token = this.newToken;
    if (token != null) {
      this.services.count(this.reach == Reach.None ? m.created : m.rotated, 1);
      this.debug(this.reach == Reach.None ? "a new session was stored in etcd" : "the changed session was stored in etcd under a new key");
      this.setCookie(response, base64Encode(token, true, false), this.maxAgeSeconds);
      this.reach = Reach.Current;
      this.key = this.writtenKey;
      return SaveOutcome.Saved;
    }
    this.services.count(m.updated, 1);
    this.debug("the session was updated in etcd");
    if (this.reach == Reach.Current && this.maxAgeSeconds > 0 && !this.removing) this.setCookie(response, this.presented, this.maxAgeSeconds);
    return SaveOutcome.Saved;
  }

  private gone(response: HeaderMap): SaveOutcome {
    this.services.count(this.backend.metrics.gone, 1);
    this.services.log(LogLevel.Info, "clicktrail: session: etcd: the stored session was removed or replaced during the request; its changes were not saved");
    if (this.removing) {
      this.expireCookie(response);
      return SaveOutcome.Saved;
    }
    return SaveOutcome.NotSaved;
  }

  private unconfirmed(response: HeaderMap, why: string): SaveOutcome {
    this.services.count(this.backend.metrics.unconfirmed, 1);
    this.services.log(LogLevel.Error, "clicktrail: session: etcd: the write could not be confirmed (" + why +
      "); no cookie was set and the client keeps its previous one");
    return SaveOutcome.NotSaved;
  }

  private failSave(response: HeaderMap, why: string): SaveOutcome {
    this.services.count(this.backend.metrics.saveFailed, 1);
    this.services.log(LogLevel.Error, "clicktrail: session: etcd: the session was not saved: " + why +
      "; no cookie was set and the client keeps its previous one");
    return SaveOutcome.NotSaved;
  }

  private tooLarge(length: i32): SaveOutcome {
    this.services.count(this.backend.metrics.tooLarge, 1);
    this.services.log(LogLevel.Warn, "clicktrail: session: etcd: a session of " + length.toString() +
      " bytes exceeds session.etcd.max_value_bytes (" + this.backend.etcd.maxValueBytes.toString() + "); not saved");
    return SaveOutcome.NotSaved;
  }

  // ------------------------------------------------------------------ helpers

  private call(path: string, body: Uint8Array, step: Step): bool {
    const e = this.backend.etcd;
    const token = this.services.httpCall(e.cluster, "POST", path, body, <u32>e.timeoutMillis);
    if (token == 0) return false;
    this.token = token;
    this.step = step;
    return true;
  }

  private freshToken(): Uint8Array | null {
    const t = new Uint8Array(TOKEN_BYTES);
    this.services.fillRandom(t);
    return allZero(t) ? null : t;
  }

  private debug(message: string): void {
    if (this.services.logs(LogLevel.Debug)) this.services.log(LogLevel.Debug, "clicktrail: session: etcd: " + message);
  }

  private setCookie(response: HeaderMap, value: string, maxAgeSeconds: i64): void {
    setStoreCookie(this.backend.settings, response, value, maxAgeSeconds);
  }

  private expireCookie(response: HeaderMap): void { expireStoreCookie(this.backend.settings, response); }
}
