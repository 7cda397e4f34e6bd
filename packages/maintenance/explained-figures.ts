/**
 * Figures and their explain entries in maintenance. The processor writes a
 * division's counter items and every event's explain entries in one
 * transaction, and no `ORG#` counter items: an organisation's figure is the
 * fold of its entries (packages/indicators/org-figures.ts). So each
 * figure is explained by its entries — baseline plus the listed events'
 * effects — as long as the entries add up to the replay. Reconcile checks
 * that for every scope; a rebuild that finds them short writes the
 * difference as correction entries (a run of its own, listed beside the
 * events), never counter items. All in the canonical form of
 * domain/explain.ts.
 */
import { isOrgPartition } from '../domain/counter-changes.ts';
import type { ExplainEntry, FoldedItems } from '../domain/explain.ts';
import { canonicalItems, entriesOfFolded, foldedDifference } from '../domain/explain.ts';
import type { CounterAmounts, Recomputation } from './recompute.ts';
import { counterItemKey, counterItemKeyParts } from './recompute.ts';
import type { CounterTableItem } from './reconcile.ts';

/**
 * Who a rebuild's correction entries name, where an event's entries name
 * the event: its explain rows read `source` `reform-indicators`, `id`
 * `rebuild-<its time>`, `type` `rebuild.correction`.
 */
export const correctionRun = {
  source: 'reform-indicators',
  type: 'rebuild.correction',
  id: (at: Date): string => `rebuild-${at.toISOString().replace(/[-:]/g, '')}`,
} as const;

/**
 * Where reconcile lists a difference between a division's explain entries
 * and the replay: `X#M#2026-03` beside the division's own `M#2026-03` item
 * (which it compares as stored).
 */
export const explainedSk = (sk: string): string => `X#${sk}`;

/** Every partition of the recomputation (divisions' and organisations'), canonical. */
function canonicalRecomputation(recomputed: Recomputation): FoldedItems {
  return canonicalItems([...recomputed.counters].map(([key, amounts]) => ({ ...counterItemKeyParts(key), amounts })));
}

/** Canonical items as reconcile compares them: an organisation's under its month, a division's entries under {@link explainedSk}. */
function comparable(items: FoldedItems): Map<string, CounterAmounts> {
  const out = new Map<string, CounterAmounts>();
  for (const [pk, partition] of items) {
    for (const [sk, amounts] of partition) out.set(counterItemKey(pk, isOrgPartition(pk) ? sk : explainedSk(sk)), { ...amounts });
  }
  return out;
}

/**
 * The recomputation as reconcile compares it: divisions' items as stored,
 * and every scope's figures as its entries must add them up.
 */
export function comparableRecomputation(recomputed: Recomputation): Recomputation {
  const counters = new Map([...recomputed.counters].filter(([key]) => !isOrgPartition(key)));
  for (const [key, amounts] of comparable(canonicalRecomputation(recomputed))) counters.set(key, amounts);
  return { ...recomputed, counters };
}

/**
 * The live tables as reconcile compares them: divisions' Counters items as
 * stored, and every scope's entries as they fold (`entries`: foldEntries of
 * them). `ORG#` items an earlier version wrote (month items, correction
 * items) count nowhere: a rebuild deletes them.
 */
export function comparableLive(live: readonly CounterTableItem[], entries: FoldedItems): CounterTableItem[] {
  const folded = [...comparable(entries)].map(([key, amounts]) => ({ ...amounts, ...counterItemKeyParts(key) }));
  return [...live.filter((item) => !isOrgPartition(item.pk)), ...folded];
}

/** What a rebuild writes to the Counters table: the divisions' items as recomputed (organisations have none). */
export function countersToWrite(recomputed: Recomputation): Map<string, CounterAmounts> {
  return new Map([...recomputed.counters].filter(([key]) => !isOrgPartition(key)));
}

/**
 * What a rebuild writes as correction entries: the recomputation less the
 * fold of the stored entries (`entries`: foldEntries of them), for every
 * scope, as entries (none when the entries already add up to the replay, as
 * on any table the processor alone wrote). `date`: the rebuild's day. More than one list only for an amount
 * past 2^53 (entriesOfFolded).
 */
export function correctionEntries(recomputed: Recomputation, entries: FoldedItems, date: string): ExplainEntry[][] {
  return entriesOfFolded(foldedDifference(canonicalRecomputation(recomputed), entries), date);
}
