import type { CounterDelta } from './decision.ts';
import type { Metric } from './metrics.ts';
import type { Attribution } from './state.ts';

/**
 * An entity's contribution to the counters is a pure function of its state:
 * a list of dated deltas (a registration adds 1 on its date, a
 * deregistration takes it away on its own). What an event does to the
 * counters is then the difference between the contributions after and
 * before it changed the state — so a late report of an earlier date moves a
 * count exactly as a replay in date order would have placed it.
 */
export function contributionChange(before: readonly CounterDelta[], after: readonly CounterDelta[]): CounterDelta[] {
  const net = new Map<string, { delta: CounterDelta; amount: number }>();
  const add = (delta: CounterDelta, sign: 1 | -1): void => {
    const key = `${delta.metric}|${delta.date}|${delta.orgCodes.join(',')}|${delta.divisions.join(',')}`;
    const entry = net.get(key) ?? { delta, amount: 0 };
    entry.amount += sign * delta.amount;
    net.set(key, entry);
  };
  for (const delta of before) add(delta, -1);
  for (const delta of after) add(delta, 1);
  return [...net.values()].filter((e) => e.amount !== 0).map(({ delta, amount }) => ({ ...delta, amount }));
}

/** A delta attributed to one organisation and its township. */
export function deltaAt(where: Attribution, metric: Metric, amount: number, date: string): CounterDelta {
  return { metric, amount, date, orgCodes: [where.orgCode], divisions: [where.division] };
}

/** +amount from `from` on and, when `until` is given, −amount from `until` on: a stock held over [from, until). */
export function heldBetween(where: Attribution, metric: Metric, from: string, until: string | undefined, amount = 1): CounterDelta[] {
  if (until !== undefined && until <= from) return [];
  return [deltaAt(where, metric, amount, from), ...(until === undefined ? [] : [deltaAt(where, metric, -amount, until)])];
}
