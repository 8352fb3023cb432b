// The clickpath feature: URL-carried sessions (Apache2::ClickPath's trans handler and output filter).
// Request: find and strip "/PREFIX<id>/", classify it, mint a new id when needed, tell the upstream
// through headers. Response: put the session into Location and Refresh, and into the links of HTML.
//
// Mode cookie_first (Tomcat's and PHP's answer to URL ids leaking): the id also travels in a cookie. A
// request whose cookie holds a valid id takes its session from there, whatever the URL says, and gets
// nothing rewritten; one without gets the URL treatment above plus a Set-Cookie, so the browser's next
// request shows whether it keeps cookies.
import { Feature, LocalReply, StreamFilter } from "../core/filter";
import { HeaderMap } from "../core/headers";
import { LogLevel, Services } from "../core/services";
import { ClickpathSettings, FriendlySession, MachineRow, SessionMode } from "./settings";
import { encodeId, ipMachine, MAX_ID_BYTES, SessionId } from "./id";
import { cookieValues } from "../codecs/cookies";
import { percentEncodeExcept } from "../codecs/percent";
import { sessionSetCookie, urlFormOf } from "./cookie";
import { checkId, IdCheck } from "./check";
import { captureFriend, CapturedFriend, findPathSession, refererHost, stripRefererSession } from "./request";
import { LinkContext, SessionLinks, rewriteLocation, rewriteRefresh } from "./links";
import { HtmlRewriter } from "../html/rewriter";
import { isHtmlContentType, isIdentityEncoding } from "../html/content";

/** The filter state the access log reads (ClickPath's %{SESSION}e). */
export const SESSION_FILTER_STATE = "clicktrail_clickpath_session";

/** How a request's session came about. */
export const enum SessionState {
  /** An id from the URL, valid: ClickPath's state 0. */
  Continued = 0,
  /** A new id, no id in the URL: state 1. */
  Created = 1,
  /** A new id replacing an expired or invalid one: state 2. */
  Replaced = 2,
  /** A crawler: no id, no rewriting. */
  UaException = 3,
}

/** Where a continued session's id came from (mode cookie_first tells the upstream). */
const SOURCE_COOKIE = "cookie";
const SOURCE_URL = "url";

export class ClickpathFeature extends Feature {
  sessionsCreated: u32;
  sessionsContinued: u32;
  sessionsExpired: u32;
  sessionsInvalid: u32;
  uaExceptions: u32;
  bodyRewrites: u32;
  encodedBodiesSkipped: u32;
  carryOverflows: u32;
  // Mode cookie_first only: in mode url they stay undefined (0), so its stats are what they always were.
  continuedByCookie: u32 = 0;
  continuedByUrl: u32 = 0;
  upgradedToCookie: u32 = 0;
  cookieUrlConflicts: u32 = 0;
  cookiesIgnored: u32 = 0;
  cleanUrlRedirects: u32 = 0;
  private counter: u32 = 0;
  private counterReady: bool = false;
  private machineWarned: bool = false;

  constructor(public settings: ClickpathSettings, services: Services) {
    super();
    this.sessionsCreated = services.defineCounter("clicktrail.clickpath.sessions_created");
    this.sessionsContinued = services.defineCounter("clicktrail.clickpath.sessions_continued");
    this.sessionsExpired = services.defineCounter("clicktrail.clickpath.sessions_expired");
    this.sessionsInvalid = services.defineCounter("clicktrail.clickpath.sessions_invalid");
    this.uaExceptions = services.defineCounter("clicktrail.clickpath.ua_exceptions");
    this.bodyRewrites = services.defineCounter("clicktrail.clickpath.body_rewrites");
    this.encodedBodiesSkipped = services.defineCounter("clicktrail.clickpath.encoded_bodies_skipped");
    this.carryOverflows = services.defineCounter("clicktrail.clickpath.carry_overflows");
    if (settings.mode == SessionMode.CookieFirst) {
      this.continuedByCookie = services.defineCounter("clicktrail.clickpath.sessions_continued_by_cookie");
      this.continuedByUrl = services.defineCounter("clicktrail.clickpath.sessions_continued_by_url");
      this.upgradedToCookie = services.defineCounter("clicktrail.clickpath.url_sessions_upgraded");
      this.cookieUrlConflicts = services.defineCounter("clicktrail.clickpath.cookie_url_conflicts");
      this.cookiesIgnored = services.defineCounter("clicktrail.clickpath.cookies_ignored");
      this.cleanUrlRedirects = services.defineCounter("clicktrail.clickpath.clean_url_redirects");
    }
  }

  newStream(services: Services): StreamFilter | null {
    return new ClickpathStream(this, services);
  }

  /**
   * The next counter value. ClickPath counts per process from a random start; here per VM, so two
   * workers do not walk the same sequence.
   */
  nextCounter(services: Services): u16 {
    if (!this.counterReady) {
      const b = new Uint8Array(2);
      services.fillRandom(b);
      this.counter = (<u32>b[0] << 8) | <u32>b[1];
      this.counterReady = true;
    }
    const c = <u16>this.counter;
    this.counter = (this.counter + 1) & 0xffff;
    return c;
  }

  /** The machine part of new ids and its table row, per ClickPathMachine / the table / the local IP. */
  machineFor(services: Services): MachineRow {
    const s = this.settings;
    const configured = s.machine;
    if (configured != null) {
      const row = s.machineNamed(configured);
      return row != null ? row : new MachineRow("", configured, "");
    }
    const address = services.localAddress();
    if (s.machineTable.length > 0) {
      const row = s.machineAt(address);
      if (row != null) return row;
      if (!this.machineWarned) {
        this.machineWarned = true;
        services.log(LogLevel.Error, "clicktrail: clickpath: cannot find myself (" + address + ") in machine_table; ids carry the IP instead");
      }
    }
    const ip = ipMachine(address);
    return new MachineRow(address, ip != null ? ip : "", "");
  }
}

export class ClickpathStream extends StreamFilter {
  state: SessionState = SessionState.Created;
  ctx: LinkContext = new LinkContext();
  /** Mode cookie_first: the session came from the cookie, so responses are left as they are. */
  fromCookie: bool = false;
  /** Mode cookie_first: the Set-Cookie value every response of this stream gets; "" when none is due. */
  setCookie: string = "";
  /** Mode cookie_first: the redirect to the clean URL, when the request gets one instead of the upstream. */
  private reply: LocalReply | null = null;
  private rewriter: HtmlRewriter | null = null;
  private overflowsSeen: i32 = 0;

  constructor(public feature: ClickpathFeature, public services: Services) { super(); }

  localReply(): LocalReply | null { return this.reply; }

  /** True when responses get the session (the request has one and is not a crawler's). */
  get active(): bool { return this.state != SessionState.UaException && this.ctx.sess.length > 0; }

  onRequestHeaders(request: HeaderMap): void {
    const s = this.feature.settings;
    const feature = this.feature;
    const services = this.services;
    const hp = s.upstreamHeaderPrefix;
    // Upstreams trust these headers: a client must never be able to send them.
    const names = request.names.slice(0);
    for (let i = 0; i < names.length; i++) {
      if (names[i].startsWith(hp)) request.remove(names[i]);
    }
    const rawPath = request.get(":path");
    if (rawPath == null) return;
    let path = rawPath;
    const now = services.nowMicros() / 1000000;
    const authority = request.get(":authority");
    this.ctx.host = authority != null ? authority : (request.has("host") ? request.get("host")! : "");
    this.ctx.prefix = s.prefix;
    const cookieFirst = s.mode == SessionMode.CookieFirst;

    // Mode cookie_first: the first valid id among the cookies of that name is the session, whatever the URL
    // says (a visitor following someone else's link keeps their own session).
    let cookieSession: SessionId | null = null;
    let cookieId = "";
    let refusedCookie: string | null = null;
    let refusedCheck: IdCheck | null = null;
    if (cookieFirst) {
      const values = cookieValues(request, s.cookie.name);
      for (let i = 0; i < values.length; i++) {
        const c = checkId(values[i], s, now);
        if (c.valid) {
          cookieSession = c.id;
          cookieId = urlFormOf(values[i])!; // decodable, so its escapes are well-formed
          break;
        }
        if (refusedCookie == null) {
          refusedCookie = values[i];
          refusedCheck = c;
        }
      }
      if (cookieSession == null && refusedCookie != null) {
        services.count(feature.cookiesIgnored, 1);
        if (services.logs(LogLevel.Info)) services.log(LogLevel.Info, "clicktrail: clickpath: ignored the session cookie: " + refusedCheck!.problem);
      }
    }

    const found = findPathSession(path, s.prefix);
    let referer = request.get("referer");
    const originalReferer = referer;
    let sessionValue = "";
    let state = SessionState.Created;
    let continued: SessionId | null = null;
    let machine: MachineRow | null = null;
    let start: i64 = now;
    let friend: FriendlySession | null = null;
    let remote = "";
    if (found != null) {
      path = found.path;
      request.set(":path", path);
      if (referer != null) referer = stripRefererSession(referer, s.prefix, true);
      if (cookieSession != null) {
        // The cookie wins. The same id in the URL is a URL session the browser now keeps as a cookie.
        const urlForm = urlFormOf(found.id);
        services.count(urlForm != null && urlForm == cookieId ? feature.upgradedToCookie : feature.cookieUrlConflicts, 1);
      } else {
        const c = checkId(found.id, s, now);
        if (c.valid) {
          continued = c.id;
          sessionValue = found.id;
        } else {
          state = SessionState.Replaced;
          this.reportRefused(request, c, found.id);
        }
      }
    } else if (referer != null) {
      referer = stripRefererSession(referer, s.prefix, false);
    }
    if (cookieSession != null) {
      continued = cookieSession;
      sessionValue = cookieId;
      this.fromCookie = true;
      services.count(feature.continuedByCookie, 1);
    } else if (continued != null) {
      if (cookieFirst) services.count(feature.continuedByUrl, 1);
    } else if (found == null && refusedCookie != null) {
      // Nothing in the URL: the upstream learns of the cookie's id as it would of a URL's (in URL form).
      state = SessionState.Replaced;
      const shown = urlFormOf(refusedCookie);
      this.reportRefused(request, refusedCheck!, shown != null ? shown : refusedCookie);
    }

    if (continued != null) {
      state = SessionState.Continued;
      start = <i64>continued.time;
      const row = s.machineNamed(continued.machine);
      machine = row != null ? row : new MachineRow("", continued.machine, "");
      if (continued.friend.length > 0) {
        friend = s.friendNamed(continued.friend);
        if (friend != null) remote = continued.remote;
      }
      services.count(feature.sessionsContinued, 1);
    } else {
      const ua = request.get("user-agent");
      const uaText = ua != null ? ua : "";
      for (let i = 0; i < s.uaExceptions.length; i++) {
        const e = s.uaExceptions[i];
        if (e.regex.test(uaText)) {
          state = SessionState.UaException;
          sessionValue = e.name;
          break;
        }
      }
      if (state == SessionState.UaException) {
        services.count(feature.uaExceptions, 1);
      } else {
        let captured: CapturedFriend | null = null;
        if (referer != null) {
          const host = refererHost(referer);
          if (host != null) {
            const f = s.friendFor(host);
            if (f != null) captured = captureFriend(referer, f);
          }
        }
        machine = feature.machineFor(services);
        const conn = <u32>(services.connectionId() & 0xffffffff);
        const key = s.secrets.length > 0 ? s.secrets[0] : null;
        const worker = services.workerId();
        const counter = feature.nextCounter(services);
        sessionValue = encodeId(machine.name, <u32>now, worker, counter, conn,
          captured != null ? captured.idPart : "", key);
        if (captured != null && sessionValue.length > MAX_ID_BYTES) {
          if (services.logs(LogLevel.Info)) {
            services.log(LogLevel.Info, "clicktrail: clickpath: the friendly session from " + captured.friend.host +
              " would make the id longer than " + MAX_ID_BYTES.toString() + " bytes; a plain session was started");
          }
          captured = null;
          sessionValue = encodeId(machine.name, <u32>now, worker, counter, conn, "", key);
        }
        if (captured != null) {
          friend = captured.friend;
          remote = captured.remote;
        }
        services.count(feature.sessionsCreated, 1);
      }
    }
    this.state = state;

    if (referer != null && referer != originalReferer) request.set("referer", referer);
    request.set(hp + "session", sessionValue);
    request.set(hp + "session-start", start.toString());
    request.set(hp + "session-age", (now - start).toString());
    services.setFilterState(SESSION_FILTER_STATE, sessionValue);
    if (state == SessionState.UaException) return;

    const sess = "/" + s.prefix + sessionValue;
    request.set(hp + "session-path", sess);
    if (friend != null) {
      request.set(hp + "remote-session", headerSafe(remote));
      request.set(hp + "remote-session-host", friend.host);
    }
    if (machine != null) {
      request.set(hp + "machine", machine.name);
      if (machine.store.length > 0) request.set(hp + "machine-store", machine.store);
    }
    if (cookieFirst && state == SessionState.Continued) {
      request.set(hp + "source", this.fromCookie ? SOURCE_COOKIE : SOURCE_URL);
    }
    if (this.fromCookie) {
      // Nothing will be rewritten, so the upstream may compress (Accept-Encoding stays).
      if (found != null && s.cleanUrls && isGetOrHead(request.get(":method"))) this.redirectToCleanUrl(path);
      return;
    }
    if (cookieFirst) {
      // The cookie lives as long as the id has left: max_session_age from the session's start.
      const lifetime = s.maxSessionAge > 0 ? s.maxSessionAge - (now - start) : 0;
      this.setCookie = sessionSetCookie(s.cookie, sessionValue, lifetime);
    }
    if (s.stripAcceptEncoding) request.remove("accept-encoding");
    this.ctx.sess = sess;
    this.ctx.isNew = state != SessionState.Continued;
    this.ctx.setRequestPath(path);
  }

  /** Tells the upstream (and the metrics) that the visitor's id `idText` was refused and replaced. */
  private reportRefused(request: HeaderMap, c: IdCheck, idText: string): void {
    const hp = this.feature.settings.upstreamHeaderPrefix;
    const services = this.services;
    if (c.expired) {
      services.count(this.feature.sessionsExpired, 1);
      request.set(hp + "expired-session", idText);
      return;
    }
    services.count(this.feature.sessionsInvalid, 1);
    request.set(hp + "invalid-session", idText);
    if (services.logs(LogLevel.Info)) services.log(LogLevel.Info, "clicktrail: clickpath: caught invalid session: " + c.problem);
  }

  /**
   * Answers with a redirect to the URL without the session segment: the address bar, bookmarks and shared
   * links then carry no id. 307 rather than 302: only GET and HEAD get here, and 307 promises every client
   * the same method again (RFC 9110 §15.4.8), where 302 leaves some room (§15.4.3). Neither is cacheable
   * without explicit freshness; no-store makes sure, as the answer depends on the cookie.
   */
  private redirectToCleanUrl(path: string): void {
    const h = new HeaderMap();
    h.add("location", cleanLocation(path));
    h.add("cache-control", "no-store");
    this.reply = new LocalReply(307, h, "clicktrail_clean_url");
    this.services.count(this.feature.cleanUrlRedirects, 1);
  }
  onResponseHeaders(response: HeaderMap): void {
    this.rewriteResponseHeaders(response);
    const cookie = this.setCookie;
    // One line per response, even if a host hands the same response over twice.
    if (cookie.length > 0 && !response.getAll("set-cookie").includes(cookie)) response.add("set-cookie", cookie);
  }

  private rewriteResponseHeaders(response: HeaderMap): void {
    if (!this.active) return;
    rewriteAll(response, "location", this.ctx, false);
    rewriteAll(response, "refresh", this.ctx, true);
    if (!isHtmlContentType(response.get("content-type"))) return;
    const encoding = response.get("content-encoding");
    if (!isIdentityEncoding(encoding)) {
      this.services.count(this.feature.encodedBodiesSkipped, 1);
      if (this.services.logs(LogLevel.Info)) {
        this.services.log(LogLevel.Info, "clicktrail: clickpath: HTML with content-encoding " + encoding! +
          " passes unrewritten (strip_accept_encoding keeps upstreams from compressing)");
      }
      return;
    }
    response.remove("content-length");
    const policy = this.feature.settings.referrerPolicy;
    if (policy.length > 0 && !response.has("referrer-policy")) response.set("referrer-policy", policy);
    this.rewriter = new HtmlRewriter(new SessionLinks(this.ctx), this.feature.settings.maxTagBytes);
    this.services.count(this.feature.bodyRewrites, 1);
  }

  rewritesResponseBody(): bool { return this.rewriter != null; }

  holdsResponseBytes(): bool {
    const rewriter = this.rewriter;
    return rewriter != null && rewriter.holding;
  }

  onResponseBody(chunk: Uint8Array, endOfStream: bool): Uint8Array {
    const rewriter = this.rewriter;
    if (rewriter == null) return chunk;
    const out = rewriter.push(chunk, endOfStream);
    const overflows = rewriter.carryOverflows;
    if (overflows > this.overflowsSeen) {
      this.services.count(this.feature.carryOverflows, overflows - this.overflowsSeen);
      this.overflowsSeen = overflows;
    }
    return out;
  }
}

function rewriteAll(headers: HeaderMap, name: string, ctx: LinkContext, refresh: bool): void {
  const values = headers.getAll(name);
  if (values.length == 0) return;
  let changed = false;
  const out = new Array<string>();
  for (let i = 0; i < values.length; i++) {
    const v = refresh ? rewriteRefresh(ctx, values[i]) : rewriteLocation(ctx, values[i]);
    if (v != null) changed = true;
    out.push(v != null ? v : values[i]);
  }
  if (!changed) return;
  headers.set(name, out[0]);
  for (let i = 1; i < out.length; i++) headers.add(name, out[i]);
}

function isGetOrHead(method: string | null): bool {
  return method != null && (method == "GET" || method == "HEAD");
}

/**
 * The Location of a clean-URL redirect: the path without its session segment, query kept. Leading "/" and
 * "\" are folded into one "/", so "/-S:id//evil.example/" cannot become a protocol-relative Location.
 */
export function cleanLocation(path: string): string {
  let i = 0;
  while (i < path.length && (path.charCodeAt(i) == 0x2f || path.charCodeAt(i) == 0x5c)) i++;
  return i == 1 ? path : "/" + path.substring(i);
}

/** Newlines (remote session lines) and other bytes a header value cannot hold, percent-encoded. */
export function headerSafe(s: string): string {
  return percentEncodeExcept(s, (c: i32): bool => c >= 0x20 && c != 0x7f && c != 0x25);
}
