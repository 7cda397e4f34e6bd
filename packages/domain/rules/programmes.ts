import type { EventType } from '../../contract/index.ts';
import { yuanToFen } from '../../contract/index.ts';
import type { CounterDelta, Decision, ItemDelta } from '../decision.ts';
import type { Metric } from '../metrics.ts';
import { counterKeys, metrics } from '../metrics.ts';
import type { OrgState } from '../state.ts';
import { stateKeys } from '../state.ts';
import type { DomainEvent, EventRule, RuleContext } from './rule.ts';
import { isDecision, knownOrgs, noEffect } from './rule.ts';

type DataOf<T extends EventType> = DomainEvent<T>['data'];

/** A fact that counts once: the marker item that remembers it was counted. */
const onceKey = (kind: string, ...parts: string[]): string => `ONCE#${kind}#${parts.join('#')}`;

/**
 * A rule for events that add to flows or stocks at one place: the named
 * organisation (and its township) or, for events that name none, the county.
 * With `once`, the event counts only the first time its natural key is seen
 * (a studio established twice is one studio).
 */
function countingRule<T extends EventType>(spec: {
  readonly orgCode?: (data: DataOf<T>) => string | undefined;
  readonly once?: (data: DataOf<T>) => string;
  readonly amounts: (data: DataOf<T>, org: OrgState | undefined) => ReadonlyArray<readonly [Metric, number]>;
}): EventRule<T> {
  return {
    keys: ({ data }) => {
      const orgCode = spec.orgCode?.(data);
      return [...(orgCode === undefined ? [] : [stateKeys.org(orgCode)]), ...(spec.once === undefined ? [] : [spec.once(data)])];
    },
    decide: ({ event, state, rootDivision }: RuleContext<T>): Decision => {
      const orgCode = spec.orgCode?.(event.data);
      let org: OrgState | undefined;
      if (orgCode !== undefined) {
        const orgs = knownOrgs(state, [orgCode]);
        if (isDecision(orgs)) return orgs;
        org = (orgs as [OrgState])[0];
      }
      const division = org?.division ?? rootDivision;
      const marker = spec.once?.(event.data);
      if (marker !== undefined && state.get(marker) !== undefined) return noEffect('already counted', [division]);
      const deltas: CounterDelta[] = spec
        .amounts(event.data, org)
        .filter(([, amount]) => amount !== 0)
        .map(([metric, amount]) => ({ metric, amount, date: event.date, orgCodes: org === undefined ? [] : [org.orgCode], divisions: [division] }));
      return {
        outcome: 'apply',
        writes: marker === undefined ? [] : [{ key: marker, expectedVersion: undefined, item: { entity: 'once', date: event.date, version: 1 } }],
        deltas,
        divisions: [division],
      };
    },
  };
}

const when = (condition: boolean, metric: Metric): ReadonlyArray<readonly [Metric, number]> => (condition ? [[metric, 1]] : []);

export const partyMemberDeveloped = countingRule<'party.member.developed.v1'>({
  orgCode: (d) => d.orgCode,
  once: (d) => onceKey('member', d.idNumber),
  amounts: (d) => [[metrics.partyMembers, 1], ...when(d.frontline, metrics.partyMembersFrontline)],
});

export const partyPostDesignated = countingRule<'party.post.designated.v1'>({
  orgCode: (d) => d.orgCode,
  once: (d) => onceKey('post', d.orgCode, d.postKind, d.name),
  amounts: () => [[metrics.partyPosts, 1]],
});

export const unionEstablished = countingRule<'union.established.v1'>({
  orgCode: (d) => d.orgCode,
  once: (d) => onceKey('union', d.orgCode),
  amounts: (d, org) => [
    ...when(org?.kind === 'social_org' || (org?.kind === 'enterprise' && org.ownership === 'non_public'), metrics.unionsEstablished),
    [metrics.unionMembers, d.members],
  ],
});

export const awardGranted = countingRule<'award.granted.v1'>({
  orgCode: (d) => d.orgCode,
  once: (d) => onceKey('award', d.idNumber, d.level, d.awardName),
  amounts: (d) => [[metrics.awards, 1], ...when(d.frontline, metrics.awardsFrontline)],
});

export const representativeSeated = countingRule<'representative.seated.v1'>({
  orgCode: (d) => d.orgCode,
  once: (d) => onceKey('representative', d.body, d.idNumber),
  amounts: (d) => [[metrics.representatives, 1], ...when(d.category !== 'other', metrics.representativesWorkers)],
});

export const competitionEntryRecorded = countingRule<'competition.entry.recorded.v1'>({
  orgCode: (d) => d.orgCode,
  once: (d) => onceKey('contestant', d.competition, d.idNumber),
  amounts: () => [[metrics.competitionContestants, 1]],
});

export const studioEstablished = countingRule<'studio.established.v1'>({
  orgCode: (d) => d.orgCode,
  once: (d) => onceKey('studio', d.studioId),
  amounts: () => [[metrics.skillStudios, 1]],
});

export const talentTitleAwarded = countingRule<'talent.title.awarded.v1'>({
  orgCode: (d) => d.orgCode,
  once: (d) => onceKey('title', d.title, d.idNumber),
  amounts: (d) => [[d.title === 'zhongzhou_talent' ? metrics.zhongzhouTalents : metrics.zhongzhouCraftsmen, 1]],
});

export const innovationConverted = countingRule<'innovation.converted.v1'>({
  orgCode: (d) => d.orgCode,
  once: (d) => onceKey('innovation', d.projectId),
  amounts: () => [[metrics.innovationsConverted, 1]],
});

export const trainingBaseEstablished = countingRule<'training.base.established.v1'>({
  orgCode: (d) => d.orgCode,
  once: (d) => onceKey('base', d.baseId),
  amounts: () => [[metrics.trainingBases, 1]],
});

export const apprenticeshipPaired = countingRule<'apprenticeship.paired.v1'>({
  orgCode: (d) => d.orgCode,
  once: (d) => onceKey('pair', d.pairId),
  amounts: () => [[metrics.apprenticeshipPairs, 1]],
});

export const legalAidCaseClosed = countingRule<'legal_aid.case.closed.v1'>({
  orgCode: (d) => d.orgCode,
  once: (d) => onceKey('legal_aid', d.caseNo),
  amounts: (d) => [
    [metrics.legalAidCases, 1],
    [metrics.legalAidBeneficiaries, d.beneficiaries],
    [metrics.legalAidRecoveredFen, yuanToFen(d.recoveredYuan)],
  ],
});

export const hardshipAidGranted = countingRule<'hardship_aid.granted.v1'>({
  amounts: (d) => [
    [metrics.hardshipAidGrants, 1],
    [metrics.hardshipAidFen, yuanToFen(d.amountYuan)],
  ],
});

export const outreachConducted = countingRule<'outreach.conducted.v1'>({
  amounts: (d) => [
    [metrics.outreachActivities, 1],
    [metrics.regulationBooklets, d.booklets],
    [metrics.enterprisesServed, d.enterprisesServed],
    [metrics.workersReached, d.workersReached],
  ],
});

/** The period items a distinct count keeps for one date, in one scope. */
function distinctPeriods(date: string): string[] {
  return [counterKeys.day(date), counterKeys.month(date), counterKeys.quarter(date), counterKeys.year(date), counterKeys.allTime()];
}

/**
 * Trained workers are distinct persons per period and per scope: a person
 * trained in March and in June counts once in 2026, once in each of the two
 * months, and once at the county even if trained in two townships. The
 * person's marker remembers every (scope, period) they were counted in.
 */
export const trainingCompleted: EventRule<'training.completed.v1'> = {
  keys: ({ data }) => [
    ...(data.orgCode === undefined ? [] : [stateKeys.org(data.orgCode)]),
    onceKey('trained', data.idNumber),
  ],
  decide: ({ event, state, rootDivision, lineage }) => {
    const { data, date } = event;
    let org: OrgState | undefined;
    if (data.orgCode !== undefined) {
      const orgs = knownOrgs(state, [data.orgCode]);
      if (isDecision(orgs)) return orgs;
      org = (orgs as [OrgState])[0];
    }
    const division = org?.division ?? rootDivision;
    const markerKey = onceKey('trained', data.idNumber);
    const marker = state.get(markerKey);
    const counted = new Set(marker?.entity === 'distinct' ? marker.counted : []);
    const scopes = [...(org === undefined ? [] : [counterKeys.org(org.orgCode)]), ...lineage(division).map(counterKeys.division)];
    const itemDeltas: ItemDelta[] = [];
    for (const pk of scopes) {
      for (const sk of distinctPeriods(date)) {
        const id = `${pk}|${sk}`;
        if (counted.has(id)) continue;
        counted.add(id);
        itemDeltas.push({ metric: metrics.trainedWorkers, amount: 1, pk, sk });
      }
    }
    if (itemDeltas.length === 0) return noEffect('person already counted in these periods', [division]);
    return {
      outcome: 'apply',
      writes: [
        {
          key: markerKey,
          expectedVersion: marker?.version,
          item: { entity: 'distinct', counted: [...counted], version: (marker?.version ?? 0) + 1 },
        },
      ],
      deltas: [],
      itemDeltas,
      divisions: [division],
    };
  },
};
