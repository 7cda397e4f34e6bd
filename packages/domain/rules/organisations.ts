import { contributionChange, deltaAt, heldBetween } from '../contributions.ts';
import type { CounterDelta, Decision, StateWrite } from '../decision.ts';
import type { Metric } from '../metrics.ts';
import { metrics } from '../metrics.ts';
import { outranks } from '../rank.ts';
import type { OrgState } from '../state.ts';
import { stateKeys } from '../state.ts';
import type { EventRule } from './rule.ts';
import { isDecision, knownOrgs, loaded, noEffect } from './rule.ts';

function registryMetric(org: OrgState): Metric {
  const { kind, ownership } = org.registration;
  if (kind === 'social_org') return metrics.orgsSocial;
  if (kind === 'public_institution') return metrics.orgsPublicInstitution;
  if (ownership === 'state_owned') return metrics.orgsStateOwned;
  if (ownership === 'collective') return metrics.orgsCollective;
  return metrics.orgsNonPublic;
}

function partyMetric(org: OrgState): Metric | undefined {
  const { kind, ownership } = org.registration;
  if (kind === 'social_org') return metrics.partyOrgsSocial;
  if (kind === 'enterprise' && ownership === 'non_public') return metrics.partyOrgsNonPublic;
  return undefined;
}

/** Unions count where the reform targets them: non-public enterprises and social organisations. */
function countsUnion(org: OrgState): boolean {
  const { kind, ownership } = org.registration;
  return kind === 'social_org' || (kind === 'enterprise' && ownership === 'non_public');
}

/**
 * What an organisation adds to the counters, from its merged state alone:
 * - one registered organisation of its kind from its registration date until
 *   its deregistration date ("it leaves every stock denominator from then on");
 * - one covered by a party organisation from the later of registration and
 *   the party organisation's date until deregistration, so the numerator is
 *   always part of the denominator (a party organisation dated before the
 *   registration counts from the registration; one dated after the
 *   deregistration never counts);
 * - its union, once, on the union's date.
 */
export function orgContributions(org: OrgState | undefined): CounterDelta[] {
  if (org === undefined) return [];
  const where = { orgCode: org.orgCode, division: org.division };
  const registeredOn = org.registration.date;
  const out = heldBetween(where, registryMetric(org), registeredOn, org.deregisteredOn);
  const party = partyMetric(org);
  if (party !== undefined && org.partyOn !== undefined) {
    const coveredFrom = org.partyOn > registeredOn ? org.partyOn : registeredOn;
    out.push(...heldBetween(where, party, coveredFrom, org.deregisteredOn));
  }
  if (org.union !== undefined) {
    if (countsUnion(org)) out.push(deltaAt(where, metrics.unionsEstablished, 1, org.union.date));
    out.push(deltaAt(where, metrics.unionMembers, org.union.members, org.union.date));
  }
  return out;
}

/** The decision that replaces `before` by `next`, with the counter changes between their contributions. */
function changeOrg(before: OrgState | undefined, next: OrgState): Decision {
  const write: StateWrite = { key: stateKeys.org(next.orgCode), expectedVersion: before?.version, item: next };
  return { outcome: 'apply', writes: [write], deltas: contributionChange(orgContributions(before), orgContributions(next)), divisions: [next.division] };
}

/**
 * Registrations of one organisation merge: the lowest-ranked one gives its
 * date and attributes, later ones change nothing. Registering the same code
 * in another division is a conflict (the contract's rule; which of two such
 * reports is accepted is the one exception to order-freedom the contract
 * itself makes).
 */
export const organizationRegistered: EventRule<'organization.registered.v1'> = {
  keys: (event) => [stateKeys.org(event.data.orgCode)],
  decide: ({ event, state, rootDivision }) => {
    const { data, date, rank } = event;
    if (data.division === rootDivision) {
      return { outcome: 'reject', reason: 'invalid_data', detail: 'data.division: an organisation is registered in a township or street, not the county' };
    }
    const existing = loaded<OrgState>(state, stateKeys.org(data.orgCode), 'org');
    if (existing !== undefined && existing.division !== data.division) {
      return { outcome: 'reject', reason: 'conflict', detail: 'orgCode is already registered in another division' };
    }
    if (existing !== undefined && !outranks(rank, existing.registration.rank)) {
      return noEffect('organisation already registered', [existing.division]);
    }
    const next: OrgState = {
      ...(existing ?? { entity: 'org', orgCode: data.orgCode, division: data.division, version: 0 }),
      registration: {
        rank,
        date,
        division: data.division,
        kind: data.kind,
        ...(data.ownership === undefined ? {} : { ownership: data.ownership }),
        name: data.name,
        ...(data.industry === undefined ? {} : { industry: data.industry }),
        workers: data.workers,
      },
      version: (existing?.version ?? 0) + 1,
    } as OrgState;
    return changeOrg(existing, next);
  },
};

/** The earliest deregistration counts. */
export const organizationDeregistered: EventRule<'organization.deregistered.v1'> = {
  keys: (event) => [stateKeys.org(event.data.orgCode)],
  decide: ({ event, state }) => {
    const orgs = knownOrgs(state, [event.data.orgCode]);
    if (isDecision(orgs)) return orgs;
    const [org] = orgs as [OrgState];
    if (org.deregisteredOn !== undefined && org.deregisteredOn <= event.date) return noEffect('organisation already deregistered', [org.division]);
    return changeOrg(org, { ...org, deregisteredOn: event.date, version: org.version + 1 });
  },
};

/** The earliest party organisation counts. */
export const partyOrganizationEstablished: EventRule<'party.organization.established.v1'> = {
  keys: (event) => [stateKeys.org(event.data.orgCode)],
  decide: ({ event, state }) => {
    const orgs = knownOrgs(state, [event.data.orgCode]);
    if (isDecision(orgs)) return orgs;
    const [org] = orgs as [OrgState];
    if (org.partyOn !== undefined && org.partyOn <= event.date) return noEffect('organisation already has a party organisation', [org.division]);
    return changeOrg(org, { ...org, partyOn: event.date, version: org.version + 1 });
  },
};

/**
 * One union per organisation, the lowest-ranked report. It lives in the
 * organisation's state because whether it counts depends on the
 * organisation's kind, which an earlier registration may still change.
 */
export const unionEstablished: EventRule<'union.established.v1'> = {
  keys: (event) => [stateKeys.org(event.data.orgCode)],
  decide: ({ event, state }) => {
    const orgs = knownOrgs(state, [event.data.orgCode]);
    if (isDecision(orgs)) return orgs;
    const [org] = orgs as [OrgState];
    if (org.union !== undefined && !outranks(event.rank, org.union.rank)) return noEffect('organisation already has a union', [org.division]);
    return changeOrg(org, { ...org, union: { rank: event.rank, date: event.date, members: event.data.members }, version: org.version + 1 });
  },
};
