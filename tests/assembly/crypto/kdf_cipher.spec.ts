import { pbkdf2HmacSha1, pbkdf2HmacSha256 } from "../../../assembly/crypto/pbkdf2";
import { hkdfSha256, hkdfSha256Extract } from "../../../assembly/crypto/hkdf";
import { siphash24, siphash24Bytes } from "../../../assembly/crypto/siphash";
import { md5 } from "../../../assembly/crypto/md5";
import { AesKey, aesCbcEncrypt, aesCbcDecrypt } from "../../../assembly/crypto/aes";
import {
  chacha20, poly1305, hchacha20, chacha20Poly1305Seal, chacha20Poly1305Open,
  xchacha20Poly1305Seal, xchacha20Poly1305Open,
} from "../../../assembly/crypto/chacha20poly1305";
import { constantTimeEqual } from "../../../assembly/crypto/compare";
import { hexEncode, hexDecode } from "../../../assembly/codecs/hex";
import { aprBase64Decode } from "../../../assembly/codecs/base64";
import { byteStringToBytes, byteStringFromBytes } from "../../../assembly/core/bytes";

function b(s: string): Uint8Array { return byteStringToBytes(s); }
function unhex(s: string): Uint8Array { return hexDecode(s)!; }
function seq(n: i32, start: i32 = 0): Uint8Array {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = <u8>(start + i);
  return a;
}
function hexOrNull(a: Uint8Array | null): string { return a == null ? "<null>" : hexEncode(a); }

const SUNSCREEN = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";

describe("PBKDF2-HMAC-SHA1 (RFC 6070)", () => {
  it("test vectors 1-3, 5 and 6 (vector 4, 16,777,216 iterations, is left out for time)", () => {
    expect(hexEncode(pbkdf2HmacSha1(b("password"), b("salt"), 1, 20))).toBe("0c60c80f961f0e71f3a9b524af6012062fe037a6");
    expect(hexEncode(pbkdf2HmacSha1(b("password"), b("salt"), 2, 20))).toBe("ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
    expect(hexEncode(pbkdf2HmacSha1(b("password"), b("salt"), 4096, 20))).toBe("4b007901b765489abead49d926f721d065a429c1");
    expect(hexEncode(pbkdf2HmacSha1(b("passwordPASSWORDpassword"), b("saltSALTsaltSALTsaltSALTsaltSALTsalt"), 4096, 25))).toBe("3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
    expect(hexEncode(pbkdf2HmacSha1(b("pass\0word"), b("sa\0lt"), 4096, 16))).toBe("56fa6aa75548099dcc37d7f03425e0c3");
  });
  it("gives an empty key for arguments no caller should pass", () => {
    expect(pbkdf2HmacSha1(b("p"), b("s"), 0, 20).length).toBe(0);
    expect(pbkdf2HmacSha1(b("p"), b("s"), 1, -1).length).toBe(0);
    expect(pbkdf2HmacSha1(b("p"), b("s"), 1, 0).length).toBe(0);
    expect(pbkdf2HmacSha1(b("p"), b("s"), 1, 0x7fffffff).length).toBe(0);
  });
  it("PBKDF2-HMAC-SHA256 across a block boundary of the output", () => {
    expect(hexEncode(pbkdf2HmacSha256(b("password"), b("salt"), 1, 32))).toBe("120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
    expect(hexEncode(pbkdf2HmacSha256(b("passwordPASSWORDpassword"), b("saltSALTsaltSALTsaltSALTsaltSALTsalt"), 4096, 40))).toBe("348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9");
  });
});

describe("HKDF-SHA256 (RFC 5869)", () => {
  it("test cases 1-3", () => {
    const ikm = new Uint8Array(22);
    ikm.fill(0x0b);
    expect(hexEncode(hkdfSha256Extract(unhex("000102030405060708090a0b0c"), ikm))).toBe("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    expect(hexOrNull(hkdfSha256(ikm, unhex("000102030405060708090a0b0c"), unhex("f0f1f2f3f4f5f6f7f8f9"), 42))).toBe("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    expect(hexOrNull(hkdfSha256(seq(80), seq(80, 0x60), seq(80, 0xb0), 82))).toBe("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
    expect(hexOrNull(hkdfSha256(ikm, new Uint8Array(0), new Uint8Array(0), 42))).toBe("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  });
  it("refuses lengths above 255 * 32 and below 0, allows exactly 255 * 32 and 0", () => {
    expect(hkdfSha256(seq(4), seq(4), seq(4), 255 * 32 + 1) == null).toBe(true);
    expect(hkdfSha256(seq(4), seq(4), seq(4), -1) == null).toBe(true);
    expect(hkdfSha256(seq(4), seq(4), seq(4), 255 * 32)!.length).toBe(255 * 32);
    expect(hkdfSha256(seq(4), seq(4), seq(4), 0)!.length).toBe(0);
  });
});

describe("SipHash-2-4 (Aumasson-Bernstein reference vectors)", () => {
  it("the paper's example and vectors at lengths 0, 7, 8 and 63", () => {
    expect(siphash24(seq(16), seq(15))).toBe(0xa129ca6149be45e5);
    expect(hexEncode(siphash24Bytes(seq(16), seq(15)))).toBe("e545be4961ca29a1");
    expect(hexEncode(siphash24Bytes(seq(16), seq(0)))).toBe("310e0edd47db6f72");
    expect(hexEncode(siphash24Bytes(seq(16), seq(7)))).toBe("37d1018bf50002ab");
    expect(hexEncode(siphash24Bytes(seq(16), seq(8)))).toBe("6224939a79f5f593");
    expect(hexEncode(siphash24Bytes(seq(16), seq(63)))).toBe("724506eb4c328a95");
  });
});

describe("AES (FIPS 197 appendix C)", () => {
  it("encrypts and decrypts the example block with 128, 192 and 256-bit keys", () => {
    const pt = unhex("00112233445566778899aabbccddeeff");
    const k128 = AesKey.create(seq(16))!;
    const k192 = AesKey.create(seq(24))!;
    const k256 = AesKey.create(seq(32))!;
    expect(hexEncode(k128.encrypt(pt))).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
    expect(hexEncode(k192.encrypt(pt))).toBe("dda97ca4864cdfe06eaf70a0ec0d7191");
    expect(hexEncode(k256.encrypt(pt))).toBe("8ea2b7ca516745bfeafc49904b496089");
    expect(hexEncode(k128.decrypt(unhex("69c4e0d86a7b0430d8cdb78070b4c55a")))).toBe("00112233445566778899aabbccddeeff");
    expect(hexEncode(k192.decrypt(unhex("dda97ca4864cdfe06eaf70a0ec0d7191")))).toBe("00112233445566778899aabbccddeeff");
    expect(hexEncode(k256.decrypt(unhex("8ea2b7ca516745bfeafc49904b496089")))).toBe("00112233445566778899aabbccddeeff");
  });
  it("refuses keys that are not 16, 24 or 32 bytes and blocks that are not 16", () => {
    expect(AesKey.create(seq(15)) == null).toBe(true);
    expect(AesKey.create(seq(0)) == null).toBe(true);
    expect(AesKey.create(seq(33)) == null).toBe(true);
    expect(AesKey.create(seq(16))!.encrypt(seq(15)).length).toBe(0);
  });
  it("CBC (SP 800-38A F.2.1, first block) and PKCS#7 padding", () => {
    const key = unhex("2b7e151628aed2a6abf7158809cf4f3c");
    const iv = unhex("000102030405060708090a0b0c0d0e0f");
    const ct = aesCbcEncrypt(key, iv, unhex("6bc1bee22e409f96e93d7e117393172a"));
    expect(hexEncode(ct.subarray(0, 16))).toBe("7649abac8119b246cee98e9b12e9197d");
    expect(ct.length).toBe(32);
    expect(hexOrNull(aesCbcDecrypt(key, iv, ct))).toBe("6bc1bee22e409f96e93d7e117393172a");
    expect(aesCbcEncrypt(key, iv, new Uint8Array(0)).length).toBe(16);
    expect(hexOrNull(aesCbcDecrypt(key, iv, aesCbcEncrypt(key, iv, new Uint8Array(0))))).toBe("");
  });
  it("refuses bad lengths and bad padding as null, bad key or IV on encryption as empty", () => {
    const key = seq(16);
    const iv = seq(16);
    expect(aesCbcDecrypt(key, iv, new Uint8Array(0)) == null).toBe(true);
    expect(aesCbcDecrypt(key, iv, seq(17)) == null).toBe(true);
    expect(aesCbcDecrypt(key, seq(15), seq(16)) == null).toBe(true);
    expect(aesCbcDecrypt(seq(17), iv, seq(16)) == null).toBe(true);
    expect(aesCbcEncrypt(seq(17), iv, seq(3)).length).toBe(0);
    expect(aesCbcEncrypt(key, seq(8), seq(3)).length).toBe(0);
    // A block whose last byte decrypts to 0x11 (> 16) and one ending 02 03: both bad padding.
    const k = AesKey.create(key)!;
    const bad1 = new Uint8Array(16); bad1.fill(0x11);
    expect(aesCbcDecrypt(key, iv, k.cbcEncrypt(iv, bad1).subarray(0, 16)) == null).toBe(true);
    const bad2 = seq(16); bad2[14] = 3; bad2[15] = 2;
    // CBC of one block with IV: encrypting (bad2 ^ iv) directly gives a ciphertext that decrypts to bad2.
    const x = new Uint8Array(16);
    for (let i = 0; i < 16; i++) x[i] = bad2[i] ^ iv[i];
    expect(aesCbcDecrypt(key, iv, k.encrypt(x)) == null).toBe(true);
    const good = seq(16); good[14] = 2; good[15] = 2;
    for (let i = 0; i < 16; i++) x[i] = good[i] ^ iv[i];
    expect(hexOrNull(aesCbcDecrypt(key, iv, k.encrypt(x)))).toBe("000102030405060708090a0b0c0d");
    const zero = seq(16); zero[15] = 0;
    for (let i = 0; i < 16; i++) x[i] = zero[i] ^ iv[i];
    expect(aesCbcDecrypt(key, iv, k.encrypt(x)) == null).toBe(true);
  });
});

describe("ChaCha20 and Poly1305 (RFC 8439)", () => {
  it("§2.3.2 block function and §2.4.2 encryption", () => {
    expect(hexEncode(chacha20(seq(32), unhex("000000090000004a00000000"), 1, new Uint8Array(64)))).toBe("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
    expect(hexEncode(chacha20(seq(32), unhex("000000000000004a00000000"), 1, b(SUNSCREEN)))).toBe("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d");
  });
  it("§2.5.2 Poly1305", () => {
    expect(hexOrNull(poly1305(unhex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b"), b("Cryptographic Forum Research Group")))).toBe("a8061dc1305136c6c22b8baf0c0127a9");
  });
  it("Poly1305 edge cases from RFC 8439 appendix A.3 (#5 and #6: h wraps to 2^130 - 5)", () => {
    const key2 = new Uint8Array(32); key2[0] = 2;
    expect(hexOrNull(poly1305(key2, unhex("ffffffffffffffffffffffffffffffff")))).toBe("03000000000000000000000000000000");
    const key3 = new Uint8Array(32); key3[0] = 2;
    for (let i = 16; i < 32; i++) key3[i] = 0xff;
    expect(hexOrNull(poly1305(key3, unhex("02000000000000000000000000000000")))).toBe("03000000000000000000000000000000");
  });
  it("§2.8.2 AEAD seal and open", () => {
    const key = seq(32, 0x80);
    const nonce = unhex("070000004041424344454647");
    const aad = unhex("50515253c0c1c2c3c4c5c6c7");
    const sealed = chacha20Poly1305Seal(key, nonce, b(SUNSCREEN), aad);
    expect(hexEncode(sealed)).toBe("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116" + "1ae10b594f09e26a7e902ecbd0600691");
    expect(byteStringFromBytes(chacha20Poly1305Open(key, nonce, sealed, aad)!)).toBe(SUNSCREEN);
    sealed[sealed.length - 1] ^= 1;
    expect(chacha20Poly1305Open(key, nonce, sealed, aad) == null).toBe(true);
    sealed[sealed.length - 1] ^= 1;
    sealed[0] ^= 0x80;
    expect(chacha20Poly1305Open(key, nonce, sealed, aad) == null).toBe(true);
    sealed[0] ^= 0x80;
    expect(chacha20Poly1305Open(key, nonce, sealed, new Uint8Array(0)) == null).toBe(true);
    expect(chacha20Poly1305Open(key, nonce, sealed.subarray(0, 15), aad) == null).toBe(true);
    expect(chacha20Poly1305Open(key.subarray(1), nonce, sealed, aad) == null).toBe(true);
    expect(chacha20Poly1305Seal(key, nonce.subarray(1), sealed, aad).length).toBe(0);
  });
});

describe("XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03)", () => {
  it("§2.2.1 HChaCha20", () => {
    expect(hexOrNull(hchacha20(seq(32), unhex("000000090000004a0000000031415927")))).toBe("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");
    expect(hchacha20(seq(32), seq(12)) == null).toBe(true);
  });
  it("§A.3.1 AEAD seal and open", () => {
    const key = seq(32, 0x80);
    const nonce = seq(24, 0x40);
    const aad = unhex("50515253c0c1c2c3c4c5c6c7");
    const sealed = xchacha20Poly1305Seal(key, nonce, b(SUNSCREEN), aad);
    expect(hexEncode(sealed)).toBe("bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e" + "c0875924c1c7987947deafd8780acf49");
    expect(byteStringFromBytes(xchacha20Poly1305Open(key, nonce, sealed, aad)!)).toBe(SUNSCREEN);
    sealed[5] ^= 1;
    expect(xchacha20Poly1305Open(key, nonce, sealed, aad) == null).toBe(true);
    expect(xchacha20Poly1305Open(key, seq(12), sealed, aad) == null).toBe(true);
    expect(xchacha20Poly1305Seal(key, seq(12), sealed, aad).length).toBe(0);
  });
});

describe("mod_session_crypto cookies observed from Apache (testdata/originals)", () => {
  it("verifies the SipHash MAC and decrypts with PBKDF2-SHA1 4096 and AES-256-CBC", () => {
    const raw = aprBase64Decode("jBggtJc3JZIjk2270Z1GHIsMMJfdsXSyOQADnNagS8W0v79KyhuYXsx0OwC0vk7E0pyN94RXSaBb2ltEmTry1snEJc6nVf35");
    expect(raw.length).toBe(72);
    const pass = b("secret");
    const mac = siphash24Bytes(md5(pass), raw.subarray(8));
    expect(constantTimeEqual(mac, raw.subarray(0, 8))).toBe(true);
    const key = pbkdf2HmacSha1(pass, raw.subarray(8, 24), 4096, 32);
    const plain = aesCbcDecrypt(key, raw.subarray(24, 40), raw.subarray(40));
    expect(byteStringFromBytes(plain!)).toBe("user=alice&pw=s3cret");
  });
});
