// IPv4 addresses in dotted-quad text.

/**
 * The four bytes of a dotted-quad IPv4 address (`a.b.c.d`, each 1 to 3 decimal digits up to 255, leading
 * zeros allowed and read as decimal), or null when `s` is not one.
 */
export function parseIpv4(s: string): Uint8Array | null {
  const parts = s.split(".");
  if (parts.length != 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (p.length == 0 || p.length > 3) return null;
    let v = 0;
    for (let k = 0; k < p.length; k++) {
      const c = p.charCodeAt(k);
      if (c < 0x30 || c > 0x39) return null;
      v = v * 10 + (c - 0x30);
    }
    if (v > 255) return null;
    out[i] = <u8>v;
  }
  return out;
}
