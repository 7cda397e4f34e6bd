/**
 * The indicator catalogue: declarative data, one entry per INDICATORS.md row.
 * Adding an indicator means adding an entry here; the one generic evaluator
 * (evaluator.ts) computes any entry from its `source`.
 */
import type { Metric } from '../domain/metrics.ts';
import { metrics } from '../domain/metrics.ts';

export type Pillar = 'party' | 'skills' | 'rights';
export type IndicatorKind = 'flow' | 'stock' | 'ratio';
export type IndicatorUnit = 'count' | 'percent' | 'yuan';

/**
 * How one counter metric is read: `flow` sums its net changes within the
 * period, `stock` sums them (plus any opening balance) up to the period's end.
 */
export interface MetricTerm {
  readonly metric: Metric;
  readonly aggregate: 'flow' | 'stock';
}

export interface RatioSource {
  readonly numerator: MetricTerm;
  readonly denominator: MetricTerm;
}

interface DefinitionFields {
  /** Stable public id, e.g. `skilled_workers`. */
  readonly id: string;
  readonly pillar: Pillar;
  readonly name: { readonly zh: string; readonly en: string };
  readonly description: string;
}

/**
 * One indicator. A `yuan` figure reads a fen metric and divides by 100; a
 * ratio is numerator ÷ denominator in percent.
 */
export type IndicatorDefinition = DefinitionFields &
  (
    | { readonly kind: 'flow' | 'stock'; readonly unit: 'count' | 'yuan'; readonly source: MetricTerm }
    | { readonly kind: 'ratio'; readonly unit: 'percent'; readonly source: RatioSource }
  );

const flow = (metric: Metric): MetricTerm => ({ metric, aggregate: 'flow' });
const stock = (metric: Metric): MetricTerm => ({ metric, aggregate: 'stock' });

/** Every indicator the API serves, in the order INDICATORS.md lists them. */
export const indicatorCatalog: readonly IndicatorDefinition[] = [
  {
    id: 'party_org_coverage_non_public',
    pillar: 'party',
    kind: 'ratio',
    unit: 'percent',
    name: { zh: '非公企业党组织覆盖率', en: 'Party organisation coverage of non-public enterprises' },
    description:
      'Registered non-public enterprises with a party organisation ÷ registered non-public enterprises, at the end of the period.',
    source: { numerator: stock(metrics.partyOrgsNonPublic), denominator: stock(metrics.orgsNonPublic) },
  },
  {
    id: 'party_org_coverage_social',
    pillar: 'party',
    kind: 'ratio',
    unit: 'percent',
    name: { zh: '社会组织党组织覆盖率', en: 'Party organisation coverage of social organisations' },
    description: 'Registered social organisations with a party organisation ÷ registered social organisations, at the end of the period.',
    source: { numerator: stock(metrics.partyOrgsSocial), denominator: stock(metrics.orgsSocial) },
  },
  {
    id: 'skilled_workers',
    pillar: 'skills',
    kind: 'stock',
    unit: 'count',
    name: { zh: '技能人才', en: 'Skilled workers' },
    description: 'Distinct persons holding a skill certificate at the end of the period.',
    source: stock(metrics.skilled),
  },
  {
    id: 'high_skilled_workers',
    pillar: 'skills',
    kind: 'stock',
    unit: 'count',
    name: { zh: '高技能人才', en: 'High-skilled workers' },
    description: 'Distinct persons holding a level3 (高级工) or higher skill certificate at the end of the period.',
    source: stock(metrics.highSkilled),
  },
  {
    id: 'dual_upgrade_rewards_yuan',
    pillar: 'skills',
    kind: 'flow',
    unit: 'yuan',
    name: { zh: '学历技能双提升奖励金额', en: 'Dual-upgrade rewards' },
    description: 'Degree and skill upgrade rewards paid in the period minus claw-backs for revoked certificates, in yuan.',
    source: flow(metrics.rewardFen),
  },
  {
    id: 'dual_upgrade_rewarded_certificates',
    pillar: 'skills',
    kind: 'flow',
    unit: 'count',
    name: { zh: '获双提升奖励证书数', en: 'Certificates rewarded under the dual upgrade' },
    description: 'Certificates that earned a dual-upgrade reward in the period, net of revocations.',
    source: flow(metrics.rewardedCertificates),
  },
  {
    id: 'collective_contracts',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '集体合同', en: 'Collective contracts' },
    description: 'Collective contracts signed in the period.',
    source: flow(metrics.contractsCollective),
  },
  {
    id: 'special_collective_contracts',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '专项集体合同', en: 'Special collective contracts' },
    description: 'Special collective contracts (wages, women, safety, other) signed in the period.',
    source: flow(metrics.contractsSpecial),
  },
  {
    id: 'workers_covered_by_contracts',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '集体合同覆盖职工', en: 'Workers covered by contracts' },
    description: 'Workers covered by the collective and special contracts signed in the period.',
    source: flow(metrics.contractWorkers),
  },
  {
    id: 'disputes_filed',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '劳动争议受理', en: 'Labour disputes filed' },
    description: 'Labour dispute cases filed in the period.',
    source: flow(metrics.disputesFiled),
  },
  {
    id: 'disputes_mediated',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '劳动争议调解成功', en: 'Labour disputes mediated' },
    description: 'Labour dispute cases mediated with an agreement in the period.',
    source: flow(metrics.disputesMediated),
  },
  {
    id: 'dispute_mediation_rate',
    pillar: 'rights',
    kind: 'ratio',
    unit: 'percent',
    name: { zh: '劳动争议调解成功率', en: 'Labour dispute mediation rate' },
    description: 'Cases mediated with an agreement ÷ cases filed, both within the period.',
    source: { numerator: flow(metrics.disputesMediated), denominator: flow(metrics.disputesFiled) },
  },
  {
    id: 'disputes_resolved_one_stop',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '劳动争议一站式化解', en: 'Labour disputes resolved one-stop' },
    description:
      'Cases with an agreement, a judicial confirmation and fulfilment, counted in the period the last of the three arrived.',
    source: flow(metrics.disputesOneStop),
  },
];

const byId = new Map(indicatorCatalog.map((definition) => [definition.id, definition]));

/** The catalogue entry with this id, if any. */
export function findIndicator(id: string): IndicatorDefinition | undefined {
  return byId.get(id);
}

/** Money metrics are integer fen and say so in their name. */
export function isFenMetric(metric: Metric): boolean {
  return metric.endsWith('_fen');
}
