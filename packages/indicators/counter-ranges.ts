/**
 * Which counter items hold the net changes of a span of days. Counter items
 * exist per year (`Y#2026`), month (`M#2026-11`) and day (`D#2026-11-24`), so
 * any span of whole days is covered by at most five runs of consecutive items
 * (days, months, years, months, days): the number of reads depends on the
 * calendar, never on how many events happened.
 */
import { counterKeys } from '../domain/metrics.ts';
import type { CalendarDate, Period } from './period.ts';
import { calendarDate, daysInMonth, parts } from './period.ts';

/** Consecutive counter items of one partition: sort keys `from` to `to`, both included. */
export interface SortKeyRange {
  readonly from: string;
  readonly to: string;
}

// Bounds that stand for "since records began" and "no end": every real date lies between them.
export const beginningOfRecords: CalendarDate = '0000-01-01';
export const endOfRecords: CalendarDate = '9999-12-31';

const yearKey = (year: number): string => counterKeys.year(calendarDate(year, 1, 1));
const monthKey = (year: number, month: number): string => counterKeys.month(calendarDate(year, month, 1));

/**
 * The runs of year, month and day items whose sum is the net change over the
 * days `from` to `to` (both included). `undefined` bounds are open: since
 * records began, and with no end. Empty when `from` is after `to`.
 */
export function rangesForDays(from: CalendarDate | undefined, to: CalendarDate | undefined): SortKeyRange[] {
  const first = from ?? beginningOfRecords;
  const last = to ?? endOfRecords;
  if (first > last) return [];
  const [y1] = parts(first);
  const [y2] = parts(last);
  if (y1 === y2) return rangesWithinYear(first, last);
  const ranges: SortKeyRange[] = [];
  let wholeFrom = y1;
  let wholeTo = y2;
  if (!first.endsWith('-01-01')) {
    ranges.push(...rangesWithinYear(first, calendarDate(y1, 12, 31)));
    wholeFrom = y1 + 1;
  }
  if (!last.endsWith('-12-31')) {
    ranges.push(...rangesWithinYear(calendarDate(y2, 1, 1), last));
    wholeTo = y2 - 1;
  }
  if (wholeFrom <= wholeTo) ranges.push({ from: yearKey(wholeFrom), to: yearKey(wholeTo) });
  return ranges;
}

function rangesWithinYear(first: CalendarDate, last: CalendarDate): SortKeyRange[] {
  const [year, m1, d1] = parts(first);
  const [, m2, d2] = parts(last);
  const startsMonth = d1 === 1;
  const endsMonth = d2 === daysInMonth(year, m2);
  if (m1 === 1 && startsMonth && m2 === 12 && endsMonth) return [{ from: yearKey(year), to: yearKey(year) }];
  if (m1 === m2) {
    return startsMonth && endsMonth
      ? [{ from: monthKey(year, m1), to: monthKey(year, m1) }]
      : [{ from: counterKeys.day(first), to: counterKeys.day(last) }];
  }
  const ranges: SortKeyRange[] = [];
  let wholeFrom = m1;
  let wholeTo = m2;
  if (!startsMonth) {
    ranges.push({ from: counterKeys.day(first), to: counterKeys.day(calendarDate(year, m1, daysInMonth(year, m1))) });
    wholeFrom = m1 + 1;
  }
  if (!endsMonth) {
    ranges.push({ from: counterKeys.day(calendarDate(year, m2, 1)), to: counterKeys.day(last) });
    wholeTo = m2 - 1;
  }
  if (wholeFrom <= wholeTo) ranges.push({ from: monthKey(year, wholeFrom), to: monthKey(year, wholeTo) });
  return ranges;
}

/**
 * The one item that holds a distinct-count metric for exactly `period`:
 * such metrics count each person once per period, so their figures cannot
 * be summed from smaller periods.
 */
export function distinctItemFor(period: Period): SortKeyRange {
  const key =
    period.kind === 'all'
      ? counterKeys.allTime()
      : period.kind === 'year'
        ? counterKeys.year(period.first)
        : period.kind === 'quarter'
          ? counterKeys.quarter(period.first)
          : period.kind === 'month'
            ? counterKeys.month(period.first)
            : counterKeys.day(period.first);
  return { from: key, to: key };
}
