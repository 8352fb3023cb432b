import { ObjectReader } from "./reader";
import { SharedStoreSettings, WhenFull } from "../session/shared-settings";
import { utf8ByteString } from "../core/bytes";
import { MAX_KEY_PREFIX_CHARS } from "../session/key-prefix";

/** Slot numbers are written as four base64url characters in keys and cookies: 24 bits. */
export const MAX_CAPACITY: i64 = 1 << 24;

/** Reads the `session.shared` object (absent: every default). */
export function readSharedStore(r: ObjectReader | null): SharedStoreSettings {
  const s = new SharedStoreSettings();
  if (r == null) return s;
  // Absent (or null): the store derives the prefix from the plugin's name (session/key-prefix.ts).
  if (r.has("key_prefix")) {
    const prefix = r.string("key_prefix", s.keyPrefix);
    if (prefix.length == 0 || prefix.length > MAX_KEY_PREFIX_CHARS) {
      r.fail("key_prefix", "must be 1 to " + MAX_KEY_PREFIX_CHARS.toString() + " characters, got " + prefix.length.toString());
    } else if (!printableAscii(prefix)) {
      r.fail("key_prefix", "must be printable ASCII without spaces, got \"" + prefix + "\"");
    } else {
      s.keyPrefix = utf8ByteString(prefix);
      s.keyPrefixConfigured = true;
    }
  }
  s.capacity = <i32>r.int("capacity", s.capacity, 1, MAX_CAPACITY);
  s.graceSeconds = <i32>r.int("grace_seconds", s.graceSeconds, 0, 3600);
  s.idleTimeoutSeconds = <i32>r.int("idle_timeout_seconds", s.idleTimeoutSeconds, 2, 366 * 86400);
  s.sweepSlotsPerTick = <i32>r.int("sweep_slots_per_tick", s.sweepSlotsPerTick, 1, 65536);
  s.sweepPeriodMillis = <i32>r.int("sweep_period_millis", s.sweepPeriodMillis, 10, 3600000);
  const full = r.choice("when_full", "refuse", ["refuse", "evict_oldest"]);
  s.whenFull = full == "evict_oldest" ? WhenFull.EvictOldest : WhenFull.Refuse;
  s.probes = <i32>r.int("probes", s.probes, 1, 64);
  s.casRetries = <i32>r.int("cas_retries", s.casRetries, 0, 64);
  s.maxValueBytes = <i32>r.int("max_value_bytes", s.maxValueBytes, 16, 1 << 20);
  r.rejectUnknownKeys();
  return s;
}

function printableAscii(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}
