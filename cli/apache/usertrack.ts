// mod_usertrack's directives → the `usertrack` section. Values are passed on as Apache wrote them (the
// filter parses CookieExpires, CookieStyle, CookieSameSite and CookieDomain with Apache's own rules and
// messages); only the shape of each directive (one argument, On/Off) is checked here, with httpd's texts.
import type { Directive } from "./words.js";

export type Section = Record<string, unknown>;

/** Handles one directive of this family; returns an error message, or null after writing into `out`. */
type Handler = (d: Directive, out: Section) => string | null;

function take1(key: string, help: string, numberIfDigits = false): Handler {
  return (d, out) => {
    if (d.args.length !== 1 || d.args[0] === "") return `${d.name} takes one argument, ${help}`;
    const v = d.args[0];
    out[key] = numberIfDigits && /^[0-9]+$/.test(v) && Number(v) <= 2147483647 ? Number(v) : v;
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

/** Lower-case directive name → handler and the JSON key it writes (for pointing errors at lines). */
export const USERTRACK_DIRECTIVES: Record<string, { key: string; handle: Handler }> = {
  cookietracking: { key: "enabled", handle: flag("enabled") },
  cookiename: { key: "cookie_name", handle: take1("cookie_name", "name of the tracking cookie") },
  cookiedomain: { key: "domain", handle: take1("domain", "domain to which this cookie applies") },
  cookieexpires: { key: "expires", handle: take1("expires", "an expiry date code", true) },
  cookiestyle: { key: "style", handle: take1("style", "'Netscape', 'Cookie' (RFC2109), or 'Cookie2' (RFC2965)") },
  cookiesamesite: { key: "same_site", handle: take1("same_site", "SameSite setting") },
  cookiesecure: { key: "secure", handle: flag("secure") },
  cookiehttponly: { key: "http_only", handle: flag("http_only") },
};
