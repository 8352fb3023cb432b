import { parseConfig } from "../../../assembly/config";
import { CookieStyle, IdFormat } from "../../../assembly/usertrack/settings";

function utf8(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }
function errors(section: string): string { return parseConfig(utf8('{"usertrack":' + section + "}")).errors.join("\n"); }

describe("usertrack configuration", () => {
  it("has Apache's defaults", () => {
    const s = parseConfig(utf8('{"usertrack":{}}')).config!.usertrack!;
    expect(s.cookieName).toBe("Apache");
    expect(s.domain).toBe("");
    expect(s.expires).toBe(0);
    expect(s.style == CookieStyle.Netscape).toBe(true);
    expect(s.sameSite).toBe("");
    expect(s.secure).toBe(false);
    expect(s.httpOnly).toBe(false);
    expect(s.format == IdFormat.Apache).toBe(true);
    expect(s.upstreamHeader).toBe("");
  });
  it("keeps a switched-off section only to strip its upstream header", () => {
    expect(parseConfig(utf8('{"usertrack":{"enabled":false}}')).config!.usertrack == null).toBe(true);
    const s = parseConfig(utf8('{"usertrack":{"enabled":false,"upstream_header":"x-uid"}}')).config!.usertrack!;
    expect(s.enabled).toBe(false);
    expect(s.upstreamHeader).toBe("x-uid");
  });
  it("defaults the name to uid for format nginx", () => {
    const s = parseConfig(utf8('{"usertrack":{"format":"nginx"}}')).config!.usertrack!;
    expect(s.cookieName).toBe("uid");
    expect(s.nginxPath).toBe("/");
    expect(s.nginxVersion).toBe(2);
  });
  it("validates CookieDomain with Apache's messages", () => {
    expect(errors('{"domain":""}')).toBe("usertrack.domain: CookieDomain values may not be null");
    expect(errors('{"domain":"www.example.com"}')).toBe("usertrack.domain: CookieDomain values must begin with a dot");
    expect(errors('{"domain":".com"}')).toBe("usertrack.domain: CookieDomain values must contain at least one embedded dot");
    expect(errors('{"domain":".a.com; secure"}')).toBe("usertrack.domain: must be visible ASCII without ';' or ','");
    expect(errors('{"domain":".example.com"}')).toBe("");
    expect(errors('{"format":"nginx","domain":"example.com"}')).toBe("");
  });
  it("parses CookieExpires with Apache's messages", () => {
    expect(errors('{"expires":"1 xyz"}')).toBe("usertrack.expires: bad expires code, unrecognized type");
    expect(errors('{"expires":"x"}')).toBe("usertrack.expires: bad expires code, numeric value expected.");
    expect(errors('{"expires":"plus 1"}')).toBe("usertrack.expires: bad expires code, missing <type>");
    expect(errors('{"expires":-1}')).toBe("usertrack.expires: must be between 0 and 2147483647, got -1");
    expect(errors('{"expires":1.5}')).toBe("usertrack.expires: expected a number of seconds or a duration such as \"2 weeks 3 days\", got 1.5");
    expect(errors('{"expires":"max"}')).toBe("usertrack.expires: bad expires code, numeric value expected.");
    expect(parseConfig(utf8('{"usertrack":{"expires":"2 weeks"}}')).config!.usertrack!.expires).toBe(1209600);
  });
  it("reads CookieStyle keywords case-insensitively", () => {
    expect(parseConfig(utf8('{"usertrack":{"style":"RFC2965"}}')).config!.usertrack!.style == CookieStyle.Cookie2).toBe(true);
    expect(errors('{"style":"rfc6265"}')).toBe("usertrack.style: Invalid CookieStyle keyword: 'rfc6265'");
    expect(errors('{"format":"nginx","style":"cookie"}')).toBe("usertrack.style: applies only to format \"apache\" (nginx has one Set-Cookie layout)");
  });
  it("checks SameSite, names and headers", () => {
    expect(parseConfig(utf8('{"usertrack":{"same_site":"STRICT"}}')).config!.usertrack!.sameSite).toBe("Strict");
    expect(errors('{"same_site":"always"}')).toBe("usertrack.same_site: CookieSameSite accepts 'Strict', 'Lax', or 'None'");
    expect(errors('{"cookie_name":"a b"}')).toBe("usertrack.cookie_name: \"a b\" is not a cookie name: use letters, digits and !#$%&'*+-.^_`|~");
    expect(errors('{"upstream_header":"x id"}')).toBe("usertrack.upstream_header: \"x id\" is not a header name");
    expect(errors('{"upstream_header":"Cookie"}')).toBe("usertrack.upstream_header: \"cookie\" must not be replaced by the tracking id");
    expect(parseConfig(utf8('{"usertrack":{"upstream_header":"X-Usertrack-Id"}}')).config!.usertrack!.upstreamHeader).toBe("x-usertrack-id");
  });
  it("checks the nginx keys", () => {
    expect(errors('{"nginx_mark":"B"}')).toBe("usertrack.nginx_mark: applies only to format \"nginx\"");
    expect(errors('{"format":"nginx","nginx_mark":"BB"}')).toBe("usertrack.nginx_mark: value must be \"off\" or a single letter, digit or \"=\"");
    expect(errors('{"format":"nginx","nginx_version":3}')).toBe("usertrack.nginx_version: must be between 1 and 2, got 3");
    expect(errors('{"format":"nginx","nginx_service":-1}')).toBe("usertrack.nginx_service: must be between 0 and 4294967295, got -1");
    expect(errors('{"format":"nginx","nginx_path":""}')).toBe("usertrack.nginx_path: must be a non-empty path of visible ASCII without ';' or ','");
    expect(errors('{"format":"nginx","expires":"max","nginx_mark":"off","domain":"none","nginx_p3p":"none"}')).toBe("");
    expect(parseConfig(utf8('{"usertrack":{"format":"nginx","expires":"365d"}}')).config!.usertrack!.expires).toBe(31536000);
    expect(parseConfig(utf8('{"usertrack":{"format":"nginx","expires":"1h 30"}}')).config!.usertrack!.expires).toBe(3630);
    expect(parseConfig(utf8('{"usertrack":{"format":"nginx","expires":"2 weeks"}}')).config!.usertrack!.expires).toBe(1209600);
    expect(parseConfig(utf8('{"usertrack":{"format":"nginx","expires":"max"}}')).config!.usertrack!.expiresMax).toBe(true);
    expect(errors('{"format":"nginx","expires":"soon"}')).toBe("usertrack.expires: invalid value \"soon\": expected nginx time (\"365d\", \"12h 30m\"), an Apache duration (\"2 weeks\"), \"max\" or \"off\", at most 2147483647 seconds");
    expect(errors('{"format":"ngnix"}')).toBe("usertrack.format: expected one of apache, nginx, got \"ngnix\"");
    expect(errors('{"cookie":"x"}')).toBe("usertrack.cookie: unknown key");
  });
});
