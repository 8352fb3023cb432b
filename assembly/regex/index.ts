// Linear-time regular expressions for operator-written patterns (ClickPath's crawler list) run against
// hostile input (User-Agent headers). Perl syntax, byte semantics, no backtracking: a lazily built DFA
// for test() and a Pike VM for find() (and for test() when the DFA's state cache fills), both bounded by
// input length × program size, with the program size capped at compile time. See docs/regex.md.
//
// Supported: literals; `.`; escapes of punctuation and \n \t \r \f \e \a \0oo \xHH \x{HH} \o{ooo} \cX;
// \w \W \d \D \s \S \N (ASCII); \b \B \A \z \Z ^ $; classes [...] with ranges, negation, escapes and
// [:posix:] names; groups (...), (?:...), named groups (?<n>...) (?'n'...) (?P<n>...); alternation;
// * + ? {n} {n,} {n,m} {,m} and their lazy forms; inline flags (?imsn-imsn) and (?^...), also scoped (?i:...);
// comments (?#...). Rejected with an error: backreferences, lookaround, atomic groups, possessive
// quantifiers, recursion, conditionals, verbs, \p \h \v \R \K \G \Q and other escapes with letters,
// the /x flag, and patterns above 4096 bytes or 10,000 instructions.

import { byteStringFromBuffer, byteStringToBuffer } from "../core/bytes";
import { compileProgram, Program, MAX_PROGRAM_SIZE } from "./compile";
import { parsePattern, MAX_PATTERN_BYTES } from "./parse";
import { PikeVM } from "./pike";
import { LazyDFA } from "./dfa";

export { MAX_PROGRAM_SIZE, MAX_PATTERN_BYTES };

export class MatchSpan {
  /** byte offset of the first byte of the match */
  start: i32;
  /** byte offset just past the match */
  end: i32;

  constructor(start: i32, end: i32) {
    this.start = start;
    this.end = end;
  }
}

export class RegexResult {
  regex: Regex | null = null;
  /** "" when ok; else what is wrong and its 0-based byte offset, e.g. "unsupported construct \\1 at 7" */
  error: string = "";
}

export class Regex {
  /** the pattern as given to compile() */
  readonly source: string;
  readonly caseInsensitive: bool;
  private vm: PikeVM;
  private dfa: LazyDFA;

  private constructor(source: string, caseInsensitive: bool, program: Program) {
    this.source = source;
    this.caseInsensitive = caseInsensitive;
    this.vm = new PikeVM(program);
    this.dfa = new LazyDFA(program);
  }

  /**
   * Compiles a Perl-syntax pattern given as a byte string (the UTF-8 of configuration text, see
   * `utf8ByteString`); code units above 0xFF are taken as their UTF-8 bytes. ASCII case folding when
   * `caseInsensitive` (the same as a leading `(?i)`).
   */
  static compile(pattern: string, caseInsensitive: bool = false): RegexResult {
    const r = new RegexResult();
    const src = asByteString(pattern);
    const parsed = parsePattern(src, caseInsensitive);
    if (parsed.error.length > 0) {
      r.error = parsed.error;
      return r;
    }
    const compiled = compileProgram(parsed.node!);
    if (compiled.error.length > 0) {
      r.error = compiled.error;
      return r;
    }
    r.regex = new Regex(pattern, caseInsensitive, compiled.program!);
    return r;
  }

  /** Unanchored search, like Perl's `$ua =~ /pattern/`: true when any substring matches. */
  test(input: string): bool {
    const s = asByteString(input);
    const r = this.dfa.test(s);
    if (r >= 0) return r == 1;
    return this.vm.run(s, true);
  }

  /** test() on the Pike VM alone (the DFA's fallback), for tests and benchmarks. */
  testWithoutDfa(input: string): bool {
    return this.vm.run(asByteString(input), true);
  }

  /**
   * The leftmost match, its end where Perl's backtracking would stop (greedy/lazy preference), or null.
   * Offsets are in bytes of the input (code units of a byte string).
   */
  find(input: string): MatchSpan | null {
    if (!this.vm.run(asByteString(input), false)) return null;
    return new MatchSpan(this.vm.matchStart, this.vm.matchEnd);
  }

  /** How many test() calls the lazy DFA handed to the Pike VM because its state cache filled up. */
  get dfaFallbacks(): i32 { return this.dfa.giveUps; }

  /** Number of program instructions (for diagnostics and the size cap). */
  get programSize(): i32 { return this.vm.prog.size; }
}

/** `s` itself when it is a byte string; otherwise its UTF-8 bytes as one, so matching is always on bytes. */
function asByteString(s: string): string {
  const base = changetype<usize>(s);
  const n = s.length;
  for (let i = 0; i < n; i++) {
    if (load<u16>(base + (<usize>i << 1)) > 0xff) return byteStringFromBuffer(byteStringToBuffer(s));
  }
  return s;
}
