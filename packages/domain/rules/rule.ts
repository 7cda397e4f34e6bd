import type { RewardPolicy } from '../../config/deployment.ts';
import type { EventData, EventType } from '../../contract/index.ts';
import type { Decision, LoadedState } from '../decision.ts';
import type { Rank } from '../rank.ts';
import type { OrgState } from '../state.ts';
import { stateKeys } from '../state.ts';

/**
 * An accepted, pseudonymised event as the domain sees it: `idNumber` fields
 * already hold pseudonyms.
 */
export interface DomainEvent<T extends EventType = EventType> {
  readonly type: T;
  readonly source: string;
  readonly id: string;
  /** Asia/Shanghai calendar date the event counts on. */
  readonly date: string;
  /** Where the event stands among competing reports of one fact (see rank.ts). */
  readonly rank: Rank;
  readonly data: EventData<T>;
}

/** The division tree as the rules see it. */
export interface Divisions {
  readonly rootDivision: string;
  /** A division and its ancestors up to the root, nearest first. */
  readonly lineage: (division: string) => readonly string[];
}

export interface RuleContext<T extends EventType> extends Divisions {
  readonly event: DomainEvent<T>;
  readonly state: LoadedState;
  readonly rewards: RewardPolicy;
}

/** What one event type does: which state it needs, and the decision. */
export interface EventRule<T extends EventType> {
  /** State keys needed, given what is loaded so far (some keys depend on others). */
  keys(event: DomainEvent<T>, state: LoadedState, divisions: Divisions): string[];
  decide(context: RuleContext<T>): Decision;
}

/** The organisations named, registered at some point, or the unknown_org decision. */
export function knownOrgs(state: LoadedState, orgCodes: readonly string[]): OrgState[] | Decision {
  const found: OrgState[] = [];
  const missing: string[] = [];
  for (const code of orgCodes) {
    const item = state.get(stateKeys.org(code));
    if (item?.entity === 'org') found.push(item);
    else missing.push(code);
  }
  return missing.length > 0 ? { outcome: 'unknown_org', orgCodes: missing } : found;
}

export function isDecision(value: unknown): value is Decision {
  return typeof value === 'object' && value !== null && 'outcome' in value;
}

/** An accepted event that changes nothing (a repeated step, a later report of a known fact). */
export function noEffect(note: string, divisions: readonly string[]): Decision {
  return { outcome: 'apply', writes: [], deltas: [], divisions, note };
}

/** The loaded item under `key` if it is of the wanted kind. */
export function loaded<E extends { entity: string }>(state: LoadedState, key: string, entity: E['entity']): E | undefined {
  const item = state.get(key);
  return item?.entity === entity ? (item as unknown as E) : undefined;
}
