import type { BaselineMetricId } from '../../contract/index.ts';
import type { Metric } from '../metrics.ts';
import { metrics } from '../metrics.ts';
import type { BaselineWinner } from '../state.ts';
import { stateKeys } from '../state.ts';
import type { EventRule } from './rule.ts';
import { loaded, noEffect } from './rule.ts';

/**
 * The counter metric behind each stock indicator a baseline may open (the
 * contract's schema admits exactly these ids, so the mapping is total).
 */
export const baselineMetrics: Readonly<Record<BaselineMetricId, Metric>> = {
  skilled_workers: metrics.skilled,
  high_skilled_workers: metrics.highSkilled,
  skill_studios: metrics.skillStudios,
  zhongzhou_talents: metrics.zhongzhouTalents,
  zhongzhou_craftsmen: metrics.zhongzhouCraftsmen,
  training_bases: metrics.trainingBases,
};

/**
 * An opening balance. It changes no counter: a stock as of D is computed as
 * the latest baseline with asOf ≤ D plus the net change of events dated after
 * it, so events that arrive late on either side of asOf are still placed
 * correctly. Two balances for the same (metric, division, asOf) are a
 * correction: the highest-ranked (latest) report holds, whichever arrived last.
 */
export const baselineRecorded: EventRule<'baseline.recorded.v1'> = {
  keys: ({ data }) => [stateKeys.baseline(data.metric, data.division, data.asOf)],
  decide: ({ event, state }) => {
    const { data, rank } = event;
    const key = stateKeys.baseline(data.metric, data.division, data.asOf);
    const existing = loaded<BaselineWinner>(state, key, 'baseline');
    if (existing !== undefined && existing.rank >= rank) return noEffect('a later correction of this balance is recorded', [data.division]);
    const metric = baselineMetrics[data.metric];
    return {
      outcome: 'apply',
      writes: [{ key, expectedVersion: existing?.version, item: { entity: 'baseline', rank, value: data.value, version: (existing?.version ?? 0) + 1 } }],
      deltas: [],
      baselines: [{ metric, division: data.division, asOf: data.asOf, value: data.value, source: event.source, id: event.id }],
      divisions: [data.division],
    };
  },
};
