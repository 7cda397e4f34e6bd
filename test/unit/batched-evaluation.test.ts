import { describe, expect, it } from 'vitest';
import type { CounterKey, CounterItemBatchReader } from '../../packages/api/batched-evaluation.ts';
import { BatchedIndicatorComputation, maxKeysPerBatch, mergeOverlapping } from '../../packages/api/batched-evaluation.ts';
import { DivisionTree } from '../../packages/config/deployment.ts';
import { zhongCounty } from '../../packages/config/zhong-county.ts';
import { counterKeys, distinctMetrics, metrics } from '../../packages/domain/metrics.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { IndicatorEvaluator } from '../../packages/indicators/evaluator.ts';
import { InMemoryCounterSource } from '../../packages/indicators/in-memory-counter-source.ts';
import { parsePeriod } from '../../packages/indicators/period.ts';
import type { BaselineReader, RecordedBaseline } from '../../packages/indicators/recorded-baselines.ts';
import { RecordedBaselines } from '../../packages/indicators/recorded-baselines.ts';

const tree = new DivisionTree(zhongCounty);
const county = tree.rootCode;
const townships = tree.children(county);

/** Counters in every division over two years, and baselines for two townships. */
function world(): { counters: InMemoryCounterSource; baselines: BaselineReader; baselineReads: () => number } {
  const counters = new InMemoryCounterSource();
  const metricList = Object.values(metrics);
  let n = 0;
  for (const division of [county, ...townships]) {
    for (const date of ['2025-03-02', '2025-12-31', '2026-01-01', '2026-02-14', '2026-06-30', '2026-11-02']) {
      for (const metric of metricList.slice(0, 20)) counters.addNetChange(counterKeys.division(division), date, metric, (n++ % 7) + 1);
    }
    // Distinct-count cells of every kind: a day's, a month's, and first dates of a quarter, a year and all time.
    for (const [sk, suffix] of [['M#2026-02', '@14'], ['M#2026-02', ''], ['M#2026-02', '@Q'], ['M#2026-01', '@Y'], ['M#2025-12', '@A']] as const) {
      for (const metric of distinctMetrics) counters.add(counterKeys.division(division), sk, `${metric}${suffix}`, 2);
    }
  }
  const recorded: RecordedBaseline[] = [
    { metric: metrics.skilled, division: townships[0] as string, asOf: '2025-12-31', value: 1000 },
    { metric: metrics.skilled, division: townships[1] as string, asOf: '2026-06-30', value: 400 },
  ];
  let reads = 0;
  const baselines: BaselineReader = {
    baselinesOf: (metric) => {
      reads++;
      return Promise.resolve(recorded.filter((b) => b.metric === metric));
    },
  };
  return { counters, baselines, baselineReads: () => reads };
}

/** BatchGetItem over the in-memory counters: answers each key that exists. */
class InMemoryBatch implements CounterItemBatchReader {
  calls: number[] = [];
  constructor(private readonly counters: InMemoryCounterSource) {}
  async itemsByKey(keys: readonly CounterKey[]) {
    this.calls.push(keys.length);
    const out = [];
    for (const key of keys) {
      const [item] = await this.counters.itemsInRange(key.partition, { from: key.sk, to: key.sk });
      if (item !== undefined) out.push({ ...item, partition: key.partition });
    }
    return out;
  }
}

describe('BatchedIndicatorComputation', () => {
  const periods = ['2026', '2026-Q1', '2026-02', '2026-02-14', '2025-12', 'all', '2026-06-30'].map(parsePeriod);
  const cells = [county, ...townships].flatMap((division) => periods.map((period) => ({ scope: { division }, period })));

  it('computes every indicator exactly as the one-cell evaluator does, stocks with baselines included', async () => {
    const plain = world();
    const evaluator = new IndicatorEvaluator(plain.counters, (d) => tree.subtree(d), new RecordedBaselines(plain.baselines, plain.counters, tree));
    const expected = await Promise.all(cells.map(({ scope, period }) => evaluator.evaluate(indicatorCatalog, scope, period)));

    const batched = world();
    const batch = new InMemoryBatch(batched.counters);
    const actual = await new BatchedIndicatorComputation(batched.counters, batch, batched.baselines, tree).evaluateAll(indicatorCatalog, cells);
    expect(actual).toEqual(expected);

    // Reads: single items by batch (≤ 100 keys a call), longer ranges merged, baselines once per metric.
    expect(batch.calls.every((n) => n <= maxKeysPerBatch)).toBe(true);
    const directReads = batched.counters.reads.length - batch.calls.reduce((s, n) => s + n, 0);
    expect(directReads + batch.calls.length).toBeLessThan(plain.counters.reads.length / 5);
    expect(batched.baselineReads()).toBeLessThan(plain.baselineReads() / 10);
  });

  it('merges overlapping ranges into their union, and keeps apart ranges that do not overlap', () => {
    expect(
      mergeOverlapping([
        { from: 'M#2026-01', to: 'M#2026-03' },
        { from: 'Y#0000', to: 'Y#2025' },
        { from: 'M#2026-01', to: 'M#2026-06' },
        { from: 'Y#0000', to: 'Y#2024' },
        { from: 'M#2027-01', to: 'M#2027-02' },
      ]),
    ).toEqual([
      { from: 'M#2026-01', to: 'M#2026-06' },
      { from: 'M#2027-01', to: 'M#2027-02' },
      { from: 'Y#0000', to: 'Y#2025' },
    ]);
  });
});
