import type { RewardPolicy } from '../config/deployment.ts';
import type { EventType } from '../contract/index.ts';
import type { Decision, LoadedState } from './decision.ts';
import { certificateRevoked, certificateSubmitted } from './rules/certificates.ts';
import { contractSigned } from './rules/contracts.ts';
import { disputeConfirmed, disputeFiled, disputeFulfilled, disputeMediated } from './rules/disputes.ts';
import { organizationDeregistered, organizationRegistered, partyOrganizationEstablished } from './rules/organisations.ts';
import type { DomainEvent, EventRule } from './rules/rule.ts';

export type { DomainEvent } from './rules/rule.ts';

/** What each event type does. Types without a rule are not applied yet. */
export const eventRules: { readonly [T in EventType]?: EventRule<T> } = {
  'organization.registered.v1': organizationRegistered,
  'organization.deregistered.v1': organizationDeregistered,
  'party.organization.established.v1': partyOrganizationEstablished,
  'certificate.submitted.v1': certificateSubmitted,
  'certificate.revoked.v1': certificateRevoked,
  'contract.signed.v1': contractSigned,
  'dispute.filed.v1': disputeFiled,
  'dispute.mediated.v1': disputeMediated,
  'dispute.confirmed.v1': disputeConfirmed,
  'dispute.fulfilled.v1': disputeFulfilled,
};

export class DomainError extends Error {
  override readonly name: string = 'DomainError';
}

export class UnsupportedEventTypeError extends DomainError {
  override readonly name = 'UnsupportedEventTypeError';
  constructor(readonly type: string) {
    super(`no rule applies events of type ${type}`);
  }
}

function ruleFor<T extends EventType>(type: T): EventRule<T> {
  const rule = eventRules[type] as EventRule<T> | undefined;
  if (rule === undefined) throw new UnsupportedEventTypeError(type);
  return rule;
}

export function isSupportedType(type: EventType): boolean {
  return eventRules[type] !== undefined;
}

/**
 * The state keys an event needs that are not loaded yet. Call until it
 * returns nothing: some keys are only known once others are loaded (a
 * revocation needs the certificate to find its holder).
 */
export function missingStateKeys(event: DomainEvent, loaded: LoadedState, alreadyFetched: ReadonlySet<string>): string[] {
  return ruleFor(event.type).keys(event as never, loaded).filter((key) => !alreadyFetched.has(key));
}

/**
 * What an event does to state and counters, given the state it needs. Pure:
 * the same event and state always give the same decision.
 */
export function applyEvent(
  event: DomainEvent,
  state: LoadedState,
  options: { readonly rewards: RewardPolicy; readonly rootDivision: string },
): Decision {
  return ruleFor(event.type).decide({ event: event as never, state, ...options });
}
