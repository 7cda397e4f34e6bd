import type { CounterDelta, DistinctDelta } from './decision.ts';
import { counterKeys } from './metrics.ts';

/** The net change one write makes to one counter item: attribute → amount. */
export interface CounterChange {
  readonly pk: string;
  readonly sk: string;
  readonly amounts: Readonly<Record<string, number>>;
}

/**
 * The share of a delta recorded *at* each division, so that every division's
 * figure is the sum over its subtree ("counts, sums and stocks of a division
 * equal the sum over its children plus what is recorded at the division
 * itself"). A delta lands in each of its divisions and must count once in
 * every ancestor: an ancestor that two of its children already count records
 * the overlap as a correction (a contract of employers in two townships
 * records +1 in each township and −1 at the county, which so counts it once).
 * Upper levels are never written for ordinary events: no hot county items.
 */
export function divisionShares(divisions: readonly string[], lineage: (division: string) => readonly string[]): Map<string, number> {
  const reached = new Set<string>();
  for (const division of divisions) for (const d of lineage(division)) reached.add(d);
  const childrenReached = new Map<string, number>();
  for (const d of reached) {
    const parent = lineage(d)[1];
    if (parent !== undefined) childrenReached.set(parent, (childrenReached.get(parent) ?? 0) + 1);
  }
  const shares = new Map<string, number>();
  for (const d of reached) {
    const share = 1 - (childrenReached.get(d) ?? 0);
    if (share !== 0) shares.set(d, share);
  }
  return shares;
}

/**
 * The periods whose distinct count is kept in first-date cells of month
 * items (`<metric>@Q`, `@Y`, `@A`), by the cell's suffix: the period a date
 * falls in, and the months (`2026-07`) a period spans.
 */
const firstDatePeriods = {
  Q: {
    of: counterKeys.quarter,
    months: (period: string): [string, string] => {
      const [year, q] = [period.slice(2, 6), Number(period.slice(-1))];
      return [`${year}-${String(q * 3 - 2).padStart(2, '0')}`, `${year}-${String(q * 3).padStart(2, '0')}`];
    },
  },
  Y: { of: counterKeys.year, months: (period: string): [string, string] => [`${period.slice(2)}-01`, `${period.slice(2)}-12`] },
  A: { of: counterKeys.allTime, months: (): [string, string] => ['0000-01', '9999-12'] },
} as const;

type FirstDateSuffix = keyof typeof firstDatePeriods;

/** The suffix of a period key kept in first-date cells (`Q#2026-Q3` → `Q`), or undefined (a day's or a month's). */
const firstDateSuffix = (period: string): FirstDateSuffix | undefined => (Object.keys(firstDatePeriods) as FirstDateSuffix[]).find((s) => period.startsWith(`${s}#`));

/** The period keys of a date that are kept in first-date cells: its quarter's, its year's and all time's. */
export const firstDatePeriodsOf = (date: string): string[] => Object.values(firstDatePeriods).map((p) => p.of(date));

/**
 * Where a change to a distinct count is written: the month item and its
 * attribute. A day's and a month's count live in their own month's item;
 * a quarter's, a year's and all time's in the item of `month`, the month of
 * the person's first date in that period at the scope.
 */
export function distinctCell(metric: string, period: string, month?: string): { sk: string; attribute: string } {
  if (period.startsWith('D#')) {
    const date = period.slice(2);
    return { sk: counterKeys.month(date), attribute: counterKeys.dayAttribute(metric, date) };
  }
  if (period.startsWith('M#')) return { sk: period, attribute: metric };
  const suffix = firstDateSuffix(period);
  if (suffix === undefined || month === undefined) throw new Error(`distinct count of ${period} needs the month of its first date`);
  return { sk: counterKeys.month(`${month}-01`), attribute: `${metric}@${suffix}` };
}

/**
 * Where a distinct count for a period is read: the attribute to sum over the
 * scope's month items in the range (one item for a day or a month; the
 * quarter's three, the year's twelve, or every month for all time).
 */
export function distinctCells(metric: string, period: string): { from: string; to: string; attribute: string } {
  const suffix = firstDateSuffix(period);
  if (suffix === undefined) {
    const { sk, attribute } = distinctCell(metric, period);
    return { from: sk, to: sk, attribute };
  }
  const [from, to] = firstDatePeriods[suffix].months(period);
  return { from: `M#${from}`, to: `M#${to}`, attribute: `${metric}@${suffix}` };
}

/**
 * The period key (`Q#…`, `Y#…`, `A#ALL`) of a first-date cell in a month
 * item (`<metric>@Q`, `@Y`, `@A`); undefined for a day's or a month's cell.
 */
export function firstDatePeriod(sk: string, attribute: string): { metric: string; period: string } | undefined {
  const at = attribute.lastIndexOf('@');
  const suffix = attribute.slice(at + 1);
  if (at < 0 || !sk.startsWith('M#') || !(suffix in firstDatePeriods)) return undefined;
  return { metric: attribute.slice(0, at), period: firstDatePeriods[suffix as FirstDateSuffix].of(`${sk.slice(2)}-01`) };
}

/**
 * Sums counter deltas (of one event, or of many events written together)
 * into per-item changes: each delta counts on its day in every organisation
 * it names and, with the shares above, in the divisions it names. Changes to
 * one item are merged and zero nets dropped, so a batch of events writes
 * each month item it touches once.
 */
export function counterChanges(
  deltas: readonly CounterDelta[],
  distinct: readonly DistinctDelta[],
  lineage: (division: string) => readonly string[],
): CounterChange[] {
  const items = new Map<string, { pk: string; sk: string; amounts: Record<string, number> }>();
  const addTo = (pk: string, sk: string, attribute: string, amount: number): void => {
    const id = `${pk}|${sk}`;
    const item = items.get(id) ?? items.set(id, { pk, sk, amounts: {} }).get(id)!;
    item.amounts[attribute] = (item.amounts[attribute] ?? 0) + amount;
  };
  for (const delta of deltas) {
    const sk = counterKeys.month(delta.date);
    const attribute = counterKeys.dayAttribute(delta.metric, delta.date);
    for (const orgCode of new Set(delta.orgCodes)) addTo(counterKeys.org(orgCode), sk, attribute, delta.amount);
    for (const [division, share] of divisionShares(delta.divisions, lineage)) addTo(counterKeys.division(division), sk, attribute, share * delta.amount);
  }
  for (const d of distinct) {
    const { sk, attribute } = distinctCell(d.metric, d.period, d.month);
    addTo(d.scope, sk, attribute, d.amount);
  }
  const out: CounterChange[] = [];
  for (const item of items.values()) {
    const amounts = Object.fromEntries(Object.entries(item.amounts).filter(([, v]) => v !== 0));
    if (Object.keys(amounts).length > 0) out.push({ pk: item.pk, sk: item.sk, amounts });
  }
  return out;
}

/** True for an organisation's counter partition (`ORG#…`). */
export const isOrgPartition = (pk: string): boolean => pk.startsWith(counterKeys.org(''));

/**
 * The counter changes the Counters table keeps from events: a division's.
 * An organisation's are written only as the `xo` cells of the event's explain
 * entries, and its figure is folded from them (explain.ts, foldEntries):
 * most events are their organisation-month's only writer, so its month item
 * would be one more item written per event for what the entry already holds.
 */
export function storedCounterChanges(
  deltas: readonly CounterDelta[],
  distinct: readonly DistinctDelta[],
  lineage: (division: string) => readonly string[],
): CounterChange[] {
  return counterChanges(deltas, distinct, lineage).filter((c) => !isOrgPartition(c.pk));
}

/**
 * Where a counter cell sits in the canonical form that folded explain entries
 * and counter items are compared and read in: as stored, except that a
 * first-date cell (`<metric>@Q`, `@Y`, `@A`) moves to the first month of its
 * period — an entry keeps its period, not the month of the first date, and
 * every read of such a cell sums it over the whole period (distinctCells).
 */
export function canonicalCell(sk: string, attribute: string): { sk: string; attribute: string } {
  const first = firstDatePeriod(sk, attribute);
  return first === undefined ? { sk, attribute } : { sk: distinctCells(first.metric, first.period).from, attribute };
}
