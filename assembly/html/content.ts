// Which responses the link rewriter may touch: HTML (or XHTML served as such) whose body is not
// content-encoded, since the rewriter works on the bytes the browser's tokenizer will see.

/** True for `text/html` and `application/xhtml+xml`, in any case, with or without parameters. */
export function isHtmlContentType(contentType: string | null): bool {
  if (contentType == null) return false;
  const value = contentType;
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  const semi = value.indexOf(";", start);
  if (semi >= 0) end = semi;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  const essence = value.substring(start, end);
  return asciiEqualsIgnoreCase(essence, "text/html") || asciiEqualsIgnoreCase(essence, "application/xhtml+xml");
}

/**
 * True when the body's bytes are the content itself: no Content-Encoding, an empty one or `identity`
 * (any case, surrounding whitespace allowed). A list such as `gzip, identity` is an encoding.
 */
export function isIdentityEncoding(contentEncoding: string | null): bool {
  if (contentEncoding == null) return true;
  const value = contentEncoding;
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  if (start == end) return true;
  return asciiEqualsIgnoreCase(value.substring(start, end), "identity");
}

function isOws(c: i32): bool {
  return c == 0x20 || c == 0x09;
}

function asciiEqualsIgnoreCase(a: string, b: string): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 0x41 && x <= 0x5a) x += 0x20;
    if (y >= 0x41 && y <= 0x5a) y += 0x20;
    if (x != y) return false;
  }
  return true;
}
