// Reading a string's code units in place. String#charCodeAt checks the index and is a real call in the
// release build (with a shadow-stack prologue), which the session's per-request loops over cookies and
// encoded sessions paid for every byte; these loops check their indexes against the length themselves.

/** The code unit at `i` of `s`; the caller guarantees 0 <= i < s.length. */
// @ts-ignore: decorator
@inline
export function unitAt(s: string, i: i32): u32 {
  return <u32>load<u16>(changetype<usize>(s) + (<usize>i << 1));
}
