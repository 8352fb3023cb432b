// One HTML exchange through a proxy-wasm filter in the project's host (dist/host): a GET for `path`, a
// 200 text/html response whose body arrives as `parts`; returns the body the client would get.
export function htmlExchange(host, parts, path) {
  const s = host.newStream({});
  s.sendRequestHeaders([[":method", "GET"], [":path", path], [":authority", "example.com"], [":scheme", "http"]], { endOfStream: true });
  s.sendResponseHeaders([[":status", "200"], ["content-type", "text/html"]], { endOfStream: false });
  for (let i = 0; i < parts.length; i++) s.sendResponseBody(parts[i], { endOfStream: i === parts.length - 1 });
  const body = s.responseBody;
  s.complete();
  return body;
}
