/**
 * Evaluates many (scope, period) cells in one request within a read budget.
 * The evaluator and the baselines are run twice through the existing
 * CounterSource interface: first to learn which counter ranges the request
 * needs (nothing is read), then once those ranges are fetched in bulk — every
 * single-item range of every partition in BatchGetItem calls of up to 100
 * keys, every longer range merged with those it overlaps into one Query — to
 * compute from memory. Nothing here knows the sort-key format beyond what a
 * `BETWEEN` query already assumes: keys compare as strings.
 */
import type { DivisionTree } from '../config/deployment.ts';
import type { IndicatorDefinition } from '../indicators/catalog.ts';
import type { CounterItem, CounterSource, SortKeyRange } from '../indicators/counter-source.ts';
import { noBaselines } from '../indicators/counter-source.ts';
import type { IndicatorValue } from '../indicators/evaluator.ts';
import { IndicatorEvaluator } from '../indicators/evaluator.ts';
import type { BaselineReader, RecordedBaseline } from '../indicators/recorded-baselines.ts';
import { RecordedBaselines } from '../indicators/recorded-baselines.ts';
import type { Metric } from '../domain/metrics.ts';
import { analyticsConcurrency, mapWithConcurrency } from './analytics.ts';
import type { FigureCell, IndicatorComputation } from './dependencies.ts';

/** One counter item named by its keys. */
export interface CounterKey {
  readonly partition: string;
  readonly sk: string;
}

/** Reads many single counter items at once (BatchGetItem in DynamoDB). */
export interface CounterItemBatchReader {
  /** The items that exist among `keys` (at most {@link maxKeysPerBatch}), with their partition. */
  itemsByKey(keys: readonly CounterKey[]): Promise<readonly (CounterItem & { readonly partition: string })[]>;
}

/** BatchGetItem's limit of keys per call. */
export const maxKeysPerBatch = 100;

const keyOf = (partition: string, sk: string): string => `${partition}\u0000${sk}`;

/**
 * A request's counter reads. In planning mode it records what is asked and
 * answers nothing; after {@link prefetch} it answers from what was fetched,
 * and reads through to `direct` only for a range it was never told about.
 */
export class PlannedCounterReads implements CounterSource {
  private planning = true;
  private readonly wanted = new Map<string, Map<string, SortKeyRange>>();
  private readonly singles = new Map<string, CounterItem>();
  /** Single items asked for by BatchGetItem, found or not. */
  private readonly fetchedSingles = new Set<string>();
  /** Per partition, the merged runs fetched by Query, with their items (sorted by sk). */
  private readonly runs = new Map<string, { range: SortKeyRange; items: readonly CounterItem[] }[]>();

  constructor(
    private readonly direct: CounterSource,
    private readonly batch: CounterItemBatchReader | undefined,
  ) {}

  async itemsInRange(partition: string, range: SortKeyRange): Promise<readonly CounterItem[]> {
    if (this.planning) {
      const ranges = this.wanted.get(partition) ?? new Map<string, SortKeyRange>();
      ranges.set(`${range.from}|${range.to}`, range);
      this.wanted.set(partition, ranges);
      return [];
    }
    const single = keyOf(partition, range.from);
    if (range.from === range.to && this.fetchedSingles.has(single)) {
      const item = this.singles.get(single);
      return item === undefined ? [] : [item];
    }
    const run = this.runs.get(partition)?.find((r) => r.range.from <= range.from && range.to <= r.range.to);
    if (run !== undefined) return run.items.filter((item) => item.sk >= range.from && item.sk <= range.to);
    return this.direct.itemsInRange(partition, range);
  }

  /** Fetches every recorded range in bulk and switches to answering from memory. */
  async prefetch(): Promise<void> {
    const singleKeys: CounterKey[] = [];
    const queries: { partition: string; range: SortKeyRange }[] = [];
    for (const [partition, ranges] of this.wanted) {
      if (this.direct.readsWhole?.(partition) === true) {
        // Read whole anyway (an organisation's entries): once, for the span of every range asked.
        const all = [...ranges.values()];
        queries.push({ partition, range: all.reduce((span, r) => ({ from: r.from < span.from ? r.from : span.from, to: r.to > span.to ? r.to : span.to })) });
        continue;
      }
      const longer: SortKeyRange[] = [];
      for (const range of ranges.values()) {
        if (range.from === range.to && this.batch !== undefined) singleKeys.push({ partition, sk: range.from });
        else longer.push(range);
      }
      for (const range of mergeOverlapping(longer)) queries.push({ partition, range });
    }
    const batches: CounterKey[][] = [];
    for (let i = 0; i < singleKeys.length; i += maxKeysPerBatch) batches.push(singleKeys.slice(i, i + maxKeysPerBatch));
    await Promise.all([
      mapWithConcurrency(batches, analyticsConcurrency, async (keys) => {
        for (const item of await (this.batch as CounterItemBatchReader).itemsByKey(keys)) this.singles.set(keyOf(item.partition, item.sk), item);
        for (const key of keys) this.fetchedSingles.add(keyOf(key.partition, key.sk));
      }),
      mapWithConcurrency(queries, analyticsConcurrency, async ({ partition, range }) => {
        const items = await this.direct.itemsInRange(partition, range);
        const runs = this.runs.get(partition) ?? [];
        runs.push({ range, items });
        this.runs.set(partition, runs);
      }),
    ]);
    this.planning = false;
  }
}

/** Ranges merged where they overlap: their union, as few runs as that allows. */
export function mergeOverlapping(ranges: readonly SortKeyRange[]): SortKeyRange[] {
  const sorted = [...ranges].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const merged: SortKeyRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && range.from <= last.to) merged[merged.length - 1] = { from: last.from, to: range.to > last.to ? range.to : last.to };
    else merged.push(range);
  }
  return merged;
}

/** Baselines read once per metric per request, however many cells ask. */
class BaselinesReadOnce implements BaselineReader {
  private readonly byMetric = new Map<Metric, Promise<readonly RecordedBaseline[]>>();

  constructor(private readonly reader: BaselineReader) {}

  baselinesOf(metric: Metric): Promise<readonly RecordedBaseline[]> {
    let pending = this.byMetric.get(metric);
    if (pending === undefined) {
      pending = this.reader.baselinesOf(metric);
      this.byMetric.set(metric, pending);
    }
    return pending;
  }
}

/** The analytics computation over the Counters table: plan, fetch in bulk, compute. */
export class BatchedIndicatorComputation implements IndicatorComputation {
  constructor(
    private readonly counters: CounterSource,
    private readonly batch: CounterItemBatchReader | undefined,
    private readonly baselines: BaselineReader | undefined,
    private readonly divisions: DivisionTree,
  ) {}

  async evaluateAll(definitions: readonly IndicatorDefinition[], cells: readonly FigureCell[]): Promise<IndicatorValue[][]> {
    const reads = new PlannedCounterReads(this.counters, this.batch);
    const baselines = this.baselines === undefined ? noBaselines : new RecordedBaselines(new BaselinesReadOnce(this.baselines), reads, this.divisions);
    const evaluator = new IndicatorEvaluator(reads, (division) => this.divisions.subtree(division), baselines);
    const evaluateEach = (): Promise<IndicatorValue[][]> =>
      mapWithConcurrency(cells, analyticsConcurrency, ({ scope, period }) => evaluator.evaluate(definitions, scope, period));
    await evaluateEach();
    await reads.prefetch();
    return evaluateEach();
  }
}
