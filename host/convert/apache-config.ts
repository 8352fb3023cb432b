// Reading an Apache httpd configuration file the way httpd's own parser does (server/config.c and
// server/util.c): physical lines joined by a trailing backslash, `#` comments only as whole lines,
// arguments split by ap_getword_conf (white space; "double" or 'single' quotes, inside which a backslash
// escapes the quote character or a backslash; outside quotes `\\` is one backslash), and
// `<Section ...>` / `</Section>` tags.

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

export interface ParseError { line: number; message: string }

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

/** Parses a configuration file into directives; section tags must nest and close. */
export function parseApacheConfig(text: string): { directives: Directive[]; errors: ParseError[] } {
  const directives: Directive[] = [];
  const errors: ParseError[] = [];
  const sections: { tag: string; name: string; line: number }[] = [];
  const physical = text.split(/\r?\n/);
  for (let i = 0; i < physical.length; i++) {
    const startLine = i + 1;
    let logical = physical[i];
    // A backslash at the very end (after trailing blanks are stripped) continues the line.
    while (/\\\s*$/.test(logical) && i + 1 < physical.length) {
      logical = logical.replace(/\\\s*$/, "") + physical[++i];
    }
    const trimmed = logical.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const m = /^(\S+)\s*(.*)$/.exec(trimmed)!;
    const name = m[1];
    const rawArgs = m[2];
    if (name.startsWith("</")) {
      const closing = name.slice(2).replace(/>$/, "").toLowerCase();
      const open = sections.pop();
      if (!open || open.name !== closing) {
        errors.push({ line: startLine, message: `${name} without matching <${closing}> section` });
        if (open) sections.push(open);
      }
      continue;
    }
    if (name.startsWith("<")) {
      const sectionName = name.slice(1).replace(/>$/, "").toLowerCase();
      if (!trimmed.endsWith(">")) {
        errors.push({ line: startLine, message: `<${sectionName} directive missing closing '>'` });
        continue;
      }
      sections.push({ tag: trimmed, name: sectionName, line: startLine });
      continue;
    }
    directives.push({ name, rawArgs, args: getwordsConf(rawArgs), line: startLine, sections: sections.map((s) => s.tag) });
  }
  for (const open of sections) errors.push({ line: open.line, message: `${open.tag} was not closed` });
  return { directives, errors };
}
