// mod_usertrack's directives → the `usertrack` section. Values are passed on as Apache wrote them (the
// filter parses CookieExpires, CookieStyle, CookieSameSite and CookieDomain with Apache's own rules and
// messages); only the shape of each directive (one argument, On/Off) is checked here, with httpd's texts.
import type { Directive } from "./words.js";
import { APACHE_KEYS } from "./config-keys.js";

export type Section = Record<string, unknown>;

/** Handles one directive of this family; returns an error message, or null after writing into `out`. */
type Handler = (d: Directive, out: Section) => string | null;

/** One argument, copied as written; with `maxNumber`, digits up to it become a number (seconds). */
function take1(key: string, help: string, maxNumber?: number): Handler {
  return (d, out) => {
    if (d.args.length !== 1 || d.args[0] === "") return `${d.name} takes one argument, ${help}`;
    const v = d.args[0];
    out[key] = maxNumber !== undefined && /^[0-9]+$/.test(v) && Number(v) <= maxNumber ? Number(v) : v;
    return null;
  };
}

function flag(key: string): Handler {
  return (d, out) => {
    const v = d.args.length === 1 ? d.args[0].toLowerCase() : "";
    if (v !== "on" && v !== "off") return `${d.name} must be On or Off`;
    out[key] = v === "on";
    return null;
  };
}

/** The usertrack key a directive sets (config-keys.ts, generated from assembly/config/keys/usertrack.ts). */
function keyOf(directive: keyof typeof APACHE_KEYS): string {
  return APACHE_KEYS[directive].path.slice("usertrack.".length);
}

/** One entry: the directive's key, written by `make` with that key. */
function entry(directive: keyof typeof APACHE_KEYS, make: (key: string) => Handler): { key: string; handle: Handler } {
  const key = keyOf(directive);
  return { key, handle: make(key) };
}

/** Lower-case directive name → handler and the JSON key it writes (for pointing errors at lines). */
export const USERTRACK_DIRECTIVES: Record<string, { key: string; handle: Handler }> = {
  cookietracking: entry("CookieTracking", flag),
  cookiename: entry("CookieName", (k) => take1(k, "name of the tracking cookie")),
  cookiedomain: entry("CookieDomain", (k) => take1(k, "domain to which this cookie applies")),
  cookieexpires: entry("CookieExpires", (k) => take1(k, "an expiry date code", APACHE_KEYS.CookieExpires.maximum)),
  cookiestyle: entry("CookieStyle", (k) => take1(k, "'Netscape', 'Cookie' (RFC2109), or 'Cookie2' (RFC2965)")),
  cookiesamesite: entry("CookieSameSite", (k) => take1(k, "SameSite setting")),
  cookiesecure: entry("CookieSecure", flag),
  cookiehttponly: entry("CookieHTTPOnly", flag),
};
