// The `session` section of the configuration: defaults, every key, and errors naming the JSON path.
import { parseConfig } from "../../../assembly/config";
import { CryptoCipher, CryptoFormat } from "../../../assembly/session/settings";

function utf8(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }
function errorsOf(json: string): string { return parseConfig(utf8(json)).errors.join("\n"); }

describe("session configuration", () => {
  it("has Apache's defaults", () => {
    const s = parseConfig(utf8('{"session":{}}')).config!.session!;
    expect(s.cookieName).toBe("session");
    expect(s.cookieAttributes == null).toBe(true);
    expect(s.maxAge).toBe(0);
    expect(s.maxChunks).toBe(9);
    expect(s.upstreamHeader).toBe("");
    expect(s.crypto == null).toBe(true);
  });

  it("reads every key", () => {
    const s = parseConfig(utf8('{"session":{"cookie_name":"sid","cookie_attributes":"path=/;httponly","cookie_remove":true,' +
      '"max_age":300,"expiry_update_interval":60,"absolute_max_age":86400,"include":["/app"],"exclude":["/app/static"],' +
      '"upstream_header":"X-Session","response_header":"X-Replace-Session","max_chunks":3,"store":"cookie",' +
      '"crypto":{"passphrases":["one","two"],"format":"apache","cipher":"aes128"}}}')).config!.session!;
    expect(s.cookieName).toBe("sid");
    expect(s.cookieAttributes!).toBe("path=/;httponly");
    expect(s.cookieRemove).toBe(true);
    expect(s.maxAge).toBe(300);
    expect(s.expiryUpdateInterval).toBe(60);
    expect(s.absoluteMaxAge).toBe(86400);
    expect(s.include.join(",")).toBe("/app");
    expect(s.exclude.join(",")).toBe("/app/static");
    expect(s.upstreamHeader).toBe("x-session");
    expect(s.responseHeader).toBe("x-replace-session");
    expect(s.maxChunks).toBe(3);
    expect(s.crypto!.format).toBe(CryptoFormat.Apache);
    expect(s.crypto!.cipher).toBe(CryptoCipher.Aes128);
    expect(s.crypto!.passphrases.length).toBe(2);
  });

  it("defaults crypto to the aead format with XChaCha20-Poly1305", () => {
    const c = parseConfig(utf8('{"session":{"crypto":{"passphrases":["p"]}}}')).config!.session!.crypto!;
    expect(c.format).toBe(CryptoFormat.Aead);
    expect(c.cipher).toBe(CryptoCipher.XChaCha20Poly1305);
  });

  it("requires passphrases for crypto", () => {
    expect(errorsOf('{"session":{"crypto":{}}}')).toBe("session.crypto.passphrases: at least one passphrase is required to encrypt sessions (the first encrypts, all decrypt)");
    expect(errorsOf('{"session":{"crypto":{"passphrases":[]}}}')).toBe("session.crypto.passphrases: at least one passphrase is required to encrypt sessions (the first encrypts, all decrypt)");
    expect(errorsOf('{"session":{"crypto":{"passphrases":["a",""]}}}')).toBe("session.crypto.passphrases[1]: must not be empty");
  });

  it("names the path of each bad value", () => {
    expect(errorsOf('{"session":{"cookie_name":"a=b"}}')).toBe('session.cookie_name: must be a non-empty cookie name (letters, digits and !#$%\'*+-.^_`|~), got "a=b"');
    expect(errorsOf('{"session":{"cookie_name":"a&b"}}')).toBe('session.cookie_name: must be a non-empty cookie name (letters, digits and !#$%\'*+-.^_`|~), got "a&b"');
    expect(errorsOf('{"session":{"expiry_update_interval":-1}}')).toBe("session.expiry_update_interval: must be between 0 and 2147483647, got -1");
    expect(errorsOf('{"session":{"max_chunks":0}}')).toBe("session.max_chunks: must be between 1 and 16, got 0");
    expect(errorsOf('{"session":{"upstream_header":"x session"}}')).toBe('session.upstream_header: must be an HTTP header name, got "x session"');
    expect(errorsOf('{"session":{"cookie_attributes":"path=/\\r\\nX: y"}}')).toBe("session.cookie_attributes: must be printable ASCII without control characters");
    expect(errorsOf('{"session":{"crypto":{"passphrases":["p"],"format":"apache","cipher":"3des192"}}}')).toBe('session.crypto.cipher: expected one of aes256, aes192, aes128, got "3des192"');
    expect(errorsOf('{"session":{"crypto":{"passphrases":["p"],"cipher":"aes256"}}}')).toBe('session.crypto.cipher: expected one of xchacha20-poly1305, chacha20-poly1305, got "aes256"');
    expect(errorsOf('{"session":{"crypto":{"passphrases":["p"],"salt":"x"}}}')).toBe("session.crypto.salt: unknown key");
    expect(errorsOf('{"session":{"store":"redis"}}')).toBe('session.store: expected one of cookie, shared, etcd, got "redis"');
  });
});
