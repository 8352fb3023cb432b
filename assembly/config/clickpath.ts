import { ObjectReader } from "./reader";
import { ClickpathSettings } from "../clickpath/settings";

/** Reads the `clickpath` section. */
export function readClickpath(r: ObjectReader): ClickpathSettings {
  const s = new ClickpathSettings();
  s.enabled = r.bool("enabled", true);
  r.rejectUnknownKeys();
  return s;
}
