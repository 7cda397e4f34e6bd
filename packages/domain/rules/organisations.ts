import type { Contribution } from '../contributions.ts';
import { contributionDeltas } from '../contributions.ts';
import { metrics } from '../metrics.ts';
import type { Metric } from '../metrics.ts';
import type { OrgState } from '../state.ts';
import { stateKeys } from '../state.ts';
import type { EventRule } from './rule.ts';
import { isDecision, noEffect, knownOrgs } from './rule.ts';

function registryMetric(org: OrgState): Metric {
  if (org.kind === 'social_org') return metrics.orgsSocial;
  if (org.kind === 'public_institution') return metrics.orgsPublicInstitution;
  if (org.ownership === 'state_owned') return metrics.orgsStateOwned;
  if (org.ownership === 'collective') return metrics.orgsCollective;
  return metrics.orgsNonPublic;
}

function partyMetric(org: OrgState): Metric | undefined {
  if (org.kind === 'social_org') return metrics.partyOrgsSocial;
  if (org.kind === 'enterprise' && org.ownership === 'non_public') return metrics.partyOrgsNonPublic;
  return undefined;
}

/**
 * What an organisation adds to the registry stocks: one registered
 * organisation of its kind, and one covered by a party organisation. A
 * deregistered organisation adds nothing ("it leaves every stock
 * denominator from then on"), and neither does a missing one.
 */
export function orgContributions(org: OrgState | undefined): Contribution[] {
  if (org === undefined || org.status !== 'registered') return [];
  const where = { orgCode: org.orgCode, division: org.division };
  const out: Contribution[] = [{ ...where, metric: registryMetric(org), value: 1 }];
  const party = partyMetric(org);
  if (org.partyOrg && party !== undefined) out.push({ ...where, metric: party, value: 1 });
  return out;
}

/** A write of `next` replacing `before`, with the registry stock changes. */
function changeOrg(before: OrgState | undefined, next: OrgState, date: string) {
  return {
    outcome: 'apply' as const,
    writes: [{ key: stateKeys.org(next.orgCode), expectedVersion: before?.version, item: next }],
    deltas: contributionDeltas(orgContributions(before), orgContributions(next), date),
    divisions: [next.division],
  };
}

export const organizationRegistered: EventRule<'organization.registered.v1'> = {
  keys: (event) => [stateKeys.org(event.data.orgCode)],
  decide: ({ event, state, rootDivision }) => {
    const { data, date } = event;
    if (data.division === rootDivision) {
      return { outcome: 'reject', reason: 'invalid_data', detail: 'data.division: an organisation is registered in a township or street, not the county' };
    }
    const before = state.get(stateKeys.org(data.orgCode));
    const existing = before?.entity === 'org' ? before : undefined;
    if (existing !== undefined && existing.division !== data.division) {
      return {
        outcome: 'reject',
        reason: 'conflict',
        detail: 'orgCode is already registered in another division',
      };
    }
    const next: OrgState = {
      entity: 'org',
      orgCode: data.orgCode,
      division: data.division,
      kind: data.kind,
      ...(data.ownership === undefined ? {} : { ownership: data.ownership }),
      status: 'registered',
      name: data.name,
      ...(data.industry === undefined ? {} : { industry: data.industry }),
      workers: data.workers,
      registeredOn: existing?.status === 'registered' ? existing.registeredOn : date,
      partyOrg: existing?.partyOrg ?? false,
      union: existing?.union ?? false,
      version: (existing?.version ?? 0) + 1,
    };
    return changeOrg(existing, next, date);
  },
};

export const organizationDeregistered: EventRule<'organization.deregistered.v1'> = {
  keys: (event) => [stateKeys.org(event.data.orgCode)],
  decide: ({ event, state }) => {
    const orgs = knownOrgs(state, [event.data.orgCode]);
    if (isDecision(orgs)) return orgs;
    const [org] = orgs as [OrgState];
    if (org.status === 'deregistered') return noEffect('organisation already deregistered', [org.division]);
    const { deregisteredOn: _previous, ...rest } = org;
    return changeOrg(org, { ...rest, status: 'deregistered', deregisteredOn: event.date, version: org.version + 1 }, event.date);
  },
};

export const partyOrganizationEstablished: EventRule<'party.organization.established.v1'> = {
  keys: (event) => [stateKeys.org(event.data.orgCode)],
  decide: ({ event, state }) => {
    const orgs = knownOrgs(state, [event.data.orgCode]);
    if (isDecision(orgs)) return orgs;
    const [org] = orgs as [OrgState];
    if (org.partyOrg) return noEffect('organisation already has a party organisation', [org.division]);
    return changeOrg(org, { ...org, partyOrg: true, version: org.version + 1 }, event.date);
  },
};
