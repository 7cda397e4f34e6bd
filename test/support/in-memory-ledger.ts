import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { InMemoryLedger as ReplayLedger } from '../../packages/maintenance/recompute.ts';

export const divisions = new DivisionTree(defaultDeploymentConfig.root);
export const county = divisions.rootCode;

/**
 * The processor's logic against in-memory state and counters (the ledger
 * recompute replays through), with lookups for pure domain tests.
 */
export class InMemoryLedger extends ReplayLedger {
  constructor() {
    super({ divisions, rewards: defaultDeploymentConfig.rewards });
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
