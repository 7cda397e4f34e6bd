/**
 * Compares the live Counters table with a recomputation, exactly (bigint). Counter items hold
 * net changes, so a missing item or attribute means 0 and a live 0 against a
 * recomputed absence is no difference. Baseline items are compared by value:
 * there an absent balance and a balance of 0 do differ (0 resets a stock).
 */
import { counterKeys } from '../domain/metrics.ts';
import type { Recomputation } from './recompute.ts';
import { counterItemKey, counterItemKeyParts } from './recompute.ts';

/** A Counters table item as scanned: `pk`, `sk` and its attributes. */
export type CounterTableItem = Readonly<Record<string, unknown>> & { readonly pk: string; readonly sk: string };

/** One metric of one item whose live value is not what the recorded events give. */
export interface CounterDifference {
  readonly pk: string;
  readonly sk: string;
  readonly metric: string;
  /** For a baseline item, null when the item is absent. */
  readonly live: number | null;
  readonly recomputed: number | null;
}

export interface Reconciliation {
  readonly differences: readonly CounterDifference[];
  /** Distinct items compared (live or recomputed). */
  readonly checkedItems: number;
}

const baselinePrefix = counterKeys.baseline('');

/** True for the Counters items that hold opening balances rather than net changes. */
export function isBaselineItem(pk: string): boolean {
  return pk.startsWith(baselinePrefix);
}

/**
 * Every difference between `live` and `recomputed`, sorted by pk, sk, metric.
 * Attributes that are not numbers (and the keys) are not metrics and are
 * ignored on counter items.
 */
export function reconcile(live: Iterable<CounterTableItem>, recomputed: Recomputation): Reconciliation {
  const differences: CounterDifference[] = [];
  const liveCounters = new Map<string, CounterTableItem>();
  const liveBaselines = new Map<string, CounterTableItem>();
  for (const item of live) (isBaselineItem(item.pk) ? liveBaselines : liveCounters).set(counterItemKey(item.pk, item.sk), item);

  const counterKeysSeen = new Set([...liveCounters.keys(), ...recomputed.counters.keys()]);
  for (const key of counterKeysSeen) {
    const liveItem = liveCounters.get(key);
    const expected = recomputed.counters.get(key) ?? {};
    const liveAmounts = liveItem === undefined ? {} : numericAttributes(liveItem);
    const [pk = '', sk = ''] = splitKey(key, liveItem);
    for (const metric of new Set([...Object.keys(liveAmounts), ...Object.keys(expected)])) {
      const was = liveAmounts[metric] ?? 0n;
      const should = expected[metric] ?? 0n;
      if (was !== should) differences.push({ pk, sk, metric, live: Number(was), recomputed: Number(should) });
    }
  }

  const expectedBaselines = new Map(recomputed.baselines.map((b) => [counterItemKey(b.pk, b.sk), b]));
  const baselineKeysSeen = new Set([...liveBaselines.keys(), ...expectedBaselines.keys()]);
  for (const key of baselineKeysSeen) {
    const liveItem = liveBaselines.get(key);
    const expected = expectedBaselines.get(key);
    const liveValue = liveItem?.['value'];
    const was = typeof liveValue === 'number' || typeof liveValue === 'bigint' ? Number(liveValue) : null;
    const should = expected?.value ?? null;
    if (was !== should || (liveItem !== undefined) !== (expected !== undefined)) {
      const pk = liveItem?.pk ?? expected?.pk ?? '';
      const sk = liveItem?.sk ?? expected?.sk ?? '';
      differences.push({ pk, sk, metric: pk.slice(baselinePrefix.length), live: was, recomputed: should });
    }
  }

  differences.sort((a, b) => compare(a.pk, b.pk) || compare(a.sk, b.sk) || compare(a.metric, b.metric));
  return { differences, checkedItems: counterKeysSeen.size + baselineKeysSeen.size };
}

/** The metric attributes of a counter item, exact (read as bigint, or as number by older readers). */
export function numericAttributes(item: CounterTableItem): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name === 'pk' || name === 'sk') continue;
    if (typeof value === 'bigint') out[name] = value;
    else if (typeof value === 'number' && Number.isInteger(value)) out[name] = BigInt(value);
  }
  return out;
}

/** pk and sk of a `pk|sk` key: the live item's own where there is one. */
function splitKey(key: string, liveItem: CounterTableItem | undefined): [string, string] {
  const { pk, sk } = liveItem ?? counterItemKeyParts(key);
  return [pk, sk];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
