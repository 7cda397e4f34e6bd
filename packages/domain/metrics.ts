/**
 * Counter metrics: the raw numbers events add to. Indicators are computed
 * from these (see packages/indicators). A counter item holds, per scope and
 * period, the net change of each metric in that period; a stock is the sum of
 * the net changes up to a date, a flow the sum within a period.
 *
 * Money metrics are integer fen. Names are attribute names on counter items.
 */
export const metrics = {
  /** persons holding any skill certificate (net change) */
  skilled: 'skilled',
  /** persons holding a level3-or-above skill certificate (net change) */
  highSkilled: 'high_skilled',
  /** dual-upgrade rewards paid minus claw-backs, fen */
  rewardFen: 'reward_fen',
  /** certificates that earned a reward, net of revocations */
  rewardedCertificates: 'rewarded_certs',
  contractsCollective: 'contracts_collective',
  contractsSpecial: 'contracts_special',
  /** workers covered by signed contracts (sum of workersCovered) */
  contractWorkers: 'contract_workers',
  disputesFiled: 'disputes_filed',
  /** cases mediated with an agreement */
  disputesMediated: 'disputes_mediated',
  /** cases with agreement, judicial confirmation and fulfilment */
  disputesOneStop: 'disputes_one_stop',
  /** registered organisations by kind (stocks; deregistration subtracts) */
  orgsNonPublic: 'orgs_non_public',
  orgsStateOwned: 'orgs_state_owned',
  orgsCollective: 'orgs_collective',
  orgsSocial: 'orgs_social',
  orgsPublicInstitution: 'orgs_public_institution',
  /** registered organisations of that kind that have a party organisation (stocks) */
  partyOrgsNonPublic: 'party_orgs_non_public',
  partyOrgsSocial: 'party_orgs_social',
} as const;

export type Metric = (typeof metrics)[keyof typeof metrics];

/**
 * Counter item keys. Partition: the scope (a division, or one organisation).
 * Sort: the period the net changes fall in, Asia/Shanghai calendar.
 */
export const counterKeys = {
  division: (code: string): string => `DIV#${code}`,
  org: (orgCode: string): string => `ORG#${orgCode}`,
  year: (date: string): string => `Y#${date.slice(0, 4)}`,
  month: (date: string): string => `M#${date.slice(0, 7)}`,
  day: (date: string): string => `D#${date}`,
} as const;
