// The shared-data key prefix of a plugin that does not configure `session.shared.key_prefix`: derived
// from the plugin's name, so that two clicktrail plugins on one proxy keep apart by default. Envoy keys
// shared data by vm_id alone and Istio sets no vm_id, so every WasmPlugin of a proxy shares one key space;
// istiod names each plugin `<namespace>.<metadata.name>` (docs/deploy.md), which is unique per proxy.
// Envoy's own envoy/envoy.yaml names its plugin `clicktrail`, which keeps the prefix `clicktrail/` the
// store always had; on NGINX the name is the module's (`proxy_wasm clicktrail`), and the part before the
// first `/` of a key names the `shm_kv` zone.
import { escapeUrlencoded } from "../codecs/percent";
import { byteStringToBytes } from "../core/bytes";
import { hexEncode } from "../codecs/hex";
import { sha256 } from "../crypto/sha256";

/** The prefix when neither the configuration nor the host names one. */
export const DEFAULT_KEY_PREFIX = "clicktrail/";

/** The longest key prefix, configured (config/session-shared.ts) or derived. */
export const MAX_KEY_PREFIX_CHARS = 128;

/** Hex characters of the name's SHA-256 kept when a long name is shortened: 64 bits. */
const DIGEST_HEX_CHARS = 16;

/**
 * `<name>/` for the plugin name `name` (a byte string, null when the host has none): the default key
 * prefix. Always 1 to MAX_KEY_PREFIX_CHARS printable ASCII characters without spaces (what
 * `key_prefix` itself accepts), and distinct names always give distinct prefixes:
 *
 * - null or "" → DEFAULT_KEY_PREFIX;
 * - the name is written urlencoded as Apache writes it (codecs/percent.ts: letters, digits and `.-*_` as
 *   they are, space as `+`, every other byte as `%xx`), so Kubernetes names (`[a-z0-9.-]`) are unchanged,
 *   the only `/` is the last character (on NGINX the zone is the whole name) and no two names meet;
 * - a name whose encoding does not fit in MAX_KEY_PREFIX_CHARS - 1 keeps the beginning of its encoding
 *   (never cutting a `%xx` in two), then `~` (which the encoding never writes) and the first 16 hex digits
 *   of the SHA-256 of the whole name: a plain cut would give two names with a common beginning one store.
 */
export function keyPrefixFromPluginName(name: string | null): string {
  if (name == null || name.length == 0) return DEFAULT_KEY_PREFIX;
  // Escaping more than the bound's worth of bytes is useless: the encoding is at least as long.
  const fits = name.length < MAX_KEY_PREFIX_CHARS;
  const encoded = escapeUrlencoded(fits ? name : name.substring(0, MAX_KEY_PREFIX_CHARS));
  if (fits && encoded.length < MAX_KEY_PREFIX_CHARS) return encoded + "/";
  let cut = MAX_KEY_PREFIX_CHARS - 2 - DIGEST_HEX_CHARS;
  if (encoded.charCodeAt(cut - 1) == 0x25) cut -= 1;
  else if (encoded.charCodeAt(cut - 2) == 0x25) cut -= 2;
  const digest = hexEncode(sha256(byteStringToBytes(name))).substring(0, DIGEST_HEX_CHARS);
  return encoded.substring(0, cut) + "~" + digest + "/";
}
