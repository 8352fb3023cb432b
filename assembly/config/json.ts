// A strict RFC 8259 syntax check that runs before the JSON library sees the configuration. The library
// (assemblyscript-json) aborts on malformed input, and an abort in on_configure is a trap rather than a
// refused configuration; this check turns every syntax problem into a message with its line and column,
// bounds the nesting depth (deep nesting would exhaust the library's recursion), and rejects duplicate keys,
// which JSON parsers resolve differently and which almost always hide a typo.

const MAX_DEPTH = 64;

export class JsonSyntaxError {
  constructor(public message: string) {}
}

/** Null when `text` (UTF-8) is one well-formed JSON value; otherwise the first problem found. */
export function checkJsonSyntax(text: Uint8Array): JsonSyntaxError | null {
  const c = new Checker(text);
  c.skipSpace();
  if (c.pos >= text.length) return new JsonSyntaxError("the configuration is empty");
  c.value(0);
  if (c.error == null) {
    c.skipSpace();
    if (c.pos < text.length) c.fail("unexpected text after the JSON value");
  }
  const e = c.error;
  return e == null ? null : new JsonSyntaxError(e);
}

class Checker {
  pos: i32 = 0;
  error: string | null = null;
  constructor(public text: Uint8Array) {}

  fail(what: string): void {
    if (this.error != null) return;
    let line = 1;
    let col = 1;
    const end = min(this.pos, this.text.length);
    for (let i = 0; i < end; i++) {
      if (this.text[i] == 0x0a) { line++; col = 1; } else col++;
    }
    this.error = "invalid JSON at line " + line.toString() + ", column " + col.toString() + ": " + what;
  }

  peek(): i32 { return this.pos < this.text.length ? <i32>this.text[this.pos] : -1; }

  skipSpace(): void {
    while (this.pos < this.text.length) {
      const b = this.text[this.pos];
      if (b == 0x20 || b == 0x09 || b == 0x0a || b == 0x0d) this.pos++;
      else break;
    }
  }

  value(depth: i32): void {
    if (this.error != null) return;
    if (depth >= MAX_DEPTH) { this.fail("nested deeper than " + MAX_DEPTH.toString() + " levels"); return; }
    this.skipSpace();
    const b = this.peek();
    if (b == 0x7b) this.object(depth + 1);
    else if (b == 0x5b) this.array(depth + 1);
    else if (b == 0x22) this.string();
    else if (b == 0x2d || (b >= 0x30 && b <= 0x39)) this.number();
    else if (b == 0x74) this.literal("true");
    else if (b == 0x66) this.literal("false");
    else if (b == 0x6e) this.literal("null");
    else if (b < 0) this.fail("unexpected end of input, expected a value");
    else this.fail("expected a value");
  }

  object(depth: i32): void {
    this.pos++; // {
    this.skipSpace();
    if (this.peek() == 0x7d) { this.pos++; return; }
    const keys = new Set<string>();
    while (this.error == null) {
      this.skipSpace();
      if (this.peek() != 0x22) { this.fail("expected a string key"); return; }
      const start = this.pos;
      this.string();
      if (this.error != null) return;
      const key = String.UTF8.decode(this.text.slice(start, this.pos).buffer);
      if (keys.has(key)) { this.pos = start; this.fail("duplicate key " + key); return; }
      keys.add(key);
      this.skipSpace();
      if (this.peek() != 0x3a) { this.fail("expected ':' after a key"); return; }
      this.pos++;
      this.value(depth);
      if (this.error != null) return;
      this.skipSpace();
      const b = this.peek();
      if (b == 0x2c) { this.pos++; continue; }
      if (b == 0x7d) { this.pos++; return; }
      this.fail("expected ',' or '}' in an object");
    }
  }

  array(depth: i32): void {
    this.pos++; // [
    this.skipSpace();
    if (this.peek() == 0x5d) { this.pos++; return; }
    while (this.error == null) {
      this.value(depth);
      if (this.error != null) return;
      this.skipSpace();
      const b = this.peek();
      if (b == 0x2c) { this.pos++; continue; }
      if (b == 0x5d) { this.pos++; return; }
      this.fail("expected ',' or ']' in an array");
    }
  }

  string(): void {
    this.pos++; // "
    const text = this.text;
    while (this.pos < text.length) {
      const b = text[this.pos];
      if (b == 0x22) { this.pos++; return; }
      if (b < 0x20) { this.fail("control character in a string"); return; }
      if (b == 0x5c) {
        this.pos++;
        const e = this.peek();
        if (e == 0x75) {
          for (let i = 1; i <= 4; i++) {
            const h = this.pos + i < text.length ? <i32>text[this.pos + i] : -1;
            const hex = (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
            if (!hex) { this.fail("bad \\u escape in a string"); return; }
          }
          this.pos += 5;
          continue;
        }
        if (e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) {
          this.pos++;
          continue;
        }
        this.fail("bad escape in a string");
        return;
      }
      this.pos++;
    }
    this.fail("unterminated string");
  }

  number(): void {
    if (this.peek() == 0x2d) this.pos++;
    const first = this.peek();
    if (first == 0x30) this.pos++;
    else if (first >= 0x31 && first <= 0x39) this.digits();
    else { this.fail("bad number"); return; }
    if (this.peek() == 0x2e) {
      this.pos++;
      if (!this.digits()) { this.fail("bad number: digits expected after '.'"); return; }
    }
    const e = this.peek();
    if (e == 0x65 || e == 0x45) {
      this.pos++;
      const s = this.peek();
      if (s == 0x2b || s == 0x2d) this.pos++;
      if (!this.digits()) { this.fail("bad number: digits expected in the exponent"); return; }
    }
  }

  digits(): bool {
    const start = this.pos;
    while (this.pos < this.text.length && this.text[this.pos] >= 0x30 && this.text[this.pos] <= 0x39) this.pos++;
    return this.pos > start;
  }

  literal(word: string): void {
    for (let i = 0; i < word.length; i++) {
      if (this.peek() != word.charCodeAt(i)) { this.fail("expected " + word); return; }
      this.pos++;
    }
  }
}
