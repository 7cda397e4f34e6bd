/**
 * Organisations' figures in maintenance. The processor writes no `ORG#`
 * counter items: an organisation's figure is the fold of its explain entries
 * plus the correction items (`R#M#…`) a rebuild wrote where its
 * recomputation differed from that fold (packages/indicators/org-figures.ts
 * reads them so). Reconcile compares that sum with the recomputation; a
 * rebuild writes the difference. Both in the canonical form of
 * domain/explain.ts.
 */
import { isOrgPartition } from '../domain/counter-changes.ts';
import type { FoldedItems, StoredCells } from '../domain/explain.ts';
import { addCanonical, addCorrections, canonicalItems, foldEntries, withoutZeros } from '../domain/explain.ts';
import { counterKeys } from '../domain/metrics.ts';
import type { CounterAmounts, Recomputation } from './recompute.ts';
import { counterItemKey, counterItemKeyParts } from './recompute.ts';
import type { CounterTableItem } from './reconcile.ts';
import { numericAttributes } from './reconcile.ts';

/** `pk|sk` → amounts, the recomputation's layout. */
function asItemMap(items: FoldedItems): Map<string, CounterAmounts> {
  const out = new Map<string, CounterAmounts>();
  for (const [pk, partition] of items) for (const [sk, amounts] of partition) out.set(counterItemKey(pk, sk), { ...amounts });
  return out;
}

/** The recomputation's `ORG#` items, canonical. */
function recomputedOrgs(recomputed: Recomputation): FoldedItems {
  return canonicalItems([...recomputed.counters].filter(([key]) => isOrgPartition(key)).map(([key, amounts]) => ({ ...counterItemKeyParts(key), amounts })));
}

/** The recomputation as reconcile compares it: organisations' items canonical, the rest as stored. */
export function comparableRecomputation(recomputed: Recomputation): Recomputation {
  const counters = new Map([...recomputed.counters].filter(([key]) => !isOrgPartition(key)));
  for (const [key, amounts] of asItemMap(recomputedOrgs(recomputed))) counters.set(key, amounts);
  return { ...recomputed, counters };
}

/** The live Counters items as reconcile compares them: each organisation's as its folded entries plus its stored items, canonical. */
export function comparableLive(live: readonly CounterTableItem[], orgEntries: readonly StoredCells[]): CounterTableItem[] {
  // Month items an earlier version wrote count nowhere: a rebuild deletes them.
  const orgItems = live.filter((item) => isOrgPartition(item.pk)).map((item) => ({ pk: item.pk, sk: item.sk, amounts: numericAttributes(item) }));
  const orgs = addCorrections(foldEntries(orgEntries), orgItems);
  const folded = [...orgs].flatMap(([pk, partition]) => [...partition].map(([sk, amounts]) => ({ ...amounts, pk, sk })));
  return [...live.filter((item) => !isOrgPartition(item.pk)), ...folded];
}

/**
 * What a rebuild writes to the Counters table: the divisions' items as
 * recomputed, and for organisations the recomputation less the fold of their
 * entries, as correction items, only where that is not zero (none when the
 * entries already give the recomputed figures, as on any table the processor
 * alone wrote).
 */
export function countersToWrite(recomputed: Recomputation, orgEntries: readonly StoredCells[]): Map<string, CounterAmounts> {
  const out = new Map([...recomputed.counters].filter(([key]) => !isOrgPartition(key)));
  const difference = recomputedOrgs(recomputed);
  for (const [pk, partition] of foldEntries(orgEntries)) {
    for (const [sk, amounts] of partition) for (const [attribute, amount] of Object.entries(amounts)) addCanonical(difference, pk, sk, attribute, -amount);
  }
  for (const [pk, partition] of withoutZeros(difference)) {
    for (const [sk, amounts] of partition) out.set(counterItemKey(pk, counterKeys.orgCorrection(sk)), { ...amounts });
  }
  return out;
}
