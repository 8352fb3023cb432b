// Comparison of secrets (MACs, tags) whose running time does not depend on where they differ.

/** Whether `a` and `b` hold the same bytes. Lengths are public; contents are compared in constant time. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): bool {
  const n = a.length;
  if (n != b.length) return false;
  return constantTimeEqualPtr(a.dataStart, b.dataStart, n);
}

/** The same over raw memory: `len` bytes at `a` and at `b`. */
export function constantTimeEqualPtr(a: usize, b: usize, len: i32): bool {
  let diff: u32 = 0;
  for (let i = 0; i < len; i++) {
    diff |= <u32>(load<u8>(a + <usize>i) ^ load<u8>(b + <usize>i));
  }
  return diff == 0;
}
