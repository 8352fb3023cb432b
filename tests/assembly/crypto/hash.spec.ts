import { sha256, newSha256 } from "../../../assembly/crypto/sha256";
import { sha1, newSha1 } from "../../../assembly/crypto/sha1";
import { md5 } from "../../../assembly/crypto/md5";
import { hmacSha1, hmacSha256, hmacMd5 } from "../../../assembly/crypto/hmac";
import { constantTimeEqual } from "../../../assembly/crypto/compare";
import { crc8Smbus, crc8SmbusString } from "../../../assembly/crypto/crc8";
import { hexEncode, hexDecode } from "../../../assembly/codecs/hex";

function ascii(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }
function unhex(s: string): Uint8Array { return hexDecode(s)!; }
function repeat(b: u8, n: i32): Uint8Array { const a = new Uint8Array(n); a.fill(b); return a; }

const MSG448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const MSG896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

describe("SHA-256 (FIPS 180-2 examples)", () => {
  it("hashes the empty string, abc and the 448-bit message", () => {
    expect(hexEncode(sha256(new Uint8Array(0)))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(hexEncode(sha256(ascii("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hexEncode(sha256(ascii(MSG448)))).toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    expect(hexEncode(sha256(ascii(MSG896)))).toBe("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  });
  it("hashes a million 'a' fed in uneven pieces", () => {
    expect(hexEncode(sha256(repeat(0x61, 1000000)))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    const h = newSha256();
    const piece = repeat(0x61, 997);
    let left = 1000000;
    while (left > 0) {
      const n = min(left, 997);
      h.update(n == 997 ? piece : piece.subarray(0, n));
      left -= n;
    }
    expect(hexEncode(h.finish())).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });
  it("pads correctly at every length around a block boundary", () => {
    // 55, 56 and 64 bytes: the length field fits, just misses, and a block is exactly full.
    expect(hexEncode(sha256(repeat(0x61, 55)))).toBe("9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    expect(hexEncode(sha256(repeat(0x61, 56)))).toBe("b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    expect(hexEncode(sha256(repeat(0x61, 64)))).toBe("ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  });
});

describe("SHA-1 (FIPS 180-2 examples)", () => {
  it("hashes the empty string, abc, the 448-bit message and a million 'a'", () => {
    expect(hexEncode(sha1(new Uint8Array(0)))).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect(hexEncode(sha1(ascii("abc")))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(hexEncode(sha1(ascii(MSG448)))).toBe("84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    expect(hexEncode(sha1(repeat(0x61, 1000000)))).toBe("34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  });
  it("hashes incrementally like in one piece", () => {
    const h = newSha1();
    h.update(ascii("ab"));
    h.update(ascii("c"));
    expect(hexEncode(h.finish())).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
  });
});

describe("MD5 (RFC 1321 test suite)", () => {
  it("hashes the seven messages of appendix A.5", () => {
    expect(hexEncode(md5(ascii("")))).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(hexEncode(md5(ascii("a")))).toBe("0cc175b9c0f1b6a831c399e269772661");
    expect(hexEncode(md5(ascii("abc")))).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(hexEncode(md5(ascii("message digest")))).toBe("f96b697d7cb7938d525a2f31aaf161d0");
    expect(hexEncode(md5(ascii("abcdefghijklmnopqrstuvwxyz")))).toBe("c3fcd3d76192e4007dfb496cca67e13b");
    expect(hexEncode(md5(ascii("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")))).toBe("d174ab98d277d9f5a5611c2c9f419d9f");
    expect(hexEncode(md5(ascii("12345678901234567890123456789012345678901234567890123456789012345678901234567890")))).toBe("57edf4a22be3c955ac49da2e2107b67a");
  });
  it("gives mod_session_crypto's MAC key for the passphrase 'secret'", () => {
    expect(hexEncode(md5(ascii("secret")))).toBe("5ebe2294ecd0e0f08eab7690d2a6ee69");
  });
});

describe("HMAC-SHA256 (RFC 4231)", () => {
  it("test cases 1-4, 6 and 7", () => {
    expect(hexEncode(hmacSha256(repeat(0x0b, 20), ascii("Hi There")))).toBe("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    expect(hexEncode(hmacSha256(ascii("Jefe"), ascii("what do ya want for nothing?")))).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    expect(hexEncode(hmacSha256(repeat(0xaa, 20), repeat(0xdd, 50)))).toBe("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    expect(hexEncode(hmacSha256(unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeat(0xcd, 50)))).toBe("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    expect(hexEncode(hmacSha256(repeat(0xaa, 131), ascii("Test Using Larger Than Block-Size Key - Hash Key First")))).toBe("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    expect(hexEncode(hmacSha256(repeat(0xaa, 131), ascii("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.")))).toBe("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  });
  it("test case 5 (truncated to 128 bits)", () => {
    expect(hexEncode(hmacSha256(repeat(0x0c, 20), ascii("Test With Truncation")).subarray(0, 16))).toBe("a3b6167473100ee06e0c796c2955552b");
  });
});

describe("HMAC-SHA1 and HMAC-MD5 (RFC 2202)", () => {
  it("HMAC-SHA1 test cases 1-7", () => {
    expect(hexEncode(hmacSha1(repeat(0x0b, 20), ascii("Hi There")))).toBe("b617318655057264e28bc0b6fb378c8ef146be00");
    expect(hexEncode(hmacSha1(ascii("Jefe"), ascii("what do ya want for nothing?")))).toBe("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    expect(hexEncode(hmacSha1(repeat(0xaa, 20), repeat(0xdd, 50)))).toBe("125d7342b9ac11cd91a39af48aa17b4f63f175d3");
    expect(hexEncode(hmacSha1(unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeat(0xcd, 50)))).toBe("4c9007f4026250c6bc8414f9bf50c86c2d7235da");
    expect(hexEncode(hmacSha1(repeat(0x0c, 20), ascii("Test With Truncation")))).toBe("4c1a03424b55e07fe7f27be1d58bb9324a9a5a04");
    expect(hexEncode(hmacSha1(repeat(0xaa, 80), ascii("Test Using Larger Than Block-Size Key - Hash Key First")))).toBe("aa4ae5e15272d00e95705637ce8a3b55ed402112");
    expect(hexEncode(hmacSha1(repeat(0xaa, 80), ascii("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data")))).toBe("e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
  });
  it("HMAC-MD5 test cases 1 and 2", () => {
    expect(hexEncode(hmacMd5(repeat(0x0b, 16), ascii("Hi There")))).toBe("9294727a3638bb1c13f48ef8158bfc9d");
    expect(hexEncode(hmacMd5(ascii("Jefe"), ascii("what do ya want for nothing?")))).toBe("750c783e6ab0b503eaa86e310a5db738");
  });
});

describe("constantTimeEqual", () => {
  it("compares contents and lengths", () => {
    expect(constantTimeEqual(ascii("abc"), ascii("abc"))).toBe(true);
    expect(constantTimeEqual(ascii("abc"), ascii("abd"))).toBe(false);
    expect(constantTimeEqual(ascii("xbc"), ascii("abc"))).toBe(false);
    expect(constantTimeEqual(ascii("abc"), ascii("abcd"))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});

describe("CRC-8/SMBUS", () => {
  it("has the catalogue check value 0xF4 and 0 for no data", () => {
    expect(crc8Smbus(ascii("123456789"))).toBe(0xf4);
    expect(crc8SmbusString("123456789")).toBe(0xf4);
    expect(crc8Smbus(new Uint8Array(0))).toBe(0);
    expect(crc8Smbus(unhex("ff"))).toBe(0xf3);
  });
});
