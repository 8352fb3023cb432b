// The click-stream analysis: hits in (roughly) time order become sessions, and every session, once closed,
// is folded into aggregates and dropped. A session is keyed by its ClickPath id (--by session) or by the
// visitor's tracking id (--by visitor); either way it closes when its key has been idle for longer than
// the idle gap, measured against the latest request time seen so far. Each open session has one entry in a
// queue, with its last request time when it was queued; closing the idle ones looks at the queue's front,
// and a session that was active since it was queued goes to the back with its new time. So a session is
// dropped once idle for the gap, at the latest about two gaps after it was last queued; memory is bounded
// by the number of sessions open in that window, not by the size of the log.
//
// Pages are objects (one per path), and the paths of length 2-4 a trie hanging off them (page -> next page
// -> next -> next, a count at each node), so that a request costs a few identity-keyed Map lookups rather
// than building and hashing a string per path. The page table and the trie are bounded too: past
// PAGE_TABLE_LIMIT pages or nodes the rarest are dropped and the report says so.
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
  /** Distinct tracking ids with a page view in a session (null: the log has no tracking id). */
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
   * (n = 1..3), or to null where the session ended there. Per step the FLOW_PAGES busiest pages are named
   * and the others are OTHER_PAGES, so the links are few and still count every session.
   */
  flow: Array<{ step: number; from: string; to: Step; count: number }>;
  /** Set when a page table outgrew its limit: counts below this were dropped, so totals are lower bounds. */
  droppedBelow: number | null;
}

/** Static files are requests in a session but not pages of the click stream. */
const ASSET = /\.(?:css|js|mjs|map|png|jpe?g|gif|webp|avif|svg|ico|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|ogg|wav|json|xml|txt|pdf|zip|gz)$/i;

export function isAsset(path: string): boolean {
  return ASSET.test(path);
}

/** A GET or POST answered 2xx or 304 (or by a status the log does not have): a page view if not a static file. */
export function answered(hit: Hit): boolean {
  const m = hit.method;
  if (m !== null && m !== "GET" && m !== "POST") return false;
  const st = hit.status;
  return (st >= 200 && st < 300) || st === 304 || st === NOT_LOGGED;
}

/**
 * A page view: a GET or POST answered 2xx or 304 (any answer when the log has no status) for something
 * that is not a static file.
 */
export function isPageView(hit: Hit): boolean {
  return answered(hit) && !isAsset(hit.path);
}

/**
 * ClickPath logs the name of the crawler exception (\w+) where a session id (MACHINE:PAYLOAD) would be:
 * a session value without a colon is a crawler.
 */
export function isCrawlerName(session: string): boolean {
  return session.indexOf(":") < 0;
}

/** A path of the site, with what happened there and the trie of the paths that start there. */
class Page {
  /** A static file (by its extension): requested in sessions, never a page view. */
  readonly asset: boolean;
  views = 0;
  entries = 0;
  exits = 0;
  /** Ended the session at steps 1..3 of the flow; flowOut[i] counts step i+1 -> i+2 moves by next page. */
  flowExits = [0, 0, 0];
  flowOut: Array<Map<Page, number> | null> = [null, null, null];
  /** Paths starting here: the next page's node. */
  readonly next = new Map<Page, Node>();
  /** Set when the table dropped this page: sessions still pointing at it count into nothing. */
  dropped = false;
  constructor(readonly name: string) {
    this.asset = isAsset(name);
  }
}

/** A node of the path trie: how often the path from its root page to here was taken. */
class Node {
  count = 0;
  next: Map<Page, Node> | null = null;
  constructor(readonly page: Page) {}
}

interface OpenSession {
  key: string;
  /** The tracking id last seen in the session (visitors are counted when it changes). */
  visitor: string | null;
  start: number;
  last: number;
  pages: number;
  first: Page;
  /** The latest page. */
  p1: Page;
  /** The first FLOW_STEPS pages. */
  head: Page[];
  /** The trie nodes of p2 -> p1 and p3 -> p2 -> p1 (null until the session has that many pages). */
  n21: Node | null;
  n321: Node | null;
}

const FLOW_STEPS = 4;
/** Pages per step the flow names; the rest are OTHER_PAGES. */
const FLOW_PAGES = 6;
export const OTHER_PAGES = "(other pages)";

/**
 * A copy of s that does not keep the text it was cut from alive: V8's slice() of a long string points
 * into the original (the whole chunk the line came from), and a key kept in a table would hold it.
 */
export function own(s: string): string {
  return (" " + s).slice(1);
}

/** The n largest by count, ties by name: one pass, no sort of everything. */
class TopN<T> {
  readonly items: Array<[T, number, string]> = [];
  constructor(private readonly n: number) {}
  offer(item: T, count: number, name: () => string): void {
    const items = this.items;
    if (items.length === this.n) {
      const lastItem = items[items.length - 1];
      if (count < lastItem[1]) return;
      if (count === lastItem[1] && name() >= lastItem[2]) return;
    }
    const entry: [T, number, string] = [item, count, name()];
    let i = items.length;
    items.push(entry);
    while (i > 0 && (items[i - 1][1] < count || (items[i - 1][1] === count && items[i - 1][2] > entry[2]))) {
      items[i] = items[i - 1];
      i--;
    }
    items[i] = entry;
    if (items.length > this.n) items.pop();
  }
}

function child(map: Map<Page, Node>, page: Page): Node {
  let n = map.get(page);
  if (n === undefined) {
    n = new Node(page);
    map.set(page, n);
  }
  return n;
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
      if (this.exact.has(id)) return;
      this.exact.add(own(id));
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

export class Analyzer {
  private readonly open = new Map<string, OpenSession>();
  /** Open sessions in the order they were queued, with their last request time then (stamps). */
  private queue: OpenSession[] = [];
  private stamps: number[] = [];
  private head = 0;
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
  private readonly pages = new Map<string, Page>();
  private nodes = 0;

  constructor(private readonly opts: AnalyzeOptions) {
    this.top = opts.top ?? 10;
    this.limit = opts.pageTableLimit ?? 200_000;
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
      const n = this.crawlerNames.get(sess);
      if (n === undefined) this.crawlerNames.set(own(sess), 1);
      else this.crawlerNames.set(sess, n + 1);
      return;
    }
    const key = this.opts.by === "session" ? sess : hit.visitor;
    if (key === null) {
      this.withoutId++;
      return;
    }
    if (!answered(hit)) {
      this.other++;
      return;
    }
    let page = this.pages.get(hit.path);
    if (page === undefined) {
      page = new Page(own(hit.path));
      this.pages.set(page.name, page);
      if (this.pages.size > this.limit) this.prune();
    }
    if (page.asset) {
      this.other++;
      return;
    }
    this.pageViews++;
    page.views++;
    let s = this.open.get(key);
    if (s !== undefined && t - s.last > this.opts.idleMs) {
      this.close(s);
      s = undefined;
    }
    const v = hit.visitor;
    if (s === undefined) {
      if (v !== null) this.visitors.add(v);
      s = { key: own(key), visitor: v === null ? null : own(v), start: t, last: t, pages: 1, first: page, p1: page, head: [page], n21: null, n321: null };
      this.open.set(s.key, s);
      this.queue.push(s);
      this.stamps.push(t);
      return;
    }
    if (v !== null && v !== s.visitor) {
      this.visitors.add(v);
      s.visitor = own(v);
    }
    if (t > s.last) s.last = t;
    if (t < s.start) s.start = t;
    s.pages++;
    if (s.head.length < FLOW_STEPS) s.head.push(page);
    const before = this.nodes;
    // The path trie: p1 -> page (length 2), p2 -> p1 -> page (3), p3 -> p2 -> p1 -> page (4). The nodes of
    // p2 -> p1 and p3 -> p2 -> p1 are the ones the previous page view reached: the session keeps them.
    const n2 = child(s.p1.next, page);
    if (n2.count++ === 0) this.nodes++;
    let n3: Node | null = null;
    if (s.n21 !== null) {
      n3 = child(s.n21.next ??= new Map(), page);
      if (n3.count++ === 0) this.nodes++;
      if (s.n321 !== null) {
        const n4 = child(s.n321.next ??= new Map(), page);
        if (n4.count++ === 0) this.nodes++;
      }
    }
    s.n21 = n2;
    s.n321 = n3;
    if (this.nodes > this.limit && this.nodes > before) this.prune();
    s.p1 = page;
  }

  /**
   * Drops the rarest pages and trie nodes, raising the floor until at most half the limit of each is left.
   * What survives is every page and path seen more often than the floor.
   */
  private prune(): void {
    let floor = this.droppedBelow > 0 ? this.droppedBelow - 1 : 0;
    while (this.pages.size > this.limit / 2 || this.nodes > this.limit / 2) {
      floor++;
      for (const [name, p] of this.pages) {
        if (p.views <= floor) {
          p.dropped = true;
          this.pages.delete(name);
        }
      }
      let nodes = 0;
      const sweep = (map: Map<Page, Node>): void => {
        for (const [pg, n] of map) {
          if (pg.dropped || n.count <= floor) {
            map.delete(pg);
            continue;
          }
          if (n.count > 0) nodes++;
          if (n.next) sweep(n.next);
        }
      };
      for (const p of this.pages.values()) sweep(p.next);
      this.nodes = nodes;
    }
    this.droppedBelow = floor + 1;
  }

  private closeIdle(): void {
    const limit = this.now - this.opts.idleMs;
    const q = this.queue;
    const stamps = this.stamps;
    while (this.head < q.length) {
      const s = q[this.head];
      const stamp = stamps[this.head];
      if (stamp >= limit) break;
      this.head++;
      if (this.open.get(s.key) !== s) continue; // closed already: its key came back after the gap
      if (s.last !== stamp) {
        // Active since it was queued: queued again with its latest time (paid for by those requests).
        q.push(s);
        stamps.push(s.last);
        continue;
      }
      this.open.delete(s.key);
      this.fold(s);
    }
    if (this.head > 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.stamps = stamps.slice(this.head);
      this.head = 0;
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
    s.first.entries++;
    s.p1.exits++;
    const h = s.head;
    for (let i = 0; i + 1 < FLOW_STEPS && i < h.length; i++) {
      const from = h[i];
      if (i + 1 < h.length) {
        const m = (from.flowOut[i] ??= new Map());
        m.set(h[i + 1], (m.get(h[i + 1]) ?? 0) + 1);
      } else {
        from.flowExits[i]++;
      }
    }
  }

  finish(): Report {
    for (const s of this.open.values()) this.fold(s);
    this.open.clear();
    const top = this.top;
    const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : null);
    const pages = [...this.pages.values()];
    const topBy = (n: number, count: (p: Page) => number): Array<[string, number]> => {
      const t = new TopN<Page>(n);
      for (const p of pages) if (count(p) > 0) t.offer(p, count(p), () => p.name);
      return t.items.map(([p, c]) => [p.name, c]);
    };
    const topPages = topBy(Math.min(top, 5), (p) => p.views);
    const transitions: Report["transitions"] = topPages.map(([name, views]) => {
      const p = this.pages.get(name)!;
      const next: Array<{ page: Step; count: number }> = [];
      for (const [q, n] of p.next) if (!q.dropped && n.count > 0) next.push({ page: q.name, count: n.count });
      if (p.exits > 0) next.push({ page: null, count: p.exits });
      next.sort((a, b) => b.count - a.count || stepOrder(a.page, b.page));
      return { page: name, views, next: next.slice(0, 5) };
    });
    // Paths of length 2, 3, 4 from the trie.
    const paths = [2, 3, 4].map((length) => ({ length, best: new TopN<Page[]>(top) }));
    const walk = (trail: Page[], map: Map<Page, Node>): void => {
      for (const [q, n] of map) {
        if (q.dropped) continue;
        const t = [...trail, q];
        if (n.count > 0) paths[t.length - 2].best.offer(t, n.count, () => t.map((x) => x.name).join("\n"));
        if (n.next && t.length < 4) walk(t, n.next);
      }
    };
    for (const p of pages) walk([p], p.next);
    // The flow: per step the FLOW_PAGES busiest pages by name, the rest as one "(other pages)", so that the
    // links (few) still add up to every session.
    const volume: Array<Map<Page, number>> = [new Map(), new Map(), new Map(), new Map()];
    const bump = (m: Map<Page, number>, p: Page, n: number) => m.set(p, (m.get(p) ?? 0) + n);
    const outVolume: Array<Map<Page, number>> = [new Map(), new Map(), new Map()];
    const inVolume: Array<Map<Page, number>> = [new Map(), new Map(), new Map(), new Map()];
    for (const p of pages) {
      for (let i = 0; i < 3; i++) {
        const out = p.flowOut[i];
        if (out) for (const [q, n] of out) if (!q.dropped) { bump(outVolume[i], p, n); bump(inVolume[i + 1], q, n); }
        if (p.flowExits[i] > 0) bump(outVolume[i], p, p.flowExits[i]);
      }
    }
    for (let i = 0; i < 4; i++) {
      for (const [p, n] of inVolume[i]) volume[i].set(p, n);
      if (i < 3) for (const [p, n] of outVolume[i]) if ((volume[i].get(p) ?? 0) < n) volume[i].set(p, n);
    }
    const kept = volume.map((m) => {
      const t = new TopN<Page>(FLOW_PAGES);
      for (const [p, n] of m) t.offer(p, n, () => p.name);
      return new Set(t.items.map(([p]) => p));
    });
    const group = (step: number, p: Page) => (kept[step - 1].has(p) ? p.name : OTHER_PAGES);
    const links = new Map<string, { step: number; from: string; to: Step; count: number }>();
    const link = (step: number, from: string, to: Step, n: number) => {
      const k = `${step}\n${from}\n${to ?? ""}`;
      const l = links.get(k);
      if (l) l.count += n;
      else links.set(k, { step, from, to, count: n });
    };
    for (const p of pages) {
      for (let i = 0; i < 3; i++) {
        const out = p.flowOut[i];
        if (out) for (const [q, n] of out) if (!q.dropped) link(i + 1, group(i + 1, p), group(i + 2, q), n);
        if (p.flowExits[i] > 0) link(i + 1, group(i + 1, p), null, p.flowExits[i]);
      }
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
      entryPages: topBy(top, (p) => p.entries),
      exitPages: topBy(top, (p) => p.exits),
      paths: paths.map(({ length, best }) => ({ length, top: best.items.map(([t, count]) => ({ pages: t.map((x) => x.name), count })) })),
      transitions,
      flow: [...links.values()]
        .sort((a, b) => a.step - b.step || b.count - a.count || (a.from < b.from ? -1 : a.from > b.from ? 1 : stepOrder(a.to, b.to))),
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
