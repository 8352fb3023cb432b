// The click-stream analysis: hits in (roughly) time order become sessions, and every session, once closed,
// is folded into aggregates and dropped. A session is keyed by its ClickPath id (--by session) or by the
// visitor's tracking id (--by visitor); either way it closes when its key has been idle for longer than
// the idle gap, measured against the latest request time seen so far. Open sessions are kept in a Map in
// order of last activity, so closing the idle ones is a walk from its front: memory is bounded by the
// number of sessions open at one time, not by the size of the log. The per-page tables (views, entries,
// exits, transitions, paths) are bounded too: past PAGE_TABLE_LIMIT keys their rarest entries are dropped
// and the report says so.
import { NOT_LOGGED, type Hit } from "./formats.js";

export type SessionKey = "session" | "visitor";

export interface AnalyzeOptions {
  by: SessionKey;
  /** Idle gap in milliseconds. */
  idleMs: number;
  /** How many rows the top lists keep. */
  top?: number;
  /** Keys per page table before its rarest entries are dropped (tests lower it). */
  pageTableLimit?: number;
  /** false when the log has no tracking id: the report then has no visitor count. */
  countVisitors?: boolean;
}

/** A page a session went to, or where it ended (null). */
export type Step = string | null;

export interface Distribution {
  median: number;
  p90: number;
  mean: number;
  max: number;
  /** [value, sessions] in ascending order of value. */
  counts: Array<[number, number]>;
}

export interface Report {
  by: SessionKey;
  idleSeconds: number;
  firstTime: string | null;
  lastTime: string | null;
  requests: {
    total: number;
    pageViews: number;
    /** Requests in sessions that are not page views (assets, redirects, errors, HEAD, ...). */
    other: number;
    crawlers: number;
    withoutId: number;
    /** Crawler requests by the exception name ClickPath logged in place of a session. */
    crawlerNames: Array<[string, number]>;
  };
  sessions: number;
  visitors: number | null;
  /** false once there were too many ids to count exactly and the count is an estimate. */
  visitorsExact: boolean;
  pagesPerSession: Distribution;
  sessionSeconds: Distribution;
  bounces: number;
  /** Bounces per session, 0 when there were no sessions. */
  bounceRate: number;
  entryPages: Array<[string, number]>;
  exitPages: Array<[string, number]>;
  /** The most common runs of consecutive pages, by length 2, 3, 4. */
  paths: Array<{ length: number; top: Array<{ pages: string[]; count: number }> }>;
  /** Where visitors went from the most viewed pages; a null page is the end of the session. */
  transitions: Array<{ page: string; views: number; next: Array<{ page: Step; count: number }> }>;
  /**
   * How sessions went on from their entry page: links from the page at step n to the page at step n+1
   * (n = 1..3), or to null where the session ended there; the most common FLOW_LINKS of them.
   */
  flow: Array<{ step: number; from: string; to: Step; count: number }>;
  /** Set when a page table outgrew its limit: counts below this were dropped, so totals are lower bounds. */
  droppedBelow: number | null;
}

/** Static files are requests in a session but not pages of the click stream. */
const ASSET = /\.(?:css|js|mjs|map|png|jpe?g|gif|webp|avif|svg|ico|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|ogg|wav|json|xml|txt|pdf|zip|gz)$/i;

/**
 * A page view: a GET or POST answered 2xx or 304 (any answer when the log has no status) for something
 * that is not a static file.
 */
export function isPageView(hit: Hit): boolean {
  const m = hit.method;
  if (m !== null && m !== "GET" && m !== "POST") return false;
  const st = hit.status;
  if (!((st >= 200 && st < 300) || st === 304 || st === NOT_LOGGED)) return false;
  return !ASSET.test(hit.path);
}

/** ClickPath logs the name of the crawler exception (\w+) where a session id (MACHINE:PAYLOAD) would be. */
export function isCrawlerName(session: string): boolean {
  return /^\w+$/.test(session);
}

interface OpenSession {
  key: string;
  start: number;
  last: number;
  pages: number;
  first: string;
  /** The last three pages, most recent first (for paths of length 2–4). */
  p1: string;
  p2: string | null;
  p3: string | null;
  /** The first FLOW_STEPS pages. */
  head: string[];
}

const FLOW_STEPS = 4;
const FLOW_LINKS = 40;

/** A count per key that drops its rarest keys when it grows past `limit`. */
class CountTable {
  readonly map = new Map<string, number>();
  droppedBelow = 0;
  constructor(private readonly limit: number, private readonly onDrop: (below: number) => void) {}

  add(key: string, n = 1): void {
    const m = this.map;
    m.set(key, (m.get(key) ?? 0) + n);
    if (m.size > this.limit) this.prune();
  }

  private prune(): void {
    // Raise the floor until at most half the limit is left: what survives is every key seen more often.
    let floor = this.droppedBelow;
    while (this.map.size > this.limit / 2) {
      floor++;
      for (const [k, v] of this.map) if (v <= floor) this.map.delete(k);
    }
    this.droppedBelow = floor + 1;
    this.onDrop(this.droppedBelow);
  }

  top(n: number): Array<[string, number]> {
    return [...this.map].sort(byCountThenName).slice(0, n);
  }
}

function byCountThenName(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/** Distinct ids: exact up to EXACT_LIMIT, then a HyperLogLog estimate (2^14 registers, ~0.8% error). */
class DistinctCounter {
  private static readonly EXACT_LIMIT = 500_000;
  private exact: Set<string> | null = new Set();
  private registers: Uint8Array | null = null;

  add(id: string): void {
    if (this.exact) {
      this.exact.add(id);
      if (this.exact.size > DistinctCounter.EXACT_LIMIT) {
        this.registers = new Uint8Array(1 << 14);
        for (const x of this.exact) this.hll(x);
        this.exact = null;
      }
      return;
    }
    this.hll(id);
  }

  private hll(id: string): void {
    // FNV-1a 32 bit, then a murmur3 finalizer to spread the bits.
    let h = 0x811c9dc5;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
    const idx = h >>> 18;
    const rest = (h << 14) | 0x2000; // a sentinel bit keeps the rank finite
    const rank = Math.clz32(rest) + 1;
    if (rank > this.registers![idx]) this.registers![idx] = rank;
  }

  get isExact(): boolean {
    return this.exact !== null;
  }

  get count(): number {
    if (this.exact) return this.exact.size;
    const r = this.registers!;
    const m = r.length;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      sum += 2 ** -r[i];
      if (r[i] === 0) zeros++;
    }
    const e = (0.7213 / (1 + 1.079 / m)) * m * m / sum;
    return Math.round(e <= 2.5 * m && zeros > 0 ? m * Math.log(m / zeros) : e);
  }
}

function distribution(hist: Map<number, number>, total: number): Distribution {
  const counts = [...hist].sort((a, b) => a[0] - b[0]);
  if (total === 0) return { median: 0, p90: 0, mean: 0, max: 0, counts };
  // Nearest-rank percentiles: the smallest value with at least p% of the sessions at or below it.
  const rank = (p: number) => {
    const need = Math.ceil((p / 100) * total);
    let seen = 0;
    for (const [v, n] of counts) {
      seen += n;
      if (seen >= need) return v;
    }
    return counts[counts.length - 1][0];
  };
  let sum = 0;
  for (const [v, n] of counts) sum += v * n;
  return { median: rank(50), p90: rank(90), mean: sum / total, max: counts[counts.length - 1][0], counts };
}

const SEP = "\n";

export class Analyzer {
  private readonly open = new Map<string, OpenSession>();
  private now = -Infinity;
  private first = Infinity;
  private last = -Infinity;
  private readonly top: number;
  private readonly limit: number;
  private droppedBelow = 0;

  private total = 0;
  private pageViews = 0;
  private other = 0;
  private crawlers = 0;
  private withoutId = 0;
  private readonly crawlerNames = new Map<string, number>();
  private sessions = 0;
  private bounces = 0;
  private readonly visitors = new DistinctCounter();
  private readonly pagesHist = new Map<number, number>();
  private readonly secondsHist = new Map<number, number>();
  private readonly views: CountTable;
  private readonly entries: CountTable;
  private readonly exits: CountTable;
  /** "from\nto" → count; "from\n" is the end of a session. */
  private readonly moves: CountTable;
  private readonly grams: CountTable[];
  /** "step\nfrom\nto" → count; an empty "to" is the end of the session. */
  private readonly flow: CountTable;

  constructor(private readonly opts: AnalyzeOptions) {
    this.top = opts.top ?? 10;
    this.limit = opts.pageTableLimit ?? 200_000;
    const onDrop = (below: number) => { if (below > this.droppedBelow) this.droppedBelow = below; };
    this.views = new CountTable(this.limit, onDrop);
    this.entries = new CountTable(this.limit, onDrop);
    this.exits = new CountTable(this.limit, onDrop);
    this.moves = new CountTable(this.limit, onDrop);
    this.grams = [2, 3, 4].map(() => new CountTable(this.limit, onDrop));
    this.flow = new CountTable(this.limit, onDrop);
  }

  /** Sessions open right now (what memory is proportional to). */
  get openSessions(): number {
    return this.open.size;
  }

  add(hit: Hit): void {
    this.total++;
    const t = hit.time;
    if (t < this.first) this.first = t;
    if (t > this.last) this.last = t;
    if (t > this.now) {
      this.now = t;
      this.closeIdle();
    }
    const sess = hit.session;
    if (sess !== null && isCrawlerName(sess)) {
      this.crawlers++;
      this.crawlerNames.set(sess, (this.crawlerNames.get(sess) ?? 0) + 1);
      return;
    }
    const key = this.opts.by === "session" ? sess : hit.visitor;
    if (key === null) {
      this.withoutId++;
      return;
    }
    if (hit.visitor !== null) this.visitors.add(hit.visitor);
    if (!isPageView(hit)) {
      this.other++;
      return;
    }
    this.pageViews++;
    const page = hit.path;
    this.views.add(page);
    let s = this.open.get(key);
    if (s !== undefined && t - s.last > this.opts.idleMs) {
      this.close(s);
      s = undefined;
    }
    if (s === undefined) {
      s = { key, start: t, last: t, pages: 1, first: page, p1: page, p2: null, p3: null, head: [page] };
      this.open.set(key, s);
      return;
    }
    // Keep the map in order of last activity: move the session to the end.
    this.open.delete(key);
    this.open.set(key, s);
    if (t > s.last) s.last = t;
    if (t < s.start) s.start = t;
    s.pages++;
    if (s.head.length < FLOW_STEPS) s.head.push(page);
    this.moves.add(s.p1 + SEP + page);
    this.grams[0].add(s.p1 + SEP + page);
    if (s.p2 !== null) this.grams[1].add(s.p2 + SEP + s.p1 + SEP + page);
    if (s.p3 !== null) this.grams[2].add(s.p3 + SEP + s.p2 + SEP + s.p1 + SEP + page);
    s.p3 = s.p2;
    s.p2 = s.p1;
    s.p1 = page;
  }

  private closeIdle(): void {
    const limit = this.now - this.opts.idleMs;
    for (const s of this.open.values()) {
      if (s.last >= limit) break;
      this.open.delete(s.key);
      this.fold(s);
    }
  }

  private close(s: OpenSession): void {
    this.open.delete(s.key);
    this.fold(s);
  }

  private fold(s: OpenSession): void {
    this.sessions++;
    if (s.pages === 1) this.bounces++;
    this.pagesHist.set(s.pages, (this.pagesHist.get(s.pages) ?? 0) + 1);
    const secs = Math.round((s.last - s.start) / 1000);
    this.secondsHist.set(secs, (this.secondsHist.get(secs) ?? 0) + 1);
    this.entries.add(s.first);
    this.exits.add(s.p1);
    this.moves.add(s.p1 + SEP);
    const h = s.head;
    for (let i = 0; i + 1 < FLOW_STEPS && i < h.length; i++) {
      this.flow.add(`${i + 1}${SEP}${h[i]}${SEP}${i + 1 < h.length ? h[i + 1] : ""}`);
    }
  }

  finish(): Report {
    for (const s of this.open.values()) this.fold(s);
    this.open.clear();
    const top = this.top;
    const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : null);
    const transitions: Report["transitions"] = [];
    const outOf = new Map<string, Array<{ page: Step; count: number }>>();
    const topPages = this.views.top(Math.min(top, 5));
    for (const [page] of topPages) outOf.set(page, []);
    for (const [k, n] of this.moves.map) {
      const cut = k.indexOf(SEP);
      const list = outOf.get(k.slice(0, cut));
      if (list) list.push({ page: cut === k.length - 1 ? null : k.slice(cut + 1), count: n });
    }
    for (const [page, views] of topPages) {
      const next = outOf.get(page)!.sort((a, b) => b.count - a.count || stepOrder(a.page, b.page)).slice(0, 5);
      transitions.push({ page, views, next });
    }
    return {
      by: this.opts.by,
      idleSeconds: Math.round(this.opts.idleMs / 1000),
      firstTime: iso(this.first),
      lastTime: iso(this.last),
      requests: {
        total: this.total,
        pageViews: this.pageViews,
        other: this.other,
        crawlers: this.crawlers,
        withoutId: this.withoutId,
        crawlerNames: [...this.crawlerNames].sort(byCountThenName),
      },
      sessions: this.sessions,
      visitors: this.opts.countVisitors === false ? null : this.visitors.count,
      visitorsExact: this.visitors.isExact,
      pagesPerSession: distribution(this.pagesHist, this.sessions),
      sessionSeconds: distribution(this.secondsHist, this.sessions),
      bounces: this.bounces,
      bounceRate: this.sessions ? this.bounces / this.sessions : 0,
      entryPages: this.entries.top(top),
      exitPages: this.exits.top(top),
      paths: this.grams.map((g, i) => ({
        length: i + 2,
        top: g.top(top).map(([k, count]) => ({ pages: k.split(SEP), count })),
      })),
      transitions,
      flow: this.flow.top(FLOW_LINKS).map(([k, count]) => {
        const [step, from, to] = k.split(SEP);
        return { step: Number(step), from, to: to === "" ? null : to, count };
      }).sort((a, b) => a.step - b.step || b.count - a.count || (a.from < b.from ? -1 : a.from > b.from ? 1 : stepOrder(a.to, b.to))),
      droppedBelow: this.droppedBelow > 0 ? this.droppedBelow : null,
    };
  }
}

/** Pages by name, the end of the session last. */
function stepOrder(a: Step, b: Step): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
