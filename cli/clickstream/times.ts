// Request times as access logs write them, read without Date.parse (which is slow and lenient): Envoy's
// %START_TIME% (`2026-12-06T20:16:37.123Z`) and Apache's %t (`06/Dec/2026:20:16:37 +0100`). Both return
// milliseconds since the epoch, or NaN when the text is not that form. The seconds part is cached: a log's
// consecutive lines mostly share it.

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

let isoKey = "";
let isoBase = NaN;

/** `YYYY-MM-DDTHH:MM:SS[.fff…]Z` in s[from, to). */
export function parseIsoTime(s: string, from: number, to: number): number {
  if (to - from < 20 || s.charCodeAt(to - 1) !== 90 /* Z */) return NaN;
  const key = s.slice(from, from + 19);
  let base: number;
  if (key === isoKey) base = isoBase;
  else {
    if (s[from + 4] !== "-" || s[from + 7] !== "-" || s[from + 10] !== "T" || s[from + 13] !== ":" || s[from + 16] !== ":") return NaN;
    const y = digits(s, from, 4), mo = digits(s, from + 5, 2), d = digits(s, from + 8, 2);
    const h = digits(s, from + 11, 2), mi = digits(s, from + 14, 2), sec = digits(s, from + 17, 2);
    if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && sec <= 60)) return NaN;
    base = Date.UTC(y, mo - 1, d, h, mi, sec);
    isoKey = key;
    isoBase = base;
  }
  let ms = 0;
  const rest = to - 1 - (from + 19);
  if (rest > 0) {
    if (s.charCodeAt(from + 19) !== 46 /* . */ || rest < 2) return NaN;
    // Milliseconds from the first three fraction digits (Envoy writes three by default).
    const n = Math.min(rest - 1, 3);
    ms = digits(s, from + 20, n) * (n === 1 ? 100 : n === 2 ? 10 : 1);
    if (Number.isNaN(ms)) return NaN;
  }
  return base + ms;
}

const MONTHS: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

let apacheKey = "";
let apacheValue = NaN;

/** `DD/Mon/YYYY:HH:MM:SS +ZZZZ` in s[from, to) (the brackets of %t are literal text around it). */
export function parseApacheTime(s: string, from: number, to: number): number {
  if (to - from !== 26) return NaN;
  const key = s.slice(from, to);
  if (key === apacheKey) return apacheValue;
  if (key[2] !== "/" || key[6] !== "/" || key[11] !== ":" || key[14] !== ":" || key[17] !== ":" || key[20] !== " ") return NaN;
  const d = digits(key, 0, 2), mo = MONTHS[key.slice(3, 6)], y = digits(key, 7, 4);
  const h = digits(key, 12, 2), mi = digits(key, 15, 2), sec = digits(key, 18, 2);
  const sign = key[21] === "+" ? 1 : key[21] === "-" ? -1 : 0;
  const zh = digits(key, 22, 2), zm = digits(key, 24, 2);
  if (mo === undefined || sign === 0 || !(d >= 1 && d <= 31 && h <= 23 && mi <= 59 && sec <= 60 && zm <= 59)) return NaN;
  const v = Date.UTC(y, mo, d, h, mi, sec) - sign * (zh * 60 + zm) * 60000;
  if (Number.isNaN(v)) return NaN;
  apacheKey = key;
  apacheValue = v;
  return v;
}
