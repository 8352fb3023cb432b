// etcd v3's HTTP/JSON gateway as the etcd session store uses it: request bodies for /v3/kv/range,
// /v3/kv/txn and /v3/lease/grant, and parsers for their answers that never trap and say what was wrong.
//
// The gateway (grpc-gateway v1, JSONPb with OrigName and without EmitDefaults; see etcd's
// Documentation/dev-guide/api_grpc_gateway.md) writes keys and values in standard base64, 64-bit integers
// as JSON strings, and leaves out every field holding a zero value: a miss has no "kvs", a failed Txn no
// "succeeded", a revision 0 no field. Errors come back with a non-200 status and {"error", "code",
// "message"}.
//
// Keys and values here are byte strings (core/bytes.ts) and byte arrays; JSON text is built with
// assemblyscript-json's encoder and read with its parser, after the strict syntax check of
// config/json.ts (the parser aborts on malformed input; the check bounds nesting and refuses duplicates).
import { JSON, JSONEncoder } from "assemblyscript-json/assembly";
import { checkJsonSyntax } from "../config/json";
import { base64Decode, base64Encode } from "../codecs/base64";
import { byteStringFromBytes, byteStringToBytes } from "../core/bytes";

export const RANGE_PATH = "/v3/kv/range";
export const TXN_PATH = "/v3/kv/txn";
export const LEASE_GRANT_PATH = "/v3/lease/grant";

/** Answers larger than this are not parsed: no stored session comes near it (max_value_bytes ≤ 1 MiB). */
export const MAX_ANSWER_BYTES: i32 = 3 << 20;

function b64(byteString: string): string { return base64Encode(byteStringToBytes(byteString), false, true); }

/** {"key": K} */
export function rangeBody(key: string): Uint8Array {
  const e = new JSONEncoder();
  e.pushObject(null);
  e.setString("key", b64(key));
  e.popObject();
  return e.serialize();
}

/** {"TTL": "N"} */
export function leaseGrantBody(ttlSeconds: i64): Uint8Array {
  const e = new JSONEncoder();
  e.pushObject(null);
  e.setString("TTL", ttlSeconds.toString());
  e.popObject();
  return e.serialize();
}

export const enum CompareTarget { Mod = 0, Create = 1 }

/** One compare of a Txn: the key's mod_revision or create_revision EQUAL to `revision` ("0": absent). */
export class TxnCompare {
  constructor(public key: string, public target: CompareTarget, public revision: string) {}
}

/** One operation of a Txn's success branch: a put (with a lease ID, "" for none) or a delete. */
export class TxnOp {
  constructor(public key: string, public value: Uint8Array | null, public lease: string) {}
  static put(key: string, value: Uint8Array, lease: string): TxnOp { return new TxnOp(key, value, lease); }
  static remove(key: string): TxnOp { return new TxnOp(key, null, ""); }
}

/**
 * A Txn: every compare must hold for `success` to run; otherwise the failure branch reads `readBack`
 * ("" for none), so a lost compare-and-swap comes back with the value that won.
 */
export function txnBody(compares: TxnCompare[], success: TxnOp[], readBack: string): Uint8Array {
  const e = new JSONEncoder();
  e.pushObject(null);
  e.pushArray("compare");
  for (let i = 0; i < compares.length; i++) {
    const c = compares[i];
    e.pushObject(null);
    e.setString("key", b64(c.key));
    e.setString("result", "EQUAL");
    if (c.target == CompareTarget.Mod) {
      e.setString("target", "MOD");
      e.setString("mod_revision", c.revision);
    } else {
      e.setString("target", "CREATE");
      e.setString("create_revision", c.revision);
    }
    e.popObject();
  }
  e.popArray();
  e.pushArray("success");
  for (let i = 0; i < success.length; i++) {
    const op = success[i];
    const value = op.value;
    e.pushObject(null);
    if (value != null) {
      e.pushObject("request_put");
      e.setString("key", b64(op.key));
      e.setString("value", base64Encode(value, false, true));
      if (op.lease.length) e.setString("lease", op.lease);
      e.popObject();
    } else {
      e.pushObject("request_delete_range");
      e.setString("key", b64(op.key));
      e.popObject();
    }
    e.popObject();
  }
  e.popArray();
  if (readBack.length) {
    e.pushArray("failure");
    e.pushObject(null);
    e.pushObject("request_range");
    e.setString("key", b64(readBack));
    e.popObject();
    e.popObject();
    e.popArray();
  }
  e.popObject();
  return e.serialize();
}

/** One key-value pair as the store holds it. Revisions are decimal strings, as the gateway writes them. */
export class EtcdKv {
  constructor(public key: string, public value: Uint8Array, public modRevision: string, public createRevision: string) {}
}

/** A parsed answer: `error` is "" when the answer was well-formed, else what was wrong with it. */
export class EtcdAnswer {
  error: string = "";
  /** Range: the pairs found (zero or one for a single key). Txn: the failure branch's range. */
  kvs: EtcdKv[] = [];
  /** Txn: whether the compares held. */
  succeeded: bool = false;
  /** Lease grant: the lease ID (decimal string). */
  leaseId: string = "";

  static failed(error: string): EtcdAnswer {
    const a = new EtcdAnswer();
    a.error = error;
    return a;
  }
}

/** The body as a JSON object, or null (shapeError says why). */
function parseObject(body: Uint8Array): JSON.Obj | null {
  if (body.length == 0 || body.length > MAX_ANSWER_BYTES) return null;
  if (checkJsonSyntax(body) != null) return null;
  const v = JSON.parse<Uint8Array>(body);
  return v.isObj ? <JSON.Obj>v : null;
}

function shapeError(body: Uint8Array): string {
  if (body.length == 0) return "an empty body";
  if (body.length > MAX_ANSWER_BYTES) return "a body of " + body.length.toString() + " bytes (more than " + MAX_ANSWER_BYTES.toString() + ")";
  if (checkJsonSyntax(body) != null) return "a body that is not JSON";
  return "JSON that is not an object";
}

/**
 * A non-200 answer's message ("etcdserver: requested lease not found"), or the status alone. The
 * gateway's error object is read when it parses; anything else is summarised, never echoed whole.
 */
export function storeErrorOf(status: u32, body: Uint8Array): string {
  if (status == 0) return "the callout failed (connection refused or reset, or timed out)";
  const o = parseObject(body);
  if (o != null) {
    let m = o.getString("error");
    if (m == null) m = o.getString("message");
    if (m != null) return "HTTP " + status.toString() + ": " + clip(m.valueOf());
  }
  return "HTTP " + status.toString();
}

function clip(s: string): string {
  return s.length > 200 ? s.substring(0, 200) + "…" : s;
}

/** A decimal string as etcd writes revisions and IDs: 1 to 19 digits. */
function isDecimal(s: string): bool {
  if (s.length == 0 || s.length > 19) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** A revision field: absent means 0; present it must be a decimal string. Null when malformed. */
function revisionOf(o: JSON.Obj, name: string): string | null {
  const v = o.get(name);
  if (v == null) return "0";
  if (!v.isString) return null;
  const s = (<JSON.Str>v).valueOf();
  return isDecimal(s) ? s : null;
}

/** A base64 bytes field: absent means empty. Null when malformed. */
function bytesOf(o: JSON.Obj, name: string): Uint8Array | null {
  const v = o.get(name);
  if (v == null) return new Uint8Array(0);
  if (!v.isString) return null;
  return base64Decode((<JSON.Str>v).valueOf(), false);
}

function readKvs(o: JSON.Obj, into: EtcdAnswer): void {
  const v = o.get("kvs");
  if (v == null) return;
  if (!v.isArr) { into.error = "\"kvs\" is not an array"; return; }
  const items = (<JSON.Arr>v).valueOf();
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!item.isObj) { into.error = "kvs[" + i.toString() + "] is not an object"; return; }
    const kv = <JSON.Obj>item;
    const key = bytesOf(kv, "key");
    const value = bytesOf(kv, "value");
    if (key == null || value == null) { into.error = "kvs[" + i.toString() + "] has a key or value that is not base64"; return; }
    const mod = revisionOf(kv, "mod_revision");
    const create = revisionOf(kv, "create_revision");
    if (mod == null || create == null) { into.error = "kvs[" + i.toString() + "] has a revision that is not a decimal string"; return; }
    into.kvs.push(new EtcdKv(byteStringFromBytes(key), value, mod, create));
  }
}

/** The answer to a range of one key. */
export function parseRange(body: Uint8Array): EtcdAnswer {
  const o = parseObject(body);
  if (o == null) return EtcdAnswer.failed("the range answer is " + shapeError(body));
  const a = new EtcdAnswer();
  readKvs(o, a);
  if (a.error.length) a.error = "the range answer's " + a.error;
  return a;
}

/** The answer to a Txn built by txnBody (the failure branch, if any, being one range). */
export function parseTxn(body: Uint8Array): EtcdAnswer {
  const o = parseObject(body);
  if (o == null) return EtcdAnswer.failed("the txn answer is " + shapeError(body));
  const a = new EtcdAnswer();
  const s = o.get("succeeded");
  if (s != null) {
    if (!s.isBool) return EtcdAnswer.failed("the txn answer's \"succeeded\" is not a boolean");
    a.succeeded = (<JSON.Bool>s).valueOf();
  }
  if (a.succeeded) return a;
  const r = o.get("responses");
  if (r == null) return a;
  if (!r.isArr) return EtcdAnswer.failed("the txn answer's \"responses\" is not an array");
  const items = (<JSON.Arr>r).valueOf();
  if (items.length == 0) return a;
  if (!items[0].isObj) return EtcdAnswer.failed("the txn answer's responses[0] is not an object");
  const range = (<JSON.Obj>items[0]).get("response_range");
  if (range == null) return a;
  if (!range.isObj) return EtcdAnswer.failed("the txn answer's response_range is not an object");
  readKvs(<JSON.Obj>range, a);
  if (a.error.length) a.error = "the txn answer's response_range " + a.error;
  return a;
}

/** The answer to a lease grant: its ID. */
export function parseLeaseGrant(body: Uint8Array): EtcdAnswer {
  const o = parseObject(body);
  if (o == null) return EtcdAnswer.failed("the lease grant answer is " + shapeError(body));
  const id = o.get("ID");
  if (id == null || !id.isString || !isDecimal((<JSON.Str>id).valueOf()) || (<JSON.Str>id).valueOf() == "0") {
    return EtcdAnswer.failed("the lease grant answer has no lease ID");
  }
  const a = new EtcdAnswer();
  a.leaseId = (<JSON.Str>id).valueOf();
  return a;
}
