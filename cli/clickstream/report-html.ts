// The report as one self-contained HTML page: inline style, SVG drawn here, no scripts, nothing fetched.
// A flow diagram of how sessions went on from their entry page (columns are steps 1-4, bands are sessions,
// red stubs are sessions that ended there), bar charts of pages per session and session length, and the
// same tables as the text report (the same strings, from report.ts, so both say the same).
import { OTHER_PAGES as OTHER, type Report, type Step } from "./analyze.js";
import { ARROW, duration, views, percent, requestRows, stepName, summaryRows, type FullReport } from "./report.js";

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Shortens long page names for labels (the title attribute keeps the full name). */
function label(s: string, max = 28): string {
  return s.length > max ? "…" + s.slice(s.length - max + 1) : s;
}

const NODES_PER_STEP = 7;

/** The flow as an SVG Sankey diagram. */
export function flowSvg(r: Report): string {
  if (r.flow.length === 0) return `<p class="empty">No session went past its first page.</p>`;
  // Volume per (step, page): what enters it (or starts there, at step 1) and what leaves it.
  const vol = new Map<string, number>();
  const key = (step: number, page: string) => `${step}\n${page}`;
  const add = (k: string, n: number) => vol.set(k, (vol.get(k) ?? 0) + n);
  const out = new Map<string, number>();
  const inn = new Map<string, number>();
  for (const f of r.flow) {
    out.set(key(f.step, f.from), (out.get(key(f.step, f.from)) ?? 0) + f.count);
    if (f.to !== null) inn.set(key(f.step + 1, f.to), (inn.get(key(f.step + 1, f.to)) ?? 0) + f.count);
  }
  for (const [k, n] of out) add(k, n);
  for (const [k, n] of inn) if ((vol.get(k) ?? 0) < n) vol.set(k, n);
  // The report names at most six pages per step and groups the rest; should a step still have more, the
  // busiest keep a node of their own and the rest share one.
  const steps = [1, 2, 3, 4];
  const kept = new Map<number, Set<string>>();
  for (const s of steps) {
    const pages = [...vol].filter(([k]) => k.startsWith(`${s}\n`)).map(([k, n]) => [k.slice(k.indexOf("\n") + 1), n] as [string, number]);
    pages.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    kept.set(s, new Set(pages.slice(0, NODES_PER_STEP).map(([p]) => p)));
  }
  const nodeOf = (step: number, page: string) => (kept.get(step)!.has(page) ? page : OTHER);
  const nodes = new Map<string, { step: number; page: string; value: number; y: number; h: number; outY: number; inY: number }>();
  for (const [k, n] of vol) {
    const step = Number(k.slice(0, k.indexOf("\n")));
    const page = nodeOf(step, k.slice(k.indexOf("\n") + 1));
    const nk = key(step, page);
    const node = nodes.get(nk) ?? { step, page, value: 0, y: 0, h: 0, outY: 0, inY: 0 };
    node.value += n;
    nodes.set(nk, node);
  }
  const W = 960, H = 420, colW = 230, top = 30, gap = 14;
  const x = (step: number) => 10 + (step - 1) * ((W - colW - 20) / 3);
  const maxTotal = Math.max(...steps.map((s) => [...nodes.values()].filter((n) => n.step === s).reduce((a, n) => a + n.value, 0)));
  const count = Math.max(...steps.map((s) => [...nodes.values()].filter((n) => n.step === s).length));
  const scale = (H - top - 10 - gap * (count - 1)) / maxTotal;
  for (const s of steps) {
    let y = top;
    const col = [...nodes.values()].filter((n) => n.step === s)
      .sort((a, b) => (a.page === OTHER ? 1 : b.page === OTHER ? -1 : b.value - a.value || (a.page < b.page ? -1 : 1)));
    for (const n of col) {
      n.y = y;
      n.h = Math.max(2, n.value * scale);
      n.outY = y;
      n.inY = y;
      y += n.h + gap;
    }
  }
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="flow" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="flow of sessions from their entry page">`);
  for (const s of steps) parts.push(`<text x="${x(s)}" y="16" class="axis">step ${s}</text>`);
  // Links, widest first so narrow ones stay visible on top.
  const merged = new Map<string, { step: number; from: string; to: Step; count: number }>();
  for (const f of r.flow) {
    const from = nodeOf(f.step, f.from);
    const to = f.to === null ? null : nodeOf(f.step + 1, f.to);
    const k = `${f.step}\n${from}\n${to ?? ""}`;
    const m = merged.get(k) ?? { step: f.step, from, to, count: 0 };
    m.count += f.count;
    merged.set(k, m);
  }
  const links = [...merged.values()].sort((a, b) => b.count - a.count || (stepName(a.to) < stepName(b.to) ? -1 : 1));
  for (const l of links) {
    const a = nodes.get(key(l.step, l.from))!;
    const w = Math.max(1, l.count * scale);
    const x0 = x(l.step) + 12;
    const y0 = a.outY + w / 2;
    a.outY += w;
    const title = `<title>${esc(l.from)}${ARROW}${esc(stepName(l.to))}: ${l.count}</title>`;
    if (l.to === null) {
      parts.push(`<path class="exit" d="M${x0},${y0} h40" stroke-width="${w.toFixed(1)}">${title}</path>`);
      continue;
    }
    const b = nodes.get(key(l.step + 1, l.to))!;
    const x1 = x(l.step + 1);
    const y1 = b.inY + w / 2;
    b.inY += w;
    const mid = (x0 + x1) / 2;
    parts.push(`<path class="link" d="M${x0},${y0.toFixed(1)} C${mid},${y0.toFixed(1)} ${mid},${y1.toFixed(1)} ${x1},${y1.toFixed(1)}" stroke-width="${w.toFixed(1)}">${title}</path>`);
  }
  for (const n of nodes.values()) {
    parts.push(`<g class="node"><rect x="${x(n.step)}" y="${n.y.toFixed(1)}" width="12" height="${n.h.toFixed(1)}"><title>${esc(n.page)}: ${n.value}</title></rect>` +
      `<text x="${x(n.step) + 16}" y="${(n.y + Math.min(n.h / 2, 10) + 4).toFixed(1)}">${esc(label(n.page))} <tspan class="n">${n.value}</tspan></text></g>`);
  }
  parts.push("</svg>");
  return parts.join("\n");
}

/** A bar chart of [label, value] with the value written on each bar. */
export function barChart(title: string, bars: Array<[string, number]>, cls: string): string {
  const W = 460, H = 200, left = 10, bottom = 34, top = 18;
  const max = Math.max(1, ...bars.map(([, v]) => v));
  const bw = (W - left * 2) / Math.max(1, bars.length);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" class="chart ${cls}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`];
  bars.forEach(([name, v], i) => {
    const h = ((H - bottom - top) * v) / max;
    const bx = left + i * bw;
    parts.push(`<g class="bar" data-label="${esc(name)}" data-value="${v}"><rect x="${(bx + 2).toFixed(1)}" y="${(H - bottom - h).toFixed(1)}" width="${(bw - 4).toFixed(1)}" height="${h.toFixed(1)}"/>` +
      `<text class="v" x="${(bx + bw / 2).toFixed(1)}" y="${(H - bottom - h - 4).toFixed(1)}">${v}</text>` +
      `<text class="l" x="${(bx + bw / 2).toFixed(1)}" y="${H - bottom + 14}">${esc(name)}</text></g>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** Pages per session: 1..9 one bar each, then 10+. */
export function pageBars(r: Report): Array<[string, number]> {
  const bars: Array<[string, number]> = [];
  for (let i = 1; i <= 9; i++) bars.push([String(i), 0]);
  bars.push(["10+", 0]);
  for (const [v, n] of r.pagesPerSession.counts) bars[Math.min(v, 10) - 1][1] += n;
  return bars;
}

/** Session length in buckets: [label, upper bound in seconds, exclusive]. */
const LENGTH_BUCKETS: Array<[string, number]> = [
  ["0s", 1], ["<10s", 10], ["<30s", 30], ["<1m", 60], ["<3m", 180], ["<10m", 600], ["<30m", 1800], ["<1h", 3600], ["1h+", Infinity],
];

export function lengthBars(r: Report): Array<[string, number]> {
  const bars = LENGTH_BUCKETS.map(([l]) => [l, 0] as [string, number]);
  for (const [v, n] of r.sessionSeconds.counts) bars[LENGTH_BUCKETS.findIndex(([, hi]) => v < hi)][1] += n;
  return bars;
}

function rowsTable(id: string, rows: Array<[string, string]>): string {
  return `<table id="${id}" class="kv">` + rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("") + "</table>";
}

function countTable(id: string, head: string, rows: Array<[string, number]>): string {
  const body = rows.length ? rows.map(([k, n]) => `<tr><td class="n">${n}</td><td>${esc(k)}</td></tr>`).join("") : `<tr><td></td><td>(none)</td></tr>`;
  return `<table id="${id}" class="counts"><caption>${esc(head)}</caption>${body}</table>`;
}

/** `lead`: HTML placed under the title (the demo puts the visitor's own path there). */
export function htmlReport({ input, report: r }: FullReport, { lead = "" }: { lead?: string } = {}): string {
  const title = `clickstream report: ${input.files.join(" ")}`;
  const css = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}table{border-collapse:collapse;margin:8px 0}
th,td{padding:2px 10px 2px 0;text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:6px 0;white-space:nowrap}.grid{display:flex;flex-wrap:wrap;gap:24px}
svg text{font:12px system-ui,sans-serif;fill:#222}.flow text{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}svg .axis{font-weight:600}svg .n{fill:#666}
.flow .node rect{fill:#3b6ea8}.flow .link{fill:none;stroke:#3b6ea8;stroke-opacity:.3}.flow .exit{fill:none;stroke:#c0392b;stroke-opacity:.5}
.chart rect{fill:#3b6ea8}.chart .v,.chart .l{text-anchor:middle}.note{color:#a33}code{font-size:12px}`;
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>`);
  parts.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
  parts.push(`<style>${css}</style></head><body>`);
  parts.push(`<h1>clickstream report</h1>`);
  if (lead) parts.push(lead);
  parts.push(rowsTable("input", [
    ["input", input.files.join(" ")],
    ["format", input.format],
    ["lines", `${input.lines} (${input.unparseable} unparseable)`],
    ["time", r.firstTime === null ? "(no requests)" : `${r.firstTime} .. ${r.lastTime}`],
    ["sessions by", `${r.by === "session" ? "ClickPath session" : "tracking id"}, idle gap ${duration(r.idleSeconds)}`],
  ]));
  if (input.samples.length) {
    parts.push(`<p>Unparseable lines (first ${input.samples.length}):</p><ul id="unparseable">` +
      input.samples.map((s) => `<li><code>${esc(s.file)}:${s.line}: ${esc(s.text.slice(0, 200))}</code></li>`).join("") + "</ul>");
  }
  parts.push(`<div class="grid">${rowsTable("summary", summaryRows(r))}${rowsTable("requests", requestRows(r))}</div>`);
  parts.push(`<h2>How sessions went on from their entry page</h2><p>Columns are the first four pages of the sessions; bands are sessions moving on, red stubs sessions that ended there.</p>`);
  parts.push(flowSvg(r));
  parts.push(`<h2>Distributions</h2><div class="grid">`);
  parts.push(`<figure><figcaption>pages per session</figcaption>${barChart("pages per session", pageBars(r), "pages")}</figure>`);
  parts.push(`<figure><figcaption>session length</figcaption>${barChart("session length", lengthBars(r), "length")}</figure></div>`);
  parts.push(`<h2>Pages</h2><div class="grid">`);
  parts.push(countTable("entry", "top entry pages", r.entryPages));
  parts.push(countTable("exit", "top exit pages", r.exitPages));
  parts.push(`</div><h2>Most common paths</h2><div class="grid">`);
  for (const p of r.paths) parts.push(countTable(`paths-${p.length}`, `paths of ${p.length} pages`, p.top.map((x) => [x.pages.join(ARROW), x.count])));
  parts.push(`</div><h2>Transitions out of the top pages</h2>`);
  for (const [i, t] of r.transitions.entries()) {
    parts.push(`<table id="transitions-${i}" class="counts"><caption>${esc(t.page)} (${views(t.views)})</caption>` +
      t.next.map((x) => `<tr><td class="n">${x.count}</td><td class="n">${percent(x.count / t.views)}</td><td>${esc(ARROW.trim())} ${esc(stepName(x.page))}</td></tr>`).join("") + "</table>");
  }
  if (r.droppedBelow !== null) parts.push(`<p class="note">The page tables outgrew their limit; entries seen fewer than ${r.droppedBelow} times were dropped, so their counts are lower bounds.</p>`);
  parts.push(`</body></html>\n`);
  return parts.join("\n");
}
