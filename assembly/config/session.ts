import { ObjectReader } from "./reader";
import { SessionSettings } from "../session/settings";

/** Reads the `session` section. */
export function readSession(r: ObjectReader): SessionSettings {
  const s = new SessionSettings();
  s.enabled = r.bool("enabled", true);
  r.rejectUnknownKeys();
  return s;
}
