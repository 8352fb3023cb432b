import { parseConfig } from "../../assembly/config";
import { checkJsonSyntax } from "../../assembly/config/json";

function utf8(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }

function errorsOf(json: string): string {
  return parseConfig(utf8(json)).errors.join("\n");
}

describe("configuration funnel", () => {
  it("accepts an empty configuration as every feature off", () => {
    const r = parseConfig(utf8(""));
    expect(r.ok).toBe(true);
    expect(r.config!.usertrack == null).toBe(true);
    expect(parseConfig(utf8(" {} \n")).ok).toBe(true);
  });

  it("enables a section by its presence and disables it with enabled=false", () => {
    expect(parseConfig(utf8('{"usertrack":{}}')).config!.usertrack != null).toBe(true);
    expect(parseConfig(utf8('{"usertrack":{"enabled":false}}')).config!.usertrack == null).toBe(true);
  });

  it("names the JSON path of a wrongly typed value", () => {
    expect(errorsOf('{"usertrack":{"enabled":"yes"}}')).toBe('usertrack.enabled: expected true or false, got the string "yes"');
  });

  it("rejects unknown keys at every level", () => {
    expect(errorsOf('{"usertrak":{}}')).toBe("usertrak: unknown key");
  });

  it("rejects a non-object root", () => {
    expect(errorsOf("[1]")).toBe("(root): expected an object with the sections usertrack, clickpath, session; got an array");
  });
});

describe("JSON syntax check", () => {
  it("reports line and column", () => {
    expect(checkJsonSyntax(utf8('{\n  "a": 1,\n  "b" 2\n}'))!.message).toBe("invalid JSON at line 3, column 7: expected ':' after a key");
    expect(checkJsonSyntax(utf8('{"a":1}x'))!.message).toBe("invalid JSON at line 1, column 8: unexpected text after the JSON value");
    expect(checkJsonSyntax(utf8('{"a":"\\q"}'))!.message).toBe("invalid JSON at line 1, column 8: bad escape in a string");
    expect(checkJsonSyntax(utf8('{"a":01}'))!.message).toBe("invalid JSON at line 1, column 7: expected ',' or '}' in an object");
    expect(checkJsonSyntax(utf8('{"a":1,"a":2}'))!.message).toBe("invalid JSON at line 1, column 8: duplicate key \"a\"");
  });

  it("bounds nesting", () => {
    let deep = "";
    for (let i = 0; i < 70; i++) deep += "[";
    expect(checkJsonSyntax(utf8(deep))!.message).toBe("invalid JSON at line 1, column 65: nested deeper than 64 levels");
  });

  it("accepts every JSON value kind", () => {
    expect(checkJsonSyntax(utf8('{"a":[1,-2.5e+3,true,false,null,"x\\u00e9\\n"],"b":{}}')) == null).toBe(true);
  });
});
