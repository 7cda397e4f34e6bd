/**
 * Reporting periods as the API names them (`2026`, `2026-Q4`, `2026-11`), on
 * the Asia/Shanghai calendar, and the period lists the views ask for.
 */
import { t } from './i18n/locale.ts';

export type PeriodKind = 'year' | 'quarter' | 'month';

export interface PeriodChoice {
  readonly kind: PeriodKind;
  readonly year: number;
  /** 1–4, used when kind is quarter. */
  readonly quarter: number;
  /** 1–12, used when kind is month. */
  readonly month: number;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Today's year and month in Asia/Shanghai. */
export function currentMonth(now: Date = new Date()): { year: number; month: number } {
  const shanghai = new Date(now.getTime() + 8 * 3600_000);
  return { year: shanghai.getUTCFullYear(), month: shanghai.getUTCMonth() + 1 };
}

/** The period the console opens on: the current year. */
export function defaultPeriod(now: Date = new Date()): PeriodChoice {
  const { year, month } = currentMonth(now);
  return { kind: 'year', year, quarter: Math.ceil(month / 3), month };
}

export function periodText(choice: PeriodChoice): string {
  if (choice.kind === 'year') return String(choice.year);
  if (choice.kind === 'quarter') return `${choice.year}-Q${choice.quarter}`;
  return `${choice.year}-${pad(choice.month)}`;
}

/** Reads `2026`, `2026-Q4` or `2026-11`; undefined for anything else. */
export function parsePeriodText(text: string | undefined, fallback: PeriodChoice = defaultPeriod()): PeriodChoice | undefined {
  if (text === undefined) return undefined;
  let match = /^(\d{4})$/.exec(text);
  if (match !== null) return { ...fallback, kind: 'year', year: Number(match[1]) };
  match = /^(\d{4})-Q([1-4])$/.exec(text);
  if (match !== null) return { ...fallback, kind: 'quarter', year: Number(match[1]), quarter: Number(match[2]) };
  match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text);
  if (match !== null) return { ...fallback, kind: 'month', year: Number(match[1]), month: Number(match[2]) };
  return undefined;
}

/** A period's name in the language in use: `2026年第4季度`, `Q4 2026`. */
export function periodLabel(text: string): string {
  const choice = parsePeriodText(text);
  if (choice === undefined) return text;
  const m = t.value.period;
  if (choice.kind === 'year') return m.ofYear(choice.year);
  if (choice.kind === 'quarter') return m.ofQuarter(choice.year, choice.quarter);
  return m.ofMonth(choice.year, choice.month);
}

/** Last month of a period, not after the current month. */
function lastMonthOf(choice: PeriodChoice, now: Date): { year: number; month: number } {
  const end = choice.kind === 'year' ? 12 : choice.kind === 'quarter' ? choice.quarter * 3 : choice.month;
  const current = currentMonth(now);
  if (choice.year > current.year || (choice.year === current.year && end > current.month)) return current;
  return { year: choice.year, month: end };
}

/** The 12 months ending with the period's last month (or the current month, if earlier): a sparkline's points. */
export function twelveMonthsTo(choice: PeriodChoice, now: Date = new Date()): string[] {
  const last = lastMonthOf(choice, now);
  const months: string[] = [];
  for (let i = 11; i >= 0; i -= 1) {
    const index = last.year * 12 + (last.month - 1) - i;
    months.push(`${Math.floor(index / 12)}-${pad((index % 12) + 1)}`);
  }
  return months;
}

/** Months of `year` up to the current month. */
export function monthsOf(year: number, now: Date = new Date()): string[] {
  const current = currentMonth(now);
  const last = year < current.year ? 12 : year === current.year ? current.month : 0;
  return Array.from({ length: last }, (_, i) => `${year}-${pad(i + 1)}`);
}

/** Years a user may pick: the last `count` up to the current one. */
export function selectableYears(count = 6, now: Date = new Date()): number[] {
  const { year } = currentMonth(now);
  return Array.from({ length: count }, (_, i) => year - count + 1 + i);
}
