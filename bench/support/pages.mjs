// The HTML pages the benchmarks rewrite: lol-html's three benchmark pages (tests/fixtures/lol-html-bench/,
// see its LICENSE) and a generated link-dense page.
import { readFileSync } from "node:fs";

const fixtures = new URL("../../tests/fixtures/lol-html-bench/", import.meta.url);
export const FIXTURE_PAGES = ["cloudflare.com.html", "ecma402-spec.html", "html-parsing-spec.html"];

export function fixturePage(name) {
  return readFileSync(new URL(name, fixtures));
}

/**
 * A page of exactly `size` bytes that is mostly links: relative and absolute, same-site and foreign, images,
 * and now and then a form with a formaction button. The same bytes on every call.
 */
export function densePage(size = 4 << 20) {
  const parts = ["<!DOCTYPE html><html><head><title>links</title><base href=\"/\"></head><body>\n"];
  let n = parts[0].length;
  for (let i = 0; n < size; i++) {
    const p = `<li><a href="/section/${i % 97}/item-${i}.html">item ${i}</a> <a href="item-${i}.html?ref=list">rel</a> ` +
      `<a href="https://example.com/x/${i}">abs</a> <a href="https://other.example/${i}">foreign</a> <img src="/img/${i}.png" alt="">` +
      (i % 10 == 0 ? `<form action="/search"><input name=q><button formaction="/go/${i}">go</button></form>` : "") + "</li>\n";
    parts.push(p);
    n += p.length;
  }
  const end = "</body></html>\n";
  const text = parts.join("");
  // Cut at the end of a line so that no tag is cut in half, then pad the comment to the exact size.
  const body = text.slice(0, text.lastIndexOf("\n", size - end.length - 16) + 1);
  return Buffer.from(body + "<!--" + "-".repeat(size - body.length - end.length - 7) + "-->" + end);
}
