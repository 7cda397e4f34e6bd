import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import type { RewardPolicy } from '../../packages/config/deployment.ts';
import type { DomainEvent } from '../../packages/domain/apply-event.ts';
import { distinctCells } from '../../packages/domain/counter-changes.ts';
import { distinctMetrics } from '../../packages/domain/metrics.ts';
import type { Metric } from '../../packages/domain/metrics.ts';
import { rankOf } from '../../packages/domain/rank.ts';
import { InMemoryLedger as ReplayLedger } from '../../packages/maintenance/recompute.ts';

export const divisions = new DivisionTree(defaultDeploymentConfig.root);
export const county = divisions.rootCode;

let sequence = 0;

/** A domain event for pure tests: source `test`, a fresh id, ranked by date, then creation. */
export function domainEvent(type: DomainEvent['type'], date: string, data: Record<string, unknown>, id = `e-${String(++sequence).padStart(6, '0')}`): DomainEvent {
  const time = `${date}T12:00:00+08:00`;
  return { type, source: 'test', id, date, rank: rankOf({ date, time, source: 'test', id }), data } as unknown as DomainEvent;
}

/** First and last day of a period key: `Y#2026`, `Q#2026-Q2`, `M#2026-06`, `D#2026-06-01`, `A#ALL`. */
function daysOf(sk: string): [string, string] {
  const text = sk.slice(2);
  if (sk.startsWith('Y#')) return [`${text}-01-01`, `${text}-12-31`];
  if (sk.startsWith('M#')) return [`${text}-01`, `${text}-31`];
  if (sk.startsWith('D#')) return [text, text];
  if (sk.startsWith('Q#')) {
    const q = Number(text.slice(-1));
    const pad = (n: number) => String(n).padStart(2, '0');
    return [`${text.slice(0, 4)}-${pad(q * 3 - 2)}-01`, `${text.slice(0, 4)}-${pad(q * 3)}-31`];
  }
  return ['0000-01-01', '9999-12-31'];
}

/**
 * The processor's logic against in-memory state and counters (the ledger
 * recompute replays through), with lookups for pure domain tests.
 */
export class InMemoryLedger extends ReplayLedger {
  /** `rewards`: the reward policy (default: the deployment's). */
  constructor(rewards: RewardPolicy = defaultDeploymentConfig.rewards) {
    super({ divisions, rewards });
  }

  /**
   * The net change of `metric` in a scope (`DIV#…`, its whole subtree; or
   * `ORG#…`) over a period (`Y#2026`, `M#2026-06`, `D#…`, `Q#…`, `A#ALL`), as
   * the API reads it; for distinct-count metrics, the count for that period.
   */
  value(pk: string, sk: string, metric: string): number {
    return figureOf(this.counters, pk, sk, metric);
  }

  /** Every non-zero counter, for comparing two ledgers. */
  snapshot(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [key, amounts] of [...this.counters].sort(([a], [b]) => a.localeCompare(b))) {
      const nonZero = Object.fromEntries(Object.entries(amounts).filter(([, v]) => v !== 0n).map(([k, v]) => [k, String(v)]).sort());
      if (Object.keys(nonZero).length > 0) out[key] = nonZero;
    }
    return out;
  }
}

/** {@link InMemoryLedger.value} over any counters laid out as the Counters table is (a recomputation's, say). */
export function figureOf(counters: ReadonlyMap<string, Readonly<Record<string, bigint>>>, pk: string, sk: string, metric: string): number {
  if (distinctMetrics.has(metric as Metric)) {
    const { from, to, attribute } = distinctCells(metric, sk);
    let count = 0n;
    for (const [key, amounts] of counters) {
      const [partition, itemSk] = key.split('|') as [string, string];
      if (partition === pk && itemSk >= from && itemSk <= to) count += amounts[attribute] ?? 0n;
    }
    return Number(count);
  }
  const [first, last] = daysOf(sk);
  const partitions = pk.startsWith('DIV#') ? divisions.subtree(pk.slice(4)).map((d) => `DIV#${d}`) : [pk];
  let total = 0n;
  for (const partition of partitions) {
    for (const [key, amounts] of counters) {
      if (!key.startsWith(`${partition}|M#`)) continue;
      const month = key.slice(partition.length + 3);
      for (const [attribute, amount] of Object.entries(amounts)) {
        const at = attribute.lastIndexOf('@');
        if (attribute.slice(0, at) !== metric) continue;
        const date = `${month}-${attribute.slice(at + 1)}`;
        if (date >= first && date <= last) total += amount;
      }
    }
  }
  return Number(total);
}
