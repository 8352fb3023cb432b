// The etcd store's pure parts: its configuration, the JSON bodies it sends, the answers it parses and the
// value layout it stores. The exchange with a real cluster is tests/e2e/etcd-store.test.mjs.
import { parseConfig } from "../../../assembly/config";
import { StoreKind } from "../../../assembly/session/settings";
import { WhenUnavailable } from "../../../assembly/session/etcd-settings";
import {
  CompareTarget, leaseGrantBody, parseLeaseGrant, parseRange, parseTxn, rangeBody, storeErrorOf, TxnCompare, TxnOp, txnBody,
} from "../../../assembly/session/etcd-protocol";
import { decodeValue, encodeValue } from "../../../assembly/session/etcd-backend";
import { byteStringFromBytes, byteStringToBytes } from "../../../assembly/core/bytes";

function utf8(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }
function text(b: Uint8Array): string { return String.UTF8.decode(b.buffer); }
function errorsOf(json: string): string { return parseConfig(utf8(json)).errors.join("\n"); }

describe("session.etcd configuration", () => {
  it("reads every key", () => {
    const s = parseConfig(utf8('{"session":{"store":"ETCD","etcd":{"cluster":"etcd","key_prefix":"shop/","timeout_ms":250,' +
      '"cas_retries":2,"on_unavailable":"empty","grace_seconds":5,"idle_timeout_seconds":60,"max_value_bytes":1024}}}')).config!.session!;
    expect(s.store).toBe(StoreKind.Etcd);
    expect(s.etcd.cluster).toBe("etcd");
    expect(s.etcd.keyPrefix).toBe("shop/");
    expect(s.etcd.timeoutMillis).toBe(250);
    expect(s.etcd.casRetries).toBe(2);
    expect(s.etcd.whenUnavailable).toBe(WhenUnavailable.Empty);
    expect(s.etcd.graceSeconds).toBe(5);
    expect(s.etcd.idleTimeoutSeconds).toBe(60);
    expect(s.etcd.maxValueBytes).toBe(1024);
  });

  it("has the documented defaults", () => {
    const s = parseConfig(utf8('{"session":{"store":"etcd","etcd":{"cluster":"etcd"}}}')).config!.session!;
    expect(s.etcd.keyPrefix).toBe("clicktrail/session/");
    expect(s.etcd.timeoutMillis).toBe(500);
    expect(s.etcd.casRetries).toBe(4);
    expect(s.etcd.whenUnavailable).toBe(WhenUnavailable.Refuse);
    expect(s.etcd.graceSeconds).toBe(10);
  });

  it("names the JSON path of every error", () => {
    expect(errorsOf('{"session":{"store":"etcd"}}')).toBe('session.etcd: the object with at least "cluster" is required with store "etcd"');
    expect(errorsOf('{"session":{"store":"etcd","etcd":{}}}')).toBe("session.etcd.cluster: is required: the name of the Envoy cluster of the etcd members");
    expect(errorsOf('{"session":{"etcd":{"cluster":"etcd"}}}')).toBe('session.etcd: applies only to store "etcd"');
    expect(errorsOf('{"session":{"store":"etcd","etcd":{"cluster":"a b","on_unavailable":"maybe","cas_retries":99,"colour":1}}}')).toBe(
      'session.etcd.cluster: must be 1 to 255 printable ASCII characters without spaces, got "a b"\n' +
      "session.etcd.cas_retries: must be between 0 and 32, got 99\n" +
      'session.etcd.on_unavailable: expected one of refuse, empty, got "maybe"\n' +
      "session.etcd.colour: unknown key");
  });
});

describe("etcd JSON bodies", () => {
  it("ranges one key, base64", () => {
    expect(text(rangeBody("k/\xff"))).toBe('{"key":"ay//"}');
  });

  it("grants a lease with the TTL as a string", () => {
    expect(text(leaseGrantBody(180))).toBe('{"TTL":"180"}');
  });

  it("builds a compare-and-swap Txn with a read of the loser", () => {
    const body = txnBody(
      [new TxnCompare("a", CompareTarget.Mod, "811"), new TxnCompare("b", CompareTarget.Create, "0")],
      [TxnOp.put("b", byteStringToBytes("v"), "7587"), TxnOp.remove("a")], "a");
    expect(text(body)).toBe('{"compare":[{"key":"YQ==","result":"EQUAL","target":"MOD","mod_revision":"811"},' +
      '{"key":"Yg==","result":"EQUAL","target":"CREATE","create_revision":"0"}],' +
      '"success":[{"request_put":{"key":"Yg==","value":"dg==","lease":"7587"}},{"request_delete_range":{"key":"YQ=="}}],' +
      '"failure":[{"request_range":{"key":"YQ=="}}]}');
  });
});

describe("etcd answers", () => {
  it("reads a range as the gateway writes it, zero values left out", () => {
    const a = parseRange(utf8('{"header":{"revision":"812"},"kvs":[{"key":"YQ==","create_revision":"700","mod_revision":"811","version":"3","value":"dg==","lease":"7587"}],"count":"1"}'));
    expect(a.error).toBe("");
    expect(a.kvs.length).toBe(1);
    expect(a.kvs[0].key).toBe("a");
    expect(byteStringFromBytes(a.kvs[0].value)).toBe("v");
    expect(a.kvs[0].modRevision).toBe("811");
    expect(parseRange(utf8('{"header":{"revision":"812"}}')).kvs.length).toBe(0);
  });

  it("reads a Txn: succeeded, or lost with the winner", () => {
    expect(parseTxn(utf8('{"header":{},"succeeded":true,"responses":[{"response_put":{}}]}')).succeeded).toBe(true);
    const lost = parseTxn(utf8('{"header":{},"responses":[{"response_range":{"kvs":[{"key":"YQ==","mod_revision":"9","value":"dw=="}]}}]}'));
    expect(lost.error).toBe("");
    expect(lost.succeeded).toBe(false);
    expect(lost.kvs[0].modRevision).toBe("9");
  });

  it("says what is wrong with a malformed answer, without trapping", () => {
    expect(parseRange(utf8("")).error).toBe("the range answer is an empty body");
    expect(parseRange(utf8('{"kvs":[}')).error).toBe("the range answer is a body that is not JSON");
    expect(parseRange(utf8('{"kvs":[{"value":"***"}]}')).error).toBe("the range answer's kvs[0] has a key or value that is not base64");
    expect(parseTxn(utf8('{"succeeded":1}')).error).toBe("the txn answer's \"succeeded\" is not a boolean");
    expect(parseLeaseGrant(utf8('{"ID":"0"}')).error).toBe("the lease grant answer has no lease ID");
    expect(parseLeaseGrant(utf8('{"ID":"758786"}')).leaseId).toBe("758786");
  });

  it("reports the store's own error message", () => {
    expect(storeErrorOf(404, utf8('{"error":"etcdserver: requested lease not found","code":5}'))).toBe("HTTP 404: etcdserver: requested lease not found");
    expect(storeErrorOf(502, utf8("<html>"))).toBe("HTTP 502");
    expect(storeErrorOf(0, new Uint8Array(0))).toBe("the callout failed (connection refused or reset, or timed out)");
  });
});

describe("etcd values", () => {
  it("round-trips a session and a forward", () => {
    const v = decodeValue(encodeValue(0x73, 1700000000000000, byteStringToBytes("a=1")))!;
    expect(v.kind).toBe(<u8>0x73);
    expect(v.instant).toBe(1700000000000000);
    expect(byteStringFromBytes(v.rest)).toBe("a=1");
    expect(byteStringFromBytes(encodeValue(0x66, 5, byteStringToBytes("k")))).toBe("1f5:k");
  });

  it("refuses other layouts", () => {
    expect(decodeValue(byteStringToBytes("2s5:a")) == null).toBe(true);
    expect(decodeValue(byteStringToBytes("1x5:a")) == null).toBe(true);
    expect(decodeValue(byteStringToBytes("1s:a")) == null).toBe(true);
    expect(decodeValue(byteStringToBytes("1s5a")) == null).toBe(true);
    expect(decodeValue(byteStringToBytes("1s" + "9".repeat(20) + ":a")) == null).toBe(true);
  });
});
