import { findPathSession, stripRefererSession, captureFriend, refererHost } from "../../../assembly/clickpath/request";
import { FriendlySession, FriendlyStatement } from "../../../assembly/clickpath/settings";
import { parseStatement } from "../../../assembly/config/clickpath";

function found(path: string): string {
  const f = findPathSession(path, "-S:");
  return f == null ? "(none)" : f.id + " " + f.path;
}

describe("session segment in the path", () => {
  it("finds and strips it, keeping the query", () => {
    expect(found("/-S:abc/a/b.html?x=1")).toBe("abc /a/b.html?x=1");
    expect(found("//-S:abc/")).toBe("abc /");
    expect(found("/-S:a:b,c/x")).toBe("a:b,c /x");
  });
  it("requires the trailing slash and a non-empty id", () => {
    expect(found("/-S:abc")).toBe("(none)");
    expect(found("/-S:abc?x=/y/")).toBe("(none)");
    expect(found("/-S:/x")).toBe("(none)");
    expect(found("/x/-S:abc/")).toBe("(none)");
    expect(found("-S:abc/")).toBe("(none)");
    expect(found("/-s:abc/")).toBe("(none)");
  });
});

describe("Referer cleaning", () => {
  it("removes a session right after the origin", () => {
    expect(stripRefererSession("http://h/-S:x/index.html", "-S:", true)).toBe("http://h/index.html");
    expect(stripRefererSession("http://h//-S:x/index.html", "-S:", true)).toBe("http://h/index.html");
    expect(stripRefererSession("http://h//-S:x/index.html", "-S:", false)).toBe("http://h//-S:x/index.html");
    expect(stripRefererSession("http://h/-S:x", "-S:", false)).toBe("http://h");
    expect(stripRefererSession("http://h/a/-S:x/", "-S:", true)).toBe("http://h/a/-S:x/");
    expect(stripRefererSession("garbage", "-S:", true)).toBe("garbage");
  });
});

describe("friendly sessions", () => {
  it("captures the observed example of §2.6", () => {
    const f = new FriendlySession("param.friendly.org", [parseStatement("param(ld)")!, parseStatement(" param ( id ) ")!], "f");
    const ref = "https://param.friendly.org/cgi-bin/x.pl?a=b;id=8a/b#9&ld=25";
    expect(refererHost(ref)!).toBe("param.friendly.org");
    const c = captureFriend(ref, f);
    expect(c.remote).toBe("ld=25\nid=8a/b#9");
    expect(c.idPart).toBe("f,ld*.25!id*.8a*xb*y9");
  });
  it("reads uri(N) with index 0 the empty string before the leading slash", () => {
    const f = new FriendlySession("p", [parseStatement("uri(0)")!, parseStatement("uri(1)")!, parseStatement("uri(2)")!, parseStatement("uri(9)")!], "p");
    expect(captureFriend("http://p//sess123//x.pl?q", f).remote).toBe("\nsess123\nx.pl\n");
  });
  it("later parameters win, missing ones are empty", () => {
    const f = new FriendlySession("p", [parseStatement("param(a)")!, parseStatement("param(z)")!], "p");
    expect(captureFriend("http://p/x?a=1&a=2;=3", f).remote).toBe("a=2\nz=");
  });
  it("statement syntax", () => {
    expect(parseStatement("uri(x)") == null).toBe(true);
    expect(parseStatement("param()") == null).toBe(true);
    expect(parseStatement("cookie(a)") == null).toBe(true);
    expect(parseStatement("uri( 3 )")!.uriIndex).toBe(3);
  });
  it("needs scheme://host/", () => {
    expect(refererHost("http://p") == null).toBe(true);
    expect(refererHost("p/x") == null).toBe(true);
    expect(refererHost("http://p:8080/x")!).toBe("p:8080");
  });
});
