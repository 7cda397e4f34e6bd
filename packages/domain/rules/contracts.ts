import type { CounterDelta } from '../decision.ts';
import { metrics } from '../metrics.ts';
import type { OrgState } from '../state.ts';
import { stateKeys } from '../state.ts';
import type { EventRule } from './rule.ts';
import { isDecision, knownOrgs, noEffect } from './rule.ts';

/**
 * A signed contract counts once in each named employer, and once in each
 * division any of them lies in (so once at the county, however many
 * employers a regional or sector contract names).
 */
export const contractSigned: EventRule<'contract.signed.v1'> = {
  keys: ({ data }) => [stateKeys.contract(data.contractNo), ...data.orgCodes.map((code) => stateKeys.org(code))],
  decide: ({ event, state }) => {
    const { data, date } = event;
    const orgs = knownOrgs(state, data.orgCodes);
    if (isDecision(orgs)) return orgs;
    const orgCodes = (orgs as OrgState[]).map((o) => o.orgCode);
    const divisions = [...new Set((orgs as OrgState[]).map((o) => o.division))];
    if (state.get(stateKeys.contract(data.contractNo)) !== undefined) {
      return noEffect('contract already recorded', divisions);
    }
    const at = (metric: CounterDelta['metric'], amount: number): CounterDelta => ({ metric, amount, date, orgCodes, divisions });
    return {
      outcome: 'apply',
      writes: [
        {
          key: stateKeys.contract(data.contractNo),
          expectedVersion: undefined,
          item: { entity: 'contract', contractNo: data.contractNo, signedOn: data.signedOn, version: 1 },
        },
      ],
      deltas: [
        at(data.kind === 'special' ? metrics.contractsSpecial : metrics.contractsCollective, 1),
        at(metrics.contractWorkers, data.workersCovered),
      ],
      divisions,
    };
  },
};
