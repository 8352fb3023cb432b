// Apache httpd's word splitting (ap_getword_conf in server/util.c): white space separates arguments;
// "double" or 'single' quotes group them, and inside quotes a backslash escapes the quote character or a
// backslash; outside quotes `\\` is one backslash. convert.ts reads the lines and sections around it.

export interface Directive {
  /** The directive name as written (compare case-insensitively, as httpd does). */
  name: string;
  /** Everything after the name, before word splitting (what a RAW_ARGS directive sees). */
  rawArgs: string;
  /** The arguments after ap_getword_conf splitting and unquoting. */
  args: string[];
  /** 1-based line number where the directive starts. */
  line: number;
  /** The enclosing sections, outermost first, e.g. ["<VirtualHost *:80>"]. */
  sections: string[];
}

const isSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\v" || c === "\f";

/** Splits `text` into words exactly as repeated ap_getword_conf calls do. */
export function getwordsConf(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && isSpace(text[i])) i++;
    if (i >= text.length) return out;
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      let j = i + 1;
      let word = "";
      while (j < text.length && text[j] !== quote) {
        if (text[j] === "\\" && j + 1 < text.length && (text[j + 1] === quote || text[j + 1] === "\\")) {
          // substring_conf: a backslash before the quote character or before a backslash is dropped.
          word += text[j + 1];
          j += 2;
        } else {
          word += text[j++];
        }
      }
      if (j < text.length) j++;
      out.push(word);
      i = j;
    } else {
      let j = i;
      let word = "";
      while (j < text.length && !isSpace(text[j])) {
        // Unquoted, only a doubled backslash collapses (httpd turns `a\\\\b` into `a\\b`).
        if (text[j] === "\\" && text[j + 1] === "\\") { word += "\\"; j += 2; continue; }
        word += text[j++];
      }
      out.push(word);
      i = j;
    }
  }
}
