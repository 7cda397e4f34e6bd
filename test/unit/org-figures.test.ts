/**
 * An organisation's counter partition as the evaluator reads it: the fold of
 * its explain entries plus the items a rebuild wrote (org-figures.ts).
 */
import { describe, expect, it } from 'vitest';
import type { StoredCells } from '../../packages/domain/explain.ts';
import { InMemoryCounterSource } from '../../packages/indicators/in-memory-counter-source.ts';
import { OrgFoldingCounterSource, OrgFoldingKeyReader } from '../../packages/indicators/org-figures.ts';
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

  it('adds the corrections a rebuild wrote to the fold, ignores other items of the partition, and reads a division as stored', async () => {
    // A rebuild's correction, and a month item an earlier version wrote (not read).
    const stored = new InMemoryCounterSource().add(org, 'R#M#2026-03', 'skilled@03', 5).add(org, 'M#2026-03', 'skilled@03', 50).addNetChange('DIV#500233001000', '2026-03-03', 'skilled', 7);
    const { source, asked } = sourceWith(stored);
    expect(await source.itemsInRange(org, { from: 'M#2026-03', to: 'M#2026-03' })).toEqual([
      { sk: 'M#2026-03', values: { 'skilled@03': 7n, 'skilled@20': -1n, 'trained_workers@20': 1n, trained_workers: 1n } },
    ]);
    expect(await source.itemsInRange('DIV#500233001000', { from: 'M#2026-01', to: 'M#2026-12' })).toEqual([{ sk: 'M#2026-03', values: { 'skilled@03': 7n } }]);
    expect(asked).toEqual([org]);
  });

  it('answers key reads of an organisation from its fold, one read of its entries for all its keys', async () => {
    const stored = new InMemoryCounterSource().addNetChange('DIV#500233001000', '2026-03-03', 'skilled', 7);
    const { source, asked } = sourceWith(stored);
    const batch = { itemsByKey: (keys: readonly { partition: string; sk: string }[]) => Promise.resolve(keys.flatMap((k) => (k.partition.startsWith('DIV#') ? [{ partition: k.partition, sk: k.sk, values: { 'skilled@03': 7n } }] : []))) };
    const items = await new OrgFoldingKeyReader(batch, source).itemsByKey([
      { partition: org, sk: 'M#2026-01' },
      { partition: org, sk: 'M#2026-05' },
      { partition: 'DIV#500233001000', sk: 'M#2026-03' },
      { partition: org, sk: 'M#2026-07' },
    ]);
    expect(items).toEqual([
      { partition: 'DIV#500233001000', sk: 'M#2026-03', values: { 'skilled@03': 7n } },
      { partition: org, sk: 'M#2026-01', values: { 'trained_workers@Q': 1n, 'trained_workers@Y': 1n } },
      { partition: org, sk: 'M#2026-05', values: { 'reward_fen@02': 900719925474099n, 'reward_fen@03': 900719925474099n } },
    ]);
    expect(asked).toEqual([org]);
  });
});
