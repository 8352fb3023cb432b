// Documentation-only prose for the key tables of docs/configuration.md, keyed by JSON path: what a reader of
// the reference needs beyond a key's row (assembly/config/keys/*.ts gives its type, default, range, Apache
// directive and one-line description, which the generated table shows first). scripts/schema.mjs joins the
// two; tests/deploy/schema-keys.test.mjs checks that every path here is a key of the tables.
export const NOTES = {
  "usertrack.enabled":
    "nginx: `userid on\\|off`",
  "usertrack.cookie_name":
    "nginx: `userid_name`",
  "usertrack.domain":
    "nginx: `userid_domain` (any name; `\"none\"` = no attribute)",
  "usertrack.expires":
    "nginx: `userid_expires` — nginx time (`\"365d\"`, `\"12h 30m\"`), `\"max\"`, `\"off\"`, or an Apache duration",
  "usertrack.style":
    "nginx: — (format apache only)",
  "usertrack.same_site":
    "nginx: `userid_flags samesite=…` (written `samesite=lax`)",
  "usertrack.secure":
    "nginx: `userid_flags secure`",
  "usertrack.http_only":
    "nginx: `userid_flags httponly`",
  "usertrack.upstream_header":
    "nginx: (`$uid_got`/`$uid_set`)",
  "usertrack.nginx_version":
    "nginx: `userid v1` (1) / `userid on` (2)",
  "usertrack.nginx_service":
    "nginx: `userid_service`",
  "usertrack.nginx_mark":
    "nginx: `userid_mark`",
  "usertrack.nginx_path":
    "nginx: `userid_path`",
  "usertrack.nginx_p3p":
    "nginx: `userid_p3p`",
  "clickpath.enabled":
    "`false` turns the feature off.",
  "clickpath.prefix":
    "Written after the leading `/`: URLs look like `/-S:<id>/path`. Case-sensitive; only characters that can stand unencoded in a path segment.",
  "clickpath.max_session_age":
    "A session older than this is replaced (`x-clickpath-expired-session`). `0` = no limit. Ids created in the future are always replaced.",
  "clickpath.mode":
    "`\"url\"`: Apache2::ClickPath's behaviour, the id in every URL. `\"cookie_first\"`: the id also goes into a cookie, and once the browser sends it back URLs are no longer rewritten (see [Mode cookie_first](#mode-cookie_first)). Any letter case.",
  "clickpath.cookie":
    "Mode `cookie_first` only: the cookie carrying the id.",
  "clickpath.clean_urls":
    "Mode `cookie_first` only: a `GET` or `HEAD` whose cookie holds a valid id and whose URL still carries a session segment is answered with `307` to the URL without it.",
  "clickpath.ua_exceptions":
    "Ordered; the first pattern (Perl syntax, linear-time engine, unanchored) matching the User-Agent wins: no session, no rewriting, `x-clickpath-session` = the name. Checked only when a session would be created.",
  "clickpath.friendly_sessions":
    "When a new session starts from a Referer whose host (with port) is `host`, each field (`uri(N)`: N-th path segment, 0 is the empty one before the first `/`; `param(k)`: `k=value` from the query) becomes a line of the remote session, stored in the id under `name` (default: `host`). An id may be at most 1024 bytes (it is copied into every link): a remote session that would make it longer starts a plain session instead (info log).",
  "clickpath.machine":
    "The machine part of new ids. Absent: the `machine_table` row of the local address, else the local IPv4 address in ClickPath's base64 form. With a table, it must be one of its names.",
  "clickpath.machine_table":
    "The cluster. `address`: the proxy's local IP; `name`: default the 1-based row number; `store`: optional address sent as `x-clickpath-machine-store`. With a table, ids naming another machine are invalid.",
  "clickpath.secrets":
    "Ids are signed (HMAC-SHA256, 80-bit tag). The first secret signs, all verify (rotation). With secrets, unsigned ids are invalid.",
  "clickpath.upstream_header_prefix":
    "Names of the headers sent upstream (below). Any client-sent header starting with it is removed first.",
  "clickpath.strip_accept_encoding":
    "Remove `Accept-Encoding` from requests that get a session, so HTML comes back uncompressed and can be rewritten.",
  "clickpath.max_tag_bytes":
    "Cap on a partial tag carried between body chunks; beyond it the tag passes unrewritten and `carry_overflows` counts.",
  "clickpath.referrer_policy":
    "Added to rewritten HTML responses that have none (URL ids leak through Referer).",
  "clickpath.cookie.name":
    "The cookie's name.",
  "clickpath.cookie.path":
    "`Path` attribute.",
  "clickpath.cookie.domain":
    "`Domain` attribute; absent: a host-only cookie.",
  "clickpath.cookie.same_site":
    "`SameSite` attribute (`none` needs `secure`: browsers drop such cookies otherwise).",
  "clickpath.cookie.secure":
    "`Secure` attribute. Chromium accepts it from `http://127.0.0.1` (tests/browser relies on that); a site served over plain HTTP elsewhere needs `false`, or browsers drop the cookie and sessions stay in URLs.",
  "clickpath.cookie.http_only":
    "`HttpOnly` attribute.",
  "session.enabled":
    "",
  "session.cookie_name":
    "The cookie holding the session (and `NAME_2` … for chunks).",
  "session.cookie_attributes":
    "Appended verbatim after `Max-Age=N;`. Apache's own syntax: `;`-separated, no spaces needed.",
  "session.cookie_remove":
    "Cut the session cookie(s) out of the `Cookie` headers before the upstream sees them.",
  "session.max_age":
    "Each save moves the expiry to now + max_age; the cookie gets `Max-Age`. With it, every response in scope carries a Set-Cookie (see below).",
  "session.expiry_update_interval":
    "Skip rewriting an unchanged session while its expiry would move by less than this.",
  "session.absolute_max_age":
    "Hard limit from the session's creation that renewal cannot extend. The creation time is stored in the session as the reserved key `_created`. Meaningful against clients only with `crypto`.",
  "session.include":
    "Path prefixes (plain, case-sensitive byte prefixes of the decoded path, no query) where the session is active.",
  "session.exclude":
    "Prefixes where it is not; wins over `include`.",
  "session.upstream_header":
    "Request header carrying the decoded (urlencoded, never encrypted) session to the upstream. A client-sent header of this name is **always** removed (CVE-2018-1283). Omitted when the session is empty.",
  "session.response_header":
    "Response header whose urlencoded pairs are merged into the session (empty value deletes a key). Always removed before the client sees the response.",
  "session.max_chunks":
    "Cookies one session may span (4 096 bytes each); 1 never splits.",
  "session.store":
    "Where the session lives. `\"shared\"` is configured under `session.shared`, `\"etcd\"` under `session.etcd` (see those sections).",
  "session.crypto":
    "Encrypts the session; see below.",
  "session.crypto.passphrases":
    "The first encrypts, every one decrypts (rotation: put the new one first, drop the old one after the longest session lifetime). Never generated by the filter.",
  "session.crypto.format":
    "`\"aead\"`: clicktrail's XChaCha20-Poly1305 format. `\"apache\"`: mod_session_crypto's exact cookie, readable and writable by Apache 2.4.25+.",
  "session.crypto.cipher":
    "Apache's `3des192` is not offered.",
  "session.shared.key_prefix":
    "Put in front of every shared-data key. Shared data is keyed only by vm_id, and Istio sets no vm_id, so every Wasm plugin on a proxy shares one key space; two clicktrail plugins keep apart only by their prefixes. Unset (or `null`), the prefix is the plugin's name as the host reports it (`plugin_name`) followed by `/`: `clicktrail/` for `envoy/envoy.yaml`'s plugin `clicktrail` and the dev proxy, `default.shop/` for the WasmPlugin `shop` in namespace `default` (istiod names the filter `<namespace>.<name>`), the module's name on NGINX, and `clicktrail/` when the host names none. See \"The default key prefix\" below. A configured `key_prefix` always wins. On NGINX the part before the first `/` names the `shm_kv` zone (see below).",
  "session.shared.capacity":
    "Slots in the table: the most sessions alive at once, and the most keys the store ever creates (`prefix` + 4 characters each). Lowering it later leaves the keys of the dropped slots in shared data until the proxy restarts (the ABI cannot delete).",
  "session.shared.grace_seconds":
    "When a session's data changes it gets a new key (as `mod_session_dbd` does, defeating session fixation); the key it had before keeps opening the session for this long, so requests already in flight with it neither lose the session nor lose their own changes. A holder of the previous key is never told the new one, and after the grace period the previous key is worthless. With 0, two concurrent requests that both change the session lose the second one's change. Only the key before the last change is kept.",
  "session.shared.idle_timeout_seconds":
    "Lifetime of a session that has no expiry of its own (`max_age` 0), counted from its last use (a read more than half-way through the period pushes it back). Sessions with `max_age` live exactly as long as their expiry says.",
  "session.shared.when_full":
    "What creating a session does when none of the slots it read is free or expired (see `probes`). `refuse`: no session is created; the request goes on with an empty session and no Set-Cookie, and `clicktrail.session.store.full` counts it. `evict_oldest`: of the live sessions it read, the one written least recently (last change, expiry renewal or idle refresh) is overwritten by the new one, whose owner finds an empty session next time; counted in `.full` and `.evicted`. The eviction is approximate by design (the oldest of a sample, as Redis's LRU): finding the globally oldest would mean reading every slot.",
  "session.shared.sweep_slots_per_tick":
    "Slots each worker examines per tick when reclaiming expired sessions: the bound on the sweep's work. Expired slots are reusable at once anyway; the sweep shrinks them to a 4-byte free marker (returning their memory), feeds free slots to `create`, and publishes `entries_in_use`.",
  "session.shared.sweep_period_millis":
    "Tick period. A full pass over the table by one worker takes `ceil(capacity / sweep_slots_per_tick)` ticks; an expired session's bytes are gone at most that long after its expiry.",
  "session.shared.probes":
    "Bounds the search for a free slot: a create reads at most 2 × `probes` slots — first slots this worker's sweep found free and the slots after the one it claimed last (a ring: while the table fills they were never written, and with sessions of one lifetime they hold the oldest sessions), then `probes` random slots. When the table is mostly live with sessions of mixed lifetimes, a create at fill ratio f finds nothing with probability about f^`probes`: size `capacity` well above the peak of live sessions.",
  "session.shared.cas_retries":
    "Extra attempts of a read-modify-write after another worker changed the same session in between; each attempt re-applies this request's changes to what it reads. When they run out the request's changes are dropped and a warning is logged.",
  "session.shared.max_value_bytes":
    "Largest stored session (encoded, sealed when crypto is on). Larger sessions are not saved (`.too_large`, warning). Shared memory is bounded by `capacity × (72 + max_value_bytes + key length)`.",
  "session.etcd.cluster":
    "The Envoy cluster of the etcd members.",
  "session.etcd.key_prefix":
    "Put in front of every etcd key.",
  "session.etcd.timeout_ms":
    "Each callout's timeout.",
  "session.etcd.cas_retries":
    "Extra attempts of a write whose compare-and-swap lost (another request changed the session) or whose outcome was unknown.",
  "session.etcd.on_unavailable":
    "When the session cannot be read (etcd unreachable, timing out, without quorum, answering nonsense): `\"refuse\"` answers `503` with `Retry-After: 1` and never reaches the upstream; `\"empty\"` goes on with an empty session that is never saved.",
  "session.etcd.grace_seconds":
    "How long the key of a session before its last change still opens it (requests in flight with the old cookie).",
  "session.etcd.idle_timeout_seconds":
    "Lifetime, from its last save, of a session without `max_age`.",
  "session.etcd.max_value_bytes":
    "Largest session (encoded, possibly encrypted) stored; a larger one is not saved.",
};
