// mod_session_crypto's format against cookies a real Apache issued (vectors.json session_crypto_cookie),
// clicktrail's AEAD format (round trip, tampering, AAD binding, expiry, rotation), the derived-key cache,
// and CVE-2016-0736: every way a cookie can fail to decrypt looks the same from outside.
import { ApacheSealer } from "../../../assembly/session/crypto-apache";
import { AeadSealer } from "../../../assembly/session/crypto-aead";
import { CryptoCipher, CryptoFormat, SessionCryptoSettings, SessionSettings } from "../../../assembly/session/settings";
import { DECRYPT_FAILURE_LOG } from "../../../assembly/session/feature";
import { base64Decode, base64Encode } from "../../../assembly/codecs/base64";
import { aesCbcEncrypt } from "../../../assembly/crypto/aes";
import { md5 } from "../../../assembly/crypto/md5";
import { pbkdf2HmacSha1 } from "../../../assembly/crypto/pbkdf2";
import { siphash24Bytes } from "../../../assembly/crypto/siphash";
import { all, cookieValue, exchange, FakeServices, fakeServices, feature } from "./fakes";

function utf8(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }

function apache(passphrases: string[]): ApacheSealer {
  const list = new Array<Uint8Array>();
  for (let i = 0; i < passphrases.length; i++) list.push(utf8(passphrases[i]));
  return new ApacheSealer(list, CryptoCipher.Aes256);
}

function aead(passphrases: string[], cipher: CryptoCipher): AeadSealer {
  const list = new Array<Uint8Array>();
  for (let i = 0; i < passphrases.length; i++) list.push(utf8(passphrases[i]));
  return new AeadSealer(list, cipher);
}

function cryptoSettings(format: CryptoFormat, passphrases: string[]): SessionSettings {
  const s = new SessionSettings();
  s.cookieName = "session";
  s.cookieAttributes = "path=/";
  s.upstreamHeader = "x-session";
  s.responseHeader = "x-replace-session";
  const c = new SessionCryptoSettings();
  c.format = format;
  c.cipher = format == CryptoFormat.Apache ? CryptoCipher.Aes256 : CryptoCipher.XChaCha20Poly1305;
  for (let i = 0; i < passphrases.length; i++) c.passphrases.push(utf8(passphrases[i]));
  s.crypto = c;
  return s;
}

const APACHE_VECTORS: string[] = [
  "OmajrNyDPYDJyAfmhSZKwq8y3E6eHuZ3Zu425bq+MPkbcpcODsuOIrkg7fCkgql0L+3SFZfQlkQg2SrfVmKxEX7GgeX8h0g8",
  "pHwMSjCDygDrrIpvhvpC8LrGGk+ovLFK3/UznCQAWjAVGINrqpcWzKD0D8oWztyoXqf/VY82uTC5vxGC2HHeOtUKylcp/QgX",
  "jBggtJc3JZIjk2270Z1GHIsMMJfdsXSyOQADnNagS8W0v79KyhuYXsx0OwC0vk7E0pyN94RXSaBb2ltEmTry1snEJc6nVf35",
];
const APACHE_PLAINTEXTS: string[] = ["key1=foo&key2=bar", "key1=foo&key2=bar", "user=alice&pw=s3cret"];

describe("format apache: cookies issued by Apache 2.4", () => {
  it("decrypts the three vectors with passphrase `secret`", () => {
    const svc = fakeServices();
    const sealer = apache(["secret"]);
    for (let i = 0; i < APACHE_VECTORS.length; i++) {
      expect(sealer.open(APACHE_VECTORS[i], "session", svc)!.plaintext).toBe(APACHE_PLAINTEXTS[i]);
    }
  });

  it("loads them as sessions (upstream header shows the keys)", () => {
    const svc = fakeServices();
    const f = feature(cryptoSettings(CryptoFormat.Apache, ["secret"]), svc);
    const x = exchange(f, svc, "/", ["session=" + APACHE_VECTORS[2]], []);
    expect(x.request.get("x-session")!).toBe("user=alice&pw=s3cret");
    expect(svc.metric("clicktrail.session.loaded")).toBe(1);
  });

  it("tries every passphrase: a rotated-in first passphrase still reads old cookies", () => {
    const svc = fakeServices();
    expect(apache(["new-one", "secret"]).open(APACHE_VECTORS[0], "session", svc)!.plaintext).toBe("key1=foo&key2=bar");
    expect(apache(["new-one"]).open(APACHE_VECTORS[0], "session", svc) == null).toBe(true);
  });

  it("seals in Apache's layout: Base64(MAC8 ‖ salt16 ‖ iv16 ‖ AES-256-CBC), MAC = SipHash(MD5(pass))", () => {
    const svc = fakeServices();
    const sealer = apache(["secret"]);
    const value = sealer.seal("user=alice&pw=s3cret", 0, "session", svc);
    expect(value.length).toBe(96);
    const raw = base64Decode(value, false)!;
    expect(raw.length).toBe(72);
    const mac = siphash24Bytes(md5(utf8("secret")), raw.subarray(8));
    let same = true;
    for (let i = 0; i < 8; i++) if (mac[i] != raw[i]) same = false;
    expect(same).toBe(true);
    expect(raw[8 + 6] >> 4).toBe(4);
    expect(sealer.open(value, "session", svc)!.plaintext).toBe("user=alice&pw=s3cret");
  });

  it("derives each key once: the seal salt is reused and derived keys are cached", () => {
    const svc = fakeServices();
    const sealer = apache(["secret"]);
    const a = sealer.seal("a=1", 0, "session", svc);
    const b = sealer.seal("b=2", 0, "session", svc);
    expect(a == b).toBe(false);
    sealer.open(a, "session", svc);
    sealer.open(b, "session", svc);
    expect(sealer.cache.derivations).toBe(1);
    sealer.open(APACHE_VECTORS[0], "session", svc);
    sealer.open(APACHE_VECTORS[0], "session", svc);
    expect(sealer.cache.derivations).toBe(2);
  });

  it("bounds the cache", () => {
    const svc = fakeServices();
    const sealer = apache(["secret"]);
    sealer.cache.capacity = 2;
    for (let i = 0; i < APACHE_VECTORS.length; i++) sealer.open(APACHE_VECTORS[i], "session", svc);
    expect(sealer.cache.size).toBe(2);
  });
});

/** A cookie whose MAC is right but whose padding is not: only someone holding the passphrase can make one. */
function badPaddingCookie(): string {
  const salt = new Uint8Array(16);
  const iv = new Uint8Array(16);
  for (let i = 0; i < 16; i++) { salt[i] = <u8>i; iv[i] = <u8>(100 + i); }
  const key = pbkdf2HmacSha1(utf8("secret"), salt, 4096, 32);
  const full = aesCbcEncrypt(key, iv, utf8("0123456789abcdef0123")); // 2 blocks; drop the padded one
  const ct = full.slice(0, 16);
  const raw = new Uint8Array(8 + 16 + 16 + 16);
  raw.set(salt, 8);
  raw.set(iv, 24);
  raw.set(ct, 40);
  raw.set(siphash24Bytes(md5(utf8("secret")), raw.subarray(8)), 0);
  return base64Encode(raw, false, true);
}

describe("CVE-2016-0736: no oracle", () => {
  it("every failure gives an empty session, the same single log line and one decode_failures count", () => {
    const flipped = APACHE_VECTORS[0].substring(0, 40) + (APACHE_VECTORS[0].charAt(40) == "A" ? "B" : "A") + APACHE_VECTORS[0].substring(41);
    const raw = base64Decode(APACHE_VECTORS[0], false)!;
    const withoutMac = base64Encode(raw.subarray(8), false, true); // the pre-2.4.25 layout
    const cases = [flipped, withoutMac, badPaddingCookie(), "not base64 at all", "QUJD", "", APACHE_VECTORS[0].substring(0, 60)];
    for (let i = 0; i < cases.length; i++) {
      const svc = fakeServices();
      const f = feature(cryptoSettings(CryptoFormat.Apache, ["secret"]), svc);
      const x = exchange(f, svc, "/", ["session=" + cases[i]], []);
      expect(x.request.has("x-session")).toBe(false);
      expect(x.setCookies).toBe("");
      if (cases[i].length == 0) {
        expect(svc.logLines.length).toBe(0);
      } else {
        expect(svc.logLines.join("\n")).toBe(DECRYPT_FAILURE_LOG);
        expect(svc.metric("clicktrail.session.decode_failures")).toBe(1);
      }
    }
  });

  it("a bad-padding cookie is refused even though its MAC verifies", () => {
    expect(apache(["secret"]).open(badPaddingCookie(), "session", fakeServices()) == null).toBe(true);
  });
});

describe("format aead", () => {
  it("round-trips with both algorithms, carrying the expiry in the header", () => {
    const svc = fakeServices();
    const x = aead(["p1"], CryptoCipher.XChaCha20Poly1305);
    const sealed = x.seal("a=1&b=2", 1795321081346706, "session", svc);
    const opened = x.open(sealed, "session", svc)!;
    expect(opened.plaintext).toBe("a=1&b=2");
    expect(opened.expiry).toBe(1795321081346706);
    // 14-byte header + 24-byte nonce + 7 + 16-byte tag = 61 bytes → 82 base64url characters.
    expect(sealed.length).toBe(82);
    const c = aead(["p1"], CryptoCipher.ChaCha20Poly1305);
    const sealed2 = c.seal("a=1&b=2", 0, "session", svc);
    expect(sealed2.length).toBe(66);
    expect(c.open(sealed2, "session", svc)!.plaintext).toBe("a=1&b=2");
    // Either algorithm opens with the same passphrase, whichever is configured for sealing.
    expect(x.open(sealed2, "session", svc)!.plaintext).toBe("a=1&b=2");
  });

  it("writes the documented header bytes", () => {
    const svc = fakeServices();
    svc.randomByte = 0xa0;
    const raw = base64Decode(aead(["p1"], CryptoCipher.XChaCha20Poly1305).seal("", 0x0102030405060708, "s", svc), true)!;
    expect(raw[0]).toBe(1);
    expect(raw[1]).toBe(1);
    expect(raw[6]).toBe(1);
    expect(raw[13]).toBe(8);
    expect(raw[14]).toBe(0xa0);
    expect(raw.length).toBe(14 + 24 + 16);
  });

  it("refuses any flipped byte", () => {
    const svc = fakeServices();
    const x = aead(["p1"], CryptoCipher.XChaCha20Poly1305);
    const raw = base64Decode(x.seal("user=alice", 1795321081346706, "session", svc), true)!;
    let refused = 0;
    for (let i = 0; i < raw.length; i++) {
      const copy = raw.slice(0);
      copy[i] ^= 0x01;
      if (x.open(base64Encode(copy, true, false), "session", svc) == null) refused++;
    }
    expect(refused).toBe(raw.length);
  });

  it("binds the cookie name", () => {
    const svc = fakeServices();
    const x = aead(["p1"], CryptoCipher.XChaCha20Poly1305);
    const sealed = x.seal("user=alice", 0, "session", svc);
    expect(x.open(sealed, "other", svc) == null).toBe(true);
  });

  it("rotates: first passphrase seals, all open", () => {
    const svc = fakeServices();
    const old = aead(["old"], CryptoCipher.XChaCha20Poly1305).seal("a=1", 0, "session", svc);
    expect(aead(["new", "old"], CryptoCipher.XChaCha20Poly1305).open(old, "session", svc)!.plaintext).toBe("a=1");
    expect(aead(["new"], CryptoCipher.XChaCha20Poly1305).open(old, "session", svc) == null).toBe(true);
  });

  it("drops an expired session through the feature and counts it", () => {
    const svc = fakeServices();
    svc.now = 2000000000000000;
    const s = cryptoSettings(CryptoFormat.Aead, ["p1"]);
    const f = feature(s, svc);
    const sealed = aead(["p1"], CryptoCipher.XChaCha20Poly1305).seal("a=1", 1999999999999999, "session", svc);
    const x = exchange(f, svc, "/", ["session=" + sealed], []);
    expect(x.request.has("x-session")).toBe(false);
    expect(svc.metric("clicktrail.session.expired")).toBe(1);
  });

  it("the authenticated header expiry wins over the plaintext's", () => {
    const svc = fakeServices();
    svc.now = 2000000000000000;
    const f = feature(cryptoSettings(CryptoFormat.Aead, ["p1"]), svc);
    const sealed = aead(["p1"], CryptoCipher.XChaCha20Poly1305).seal("a=1&expiry=9999999999999999", 1999999999999999, "session", svc);
    expect(exchange(f, svc, "/", ["session=" + sealed], []).request.has("x-session")).toBe(false);
  });

  it("a full exchange: the feature seals what it later opens", () => {
    const svc = fakeServices();
    const f = feature(cryptoSettings(CryptoFormat.Aead, ["p1"]), svc);
    const first = exchange(f, svc, "/", [], ["x-replace-session", "user=alice&role=admin"]);
    const value = cookieValue(first.setCookies, "session");
    expect(value.length > 0).toBe(true);
    expect(first.setCookies).toBe("session=" + value + ";path=/");
    const second = exchange(f, svc, "/", ["session=" + value], []);
    expect(all(second.request, "x-session")).toBe("user=alice&role=admin");
  });
});
