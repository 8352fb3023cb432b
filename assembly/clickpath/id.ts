// Session ids in Apache2::ClickPath 1.10's format (CPAN: lib/Apache2/ClickPath.pm builds and reads them,
// lib/Apache2/ClickPath/Decode.pm is its stand-alone decoder), optionally signed.
//
//   plain   = MACHINE ":" base64(record) "," FRIEND      (then +→@, /→- in MACHINE ":" base64 part)
//   id      = scramble13(plain), then percent-encoding of bytes that cannot stand in a path segment
//   record  = crc8(rest) | time u32 | process u32 | counter u16 | connection u32 [| tag 10 bytes]
//
// The tag (only when secrets are configured) is HMAC-SHA256 over a domain label, the machine, the friend
// part and the 14 field bytes, truncated to 10 bytes. The CRC byte covers fields and tag, so an id we sign
// is still read correctly, fields and all, by the original's decoder without a secret.
import { crc8Smbus } from "../crypto/crc8";
import { hmacSha256 } from "../crypto/hmac";
import { constantTimeEqual } from "../crypto/compare";
import { base64Encode, base64Decode, base64DecodedLength, base64DecodeTo } from "../codecs/base64";
import { isPathSegmentChar, isWordChar } from "../codecs/ascii";
import { parseIpv4 } from "../codecs/ipv4";
import { percentDecode, percentEncodeExcept, PercentMode, UnescapeStatus } from "../codecs/percent";
import { unitAt } from "../core/bytes";

/** The 65-character alphabet of the 13-place rotation. */
export const SCRAMBLE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@-,";
const ALPHABET_SIZE = 65;
const ROTATION = 13;

export const FIELD_BYTES = 14;
export const RECORD_BYTES = 15;
export const TAG_BYTES = 10;
export const SIGNED_RECORD_BYTES = RECORD_BYTES + TAG_BYTES;
const TAG_LABEL = "clicktrail clickpath id v1";
/**
 * Longest id accepted or issued, as it stands in the URL. The id is copied into every link of every page
 * of the session, so an unbounded one (a friend part padded by a client or by a long partner Referer)
 * would multiply page sizes; real ids are 26 characters, 40 signed, plus a short friend part.
 */
export const MAX_ID_BYTES = 1024;

// The alphabet index of each code unit below 128, -1 outside it.
const alphabetIndex = buildIndex();
function buildIndex(): StaticArray<i8> {
  const t = new StaticArray<i8>(128);
  for (let i = 0; i < 128; i++) t[i] = -1;
  for (let i = 0; i < ALPHABET_SIZE; i++) t[SCRAMBLE_ALPHABET.charCodeAt(i)] = <i8>i;
  return t;
}

// Each code unit below 128 after the inverse rotation and after the rotation: the code unit itself
// outside the alphabet.
const unscrambled = buildRotation(ALPHABET_SIZE - ROTATION);
const scrambled = buildRotation(ROTATION);
function buildRotation(by: i32): StaticArray<u16> {
  const t = new StaticArray<u16>(128);
  for (let c = 0; c < 128; c++) {
    const k = <i32>alphabetIndex[c];
    t[c] = <u16>(k >= 0 ? SCRAMBLE_ALPHABET.charCodeAt((k + by) % ALPHABET_SIZE) : c);
  }
  return t;
}

// @ts-ignore: decorator
@inline function rotated(table: StaticArray<u16>, c: u32): u32 {
  return c < 128 ? <u32>unchecked(table[c]) : c;
}

function rotate(s: string, table: StaticArray<u16>): string {
  const n = s.length;
  if (n == 0) return s;
  const out = changetype<string>(__new(<usize>n << 1, idof<string>()));
  for (let i = 0; i < n; i++) {
    store<u16>(changetype<usize>(out) + (<usize>i << 1), <u16>rotated(table, unitAt(s, i)));
  }
  return out;
}

/** The 13-place rotation ClickPath applies to a whole plain id. Characters outside the alphabet stay. */
export function scramble(plain: string): string { return rotate(plain, scrambled); }
/** The inverse rotation. */
export function unscramble(id: string): string { return rotate(id, unscrambled); }

/** The fields of an id. `machine` is the machine part as written (a name, or the 6-character IP form). */
export class SessionId {
  machine: string = "";
  time: u32 = 0;
  process: u32 = 0;
  counter: u16 = 0;
  connection: u32 = 0;
  crc: u8 = 0;
  /** The friend's short name, "" when the id carries no friendly session. */
  friend: string = "";
  /** The captured remote session (lines joined by "\n"), unescaped. */
  remote: string = "";
  /** The escaped friend part as it sits after the first "," of the plain id ("" for ordinary ids). */
  friendPart: string = "";
  /** The record carried a tag (it is 25 bytes, not 15). */
  tagged: bool = false;
  /** The tag was checked against a configured secret and matched. */
  verified: bool = false;

  /** Back to the state of a new SessionId, for reading another id into it. */
  clear(): void {
    this.machine = "";
    this.time = 0;
    this.process = 0;
    this.counter = 0;
    this.connection = 0;
    this.crc = 0;
    this.friend = "";
    this.remote = "";
    this.friendPart = "";
    this.tagged = false;
    this.verified = false;
  }
}

/** Why an id was not accepted, or "" when it was. */
export class DecodeResult {
  constructor(public id: SessionId | null, public problem: string) {}
}

/** ClickPath's escaping of a remote session: * → **, ! → *!, = → *., newline → !, / → *x, # → *y. */
export function escapeRemote(s: string): string {
  // Pieces joined once (here and below): appending to a string copies it, so a long Referer field full of
  // bytes to escape would cost quadratic time. The array is made at the first piece: most strings have none.
  let out: string[] | null = null;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | null = null;
    if (c == 0x2a) rep = "**";
    else if (c == 0x21) rep = "*!";
    else if (c == 0x3d) rep = "*.";
    else if (c == 0x0a) rep = "!";
    else if (c == 0x2f) rep = "*x";
    else if (c == 0x23) rep = "*y";
    if (rep != null) {
      if (out == null) out = new Array<string>();
      out.push(s.substring(from, i));
      out.push(rep);
      from = i + 1;
    }
  }
  if (out == null) return s;
  out.push(s.substring(from));
  return out.join("");
}

/** The inverse of escapeRemote, as the trans handler does it (a lone "*" stays as it is). */
export function unescapeRemote(s: string): string {
  let out: string[] | null = null;
  let from = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c == 0x21) {
      if (out == null) out = new Array<string>();
      out.push(s.substring(from, i));
      out.push("\n");
      from = ++i;
      continue;
    }
    if (c == 0x2a && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      let rep: string | null = null;
      if (d == 0x2a) rep = "*";
      else if (d == 0x21) rep = "!";
      else if (d == 0x2e) rep = "=";
      else if (d == 0x78) rep = "/";
      else if (d == 0x79) rep = "#";
      if (rep != null) {
        if (out == null) out = new Array<string>();
        out.push(s.substring(from, i));
        out.push(rep);
        i += 2;
        from = i;
        continue;
      }
    }
    i++;
  }
  if (out == null) return s;
  out.push(s.substring(from));
  return out.join("");
}

function translate(s: string, a: u16, b: u16, c: u16, d: u16): string {
  // a → b and c → d in one pass.
  const n = s.length;
  const out = changetype<string>(__new(<usize>n << 1, idof<string>()));
  for (let i = 0; i < n; i++) {
    let ch = <u16>unitAt(s, i);
    if (ch == a) ch = b; else if (ch == c) ch = d;
    store<u16>(changetype<usize>(out) + (<usize>i << 1), ch);
  }
  return out;
}

/**
 * s[from, to) unscrambled, and with @ → + and - → / when `main` (the machine and record part): what
 * decodeId reads, made in one pass from the id as it came instead of through a string per step.
 */
function plainPart(s: string, from: i32, to: i32, main: bool): string {
  const n = to - from;
  if (n <= 0) return "";
  const out = changetype<string>(__new(<usize>n << 1, idof<string>()));
  writePlain(changetype<usize>(out), s, from, to, main);
  return out;
}

// @ts-ignore: decorator
@inline function writePlain(dst: usize, s: string, from: i32, to: i32, main: bool): void {
  for (let i = from; i < to; i++) {
    let ch = rotated(unscrambled, unitAt(s, i));
    if (main) {
      if (ch == 0x40) ch = 0x2b; else if (ch == 0x2d) ch = 0x2f;
    }
    store<u16>(dst + (<usize>(i - from) << 1), <u16>ch);
  }
}

/** plainPart(s, 0, colon, true), or the string of `known` it equals. */
function machinePart(s: string, colon: i32, known: string[] | null): string {
  if (known != null) {
    for (let k = 0, count = known.length; k < count; k++) {
      const name = unchecked(known[k]);
      if (name.length != colon) continue;
      let i = 0;
      while (i < colon) {
        let ch = rotated(unscrambled, unitAt(s, i));
        if (ch == 0x40) ch = 0x2b; else if (ch == 0x2d) ch = 0x2f;
        if (ch != unitAt(name, i)) break;
        i++;
      }
      if (i == colon) return name;
    }
  }
  return plainPart(s, 0, colon, true);
}

// The record of the id being read, decoded into bytes kept for every id (an id is read in one call and
// nothing keeps its record), with views of what the CRC covers at either length: a new array per id, and
// a subarray for its CRC, were objects made on every request.
const recordBytes = new Uint8Array(SIGNED_RECORD_BYTES);
const crcFields = recordBytes.subarray(1, RECORD_BYTES);
const crcSigned = recordBytes.subarray(1, SIGNED_RECORD_BYTES);

// The record's base64 text for base64Decode, refilled for each id of the same length (ids of one site
// all have the same record length), so reading an id does not make a string for it.
let payloadScratch: string = "";
function payloadText(s: string, from: i32, to: i32): string {
  const n = to - from;
  if (n <= 0) return "";
  let out = payloadScratch;
  if (out.length != n) {
    out = changetype<string>(__new(<usize>n << 1, idof<string>()));
    payloadScratch = out;
  }
  writePlain(changetype<usize>(out), s, from, to, true);
  return out;
}

function fieldBytes(time: u32, process: u32, counter: u16, connection: u32): Uint8Array {
  const f = new Uint8Array(FIELD_BYTES);
  f[0] = <u8>(time >>> 24); f[1] = <u8>(time >>> 16); f[2] = <u8>(time >>> 8); f[3] = <u8>time;
  f[4] = <u8>(process >>> 24); f[5] = <u8>(process >>> 16); f[6] = <u8>(process >>> 8); f[7] = <u8>process;
  f[8] = <u8>(counter >>> 8); f[9] = <u8>counter;
  f[10] = <u8>(connection >>> 24); f[11] = <u8>(connection >>> 16); f[12] = <u8>(connection >>> 8); f[13] = <u8>connection;
  return f;
}

function tagFor(key: Uint8Array, machine: string, friend: string, fields: Uint8Array): Uint8Array {
  // Byte strings: machine and friend part hold one byte per code unit.
  const m = String.UTF8.encode(machine);
  const fr = String.UTF8.encode(friend);
  const label = String.UTF8.encode(TAG_LABEL);
  const data = new Uint8Array(label.byteLength + 1 + m.byteLength + 1 + fr.byteLength + 1 + fields.length);
  let o = 0;
  data.set(Uint8Array.wrap(label), o); o += label.byteLength + 1;
  data.set(Uint8Array.wrap(m), o); o += m.byteLength + 1;
  data.set(Uint8Array.wrap(fr), o); o += fr.byteLength + 1;
  data.set(fields, o);
  return hmacSha256(key, data).slice(0, TAG_BYTES);
}

/**
 * Builds an id. `friend` is the friend part ("" for an ordinary session, else the short name, ",", and the
 * remote session escaped by escapeRemote); `key` signs it when not null.
 */
export function encodeId(machine: string, time: u32, process: u32, counter: u16, connection: u32,
                         friend: string, key: Uint8Array | null): string {
  const fields = fieldBytes(time, process, counter, connection);
  const size = key == null ? RECORD_BYTES : SIGNED_RECORD_BYTES;
  const record = new Uint8Array(size);
  record.set(fields, 1);
  if (key != null) record.set(tagFor(key, machine, friend, fields), RECORD_BYTES);
  record[0] = crc8Smbus(record.subarray(1));
  const main = translate(machine + ":" + base64Encode(record, false, false), 0x2b, 0x40, 0x2f, 0x2d);
  return pathSafe(scramble(main + "," + friend));
}

/**
 * Reads an id (as it appears in the URL, percent-encoding allowed). `keys` are the configured secrets:
 * when there are any, the id must carry a tag that one of them verifies.
 */
export function decodeId(urlId: string, keys: Uint8Array[]): DecodeResult {
  const id = new SessionId();
  const problem = decodeIdInto(urlId, keys, id);
  return new DecodeResult(problem.length == 0 ? id : null, problem);
}

/**
 * decodeId's work: fills `id` and returns "", or returns why the id is refused (then `id` holds whatever
 * was read before). A machine part equal to one of `knownMachines` (the machine table's names) is that
 * string rather than a copy. Reads the id where it stands: the unscrambled, translated text of ClickPath's
 * definition (unscramble, split at the first ",", translate the main part, split at the first ":") is
 * made only for the parts kept.
 */
export function decodeIdInto(urlId: string, keys: Uint8Array[], id: SessionId, knownMachines: string[] | null = null): string {
  if (urlId.length > MAX_ID_BYTES) {
    return "the id is longer than " + MAX_ID_BYTES.toString() + " bytes";
  }
  let text = urlId;
  let escaped = false;
  for (let i = 0, n = urlId.length; i < n; i++) {
    if (unitAt(urlId, i) == 0x25) { escaped = true; break; }
  }
  if (escaped) {
    const decoded = percentDecode(urlId, PercentMode.URL);
    if (decoded.status == UnescapeStatus.BAD_ESCAPE) return "bad percent-encoding";
    text = decoded.value;
  }
  // Rotation maps the alphabet onto itself and leaves every other code unit alone: "," (in the
  // alphabet) is where an "M" stands, ":" (outside it) is itself, and translation touches neither.
  const n = text.length;
  const scrambledComma = <u32>rotated(scrambled, 0x2c);
  let comma = -1;
  for (let i = 0; i < n; i++) {
    if (unitAt(text, i) == scrambledComma) { comma = i; break; }
  }
  const mainEnd = comma < 0 ? n : comma;
  if (comma >= 0) {
    id.friendPart = plainPart(text, comma + 1, n, false);
    const second = id.friendPart.indexOf(",");
    if (second >= 0) {
      id.friend = id.friendPart.substring(0, second);
      id.remote = unescapeRemote(id.friendPart.substring(second + 1));
    }
  }
  let colon = -1;
  for (let i = 0; i < mainEnd; i++) {
    if (unitAt(text, i) == 0x3a) { colon = i; break; }
  }
  if (colon < 0) return "no ':' between machine and record";
  id.machine = machinePart(text, colon, knownMachines);
  const payload = payloadText(text, colon + 1, mainEnd);
  const size = base64DecodedLength(payload, 0, payload.length);
  if (size != RECORD_BYTES && size != SIGNED_RECORD_BYTES) {
    // Not a record: base64Decode tells whether it is base64 at all (refused first) and how long.
    const other = base64Decode(payload, false);
    if (other == null) return "the record is not base64";
    return "the record is " + other.length.toString() + " bytes, not " +
      RECORD_BYTES.toString() + " or " + SIGNED_RECORD_BYTES.toString();
  }
  if (!base64DecodeTo(payload, 0, payload.length, false, recordBytes.dataStart)) return "the record is not base64";
  const record = recordBytes;
  id.crc = record[0];
  if (crc8Smbus(size == RECORD_BYTES ? crcFields : crcSigned) != record[0]) return "CRC checksum failed";
  id.time = (<u32>record[1] << 24) | (<u32>record[2] << 16) | (<u32>record[3] << 8) | <u32>record[4];
  id.process = (<u32>record[5] << 24) | (<u32>record[6] << 16) | (<u32>record[7] << 8) | <u32>record[8];
  id.counter = <u16>((<u32>record[9] << 8) | <u32>record[10]);
  id.connection = (<u32>record[11] << 24) | (<u32>record[12] << 16) | (<u32>record[13] << 8) | <u32>record[14];
  id.tagged = size == SIGNED_RECORD_BYTES;
  if (keys.length > 0) {
    if (!id.tagged) return "unsigned id while secrets are configured";
    const fields = record.slice(1, RECORD_BYTES);
    const tag = record.slice(RECORD_BYTES, SIGNED_RECORD_BYTES);
    let ok = false;
    // Every key is tried, so the time taken does not tell which secret (if any) matched.
    for (let i = 0; i < keys.length; i++) {
      if (constantTimeEqual(tagFor(keys[i], id.machine, id.friendPart, fields), tag)) ok = true;
    }
    if (!ok) return "signature check failed";
    id.verified = true;
  }
  return "";
}

/** The dotted quad of a machine part in ClickPath's IP form (6 base64 characters), or null. */
export function machineIp(machine: string): string | null {
  if (machine.length != 6) return null;
  const b = base64Decode(machine, false);
  if (b == null || b.length != 4) return null;
  return b[0].toString() + "." + b[1].toString() + "." + b[2].toString() + "." + b[3].toString();
}

/** ClickPath's IP form of a dotted-quad IPv4 address, or null when `ip` is not one. */
export function ipMachine(ip: string): string | null {
  const b = parseIpv4(ip);
  if (b == null) return null;
  return base64Encode(b, false, false);
}

/** True for ClickPath's machine names: word characters only (may be empty). */
export function isWordString(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    if (!isWordChar(s.charCodeAt(i))) return false;
  }
  return true;
}

/** Percent-encodes what cannot stand in a path segment (only friend parts ever contain such bytes). */
export function pathSafe(s: string): string {
  return percentEncodeExcept(s, isPathSegmentChar);
}
