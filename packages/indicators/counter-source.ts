/**
 * What the evaluator needs from storage, in storage-neutral terms (no AWS
 * types): the DynamoDB implementation is packages/storage/counter-reader.ts,
 * an in-memory one is in-memory-counter-source.ts.
 */
import type { Metric } from '../domain/metrics.ts';
import { counterKeys } from '../domain/metrics.ts';
import type { CalendarDate } from './period.ts';

/** Where a figure is counted: a division (county, township) or one organisation. */
export type CounterScope = { readonly division: string } | { readonly orgCode: string };

/** The counter partition of a scope (for a division: what is recorded at it, not below). */
export function counterPartition(scope: CounterScope): string {
  return 'division' in scope ? counterKeys.division(scope.division) : counterKeys.org(scope.orgCode);
}

/** Consecutive counter items of one partition: sort keys `from` to `to`, both included. */
export interface SortKeyRange {
  readonly from: string;
  readonly to: string;
}

/** One stored counter item: its sort key and its numeric attributes, exact. */
export interface CounterItem {
  readonly sk: string;
  readonly values: Readonly<Record<string, bigint>>;
}

/** Reads stored counter items. */
export interface CounterSource {
  /** Every item of partition `partition` whose sort key lies in `range` (both ends included). */
  itemsInRange(partition: string, range: SortKeyRange): Promise<readonly CounterItem[]>;
  /**
   * True for a partition this source reads whole whatever range is asked (an
   * organisation's, folded from its explain entries): a request then asks it
   * once, for the span of every range it needs there.
   */
  readsWhole?(partition: string): boolean;
}

/**
 * An opening balance of a stock metric (baseline.recorded.v1). With `asOf`,
 * the stock is `value` plus the net changes after that date; without it,
 * `value` adjusts the net changes since records began (a county whose
 * townships have baselines of their own).
 */
export interface OpeningBalance {
  readonly value: number;
  /** The date the balance holds at; net changes are counted from the next day. */
  readonly asOf?: CalendarDate;
}

/**
 * Opening balances of stock metrics. A stock as of D is the latest balance
 * with asOf ≤ D plus the net change after that asOf up to D; without one, the
 * net change since records began.
 */
export interface BaselineSource {
  baselineFor(metric: Metric, scope: CounterScope, date: CalendarDate): Promise<OpeningBalance | undefined>;
}

/** No opening balances: every stock is the net change since records began. */
export const noBaselines: BaselineSource = {
  baselineFor: () => Promise.resolve(undefined),
};
