import type { Metric } from '../metrics.ts';
import { metrics } from '../metrics.ts';
import type { EventRule } from './rule.ts';

/** The stock indicators a baseline may open, and the counter metric each one reads. */
export const baselineMetrics: Readonly<Record<string, Metric>> = {
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
 * correctly.
 */
export const baselineRecorded: EventRule<'baseline.recorded.v1'> = {
  keys: () => [],
  decide: ({ event }) => {
    const { data } = event;
    const metric = baselineMetrics[data.metric];
    if (metric === undefined) {
      return { outcome: 'reject', reason: 'invalid_data', detail: 'data.metric: not a stock indicator that takes baselines' };
    }
    return {
      outcome: 'apply',
      writes: [],
      deltas: [],
      baselines: [{ metric, division: data.division, asOf: data.asOf, value: data.value }],
      divisions: [data.division],
    };
  },
};
