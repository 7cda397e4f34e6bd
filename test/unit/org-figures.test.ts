/**
 * An organisation's counter partition as the evaluator reads it: the fold of
 * its explain entries plus the items a rebuild wrote (org-figures.ts).
 */
import { describe, expect, it } from 'vitest';
import type { StoredCells } from '../../packages/domain/explain.ts';
import { InMemoryCounterSource } from '../../packages/indicators/in-memory-counter-source.ts';
import { OrgFoldingCounterSource } from '../../packages/indicators/org-figures.ts';
import { BatchedIndicatorComputation } from '../../packages/api/batched-evaluation.ts';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { IndicatorEvaluator } from '../../packages/indicators/evaluator.ts';
import { CounterLayoutReader } from '../../packages/indicators/counter-ranges.ts';
import { parsePeriod } from '../../packages/indicators/period.ts';
import { metrics } from '../../packages/domain/metrics.ts';

const org = 'ORG#91500233MA00000001';
const entries: StoredCells[] = [
  { scope: org, day: '2026-03-03', cells: { skilled: 2 } },
  { scope: org, day: '2026-03-20', cells: { skilled: -1, trained_workers: 1, 'trained_workers|M#2026-03': 1, 'trained_workers|Q#2026-Q1': 1, 'trained_workers|Y#2026': 1, 'trained_workers|A#ALL': 1 } },
  // A late report filed in May that moves a first date into February: its quarter cell is filed under its own date.
  { scope: org, day: '2026-05-02', cells: { 'trained_workers|Q#2026-Q1': 0, reward_fen: 900719925474099 } },
  { scope: org, day: '2026-05-03', cells: { reward_fen: 900719925474099 } },
];

function sourceWith(stored: InMemoryCounterSource): { source: OrgFoldingCounterSource; asked: string[] } {
  const asked: string[] = [];
  const source = new OrgFoldingCounterSource(stored, (partition) => {
    asked.push(partition);
    return Promise.resolve(entries.filter((e) => e.scope === partition));
  });
  return { source, asked };
}

describe("an organisation's folded partition", () => {
  it('reads its net changes, distinct counts and exact money from its entries', async () => {
    const { source, asked } = sourceWith(new InMemoryCounterSource());
    const reader = new CounterLayoutReader(source, () => []);
    const scope = { orgCode: org.slice(4) };
    const net = await reader.netChanges(scope, '2026-01-01', '2026-12-31', [metrics.skilled, metrics.rewardFen]);
    // Two rewards of 9,007,199,254,740.99 yuan: past 2^53 fen, exact.
    expect(Object.fromEntries(net)).toEqual({ skilled: 1n, reward_fen: 1801439850948198n });
    for (const period of ['2026-03', '2026-Q1', '2026', 'all']) expect(await reader.distinctCount(scope, parsePeriod(period), metrics.trainedWorkers)).toBe(1n);
    expect(await reader.distinctCount(scope, parsePeriod('2026-Q2'), metrics.trainedWorkers)).toBe(0n);
    expect(asked.every((p) => p === org)).toBe(true);
  });

  it('reads an organisation from its entries alone, ignoring items an earlier version wrote in its partition, and a division as stored', async () => {
    // A correction item and a month item as earlier versions wrote them: neither is read.
    const stored = new InMemoryCounterSource().add(org, 'R#M#2026-03', 'skilled@03', 5).add(org, 'M#2026-03', 'skilled@03', 50).addNetChange('DIV#500233001000', '2026-03-03', 'skilled', 7);
    const { source, asked } = sourceWith(stored);
    expect(await source.itemsInRange(org, { from: 'M#2026-03', to: 'M#2026-03' })).toEqual([
      { sk: 'M#2026-03', values: { 'skilled@03': 2n, 'skilled@20': -1n, 'trained_workers@20': 1n, trained_workers: 1n } },
    ]);
    expect(await source.itemsInRange('DIV#500233001000', { from: 'M#2026-01', to: 'M#2026-12' })).toEqual([{ sk: 'M#2026-03', values: { 'skilled@03': 7n } }]);
    expect(asked).toEqual([org]);
  });

  it("is read once per request, for every cell and indicator asked, with the same figures as cell by cell", async () => {
    const stored = new InMemoryCounterSource().addNetChange('DIV#500233001000', '2026-03-03', 'skilled', 7);
    const { source, asked } = sourceWith(stored);
    const tree = new DivisionTree(defaultDeploymentConfig.root);
    const cells = ['2026', '2026-Q1', '2026-03', '2026-05-02', 'all'].map((p) => ({ scope: { orgCode: org.slice(4) }, period: parsePeriod(p) }));
    const batch = { itemsByKey: () => Promise.reject(new Error('an organisation is not read by key')) };
    const batched = await new BatchedIndicatorComputation(source, batch, undefined, tree).evaluateAll(indicatorCatalog, cells);
    expect(asked).toEqual([org]);
    const one = new IndicatorEvaluator(source, (d) => tree.subtree(d));
    expect(batched).toEqual(await Promise.all(cells.map(({ scope, period }) => one.evaluate(indicatorCatalog, scope, period))));
    expect(batched.flat().some((v) => v.value !== null && v.value !== 0)).toBe(true);
  });
});
