// The clickpath feature: URL-carried sessions (Apache2::ClickPath's trans handler and output filter).
// Request: find and strip "/PREFIX<id>/", classify it, mint a new id when needed, tell the upstream
// through headers. Response: put the session into Location and Refresh, and into the links of HTML.
import { Feature, StreamFilter } from "../http/filter";
import { HeaderMap } from "../http/headers";
import { LogLevel, Services } from "../http/services";
import { ClickpathSettings, FriendlySession, MachineRow } from "./settings";
import { decodeId, encodeId, ipMachine, MAX_ID_BYTES, SessionId } from "./id";
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

export class ClickpathFeature extends Feature {
  sessionsCreated: u32;
  sessionsContinued: u32;
  sessionsExpired: u32;
  sessionsInvalid: u32;
  uaExceptions: u32;
  bodyRewrites: u32;
  encodedBodiesSkipped: u32;
  carryOverflows: u32;
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
  private rewriter: HtmlRewriter | null = null;
  private overflowsSeen: i32 = 0;

  constructor(public feature: ClickpathFeature, public services: Services) { super(); }

  /** True when responses get the session (the request has one and is not a crawler's). */
  get active(): bool { return this.state != SessionState.UaException && this.ctx.sess.length > 0; }

  onRequestHeaders(request: HeaderMap): void {
    const s = this.feature.settings;
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

    const found = findPathSession(path, s.prefix);
    let referer = request.get("referer");
    const originalReferer = referer;
    let sessionValue = "";
    let state = SessionState.Created;
    let machine: MachineRow | null = null;
    let start: i64 = now;
    let friend: FriendlySession | null = null;
    let remote = "";
    if (found != null) {
      path = found.path;
      request.set(":path", path);
      if (referer != null) referer = stripRefererSession(referer, s.prefix, true);
      const result = decodeId(found.id, s.secrets);
      const id = result.id;
      let problem = result.problem;
      if (id != null && s.machineTable.length > 0 && s.machineNamed(id.machine) == null) {
        problem = "unknown machine name '" + id.machine + "'";
      }
      if (id == null || problem.length > 0) {
        state = SessionState.Replaced;
        services.count(this.feature.sessionsInvalid, 1);
        request.set(hp + "invalid-session", found.id);
        if (services.logs(LogLevel.Info)) services.log(LogLevel.Info, "clicktrail: clickpath: caught invalid session: " + problem);
      } else {
        const age = now - <i64>id.time;
        if ((s.maxSessionAge > 0 && age > s.maxSessionAge) || age < 0) {
          state = SessionState.Replaced;
          services.count(this.feature.sessionsExpired, 1);
          request.set(hp + "expired-session", found.id);
        } else {
          state = SessionState.Continued;
          sessionValue = found.id;
          start = <i64>id.time;
          const row = s.machineNamed(id.machine);
          machine = row != null ? row : new MachineRow("", id.machine, "");
          if (id.friend.length > 0) {
            friend = s.friendNamed(id.friend);
            if (friend != null) remote = id.remote;
          }
          services.count(this.feature.sessionsContinued, 1);
        }
      }
    } else if (referer != null) {
      referer = stripRefererSession(referer, s.prefix, false);
    }

    if (state != SessionState.Continued) {
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
        services.count(this.feature.uaExceptions, 1);
      } else {
        let captured: CapturedFriend | null = null;
        if (referer != null) {
          const host = refererHost(referer);
          if (host != null) {
            const f = s.friendFor(host);
            if (f != null) captured = captureFriend(referer, f);
          }
        }
        machine = this.feature.machineFor(services);
        const conn = <u32>(services.connectionId() & 0xffffffff);
        const key = s.secrets.length > 0 ? s.secrets[0] : null;
        const worker = services.workerId();
        const counter = this.feature.nextCounter(services);
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
        services.count(this.feature.sessionsCreated, 1);
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
    if (s.stripAcceptEncoding) request.remove("accept-encoding");
    this.ctx.sess = sess;
    this.ctx.isNew = state != SessionState.Continued;
    this.ctx.setRequestPath(path);
  }

  onResponseHeaders(response: HeaderMap): void {
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

/** Newlines (remote session lines) and other bytes a header value cannot hold, percent-encoded. */
export function headerSafe(s: string): string {
  const out = new Array<string>(); // joined once: see escapeRemote
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c != 0x7f && c != 0x25) continue;
    out.push(s.substring(from, i));
    out.push("%" + "0123456789ABCDEF".charAt((c >> 4) & 15) + "0123456789ABCDEF".charAt(c & 15));
    from = i + 1;
  }
  if (from == 0) return s;
  out.push(s.substring(from));
  return out.join("");
}
