// The plugin configuration: JSON with three optional sections (usertrack, clickpath, session). Parsing
// never traps and never half-succeeds: either every value is valid and a Config comes back, or the
// result lists every problem, each naming its JSON path, and on_configure refuses the configuration.
import { JSON } from "assemblyscript-json/assembly";
import { checkJsonSyntax } from "./json";
import { ObjectReader, describe } from "./reader";
import { readUsertrack } from "./usertrack";
import { readClickpath } from "./clickpath";
import { readSession } from "./session";
import { UsertrackSettings } from "../usertrack/settings";
import { ClickpathSettings } from "../clickpath/settings";
import { SessionSettings } from "../session/settings";

/** Configurations above this size are refused: Envoy's own limit on a StringValue is far larger, but no
 *  real clicktrail configuration comes near it and parsing cost is paid on every worker. */
export const MAX_CONFIG_BYTES = 1 << 20;

export class Config {
  usertrack: UsertrackSettings | null = null;
  clickpath: ClickpathSettings | null = null;
  session: SessionSettings | null = null;
}

export class ConfigResult {
  constructor(public config: Config | null, public errors: string[]) {}
  get ok(): bool { return this.config != null; }
}

/** Parses and validates the plugin configuration (UTF-8 JSON). Empty input means every feature off. */
export function parseConfig(bytes: Uint8Array): ConfigResult {
  const errors = new Array<string>();
  if (bytes.length > MAX_CONFIG_BYTES) {
    errors.push("(root): the configuration is " + bytes.length.toString() + " bytes; the limit is " + MAX_CONFIG_BYTES.toString());
    return new ConfigResult(null, errors);
  }
  if (isBlank(bytes)) return new ConfigResult(new Config(), errors);
  const syntax = checkJsonSyntax(bytes);
  if (syntax != null) {
    errors.push(syntax.message);
    return new ConfigResult(null, errors);
  }
  const root = JSON.parse<Uint8Array>(bytes);
  if (!root.isObj) {
    errors.push("(root): expected an object with the sections usertrack, clickpath, session; got " + describe(root));
    return new ConfigResult(null, errors);
  }
  const r = new ObjectReader(<JSON.Obj>root, "", errors);
  const config = new Config();
  const usertrack = r.object("usertrack");
  if (usertrack != null) {
    const s = readUsertrack(usertrack);
    // Switched off, usertrack still strips a configured upstream_header so clients cannot forge it.
    if (s.enabled || s.upstreamHeader.length) config.usertrack = s;
  }
  const clickpath = r.object("clickpath");
  if (clickpath != null) {
    const s = readClickpath(clickpath);
    if (s.enabled) config.clickpath = s;
  }
  const session = r.object("session");
  if (session != null) {
    const s = readSession(session);
    if (s.enabled) config.session = s;
  }
  r.rejectUnknownKeys();
  return new ConfigResult(errors.length ? null : config, errors);
}

function isBlank(bytes: Uint8Array): bool {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b != 0x20 && b != 0x09 && b != 0x0a && b != 0x0d) return false;
  }
  return true;
}
