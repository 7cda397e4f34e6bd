import type { CounterDelta, Decision } from '../decision.ts';
import { contributionChange } from '../contributions.ts';
import { outranks } from '../rank.ts';
import type { Amount, OnceFact } from '../state.ts';
import type { DomainEvent } from './rule.ts';
import { loaded, noEffect } from './rule.ts';
import type { LoadedState } from '../decision.ts';

/** Where a counted fact lands: its organisations and their divisions (or the county for facts that name none). */
export interface Place {
  readonly orgCodes: readonly string[];
  readonly divisions: readonly string[];
}

/** What a once-only fact adds: its amounts, on its date, at its place. */
export function onceContributions(fact: OnceFact | undefined): CounterDelta[] {
  if (fact === undefined) return [];
  return fact.amounts.map(([metric, amount]) => ({ metric, amount, date: fact.date, orgCodes: fact.orgCodes, divisions: fact.divisions }) as CounterDelta);
}

/**
 * Counts a once-only fact: the lowest-ranked report counts (earliest date
 * first), whenever it arrives. A report that outranks the one counted so far
 * moves the count — off the old report's date and place, onto its own —
 * exactly as a replay in date order would have placed it; any other report
 * is accepted with no effect.
 */
export function countOnce(key: string, event: DomainEvent, state: LoadedState, place: Place, amounts: readonly Amount[]): Decision {
  const existing = loaded<OnceFact>(state, key, 'once');
  if (existing !== undefined && !outranks(event.rank, existing.rank)) return noEffect('already counted', place.divisions);
  const next: OnceFact = {
    entity: 'once',
    rank: event.rank,
    date: event.date,
    orgCodes: place.orgCodes,
    divisions: place.divisions,
    amounts: amounts.filter(([, amount]) => amount !== 0),
    version: (existing?.version ?? 0) + 1,
  };
  return {
    outcome: 'apply',
    writes: [{ key, expectedVersion: existing?.version, item: next }],
    deltas: contributionChange(onceContributions(existing), onceContributions(next)),
    divisions: place.divisions,
    ...(existing === undefined ? {} : { note: 'an earlier report of a counted fact: the count moves to it' }),
  };
}
