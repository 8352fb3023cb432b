// The request side of ClickPath's trans handler (§2.3) as pure string functions: finding the session
// segment in the path, cleaning the Referer, capturing a friendly session from it.
import { FriendlySession } from "./settings";
import { escapeRemote } from "./id";
import { unitAt } from "../core/bytes";

/** A session segment found at the start of a request path. */
export class PathSession {
  constructor(
    /** The id as it appears in the URL (after the prefix, before the "/"). */
    public id: string,
    /** The path without the segment: "/" + the rest, query kept. */
    public path: string,
  ) {}
}

/**
 * "/+PREFIX<id>/rest" → (id, "/rest"); null when the path does not start that way. The trailing "/" is
 * required ("/-S:abc" alone is no session URL), as in ClickPath.
 */
export function findPathSession(path: string, prefix: string): PathSession | null {
  const found = new PathSession("", "");
  return findPathSessionInto(path, prefix, found) ? found : null;
}

/** findPathSession into an object the caller keeps (the filter's, one for every request): false for null. */
export function findPathSessionInto(path: string, prefix: string, into: PathSession): bool {
  const n = path.length;
  let i = 0;
  while (i < n && unitAt(path, i) == 0x2f) i++;
  if (i == 0 || !path.startsWith(prefix, i)) return false;
  const start = i + prefix.length;
  let j = start;
  while (j < n) {
    const c = unitAt(path, j);
    if (c == 0x2f || c == 0x3f || c == 0x23) break;
    j++;
  }
  if (j == start || j >= n || unitAt(path, j) != 0x2f) return false;
  into.id = path.substring(start, j);
  into.path = path.substring(j);
  return true;
}

/**
 * Removes a session segment right after the origin of a Referer ("http://h/-S:x/p" → "http://h/p").
 * `manySlashes` allows "//+" before the prefix, as the trans handler does when the request had a session.
 */
export function stripRefererSession(referer: string, prefix: string, manySlashes: bool): string {
  const sep = referer.indexOf("://");
  if (sep <= 0) return referer;
  for (let k = 0; k < sep; k++) {
    const c = referer.charCodeAt(k);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f)) return referer;
  }
  let i = sep + 3;
  const hostStart = i;
  while (i < referer.length && referer.charCodeAt(i) != 0x2f) i++;
  if (i == hostStart || i >= referer.length) return referer;
  const origin = i;
  i++;
  if (manySlashes) while (i < referer.length && referer.charCodeAt(i) == 0x2f) i++;
  if (!referer.startsWith(prefix, i)) return referer;
  let j = i + prefix.length;
  const segStart = j;
  while (j < referer.length && referer.charCodeAt(j) != 0x2f) j++;
  if (j == segStart) return referer;
  return referer.substring(0, origin) + referer.substring(j);
}

/** A friendly session captured from a Referer. */
export class CapturedFriend {
  constructor(public friend: FriendlySession, public remote: string) {}
  /** The friend part of the id: short name "," escaped remote session. */
  get idPart(): string { return this.friend.name + "," + escapeRemote(this.remote); }
}

/** The host part of "scheme://host/..." (exact text, port included), or null. */
export function refererHost(referer: string): string | null {
  const sep = referer.indexOf("://");
  if (sep <= 0) return null;
  for (let k = 0; k < sep; k++) {
    const c = referer.charCodeAt(k);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f)) return null;
  }
  const start = sep + 3;
  const slash = referer.indexOf("/", start);
  if (slash <= start) return null;
  return referer.substring(start, slash);
}

/**
 * The remote session of `friend` from a Referer (§2.6): path split on runs of "/", query split on ";"
 * or "&" into k=v pairs (fragment kept, later pairs win), one line per statement.
 */
export function captureFriend(referer: string, friend: FriendlySession): CapturedFriend {
  const sep = referer.indexOf("://");
  const slash = referer.indexOf("/", sep + 3);
  let rest = referer.substring(slash);
  let args = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    args = rest.substring(q + 1);
    rest = rest.substring(0, q);
  }
  // Perl's split m!/+!: a leading empty field is kept (index 0), trailing empty fields are dropped.
  const segs = new Array<string>();
  let i = 0;
  let fieldStart = 0;
  while (i <= rest.length) {
    if (i == rest.length || rest.charCodeAt(i) == 0x2f) {
      segs.push(rest.substring(fieldStart, i));
      while (i < rest.length && rest.charCodeAt(i) == 0x2f) i++;
      fieldStart = i;
      if (i == rest.length) break;
      continue;
    }
    i++;
  }
  while (segs.length > 0 && segs[segs.length - 1].length == 0) segs.pop();
  // key → value, later pairs winning; a Map, so a Referer of thousands of pairs costs linear time.
  const values = new Map<string, string>();
  if (args.length) {
    let from = 0;
    for (let k = 0; k <= args.length; k++) {
      if (k < args.length && args.charCodeAt(k) != 0x3b && args.charCodeAt(k) != 0x26) continue;
      const pair = args.substring(from, k);
      from = k + 1;
      const eq = pair.indexOf("=");
      const key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.length == 0) continue;
      let value = "";
      if (eq >= 0) {
        const next = pair.indexOf("=", eq + 1);
        value = next < 0 ? pair.substring(eq + 1) : pair.substring(eq + 1, next);
      }
      values.set(key, value);
    }
  }
  const lines = new Array<string>();
  for (let s = 0; s < friend.statements.length; s++) {
    const st = friend.statements[s];
    if (st.isUri) {
      lines.push(st.uriIndex < segs.length ? segs[st.uriIndex] : "");
    } else {
      lines.push(st.param + "=" + (values.has(st.param) ? values.get(st.param) : ""));
    }
  }
  return new CapturedFriend(friend, lines.join("\n"));
}
