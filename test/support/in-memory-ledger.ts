import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { applyEvent, missingStateKeys } from '../../packages/domain/apply-event.ts';
import type { DomainEvent } from '../../packages/domain/apply-event.ts';
import { counterChanges } from '../../packages/domain/counter-changes.ts';
import type { Decision } from '../../packages/domain/decision.ts';
import type { StateItem } from '../../packages/domain/state.ts';

export const divisions = new DivisionTree(defaultDeploymentConfig.root);
export const county = divisions.rootCode;

/**
 * Applies domain events one after another to in-memory state and counters,
 * the way the processor does against DynamoDB: for pure domain tests.
 */
export class InMemoryLedger {
  readonly state = new Map<string, StateItem>();
  /** `pk|sk` → metric → net amount */
  readonly counters = new Map<string, Record<string, number>>();

  apply(event: DomainEvent): Decision {
    const fetched = new Set<string>();
    const view = new Map<string, StateItem>();
    for (let keys = missingStateKeys(event, view, fetched); keys.length > 0; keys = missingStateKeys(event, view, fetched)) {
      for (const key of keys) {
        fetched.add(key);
        const item = this.state.get(key);
        if (item !== undefined) view.set(key, item);
      }
    }
    const decision = applyEvent(event, view, { rewards: defaultDeploymentConfig.rewards, rootDivision: county, lineage: (d) => divisions.lineage(d) });
    if (decision.outcome !== 'apply') return decision;
    for (const write of decision.writes) {
      const current = this.state.get(write.key);
      if (current?.version !== write.expectedVersion) throw new Error(`stale write to ${write.key}`);
      this.state.set(write.key, write.item);
    }
    for (const change of counterChanges(decision.deltas, (d) => divisions.lineage(d), decision.itemDeltas)) {
      const key = `${change.pk}|${change.sk}`;
      const item = this.counters.get(key) ?? {};
      for (const [metric, amount] of Object.entries(change.amounts)) item[metric] = (item[metric] ?? 0) + amount;
      this.counters.set(key, item);
    }
    return decision;
  }

  /** The net amount of a metric in one counter item (0 when absent). */
  value(pk: string, sk: string, metric: string): number {
    return this.counters.get(`${pk}|${sk}`)?.[metric] ?? 0;
  }

  /** Every non-zero counter, for comparing two ledgers. */
  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [key, amounts] of [...this.counters].sort(([a], [b]) => a.localeCompare(b))) {
      const nonZero = Object.fromEntries(Object.entries(amounts).filter(([, v]) => v !== 0).sort());
      if (Object.keys(nonZero).length > 0) out[key] = nonZero;
    }
    return out;
  }
}
