// Character classes of the grammars the filter reads and writes, once. They take a UTF-16 code unit (a
// byte, in the byte strings of core/bytes.ts), so anything above 0x7F is outside every class here; the
// string forms check every code unit.

/**
 * RFC 9110 §5.6.2 tchar: ASCII letters, digits and `` !#$%&'*+-.^_`|~ ``, that is visible ASCII except
 * the delimiters `"(),/:;<=>?@[\]{}`. Header names, cookie names (RFC 6265 §4.1.1) and methods are
 * tokens.
 */
export function isTokenChar(c: i32): bool {
  if (c <= 0x20 || c >= 0x7f) return false;
  // "(),/:;<=>?@[\]{}
  switch (c) {
    case 0x22: case 0x28: case 0x29: case 0x2c: case 0x2f: case 0x3a: case 0x3b: case 0x3c:
    case 0x3d: case 0x3e: case 0x3f: case 0x40: case 0x5b: case 0x5c: case 0x5d: case 0x7b: case 0x7d:
      return false;
  }
  return true;
}

/** A non-empty RFC 9110 token (every code unit a tchar). */
export function isToken(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) {
    if (!isTokenChar(s.charCodeAt(i))) return false;
  }
  return true;
}

/**
 * What may stand unencoded in a URL path segment: RFC 3986 §3.3 pchar without its pct-encoded
 * alternative, that is unreserved (letters, digits, `-._~`), sub-delims (`!$&'()*+,;=`), `:` and `@`.
 * `%` and `/` are not in it.
 */
export function isPathSegmentChar(c: i32): bool {
  if (isAlnum(c)) return true;
  return c == 0x2d || c == 0x2e || c == 0x5f || c == 0x7e || c == 0x21 || c == 0x24 || c == 0x26 ||
    c == 0x27 || c == 0x28 || c == 0x29 || c == 0x2a || c == 0x2b || c == 0x2c || c == 0x3b ||
    c == 0x3d || c == 0x3a || c == 0x40;
}

/**
 * Printable ASCII, space included (0x20 to 0x7E): no control characters, no DEL, nothing above ASCII.
 * What a configured string may hold when it is written into a header value as it is.
 */
export function isPrintable(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** An ASCII digit. */
export function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

/** An ASCII letter. */
export function isLetter(c: i32): bool {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** An ASCII letter or digit. */
export function isAlnum(c: i32): bool {
  return isDigit(c) || isLetter(c);
}

/** An ASCII letter, digit or `_`: Perl's `\w` on ASCII. */
export function isWordChar(c: i32): bool {
  return isAlnum(c) || c == 0x5f;
}

/** The value 0..15 of a hex digit (either case), or -1 for anything else. */
export function hexDigitValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}
