/**
 * Reading the counter layout (see counterKeys in packages/domain/metrics.ts):
 * the net change of metrics over a span of days at a scope is the sum of the
 * day attributes of the scope's month items in that span — for a division,
 * over every division of its subtree, since each records only its own share.
 * One range query per partition, bounded by the calendar, never by the
 * number of events (an organisation's partition is folded from its explain
 * entries instead: org-figures.ts). Distinct-count metrics are read at the
 * scope itself, from the cells that hold their count for exactly the period
 * (one cell for a day or a month; for a quarter, a year or all time, the
 * cells of its months that count the persons whose first date in it fell
 * there).
 */
import { counterKeys, distinctMetrics } from '../domain/metrics.ts';
import type { Metric } from '../domain/metrics.ts';
import { distinctCells } from '../domain/counter-changes.ts';
import type { CounterScope, CounterSource } from './counter-source.ts';
import { counterPartition } from './counter-source.ts';
import type { CalendarDate, Period } from './period.ts';

// Bounds that stand for "since records began" and "no end": every real date lies between them.
export const beginningOfRecords: CalendarDate = '0000-01-01';
export const endOfRecords: CalendarDate = '9999-12-31';

/** The partitions whose items add up to a scope's figure. */
export type SubtreeOf = (division: string) => readonly string[];

export class CounterLayoutReader {
  constructor(
    private readonly source: CounterSource,
    private readonly subtree: SubtreeOf,
  ) {}

  /**
   * Net change of each metric over the days `from` to `to` (both included;
   * undefined bounds are open) at `scope`, exact.
   */
  async netChanges(scope: CounterScope, from: CalendarDate | undefined, to: CalendarDate | undefined, wanted: readonly Metric[]): Promise<Map<Metric, bigint>> {
    const first = from ?? beginningOfRecords;
    const last = to ?? endOfRecords;
    const totals = new Map<Metric, bigint>(wanted.map((m) => [m, 0n]));
    if (first > last) return totals;
    const partitions = 'division' in scope ? this.subtree(scope.division).map(counterKeys.division) : [counterKeys.org(scope.orgCode)];
    const range = { from: counterKeys.month(first), to: counterKeys.month(last) };
    const items = (await Promise.all(partitions.map((p) => this.source.itemsInRange(p, range)))).flat();
    const want = new Set<string>(wanted.filter((m) => !distinctMetrics.has(m)));
    for (const item of items) {
      if (!item.sk.startsWith('M#')) continue;
      const month = item.sk.slice(2);
      for (const [attribute, amount] of Object.entries(item.values)) {
        const at = attribute.lastIndexOf('@');
        if (at < 0) continue;
        const metric = attribute.slice(0, at);
        if (!want.has(metric)) continue;
        const date = `${month}-${attribute.slice(at + 1)}`;
        if (date < first || date > last) continue;
        totals.set(metric as Metric, (totals.get(metric as Metric) ?? 0n) + amount);
      }
    }
    return totals;
  }

  /** A distinct-count metric's count for exactly `period` at `scope` itself (see distinctCells). */
  async distinctCount(scope: CounterScope, period: Period, metric: Metric): Promise<bigint> {
    const periodKey =
      period.kind === 'all'
        ? counterKeys.allTime()
        : period.kind === 'year'
          ? counterKeys.year(period.first)
          : period.kind === 'quarter'
            ? counterKeys.quarter(period.first)
            : period.kind === 'month'
              ? counterKeys.month(period.first)
              : counterKeys.day(period.first);
    const { from, to, attribute } = distinctCells(metric, periodKey);
    const items = await this.source.itemsInRange(counterPartition(scope), { from, to });
    return items.reduce((total, item) => total + (item.values[attribute] ?? 0n), 0n);
  }
}
