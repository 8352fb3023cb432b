// The usertrack feature: Apache mod_usertrack's tracking cookie (or nginx userid's) in the proxy.
//
// On the request: a client-supplied `upstream_header` is always dropped first (the upstream must be able
// to trust it); then the tracking cookie is looked for in the `cookie` headers by the original's rules.
// A request without one gets a new id at once, so the upstream, the access log and the response all see
// the same value. On every response of that stream (upstream replies, upstream errors and Envoy's own
// local replies all pass through onResponseHeaders) the Set-Cookie line is added once.
import { Feature, StreamFilter } from "../core/filter";
import { HeaderMap } from "../core/headers";
import { LogLevel, Services } from "../core/services";
import { findCookie, findCookieNginx } from "../codecs/cookies";
import { IdFormat, UsertrackSettings } from "./settings";
import { base64Encode } from "../codecs/base64";
import { apacheCookieValue, apacheHeaderName, apacheSetCookie } from "./apache";
import {
  addressWord, decodeNginxCookie, encodeNginxCookie, nginxSetCookie, nginxUidVariable, putWord,
} from "./nginx";

/** Filter state names, for `%FILTER_STATE(wasm.<name>:PLAIN)%` in Envoy's access log. */
export const STATE_ID = "clicktrail_usertrack_id";
export const STATE_NEW = "clicktrail_usertrack_new";
/** Format nginx only: the id as nginx logs `$uid_got` / `$uid_set` (`NAME=` and 32 hex digits). */
export const STATE_UID = "clicktrail_usertrack_uid";

const NGINX_V2_SEQUENCE_START: u32 = 0x03030302;

export class UsertrackFeature extends Feature {
  readonly issued: u32;
  readonly seen: u32;
  readonly invalid: u32;
  /** nginx's per-worker start value: (sub-second microseconds / 20) << 16 | a worker number. */
  readonly startValue: u32;
  private sequence: u32;
  readonly headerName: string;

  constructor(public settings: UsertrackSettings, services: Services) {
    super();
    this.issued = services.defineCounter("clicktrail.usertrack.cookies_issued");
    this.seen = services.defineCounter("clicktrail.usertrack.cookies_seen");
    this.invalid = services.defineCounter("clicktrail.usertrack.cookies_invalid");
    if (settings.format == IdFormat.Nginx) {
      const usec = <u32>(services.nowMicros() % 1000000);
      // A VM has no pid; its worker number plays that part in keeping workers' ids apart.
      this.startValue = ((usec / 20) << 16) | (services.workerId() & 0xffff);
    } else {
      this.startValue = 0;
    }
    this.sequence = settings.nginxVersion == 1 ? 1 : NGINX_V2_SEQUENCE_START;
    this.headerName = settings.format == IdFormat.Nginx ? "set-cookie" : apacheHeaderName(settings);
  }

  newStream(services: Services): StreamFilter | null {
    return new UsertrackFilter(this, services);
  }

  /** A fresh nginx id: service or server address, time, start value, sequence. */
  nextNginxUid(services: Services): Uint8Array {
    const s = this.settings;
    const v2 = s.nginxVersion == 2;
    const uid = new Uint8Array(16);
    if (s.nginxService >= 0) putWord(uid, 0, <u32>s.nginxService, v2);
    else if (v2) uid.set(addressWord(services.localAddress()), 0);
    putWord(uid, 4, <u32>(services.nowMicros() / 1000000), v2);
    putWord(uid, 8, this.startValue, v2);
    putWord(uid, 12, this.sequence, v2);
    this.sequence += 0x100;
    if (v2 && this.sequence < NGINX_V2_SEQUENCE_START) this.sequence = NGINX_V2_SEQUENCE_START;
    return uid;
  }
}

export class UsertrackFilter extends StreamFilter {
  /** The id this request carries (received or new); "" before the request headers were seen. */
  id: string = "";
  isNew: bool = false;
  /** The Set-Cookie value every response of this stream gets; "" when none is due. */
  setCookie: string = "";

  constructor(private feature: UsertrackFeature, private services: Services) { super(); }

  onRequestHeaders(request: HeaderMap): void {
    const s = this.feature.settings;
    if (s.upstreamHeader.length) request.remove(s.upstreamHeader);
    if (!s.enabled) return;
    if (s.format == IdFormat.Nginx) this.readNginx(request);
    else this.readApache(request);
    // Removed above, so added: the map set() would leave, without looking for a value to drop.
    if (s.upstreamHeader.length) request.add(s.upstreamHeader, this.id);
    this.services.setFilterState(STATE_ID, this.id);
    this.services.setFilterState(STATE_NEW, this.isNew ? "1" : "0");
  }

  onResponseHeaders(response: HeaderMap): void {
    if (this.setCookie.length == 0) return;
    const name = this.feature.headerName;
    // One line per response, even if a host hands the same response over twice.
    const present = response.getAll(name);
    if (present.includes(this.setCookie)) return;
    response.add(name, this.setCookie);
    const p3p = this.feature.settings.nginxP3p;
    if (p3p.length && this.feature.settings.format == IdFormat.Nginx) response.add("p3p", p3p);
    this.services.count(this.feature.issued, 1);
  }

  private readApache(request: HeaderMap): void {
    const s = this.feature.settings;
    const found = findCookie(request, s.cookieName);
    if (found != null) {
      this.id = found;
      this.services.count(this.feature.seen, 1);
      return;
    }
    const now = this.services.nowMicros();
    const r = new Uint8Array(4);
    this.services.fillRandom(r);
    const random = <u32>r[0] | (<u32>r[1] << 8) | (<u32>r[2] << 16) | (<u32>r[3] << 24);
    this.id = apacheCookieValue(random, now);
    this.isNew = true;
    this.setCookie = apacheSetCookie(s, this.id, now);
  }

  private readNginx(request: HeaderMap): void {
    const s = this.feature.settings;
    const raw = findCookieNginx(request, s.cookieName);
    let got: Uint8Array | null = null;
    if (raw != null) {
      const decoded = decodeNginxCookie(raw);
      if (decoded.error != null) {
        this.services.count(this.feature.invalid, 1);
        if (this.services.logs(LogLevel.Info)) {
          this.services.log(LogLevel.Info, "clicktrail: usertrack: " + decoded.error! + " \"" + printable(raw) + "\"");
        }
      }
      got = decoded.uid;
    }
    const nowSeconds = this.services.nowMicros() / 1000000;
    if (got != null) {
      const value = raw!;
      this.id = base64Encode(got, false, true);
      this.services.count(this.feature.seen, 1);
      this.services.setFilterState(STATE_UID, nginxUidVariable(s.cookieName, got));
      const mark = s.nginxMark;
      if (mark != 0 && !(value.length > 23 && value.charCodeAt(22) == mark && value.charCodeAt(23) == 0x3d)) {
        // Re-issue the same id with the current mark and attributes. nginx copies the client's first 22
        // characters, which may hold bytes after an early `=`; the canonical encoding of the same id
        // never reflects client bytes into Set-Cookie.
        this.setCookie = nginxSetCookie(s, encodeNginxCookie(got, mark), nowSeconds);
      }
      return;
    }
    const uid = this.feature.nextNginxUid(this.services);
    this.id = base64Encode(uid, false, true);
    this.isNew = true;
    this.services.setFilterState(STATE_UID, nginxUidVariable(s.cookieName, uid));
    this.setCookie = nginxSetCookie(s, encodeNginxCookie(uid, s.nginxMark), nowSeconds);
  }
}

/** A cookie value for a log line: bytes outside printable ASCII as \xNN, at most 64 characters. */
function printable(v: string): string {
  let out = "";
  const n = min(v.length, 64);
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c == 0x22 || c == 0x5c) {
      out += "\\x" + (c < 16 ? "0" : "") + c.toString(16);
    } else {
      out += String.fromCharCode(c);
    }
  }
  return n < v.length ? out + "..." : out;
}
