import type { CounterDelta, ItemDelta } from './decision.ts';
import { counterKeys } from './metrics.ts';

/** The net change one event makes to one counter item. */
export interface CounterChange {
  readonly pk: string;
  readonly sk: string;
  readonly amounts: Readonly<Record<string, number>>;
}

/**
 * Turns metric deltas into per-item counter changes: each delta counts in
 * its organisations and in its divisions and all their ancestors, on the
 * day, month and year of its date. Overlapping scopes are merged (a division
 * is counted once however many deltas reach it) and zero nets are dropped.
 */
export function counterChanges(
  deltas: readonly CounterDelta[],
  lineage: (division: string) => readonly string[],
  itemDeltas: readonly ItemDelta[] = [],
): CounterChange[] {
  const items = new Map<string, { pk: string; sk: string; amounts: Record<string, number> }>();
  const addTo = (pk: string, sk: string, metric: string, amount: number): void => {
    const id = `${pk}|${sk}`;
    const item = items.get(id) ?? { pk, sk, amounts: {} };
    item.amounts[metric] = (item.amounts[metric] ?? 0) + amount;
    items.set(id, item);
  };
  for (const d of itemDeltas) addTo(d.pk, d.sk, d.metric, d.amount);
  for (const delta of deltas) {
    const scopes = new Set<string>([
      ...delta.orgCodes.map(counterKeys.org),
      ...delta.divisions.flatMap((d) => lineage(d)).map(counterKeys.division),
    ]);
    for (const pk of scopes) {
      for (const sk of [counterKeys.day(delta.date), counterKeys.month(delta.date), counterKeys.year(delta.date)]) {
        addTo(pk, sk, delta.metric, delta.amount);
      }
    }
  }
  const out: CounterChange[] = [];
  for (const item of items.values()) {
    const amounts = Object.fromEntries(Object.entries(item.amounts).filter(([, v]) => v !== 0));
    if (Object.keys(amounts).length > 0) out.push({ pk: item.pk, sk: item.sk, amounts });
  }
  return out;
}
