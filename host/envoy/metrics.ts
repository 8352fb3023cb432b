// Stats defined by modules. Envoy keeps them in the process-wide stats store under "wasmcustom.<name>", so
// the same name defined by every worker VM is one stat (its /stats/prometheus drops "wasmcustom." and adds
// no prefix of its own: clicktrail_usertrack_cookies_issued); ids are per VM (cpp-host: type in the low two bits,
// counters 4, 8, ...; gauges 5, 9, ...; histograms 6, 10, ...).
import { MetricType, WasmResult } from "../abi/constants.js";

export interface Stat {
  type: number;
  value: bigint;
  samples: bigint[];
}

export class MetricStore {
  readonly stats = new Map<string, Stat>();

  stat(type: number, name: string): Stat {
    let s = this.stats.get(name);
    if (!s) {
      s = { type, value: 0n, samples: [] };
      this.stats.set(name, s);
    }
    return s;
  }
}

/** One VM's view: ids → stats, with Envoy's per-type rules (Context::incrementMetric etc.). */
export class VmMetrics {
  private readonly ids = new Map<number, Stat>();
  private next = [MetricType.Counter, MetricType.Gauge, MetricType.Histogram];

  constructor(private readonly store: MetricStore) {}

  define(type: number, name: string): { status: number; value?: number } {
    if (type > MetricType.Histogram) return { status: WasmResult.BadArgument };
    this.next[type] += 4;
    const id = this.next[type];
    this.ids.set(id, this.store.stat(type, name));
    return { status: WasmResult.Ok, value: id };
  }

  increment(id: number, delta: bigint): number {
    const type = id & 3;
    const s = this.ids.get(id);
    if (type === MetricType.Counter) {
      if (!s) return WasmResult.NotFound;
      // Envoy refuses any non-positive offset on a counter, zero included.
      if (delta <= 0n) return WasmResult.BadArgument;
      s.value += delta;
      return WasmResult.Ok;
    }
    if (type === MetricType.Gauge) {
      if (!s) return WasmResult.NotFound;
      s.value += delta;
      return WasmResult.Ok;
    }
    return WasmResult.BadArgument;
  }

  record(id: number, value: bigint): number {
    const s = this.ids.get(id);
    if (!s) return WasmResult.NotFound;
    if (s.type === MetricType.Counter) s.value += value;
    else if (s.type === MetricType.Gauge) s.value = value;
    else s.samples.push(value);
    return WasmResult.Ok;
  }

  get(id: number): { status: number; value?: bigint } {
    const type = id & 3;
    if (type === MetricType.Histogram || type === 3) return { status: WasmResult.BadArgument };
    const s = this.ids.get(id);
    if (!s) return { status: WasmResult.NotFound };
    return { status: WasmResult.Ok, value: s.value };
  }
}
