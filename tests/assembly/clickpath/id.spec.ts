import { decodeId, decodeIdInto, SessionId, encodeId, scramble, unscramble, escapeRemote, unescapeRemote, machineIp, ipMachine, pathSafe, SCRAMBLE_ALPHABET } from "../../../assembly/clickpath/id";
import { percentDecode, PercentMode, UnescapeStatus } from "../../../assembly/codecs/percent";

function noKeys(): Uint8Array[] { return new Array<Uint8Array>(); }
function key(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }

// The rows of vectors.json "clickpath_decode" without a Blowfish secret.
describe("clickpath_decode vectors", () => {
  it("PtVOR9:YhYsyaINNTSaB79NNNNNM — IP 10.2.1.19", () => {
    const r = decodeId("PtVOR9:YhYsyaINNTSaB79NNNNNM", noKeys());
    expect(r.problem).toBe("");
    const id = r.id!;
    expect(machineIp(id.machine)!).toBe("10.2.1.19");
    expect(id.time).toBe(1121948895);
    expect(id.process).toBe(24909);
    expect(id.counter).toBe(55020);
    expect(id.connection).toBe(0);
    expect(id.crc).toBe(45);
    expect(id.friend).toBe("");
  });
  it("6r56:YhYsyaINNTSaB79NNNNNM — machine name test", () => {
    const id = decodeId("6r56:YhYsyaINNTSaB79NNNNNM", noKeys()).id!;
    expect(id.machine).toBe("test");
    expect(id.time).toBe(1121948895);
    expect(id.process).toBe(24909);
    expect(id.counter).toBe(55020);
    expect(id.connection).toBe(0);
  });
  it("s9NNNd:vAYsyaINNTSaB7INNNNNMsMyq*.CF!vq*.InoJ — friendly session f", () => {
    const id = decodeId("s9NNNd:vAYsyaINNTSaB7INNNNNMsMyq*.CF!vq*.InoJ", noKeys()).id!;
    expect(machineIp(id.machine)!).toBe("127.0.0.1");
    expect(id.time).toBe(1121948895);
    expect(id.process).toBe(24909);
    expect(id.counter).toBe(55023);
    expect(id.connection).toBe(0);
    expect(id.friend).toBe("f");
    expect(id.remote).toBe("ld=25\nid=8ab9");
  });
  it("O:vAYsyaINNTSaB7INNNNNMsMyq*.CF!vq*.InoJ — machine B", () => {
    const id = decodeId("O:vAYsyaINNTSaB7INNNNNMsMyq*.CF!vq*.InoJ", noKeys()).id!;
    expect(id.machine).toBe("B");
    expect(id.counter).toBe(55023);
  });
  it("s9NNNd:WT5PoQ1NNQIaYiNNNNNOM — runtime vector", () => {
    const id = decodeId("s9NNNd:WT5PoQ1NNQIaYiNNNNNOM", noKeys()).id!;
    expect(machineIp(id.machine)!).toBe("127.0.0.1");
    expect(id.time).toBe(1795320890);
    expect(id.process).toBe(16141);
    expect(id.counter).toBe(11600);
    expect(id.connection).toBe(1);
  });
  it("refuses the Blowfish ids (their CRC is inside the ciphertext)", () => {
    expect(decodeId("N:qHL0wyDpZfpRC189RSdqrNM", noKeys()).problem).toBe("the record is 16 bytes, not 15 or 25");
    expect(decodeId("N:b-0HC0o1E@H@b4xrcsGp8tM", noKeys()).problem).toBe("the record is 16 bytes, not 15 or 25");
  });
  it("refuses pre-1.8 ids without CRC, as 1.10 does", () => {
    expect(decodeId("s9NNNd:doBAYNNNiaNQOtNNNNNM", noKeys()).problem).toBe("the record is 14 bytes, not 15 or 25");
  });
});

describe("malformed ids", () => {
  it("names the problem and never traps", () => {
    expect(decodeId("", noKeys()).problem).toBe("no ':' between machine and record");
    expect(decodeId("abc", noKeys()).problem).toBe("no ':' between machine and record");
    expect(decodeId("s9NNNd:", noKeys()).problem).toBe("the record is 0 bytes, not 15 or 25");
    expect(decodeId("s9NNNd:%zz", noKeys()).problem).toBe("bad percent-encoding");
    expect(decodeId("s9NNNd:a*b", noKeys()).problem).toBe("the record is not base64");
    // One flipped character: the CRC catches it.
    expect(decodeId("s9NNNd:WT5PoQ1NNQIaYiNNNNOOM", noKeys()).problem).toBe("CRC checksum failed");
    expect(decodeId(",,,,::", noKeys()).problem).toBe("the record is not base64");
  });
  it("reads ids whose characters are all percent-encoded, and ':' only before the first ','", () => {
    // "6r56:YhYsyaINNTSaB79NNNNNM" written as %XX throughout, upper and lower case hex.
    const plain = "6r56:YhYsyaINNTSaB79NNNNNM";
    let escaped = "";
    for (let i = 0; i < plain.length; i++) {
      const hex = plain.charCodeAt(i).toString(16);
      escaped += "%" + (i % 2 == 0 ? hex.toUpperCase() : hex);
    }
    const id = decodeId(escaped, noKeys()).id!;
    expect(id.machine).toBe("test");
    expect(id.counter).toBe(55020);
    // "M" is the scrambled ","; a ":" after it belongs to the friend part, not to the machine.
    expect(decodeId("6r56YhYsyaINNTSaB79NNNNNM:x", noKeys()).problem).toBe("no ':' between machine and record");
    const withColon = decodeId("6r56:YhYsyaINNTSaB79NNNNNMs:a", noKeys()).id!;
    expect(withColon.machine).toBe("test");
    expect(withColon.friendPart).toBe("f:N");
  });
  it("takes a known machine name's string, and copies any other", () => {
    const known = ["tesu", "test", "web1"];
    const id = new SessionId();
    expect(decodeIdInto("6r56:YhYsyaINNTSaB79NNNNNM", noKeys(), id, known)).toBe("");
    expect(id.machine).toBe("test");
    expect(changetype<usize>(id.machine)).toBe(changetype<usize>(known[1]));
    const other = new SessionId();
    expect(decodeIdInto("6r56:YhYsyaINNTSaB79NNNNNM", noKeys(), other, ["tes", "tests", "web1"])).toBe("");
    expect(other.machine).toBe("test");
    // Translated characters compare as translated: "@" and "-" in the id are "+" and "/" in the name.
    const s = encodeId("a+b/c", 1700000000, 1, 2, 3, "", null);
    const plus = new SessionId();
    const names = ["a+b/c"];
    expect(decodeIdInto(s, noKeys(), plus, names)).toBe("");
    expect(changetype<usize>(plus.machine)).toBe(changetype<usize>(names[0]));
  });
  it("reads records of either length one after the other", () => {
    const k = key("first secret 0123456789");
    const signed = encodeId("A", 1700000000, 1, 2, 3, "", k);
    for (let round = 0; round < 2; round++) {
      const a = decodeId("6r56:YhYsyaINNTSaB79NNNNNM", noKeys()).id!;
      expect(a.counter).toBe(55020);
      expect(a.tagged).toBe(false);
      const b = decodeId(signed, noKeys()).id!;
      expect(b.time).toBe(1700000000);
      expect(b.counter).toBe(2);
      expect(b.tagged).toBe(true);
      expect(decodeId("s9NNNd:doBAYNNNiaNQOtNNNNNM", noKeys()).problem).toBe("the record is 14 bytes, not 15 or 25");
    }
  });
});

describe("scramble", () => {
  it("rotates by 13 in A-Z a-z 0-9 @ - ,", () => {
    expect(scramble("ABCMNZamnwxyz09@-,")).toBe("NOPZamnz09@-,AJKLM");
    expect(scramble(":*!._%")).toBe(":*!._%");
    expect(unscramble(scramble(SCRAMBLE_ALPHABET))).toBe(SCRAMBLE_ALPHABET);
    expect(unscramble("s9NNNd")).toBe("fwAAAQ");
  });
});

describe("friendly escaping", () => {
  it("escapes and unescapes as the trans handler does", () => {
    expect(escapeRemote("ld=25\nid=8a/b#9")).toBe("ld*.25!id*.8a*xb*y9");
    expect(unescapeRemote("ld*.25!id*.8a*xb*y9")).toBe("ld=25\nid=8a/b#9");
    expect(escapeRemote("a*b!c")).toBe("a**b*!c");
    expect(unescapeRemote("a**b*!c")).toBe("a*b!c");
    expect(unescapeRemote("x*")).toBe("x*");
    expect(unescapeRemote("*q")).toBe("*q");
  });
  it("reproduces the observed id suffix of §2.6", () => {
    expect(scramble("f," + escapeRemote("ld=25\nid=8a/b#9"))).toBe("sMyq*.CF!vq*.In*@o*-J");
  });
});

describe("machine IP form", () => {
  it("encodes and decodes dotted quads", () => {
    expect(ipMachine("127.0.0.1")!).toBe("fwAAAQ");
    expect(ipMachine("10.2.1.19")!).toBe("CgIBEw");
    expect(ipMachine("256.1.1.1") == null).toBe(true);
    expect(ipMachine("1.2.3") == null).toBe(true);
    expect(ipMachine("::1") == null).toBe(true);
    expect(machineIp("test") == null).toBe(true);
  });
});

describe("encodeId", () => {
  it("builds the original's bytes for the runtime vector", () => {
    expect(encodeId("fwAAAQ", 1795320890, 16141, 11600, 1, "", null)).toBe("s9NNNd:WT5PoQ1NNQIaYiNNNNNOM");
  });
  it("builds the friendly vector of 009decode.t", () => {
    expect(encodeId("fwAAAQ", 1121948895, 24909, 55023, 0, "f,ld*.25!id*.8ab9", null)).toBe("s9NNNd:vAYsyaINNTSaB7INNNNNMsMyq*.CF!vq*.InoJ");
  });
  it("round-trips names, counters and connection ids at their limits", () => {
    const s = encodeId("web_1", 0xffffffff, 0xffffffff, 0xffff, 0xffffffff, "", null);
    const id = decodeId(s, noKeys()).id!;
    expect(id.machine).toBe("web_1");
    expect(id.time).toBe(0xffffffff);
    expect(id.process).toBe(0xffffffff);
    expect(id.counter).toBe(0xffff);
    expect(id.connection).toBe(0xffffffff);
    expect(id.tagged).toBe(false);
  });
  it("round-trips an empty machine", () => {
    const s = encodeId("", 1700000000, 3, 4, 5, "", null);
    expect(s.startsWith(":")).toBe(true);
    expect(decodeId(s, noKeys()).id!.machine).toBe("");
  });
  it("percent-encodes friend bytes that cannot stand in a path and reads them back", () => {
    const s = encodeId("A", 1700000000, 1, 2, 3, "p," + escapeRemote("q=a b?c%d"), null);
    expect(s.includes(" ")).toBe(false);
    expect(s.includes("?")).toBe(false);
    const id = decodeId(s, noKeys()).id!;
    expect(id.friend).toBe("p");
    expect(id.remote).toBe("q=a b?c%d");
    expect(pathSafe("a b")).toBe("a%20b");
    expect(percentDecode("a%20b", PercentMode.URL).value).toBe("a b");
    expect(percentDecode("a%2", PercentMode.URL).status).toBe(UnescapeStatus.BAD_ESCAPE);
  });
});

describe("signed ids", () => {
  it("verify with the signing key and with any later key, and not without", () => {
    const k1 = key("first secret 0123456789");
    const k2 = key("second secret 0123456789");
    const s = encodeId("A", 1700000000, 1, 2, 3, "", k1);
    const keys = [k2, k1];
    const r = decodeId(s, keys);
    expect(r.problem).toBe("");
    expect(r.id!.verified).toBe(true);
    expect(r.id!.tagged).toBe(true);
    expect(decodeId(s, [k2]).problem).toBe("signature check failed");
  });
  it("refuse unsigned ids when secrets are configured", () => {
    const s = encodeId("A", 1700000000, 1, 2, 3, "", null);
    expect(decodeId(s, [key("first secret 0123456789")]).problem).toBe("unsigned id while secrets are configured");
  });
  it("stay readable without the secret: the CRC covers fields and tag", () => {
    const s = encodeId("A", 1700000000, 1, 2, 3, "", key("first secret 0123456789"));
    const id = decodeId(s, noKeys()).id!;
    expect(id.time).toBe(1700000000);
    expect(id.tagged).toBe(true);
    expect(id.verified).toBe(false);
  });
  it("bind the machine and the friend part", () => {
    const k = key("first secret 0123456789");
    const s = encodeId("A", 1700000000, 1, 2, 3, "f,x", k);
    // Same record under another machine name ("B" scrambles to "O", "A" to "N").
    expect(s.startsWith("N:")).toBe(true);
    expect(decodeId("O:" + s.substring(2), [k]).problem).toBe("signature check failed");
    // The friend part "f,x" ends the id; "x" scrambles to "@", "y" to "-".
    expect(s.endsWith("@")).toBe(true);
    expect(decodeId(s.substring(0, s.length - 1) + "-", [k]).problem).toBe("signature check failed");
  });
});
