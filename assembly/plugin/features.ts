// The features a configuration turns on, in the order their filters see a request: clickpath first (it
// strips the session segment from :path, which the others must see without it), then usertrack, then
// session.
import { Config } from "../config";
import { Feature } from "../http/filter";
import { Services } from "../http/services";
import { UsertrackFeature } from "../usertrack/feature";
import { ClickpathFeature, LocalAddress } from "../clickpath/filter";
import { byteStringFromBuffer } from "../http/bytes";
import { stripPort } from "./services";
import * as host from "./host";
import { buildSessionFeature } from "../session/build";

/** The connection's local address (Envoy's destination.address), for ClickPath's machine table and IP form. */
class HostLocalAddress extends LocalAddress {
  of(services: Services): string {
    const v = host.getProperty("destination\0address");
    return v == null ? "" : stripPort(byteStringFromBuffer(v));
  }
}

export function buildFeatures(config: Config, services: Services): Feature[] {
  const out = new Array<Feature>();
  const clickpath = config.clickpath;
  if (clickpath != null) out.push(new ClickpathFeature(clickpath, services, new HostLocalAddress()));
  const usertrack = config.usertrack;
  if (usertrack != null) out.push(new UsertrackFeature(usertrack, services));
  const session = config.session;
  if (session != null) out.push(buildSessionFeature(session, services));
  return out;
}
