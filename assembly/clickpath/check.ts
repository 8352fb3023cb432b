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

  /** Makes this the outcome; returns itself. */
  set(id: SessionId | null, problem: string, expired: bool): IdCheck {
    this.id = id;
    this.problem = problem;
    this.expired = expired;
    return this;
  }
}

/**
 * Decodes `urlId` (percent-encoding allowed) and checks it, in this order, against the secrets, the machine
 * table and max_session_age at `now` (seconds); an id created in the future is expired too.
 */
export function checkId(urlId: string, s: ClickpathSettings, now: i64): IdCheck {
  return checkIdInto(urlId, s, now, new IdCheck(null, "", false), new SessionId());
}

/**
 * checkId into objects the caller keeps and reuses (the filter's, one pair for every request): `into`
 * gets the outcome and is returned; `id` is cleared, then filled, and is `into.id` unless decoding failed.
 */
export function checkIdInto(urlId: string, s: ClickpathSettings, now: i64, into: IdCheck, id: SessionId): IdCheck {
  id.clear();
  const decodeProblem = decodeIdInto(urlId, s.secrets, id, s.machineTable.length > 0 ? s.machineNames : null);
  if (decodeProblem.length > 0) return into.set(null, decodeProblem, false);
  if (s.machineTable.length > 0 && s.machineNamed(id.machine) == null) {
    return into.set(id, "unknown machine name '" + id.machine + "'", false);
  }
  const age = now - <i64>id.time;
  if ((s.maxSessionAge > 0 && age > s.maxSessionAge) || age < 0) {
    return into.set(id, age < 0 ? "created in the future" : "older than max_session_age", true);
  }
  return into.set(id, "", false);
}
