import { parseConfig } from "../../../assembly/config";

function errorsOf(json: string): string {
  return parseConfig(Uint8Array.wrap(String.UTF8.encode(json))).errors.join("\n");
}

describe("clickpath configuration", () => {
  it("defaults", () => {
    const c = parseConfig(Uint8Array.wrap(String.UTF8.encode('{"clickpath":{}}'))).config!.clickpath!;
    expect(c.prefix).toBe("-S:");
    expect(c.maxSessionAge).toBe(0);
    expect(c.machine == null).toBe(true);
    expect(c.upstreamHeaderPrefix).toBe("x-clickpath-");
    expect(c.stripAcceptEncoding).toBe(true);
    expect(c.maxTagBytes).toBe(8192);
    expect(c.referrerPolicy).toBe("");
  });
  it("the DESIGN.md example is accepted", () => {
    expect(errorsOf('{"clickpath":{"enabled":true,"prefix":"-S:","max_session_age":18000,' +
      '"ua_exceptions":[{"name":"Google","pattern":"Googlebot"}],' +
      '"friendly_sessions":[{"host":"partner.example","fields":["uri(1)","param(id)"],"name":"p"}],' +
      '"machine":"A","machine_table":[{"address":"10.0.0.1","name":"A","store":"http://10.0.0.1/store"}],' +
      '"secrets":["0123456789abcdef"],"upstream_header_prefix":"x-clickpath-"}}')).toBe("");
  });
  it("names the offending ua_exceptions pattern", () => {
    expect(errorsOf('{"clickpath":{"ua_exceptions":[{"name":"ok","pattern":"a"},{"name":"bad","pattern":"a("}]}}'))
      .toBe("clickpath.ua_exceptions[1].pattern: unmatched ( at 1");
  });
  it("rejects bad values with their paths", () => {
    expect(errorsOf('{"clickpath":{"prefix":"a/b"}}')).toBe('clickpath.prefix: "a/b" has a character that cannot stand unencoded in a URL path segment');
    expect(errorsOf('{"clickpath":{"prefix":""}}')).toBe("clickpath.prefix: must not be empty");
    expect(errorsOf('{"clickpath":{"max_session_age":-1}}')).toBe("clickpath.max_session_age: must be between 0 and 4294967295, got -1");
    expect(errorsOf('{"clickpath":{"machine":"a.b"}}')).toBe('clickpath.machine: expected letters, digits and "_" only (may be empty)');
    expect(errorsOf('{"clickpath":{"machine":"Z","machine_table":[{"address":"10.0.0.1","name":"A"}]}}'))
      .toBe('clickpath.machine: "Z" is not a name in machine_table: ids it issues would be refused');
    expect(errorsOf('{"clickpath":{"machine_table":[{"address":"10.0.0.1","name":"A"},{"address":"10.0.0.2","name":"A"}]}}'))
      .toBe('clickpath.machine_table[1].name: "A" is used twice');
    expect(errorsOf('{"clickpath":{"secrets":["short"]}}')).toBe("clickpath.secrets[0]: a secret needs at least 16 bytes");
    expect(errorsOf('{"clickpath":{"friendly_sessions":[{"host":"p","fields":["uri(1)","cookie(x)"]}]}}'))
      .toBe('clickpath.friendly_sessions[0].fields[1]: expected uri(N) or param(name), got "cookie(x)"');
    expect(errorsOf('{"clickpath":{"friendly_sessions":[{"host":"p"}]}}'))
      .toBe("clickpath.friendly_sessions[0].fields: expected at least one of uri(N) or param(name)");
    expect(errorsOf('{"clickpath":{"referrer_policy":"nope"}}')).toBe("clickpath.referrer_policy: expected one of no-referrer, no-referrer-when-downgrade, origin, origin-when-cross-origin, same-origin, strict-origin, strict-origin-when-cross-origin, unsafe-url, got \"nope\"");
    expect(errorsOf('{"clickpath":{"upstream_header_prefix":"x y"}}')).toBe('clickpath.upstream_header_prefix: expected a non-empty header-name prefix (letters, digits, "-", "_")');
    expect(errorsOf('{"clickpath":{"ua_exceptions":[{"name":"","pattern":"x","extra":1}]}}'))
      .toBe("clickpath.ua_exceptions[0].name: expected a non-empty name of printable ASCII characters\nclickpath.ua_exceptions[0].extra: unknown key");
    expect(errorsOf('{"clickpath":{"max_tag_bytes":10}}')).toBe("clickpath.max_tag_bytes: must be between 256 and 1048576, got 10");
  });
  it("machine table names default to the row number", () => {
    const c = parseConfig(Uint8Array.wrap(String.UTF8.encode('{"clickpath":{"machine_table":[{"address":"a"},{"address":"b"}]}}'))).config!.clickpath!;
    expect(c.machineTable[1].name).toBe("2");
  });
});
