// Sessions bigger than one cookie: split across NAME, NAME_2 … (max_chunks), read back whole, surplus
// chunks expired when the session shrinks, refused loudly when even max_chunks are not enough.
import { SessionSettings } from "../../../assembly/session/settings";
import { MAX_COOKIE_BYTES, splitIntoChunks } from "../../../assembly/session/cookie-backend";
import { all, exchange, FakeServices, fakeServices, feature } from "./fakes";

function settings(): SessionSettings {
  const s = new SessionSettings();
  s.cookieName = "s";
  s.cookieAttributes = "path=/";
  s.upstreamHeader = "x-session";
  s.responseHeader = "x-replace-session";
  s.maxChunks = 4;
  return s;
}

/** The request Cookie header a browser would send back for these Set-Cookie lines. */
function cookieHeader(setCookies: string[]): string {
  const parts = new Array<string>();
  for (let i = 0; i < setCookies.length; i++) {
    const line = setCookies[i];
    const semi = line.indexOf(";");
    if (line.substring(0, semi).endsWith("=")) continue; // an expiring cookie
    parts.push(line.substring(0, semi));
  }
  return parts.join("; ");
}

describe("chunking", () => {
  it("splits a session above 4096 bytes, each cookie within the limit, and reads it back", () => {
    const svc = fakeServices();
    const f = feature(settings(), svc);
    const big = "x".repeat(9000);
    const first = exchange(f, svc, "/", [], ["x-replace-session", "k=" + big]);
    const lines = first.response.getAll("set-cookie");
    expect(lines.length).toBe(3);
    expect(lines[0].startsWith("s=~3~k=xxx")).toBe(true);
    expect(lines[1].startsWith("s_2=xxx")).toBe(true);
    expect(lines[2].startsWith("s_3=xxx")).toBe(true);
    for (let i = 0; i < lines.length; i++) {
      expect(lines[i].length <= MAX_COOKIE_BYTES).toBe(true);
      expect(lines[i].endsWith(";path=/")).toBe(true);
    }
    const second = exchange(f, svc, "/", [cookieHeader(lines)], []);
    expect(second.request.get("x-session")!).toBe("k=" + big);
  });

  it("expires chunks the shrunken session no longer needs", () => {
    const svc = fakeServices();
    const f = feature(settings(), svc);
    const lines = exchange(f, svc, "/", [], ["x-replace-session", "k=" + "x".repeat(9000)]).response.getAll("set-cookie");
    const shrink = exchange(f, svc, "/", [cookieHeader(lines)], ["x-replace-session", "k=small"]);
    expect(shrink.setCookies).toBe("s=k=small;path=/ | s_2=;Max-Age=0;path=/ | s_3=;Max-Age=0;path=/");
    const gone = exchange(f, svc, "/", [cookieHeader(lines)], ["x-replace-session", "k="]);
    expect(gone.setCookies).toBe("s=;Max-Age=0;path=/ | s_2=;Max-Age=0;path=/ | s_3=;Max-Age=0;path=/");
  });

  it("a missing chunk makes the session unusable, not garbled", () => {
    const svc = fakeServices();
    const f = feature(settings(), svc);
    const lines = exchange(f, svc, "/", [], ["x-replace-session", "k=" + "x".repeat(9000)]).response.getAll("set-cookie");
    const partial = cookieHeader([lines[0], lines[2]]);
    const x = exchange(f, svc, "/", [partial], []);
    expect(x.request.has("x-session")).toBe(false);
    expect(svc.metric("clicktrail.session.decode_failures")).toBe(1);
    expect(svc.logLines.join("\n")).toBe("clicktrail: session: cookie s_2 (chunk 2 of 3) is missing; an empty session was started");
  });

  it("refuses (and logs) a session larger than max_chunks cookies; the client keeps its old one", () => {
    const svc = fakeServices();
    const s = settings();
    s.maxChunks = 2;
    const f = feature(s, svc);
    const x = exchange(f, svc, "/", ["s=k=old"], ["x-replace-session", "k=" + "x".repeat(9000)]);
    expect(x.setCookies).toBe("");
    expect(svc.logLines.join("\n")).toBe("clicktrail: session: the session (9002 bytes encoded) does not fit in 2 cookie(s) of 4096 bytes (session.max_chunks); it was not saved");
    expect(svc.metric("clicktrail.session.saved")).toBe(0);
  });

  it("max_chunks 1 never splits", () => {
    expect(splitIntoChunks("x".repeat(5000), "s", "path=/", 1) == null).toBe(true);
  });

  it("cookie_remove also hides chunk cookies from the upstream", () => {
    const svc = fakeServices();
    const s = settings();
    s.cookieRemove = true;
    const f = feature(s, svc);
    const lines = exchange(f, svc, "/", [], ["x-replace-session", "k=" + "x".repeat(9000)]).response.getAll("set-cookie");
    const x = exchange(f, svc, "/", ["a=1; " + cookieHeader(lines) + "; s_9=other; b=2"], []);
    expect(all(x.request, "cookie")).toBe("a=1; s_9=other; b=2");
    expect(x.request.get("x-session")!.length).toBe(9002);
  });
});
