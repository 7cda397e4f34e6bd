/**
 * The order of the data, not of arrival: when several reports of one fact
 * compete (a studio reported twice, two registrations of one organisation),
 * the report with the lowest rank counts. Rank is the Asia/Shanghai date the
 * event counts on, then its instant, then (source, id), so it is total and
 * any two processors, or a replay in any order, pick the same report.
 */
export type Rank = string;

export interface Rankable {
  readonly date: string;
  readonly time: string;
  readonly source: string;
  readonly id: string;
}

export function rankOf(event: Rankable): Rank {
  const instant = Date.parse(event.time);
  // Validated times lie between 2000 and now: 13 digits of milliseconds; 15 leave room.
  const ms = Number.isFinite(instant) ? String(instant).padStart(15, '0') : event.time;
  return `${event.date}|${ms}|${event.source}|${event.id}`;
}

/** True when `candidate` should replace `current` as the report that counts. */
export function outranks(candidate: Rank, current: Rank | undefined): boolean {
  return current === undefined || candidate < current;
}
