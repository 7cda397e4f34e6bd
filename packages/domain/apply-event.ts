import type { RewardPolicy } from '../config/deployment.ts';
import type { EventType } from '../contract/index.ts';
import type { Decision, LoadedState } from './decision.ts';
import { certificateRevoked, certificateSubmitted } from './rules/certificates.ts';
import { contractSigned } from './rules/contracts.ts';
import { disputeConfirmed, disputeFiled, disputeFulfilled, disputeMediated } from './rules/disputes.ts';
import { organizationDeregistered, organizationRegistered, partyOrganizationEstablished, unionEstablished } from './rules/organisations.ts';
import { baselineRecorded } from './rules/baselines.ts';
import {
  apprenticeshipPaired,
  awardGranted,
  competitionEntryRecorded,
  hardshipAidGranted,
  innovationConverted,
  legalAidCaseClosed,
  outreachConducted,
  partyMemberDeveloped,
  partyPostDesignated,
  representativeSeated,
  studioEstablished,
  talentTitleAwarded,
  trainingBaseEstablished,
  trainingCompleted,
} from './rules/programmes.ts';
import type { Divisions, DomainEvent, EventRule } from './rules/rule.ts';

export type { Divisions, DomainEvent } from './rules/rule.ts';

/** What each event type does. */
export const eventRules: { readonly [T in EventType]: EventRule<T> } = {
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
  'party.member.developed.v1': partyMemberDeveloped,
  'party.post.designated.v1': partyPostDesignated,
  'union.established.v1': unionEstablished,
  'award.granted.v1': awardGranted,
  'representative.seated.v1': representativeSeated,
  'competition.entry.recorded.v1': competitionEntryRecorded,
  'studio.established.v1': studioEstablished,
  'talent.title.awarded.v1': talentTitleAwarded,
  'innovation.converted.v1': innovationConverted,
  'training.base.established.v1': trainingBaseEstablished,
  'apprenticeship.paired.v1': apprenticeshipPaired,
  'training.completed.v1': trainingCompleted,
  'legal_aid.case.closed.v1': legalAidCaseClosed,
  'hardship_aid.granted.v1': hardshipAidGranted,
  'outreach.conducted.v1': outreachConducted,
  'baseline.recorded.v1': baselineRecorded,
};

function ruleFor<T extends EventType>(type: T): EventRule<T> {
  return eventRules[type] as EventRule<T>;
}

/**
 * The state keys an event needs that are not loaded yet. Call until it
 * returns nothing: some keys are only known once others are loaded (a
 * revocation needs the certificate to find its holder).
 */
export function missingStateKeys(event: DomainEvent, loaded: LoadedState, alreadyFetched: ReadonlySet<string>, divisions: Divisions): string[] {
  return ruleFor(event.type).keys(event as never, loaded, divisions).filter((key) => !alreadyFetched.has(key));
}

/**
 * What an event does to state and counters, given the state it needs. Pure:
 * the same event and state always give the same decision.
 */
export function applyEvent(
  event: DomainEvent,
  state: LoadedState,
  options: { readonly rewards: RewardPolicy; readonly rootDivision: string; readonly lineage: (division: string) => readonly string[] },
): Decision {
  return ruleFor(event.type).decide({ event: event as never, state, ...options });
}
