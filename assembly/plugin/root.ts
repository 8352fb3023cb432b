// A plugin (root context): its validated configuration and the features built from it. Envoy creates one
// per VM per plugin; every HTTP stream of that plugin gets one StreamFilter from each enabled feature.
import { parseConfig } from "../config";
import { Feature } from "../core/filter";
import { LogLevel } from "../core/services";
import { HostServices } from "./services";
import { buildFeatures } from "./features";
import { StoreKind } from "../session/settings";
import * as host from "./host";
import { settleAfterConfigure } from "./memory";

/**
 * Why session.store "etcd" is refused under NGINX: ngx_wasm_module dispatches HTTP calls only from the
 * request headers and body, ticks and other dispatch responses (Kong/ngx_wasm_module docs/PROXY_WASM.md),
 * so the response-phase save could never be made. ngx_wasm_module has no `plugin_vm_id` property, which
 * Envoy answers for every plugin (source/extensions/common/wasm/context.cc): that tells the hosts apart.
 */
export const ETCD_NEEDS_ENVOY = "session.store: \"etcd\" saves through an HTTP callout from the response phase, which this host (ngx_wasm_module: no plugin_vm_id property) cannot dispatch; use \"shared\" or \"cookie\" under NGINX";

/**
 * The tick period when no feature asks for one: the memory gauge is refreshed on every tick (at the
 * features' period when they ask for one).
 */
const MEMORY_GAUGE_PERIOD_MILLIS: u32 = 10000;
const WASM_PAGE: i64 = 65536;
/** This VM's size as last added to the gauge: one per VM, shared by the plugins a VM may run. */
let memoryReported: i64 = 0;

export class Plugin {
  features: Feature[] = [];
  services: HostServices = new HostServices(LogLevel.Info);
  configured: bool = false;
  /** Whether a feature asked for ticks: then every feature's onTick runs on every tick, as before the gauge. */
  featuresTick: bool = false;
  /**
   * clicktrail.wasm_memory_bytes: the linear memory of all of the filter's VMs in the proxy (Envoy has one
   * per worker, and one on the main thread). Every VM adds the change of its own size since its last tick,
   * so the one gauge is their sum whichever VM ticks last.
   */
  memoryGauge: u32 = 0;

  constructor(public id: u32) {}

  /** on_configure: false refuses the configuration (Envoy then rejects the listener update). */
  configure(size: u32): bool {
    const bytes = Uint8Array.wrap(host.getBuffer(host.BufferType.PluginConfiguration, 0, size));
    const result = parseConfig(bytes);
    const config = result.config;
    if (config == null) {
      for (let i = 0; i < result.errors.length; i++) {
        host.log(LogLevel.Error, "clicktrail: invalid configuration: " + result.errors[i]);
      }
      return false;
    }
    const session = config.session;
    if (session != null && session.store == StoreKind.Etcd && host.getProperty("plugin_vm_id") == null) {
      host.log(LogLevel.Error, "clicktrail: invalid configuration: " + ETCD_NEEDS_ENVOY);
      return false;
    }
    this.features = buildFeatures(config, this.services);
    let period: u32 = 0;
    for (let i = 0; i < this.features.length; i++) {
      const p = this.features[i].tickPeriodMillis();
      if (p != 0 && (period == 0 || p < period)) period = p;
    }
    this.featuresTick = period != 0;
    if (period == 0) period = MEMORY_GAUGE_PERIOD_MILLIS;
    if (this.memoryGauge == 0) this.memoryGauge = this.services.defineGauge("clicktrail.wasm_memory_bytes");
    settleAfterConfigure(); // the heap at its working size before the gauge reports it
    this.reportMemory();
    host.setTickPeriod(period);
    this.configured = true;
    return true;
  }

  tick(): void {
    if (this.featuresTick) {
      for (let i = 0; i < this.features.length; i++) this.features[i].onTick(this.services);
    }
    this.reportMemory();
  }

  private reportMemory(): void {
    const bytes = <i64>memory.size() * WASM_PAGE;
    const delta = bytes - memoryReported;
    if (delta == 0) return;
    host.incrementMetric(this.memoryGauge, delta);
    memoryReported = bytes;
  }
}
