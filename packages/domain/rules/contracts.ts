import { metrics } from '../metrics.ts';
import type { OrgState } from '../state.ts';
import { stateKeys } from '../state.ts';
import { countOnce } from './once.ts';
import type { EventRule } from './rule.ts';
import { isDecision, knownOrgs } from './rule.ts';

/**
 * A signed contract counts once in each named employer, and once in each
 * division any of them lies in (so once at the county, however many
 * employers a regional or sector contract names). One contract per
 * `contractNo`: the lowest-ranked report counts.
 */
export const contractSigned: EventRule<'contract.signed.v1'> = {
  keys: ({ data }) => [stateKeys.once('contract', data.contractNo), ...data.orgCodes.map((code) => stateKeys.org(code))],
  decide: ({ event, state }) => {
    const { data } = event;
    const orgs = knownOrgs(state, data.orgCodes);
    if (isDecision(orgs)) return orgs;
    const found = orgs as OrgState[];
    const place = { orgCodes: [...new Set(found.map((o) => o.orgCode))].sort(), divisions: [...new Set(found.map((o) => o.division))].sort() };
    return countOnce(stateKeys.once('contract', data.contractNo), event, state, place, [
      [data.kind === 'special' ? metrics.contractsSpecial : metrics.contractsCollective, 1],
      [metrics.contractWorkers, data.workersCovered],
    ]);
  },
};
