// Bounds found by the hostile corpus (tests/fixtures/hostile): inputs that were accepted without limit.
import { decodeId, encodeId, MAX_ID_BYTES } from "../../../assembly/clickpath/id";

function idOfLength(n: i32): string {
  const base = encodeId("web1", 1700000000, 1, 1, 1, "f,", null).length;
  return encodeId("web1", 1700000000, 1, 1, 1, "f," + "a".repeat(n - base), null);
}

describe("clickpath id length", () => {
  it("accepts an id of exactly MAX_ID_BYTES", () => {
    const id = idOfLength(MAX_ID_BYTES);
    expect(id.length).toBe(1024);
    const r = decodeId(id, []);
    expect(r.problem).toBe("");
    expect(r.id!.friend).toBe("f");
  });
  it("refuses one byte more, before decoding anything", () => {
    const id = idOfLength(MAX_ID_BYTES + 1);
    expect(id.length).toBe(1025);
    const r = decodeId(id, []);
    expect(r.id == null).toBe(true);
    expect(r.problem).toBe("the id is longer than 1024 bytes");
  });
});
