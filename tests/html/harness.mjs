// Loads build/html-test.wasm (npm run build:html-test) and wraps its exports for the Node tests and the
// benchmark: bytes in, bytes out, with pinning so the incremental GC cannot move anything under us.
import { readFileSync } from "node:fs";
import loader from "@assemblyscript/loader";

const root = new URL("../..", import.meta.url).pathname;
export const wasmPath = `${root}build/html-test.wasm`;

export async function loadHtml(path = wasmPath) {
  const { exports } = await loader.instantiate(readFileSync(path), {});
  const { __newArray, __newString, __getUint8Array, __pin, __unpin } = exports;
  const U8 = exports.UINT8ARRAY_ID.value ?? exports.UINT8ARRAY_ID;

  const withBytes = (bytes, fn) => {
    const ptr = __pin(__newArray(U8, bytes));
    try { return fn(ptr); } finally { __unpin(ptr); }
  };
  const withString = (s, fn) => {
    if (s === null) return fn(0);
    const ptr = __pin(__newString(s));
    try { return fn(ptr); } finally { __unpin(ptr); }
  };

  const api = {
    exports,
    create(maxCarryBytes = 4096) { exports.create(maxCarryBytes); },
    setFixedEdit(start, end, insert) { withString(insert, (p) => exports.setFixedEdit(start, end, p)); },
    resetUrls() { exports.resetUrls(); },
    setLogging(on) { exports.setLogging(on ? 1 : 0); },
    setEverywhere(on) { exports.setEverywhere(on ? 1 : 0); },
    setPrefix(prefix) { withString(prefix, (p) => exports.setPrefix(p)); },
    push(bytes, eos) { return Buffer.from(withBytes(bytes, (p) => __getUint8Array(exports.push(p, eos ? 1 : 0)))); },
    carryOverflows() { return exports.carryOverflows(); },
    carryCapacity() { return exports.carryCapacity(); },
    /** [{kind, value, base}] as Buffers/null, what the UrlRewriter was asked since the last call. */
    takeLog() {
      const b = Buffer.from(__getUint8Array(exports.takeLog()));
      const calls = [];
      let i = 0;
      while (i < b.length) {
        const kind = b.readInt32LE(i); i += 4;
        const vl = b.readInt32LE(i); i += 4;
        const value = b.subarray(i, i + vl); i += vl;
        const bl = b.readInt32LE(i); i += 4;
        let base = null;
        if (bl >= 0) { base = b.subarray(i, i + bl); i += bl; }
        calls.push({ kind, value: value.toString("latin1"), base: base && base.toString("latin1") });
      }
      return calls;
    },
    /** Rewrites a whole document split by `splits` (array of chunk lengths, or a chunk size). */
    rewrite(input, chunking = 0, cap = 4096) {
      exports.create(cap);
      const parts = [];
      const n = input.length;
      if (!chunking) {
        parts.push(api.push(input, true));
      } else {
        let i = 0;
        let k = 0;
        while (i < n) {
          const size = Array.isArray(chunking) ? chunking[k++ % chunking.length] : chunking;
          const end = Math.min(n, i + Math.max(1, size));
          parts.push(api.push(input.subarray(i, end), end === n));
          i = end;
        }
        if (n === 0) parts.push(api.push(input, true));
      }
      return Buffer.concat(parts);
    },
    /** Start tags reported by the tokenizer-only mode: [{name, attrs: [[name, value]...], selfClosing}]. */
    tokenize(input, initialState = 0, lastStartTag = "", chunkSize = 0) {
      const out = withBytes(input, (p) => withString(lastStartTag, (s) => __getUint8Array(exports.tokenize(p, initialState, s, chunkSize))));
      return parseReport(Buffer.from(out));
    },
    tokenizeDocument(input, chunkSize = 0) {
      const out = withBytes(input, (p) => __getUint8Array(exports.tokenizeDocument(p, chunkSize)));
      return parseReport(Buffer.from(out));
    },
    isHtml(ct) { return !!withString(ct, (p) => exports.isHtml(p)); },
    isIdentity(ce) { return !!withString(ce, (p) => exports.isIdentity(p)); },
  };
  return api;
}

function parseReport(b) {
  const tags = [];
  let i = 0;
  const str = () => { const n = b.readUInt32LE(i); i += 4; const s = b.subarray(i, i + n).toString("utf8"); i += n; return s; };
  while (i < b.length) {
    const name = str();
    const count = b.readUInt32LE(i); i += 4;
    const attrs = [];
    for (let k = 0; k < count; k++) attrs.push([str(), str()]);
    const selfClosing = b[i++] === 1;
    tags.push({ name, attrs, selfClosing });
  }
  return tags;
}

export const InitialState = { Data: 0, Rcdata: 1, Rawtext: 2, ScriptData: 3, Plaintext: 4, CdataSection: 5 };
export const LinkKind = { AnchorHref: 0, FormAction: 1, FrameSrc: 2, MetaRefresh: 3, BaseHref: 4, FormActionOverride: 5 };
