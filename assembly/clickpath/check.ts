// Whether an id a request brought (in its URL or in its cookie) can continue a session: the one rule the
// filter and `clicktrail decode` share.
import { decodeIdInto, SessionId } from "./id";
import { ClickpathSettings } from "./settings";

/** What became of an id. */
export class IdCheck {
  constructor(
    public id: SessionId | null,
    /** Why it is refused ("" when it is valid and not expired). */
    public problem: string,
    /** Refused only for its age (too old, or created in the future). */
    public expired: bool,
  ) {}
  get valid(): bool { return this.id != null && this.problem.length == 0; }
}

/**
 * Decodes `urlId` (percent-encoding allowed) and checks it, in this order, against the secrets, the machine
 * table and max_session_age at `now` (seconds); an id created in the future is expired too.
 */
export function checkId(urlId: string, s: ClickpathSettings, now: i64): IdCheck {
  const decoded = new SessionId();
  const decodeProblem = decodeIdInto(urlId, s.secrets, decoded);
  if (decodeProblem.length > 0) return new IdCheck(null, decodeProblem, false);
  const id = decoded;
  if (s.machineTable.length > 0 && s.machineNamed(id.machine) == null) {
    return new IdCheck(id, "unknown machine name '" + id.machine + "'", false);
  }
  const age = now - <i64>id.time;
  if ((s.maxSessionAge > 0 && age > s.maxSessionAge) || age < 0) {
    return new IdCheck(id, age < 0 ? "created in the future" : "older than max_session_age", true);
  }
  return new IdCheck(id, "", false);
}
