import { deltaAt } from '../contributions.ts';
import type { CounterDelta, Decision } from '../decision.ts';
import { metrics } from '../metrics.ts';
import type { CaseStep, DisputeCaseState, OrgState } from '../state.ts';
import { stateKeys } from '../state.ts';
import type { EventRule, RuleContext } from './rule.ts';
import { isDecision, knownOrgs, noEffect } from './rule.ts';

type DisputeType = 'dispute.filed.v1' | 'dispute.mediated.v1' | 'dispute.confirmed.v1' | 'dispute.fulfilled.v1';

/**
 * The four dispute events may arrive in any order; each step counts once, on
 * its own date. A case is resolved one-stop once it has an agreement, a
 * judicial confirmation and fulfilment; it counts on the latest of those
 * three dates, so the figure does not depend on the order of arrival.
 */
function applyStep<T extends DisputeType>(
  { event, state }: RuleContext<T>,
  change: (current: DisputeCaseState, step: CaseStep) => { next: DisputeCaseState; deltas: CounterDelta[] } | undefined,
): Decision {
  const { data, date } = event as { data: { caseNo: string; orgCode: string }; date: string };
  const orgs = knownOrgs(state, [data.orgCode]);
  if (isDecision(orgs)) return orgs;
  const [org] = orgs as [OrgState];
  const loaded = state.get(stateKeys.disputeCase(data.caseNo));
  const before = loaded?.entity === 'case' ? loaded : undefined;
  const current: DisputeCaseState = before ?? { entity: 'case', caseNo: data.caseNo, version: 0 };
  const step: CaseStep = { date, orgCode: org.orgCode, division: org.division };
  const changed = change(current, step);
  if (changed === undefined) return noEffect('case step already recorded', [org.division]);
  let { next } = changed;
  const deltas = [...changed.deltas];
  const { mediated, confirmed, fulfilled } = next;
  if (next.oneStop === undefined && mediated?.outcome === 'agreement' && confirmed !== undefined && fulfilled !== undefined) {
    const last = [mediated, confirmed, fulfilled].reduce((a, b) => (b.date > a.date ? b : a));
    const oneStop: CaseStep = { date: last.date, orgCode: last.orgCode, division: last.division };
    next = { ...next, oneStop };
    deltas.push(deltaAt(oneStop, metrics.disputesOneStop, 1, oneStop.date));
  }
  return {
    outcome: 'apply',
    writes: [{ key: stateKeys.disputeCase(data.caseNo), expectedVersion: before?.version, item: { ...next, version: current.version + 1 } }],
    deltas,
    divisions: [org.division],
  };
}

function caseKeys(event: { data: { caseNo: string; orgCode: string } }): string[] {
  return [stateKeys.disputeCase(event.data.caseNo), stateKeys.org(event.data.orgCode)];
}

export const disputeFiled: EventRule<'dispute.filed.v1'> = {
  keys: caseKeys,
  decide: (context) =>
    applyStep(context, (current, step) =>
      current.filed !== undefined
        ? undefined
        : { next: { ...current, filed: step }, deltas: [deltaAt(step, metrics.disputesFiled, 1, step.date)] },
    ),
};

export const disputeMediated: EventRule<'dispute.mediated.v1'> = {
  keys: caseKeys,
  decide: (context) =>
    applyStep(context, (current, step) => {
      const outcome = context.event.data.outcome;
      // A failed mediation may be followed by a successful one; an agreement is final.
      if (current.mediated?.outcome === 'agreement') return undefined;
      if (current.mediated !== undefined && outcome === 'no_agreement') return undefined;
      return {
        next: { ...current, mediated: { ...step, outcome } },
        deltas: outcome === 'agreement' ? [deltaAt(step, metrics.disputesMediated, 1, step.date)] : [],
      };
    }),
};

export const disputeConfirmed: EventRule<'dispute.confirmed.v1'> = {
  keys: caseKeys,
  decide: (context) =>
    applyStep(context, (current, step) => (current.confirmed !== undefined ? undefined : { next: { ...current, confirmed: step }, deltas: [] })),
};

export const disputeFulfilled: EventRule<'dispute.fulfilled.v1'> = {
  keys: caseKeys,
  decide: (context) =>
    applyStep(context, (current, step) => (current.fulfilled !== undefined ? undefined : { next: { ...current, fulfilled: step }, deltas: [] })),
};
