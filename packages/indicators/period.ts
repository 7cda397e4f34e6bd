/**
 * Reporting periods, on the Asia/Shanghai calendar (the calendar events count
 * on). Dates are `YYYY-MM-DD` strings throughout: they compare correctly as
 * strings and never carry a time zone by accident.
 */
import { InvalidPeriodError } from './errors.ts';

/** A calendar date, `YYYY-MM-DD`. */
export type CalendarDate = string;

export type Period =
  | { readonly kind: 'all'; readonly text: 'all' }
  | {
      readonly kind: 'year' | 'quarter' | 'month' | 'day';
      readonly text: string;
      /** First day the period covers. */
      readonly first: CalendarDate;
      /** Last day the period covers. */
      readonly last: CalendarDate;
    };

/** Years a period may name: the contract's events start in 2000. */
export const earliestYear = 2000;
export const latestYear = 2100;

// China has kept UTC+8 without daylight saving since 1991.
const shanghaiOffsetMs = 8 * 60 * 60 * 1000;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Days in a month of the proleptic Gregorian calendar (month 1–12). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `YYYY-MM-DD` for year, month (1–12), day. */
export function calendarDate(year: number, month: number, day: number): CalendarDate {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** The Asia/Shanghai calendar date of an instant. */
export function shanghaiDate(instant: Date): CalendarDate {
  return new Date(instant.getTime() + shanghaiOffsetMs).toISOString().slice(0, 10);
}

/** The day after `date`. */
export function nextDay(date: CalendarDate): CalendarDate {
  const [y, m, d] = parts(date);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Year, month (1–12) and day of a `YYYY-MM-DD` string already known to be valid. */
export function parts(date: CalendarDate): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

const yearPattern = /^(\d{4})$/;
const quarterPattern = /^(\d{4})-Q([1-4])$/;
const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/;
const dayPattern = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * Parses `2026` (year), `2026-Q4` (quarter), `2026-11` (month), `2026-11-24`
 * (day) or `all` (since records began). Strict: years 2000–2100, months
 * 01–12, days that exist, quarters 1–4, nothing else.
 *
 * @throws InvalidPeriodError naming the expected forms, never echoing more than the input.
 */
export function parsePeriod(text: string): Period {
  if (text === 'all') return { kind: 'all', text: 'all' };
  let match = yearPattern.exec(text);
  if (match) {
    const year = checkedYear(match[1], text);
    return { kind: 'year', text, first: calendarDate(year, 1, 1), last: calendarDate(year, 12, 31) };
  }
  match = quarterPattern.exec(text);
  if (match) {
    const year = checkedYear(match[1], text);
    const lastMonth = Number(match[2]) * 3;
    return {
      kind: 'quarter',
      text,
      first: calendarDate(year, lastMonth - 2, 1),
      last: calendarDate(year, lastMonth, daysInMonth(year, lastMonth)),
    };
  }
  match = monthPattern.exec(text);
  if (match) {
    const year = checkedYear(match[1], text);
    const month = Number(match[2]);
    return { kind: 'month', text, first: calendarDate(year, month, 1), last: calendarDate(year, month, daysInMonth(year, month)) };
  }
  match = dayPattern.exec(text);
  if (match) {
    const year = checkedYear(match[1], text);
    const month = Number(match[2]);
    const day = Number(match[3]);
    if (day > daysInMonth(year, month)) throw new InvalidPeriodError(`period ${JSON.stringify(text)} names a day that does not exist`);
    return { kind: 'day', text, first: text, last: text };
  }
  throw new InvalidPeriodError(
    `period ${JSON.stringify(text.slice(0, 32))} is not one of YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or all`,
  );
}

function checkedYear(digits: string | undefined, text: string): number {
  const year = Number(digits);
  if (year < earliestYear || year > latestYear) {
    throw new InvalidPeriodError(`period ${JSON.stringify(text)} is outside the years ${earliestYear}–${latestYear}`);
  }
  return year;
}

/**
 * The last date a figure for `period` includes: the period's last day, or
 * today (Asia/Shanghai) while the period is still running; today for `all`.
 */
export function asOfDate(period: Period, now: Date): CalendarDate {
  const today = shanghaiDate(now);
  if (period.kind === 'all') return today;
  return period.last < today ? period.last : today;
}
