// Header values, cookies and URLs are bytes on the wire, not text. The filter keeps them in AssemblyScript
// strings with one UTF-16 code unit per byte (Latin-1), so every byte sequence, valid UTF-8 or not,
// survives a round trip exactly, string operations on ASCII delimiters work unchanged, and no decoder can
// fail on hostile input.

/** The bytes at `ptr..ptr+len` as a byte string (one code unit per byte). */
export function byteStringFromMemory(ptr: usize, len: i32): string {
  if (len <= 0) return "";
  const out = changetype<string>(__new(<usize>len << 1, idof<string>()));
  const dst = changetype<usize>(out);
  // Four bytes at a time (each spread into a 16-bit code unit), then the rest one by one: header values
  // from the host go through here on every request.
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const x = <u64>load<u32>(ptr + <usize>i);
    store<u64>(dst + (<usize>i << 1), (x & 0xff) | ((x & 0xff00) << 8) | ((x & 0xff0000) << 16) | ((x & 0xff000000) << 24));
  }
  for (; i < len; i++) {
    store<u16>(dst + (<usize>i << 1), load<u8>(ptr + <usize>i));
  }
  return out;
}

/** The bytes of a buffer as a byte string. */
export function byteStringFromBuffer(buf: ArrayBuffer): string {
  return byteStringFromMemory(changetype<usize>(buf), buf.byteLength);
}

/** The bytes of a view as a byte string. */
export function byteStringFromBytes(bytes: Uint8Array): string {
  return byteStringFromMemory(bytes.dataStart, bytes.length);
}

/**
 * A byte string back to bytes. Code units above 0xFF cannot come from the wire; they only appear when
 * text from a UTF-16 literal is mixed in, and are written as UTF-8 so that nothing is silently truncated.
 */
export function byteStringToBuffer(s: string): ArrayBuffer {
  const n = s.length;
  const src = changetype<usize>(s);
  let wide = false;
  for (let i = 0; i < n; i++) {
    if (load<u16>(src + (<usize>i << 1)) > 0xff) { wide = true; break; }
  }
  if (wide) return encodeMixed(s);
  const out = new ArrayBuffer(n);
  const dst = changetype<usize>(out);
  for (let i = 0; i < n; i++) {
    store<u8>(dst + <usize>i, <u8>load<u16>(src + (<usize>i << 1)));
  }
  return out;
}

/** A byte string to a fresh Uint8Array. */
export function byteStringToBytes(s: string): Uint8Array {
  return Uint8Array.wrap(byteStringToBuffer(s));
}

/** Text (UTF-16) to its UTF-8 bytes as a byte string: for values that started as configuration text. */
export function utf8ByteString(text: string): string {
  return byteStringFromBuffer(String.UTF8.encode(text));
}

function encodeMixed(s: string): ArrayBuffer {
  // Bytes stay bytes; wider code points become their UTF-8 encoding.
  const bytes = new Array<u8>();
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0xff) { bytes.push(<u8>c); continue; }
    const cp = s.codePointAt(i);
    if (cp > 0xffff) i++;
    const enc = Uint8Array.wrap(String.UTF8.encode(String.fromCodePoint(cp)));
    for (let j = 0; j < enc.length; j++) bytes.push(enc[j]);
  }
  const out = new ArrayBuffer(bytes.length);
  const dst = changetype<usize>(out);
  for (let i = 0; i < bytes.length; i++) store<u8>(dst + <usize>i, bytes[i]);
  return out;
}

/**
 * The code unit at `i` of `s`, read in place; the caller guarantees 0 <= i < s.length (String#charCodeAt
 * checks the index again on every call: the per-request loops over cookies, ids and paths check their own).
 */
// @ts-ignore: decorator
@inline
export function unitAt(s: string, i: i32): u32 {
  return <u32>load<u16>(changetype<usize>(s) + (<usize>i << 1));
}
