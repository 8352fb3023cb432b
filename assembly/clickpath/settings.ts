// The validated settings of the clickpath feature, as config/clickpath.ts reads them from the JSON configuration.
import { Regex } from "../regex";
import * as K from "../config/keys/clickpath";

/** A crawler that gets neither a session nor rewriting (ClickPathUAExceptions line). */
export class UaException {
  constructor(public name: string, public pattern: string, public regex: Regex) {}
}

/** One statement of a friendly session: `uri(N)` (index >= 0) or `param(name)`. */
export class FriendlyStatement {
  constructor(public uriIndex: i32, public param: string) {}
  get isUri(): bool { return this.uriIndex >= 0; }
}

/** A partner site whose URL session is captured into ours (ClickPathFriendlySessions line). */
export class FriendlySession {
  constructor(public host: string, public statements: FriendlyStatement[], public name: string) {}
}

/** A row of the cluster layout (ClickPathMachineTable line). */
export class MachineRow {
  constructor(public address: string, public name: string, public store: string) {}
}

/** Where a session id travels (`clickpath.mode`). */
export const enum SessionMode {
  /** Apache2::ClickPath: in the URL only, every link rewritten. */
  Url = 0,
  /** A cookie once the browser keeps it; the URL (and rewriting) only until then. */
  CookieFirst = 1,
}

/** The cookie of mode cookie_first (`clickpath.cookie`); its Max-Age is the id's remaining lifetime. */
export class SessionCookie {
  name: string = K.cookieName.stringDefault;
  path: string = K.cookiePath.stringDefault;
  /** "" for no Domain attribute (a host-only cookie). */
  domain: string = "";
  /** "Lax", "Strict" or "None", as written in Set-Cookie. */
  sameSite: string = "Lax";
  secure: bool = true;
  httpOnly: bool = true;
}

export class ClickpathSettings {
  enabled: bool = true;
  mode: SessionMode = SessionMode.Url;
  /** Mode cookie_first only. */
  cookie: SessionCookie = new SessionCookie();
  /** Mode cookie_first: a GET or HEAD carrying the cookie's session and a URL segment is redirected to the URL without it. */
  cleanUrls: bool = false;
  prefix: string = K.prefix.stringDefault;
  /** Seconds; 0 = no limit. */
  maxSessionAge: i64 = 0;
  uaExceptions: UaException[] = [];
  friendlySessions: FriendlySession[] = [];
  /** ClickPathMachine: the name new ids carry; null when not configured. */
  machine: string | null = null;
  machineTable: MachineRow[] = [];
  /** Signing keys (UTF-8 of each secret); the first signs, all verify. */
  secrets: Uint8Array[] = [];
  upstreamHeaderPrefix: string = K.upstreamHeaderPrefix.stringDefault;
  stripAcceptEncoding: bool = true;
  maxTagBytes: i32 = <i32>K.maxTagBytes.intDefault;
  /** A Referrer-Policy value added to rewritten pages; "" adds none. */
  referrerPolicy: string = "";

  private machineNameList: string[] | null = null;

  /** The machine table's names in its order (made on first use: the configuration fills the table once). */
  get machineNames(): string[] {
    let names = this.machineNameList;
    if (names == null || names.length != this.machineTable.length) {
      names = new Array<string>(this.machineTable.length);
      for (let i = 0; i < this.machineTable.length; i++) names[i] = this.machineTable[i].name;
      this.machineNameList = names;
    }
    return names;
  }

  /** The table row named `name`, or null. */
  machineNamed(name: string): MachineRow | null {
    for (let i = 0; i < this.machineTable.length; i++) {
      if (this.machineTable[i].name == name) return this.machineTable[i];
    }
    return null;
  }

  /** The table row for a local address, or null. */
  machineAt(address: string): MachineRow | null {
    for (let i = 0; i < this.machineTable.length; i++) {
      if (this.machineTable[i].address == address) return this.machineTable[i];
    }
    return null;
  }

  friendFor(host: string): FriendlySession | null {
    for (let i = 0; i < this.friendlySessions.length; i++) {
      if (this.friendlySessions[i].host == host) return this.friendlySessions[i];
    }
    return null;
  }

  friendNamed(name: string): FriendlySession | null {
    for (let i = 0; i < this.friendlySessions.length; i++) {
      if (this.friendlySessions[i].name == name) return this.friendlySessions[i];
    }
    return null;
  }
}
