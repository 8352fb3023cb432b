import { JSON } from "assemblyscript-json/assembly";
import { ObjectReader } from "../../../assembly/config/reader";
import { readSharedStore } from "../../../assembly/config/session-shared";
import { WhenFull } from "../../../assembly/session/shared-settings";

function reader(json: string, errors: string[]): ObjectReader {
  return new ObjectReader(<JSON.Obj>JSON.parse(json), "session.shared", errors);
}

describe("session.shared configuration", () => {
  it("has the documented defaults", () => {
    const s = readSharedStore(null);
    expect(s.keyPrefix).toBe("clicktrail/");
    expect(s.keyPrefixConfigured).toBe(false);
    expect(s.capacity).toBe(10000);
    expect(s.graceSeconds).toBe(10);
    expect(s.idleTimeoutSeconds).toBe(3600);
    expect(s.sweepSlotsPerTick).toBe(128);
    expect(s.sweepPeriodMillis).toBe(1000);
    expect(s.whenFull).toBe(WhenFull.Refuse);
    expect(s.probes).toBe(16);
    expect(s.casRetries).toBe(8);
    expect(s.maxValueBytes).toBe(8192);
    const errors = new Array<string>();
    expect(readSharedStore(reader("{}", errors)).capacity).toBe(10000);
    expect(errors.length).toBe(0);
  });

  it("leaves the key prefix to the plugin's name unless key_prefix is set (null counts as unset)", () => {
    const errors = new Array<string>();
    expect(readSharedStore(reader("{}", errors)).keyPrefixConfigured).toBe(false);
    const unset = readSharedStore(reader('{"key_prefix":null}', errors));
    expect(unset.keyPrefixConfigured).toBe(false);
    expect(unset.keyPrefix).toBe("clicktrail/");
    const set = readSharedStore(reader('{"key_prefix":"clicktrail/"}', errors));
    expect(set.keyPrefixConfigured).toBe(true);
    expect(set.keyPrefix).toBe("clicktrail/");
    expect(errors.join("\n")).toBe("");
  });

  it("reads every key", () => {
    const errors = new Array<string>();
    const s = readSharedStore(reader('{"key_prefix":"sess/","capacity":100000,"grace_seconds":0,' +
      '"idle_timeout_seconds":600,"sweep_slots_per_tick":512,"sweep_period_millis":250,' +
      '"when_full":"evict_oldest","probes":16,"cas_retries":2,"max_value_bytes":1024}', errors));
    expect(errors.join("\n")).toBe("");
    expect(s.keyPrefix).toBe("sess/");
    expect(s.keyPrefixConfigured).toBe(true);
    expect(s.capacity).toBe(100000);
    expect(s.graceSeconds).toBe(0);
    expect(s.idleTimeoutSeconds).toBe(600);
    expect(s.sweepSlotsPerTick).toBe(512);
    expect(s.sweepPeriodMillis).toBe(250);
    expect(s.whenFull).toBe(WhenFull.EvictOldest);
    expect(s.probes).toBe(16);
    expect(s.casRetries).toBe(2);
    expect(s.maxValueBytes).toBe(1024);
  });

  it("names the path of every bad value", () => {
    const errors = new Array<string>();
    readSharedStore(reader('{"key_prefix":"","capacity":16777217,"grace_seconds":-1,"when_full":"lru",' +
      '"probes":0,"sweep_period_millis":"1s","extra":1}', errors));
    expect(errors.join("\n")).toBe(
      "session.shared.key_prefix: must be 1 to 128 characters, got 0\n" +
      "session.shared.capacity: must be between 1 and 16777216, got 16777217\n" +
      "session.shared.grace_seconds: must be between 0 and 3600, got -1\n" +
      "session.shared.sweep_period_millis: expected an integer, got the string \"1s\"\n" +
      "session.shared.when_full: expected one of refuse, evict_oldest, got \"lru\"\n" +
      "session.shared.probes: must be between 1 and 64, got 0\n" +
      "session.shared.extra: unknown key");
    const e2 = new Array<string>();
    readSharedStore(reader('{"key_prefix":"a b"}', e2));
    expect(e2.join("\n")).toBe('session.shared.key_prefix: must be printable ASCII without spaces, got "a b"');
  });
});
