import {
  SharedSessionStore, SessionDelta, LoadedSession, TokenStatus, SaveStatus, SaveResult, slotCode,
} from "../../../assembly/session/shared-store";
import { SharedStoreSettings, WhenFull } from "../../../assembly/session/shared-settings";
import { byteStringFromBytes, byteStringToBytes, byteStringFromBuffer, byteStringToBuffer } from "../../../assembly/core/bytes";
import { hexEncode } from "../../../assembly/codecs/hex";
import { FakeServices, FakeSharedData, SharedDataHook, CasModel } from "../support/fake-services";

const M = "clicktrail.session.store.";
const SEC: i64 = 1_000_000;

function b(s: string): Uint8Array { return byteStringToBytes(s); }
function t(u: Uint8Array): string { return byteStringFromBytes(u); }

function config(capacity: i32): SharedStoreSettings {
  const s = new SharedStoreSettings();
  s.capacity = capacity;
  return s;
}

/** A session payload "k=v;k=v" (keys sorted) and a delta that sets and deletes keys in it. */
class KeyDelta extends SessionDelta {
  sets: Map<string, string> = new Map<string, string>();
  deletes: string[] = [];
  applied: i32 = 0;

  set(k: string, v: string): KeyDelta { this.sets.set(k, v); return this; }
  remove(k: string): KeyDelta { this.deletes.push(k); return this; }

  apply(stored: Uint8Array): Uint8Array | null {
    this.applied++;
    const m = new Map<string, string>();
    const text = t(stored);
    if (text.length > 0) {
      const parts = text.split(";");
      for (let i = 0; i < parts.length; i++) {
        const eq = parts[i].indexOf("=");
        if (eq > 0) m.set(parts[i].substring(0, eq), parts[i].substring(eq + 1));
      }
    }
    let changed = false;
    const keys = this.sets.keys();
    for (let i = 0; i < keys.length; i++) {
      if (!m.has(keys[i]) || m.get(keys[i]) != this.sets.get(keys[i])) changed = true;
      m.set(keys[i], this.sets.get(keys[i]));
    }
    for (let i = 0; i < this.deletes.length; i++) {
      if (m.has(this.deletes[i])) { m.delete(this.deletes[i]); changed = true; }
    }
    if (!changed) return null;
    const all = m.keys().sort();
    const out = new Array<string>();
    for (let i = 0; i < all.length; i++) out.push(all[i] + "=" + m.get(all[i]));
    return b(out.join(";"));
  }
}

/** Replaces the payload with a fixed one that carries no change of data (only its expiry moved). */
class Reencode extends SessionDelta {
  constructor(public text: string) { super(); }
  apply(stored: Uint8Array): Uint8Array | null { return b(this.text); }
  modifiesData(): bool { return false; }
}

/** A KeyDelta that records whether the store asked for the unchanged-since-load shortcut. */
class TracingDelta extends KeyDelta {
  calls: string[] = [];
  apply(stored: Uint8Array): Uint8Array | null { this.calls.push("apply"); return super.apply(stored); }
  applyUnchanged(stored: Uint8Array): Uint8Array | null { this.calls.push("unchanged"); return super.apply(stored); }
  trace(): string { return this.calls.join(","); }
}

/** Runs another worker's update of a session in the middle of this worker's write. */
class ConcurrentUpdate extends SharedDataHook {
  result: SaveResult | null = null;
  constructor(public store: SharedSessionStore, public cookie: string, public delta: KeyDelta) { super(); }
  beforeSet(key: string): void {
    const s = this.store.load(this.cookie);
    this.result = this.store.update(s, this.delta, 0);
  }
}

/** Runs another worker's create in the middle of this worker's write. */
class ConcurrentCreate extends SharedDataHook {
  result: SaveResult | null = null;
  constructor(public store: SharedSessionStore, public payload: string) { super(); }
  beforeSet(key: string): void { this.result = this.store.create(b(this.payload), 0); }
}

function statusOf(store: SharedSessionStore, cookie: string): TokenStatus { return store.load(cookie).status; }
function payloadOf(store: SharedSessionStore, cookie: string): string { return t(store.load(cookie).payload); }

describe("shared session store: create and load", () => {
  it("issues a 26-character cookie naming the slot, and stores header plus payload under prefix + slot", () => {
    const sv = new FakeServices();
    const store = new SharedSessionStore(config(100), sv);
    const r = store.create(b("user=alice"), 0);
    expect(r.status).toBe(SaveStatus.Saved);
    expect(r.cookie.length).toBe(26);
    expect(r.cookie.substring(0, 4)).toBe(slotCode(r.slot));
    expect(sv.shared.keyCount()).toBe(1);
    expect(sv.shared.has("clicktrail/" + slotCode(r.slot))).toBe(true);
    expect(sv.shared.valueLength("clicktrail/" + slotCode(r.slot))).toBe(72 + 10);
    expect(sv.metric(M + "created")).toBe(1);
    const s = store.load(r.cookie);
    expect(s.status).toBe(TokenStatus.Current);
    expect(t(s.payload)).toBe("user=alice");
    expect(s.slot).toBe(r.slot);
    expect(s.expiresMicros).toBe(0);
    expect(s.createdMicros).toBe(sv.now);
  });

  it("lays the value out as documented", () => {
    const sv = new FakeServices();
    const store = new SharedSessionStore(config(1), sv);
    // The token is the first 16 random bytes drawn by create.
    for (let i = 0; i < 16; i++) sv.scripted.push(<u8>(i + 1));
    sv.now = 0x0102030405060708;
    const r = store.create(b("xy"), 0x1122334455667788);
    expect(r.cookie).toBe("AAAAAQIDBAUGBwgJCgsMDQ4PEA");
    const raw = byteStringToBytes(byteStringFromBuffer(sv.shared.get("clicktrail/AAAA")!.value));
    expect(hexEncode(raw.subarray(0, 28))).toBe(
      "01010000" + "8877665544332211" + "0807060504030201" + "0807060504030201");
    // The first half of SHA-256(01 02 .. 10), computed with node:crypto.
    expect(hexEncode(raw.subarray(28, 44))).toBe("5dfbabeedf318bf33c0927c43d7630f5");
    expect(hexEncode(raw.subarray(44, 72))).toBe("00000000000000000000000000000000" + "0000000000000000" + "02000000");
    expect(t(raw.subarray(72))).toBe("xy");
  });

  it("reports a session's own expiry and refuses it once passed", () => {
    const sv = new FakeServices();
    const store = new SharedSessionStore(config(10), sv);
    const r = store.create(b("a=1"), sv.now + 60 * SEC);
    expect(store.load(r.cookie).expiresMicros).toBe(sv.now + 60 * SEC);
    sv.advanceSeconds(59);
    expect(statusOf(store, r.cookie)).toBe(TokenStatus.Current);
    sv.advanceSeconds(1);
    const s = store.load(r.cookie);
    expect(s.status).toBe(TokenStatus.Expired);
    expect(s.payload.length).toBe(0);
    expect(s.found).toBe(false);
    expect(store.update(s, new KeyDelta().set("b", "2"), 0).status).toBe(SaveStatus.Gone);
  });

  it("keeps a session without expiry for idle_timeout after its last use, refreshing at half-life", () => {
    const sv = new FakeServices();
    const st = config(10);
    st.idleTimeoutSeconds = 100;
    const store = new SharedSessionStore(st, sv);
    const r = store.create(b("a=1"), 0);
    const key = store.keyOf(r.slot);
    const cas0 = sv.shared.casOf(key);
    sv.advanceSeconds(40);
    expect(statusOf(store, r.cookie)).toBe(TokenStatus.Current);
    expect(sv.shared.casOf(key)).toBe(cas0); // more than half left: no write
    sv.advanceSeconds(20);
    expect(statusOf(store, r.cookie)).toBe(TokenStatus.Current);
    expect(sv.shared.casOf(key) != cas0).toBe(true); // refreshed to now + 100 s
    sv.advanceSeconds(99);
    expect(statusOf(store, r.cookie)).toBe(TokenStatus.Current);
    sv.advanceSeconds(101);
    expect(statusOf(store, r.cookie)).toBe(TokenStatus.Expired);
  });

  it("reads every malformed or forged key as no session", () => {
    const sv = new FakeServices();
    const store = new SharedSessionStore(config(10), sv);
    const r = store.create(b("secret=1"), 0);
    expect(statusOf(store, "")).toBe(TokenStatus.NoCookie);
    expect(statusOf(store, "abc")).toBe(TokenStatus.Malformed);
    expect(statusOf(store, r.cookie + "A")).toBe(TokenStatus.Malformed);
    expect(statusOf(store, r.cookie.substring(0, 25) + "=")).toBe(TokenStatus.Malformed);
    expect(statusOf(store, r.cookie.substring(0, 25) + "\u0100")).toBe(TokenStatus.Malformed);
    expect(statusOf(store, r.cookie.substring(0, 25) + "B")).toBe(TokenStatus.Malformed); // non-canonical bits
    // Right shape, right slot, wrong token: forged.
    const last = r.cookie.charAt(24) == "A" ? "Q" : "A";
    const forged = r.cookie.substring(0, 24) + last + "A";
    const f = store.load(forged);
    expect(f.status).toBe(TokenStatus.Invalid);
    expect(f.payload.length).toBe(0);
    expect(store.update(f, new KeyDelta().set("x", "1"), 0).status).toBe(SaveStatus.Gone);
    expect(store.destroy(f).status).toBe(SaveStatus.Gone);
    // A slot beyond the capacity, and a free slot.
    expect(statusOf(store, "____" + r.cookie.substring(4))).toBe(TokenStatus.Invalid);
    const other = slotCode(r.slot == 0 ? 1 : 0);
    expect(statusOf(store, other + r.cookie.substring(4))).toBe(TokenStatus.Invalid);
    expect(payloadOf(store, r.cookie)).toBe("secret=1");
  });

  it("refuses sessions larger than max_value_bytes", () => {
    const sv = new FakeServices();
    const st = config(10);
    st.maxValueBytes = 16;
    const store = new SharedSessionStore(st, sv);
    expect(store.create(b("0123456789abcdefg"), 0).status).toBe(SaveStatus.TooLarge);
    const r = store.create(b("0123456789abcdef"), 0);
    expect(r.status).toBe(SaveStatus.Saved);
    const s = store.load(r.cookie);
    expect(store.update(s, new KeyDelta().set("k", "0123456789abcdef"), 0).status).toBe(SaveStatus.TooLarge);
    expect(payloadOf(store, r.cookie)).toBe("0123456789abcdef");
    expect(sv.metric(M + "too_large")).toBe(2);
    expect(sv.logLines[0]).toBe("warn: clicktrail: session store: a session of 17 bytes exceeds session.shared.max_value_bytes (16); not saved");
  });

  it("issues no token when the host's random source yields zeros", () => {
    const sv = new FakeServices();
    const store = new SharedSessionStore(config(10), sv);
    sv.randomBroken = true;
    expect(store.create(b("a=1"), 0).status).toBe(SaveStatus.Failed);
    expect(sv.shared.keyCount()).toBe(0);
    expect(sv.logText()).toBe("error: clicktrail: session store: the host's random source returned zeros; no session token issued");
  });

  it("reports a write the host refuses", () => {
    const sv = new FakeServices();
    const store = new SharedSessionStore(config(10), sv);
    const r = store.create(b("a=1"), 0);
    sv.shared.failWrites = true;
    const s = store.load(r.cookie);
    expect(store.update(s, new KeyDelta().set("b", "2"), 0).status).toBe(SaveStatus.Failed);
    expect(sv.logText()).toBe("error: clicktrail: session store: the host refused to write " + store.keyOf(r.slot));
    expect(store.create(b("c=3"), 0).status).toBe(SaveStatus.Failed);
  });

  it("uses the configured key prefix, whatever the plugin's name", () => {
    const sv = new FakeServices();
    sv.plugin = "default.shop";
    const st = config(3);
    st.keyPrefix = "edge/sess:";
    st.keyPrefixConfigured = true;
    const store = new SharedSessionStore(st, sv);
    const r = store.create(b("a=1"), 0);
    expect(sv.shared.keys()[0]).toBe("edge/sess:" + slotCode(r.slot));
    expect(sv.pluginNameReads).toBe(0);
  });

  it("without key_prefix, derives the prefix from the plugin's name at the first request, once", () => {
    const sv = new FakeServices();
    sv.plugin = "default.a";
    const store = new SharedSessionStore(config(3), sv);
    expect(sv.pluginNameReads).toBe(0);
    const r = store.create(b("a=1"), 0);
    expect(sv.shared.keys()[0]).toBe("default.a/" + slotCode(r.slot));
    expect(store.load(r.cookie).status).toBe(TokenStatus.Current);
    expect(sv.pluginNameReads).toBe(1);
    // A host without the property: the prefix the store always had.
    const none = new FakeServices();
    const r2 = new SharedSessionStore(config(3), none).create(b("a=1"), 0);
    expect(none.shared.keys()[0]).toBe("clicktrail/" + slotCode(r2.slot));
  });

  it("two plugins of one proxy with different names and no key_prefix keep apart in one shared data", () => {
    const shared = new FakeSharedData();
    const sa = new FakeServices(shared, 1);
    sa.plugin = "default.a";
    const sb = new FakeServices(shared, 1); // the same randomness: both would pick the same slot and token
    sb.plugin = "default.b";
    const a = new SharedSessionStore(config(1), sa);
    const bStore = new SharedSessionStore(config(1), sb);
    const ra = a.create(b("u=alice"), 0);
    const rb = bStore.create(b("u=bob"), 0);
    expect(ra.status).toBe(SaveStatus.Saved);
    expect(rb.status).toBe(SaveStatus.Saved);
    expect(ra.cookie).toBe(rb.cookie);
    expect(t(a.load(ra.cookie).payload)).toBe("u=alice");
    expect(t(bStore.load(rb.cookie).payload)).toBe("u=bob");
    expect(shared.keyCount()).toBe(2);
  });

  it("does not sweep before a request has read the plugin's name (ngx_wasm_module cannot answer it in on_tick)", () => {
    const sv = new FakeServices();
    sv.plugin = "default.a";
    const st = config(4);
    st.sweepSlotsPerTick = 4;
    const store = new SharedSessionStore(st, sv);
    store.sweep();
    expect(sv.shared.gets).toBe(0);
    expect(sv.pluginNameReads).toBe(0);
    store.load("");
    expect(sv.pluginNameReads).toBe(0); // no cookie, no key needed
    store.create(b("a=1"), 0);
    const gets = sv.shared.gets;
    store.sweep();
    expect(sv.shared.gets - gets).toBe(4);
    expect(sv.pluginNameReads).toBe(1);
  });

  it("sweeps at once with a configured key_prefix", () => {
    const sv = new FakeServices();
    const st = config(4);
    st.sweepSlotsPerTick = 4;
    st.keyPrefixConfigured = true;
    const store = new SharedSessionStore(st, sv);
    store.sweep();
    expect(sv.shared.gets).toBe(4);
    expect(sv.pluginNameReads).toBe(0);
  });
});

describe("shared session store: updates, rotation and grace", () => {
  it("gives a changed session a new token and keeps the old one for grace_seconds, read-only for its holder", () => {
    const sv = new FakeServices();
    const store = new SharedSessionStore(config(10), sv);
    const c1 = store.create(b("a=1"), 0).cookie;
    const s = store.load(c1);
    const r = store.update(s, new KeyDelta().set("b", "2"), 0);
    expect(r.status).toBe(SaveStatus.Saved);
    expect(r.cookie.length).toBe(26);
    expect(r.cookie != c1).toBe(true);
    expect(r.cookie.substring(0, 4)).toBe(c1.substring(0, 4)); // same slot
    const c2 = r.cookie;
    expect(statusOf(store, c2)).toBe(TokenStatus.Current);
    expect(payloadOf(store, c2)).toBe("a=1;b=2");
    // The old token still opens the session during the grace period...
    sv.advanceSeconds(9);
    const old = store.load(c1);
    expect(old.status).toBe(TokenStatus.Previous);
    expect(t(old.payload)).toBe("a=1;b=2");
    // ...and its changes are kept, but it is not told the new token, nor does it rotate it.
    const r2 = store.update(old, new KeyDelta().set("c", "3"), 0);
    expect(r2.status).toBe(SaveStatus.Saved);
    expect(r2.cookie).toBe("");
    expect(payloadOf(store, c2)).toBe("a=1;b=2;c=3");
    expect(statusOf(store, c2)).toBe(TokenStatus.Current);
    // After the grace period the old token is worthless.
    sv.advanceSeconds(1);
    expect(statusOf(store, c1)).toBe(TokenStatus.Invalid);
    expect(payloadOf(store, c1)).toBe("");
    expect(statusOf(store, c2)).toBe(TokenStatus.Current);
  });

  it("keeps only the token before the last change", () => {
    const sv = new FakeServices();
    const store = new SharedSessionStore(config(10), sv);
    const c1 = store.create(b("a=1"), 0).cookie;
    const c2 = store.update(store.load(c1), new KeyDelta().set("a", "2"), 0).cookie;
    const c3 = store.update(store.load(c2), new KeyDelta().set("a", "3"), 0).cookie;
    expect(statusOf(store, c1)).toBe(TokenStatus.Invalid);
    expect(statusOf(store, c2)).toBe(TokenStatus.Previous);
    expect(statusOf(store, c3)).toBe(TokenStatus.Current);
  });

  it("rotates without grace when grace_seconds is 0", () => {
    const sv = new FakeServices();
    const st = config(10);
    st.graceSeconds = 0;
    const store = new SharedSessionStore(st, sv);
    const c1 = store.create(b("a=1"), 0).cookie;
    const c2 = store.update(store.load(c1), new KeyDelta().set("a", "2"), 0).cookie;
    expect(statusOf(store, c1)).toBe(TokenStatus.Invalid);
    expect(payloadOf(store, c2)).toBe("a=2");
  });

  it("lets a second save in one request use the token the first one issued", () => {
    const sv = new FakeServices();
    const store = new SharedSessionStore(config(10), sv);
    const c1 = store.create(b("a=1"), 0).cookie;
    const s = store.load(c1);
    const c2 = store.update(s, new KeyDelta().set("b", "2"), 0).cookie;
    const r = store.update(s, new KeyDelta().set("c", "3"), 0);
    expect(r.cookie.length).toBe(26);
    expect(statusOf(store, r.cookie)).toBe(TokenStatus.Current);
    expect(statusOf(store, c2)).toBe(TokenStatus.Previous);
    expect(t(s.payload)).toBe("a=1;b=2;c=3");
  });

  it("does not rotate or write when nothing changed, and moves the expiry without rotating", () => {
    const sv = new FakeServices();
    const store = new SharedSessionStore(config(10), sv);
    const exp = sv.now + 300 * SEC;
    const c1 = store.create(b("a=1"), exp).cookie;
    const s = store.load(c1);
    const sets = sv.shared.sets;
    expect(store.update(s, new KeyDelta().set("a", "1"), exp).status).toBe(SaveStatus.Unchanged);
    expect(store.update(s, null, exp).status).toBe(SaveStatus.Unchanged);
    expect(sv.shared.sets).toBe(sets);
    sv.advanceSeconds(100);
    const r = store.update(s, null, sv.now + 300 * SEC);
    expect(r.status).toBe(SaveStatus.Saved);
    expect(r.cookie).toBe("");
    expect(sv.shared.sets).toBe(sets + 1);
    expect(store.load(c1).expiresMicros).toBe(sv.now + 300 * SEC);
    expect(statusOf(store, c1)).toBe(TokenStatus.Current);
  });

  it("rewrites the payload without rotating when the delta only re-encodes it", () => {
    const sv = new FakeServices();
    const store = new SharedSessionStore(config(10), sv);
    const c1 = store.create(b("expiry=100&a=1"), sv.now + 100 * SEC).cookie;
    const s = store.load(c1);
    const r = store.update(s, new Reencode("expiry=200&a=1"), sv.now + 200 * SEC);
    expect(r.status).toBe(SaveStatus.Saved);
    expect(r.cookie).toBe("");
    expect(statusOf(store, c1)).toBe(TokenStatus.Current);
    expect(payloadOf(store, c1)).toBe("expiry=200&a=1");
    expect(store.load(c1).expiresMicros).toBe(sv.now + 200 * SEC);
  });

  it("frees the slot when the session becomes empty, and on destroy", () => {
    const sv = new FakeServices();
    const store = new SharedSessionStore(config(10), sv);
    const c1 = store.create(b("a=1"), 0);
    const r = store.update(store.load(c1.cookie), new KeyDelta().remove("a"), 0);
    expect(r.status).toBe(SaveStatus.Destroyed);
    expect(sv.shared.valueLength(store.keyOf(c1.slot))).toBe(4);
    expect(statusOf(store, c1.cookie)).toBe(TokenStatus.Invalid);

    const c2 = store.create(b("b=2"), 0);
    const c3 = store.update(store.load(c2.cookie), new KeyDelta().set("b", "3"), 0).cookie;
    const s = store.load(c2.cookie); // previous token, within grace
    expect(s.status).toBe(TokenStatus.Previous);
    expect(store.destroy(s).status).toBe(SaveStatus.Destroyed);
    expect(statusOf(store, c3)).toBe(TokenStatus.Invalid);
    expect(statusOf(store, c2.cookie)).toBe(TokenStatus.Invalid);
    expect(store.destroy(s).status).toBe(SaveStatus.Gone);
  });

  it("reuses a freed slot first", () => {
    const sv = new FakeServices();
    const store = new SharedSessionStore(config(1000), sv);
    const c1 = store.create(b("a=1"), 0);
    store.destroy(store.load(c1.cookie));
    expect(store.create(b("b=2"), 0).slot).toBe(c1.slot);
  });
});

/** In a one-slot store, another worker creates the key this one saw absent just before this one writes it. */
function createLosesToConcurrentCreate(model: CasModel): void {
  const shared = new FakeSharedData(model);
  const a = new SharedSessionStore(config(1), new FakeServices(shared, 11));
  const b2 = new SharedSessionStore(config(1), new FakeServices(shared, 22));
  const theirs = new ConcurrentCreate(b2, "theirs=1");
  shared.nextSetHook = theirs;
  const r = a.create(b("mine=1"), 0);
  expect(theirs.result!.status).toBe(SaveStatus.Saved);
  expect(r.status).toBe(SaveStatus.Full);
  expect(payloadOf(a, theirs.result!.cookie)).toBe("theirs=1");
}

describe("shared session store: two workers", () => {
  it("keeps both changes when another worker updates between read and write (Envoy CAS)", () => {
    const shared = new FakeSharedData(CasModel.Envoy);
    const w1 = new FakeServices(shared, 11);
    const w2 = new FakeServices(shared, 22);
    const a = new SharedSessionStore(config(50), w1);
    const b2 = new SharedSessionStore(config(50), w2);
    const c1 = a.create(b("x=0"), 0).cookie;

    const s = a.load(c1);
    const mine = new KeyDelta().set("a", "1");
    const theirs = new ConcurrentUpdate(b2, c1, new KeyDelta().set("b", "2"));
    shared.nextSetHook = theirs;
    const r = a.update(s, mine, 0);
    // Worker 2 rotated the token first; worker 1's retry found its token previous and merged into it.
    expect(theirs.result!.status).toBe(SaveStatus.Saved);
    expect(theirs.result!.cookie.length).toBe(26);
    expect(r.status).toBe(SaveStatus.Saved);
    expect(r.cookie).toBe("");
    expect(mine.applied).toBe(2);
    expect(s.status).toBe(TokenStatus.Previous);
    expect(w1.metric(M + "cas_retries")).toBe(1);
    expect(payloadOf(a, theirs.result!.cookie)).toBe("a=1;b=2;x=0");
  });

  it("keeps both changes under NGINX's per-key CAS too", () => {
    const shared = new FakeSharedData(CasModel.Nginx);
    const w1 = new FakeServices(shared, 11);
    const w2 = new FakeServices(shared, 22);
    const a = new SharedSessionStore(config(50), w1);
    const b2 = new SharedSessionStore(config(50), w2);
    const c1 = a.create(b("x=0"), 0).cookie;
    expect(shared.keyCount()).toBe(1);
    const theirs = new ConcurrentUpdate(b2, c1, new KeyDelta().set("b", "2"));
    shared.nextSetHook = theirs;
    const r = a.update(a.load(c1), new KeyDelta().set("a", "1").remove("x"), 0);
    expect(r.status).toBe(SaveStatus.Saved);
    expect(payloadOf(b2, theirs.result!.cookie)).toBe("a=1;b=2");
  });

  it("merges when the other worker's change came first and this request holds the current token", () => {
    const shared = new FakeSharedData();
    const w1 = new FakeServices(shared, 11);
    const w2 = new FakeServices(shared, 22);
    const a = new SharedSessionStore(config(50), w1);
    const b2 = new SharedSessionStore(config(50), w2);
    const c1 = a.create(b("x=0"), 0).cookie;
    const s1 = a.load(c1);
    const s2 = b2.load(c1);
    // Worker 2 finishes first; worker 1 then writes with its (now previous) token.
    const r2 = b2.update(s2, new KeyDelta().set("b", "2"), 0);
    const r1 = a.update(s1, new KeyDelta().set("a", "1"), 0);
    expect(r1.status).toBe(SaveStatus.Saved);
    expect(r1.cookie).toBe("");
    expect(payloadOf(a, r2.cookie)).toBe("a=1;b=2;x=0");
  });

  it("takes the unchanged-since-load shortcut only while the slot's CAS is the one loaded", () => {
    const shared = new FakeSharedData();
    const w1 = new FakeServices(shared, 11);
    const w2 = new FakeServices(shared, 22);
    const a = new SharedSessionStore(config(50), w1);
    const b2 = new SharedSessionStore(config(50), w2);
    const c1 = a.create(b("x=0"), 0).cookie;
    const plain = new TracingDelta();
    plain.set("a", "1");
    const s = a.load(c1);
    a.update(s, plain, 0);
    expect(plain.trace()).toBe("unchanged");
    // A second save in the same request cannot know the CAS it wrote: no shortcut.
    const again = new TracingDelta();
    again.set("a", "2");
    const c3 = a.update(s, again, 0).cookie;
    expect(again.trace()).toBe("apply");
    // Another worker writes between this worker's read and write: the retry re-applies.
    const raced = new TracingDelta();
    raced.set("c", "3");
    const s3 = a.load(c3);
    const theirs = new ConcurrentUpdate(b2, c3, new KeyDelta().set("d", "4"));
    shared.nextSetHook = theirs;
    a.update(s3, raced, 0);
    expect(raced.trace()).toBe("unchanged,apply");
    expect(payloadOf(a, theirs.result!.cookie)).toBe("a=2;c=3;d=4;x=0");
  });

  it("gives up after cas_retries attempts when the session keeps changing", () => {
    const shared = new FakeSharedData();
    const w1 = new FakeServices(shared, 11);
    const w2 = new FakeServices(shared, 22);
    const st = config(50);
    st.casRetries = 0;
    const a = new SharedSessionStore(st, w1);
    const b2 = new SharedSessionStore(config(50), w2);
    const c1 = a.create(b("x=0"), 0).cookie;
    shared.nextSetHook = new ConcurrentUpdate(b2, c1, new KeyDelta().set("b", "2"));
    const r = a.update(a.load(c1), new KeyDelta().set("a", "1"), 0);
    expect(r.status).toBe(SaveStatus.Conflict);
    expect(w1.logText()).toBe("warn: clicktrail: session store: slot " + a.keyOf(r.slot) +
      " kept changing for 1 attempts; this request's session changes are lost");
  });

  it("never overwrites a key another worker created after this one saw it absent (Envoy)", () => {
    createLosesToConcurrentCreate(CasModel.Envoy);
  });

  it("never overwrites a key another worker created after this one saw it absent (NGINX)", () => {
    createLosesToConcurrentCreate(CasModel.Nginx);
  });

  it("creates keys on NGINX, where an absent key takes only CAS 0, and survives eviction", () => {
    const shared = new FakeSharedData(CasModel.Nginx);
    const sv = new FakeServices(shared);
    const store = new SharedSessionStore(config(4), sv);
    const r = store.create(b("a=1"), 0);
    expect(r.status).toBe(SaveStatus.Saved);
    expect(shared.casOf(store.keyOf(r.slot))).toBe(1);
    const c2 = store.update(store.load(r.cookie), new KeyDelta().set("b", "2"), 0).cookie;
    expect(shared.casOf(store.keyOf(r.slot))).toBe(2);
    shared.evict(store.keyOf(r.slot));
    expect(statusOf(store, c2)).toBe(TokenStatus.Invalid);
    expect(store.create(b("c=3"), 0).status).toBe(SaveStatus.Saved);
  });

  it("sees a session created on one worker from the other", () => {
    const shared = new FakeSharedData();
    const a = new SharedSessionStore(config(50), new FakeServices(shared, 11));
    const b2 = new SharedSessionStore(config(50), new FakeServices(shared, 22));
    const c = a.create(b("u=1"), 0).cookie;
    expect(payloadOf(b2, c)).toBe("u=1");
  });
});

describe("shared session store: capacity, eviction and sweep", () => {
  it("never makes more keys than capacity and refuses when full", () => {
    const sv = new FakeServices();
    const st = config(16);
    st.probes = 64;
    const store = new SharedSessionStore(st, sv);
    let made = 0;
    for (let i = 0; i < 100; i++) {
      const r = store.create(b("n=" + i.toString()), 0);
      if (r.status == SaveStatus.Saved) made++;
      else expect(r.status).toBe(SaveStatus.Full);
    }
    expect(made).toBe(16);
    expect(sv.shared.keyCount()).toBe(16);
    expect(sv.metric(M + "full")).toBe(84);
    expect(sv.metric(M + "created")).toBe(16);
    expect(sv.metric(M + "evicted")).toBe(0);
  });

  it("bounds the work of a create by probes", () => {
    const sv = new FakeServices();
    const st = config(1000);
    st.probes = 3;
    const store = new SharedSessionStore(st, sv);
    for (let i = 0; i < 1000; i++) sv.shared.plant(store.keyOf(i), byteStringToBuffer("\x01\x01"));
    const gets = sv.shared.gets;
    expect(store.create(b("a=1"), 0).status).toBe(SaveStatus.Saved); // corrupt slots are claimable
    expect(sv.shared.gets - gets).toBe(1);
  });

  it("reads at most 2 × probes slots when every slot is live", () => {
    const sv = new FakeServices();
    const st = config(20);
    st.probes = 64;
    const store = new SharedSessionStore(st, sv);
    for (let i = 0; i < 20; i++) expect(store.create(b("n=" + i.toString()), 0).status).toBe(SaveStatus.Saved);
    st.probes = 3;
    const gets = sv.shared.gets;
    expect(store.create(b("x=1"), 0).status).toBe(SaveStatus.Full);
    expect(sv.shared.gets - gets).toBe(6);
    expect(sv.logText()).toBe("debug: clicktrail: session store: no free slot among 6 read of 20; no session created");
  });

  it("fills the table in order: one probe suffices until it is full", () => {
    const sv = new FakeServices();
    const st = config(100);
    st.probes = 1;
    const store = new SharedSessionStore(st, sv);
    for (let i = 0; i < 100; i++) expect(store.create(b("n=" + i.toString()), 0).status).toBe(SaveStatus.Saved);
    expect(sv.shared.keyCount()).toBe(100);
    expect(sv.metric(M + "full")).toBe(0);
  });

  it("reuses the oldest slots first when sessions share one lifetime", () => {
    const sv = new FakeServices();
    const st = config(10);
    st.probes = 1;
    const store = new SharedSessionStore(st, sv);
    for (let i = 0; i < 100; i++) {
      expect(store.create(b("n=" + i.toString()), sv.now + 10 * SEC).status).toBe(SaveStatus.Saved);
      sv.advanceSeconds(1);
    }
    expect(sv.shared.keyCount()).toBe(10);
    expect(sv.metric(M + "expired")).toBe(90);
    expect(sv.metric(M + "full")).toBe(0);
  });

  it("with when_full evict_oldest, replaces the least recently written sampled session", () => {
    const sv = new FakeServices();
    const st = config(4);
    st.probes = 64;
    st.whenFull = WhenFull.EvictOldest;
    const store = new SharedSessionStore(st, sv);
    const cookies = new Array<string>();
    for (let i = 0; i < 4; i++) {
      cookies.push(store.create(b("n=" + i.toString()), 0).cookie);
      sv.advanceSeconds(1);
    }
    // Session 0 is written again, so session 1 is now the oldest.
    cookies[0] = store.update(store.load(cookies[0]), new KeyDelta().set("m", "x"), 0).cookie;
    const r = store.create(b("n=4"), 0);
    expect(r.status).toBe(SaveStatus.Saved);
    expect(sv.shared.keyCount()).toBe(4);
    expect(statusOf(store, cookies[1])).toBe(TokenStatus.Invalid);
    expect(statusOf(store, cookies[0])).toBe(TokenStatus.Current);
    expect(statusOf(store, cookies[2])).toBe(TokenStatus.Current);
    expect(statusOf(store, cookies[3])).toBe(TokenStatus.Current);
    expect(payloadOf(store, r.cookie)).toBe("n=4");
    expect(sv.metric(M + "evicted")).toBe(1);
    expect(sv.metric(M + "full")).toBe(1);
    expect(sv.metric(M + "created")).toBe(5);
  });

  it("claims an expired slot at once, counting it as expired", () => {
    const sv = new FakeServices();
    const st = config(1);
    const store = new SharedSessionStore(st, sv);
    const old = store.create(b("a=1"), sv.now + 10 * SEC);
    expect(store.create(b("b=1"), 0).status).toBe(SaveStatus.Full);
    sv.advanceSeconds(10);
    const r = store.create(b("b=1"), 0);
    expect(r.status).toBe(SaveStatus.Saved);
    expect(statusOf(store, old.cookie)).toBe(TokenStatus.Invalid);
    expect(sv.metric(M + "expired")).toBe(1);
  });

  it("sweeps sweep_slots_per_tick slots per tick, frees expired ones and publishes entries_in_use per pass", () => {
    const sv = new FakeServices();
    const st = config(100);
    st.sweepSlotsPerTick = 10;
    st.sweepPeriodMillis = 250;
    const store = new SharedSessionStore(st, sv);
    expect(store.tickPeriodMillis()).toBe(250);
    const shortLived = new Array<string>();
    for (let i = 0; i < 30; i++) shortLived.push(store.create(b("s=" + i.toString()), sv.now + 5 * SEC).cookie);
    for (let i = 0; i < 20; i++) store.create(b("l=" + i.toString()), sv.now + 500 * SEC);
    expect(sv.shared.keyCount()).toBe(50);
    sv.advanceSeconds(5);
    const gets = sv.shared.gets;
    store.sweep();
    expect(sv.shared.gets - gets).toBe(10);
    expect(sv.isGauge(M + "entries_in_use")).toBe(true);
    expect(sv.metric(M + "entries_in_use")).toBe(0); // no full pass yet
    for (let i = 0; i < 9; i++) store.sweep();
    expect(sv.shared.gets - gets).toBe(100);
    expect(sv.metric(M + "expired")).toBe(30);
    expect(sv.metric(M + "entries_in_use")).toBe(20);
    for (let i = 0; i < 30; i++) {
      const slot = store.load(shortLived[i]).slot;
      expect(sv.shared.valueLength(store.keyOf(slot))).toBe(4);
    }
    expect(sv.shared.keyCount()).toBe(50);
  });

  it("leaves values of another layout version alone", () => {
    const sv = new FakeServices();
    const st = config(1);
    st.sweepSlotsPerTick = 1;
    const store = new SharedSessionStore(st, sv);
    sv.shared.plant(store.keyOf(0), byteStringToBuffer("\x02\x00\x00\x00future"));
    const cas = sv.shared.casOf(store.keyOf(0));
    expect(store.create(b("a=1"), 0).status).toBe(SaveStatus.Full);
    store.sweep();
    expect(sv.shared.casOf(store.keyOf(0))).toBe(cas);
  });

  it("sweeps corrupt values into free markers", () => {
    const sv = new FakeServices();
    const st = config(2);
    st.sweepSlotsPerTick = 2;
    const store = new SharedSessionStore(st, sv);
    sv.shared.plant(store.keyOf(0), byteStringToBuffer("\x01\x01\x00\x00short"));
    sv.shared.plant(store.keyOf(1), byteStringToBuffer("\x01"));
    store.sweep();
    expect(sv.shared.valueLength(store.keyOf(0))).toBe(4);
    expect(sv.shared.valueLength(store.keyOf(1))).toBe(4);
    expect(sv.metric(M + "expired")).toBe(0);
  });
});

describe("fake shared data", () => {
  it("follows cpp-host: one counter from 1, 0 skipped, cas 0 and absent keys always written", () => {
    const d = new FakeSharedData(CasModel.Envoy);
    const v = new ArrayBuffer(1);
    expect(d.set("a", v, 77)).toBe(0);
    expect(d.casOf("a")).toBe(1);
    expect(d.set("b", v, 0)).toBe(0);
    expect(d.casOf("b")).toBe(2);
    expect(d.set("a", v, 2)).toBe(1);
    expect(d.set("a", v, 0)).toBe(0);
    expect(d.casOf("a")).toBe(3);
    d.setCounter(0xfffffffe);
    d.set("a", v, 3);
    expect(d.casOf("a")).toBe(0xffffffff);
    d.set("a", v, 0xffffffff);
    expect(d.casOf("a")).toBe(1);
  });

  it("follows ngx_wasm_module: per-key counter, absent keys need 0, present keys their cas", () => {
    const d = new FakeSharedData(CasModel.Nginx);
    const v = new ArrayBuffer(1);
    expect(d.set("a", v, 5)).toBe(1);
    expect(d.set("a", v, 0)).toBe(0);
    expect(d.casOf("a")).toBe(1);
    expect(d.set("a", v, 0)).toBe(1);
    expect(d.set("a", v, 1)).toBe(0);
    expect(d.set("b", v, 0)).toBe(0);
    expect(d.casOf("b")).toBe(1);
    expect(d.casOf("a")).toBe(2);
  });
});

describe("shared session store: hostile input", () => {
  it("never traps on any cookie value or any stored bytes", () => {
    const sv = new FakeServices();
    const st = config(4);
    st.sweepSlotsPerTick = 4;
    const store = new SharedSessionStore(st, sv);
    const rnd = new FakeServices(new FakeSharedData(), 12345);
    const one = new Uint8Array(1);
    let seen = 0;
    for (let i = 0; i < 3000; i++) {
      // A value of 0..99 random bytes, often starting like a live version-1 header so deeper checks run.
      rnd.fillRandom(one);
      const len = <i32>one[0] % 100;
      const v = new Uint8Array(len);
      rnd.fillRandom(v);
      if (len > 1 && (i & 1) == 0) { v[0] = 1; v[1] = 1; }
      if (len >= 72 && (i & 2) == 0) { v[68] = <u8>(len - 72); v[69] = 0; v[70] = 0; v[71] = 0; }
      rnd.fillRandom(one);
      const slot = <i32>one[0] & 3;
      sv.shared.plant(store.keyOf(slot), v.buffer);
      // A cookie of 0..29 arbitrary code units, sometimes a well-formed key for that slot.
      rnd.fillRandom(one);
      const clen = <i32>one[0] % 30;
      const codes = new Array<i32>();
      for (let j = 0; j < clen; j++) { rnd.fillRandom(one); codes.push(j % 7 == 0 ? 0x100 + <i32>one[0] : <i32>one[0]); }
      let cookieValue = String.fromCharCodes(codes);
      if ((i & 4) == 0) {
        const token = new Uint8Array(16);
        rnd.fillRandom(token);
        cookieValue = store.cookieOf(slot, token);
      }
      const s = store.load(cookieValue);
      if (s.found) seen++;
      store.update(s, new KeyDelta().set("k", "v"), 0);
      store.destroy(s);
      store.sweep();
      store.create(b("a=1"), 0);
    }
    // Random tokens never match: nothing planted is ever read as a session.
    expect(seen).toBe(0);
  });
});
