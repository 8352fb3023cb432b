// The report as text (stable and diffable: fixed order, ties broken by name, no clock, no locale) and as
// JSON. Both carry the same numbers; report-html.ts draws them.
import type { Report, Step } from "./analyze.js";

/** What was read: files, format, lines, and the first few lines that did not parse. */
export interface InputSummary {
  files: string[];
  format: string;
  lines: number;
  unparseable: number;
  /** The first few: where and what. */
  samples: Array<{ file: string; line: number; text: string }>;
}

export interface FullReport {
  input: InputSummary;
  report: Report;
}

/** 1h 02m 03s, 4m 05s, 7s; whole minutes and hours without the zeros (30m, 2h). */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return r === 0 ? (m === 0 ? `${h}h` : `${h}h ${two(m)}m`) : `${h}h ${two(m)}m ${two(r)}s`;
  if (m > 0) return r === 0 ? `${m}m` : `${m}m ${two(r)}s`;
  return `${r}s`;
}

export function percent(x: number): string {
  return (x * 100).toFixed(1) + "%";
}

/** One decimal place, as every mean in the report is shown. */
export function decimal(x: number): string {
  return x.toFixed(1);
}

export function stepName(p: Step): string {
  return p === null ? "(exit)" : p;
}

export const ARROW = " -> ";

/** Links per step the text report lists (JSON and HTML have them all). */
const FLOW_TEXT_LINKS = 10;

export function views(n: number): string {
  return n === 1 ? "1 view" : `${n} views`;
}

/** The tables of the report, shared by the text and the HTML so that both say the same. */
export function summaryRows(r: Report): Array<[string, string]> {
  const pps = r.pagesPerSession;
  const len = r.sessionSeconds;
  const rows: Array<[string, string]> = [
    ["sessions", String(r.sessions)],
    ["visitors", r.visitors === null ? "n/a (no tracking id in the log)" : (r.visitorsExact ? "" : "~") + String(r.visitors)],
    ["page views", String(r.requests.pageViews)],
    ["pages per session", `median ${pps.median}, p90 ${pps.p90}, mean ${decimal(pps.mean)}, max ${pps.max}`],
    ["session length", `median ${duration(len.median)}, p90 ${duration(len.p90)}, mean ${duration(len.mean)}, max ${duration(len.max)}`],
    ["bounce rate", `${percent(r.bounceRate)} (${r.bounces} of ${r.sessions} sessions had one page)`],
  ];
  return rows;
}

export function requestRows(r: Report): Array<[string, string]> {
  const q = r.requests;
  const names = q.crawlerNames.map(([n, c]) => `${n} ${c}`).join(", ");
  return [
    ["requests", String(q.total)],
    ["page views", String(q.pageViews)],
    ["other requests in sessions", String(q.other)],
    ["crawlers", String(q.crawlers) + (names ? ` (${names})` : "")],
    ["without an id", String(q.withoutId)],
  ];
}

function table(rows: Array<[string, string]>, indent = ""): string[] {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(w)}  ${v}`);
}

function counted(list: Array<[string, number]>, indent = "  "): string[] {
  if (list.length === 0) return [`${indent}(none)`];
  const w = Math.max(...list.map(([, n]) => String(n).length));
  return list.map(([k, n]) => `${indent}${String(n).padStart(w)}  ${k}`);
}

export function textReport({ input, report: r }: FullReport): string {
  const out: string[] = [];
  out.push("clickstream report");
  out.push("");
  const inRows: Array<[string, string]> = [
    ["input", input.files.join(" ")],
    ["format", input.format],
    ["lines", `${input.lines} (${input.unparseable} unparseable)`],
    ["time", r.firstTime === null ? "(no requests)" : `${r.firstTime} .. ${r.lastTime}`],
    ["sessions by", `${r.by === "session" ? "ClickPath session" : "tracking id"}, idle gap ${duration(r.idleSeconds)}`],
  ];
  out.push(...table(inRows));
  for (const s of input.samples) out.push(`  unparseable ${s.file}:${s.line}: ${s.text.length > 120 ? s.text.slice(0, 117) + "..." : s.text}`);
  if (input.unparseable > input.samples.length) out.push(`  ... and ${input.unparseable - input.samples.length} more`);
  out.push("");
  out.push(...table(requestRows(r)));
  out.push("");
  out.push(...table(summaryRows(r)));
  out.push("");
  out.push("top entry pages");
  out.push(...counted(r.entryPages));
  out.push("");
  out.push("top exit pages");
  out.push(...counted(r.exitPages));
  for (const p of r.paths) {
    out.push("");
    out.push(`most common paths of ${p.length} pages`);
    out.push(...counted(p.top.map((x) => [x.pages.join(ARROW), x.count] as [string, number])));
  }
  out.push("");
  out.push("transitions out of the top pages");
  if (r.transitions.length === 0) out.push("  (none)");
  for (const t of r.transitions) {
    out.push(`  ${t.page} (${views(t.views)})`);
    const w = Math.max(...t.next.map((x) => String(x.count).length));
    for (const x of t.next) out.push(`    ${String(x.count).padStart(w)}  ${percent(x.count / t.views).padStart(6)}${ARROW}${stepName(x.page)}`);
  }
  out.push("");
  out.push("flow from the entry page (step n -> n+1)");
  if (r.flow.length === 0) out.push("  (none)");
  const w = Math.max(0, ...r.flow.map((f) => String(f.count).length));
  for (const step of [1, 2, 3]) {
    const links = r.flow.filter((f) => f.step === step);
    for (const f of links.slice(0, FLOW_TEXT_LINKS)) {
      out.push(`  ${String(f.count).padStart(w)}  ${step} -> ${step + 1}  ${f.from}${ARROW}${stepName(f.to)}`);
    }
    const rest = links.slice(FLOW_TEXT_LINKS);
    if (rest.length) out.push(`  ... ${rest.length} more links of step ${step} (${rest.reduce((a, f) => a + f.count, 0)} sessions): --json has them all`);
  }
  if (r.droppedBelow !== null) {
    out.push("");
    out.push(`note: the page tables outgrew their limit; entries seen fewer than ${r.droppedBelow} times were dropped, so their counts are lower bounds`);
  }
  return out.join("\n") + "\n";
}

export function jsonReport(full: FullReport): string {
  const { input, report } = full;
  return JSON.stringify({ input, ...report }, null, 2) + "\n";
}
