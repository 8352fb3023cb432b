// The shared FakeServices configured as the usertrack specs expect.
import { FakeServices, LogStyle, Randomness } from "../support/fake-services";

export { FakeServices };

/**
 * A clock at 0, random bytes from a scripted list and then zeros, "<level number> message" logs,
 * connection 1, no shared data; tests set `now`, `scripted`, `worker` and `local` themselves.
 */
export function fakeServices(): FakeServices {
  const s = new FakeServices().withoutSharedData();
  s.now = 0;
  s.randomness = Randomness.Constant;
  s.randomByte = 0;
  s.logStyle = LogStyle.LevelNumber;
  s.connection = 1;
  return s;
}
