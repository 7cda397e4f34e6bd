import { contributionChange, deltaAt } from '../contributions.ts';
import type { CounterDelta, Decision } from '../decision.ts';
import { metrics } from '../metrics.ts';
import { outranks } from '../rank.ts';
import type { CaseStep, DisputeCaseState, OrgState } from '../state.ts';
import { stateKeys } from '../state.ts';
import type { EventRule, RuleContext } from './rule.ts';
import { isDecision, knownOrgs, loaded, noEffect } from './rule.ts';

type DisputeType = 'dispute.filed.v1' | 'dispute.mediated.v1' | 'dispute.confirmed.v1' | 'dispute.fulfilled.v1';
type StepName = 'filed' | 'agreement' | 'confirmed' | 'fulfilled';

/**
 * What a case adds: filed on its filing date, mediated on the date of its
 * (first) agreement, and resolved one-stop once it has an agreement, a
 * judicial confirmation and fulfilment — on the latest of those three dates,
 * so the figure does not depend on which of the four events arrived last.
 */
export function caseContributions(c: DisputeCaseState | undefined): CounterDelta[] {
  if (c === undefined) return [];
  const out: CounterDelta[] = [];
  if (c.filed !== undefined) out.push(deltaAt(c.filed, metrics.disputesFiled, 1, c.filed.date));
  if (c.agreement !== undefined) out.push(deltaAt(c.agreement, metrics.disputesMediated, 1, c.agreement.date));
  if (c.agreement !== undefined && c.confirmed !== undefined && c.fulfilled !== undefined) {
    const last = [c.agreement, c.confirmed, c.fulfilled].reduce((a, b) => (b.date > a.date || (b.date === a.date && b.rank > a.rank) ? b : a));
    out.push(deltaAt(last, metrics.disputesOneStop, 1, last.date));
  }
  return out;
}

/**
 * The four dispute events share one case (by `caseNo`, whatever their
 * source) and may arrive in any order. Each step counts once: the
 * lowest-ranked report of it; a later report changes nothing, an earlier one
 * moves the step to its own date.
 */
function recordStep<T extends DisputeType>({ event, state }: RuleContext<T>, name: StepName | undefined): Decision {
  const { data, date, rank } = event as { data: { caseNo: string; orgCode: string }; date: string; rank: string };
  const orgs = knownOrgs(state, [data.orgCode]);
  if (isDecision(orgs)) return orgs;
  const [org] = orgs as [OrgState];
  if (name === undefined) return noEffect('mediation without agreement', [org.division]);
  const key = stateKeys.disputeCase(data.caseNo);
  const before = loaded<DisputeCaseState>(state, key, 'case');
  const current = before?.[name];
  if (current !== undefined && !outranks(rank, current.rank)) return noEffect('case step already recorded', [org.division]);
  const step: CaseStep = { rank, date, orgCode: org.orgCode, division: org.division };
  const next: DisputeCaseState = { ...(before ?? { entity: 'case', caseNo: data.caseNo }), [name]: step, version: (before?.version ?? 0) + 1 };
  return {
    outcome: 'apply',
    writes: [{ key, expectedVersion: before?.version, item: next }],
    deltas: contributionChange(caseContributions(before), caseContributions(next)),
    divisions: [org.division],
  };
}

function caseKeys(event: { data: { caseNo: string; orgCode: string } }): string[] {
  return [stateKeys.disputeCase(event.data.caseNo), stateKeys.org(event.data.orgCode)];
}

export const disputeFiled: EventRule<'dispute.filed.v1'> = { keys: caseKeys, decide: (context) => recordStep(context, 'filed') };

/** Only a mediation that reached an agreement is a step; a failed one may be followed by a successful one. */
export const disputeMediated: EventRule<'dispute.mediated.v1'> = {
  keys: caseKeys,
  decide: (context) => recordStep(context, context.event.data.outcome === 'agreement' ? 'agreement' : undefined),
};

export const disputeConfirmed: EventRule<'dispute.confirmed.v1'> = { keys: caseKeys, decide: (context) => recordStep(context, 'confirmed') };

export const disputeFulfilled: EventRule<'dispute.fulfilled.v1'> = { keys: caseKeys, decide: (context) => recordStep(context, 'fulfilled') };
