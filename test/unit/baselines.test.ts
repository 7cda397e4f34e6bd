import { describe, expect, it } from 'vitest';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { counterKeys, metrics } from '../../packages/domain/metrics.ts';
import { findIndicator } from '../../packages/indicators/catalog.ts';
import type { IndicatorDefinition } from '../../packages/indicators/catalog.ts';
import { IndicatorEvaluator } from '../../packages/indicators/evaluator.ts';
import { InMemoryCounterSource } from '../../packages/indicators/in-memory-counter-source.ts';
import { parsePeriod } from '../../packages/indicators/period.ts';
import type { RecordedBaseline } from '../../packages/indicators/recorded-baselines.ts';
import { RecordedBaselines } from '../../packages/indicators/recorded-baselines.ts';

const tree = new DivisionTree(defaultDeploymentConfig.root);
const county = tree.rootCode;
const [townA, townB] = tree.children(county) as [string, string];
const skilled = findIndicator('skilled_workers') as IndicatorDefinition;

function setUp(baselines: RecordedBaseline[]) {
  const counters = new InMemoryCounterSource();
  // Events count at the township and the county, as the processor writes them.
  const change = (division: string, date: string, amount: number) => {
    // Recorded at the township only: the county adds up its subtree.
    counters.addNetChange(counterKeys.division(division), date, metrics.skilled, amount);
  };
  const evaluator = new IndicatorEvaluator(
    counters,
    (d) => tree.subtree(d),
    new RecordedBaselines({ baselinesOf: () => Promise.resolve(baselines) }, counters, tree),
  );
  const at = async (division: string, period: string) =>
    (await evaluator.evaluate([skilled], { division }, parsePeriod(period)))[0]?.value;
  return { change, at };
}

describe('stocks with baselines', () => {
  it('is the latest baseline at or before the date plus the net change after it', async () => {
    const { change, at } = setUp([
      { metric: 'skilled', division: townA, asOf: '2025-12-31', value: 1000 },
      { metric: 'skilled', division: townA, asOf: '2026-06-30', value: 1500 },
    ]);
    change(townA, '2025-06-01', 7); // absorbed by the baseline
    change(townA, '2026-03-01', 10);
    change(townA, '2026-06-30', 99); // on the asOf date: inside the June baseline
    change(townA, '2026-08-01', 5);
    expect(await at(townA, '2025-11')).toBe(7);
    expect(await at(townA, '2025')).toBe(1000);
    expect(await at(townA, '2026-Q1')).toBe(1010);
    expect(await at(townA, '2026-06')).toBe(1500);
    expect(await at(townA, '2026')).toBe(1505);
  });

  it('adds the townships up at the county when only townships record baselines, late events included', async () => {
    const { change, at } = setUp([
      { metric: 'skilled', division: townA, asOf: '2025-12-31', value: 1000 },
      { metric: 'skilled', division: townB, asOf: '2025-12-31', value: 2000 },
    ]);
    change(townA, '2026-02-01', 3);
    change(townB, '2026-02-01', 4);
    change(townB, '2025-11-01', 50); // arrives late, dated before the baseline: absorbed
    expect(await at(townA, '2026')).toBe(1003);
    expect(await at(townB, '2026')).toBe(2004);
    expect(await at(county, '2026')).toBe(3007);
    expect(await at(county, '2025-10')).toBe(0);
  });

  it("uses the county's own baseline when it has one", async () => {
    const { change, at } = setUp([
      { metric: 'skilled', division: county, asOf: '2025-12-31', value: 114_000 },
      { metric: 'skilled', division: townA, asOf: '2025-12-31', value: 1000 },
    ]);
    change(townA, '2026-02-01', 300);
    expect(await at(county, '2026')).toBe(114_300);
    expect(await at(townA, '2026')).toBe(1300);
  });
});
