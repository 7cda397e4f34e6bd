/**
 * An organisation's counter partition, as the evaluator reads it: the fold of
 * its explain entries (domain/explain.ts, foldEntries), a rebuild's correction
 * entries among them (none on a healthy table). The processor writes no
 * `ORG#` counter items: every change to an organisation is already written
 * once, as the `xo` cells of the event's entry. A division's partition is
 * read as stored.
 */
import { isOrgPartition } from '../domain/counter-changes.ts';
import type { StoredCells } from '../domain/explain.ts';
import { foldEntries } from '../domain/explain.ts';
import type { CounterItem, CounterSource, SortKeyRange } from './counter-source.ts';

/** Every explain entry recorded at one organisation (its `ExplainByOrg` partition), cells exact. */
export type OrgEntries = (partition: string) => Promise<readonly StoredCells[]>;

export class OrgFoldingCounterSource implements CounterSource {
  constructor(
    private readonly counters: CounterSource,
    private readonly entries: OrgEntries,
  ) {}

  readsWhole(partition: string): boolean {
    return isOrgPartition(partition);
  }

  async itemsInRange(partition: string, range: SortKeyRange): Promise<readonly CounterItem[]> {
    if (!isOrgPartition(partition)) return this.counters.itemsInRange(partition, range);
    // All of its entries: a first-date cell is filed under its event's own date, which can lie outside the range it counts in.
    const folded = foldEntries(await this.entries(partition));
    return [...(folded.get(partition) ?? new Map<string, Record<string, bigint>>())]
      .filter(([sk]) => sk >= range.from && sk <= range.to)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([sk, values]) => ({ sk, values }));
  }
}
