// The floor under clicktrail's per-request cost in a host: the same host calls a steady-state request makes
// (bench/envoy.mjs request --floor lists them from the project's host: two header-map reads, the request
// map written back whole, a response header added, three filter-state values, three counters, two clock
// reads), with every value computed beforehand and handed over in the plugin configuration, and no other
// work. What Envoy spends on this filter is what it would spend on a clicktrail whose own code took no time:
// the part of (2)−(0) that making the module faster cannot remove.
//
// Configuration, one item per line (values are what the real filter produced for the same visitor):
//   P <path>          the request's new :path
//   D <name>          a request header to drop
//   H <name> <value>  a request header to append
//   S <name> <value>  a filter-state value to set
//   R <name> <value>  a response header to add
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy";
import { RootContext, Context, registerRootContext, FilterHeadersStatusValues } from "@gcoredev/proxy-wasm-sdk-as/assembly";
import * as imports from "@gcoredev/proxy-wasm-sdk-as/assembly/imports";
import { free } from "@gcoredev/proxy-wasm-sdk-as/assembly/malloc";
import { clock_time_get } from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

const REQUEST_HEADERS = 0;
const RESPONSE_HEADERS = 2;
const slot = memory.data(8);
const retPtr = memory.data(8);
const retLen = memory.data(8);
const idSlot = memory.data(8);

let newPath = new ArrayBuffer(0);
const dropped: ArrayBuffer[] = [];
const appendNames: ArrayBuffer[] = [];
const appendValues: ArrayBuffer[] = [];
const stateNames: ArrayBuffer[] = [];
const stateValues: ArrayBuffer[] = [];
const responseNames: ArrayBuffer[] = [];
const responseValues: ArrayBuffer[] = [];
const counters: u32[] = [];
let out = new ArrayBuffer(65536);

function bytesEqual(a: usize, n: usize, b: ArrayBuffer): bool {
  return n == <usize>b.byteLength && memory.compare(a, changetype<usize>(b), n) == 0;
}

class FloorRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new FloorStream(context_id, this);
  }
  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    const lines = this.getConfiguration().split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.length < 2) continue;
      const rest = line.substring(2);
      const sp = rest.indexOf(" ");
      const name = String.UTF8.encode(sp < 0 ? rest : rest.substring(0, sp));
      const value = String.UTF8.encode(sp < 0 ? "" : rest.substring(sp + 1));
      const kind = line.charAt(0);
      if (kind == "P") newPath = String.UTF8.encode(rest);
      else if (kind == "D") dropped.push(name);
      else if (kind == "H") { appendNames.push(name); appendValues.push(value); }
      else if (kind == "S") { stateNames.push(name); stateValues.push(value); }
      else if (kind == "R") { responseNames.push(name); responseValues.push(value); }
    }
    for (let i = 0; i < 3; i++) {
      const n = String.UTF8.encode("floor_counter_" + i.toString());
      imports.proxy_define_metric(0, changetype<usize>(n), n.byteLength, idSlot);
      counters.push(load<u32>(idSlot));
    }
    return true;
  }
}

/** Writes one pair's table entry and bytes; returns the new data offset. */
function putPair(entry: usize, data: usize, name: usize, nameLen: usize, value: usize, valueLen: usize): usize {
  store<u32>(entry, <u32>nameLen);
  store<u32>(entry + 4, <u32>valueLen);
  memory.copy(data, name, nameLen);
  store<u8>(data + nameLen, 0);
  memory.copy(data + nameLen + 1, value, valueLen);
  store<u8>(data + nameLen + 1 + valueLen, 0);
  return data + nameLen + valueLen + 2;
}

class FloorStream extends Context {
  constructor(context_id: u32, root: FloorRoot) {
    super(context_id, root);
  }
  onRequestHeaders(count: u32, endOfStream: bool): FilterHeadersStatusValues {
    imports.proxy_get_header_map_pairs(REQUEST_HEADERS, retPtr, retLen);
    clock_time_get(0, 1000, slot);
    for (let i = 0; i < stateNames.length; i++) {
      imports.proxy_increment_metric(counters[i % 3], 1);
      const n = stateNames[i], v = stateValues[i];
      imports.proxy_set_property(changetype<usize>(n), n.byteLength, changetype<usize>(v), v.byteLength);
    }
    // The map as read, less the dropped headers, :path replaced, the new headers appended: one write.
    const src = <usize>load<u32>(retPtr);
    const pairs = load<u32>(src);
    const total = pairs + <u32>appendNames.length;
    const dst = changetype<usize>(out);
    let entry = dst + 4;
    let data = dst + 4 + <usize>total * 8;
    let kept: u32 = 0;
    let at = src + 4 + <usize>pairs * 8;
    for (let i: u32 = 0; i < pairs; i++) {
      const nameLen = <usize>load<u32>(src + 4 + <usize>i * 8);
      const valueLen = <usize>load<u32>(src + 8 + <usize>i * 8);
      const name = at, value = at + nameLen + 1;
      at = value + valueLen + 1;
      let drop = false;
      for (let d = 0; d < dropped.length; d++) if (bytesEqual(name, nameLen, dropped[d])) drop = true;
      if (drop) continue;
      if (nameLen == 5 && load<u8>(name + 1) == 0x70 /* :path */) {
        data = putPair(entry, data, name, nameLen, changetype<usize>(newPath), newPath.byteLength);
      } else {
        data = putPair(entry, data, name, nameLen, value, valueLen);
      }
      entry += 8;
      kept++;
    }
    for (let i = 0; i < appendNames.length; i++) {
      const n = appendNames[i], v = appendValues[i];
      data = putPair(entry, data, changetype<usize>(n), n.byteLength, changetype<usize>(v), v.byteLength);
      entry += 8;
      kept++;
    }
    free(src);
    if (kept != total) {
      // Fewer pairs than counted (a dropped header): move the data up against the shorter table.
      const gap = <usize>(total - kept) * 8;
      memory.copy(dst + 4 + <usize>kept * 8, dst + 4 + <usize>total * 8, data - (dst + 4 + <usize>total * 8));
      data -= gap;
    }
    store<u32>(dst, kept);
    imports.proxy_set_header_map_pairs(REQUEST_HEADERS, dst, data - dst);
    return FilterHeadersStatusValues.Continue;
  }
  onResponseHeaders(count: u32, endOfStream: bool): FilterHeadersStatusValues {
    imports.proxy_get_header_map_pairs(RESPONSE_HEADERS, retPtr, retLen);
    free(<usize>load<u32>(retPtr));
    clock_time_get(0, 1000, slot);
    for (let i = 0; i < responseNames.length; i++) {
      const n = responseNames[i], v = responseValues[i];
      imports.proxy_add_header_map_value(RESPONSE_HEADERS, changetype<usize>(n), n.byteLength, changetype<usize>(v), v.byteLength);
    }
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => { return new FloorRoot(context_id); }, "baseline");
