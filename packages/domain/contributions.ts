import type { CounterDelta } from './decision.ts';
import type { Metric } from './metrics.ts';
import type { Attribution } from './state.ts';

/** What an entity currently adds to a stock metric, and where. */
export interface Contribution extends Attribution {
  readonly metric: Metric;
  readonly value: number;
}

/**
 * The counter changes that turn the `before` contributions into the `after`
 * ones, dated `date`. Stocks kept this way stay exact whatever the order of
 * events: an entity's contribution is recomputed from its state, never
 * accumulated blindly.
 */
export function contributionDeltas(
  before: readonly Contribution[],
  after: readonly Contribution[],
  date: string,
): CounterDelta[] {
  const net = new Map<string, { c: Contribution; amount: number }>();
  const add = (c: Contribution, sign: 1 | -1): void => {
    const key = `${c.metric}|${c.orgCode}|${c.division}`;
    const entry = net.get(key) ?? { c, amount: 0 };
    entry.amount += sign * c.value;
    net.set(key, entry);
  };
  for (const c of before) add(c, -1);
  for (const c of after) add(c, 1);
  return [...net.values()]
    .filter((e) => e.amount !== 0)
    .map(({ c, amount }) => ({ metric: c.metric, amount, date, orgCodes: [c.orgCode], divisions: [c.division] }));
}

/** A flow delta attributed to one organisation and its township. */
export function deltaAt(where: Attribution, metric: Metric, amount: number, date: string): CounterDelta {
  return { metric, amount, date, orgCodes: [where.orgCode], divisions: [where.division] };
}
