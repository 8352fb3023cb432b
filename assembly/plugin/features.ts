// The features a configuration turns on, in the order their filters see a request: clickpath first (it
// strips the session segment from :path, which the others must see without it), then usertrack, then
// session.
import { Config } from "../config";
import { Feature } from "../core/filter";
import { Services } from "../core/services";
import { UsertrackFeature } from "../usertrack/feature";
import { buildSessionFeature } from "../session/build";
import { ClickpathFeature } from "../clickpath/filter";

export function buildFeatures(config: Config, services: Services): Feature[] {
  const out = new Array<Feature>();
  const clickpath = config.clickpath;
  if (clickpath != null) out.push(new ClickpathFeature(clickpath, services));
  const usertrack = config.usertrack;
  if (usertrack != null) out.push(new UsertrackFeature(usertrack, services));
  const session = config.session;
  if (session != null) out.push(buildSessionFeature(session, services));
  return out;
}
