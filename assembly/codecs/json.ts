// JSON text the filter's tools write by hand (RFC 8259 §7 strings); the filter reads JSON with
// assemblyscript-json.

import { LOWER_HEX_DIGITS } from "./hex";

/**
 * `s` as a quoted JSON string: `"` and `\` escaped, newline as `\n`, the other control characters and DEL
 * as `\u00xx`; every other code unit as it is.
 */
export function jsonString(s: string): string {
  const out = new Array<string>();
  out.push("\"");
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | null = null;
    if (c == 0x22) rep = "\\\"";
    else if (c == 0x5c) rep = "\\\\";
    else if (c == 0x0a) rep = "\\n";
    else if (c < 0x20 || c == 0x7f) rep = "\\u00" + LOWER_HEX_DIGITS.charAt(c >> 4) + LOWER_HEX_DIGITS.charAt(c & 15);
    if (rep != null) {
      out.push(s.substring(from, i));
      out.push(rep);
      from = i + 1;
    }
  }
  out.push(s.substring(from));
  out.push("\"");
  return out.join("");
}
