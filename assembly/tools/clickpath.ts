// The clickpath tool build (build/clickpath-tools.wasm, JS glue from asc --bindings): what
// `clicktrail decode` runs, so that the CLI decodes ids with exactly the filter's code.
import { parseConfig } from "../config";
import { describeId } from "../clickpath/describe";
import { ClickpathSettings } from "../clickpath/settings";
import { jsonString } from "../codecs/json";

/**
 * The fields of a session id as JSON. `config` is the plugin configuration JSON ("" for none); `now` is
 * the current time in seconds. A configuration error comes back as {"error": "..."}.
 */
export function decode(id: string, config: string, now: f64): string {
  let settings: ClickpathSettings | null = null;
  if (config.length > 0) {
    const r = parseConfig(Uint8Array.wrap(String.UTF8.encode(config)));
    const c = r.config;
    if (c == null) {
      let msg = "";
      for (let i = 0; i < r.errors.length; i++) msg += (i ? "; " : "") + r.errors[i];
      return "{\"error\":" + jsonString("invalid configuration: " + msg) + "}";
    }
    settings = c.clickpath;
  }
  return describeId(id, settings, <i64>now);
}
