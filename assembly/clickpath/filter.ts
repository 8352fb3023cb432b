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
import { checkId, checkIdInto, IdCheck } from "./check";
import { captureFriend, CapturedFriend, findPathSessionInto, PathSession, refererHost, stripRefererSession } from "./request";
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
  // The upstream header names (prefix + name), made once rather than on every request.
  readonly sessionHeader: string;
  readonly sessionStartHeader: string;
  readonly sessionAgeHeader: string;
  readonly sessionPathHeader: string;
  readonly machineHeader: string;
  readonly machineStoreHeader: string;
  readonly remoteSessionHeader: string;
  readonly remoteSessionHostHeader: string;
  readonly sourceHeader: string;
  readonly expiredSessionHeader: string;
  readonly invalidSessionHeader: string;
  /** "/" + prefix: the start of every session segment. */
  readonly slashPrefix: string;
  // The last session start and age written as decimal text: a session's requests repeat the same start,
  // and its age changes once a second, so most requests reuse the text instead of converting again.
  private startValue: i64 = i64.MIN_VALUE;
  private startText: string = "";
  private ageValue: i64 = i64.MIN_VALUE;
  private ageText: string = "";
  /**
   * What the request being handled tells about its session: one object for every request (a request's
   * headers are handled in one call, and nothing keeps it after).
   */
  readonly sessionRequest: SessionRequest = new SessionRequest();

  constructor(public settings: ClickpathSettings, services: Services) {
    super();
    const hp = settings.upstreamHeaderPrefix;
    this.sessionHeader = hp + "session";
    this.sessionStartHeader = hp + "session-start";
    this.sessionAgeHeader = hp + "session-age";
    this.sessionPathHeader = hp + "session-path";
    this.machineHeader = hp + "machine";
    this.machineStoreHeader = hp + "machine-store";
    this.remoteSessionHeader = hp + "remote-session";
    this.remoteSessionHostHeader = hp + "remote-session-host";
    this.sourceHeader = hp + "source";
    this.expiredSessionHeader = hp + "expired-session";
    this.invalidSessionHeader = hp + "invalid-session";
    this.slashPrefix = "/" + settings.prefix;
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

  /** `start` (seconds) as decimal text. */
  startTextOf(start: i64): string {
    if (start != this.startValue) {
      this.startText = start.toString();
      this.startValue = start;
    }
    return this.startText;
  }

  /** `age` (seconds) as decimal text. */
  ageTextOf(age: i64): string {
    if (age != this.ageValue) {
      this.ageText = age.toString();
      this.ageValue = age;
    }
    return this.ageText;
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

/** What one request tells about its session, filled in step by step by ClickpathStream.onRequestHeaders. */
class SessionRequest {
  /** The session segment found in the path, or null. */
  found: PathSession | null = null;
  /** What `found` points to when there is one (kept for every request). */
  readonly pathSession: PathSession = new PathSession("", "");
  /** The check of the URL's id and the id it reads (kept for every request). */
  readonly urlCheck: IdCheck = new IdCheck(null, "", false);
  readonly urlSession: SessionId = new SessionId();
  /** The Referer as it arrived, and with any session segment taken out. */
  originalReferer: string | null = null;
  referer: string | null = null;
  /** Mode cookie_first: the first valid id among the session cookies, and its URL form. */
  cookieSession: SessionId | null = null;
  cookieId: string = "";
  /** Mode cookie_first: the first cookie value that was refused, and why. */
  refusedCookie: string | null = null;
  refusedCheck: IdCheck | null = null;
  state: SessionState = SessionState.Created;
  /** The id the upstream is told of (a crawler's: the ua_exceptions name). */
  sessionValue: string = "";
  /** The session's start (seconds): now for a new one. */
  start: i64;
  machine: MachineRow | null = null;
  friend: FriendlySession | null = null;
  remote: string = "";

  /** Seconds since the epoch, from the host's clock. */
  now: i64 = 0;
  /** The request path without the session segment. */
  path: string = "";

  /** Starts over for a request at `now` (seconds) for `path`. */
  reset(now: i64, path: string): SessionRequest {
    this.found = null;
    this.originalReferer = null;
    this.referer = null;
    this.cookieSession = null;
    this.cookieId = "";
    this.refusedCookie = null;
    this.refusedCheck = null;
    this.state = SessionState.Created;
    this.sessionValue = "";
    this.start = now;
    this.machine = null;
    this.friend = null;
    this.remote = "";
    this.now = now;
    this.path = path;
    return this;
  }
}

export class ClickpathStream extends StreamFilter {
  state: SessionState = SessionState.Created;
  /** The request's Host (:authority) verbatim, and the session segment ("/" + prefix + id, or ""). */
  private host: string = "";
  private sess: string = "";
  /** The session was created by this request (see LinkContext.isNew). */
  private isNew: bool = false;
  /** The link context, made when a response first needs it (see ctx). */
  private links: LinkContext | null = null;
  /** Mode cookie_first: the session came from the cookie, so responses are left as they are. */
  fromCookie: bool = false;
  /** Mode cookie_first: the Set-Cookie value every response of this stream gets; "" when none is due. */
  setCookie: string = "";
  /** Mode cookie_first: the redirect to the clean URL, when the request gets one instead of the upstream. */
  private reply: LocalReply | null = null;
  private rewriter: HtmlRewriter | null = null;
  private overflowsSeen: i32 = 0;
  /** The request path without session segment, for ctx; null when the request set no session. */
  private requestPath: string | null = null;

  constructor(public feature: ClickpathFeature, public services: Services) { super(); }

  localReply(): LocalReply | null { return this.reply; }

  /** True when responses get the session (the request has one and is not a crawler's). */
  get active(): bool { return this.state != SessionState.UaException && this.sess.length > 0; }

  /**
   * What the rules that put the session into URLs need from the request. Made on first use, after the
   * request headers: most responses have no Location, Refresh or HTML body, and then it is never made.
   */
  get ctx(): LinkContext {
    let ctx = this.links;
    if (ctx == null) {
      ctx = new LinkContext();
      ctx.prefix = this.feature.settings.prefix;
      ctx.host = this.host;
      ctx.sess = this.sess;
      ctx.isNew = this.isNew;
      const path = this.requestPath;
      if (path != null) ctx.setRequestPath(path);
      this.links = ctx;
    }
    return ctx;
  }

  /**
   * ClickPath's trans handler in four steps, each reading what the one before wrote into a SessionRequest:
   * parse the request (cookie and URL ids, Referer), classify the session it carries, issue a new id when
   * it carries none worth keeping, emit the outcome to the upstream and to the response side.
   */
  onRequestHeaders(request: HeaderMap): void {
    const r = this.parseRequest(request);
    if (r == null) return;
    this.classifySession(request, r);
    if (r.state == SessionState.Created || r.state == SessionState.Replaced) this.issueSession(r);
    this.state = r.state;
    this.emitSession(request, r);
  }

  /**
   * Drops the upstream headers a client sent, takes the session segment out of the path and the Referer,
   * and in mode cookie_first reads the session cookie. Null when the request has no :path.
   */
  private parseRequest(request: HeaderMap): SessionRequest | null {
    const s = this.feature.settings;
    const hp = s.upstreamHeaderPrefix;
    // Upstreams trust these headers: a client must never be able to send them. remove() compacts
    // `names` in place and takes every header of that name, none of which came before index i (a name
    // it did not take, not being lower-case, is stepped over). The same pass notes the first value of
    // each header read below (what HeaderMap#get would find once the removals are done).
    const names = request.names, values = request.values;
    let rawPath: string | null = null;
    let authority: string | null = null;
    let hostHeader: string | null = null;
    let referer: string | null = null;
    let i = 0;
    while (i < names.length) {
      const name = unchecked(names[i]);
      const n = names.length;
      if (startsWithAt(name, 0, hp)) {
        request.remove(name);
        if (names.length != n) continue;
      }
      const len = name.length;
      if (len == 5) {
        if (rawPath == null && name == ":path") rawPath = unchecked(values[i]);
      } else if (len == 10) {
        if (authority == null && name == ":authority") authority = unchecked(values[i]);
      } else if (len == 4) {
        if (hostHeader == null && name == "host") hostHeader = unchecked(values[i]);
      } else if (len == 7) {
        if (referer == null && name == "referer") referer = unchecked(values[i]);
      }
      i++;
    }
    if (rawPath == null) return null;
    const r = this.feature.sessionRequest.reset(this.services.nowMicros() / 1000000, rawPath);
    this.host = authority != null ? authority : (hostHeader != null ? hostHeader : "");
    this.links = null;
    if (s.mode == SessionMode.CookieFirst) this.readSessionCookie(request, r);

    const found = findPathSessionInto(rawPath, s.prefix, r.pathSession) ? r.pathSession : null;
    r.originalReferer = referer;
    r.found = found;
    if (found != null) {
      r.path = found.path;
      request.set(":path", found.path);
      if (referer != null) referer = stripRefererSession(referer, s.prefix, true);
    } else if (referer != null) {
      referer = stripRefererSession(referer, s.prefix, false);
    }
    r.referer = referer;
    return r;
  }

  /**
   * Mode cookie_first: the first valid id among the cookies of that name is the session, whatever the URL
   * says (a visitor following someone else's link keeps their own session).
   */
  private readSessionCookie(request: HeaderMap, r: SessionRequest): void {
    const s = this.feature.settings;
    const values = cookieValues(request, s.cookie.name);
    for (let i = 0; i < values.length; i++) {
      const c = checkId(values[i], s, r.now);
      if (c.valid) {
        r.cookieSession = c.id;
        r.cookieId = urlFormOf(values[i])!; // decodable, so its escapes are well-formed
        break;
      }
      if (r.refusedCookie == null) {
        r.refusedCookie = values[i];
        r.refusedCheck = c;
      }
    }
    if (r.cookieSession == null && r.refusedCookie != null) {
      this.services.count(this.feature.cookiesIgnored, 1);
      if (this.services.logs(LogLevel.Info)) {
        this.services.log(LogLevel.Info, "clicktrail: clickpath: ignored the session cookie: " + r.refusedCheck!.problem);
      }
    }
  }

  /**
   * Which session the request carries: a valid id (from the cookie, which wins, or from the URL) continues;
   * without one, a crawler's User-Agent gets no session at all, and anyone else a new one (Created, or
   * Replaced when the id they sent was refused).
   */
  private classifySession(request: HeaderMap, r: SessionRequest): void {
    const continued = this.validSession(request, r);
    if (continued != null) {
      this.continueSession(r, continued);
      return;
    }
    const s = this.feature.settings;
    const ua = request.get("user-agent");
    const uaText = ua != null ? ua : "";
    for (let i = 0; i < s.uaExceptions.length; i++) {
      const e = s.uaExceptions[i];
      if (e.regex.test(uaText)) {
        r.state = SessionState.UaException;
        r.sessionValue = e.name;
        this.services.count(this.feature.uaExceptions, 1);
        return;
      }
    }
  }

  /**
   * The valid id the request carries, the cookie's before the URL's, or null; an id that was refused is
   * reported to the upstream and leaves the state Replaced.
   */
  private validSession(request: HeaderMap, r: SessionRequest): SessionId | null {
    const feature = this.feature;
    const services = this.services;
    const found = r.found;
    let continued: SessionId | null = null;
    if (found != null) {
      if (r.cookieSession != null) {
        // The cookie wins. The same id in the URL is a URL session the browser now keeps as a cookie.
        const urlForm = urlFormOf(found.id);
        services.count(urlForm != null && urlForm == r.cookieId ? feature.upgradedToCookie : feature.cookieUrlConflicts, 1);
      } else {
        const c = checkIdInto(found.id, feature.settings, r.now, r.urlCheck, r.urlSession);
        if (c.valid) {
          continued = c.id;
          r.sessionValue = found.id;
        } else {
          r.state = SessionState.Replaced;
          this.reportRefused(request, c, found.id);
        }
      }
    }
    const cookieSession = r.cookieSession;
    if (cookieSession != null) {
      r.sessionValue = r.cookieId;
      this.fromCookie = true;
      services.count(feature.continuedByCookie, 1);
      return cookieSession;
    }
    if (continued != null) {
      if (feature.settings.mode == SessionMode.CookieFirst) services.count(feature.continuedByUrl, 1);
    } else if (found == null && r.refusedCookie != null) {
      // Nothing in the URL: the upstream learns of the cookie's id as it would of a URL's (in URL form).
      r.state = SessionState.Replaced;
      const refused = r.refusedCookie!;
      const shown = urlFormOf(refused);
      this.reportRefused(request, r.refusedCheck!, shown != null ? shown : refused);
    }
    return continued;
  }

  /** A continued session keeps its start, its machine and the friendly session its id carries. */
  private continueSession(r: SessionRequest, continued: SessionId): void {
    const s = this.feature.settings;
    r.state = SessionState.Continued;
    r.start = <i64>continued.time;
    const row = s.machineNamed(continued.machine);
    r.machine = row != null ? row : new MachineRow("", continued.machine, "");
    if (continued.friend.length > 0) {
      r.friend = s.friendNamed(continued.friend);
      if (r.friend != null) r.remote = continued.remote;
    }
    this.services.count(this.feature.sessionsContinued, 1);
  }

  /**
   * Mints the new id: this machine, the time, worker, counter and connection, and the friendly session a
   * partner's Referer carries when it fits in the id.
   */
  private issueSession(r: SessionRequest): void {
    const s = this.feature.settings;
    const feature = this.feature;
    const services = this.services;
    let captured: CapturedFriend | null = null;
    const referer = r.referer;
    if (referer != null) {
      const host = refererHost(referer);
      if (host != null) {
        const f = s.friendFor(host);
        if (f != null) captured = captureFriend(referer, f);
      }
    }
    const machine = feature.machineFor(services);
    r.machine = machine;
    const now = <u32>r.now;
    const conn = <u32>(services.connectionId() & 0xffffffff);
    const key = s.secrets.length > 0 ? s.secrets[0] : null;
    const worker = services.workerId();
    const counter = feature.nextCounter(services);
    r.sessionValue = encodeId(machine.name, now, worker, counter, conn, captured != null ? captured.idPart : "", key);
    if (captured != null && r.sessionValue.length > MAX_ID_BYTES) {
      if (services.logs(LogLevel.Info)) {
        services.log(LogLevel.Info, "clicktrail: clickpath: the friendly session from " + captured.friend.host +
          " would make the id longer than " + MAX_ID_BYTES.toString() + " bytes; a plain session was started");
      }
      captured = null;
      r.sessionValue = encodeId(machine.name, now, worker, counter, conn, "", key);
    }
    if (captured != null) {
      r.friend = captured.friend;
      r.remote = captured.remote;
    }
    services.count(feature.sessionsCreated, 1);
  }

  /**
   * Tells the upstream (headers, the access log's filter state) and prepares the response side: nothing for
   * a crawler, the clean-URL redirect for a cookie session, otherwise the Set-Cookie (mode cookie_first) and
   * the link context that puts the session into Location, Refresh and HTML.
   */
  private emitSession(request: HeaderMap, r: SessionRequest): void {
    const feature = this.feature;
    const s = feature.settings;
    const state = r.state;
    const sessionValue = r.sessionValue;
    const now = r.now;
    const start = r.start;
    if (r.referer != null && r.referer != r.originalReferer) request.set("referer", r.referer!);
    // parseRequest removed every header with the prefix, so these are added: the same map as set() would
    // leave, without looking for an old value to drop.
    request.add(feature.sessionHeader, sessionValue);
    request.add(feature.sessionStartHeader, feature.startTextOf(start));
    request.add(feature.sessionAgeHeader, feature.ageTextOf(now - start));
    this.services.setFilterState(SESSION_FILTER_STATE, sessionValue);
    if (state == SessionState.UaException) return;

    const sess = feature.slashPrefix + sessionValue;
    request.add(feature.sessionPathHeader, sess);
    const friend = r.friend;
    if (friend != null) {
      request.add(feature.remoteSessionHeader, headerSafe(r.remote));
      request.add(feature.remoteSessionHostHeader, friend.host);
    }
    const machine = r.machine;
    if (machine != null) {
      request.add(feature.machineHeader, machine.name);
      if (machine.store.length > 0) request.add(feature.machineStoreHeader, machine.store);
    }
    const cookieFirst = s.mode == SessionMode.CookieFirst;
    if (cookieFirst && state == SessionState.Continued) {
      request.add(feature.sourceHeader, this.fromCookie ? SOURCE_COOKIE : SOURCE_URL);
    }
    if (this.fromCookie) {
      // Nothing will be rewritten, so the upstream may compress (Accept-Encoding stays).
      if (r.found != null && s.cleanUrls && isGetOrHead(request.get(":method"))) this.redirectToCleanUrl(r.path);
      return;
    }
    if (cookieFirst) {
      // The cookie lives as long as the id has left: max_session_age from the session's start.
      const lifetime = s.maxSessionAge > 0 ? s.maxSessionAge - (now - start) : 0;
      this.setCookie = sessionSetCookie(s.cookie, sessionValue, lifetime);
    }
    if (s.stripAcceptEncoding) request.remove("accept-encoding");
    this.sess = sess;
    this.isNew = state != SessionState.Continued;
    this.requestPath = r.path;
  }

  /** Tells the upstream (and the metrics) that the visitor's id `idText` was refused and replaced. */
  private reportRefused(request: HeaderMap, c: IdCheck, idText: string): void {
    const feature = this.feature;
    const services = this.services;
    if (c.expired) {
      services.count(feature.sessionsExpired, 1);
      request.set(feature.expiredSessionHeader, idText);
      return;
    }
    services.count(feature.sessionsInvalid, 1);
    request.set(feature.invalidSessionHeader, idText);
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
    // One look at the names first: most responses have neither header, and getAll would make an array.
    const names = response.names;
    let location = false;
    let refresh = false;
    for (let i = 0, n = names.length; i < n; i++) {
      const name = unchecked(names[i]);
      if (name.length == 8 && name == "location") location = true;
      else if (name.length == 7 && name == "refresh") refresh = true;
    }
    if (location) rewriteAll(response, "location", this.ctx, false);
    if (refresh) rewriteAll(response, "refresh", this.ctx, true);
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

/** s[at..] starts with `prefix`, compared in place (String#startsWith goes through calls per request). */
// @ts-ignore: decorator
@inline function startsWithAt(s: string, at: i32, prefix: string): bool {
  const n = prefix.length;
  if (at + n > s.length) return false;
  const a = changetype<usize>(s) + (<usize>at << 1);
  const b = changetype<usize>(prefix);
  for (let k = 0; k < n; k++) {
    if (load<u16>(a + (<usize>k << 1)) != load<u16>(b + (<usize>k << 1))) return false;
  }
  return true;
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
