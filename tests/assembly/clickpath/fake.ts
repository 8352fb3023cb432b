// Helpers for the clickpath units: the shared FakeServices configured as these specs expect, and header
// builders.
import { HeaderMap } from "../../../assembly/core/headers";
import { FakeServices, LogStyle, Randomness } from "../support/fake-services";

export { FakeServices };

/** A fixed clock, every random byte 0x12, bare log messages, worker 3 on connection 7 from 10.9.9.9, no shared data. */
export function fakeServices(): FakeServices {
  const s = new FakeServices().withoutSharedData();
  s.now = 1700000000 * 1000000;
  s.randomness = Randomness.Constant;
  s.randomByte = 0x12;
  s.logStyle = LogStyle.MessageOnly;
  s.connection = 7;
  s.worker = 3;
  s.source = "10.9.9.9";
  return s;
}

export function headers(pairs: string[]): HeaderMap {
  const h = new HeaderMap();
  for (let i = 0; i + 1 < pairs.length; i += 2) h.load(pairs[i], pairs[i + 1]);
  return h;
}

/** name: value lines, in order, for exact comparison. */
export function dump(h: HeaderMap): string {
  let s = "";
  for (let i = 0; i < h.names.length; i++) s += h.names[i] + ": " + h.values[i] + "\n";
  return s;
}
