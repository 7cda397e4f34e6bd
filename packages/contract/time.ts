/**
 * Time rules of the contract: RFC 3339 timestamps with an explicit offset,
 * calendar dates, and the Asia/Shanghai date an event counts on.
 */
import { ContractError } from './errors.ts';

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const calendarDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Asia/Shanghai is UTC+8 all year: China has not observed daylight saving since 1991. */
const shanghaiOffsetMs = 8 * 60 * 60 * 1000;

/** An instant parsed from an RFC 3339 timestamp. */
export interface Instant {
  /** Milliseconds since the epoch, fractions of a millisecond dropped. */
  readonly epochMs: number;
  /** True when the timestamp had a non-zero fraction below one millisecond. */
  readonly subMillisecond: boolean;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isRealDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 onto 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/**
 * Parses an RFC 3339 date-time that carries an offset (`Z` or `±hh:mm`) and
 * names a real calendar date and time of day. Returns undefined otherwise.
 * Leap seconds (`:60`) are not accepted: no producer clock reports them and
 * JavaScript time cannot represent them.
 */
export function parseTimestamp(time: string): Instant | undefined {
  const m = rfc3339.exec(time);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (!isRealDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = (m[7] ?? '').padEnd(9, '0');
  const ms = Number(fraction.slice(0, 3));
  const subMillisecond = Number(fraction.slice(3)) > 0;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return { epochMs: utcMs(year, month, day, hour, minute, second, ms) - offsetMinutes * 60_000, subMillisecond };
}

/** True when `s` is a real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(s: string): boolean {
  const m = calendarDatePattern.exec(s);
  return m !== null && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * The Asia/Shanghai calendar date (`YYYY-MM-DD`) of an RFC 3339 timestamp:
 * the date an event counts on. `'2026-12-31T20:00:00Z'` → `'2027-01-01'`.
 * @throws ContractError when `time` is not an RFC 3339 timestamp with an offset.
 */
export function shanghaiDate(time: string): string {
  const instant = parseTimestamp(time);
  if (instant === undefined) throw new ContractError('time must be an RFC 3339 timestamp with an offset');
  const local = new Date(instant.epochMs + shanghaiOffsetMs);
  const year = String(local.getUTCFullYear()).padStart(4, '0');
  const month = String(local.getUTCMonth() + 1).padStart(2, '0');
  const day = String(local.getUTCDate()).padStart(2, '0');
  return `${year}-${month}-${day}`;
}
