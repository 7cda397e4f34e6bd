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
    id: 'party_members_developed',
    pillar: 'party',
    kind: 'flow',
    unit: 'count',
    name: { zh: '发展产业工人党员', en: 'Party members developed among industrial workers' },
    description: 'party.member.developed events in the period (each person once).',
    source: flow(metrics.partyMembers),
  },
  {
    id: 'party_org_coverage_non_public',
    pillar: 'party',
    kind: 'ratio',
    unit: 'percent',
    name: { zh: '非公企业党组织覆盖率', en: 'Party organisation coverage of non-public enterprises' },
    description: 'Registered non-public enterprises with a party organisation ÷ registered non-public enterprises, at the end of the period.',
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
    id: 'party_posts',
    pillar: 'party',
    kind: 'flow',
    unit: 'count',
    name: { zh: '党员示范岗、责任区、突击队', en: 'Party demonstration posts, responsibility zones and commando teams' },
    description: 'party.post.designated events in the period.',
    source: flow(metrics.partyPosts),
  },
  {
    id: 'unions_established',
    pillar: 'party',
    kind: 'flow',
    unit: 'count',
    name: { zh: '新建工会组织', en: 'Unions established' },
    description: 'union.established in non-public enterprises or social organisations, in the period.',
    source: flow(metrics.unionsEstablished),
  },
  {
    id: 'frontline_award_share',
    pillar: 'party',
    kind: 'ratio',
    unit: 'percent',
    name: { zh: '一线职工获奖占比', en: 'Share of awards to frontline workers' },
    description: 'award.granted with frontline ÷ all award.granted, in the period.',
    source: { numerator: flow(metrics.awardsFrontline), denominator: flow(metrics.awards) },
  },
  {
    id: 'representatives_worker_share',
    pillar: 'party',
    kind: 'ratio',
    unit: 'percent',
    name: { zh: '代表委员中劳模和技术工人占比', en: 'Share of model and technical workers among representatives' },
    description: 'Representatives seated in the period of category model_worker or technical_worker ÷ all seated in the period.',
    source: { numerator: flow(metrics.representativesWorkers), denominator: flow(metrics.representatives) },
  },
  {
    id: 'skilled_workers',
    pillar: 'skills',
    kind: 'stock',
    unit: 'count',
    name: { zh: '技能人才总量', en: 'Skilled workers' },
    description: 'Distinct persons holding a skill certificate at the end of the period (with any opening balance).',
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
    id: 'skill_studios',
    pillar: 'skills',
    kind: 'stock',
    unit: 'count',
    name: { zh: '技能大师（劳模、工匠）工作室', en: 'Skill master, model worker and craftsman studios' },
    description: 'studio.established, at the end of the period.',
    source: stock(metrics.skillStudios),
  },
  {
    id: 'zhongzhou_talents',
    pillar: 'skills',
    kind: 'stock',
    unit: 'count',
    name: { zh: '忠州英才', en: 'Zhongzhou talents' },
    description: 'talent.title.awarded zhongzhou_talent, at the end of the period.',
    source: stock(metrics.zhongzhouTalents),
  },
  {
    id: 'zhongzhou_craftsmen',
    pillar: 'skills',
    kind: 'stock',
    unit: 'count',
    name: { zh: '忠州工匠', en: 'Zhongzhou craftsmen' },
    description: 'talent.title.awarded zhongzhou_craftsman, at the end of the period.',
    source: stock(metrics.zhongzhouCraftsmen),
  },
  {
    id: 'innovations_converted',
    pillar: 'skills',
    kind: 'flow',
    unit: 'count',
    name: { zh: '职工创新成果转化', en: 'Worker innovations converted' },
    description: 'innovation.converted in the period (each project once).',
    source: flow(metrics.innovationsConverted),
  },
  {
    id: 'training_bases',
    pillar: 'skills',
    kind: 'stock',
    unit: 'count',
    name: { zh: '产教融合实训基地', en: 'Training bases' },
    description: 'training.base.established, at the end of the period.',
    source: stock(metrics.trainingBases),
  },
  {
    id: 'competition_contestants',
    pillar: 'skills',
    kind: 'flow',
    unit: 'count',
    name: { zh: '技能竞赛参赛人数', en: 'Skills competition contestants' },
    description: 'Distinct (competition, person) entries in the period.',
    source: flow(metrics.competitionContestants),
  },
  {
    id: 'apprenticeship_pairs',
    pillar: 'skills',
    kind: 'flow',
    unit: 'count',
    name: { zh: '名师带徒结对', en: 'Apprenticeship pairs' },
    description: 'apprenticeship.paired in the period.',
    source: flow(metrics.apprenticeshipPairs),
  },
  {
    id: 'dual_upgrade_rewards_yuan',
    pillar: 'skills',
    kind: 'flow',
    unit: 'yuan',
    name: { zh: '学历技能双提升奖励金额', en: 'Dual-upgrade rewards paid' },
    description: 'Rewards paid minus claw-backs in the period, yuan.',
    source: flow(metrics.rewardFen),
  },
  {
    id: 'dual_upgrade_rewarded_certificates',
    pillar: 'skills',
    kind: 'flow',
    unit: 'count',
    name: { zh: '学历技能双提升获奖证书', en: 'Certificates rewarded under the dual upgrade' },
    description: 'Certificates that earned a reward in the period, net of revocations.',
    source: flow(metrics.rewardedCertificates),
  },
  {
    id: 'collective_contracts',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '集体合同', en: 'Collective contracts' },
    description: 'contract.signed collective in the period.',
    source: flow(metrics.contractsCollective),
  },
  {
    id: 'special_collective_contracts',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '专项集体合同', en: 'Special collective contracts' },
    description: 'contract.signed special in the period.',
    source: flow(metrics.contractsSpecial),
  },
  {
    id: 'workers_covered_by_contracts',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '集体合同覆盖职工', en: 'Workers covered by contracts' },
    description: 'Sum of workersCovered of contracts signed in the period.',
    source: flow(metrics.contractWorkers),
  },
  {
    id: 'disputes_filed',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '劳动争议立案', en: 'Labour disputes filed' },
    description: 'Cases filed in the period.',
    source: flow(metrics.disputesFiled),
  },
  {
    id: 'disputes_mediated',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '劳动争议调解成功', en: 'Labour disputes mediated' },
    description: 'Cases mediated with an agreement in the period.',
    source: flow(metrics.disputesMediated),
  },
  {
    id: 'dispute_mediation_rate',
    pillar: 'rights',
    kind: 'ratio',
    unit: 'percent',
    name: { zh: '劳动争议调解成功率', en: 'Dispute mediation rate' },
    description: 'disputes_mediated ÷ disputes_filed, in the period.',
    source: { numerator: flow(metrics.disputesMediated), denominator: flow(metrics.disputesFiled) },
  },
  {
    id: 'disputes_resolved_one_stop',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '劳动争议一站式化解', en: 'Disputes resolved one-stop' },
    description: 'Cases with an agreement, a judicial confirmation and fulfilment, counted on the latest of the three dates.',
    source: flow(metrics.disputesOneStop),
  },
  {
    id: 'legal_aid_recovered_yuan',
    pillar: 'rights',
    kind: 'flow',
    unit: 'yuan',
    name: { zh: '法律援助挽回经济损失', en: 'Money recovered through legal aid' },
    description: 'Sum of recoveredYuan of legal-aid cases closed in the period, yuan.',
    source: flow(metrics.legalAidRecoveredFen),
  },
  {
    id: 'trained_workers',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '职工技能培训人数', en: 'Workers trained' },
    description: 'Distinct persons with training.completed in the period.',
    source: flow(metrics.trainedWorkers),
  },
  {
    id: 'regulation_booklets',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '发放法规宣传册', en: 'Regulation booklets handed out' },
    description: 'Sum of booklets of outreach in the period.',
    source: flow(metrics.regulationBooklets),
  },
  {
    id: 'enterprises_served',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '服务企业', en: 'Enterprises served' },
    description: 'Sum of enterprisesServed of outreach in the period.',
    source: flow(metrics.enterprisesServed),
  },
  {
    id: 'workers_reached',
    pillar: 'rights',
    kind: 'flow',
    unit: 'count',
    name: { zh: '覆盖职工', en: 'Workers reached' },
    description: 'Sum of workersReached of outreach in the period.',
    source: flow(metrics.workersReached),
  },
  {
    id: 'hardship_aid_yuan',
    pillar: 'rights',
    kind: 'flow',
    unit: 'yuan',
    name: { zh: '困难职工帮扶金额', en: 'Hardship aid granted' },
    description: 'Sum of amountYuan of hardship aid granted in the period, yuan.',
    source: flow(metrics.hardshipAidFen),
  },
];

const byId = new Map(indicatorCatalog.map((definition) => [definition.id, definition]));

export function findIndicator(id: string): IndicatorDefinition | undefined {
  return byId.get(id);
}

/** Money metrics are integer fen and say so in their name. */
export function isFenMetric(metric: Metric): boolean {
  return metric.endsWith('_fen');
}
