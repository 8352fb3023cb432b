// The native anchor for bench/native.mjs: Cloudflare's lol-html crate (https://github.com/cloudflare/lol-html),
// compiled natively, rewriting the same attributes of the same tags as bench/html.mjs's subjects: a fixed
// segment is prepended to every non-empty value. Each page is fed in chunks of the given size, as a proxy
// receives it; the output goes to a buffer that is reused across runs.
//
//   cargo build --release && target/release/native-lol-html-bench [--chunk 16384] [--bytes 8000000] PAGE...
//
// Prints one line per page: `<path> <bytes> <MB/s> <insertions>`, MB/s over enough whole runs of the page to
// process about --bytes of input (at least two).
use lol_html::html_content::Element;
use lol_html::{element, HtmlRewriter, Settings};
use std::time::Instant;

const SEGMENT: &str = "/-S:BENCH1234567890";

// (selector, attribute): the list in bench/html.mjs.
const TARGETS: [(&str, &str); 9] = [
    ("a[href]", "href"),
    ("area[href]", "href"),
    ("form[action]", "action"),
    ("frame[src]", "src"),
    ("iframe[src]", "src"),
    ("meta[content]", "content"),
    ("base[href]", "href"),
    ("button[formaction]", "formaction"),
    ("input[formaction]", "formaction"),
];

fn prefix(el: &mut Element, attr: &str) {
    if let Some(value) = el.get_attribute(attr) {
        if !value.is_empty() {
            let _ = el.set_attribute(attr, &format!("{SEGMENT}{value}"));
        }
    }
}

/// One rewrite of `page` in `chunk`-byte writes; returns the output's length.
fn rewrite(page: &[u8], chunk: usize, out: &mut Vec<u8>) -> usize {
    out.clear();
    let handlers = TARGETS
        .iter()
        .map(|&(selector, attr)| {
            element!(selector, move |el| {
                prefix(el, attr);
                Ok(())
            })
        })
        .collect();
    let mut rewriter = HtmlRewriter::new(
        Settings { element_content_handlers: handlers, ..Settings::new() },
        |c: &[u8]| out.extend_from_slice(c),
    );
    for part in page.chunks(chunk) {
        rewriter.write(part).expect("lol-html refused a chunk");
    }
    rewriter.end().expect("lol-html refused the end");
    out.len()
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

fn main() {
    let mut chunk = 16384usize;
    let mut target = 8_000_000usize;
    let mut pages = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--chunk" => chunk = args.next().and_then(|v| v.parse().ok()).expect("--chunk needs a number"),
            "--bytes" => target = args.next().and_then(|v| v.parse().ok()).expect("--bytes needs a number"),
            _ => pages.push(a),
        }
    }
    let mut out = Vec::new();
    for path in pages {
        let page = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        rewrite(&page, chunk, &mut out); // warm-up, and the output to count
        let insertions = count(&out, SEGMENT.as_bytes());
        let runs = std::cmp::max(2, (target + page.len() - 1) / page.len());
        let t0 = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(rewrite(std::hint::black_box(&page), chunk, &mut out));
        }
        let secs = t0.elapsed().as_secs_f64();
        println!("{path} {} {:.1} {insertions}", page.len(), (page.len() * runs) as f64 / secs / 1e6);
    }
}
