/**
 * Counters held in memory, laid out exactly as the processor writes them to
 * the Counters table: for tests and local experiments.
 */
import { counterKeys } from '../domain/metrics.ts';
import type { CounterItem, CounterSource, SortKeyRange } from './counter-source.ts';
import type { CalendarDate } from './period.ts';

export class InMemoryCounterSource implements CounterSource {
  private readonly partitions = new Map<string, Map<string, Record<string, bigint>>>();
  /** Ranges read so far, to show how many reads a request costs. */
  readonly reads: { partition: string; range: SortKeyRange }[] = [];

  /** Adds `amount` to `attribute` of one item, as an `ADD` update would. */
  add(partition: string, sk: string, attribute: string, amount: number | bigint): this {
    let items = this.partitions.get(partition);
    if (items === undefined) this.partitions.set(partition, (items = new Map()));
    let item = items.get(sk);
    if (item === undefined) items.set(sk, (item = {}));
    item[attribute] = (item[attribute] ?? 0n) + BigInt(amount);
    return this;
  }

  /** Records a net change of `metric` on `date` at `partition` (its own share), as the processor does. */
  addNetChange(partition: string, date: CalendarDate, metric: string, amount: number | bigint): this {
    return this.add(partition, counterKeys.month(date), counterKeys.dayAttribute(metric, date), amount);
  }

  itemsInRange(partition: string, range: SortKeyRange): Promise<readonly CounterItem[]> {
    this.reads.push({ partition, range });
    const found = [...(this.partitions.get(partition) ?? new Map<string, Record<string, bigint>>())]
      .filter(([sk]) => sk >= range.from && sk <= range.to)
      .map(([sk, values]) => ({ sk, values: { ...values } }));
    return Promise.resolve(found);
  }
}
