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
  partyMembers: 'party_members',
  partyMembersFrontline: 'party_members_frontline',
  partyPosts: 'party_posts',
  /** unions established in non-public enterprises or social organisations */
  unionsEstablished: 'unions_established',
  unionMembers: 'union_members',
  awards: 'awards',
  awardsFrontline: 'awards_frontline',
  representatives: 'representatives',
  /** representatives of category model_worker or technical_worker */
  representativesWorkers: 'representatives_workers',
  competitionContestants: 'competition_contestants',
  skillStudios: 'skill_studios',
  zhongzhouTalents: 'zhongzhou_talents',
  zhongzhouCraftsmen: 'zhongzhou_craftsmen',
  innovationsConverted: 'innovations_converted',
  trainingBases: 'training_bases',
  apprenticeshipPairs: 'apprenticeship_pairs',
  /** distinct persons trained: counted once per scope and per period (see distinctMetrics) */
  trainedWorkers: 'trained_workers',
  legalAidCases: 'legal_aid_cases',
  legalAidBeneficiaries: 'legal_aid_beneficiaries',
  legalAidRecoveredFen: 'legal_aid_recovered_fen',
  hardshipAidGrants: 'hardship_aid_grants',
  hardshipAidFen: 'hardship_aid_fen',
  outreachActivities: 'outreach_activities',
  regulationBooklets: 'regulation_booklets',
  enterprisesServed: 'enterprises_served',
  workersReached: 'workers_reached',
} as const;

/**
 * Metrics counted once per person within each period and scope, which no sum
 * of smaller periods gives (a person trained in March and in June counts once
 * in the year). Their cells all live in the scope's month items: the day's
 * and the month's count, and, for the quarter, the year and all time, the
 * persons whose *first* date in that period falls in this month — so a
 * quarter's count is the sum of its three months' `@Q` cells (see
 * counterKeys and distinctCell).
 */
export const distinctMetrics: ReadonlySet<Metric> = new Set<Metric>([metrics.trainedWorkers]);

export type Metric = (typeof metrics)[keyof typeof metrics];

/**
 * Counter item keys. Partition: the scope — a division (`DIV#`) or one
 * organisation (`ORG#`). A division's items hold only what is recorded *at*
 * that division (its own share, see counter-changes.ts); a division's figure
 * is the sum over its subtree. Sort key: the Asia/Shanghai month; each day's
 * net change of a metric is the attribute `<metric>@<dd>`, so one item per
 * scope and month takes every event of that month.
 *
 * Distinct-count metrics keep exact counts instead, in the same month items:
 * the day's in `<metric>@<dd>`, the month's in `<metric>`, and in `<metric>@Q`,
 * `<metric>@Y`, `<metric>@A` the persons whose first date in the quarter, the
 * year or all time falls in that month. A person's first training at a scope
 * so writes one counter item there, not four; a quarter's, year's or all
 * time's count is the sum of those cells over its months.
 */
export const counterKeys = {
  division: (code: string): string => `DIV#${code}`,
  org: (orgCode: string): string => `ORG#${orgCode}`,
  month: (date: string): string => `M#${date.slice(0, 7)}`,
  /** The attribute of one day in a month item. */
  dayAttribute: (metric: string, date: string): string => `${metric}@${date.slice(8, 10)}`,
  /** Period keys of distinct counts (and of their explain cells). */
  day: (date: string): string => `D#${date}`,
  quarter: (date: string): string => `Q#${date.slice(0, 4)}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`,
  year: (date: string): string => `Y#${date.slice(0, 4)}`,
  allTime: (): string => 'A#ALL',
  /** Opening balances of a stock metric (baseline.recorded.v1): pk per metric, sk `<division>#<asOf>`. */
  baseline: (metric: string): string => `BASELINE#${metric}`,
  baselineEntry: (division: string, asOf: string): string => `${division}#${asOf}`,
} as const;
