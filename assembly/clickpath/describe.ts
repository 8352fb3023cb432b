// `clicktrail decode`: the fields of a session id as JSON, decoded by the same code the filter runs.
import { ClickpathSettings } from "./settings";
import { decodeId, machineIp } from "./id";
import { checkId } from "./check";
import { jsonString } from "../codecs/json";

/**
 * A JSON object describing `id` (the part after the prefix, or a whole "/-S:<id>/..." path). `settings`
 * (or null) supplies secrets, machine table, friends, prefix and max age; `now` is in seconds.
 */
export function describeId(input: string, settings: ClickpathSettings | null, now: i64): string {
  const s = settings != null ? settings : new ClickpathSettings();
  let id = input.trim();
  // Accept a URL path too: "/-S:<id>/rest" or "-S:<id>".
  let p = 0;
  while (p < id.length && id.charCodeAt(p) == 0x2f) p++;
  if (id.startsWith(s.prefix, p)) {
    id = id.substring(p + s.prefix.length);
    const slash = id.indexOf("/");
    if (slash >= 0) id = id.substring(0, slash);
  }
  const plain = decodeId(id, new Array<Uint8Array>());
  const r = plain.id;
  let out = "{\"id\":" + jsonString(id);
  if (r == null) {
    return out + ",\"valid\":false,\"problem\":" + jsonString(plain.problem) + "}";
  }
  // The filter's own verdict (check.ts); the fields above come from a reading without the secrets, so an
  // id whose signature fails is still described.
  const problem = checkId(id, s, now).problem;
  let signature = r.tagged ? "unchecked" : "none";
  if (s.secrets.length > 0) signature = decodeId(id, s.secrets).id != null ? "verified" : r.tagged ? "failed" : "missing";
  const row = s.machineNamed(r.machine);
  const age = now - <i64>r.time;
  const expired = (s.maxSessionAge > 0 && age > s.maxSessionAge) || age < 0;
  out += ",\"valid\":" + (problem.length == 0 ? "true" : "false");
  if (problem.length) out += ",\"problem\":" + jsonString(problem);
  out += ",\"machine\":" + jsonString(r.machine);
  const ip = row == null ? machineIp(r.machine) : null;
  out += ",\"machine_ip\":" + (ip != null ? jsonString(ip) : "null");
  if (row != null) out += ",\"machine_address\":" + jsonString(row.address) + ",\"machine_store\":" + jsonString(row.store);
  out += ",\"time\":" + r.time.toString();
  out += ",\"iso_time\":" + jsonString(new Date(<i64>r.time * 1000).toISOString());
  out += ",\"process\":" + r.process.toString();
  out += ",\"counter\":" + r.counter.toString();
  out += ",\"connection\":" + r.connection.toString();
  out += ",\"crc\":" + r.crc.toString();
  out += ",\"signature\":" + jsonString(signature);
  if (r.friend.length > 0) {
    out += ",\"friend\":" + jsonString(r.friend) + ",\"remote_session\":" + jsonString(r.remote);
    const f = s.friendNamed(r.friend);
    out += ",\"remote_session_host\":" + (f != null ? jsonString(f.host) : "null");
  }
  out += ",\"age\":" + age.toString();
  out += ",\"expired\":" + (expired ? "true" : "false");
  return out + "}";
}
