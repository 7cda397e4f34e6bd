import type { EventType } from '../../contract/index.ts';
import { yuanToFen } from '../../contract/money.ts';
import type { Decision, DistinctDelta } from '../decision.ts';
import type { Metric } from '../metrics.ts';
import { counterKeys, metrics } from '../metrics.ts';
import { firstDatePeriodsOf } from '../counter-changes.ts';
import type { Amount, OrgState, TrainedDates } from '../state.ts';
import { stateKeys } from '../state.ts';
import type { Place } from './once.ts';
import { countOnce } from './once.ts';
import type { LoadedState } from '../decision.ts';
import type { Divisions, DomainEvent, EventRule, RuleContext } from './rule.ts';
import { isDecision, knownOrgs, loaded, noEffect } from './rule.ts';

type DataOf<T extends EventType> = DomainEvent<T>['data'];

/**
 * A rule for events that add to flows or stocks at one place: the named
 * organisation (and its township) or, for events that name none, the county.
 * With `once`, the event is a once-only fact under that natural key (see
 * once.ts); without, every event counts.
 */
function countingRule<T extends EventType>(spec: {
  readonly orgCode?: (data: DataOf<T>) => string | undefined;
  readonly once?: (event: DomainEvent<T>) => string;
  readonly amounts: (data: DataOf<T>) => readonly Amount[];
}): EventRule<T> {
  return {
    keys: (event) => {
      const orgCode = spec.orgCode?.(event.data);
      return [...(orgCode === undefined ? [] : [stateKeys.org(orgCode)]), ...(spec.once === undefined ? [] : [spec.once(event)])];
    },
    decide: ({ event, state, rootDivision }: RuleContext<T>): Decision => {
      const place = placeOf(spec.orgCode?.(event.data), state, rootDivision);
      if (isDecision(place)) return place;
      const amounts = spec.amounts(event.data).filter(([, amount]) => amount !== 0);
      if (spec.once !== undefined) return countOnce(spec.once(event), event, state, place, amounts);
      return {
        outcome: 'apply',
        writes: [],
        deltas: amounts.map(([metric, amount]) => ({ metric: metric as Metric, amount, date: event.date, ...place })),
        divisions: place.divisions,
      };
    },
  };
}

/** The named organisation and its division, the county when none is named, or unknown_org. */
function placeOf(orgCode: string | undefined, state: LoadedState, rootDivision: string): Place | Decision {
  if (orgCode === undefined) return { orgCodes: [], divisions: [rootDivision] };
  const orgs = knownOrgs(state, [orgCode]);
  if (isDecision(orgs)) return orgs;
  const [org] = orgs as [OrgState];
  return { orgCodes: [org.orgCode], divisions: [org.division] };
}

const when = (condition: boolean, metric: Metric): readonly Amount[] => (condition ? [[metric, 1]] : []);

export const partyMemberDeveloped = countingRule<'party.member.developed.v1'>({
  orgCode: (d) => d.orgCode,
  once: ({ data }) => stateKeys.once('member', data.idNumber),
  amounts: (d) => [[metrics.partyMembers, 1], ...when(d.frontline, metrics.partyMembersFrontline)],
});

export const partyPostDesignated = countingRule<'party.post.designated.v1'>({
  orgCode: (d) => d.orgCode,
  once: ({ data }) => stateKeys.once('post', data.orgCode, data.postKind, data.name),
  amounts: () => [[metrics.partyPosts, 1]],
});

export const awardGranted = countingRule<'award.granted.v1'>({
  orgCode: (d) => d.orgCode,
  once: ({ data }) => stateKeys.once('award', data.idNumber, data.level, data.awardName),
  amounts: (d) => [[metrics.awards, 1], ...when(d.frontline, metrics.awardsFrontline)],
});

export const representativeSeated = countingRule<'representative.seated.v1'>({
  orgCode: (d) => d.orgCode,
  once: ({ data }) => stateKeys.once('representative', data.body, data.idNumber),
  amounts: (d) => [[metrics.representatives, 1], ...when(d.category !== 'other', metrics.representativesWorkers)],
});

export const competitionEntryRecorded = countingRule<'competition.entry.recorded.v1'>({
  orgCode: (d) => d.orgCode,
  once: ({ data }) => stateKeys.once('contestant', data.competition, data.idNumber),
  amounts: () => [[metrics.competitionContestants, 1]],
});

export const studioEstablished = countingRule<'studio.established.v1'>({
  orgCode: (d) => d.orgCode,
  once: ({ data }) => stateKeys.once('studio', data.studioId),
  amounts: () => [[metrics.skillStudios, 1]],
});

export const talentTitleAwarded = countingRule<'talent.title.awarded.v1'>({
  orgCode: (d) => d.orgCode,
  once: ({ data }) => stateKeys.once('title', data.title, data.idNumber),
  amounts: (d) => [[d.title === 'zhongzhou_talent' ? metrics.zhongzhouTalents : metrics.zhongzhouCraftsmen, 1]],
});

export const innovationConverted = countingRule<'innovation.converted.v1'>({
  orgCode: (d) => d.orgCode,
  once: ({ data }) => stateKeys.once('innovation', data.projectId),
  amounts: () => [[metrics.innovationsConverted, 1]],
});

export const trainingBaseEstablished = countingRule<'training.base.established.v1'>({
  orgCode: (d) => d.orgCode,
  once: ({ data }) => stateKeys.once('base', data.baseId),
  amounts: () => [[metrics.trainingBases, 1]],
});

export const apprenticeshipPaired = countingRule<'apprenticeship.paired.v1'>({
  orgCode: (d) => d.orgCode,
  once: ({ data }) => stateKeys.once('pair', data.pairId),
  amounts: () => [[metrics.apprenticeshipPairs, 1]],
});

/** Case numbers are unique within their source only: two producers' numbers may coincide. */
export const legalAidCaseClosed = countingRule<'legal_aid.case.closed.v1'>({
  orgCode: (d) => d.orgCode,
  once: ({ source, data }) => stateKeys.once('legal_aid', source, data.caseNo),
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

/** The scopes a training counts in: its organisation, its division and every ancestor; or unknown_org. */
function trainingScopes(orgCode: string | undefined, state: LoadedState, { rootDivision, lineage }: Divisions): { scopes: string[]; division: string } | Decision {
  const place = placeOf(orgCode, state, rootDivision);
  if (isDecision(place)) return place;
  const division = place.divisions[0] as string;
  return { scopes: [...place.orgCodes.map(counterKeys.org), ...lineage(division).map(counterKeys.division)], division };
}

/**
 * The distinct-count cells a person's dates at one scope fill, by key:
 * every day and every month, and the first date's month of each quarter,
 * year and of all time (the month item whose `@Q`, `@Y`, `@A` cell counts
 * the person, see distinctCell). A late report of an earlier date so moves
 * the person's year from one month's cell to another's, as a replay in date
 * order would have placed it; the year's count is unchanged.
 */
function trainedCells(dates: readonly string[]): Map<string, { readonly period: string; readonly month?: string }> {
  const cells = new Map<string, { period: string; month?: string }>();
  const firstIn = new Set<string>();
  for (const date of [...dates].sort()) {
    for (const period of [counterKeys.day(date), counterKeys.month(date)]) cells.set(period, { period });
    for (const period of firstDatePeriodsOf(date)) {
      if (firstIn.has(period)) continue;
      firstIn.add(period);
      cells.set(`${period}@${date.slice(0, 7)}`, { period, month: date.slice(0, 7) });
    }
  }
  return cells;
}

/**
 * Trained workers are distinct persons per scope and per period: a person
 * trained in March and in June counts once in 2026, once in each of the two
 * months, and once at the county even if trained in two townships. Each
 * person's one state item keeps, per scope, the set of days the person was
 * trained on there — a set, so any order of arrival gives the same counts;
 * one entry a day at most per scope. What a set counts is a function of
 * it ({@link trainedCells}); an event changes the counts by the cells of
 * the set with its date less those of the set without.
 */
export const trainingCompleted: EventRule<'training.completed.v1'> = {
  keys: ({ data }, state, divisions) => {
    const orgKey = data.orgCode === undefined ? [] : [stateKeys.org(data.orgCode)];
    const where = trainingScopes(data.orgCode, state, divisions);
    // Until the organisation is loaded its key is all we know; unregistered, nothing more is needed.
    if (isDecision(where)) return orgKey;
    return [...orgKey, stateKeys.trained(data.idNumber)];
  },
  decide: ({ event, state, rootDivision, lineage }) => {
    const { data, date } = event;
    const where = trainingScopes(data.orgCode, state, { rootDivision, lineage });
    if (isDecision(where)) return where;
    const key = stateKeys.trained(data.idNumber);
    const before = loaded<TrainedDates>(state, key, 'trained');
    const scopes: Record<string, readonly string[]> = { ...before?.scopes };
    const distinct: DistinctDelta[] = [];
    for (const scope of where.scopes) {
      const dates = scopes[scope] ?? [];
      if (dates.includes(date)) continue;
      const [was, is] = [trainedCells(dates), trainedCells([...dates, date])];
      for (const [key, cell] of was) if (!is.has(key)) distinct.push({ metric: metrics.trainedWorkers, amount: -1, scope, ...cell });
      for (const [key, cell] of is) if (!was.has(key)) distinct.push({ metric: metrics.trainedWorkers, amount: 1, scope, ...cell });
      scopes[scope] = [...dates, date].sort();
    }
    if (distinct.length === 0) return noEffect('person already counted on this day', [where.division]);
    const item: TrainedDates = { entity: 'trained', scopes: Object.fromEntries(Object.entries(scopes).sort(([a], [b]) => (a < b ? -1 : 1))), version: (before?.version ?? 0) + 1 };
    return { outcome: 'apply', writes: [{ key, expectedVersion: before?.version, item }], deltas: [], distinct, divisions: [where.division] };
  },
};
