// CRC-8/SMBUS (polynomial 0x07, initial value 0, no reflection, no final xor): the checksum
// Apache2::ClickPath puts in its session ids (Digest::CRC's crc8). It detects typos, not forgery.

const TABLE = new StaticArray<u8>(256);
let tableReady = false;

function fillTable(): void {
  for (let i = 0; i < 256; i++) {
    let c = <u32>i;
    for (let b = 0; b < 8; b++) c = (c & 0x80) != 0 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    unchecked((TABLE[i] = <u8>c));
  }
  tableReady = true;
}

/** CRC-8/SMBUS of `data` ("123456789" gives 0xF4). */
export function crc8Smbus(data: Uint8Array): u8 {
  if (!tableReady) fillTable();
  let c: u8 = 0;
  const p = data.dataStart;
  const n = data.length;
  for (let i = 0; i < n; i++) c = unchecked(TABLE[<i32>(c ^ load<u8>(p + <usize>i))]);
  return c;
}

/** CRC-8/SMBUS of a byte string (one code unit per byte; higher bits of wider units are ignored). */
export function crc8SmbusString(s: string): u8 {
  if (!tableReady) fillTable();
  let c: u8 = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) c = unchecked(TABLE[<i32>(c ^ <u8>s.charCodeAt(i))]);
  return c;
}
