/**
 * The one place that resolves where a request looks (a division or an
 * organisation) and decides whether the caller may look there.
 */
import type { Caller } from '../auth/claims.ts';
import type { DivisionTree } from '../config/deployment.ts';
import type { CounterScope } from '../indicators/counter-source.ts';
import type { EventOutcome } from '../storage/ledger-reader.ts';
import type { OrganisationReader } from '../storage/org-reader.ts';
import { ApiError } from './problems.ts';

/** What a request names: a division, an organisation, or neither (the caller's own division). */
export interface ScopeQuery {
  readonly division?: string | undefined;
  readonly orgCode?: string | undefined;
}

export class ScopeResolver {
  constructor(
    private readonly divisions: DivisionTree,
    private readonly organisations: OrganisationReader,
  ) {}

  /** True when `division` lies in the caller's subtree. A caller without a division sees none. */
  sees(caller: Caller, division: string): boolean {
    return caller.division !== undefined && this.divisions.isWithin(division, caller.division);
  }

  /**
   * The counter scope a request names, once the caller may see it. An
   * organisation outside the caller's subtree answers exactly as an unknown
   * one (404): which orgCodes exist elsewhere is not the caller's business.
   *
   * @throws ApiError 400 for both names, 404 for unknown (or invisible) ones, 403 for a division outside the subtree.
   */
  async resolve(caller: Caller, query: ScopeQuery): Promise<CounterScope> {
    if (query.division !== undefined && query.orgCode !== undefined) throw new ApiError('invalid-parameter', 'give division or orgCode, not both');
    if (query.orgCode !== undefined) {
      const organisation = await this.organisations.organisation(query.orgCode);
      if (organisation === undefined || !this.sees(caller, organisation.division)) {
        throw new ApiError('unknown-organisation', `no organisation ${query.orgCode} is registered within your division`);
      }
      return { orgCode: query.orgCode };
    }
    const code = query.division ?? caller.division;
    if (code === undefined) throw new ApiError('forbidden', 'your token names no division to read');
    return { division: this.requireDivision(caller, code) };
  }

  /** `code` when it is a division of the deployment within the caller's subtree. */
  requireDivision(caller: Caller, code: string): string {
    if (!this.divisions.has(code)) throw new ApiError('unknown-division', `no division ${code} in this deployment`);
    if (!this.sees(caller, code)) throw new ApiError('forbidden', `division ${code} lies outside your division ${caller.division ?? '(none)'}`);
    return code;
  }

  /** True for an admin of the root division: the only caller who may act for the whole deployment. */
  isRootAdmin(caller: Caller): boolean {
    return caller.role === 'admin' && caller.division === this.divisions.rootCode;
  }

  /** @throws ApiError 403 unless the caller is an admin of the root division. */
  requireRootAdmin(caller: Caller, what: string): void {
    if (!this.isRootAdmin(caller)) throw new ApiError('forbidden', `${what} covers the whole deployment; it needs the admin role for division ${this.divisions.rootCode}`);
  }

  /**
   * Whether the caller may read an event's outcome (or rejection): a producer its own
   * source's events; others the events counted in their subtree (a rejected
   * event counts nowhere, so only the root sees it).
   */
  mayReadOutcome(caller: Caller, outcome: Pick<EventOutcome, 'source' | 'divisions'>): boolean {
    if (caller.role === 'producer') return outcome.source === caller.source;
    return caller.division === this.divisions.rootCode || (caller.division !== undefined && outcome.divisions.includes(caller.division));
  }
}
