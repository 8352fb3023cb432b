import { ObjectReader } from "./reader";
import { UsertrackSettings } from "../usertrack/settings";

/** Reads the `usertrack` section. */
export function readUsertrack(r: ObjectReader): UsertrackSettings {
  const s = new UsertrackSettings();
  s.enabled = r.bool("enabled", true);
  r.rejectUnknownKeys();
  return s;
}
