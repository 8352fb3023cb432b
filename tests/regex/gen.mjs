// Random patterns from the supported subset, each written twice: in Perl syntax (for this engine and for
// perl) and as equivalent JavaScript (Perl's `$` and `\Z` also match before a final newline, `.` excludes
// only \n, `\s` is ASCII). `emptyLoop` marks patterns where a quantifier repeats something that can match
// empty, the one place where JavaScript's leftmost match span differs from Perl's.

const SPECIAL = new Set([..."\\^$.|?*+()[]{}/-"]);
const CLASS_SPECIAL = new Set([..."\\]^-["]);

/** perlOnly: also Perl constructs JavaScript lacks (scoped flags, POSIX classes, \N, comments...); js is then unusable. */
export function generatePattern(rand, ci, perlOnly = false) {
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const int = (n) => Math.floor(rand() * n);
  const alphabet = ci ? ["a", "b", "c", "A", "B", "-", ".", " ", "\n", "1", "_"] : ["a", "b", "c", "B", "-", ".", " ", "\n", "1", "_", "\xe9", "\xa0"];

  function lit(c) {
    if (c === "\n") return { perl: "\\n", js: "\\n" };
    if (c === "\xe9" || c === "\xa0") {
      const h = c.charCodeAt(0).toString(16);
      return { perl: "\\x" + h, js: "\\x" + h };
    }
    const s = SPECIAL.has(c) ? "\\" + c : c;
    return { perl: s, js: s };
  }
  function classChar(c) {
    if (c === "\n") return "\\n";
    if (c === "\xe9" || c === "\xa0") return "\\x" + c.charCodeAt(0).toString(16);
    return CLASS_SPECIAL.has(c) ? "\\" + c : c;
  }
  function cls() {
    let perl = "";
    let js = "";
    const n = 1 + int(3);
    for (let i = 0; i < n; i++) {
      const k = rand();
      if (k < 0.5) { const c = classChar(pick(alphabet)); perl += c; js += c; }
      else if (k < 0.7) {
        const [lo, hi] = pick([["a", "c"], ["0", "9"], ["A", "Z"], ["a", "z"], ["\\-", "_"]]);
        perl += lo + "-" + hi; js += lo + "-" + hi;
      } else {
        const e = pick(["\\d", "\\w", "\\s", "\\D", "\\W", "\\S"]);
        perl += e;
        js += e === "\\s" ? "\\t\\n\\v\\f\\r " : e === "\\S" ? null : e;
        if (e === "\\S") return null; // a negated class inside a class has no short JS spelling
      }
    }
    const neg = rand() < 0.3 ? "^" : "";
    return { perl: "[" + neg + perl + "]", js: "[" + neg + js + "]" };
  }
  function perlAtom(depth) {
    const k = rand();
    if (k < 0.3 && depth <= 2) {
      const inner = alt(depth + 1);
      const open = pick(["(?i:", "(?-i:", "(?<g>", "(?'g'", "(?s:", "(?^:", "(?m:"]);
      return { perl: open + inner.perl + ")", nullable: inner.nullable, emptyLoop: inner.emptyLoop };
    }
    return pick([
      { perl: "(?m:^)", assert: true, nullable: true },
      { perl: "(?m:$)", assert: true, nullable: true },
      { perl: "(?s:.)" },
      { perl: "\\N" },
      { perl: "[[:alpha:]]" },
      { perl: "[[:^digit:]_]" },
      { perl: "[[:punct:]]" },
      { perl: "[[:space:]a]" },
      { perl: "[^[:upper:]]" },
      { perl: "\\x{62}" },
      { perl: "\\o{142}" },
      { perl: "\\x2E" },
      { perl: "\\cJ" },
      { perl: "[\\x61-\\x{63}]" },
      { perl: "[a-\\d]" },
    ]);
  }
  function atom(depth) {
    if (perlOnly && rand() < 0.15) return perlAtom(depth);
    const k = rand();
    if (k < 0.4) return lit(pick(alphabet));
    if (k < 0.5) return { perl: ".", js: "[^\\n]" };
    if (k < 0.6) { const c = cls(); return c ?? lit("a"); }
    if (k < 0.68) {
      const e = pick(["\\d", "\\D", "\\w", "\\W", "\\s", "\\S"]);
      return { perl: e, js: e === "\\s" ? "[\\t\\n\\v\\f\\r ]" : e === "\\S" ? "[^\\t\\n\\v\\f\\r ]" : e };
    }
    if (k < 0.78) {
      return pick([
        { perl: "^", js: "^", assert: true, nullable: true },
        { perl: "$", js: "(?=\\n?$)", assert: true, nullable: true },
        { perl: "\\b", js: "\\b", assert: true, nullable: true },
        { perl: "\\B", js: "\\B", assert: true, nullable: true },
        { perl: "\\A", js: "^", assert: true, nullable: true },
        { perl: "\\z", js: "$", assert: true, nullable: true },
        { perl: "\\Z", js: "(?=\\n?$)", assert: true, nullable: true },
      ]);
    }
    if (depth > 2) return lit(pick(alphabet));
    const inner = alt(depth + 1);
    const open = rand() < 0.5 ? "(" : "(?:";
    return { perl: open + inner.perl + ")", js: open + inner.js + ")", nullable: inner.nullable, emptyLoop: inner.emptyLoop };
  }
  function quantified(depth) {
    let a = atom(depth);
    if (rand() < 0.35) {
      if (a.assert) a = { ...a, perl: "(?:" + a.perl + ")", js: "(?:" + a.js + ")" };
      const [q0, lo, hi] = perlOnly && rand() < 0.1 ? pick([["{,2}", 0, 2], ["{ 1 , 2 }", 1, 2], ["{ 2,}", 2, Infinity]]) : pick([["*", 0, Infinity], ["+", 1, Infinity], ["?", 0, 1], ["{2}", 2, 2], ["{0,2}", 0, 2],
        ["{1,}", 1, Infinity], ["{1,3}", 1, 3], ["{0}", 0, 0], ["{2,}", 2, Infinity]]);
      const q = rand() < 0.3 ? q0 + "?" : q0;
      return { perl: a.perl + q, js: a.js + q, nullable: !!a.nullable || lo === 0, emptyLoop: !!a.emptyLoop || (!!a.nullable && hi > lo) };
    }
    return a;
  }
  function concat(depth) {
    const n = int(4) + (depth === 0 ? 1 : 0);
    let perl = "";
    let js = "";
    let nullable = true;
    let emptyLoop = false;
    for (let i = 0; i < n; i++) {
      if (perlOnly && rand() < 0.05) perl += pick(["(?#note)", "(?i)", "(?-i)", "(?s)", "(?m)"]);
      const q = quantified(depth);
      perl += q.perl;
      js += q.js;
      nullable &&= !!q.nullable;
      emptyLoop ||= !!q.emptyLoop;
    }
    return { perl, js, nullable, emptyLoop };
  }
  function alt(depth) {
    let r = concat(depth);
    while (rand() < 0.25) {
      const b = concat(depth);
      r = { perl: r.perl + "|" + b.perl, js: r.js + "|" + b.js, nullable: r.nullable || b.nullable, emptyLoop: r.emptyLoop || b.emptyLoop };
    }
    return r;
  }
  return { ...alt(0), alphabet };
}

export function randomInput(rand, alphabet) {
  const n = Math.floor(rand() * 12);
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}
