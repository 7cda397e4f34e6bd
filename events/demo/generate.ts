/**
 * The Zhong County demo data set: organisations spread over the county's 29
 * streets and townships, opening balances, and a year (2026) of events from
 * every producer, built so that the API returns every figure the county
 * published (INDICATORS.md) at county level for 2026.
 *
 * Deterministic: one seeded generator, no clock. `npm run demo:generate`
 * (`tsx events/demo/generate.ts`) rewrites the checked-in `*.ndjson` files;
 * `test/unit/demo-data.test.ts` fails when they drift from {@link buildDemo}.
 *
 * Nothing here is a real person: ID numbers come from `residentIdFor` (from
 * 1,000,000 up) and credit codes from `usccFor` (from 5,000,000 up), and no
 * event type carries a person's name.
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { DivisionNode } from '../../packages/config/deployment.ts';
import { defaultRewardPolicy, rewardYuan as rewardOn } from '../../packages/config/deployment.ts';
import { zhongCounty } from '../../packages/config/zhong-county.ts';
import type { EventData, EventType } from '../../packages/contract/event-types.ts';
import type { SampleEvent } from '../../packages/contract/fixtures.ts';
import { residentIdFor, usccFor } from '../../packages/contract/fixtures.ts';
import { personContributions } from '../../packages/domain/rules/certificates.ts';
import { metrics } from '../../packages/domain/metrics.ts';
import type { HeldCertificate, PersonState } from '../../packages/domain/state.ts';
import { percentHalfUp } from '../../packages/indicators/evaluator.ts';

/** An event exactly as a producer sends it. */
export type DemoEvent = SampleEvent;

/** The files under `events/demo/`, in the order `npm start` reads them (path order). */
export const demoFileNames = ['baselines.ndjson', 'party.ndjson', 'registry.ndjson', 'rights.ndjson', 'skills.ndjson'] as const;
export type DemoFileName = (typeof demoFileNames)[number];

/** Stock figures planned for one township at the end of 2026. */
export interface TownshipPlan {
  readonly skilled_workers: number;
  readonly high_skilled_workers: number;
}

export interface DemoDataSet {
  /** Each file's events, sorted by time then id. */
  readonly files: Readonly<Record<DemoFileName, readonly DemoEvent[]>>;
  /** Every event, file by file. */
  readonly events: readonly DemoEvent[];
  /**
   * The county figure for 2026 of every indicator in the catalogue, as the
   * data set is built to give it: the published ones and the "—" ones.
   */
  readonly figures: Readonly<Record<string, number>>;
  /** Township code → its planned skilled and high-skilled stocks at the end of 2026. */
  readonly townships: Readonly<Record<string, TownshipPlan>>;
}

/** The county division code of Zhong County. */
export const demoCounty = zhongCounty.code;

/**
 * The county-level figures Zhong County published for 2026 (INDICATORS.md,
 * right-hand column): indicator id → value, percent as a number (87.23),
 * money in yuan.
 */
export const publishedFigures: Readonly<Record<string, number>> = {
  party_members_developed: 167,
  party_org_coverage_non_public: 87.23,
  party_org_coverage_social: 77.83,
  party_posts: 150,
  unions_established: 114,
  frontline_award_share: 63,
  skilled_workers: 114_300,
  high_skilled_workers: 34_600,
  skill_studios: 52,
  zhongzhou_talents: 12,
  zhongzhou_craftsmen: 17,
  innovations_converted: 145,
  training_bases: 22,
  competition_contestants: 140,
  collective_contracts: 135,
  special_collective_contracts: 703,
  disputes_resolved_one_stop: 27,
  legal_aid_recovered_yuan: 56_850_000,
  trained_workers: 1_800,
  regulation_booklets: 1_500,
  enterprises_served: 80,
  workers_reached: 2_000,
};

// ---------------------------------------------------------------------------
// Deterministic randomness and dates

const seed = 0x5002_33;

/** mulberry32: small, fast, and the same sequence on every machine. */
class SeededRandom {
  private state: number;

  constructor(seedValue: number) {
    this.state = seedValue >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer from `low` to `high`, both included. */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new DemoPlanError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  weighted<T>(items: readonly T[], weight: (item: T) => number): T {
    const [chosen] = this.sample(items, 1, weight);
    if (chosen === undefined) throw new DemoPlanError('weighted pick from an empty list');
    return chosen;
  }

  /** `count` distinct items, more likely the heavier ones (Efraimidis–Spirakis). */
  sample<T>(items: readonly T[], count: number, weight: (item: T) => number = () => 1): T[] {
    if (count > items.length) throw new DemoPlanError(`cannot choose ${count} of ${items.length}`);
    return items
      .map((item) => ({ item, key: Math.log(this.next() || Number.MIN_VALUE) / Math.max(weight(item), 1e-9) }))
      .sort((a, b) => b.key - a.key)
      .slice(0, count)
      .map(({ item }) => item);
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

/** The plan cannot be met (a bug in this file, never bad input). */
export class DemoPlanError extends Error {
  override readonly name = 'DemoPlanError';
}

const dayMs = 86_400_000;
const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / dayMs;
const dateOf = (day: number): string => new Date(day * dayMs).toISOString().slice(0, 10);
const addDays = (date: string, days: number): string => dateOf(dayNumber(date) + days);
const later = (a: string, b: string): string => (a > b ? a : b);

/** The first and last day 2026 events are dated: the demo stops a few days before "today" (2026-11-24). */
const yearStart = '2026-01-05';
const yearEnd = '2026-11-20';

/**
 * Largest-remainder apportionment: whole numbers proportional to `weights`
 * that add up to exactly `total`.
 */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    out[i] = (out[i] as number) + 1;
    left -= 1;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Townships and organisations

interface Township {
  readonly code: string;
  /** 忠州, 拔山, 磨子: the name without 街道/镇/乡. */
  readonly short: string;
  readonly tier: 'street' | 'town' | 'xiang';
  /** Relative size of its economy: how many organisations and events it gets. */
  readonly weight: number;
}

/**
 * Relative weights: the four streets (the county seat and the industrial
 * park at 乌杨) are largest, the larger market towns next, the six 乡 small.
 */
const townshipWeights: Readonly<Record<string, number>> = {
  '500233001000': 16, // 忠州街道, county seat
  '500233002000': 11, // 白公街道
  '500233003000': 12, // 乌杨街道, industrial park
  '500233004000': 9, // 新生街道
  '500233114000': 5, // 拔山镇
  '500233105000': 4, // 石宝镇
  '500233112000': 4, // 新立镇
  '500233106000': 4, // 汝溪镇
  '500233111000': 2, // 金鸡镇
  '500233116000': 2, // 永丰镇
  '500233118000': 2, // 白石镇
};

function townshipsOf(root: DivisionNode): Township[] {
  return (root.children ?? []).map((node) => {
    const tier = node.name.zh.endsWith('街道') ? 'street' : node.name.zh.endsWith('镇') ? 'town' : 'xiang';
    const short = node.name.zh.replace(/(街道|土家族乡|镇|乡)$/, '');
    const weight = townshipWeights[node.code] ?? (tier === 'xiang' ? 1 : 3);
    return { code: node.code, short, tier, weight };
  });
}

type OrgKind = 'enterprise' | 'social_org' | 'public_institution';
type Ownership = 'non_public' | 'state_owned' | 'collective';

interface Org {
  readonly code: string;
  readonly name: string;
  readonly kind: OrgKind;
  readonly ownership?: Ownership;
  readonly division: string;
  readonly industry?: string;
  readonly workers: number;
  readonly registeredOn: string;
  deregisteredOn?: string;
  partyOrgOn?: string;
}

const isActive = (org: Org): boolean => org.deregisteredOn === undefined;
const isEnterprise = (org: Org): boolean => org.kind === 'enterprise';
const isNonPublic = (org: Org): boolean => org.kind === 'enterprise' && org.ownership === 'non_public';

/** Registered non-public enterprises and social organisations, and how many of each end 2026 deregistered. */
const registryPlan = {
  nonPublic: 276,
  nonPublicDeregistered: 2,
  social: 204,
  socialDeregistered: 1,
  /** 239 / 274 = 87.226…% → 87.23% */
  nonPublicWithPartyOrg: 239,
  /** 158 / 203 = 77.832…% → 77.83% */
  socialWithPartyOrg: 158,
} as const;

const industries: ReadonlyArray<readonly [label: string, industry: string, workers: readonly [number, number]]> = [
  ['机械制造', 'manufacturing', [30, 600]],
  ['电子科技', 'electronics', [40, 900]],
  ['食品', 'food', [20, 400]],
  ['柑橘加工', 'agriculture', [20, 500]],
  ['纺织服装', 'textiles', [40, 800]],
  ['新型建材', 'building_materials', [20, 300]],
  ['物流', 'logistics', [10, 200]],
  ['汽车零部件', 'manufacturing', [50, 700]],
  ['农业开发', 'agriculture', [8, 120]],
  ['电子商务', 'e-commerce', [6, 80]],
  ['建筑工程', 'construction', [30, 600]],
  ['医药', 'pharmaceuticals', [30, 400]],
  ['竹木制品', 'manufacturing', [10, 150]],
  ['新能源科技', 'energy', [30, 500]],
  ['餐饮管理', 'catering', [8, 120]],
  ['酒业', 'food', [10, 200]],
  ['笋竹食品', 'food', [10, 150]],
  ['智能装备', 'manufacturing', [40, 600]],
  ['包装材料', 'manufacturing', [15, 200]],
  ['商贸', 'retail', [5, 60]],
];

const brands = [
  '恒达', '鑫源', '华兴', '瑞丰', '金诚', '宏图', '永盛', '天宇', '长江', '三峡', '忠州', '巴渝', '祥和', '嘉禾',
  '盛世', '博远', '中鼎', '佳美', '新锐', '源泉', '兴旺', '宏达', '锦程', '顺通', '润泽', '晨光', '精工', '和美',
  '弘业', '明珠', '信诚', '众鑫', '海川', '亿丰', '德润', '卓越', '丰源', '腾达', '银河', '蓝天',
];

const socialTopics = [
  '个体劳动者协会', '物流行业协会', '柑橘产业协会', '餐饮行业协会', '电子商务协会', '建筑业协会', '家政服务协会',
  '志愿者协会', '老年人协会', '青年创业促进会', '商会', '农民专业合作联合会', '书法家协会', '摄影家协会',
  '体育协会', '慈善会', '社会工作服务中心', '职业技能培训学校', '养老服务中心', '文化艺术培训中心',
];

const stateOwnedNames = [
  '忠县城市建设投资集团有限公司', '忠县水务集团有限公司', '忠县交通建设投资有限公司', '忠县农业发展投资集团有限公司',
  '忠县文化旅游发展集团有限公司', '忠县工业园区开发建设有限公司', '忠县供排水有限公司', '忠县公共交通有限公司',
  '忠县粮食收储有限公司', '忠县电力有限责任公司', '忠县燃气有限公司', '忠县国有资产经营管理有限公司',
  '忠县港务有限公司', '忠县林业开发有限公司', '忠县医药有限公司', '忠县物资回收有限公司', '忠县市政园林有限公司',
  '忠县保安服务有限公司', '忠县融资担保有限公司', '忠县柑橘产业集团有限公司', '忠县电影发行放映有限公司',
  '忠县图书发行有限公司', '忠县土地开发有限公司', '忠县人力资源开发有限公司',
];

function buildOrgs(random: SeededRandom, townships: readonly Township[]): Org[] {
  let nextOrg = 5_000_000;
  const names = new Set<string>();
  const orgs: Org[] = [];
  const registeredOn = (): string => dateOf(random.int(dayNumber('2015-01-01'), dayNumber('2025-12-31')));
  const add = (org: Omit<Org, 'code'>): void => {
    if (names.has(org.name)) throw new DemoPlanError('organisation names must be unique');
    names.add(org.name);
    orgs.push({ ...org, code: usccFor(nextOrg) });
    nextOrg += 1;
  };
  // Each kind spread over the townships by weight, so breakdowns look like the county.
  const spread = (count: number, weight: (t: Township) => number): Township[] =>
    random.shuffle(townships.flatMap((t, i) => Array<Township>(apportion(count, townships.map(weight))[i] ?? 0).fill(t)));

  for (const township of spread(registryPlan.nonPublic, (t) => t.weight)) {
    const [label, industry, [fewest, most]] = random.pick(industries);
    let name = `忠县${random.pick(brands)}${label}有限公司`;
    if (names.has(name)) name = `忠县${township.short}${random.pick(brands)}${label}有限公司`;
    while (names.has(name)) name = `忠县${township.short}${random.pick(brands)}${random.pick(brands)}${label}有限公司`;
    // Most enterprises are small: skew the head count towards the low end.
    const workers = Math.round(fewest + (most - fewest) * random.next() ** 2.2);
    // A few are new in 2026 (the county's investment drive).
    const registered = random.chance(0.06) ? dateOf(random.int(dayNumber(yearStart), dayNumber('2026-06-30'))) : registeredOn();
    add({ name, kind: 'enterprise', ownership: 'non_public', division: township.code, industry, workers, registeredOn: registered });
  }
  for (const township of spread(registryPlan.social, (t) => t.weight + 2)) {
    let name = `忠县${township.short}${random.pick(socialTopics)}`;
    // The larger streets have more organisations than there are topics: some share a topic under another name.
    for (let tries = 0; names.has(name); tries += 1) {
      name = tries < 20 ? `忠县${township.short}${random.pick(socialTopics)}` : `忠县${township.short}${random.pick(brands)}${random.pick(socialTopics)}`;
    }
    const registered = random.chance(0.05) ? dateOf(random.int(dayNumber(yearStart), dayNumber('2026-06-30'))) : registeredOn();
    add({ name, kind: 'social_org', division: township.code, workers: random.int(3, 40), registeredOn: registered });
  }
  const streets = townships.filter((t) => t.tier === 'street');
  for (const name of stateOwnedNames) {
    const township = random.weighted(streets, (t) => t.weight);
    add({ name, kind: 'enterprise', ownership: 'state_owned', division: township.code, workers: random.int(40, 800), registeredOn: registeredOn() });
  }
  for (const township of random.sample(townships.filter((t) => t.tier === 'town'), 12, (t) => t.weight)) {
    add({
      name: `忠县${township.short}供销合作社`,
      kind: 'enterprise',
      ownership: 'collective',
      division: township.code,
      industry: 'retail',
      workers: random.int(12, 90),
      registeredOn: registeredOn(),
    });
  }
  for (const township of townships) {
    const name = township.tier === 'street' ? `忠县${township.short}街道社区卫生服务中心` : `忠县${township.short}${township.tier === 'town' ? '镇' : '乡'}中心卫生院`;
    add({ name, kind: 'public_institution', division: township.code, industry: 'health', workers: random.int(25, 140), registeredOn: registeredOn() });
  }
  const seat = townships[0] as Township;
  add({ name: '忠县人民医院', kind: 'public_institution', division: seat.code, industry: 'health', workers: 980, registeredOn: registeredOn() });
  add({ name: '忠县职业教育中心', kind: 'public_institution', division: seat.code, industry: 'education', workers: 260, registeredOn: registeredOn() });
  return orgs;
}

/** Marks the planned deregistrations and party organisations on `orgs`. */
function planRegistry(random: SeededRandom, orgs: Org[]): void {
  const deregister = (candidates: Org[], count: number): void => {
    for (const org of random.sample(candidates.filter((o) => o.registeredOn < '2024-01-01'), count)) {
      org.deregisteredOn = dateOf(random.int(dayNumber('2026-03-01'), dayNumber('2026-09-30')));
    }
  };
  deregister(orgs.filter(isNonPublic), registryPlan.nonPublicDeregistered);
  deregister(orgs.filter((o) => o.kind === 'social_org'), registryPlan.socialDeregistered);

  const partyOrgDate = (org: Org): string => {
    const settled = addDays(org.registeredOn, random.int(20, 200));
    const earliest = settled > '2026-10-31' ? addDays(org.registeredOn, 10) : later(settled, '2015-06-01');
    // Most party organisations predate 2026; the county still set up some this year.
    if (earliest > '2025-12-31' || random.chance(0.14)) return dateOf(random.int(dayNumber(later(earliest, yearStart)), dayNumber(yearEnd)));
    return dateOf(random.int(dayNumber(earliest), dayNumber('2025-12-31')));
  };
  const cover = (candidates: Org[], count: number): void => {
    // Larger organisations are likelier to have a party organisation.
    for (const org of random.sample(candidates, count, (o) => o.workers)) org.partyOrgOn = partyOrgDate(org);
  };
  cover(orgs.filter((o) => isNonPublic(o) && isActive(o)), registryPlan.nonPublicWithPartyOrg);
  cover(orgs.filter((o) => o.kind === 'social_org' && isActive(o)), registryPlan.socialWithPartyOrg);
  cover(orgs.filter((o) => o.ownership === 'state_owned'), 22);
  cover(orgs.filter((o) => o.ownership === 'collective'), 8);
  cover(orgs.filter((o) => o.kind === 'public_institution'), 31);
}

// ---------------------------------------------------------------------------
// Events

class EventLog {
  readonly events: DemoEvent[] = [];
  private readonly sequences = new Map<string, number>();

  constructor(private readonly random: SeededRandom) {}

  /** A time on `date` during office hours, Zhong County time. */
  time(date: string): string {
    const hour = String(this.random.int(8, 17)).padStart(2, '0');
    const minute = String(this.random.int(0, 59)).padStart(2, '0');
    return `${date}T${hour}:${minute}:00+08:00`;
  }

  /** Records one event; its id is `<prefix>-<n>`, numbered per prefix. */
  add<T extends EventType>(type: T, source: string, prefix: string, date: string, data: EventData<T>): void {
    const n = (this.sequences.get(prefix) ?? 0) + 1;
    this.sequences.set(prefix, n);
    this.events.push({
      specversion: '1.0',
      id: `${prefix}-${String(n).padStart(5, '0')}`,
      source,
      type,
      time: this.time(date),
      datacontenttype: 'application/json',
      data,
    } as DemoEvent);
  }
}

let nextPerson = 1_000_000;
/** A new person's resident ID number, never used before in the demo. */
const newPerson = (): string => residentIdFor(nextPerson++);

/**
 * A day in 2026 from `from` to `to`, not before `org` was registered. An
 * organisation registered after `to` gets a day after its registration
 * (never past {@link yearEnd}) instead.
 */
function dayIn2026(random: SeededRandom, org?: Org, from: string = yearStart, to: string = yearEnd): string {
  const first = org === undefined ? from : later(from, addDays(org.registeredOn, 1));
  if (first > yearEnd) throw new DemoPlanError('an event would be dated after the demo year ends');
  return dateOf(random.int(dayNumber(first), dayNumber(first > to ? yearEnd : to)));
}

const byWorkers = (o: Org): number => Math.sqrt(o.workers);

function partyEvents(random: SeededRandom, log: EventLog, orgs: readonly Org[]): void {
  const active = orgs.filter(isActive);
  // Awards and seats of early 2026 go to organisations that existed before the year began.
  const established = active.filter((o) => o.registeredOn < '2026-01-01');
  for (const org of orgs.filter((o) => o.partyOrgOn !== undefined)) {
    const on = org.partyOrgOn as string;
    log.add('party.organization.established.v1', 'party.zhongxian', 'zx-party-org', on, { orgCode: org.code, establishedOn: on });
  }
  const covered = active.filter((o) => o.partyOrgOn !== undefined);
  const afterPartyOrg = (org: Org): string => dayIn2026(random, org, later(yearStart, addDays(org.partyOrgOn as string, 1)));

  // 167 members developed, three in four on the front line.
  for (let i = 0; i < 167; i += 1) {
    const org = random.weighted(covered, byWorkers);
    const on = afterPartyOrg(org);
    log.add('party.member.developed.v1', 'party.zhongxian', 'zx-party-member', on, {
      idNumber: newPerson(),
      orgCode: org.code,
      admittedOn: on,
      frontline: random.chance(0.75),
    });
  }

  const posts: ReadonlyArray<readonly ['demonstration_post' | 'responsibility_zone' | 'commando_team', string, number]> = [
    ['demonstration_post', '党员示范岗', 0.5],
    ['responsibility_zone', '党员责任区', 0.3],
    ['commando_team', '党员突击队', 0.2],
  ];
  const places = ['数控车间', '装配车间', '质检班组', '仓储物流', '生产一线', '研发中心', '安全生产', '客户服务', '包装车间', '设备维修', '营销服务', '原料车间'];
  const named = new Set<string>();
  for (let made = 0; made < 150; ) {
    const org = random.weighted(covered, byWorkers);
    const [postKind, label] = random.weighted(posts, ([, , share]) => share);
    const name = `${random.pick(places)}${label}`;
    if (named.has(`${org.code}|${name}`)) continue;
    named.add(`${org.code}|${name}`);
    log.add('party.post.designated.v1', 'party.zhongxian', 'zx-party-post', afterPartyOrg(org), { orgCode: org.code, postKind, name });
    made += 1;
  }

  // 114 unions where they count (non-public enterprises, social organisations), and a few in state-owned ones that do not.
  const unionOrgs = [
    ...random.sample(active.filter(isNonPublic), 90, byWorkers),
    ...random.sample(active.filter((o) => o.kind === 'social_org'), 24),
    ...random.sample(active.filter((o) => o.ownership === 'state_owned'), 4),
  ];
  for (const org of unionOrgs) {
    const on = dayIn2026(random, org);
    const members = Math.max(1, Math.round(org.workers * (0.7 + 0.3 * random.next())));
    log.add('union.established.v1', 'union.zhongxian', 'zx-union', on, { orgCode: org.code, establishedOn: on, members });
  }

  // 100 awards, 63 of them to front-line workers.
  const awards: ReadonlyArray<readonly [string, 'county' | 'province' | 'national', number]> = [
    ['忠县五一劳动奖章', 'county', 0.45],
    ['忠县劳动模范', 'county', 0.15],
    ['忠县技术能手', 'county', 0.12],
    ['重庆市五一劳动奖章', 'province', 0.15],
    ['重庆市技术能手', 'province', 0.08],
    ['全国五一劳动奖章', 'national', 0.05],
  ];
  const frontline = random.shuffle([...Array<boolean>(63).fill(true), ...Array<boolean>(37).fill(false)]);
  for (const isFrontline of frontline) {
    const org = random.weighted(established, byWorkers);
    const [awardName, level] = random.weighted(awards, ([, , share]) => share);
    log.add('award.granted.v1', 'union.zhongxian', 'zx-award', dayIn2026(random, org, '2026-04-20', '2026-05-05'), {
      idNumber: newPerson(),
      orgCode: org.code,
      awardName,
      level,
      frontline: isFrontline,
    });
  }

  for (const [body, count, workers] of [['party_congress', 16, 9], ['peoples_congress', 20, 14], ['cppcc', 12, 7]] as const) {
    const categories = random.shuffle([
      ...Array<'model_worker' | 'technical_worker' | 'other'>(Math.floor(workers / 2)).fill('model_worker'),
      ...Array<'model_worker' | 'technical_worker' | 'other'>(workers - Math.floor(workers / 2)).fill('technical_worker'),
      ...Array<'model_worker' | 'technical_worker' | 'other'>(count - workers).fill('other'),
    ]);
    for (const category of categories) {
      const org = random.weighted(established, byWorkers);
      log.add('representative.seated.v1', 'party.zhongxian', 'zx-representative', dayIn2026(random, org, '2026-01-10', '2026-01-25'), {
        idNumber: newPerson(),
        orgCode: org.code,
        body,
        category,
      });
    }
  }
}

// --- skills

type SkillLevel = 'level1' | 'level2' | 'level3' | 'level4' | 'level5';
type DegreeLevel = 'associate' | 'bachelor' | 'master' | 'doctor';

interface PlannedCertificate {
  readonly certificateNo: string;
  readonly kind: 'skill' | 'degree';
  readonly level: SkillLevel | DegreeLevel;
  readonly org: Org;
  readonly issuedOn: string;
  readonly submittedOn: string;
  revokedOn?: string;
}

interface CertificateHolder {
  readonly idNumber: string;
  readonly frontline: boolean;
  readonly certificates: PlannedCertificate[];
}

const skillLevels: readonly SkillLevel[] = ['level5', 'level4', 'level3', 'level2', 'level1'];
const occupations = [
  '数控车工', '焊工', '电工', '钳工', '汽车维修工', '中式烹调师', '育婴员', '养老护理员', '电子商务师', '茶艺师', '叉车司机',
  '农艺工', '果树工', '砌筑工', '钢筋工', '美发师', '保育师', '家政服务员', '化学检验员', '装配钳工', '仓储管理员', '健康管理师',
];

function planCertificates(random: SeededRandom, orgs: readonly Org[]): CertificateHolder[] {
  // Employers that existed before 2026, so every step of a certificate path falls after registration.
  const employers = orgs.filter((o) => isEnterprise(o) && isActive(o) && o.registeredOn < '2026-01-01');
  let nextSkill = 1;
  let nextDegree = 1;
  const certificate = (kind: 'skill' | 'degree', level: SkillLevel | DegreeLevel, org: Org, from: string, to: string): PlannedCertificate => {
    const issuedOn = dayIn2026(random, org, from, to);
    const certificateNo = kind === 'skill' ? `S5002332026${String(nextSkill++).padStart(5, '0')}` : `D5002332026${String(nextDegree++).padStart(5, '0')}`;
    return { certificateNo, kind, level, org, issuedOn, submittedOn: addDays(issuedOn, random.int(1, 12)) };
  };
  const holders: CertificateHolder[] = [];
  // 320 persons with skill certificates: the highest level they reach this year.
  const topLevels = apportion(320, [30, 32, 24, 10, 4]);
  skillLevels.forEach((top, rank) => {
    for (let i = 0; i < (topLevels[rank] ?? 0); i += 1) {
      const org = random.weighted(employers, byWorkers);
      const certificates: PlannedCertificate[] = [];
      const roll = random.next();
      if (roll < 0.16 && rank > 0) {
        // Passed a lower level earlier in the year, sometimes with a former employer.
        const before = random.chance(0.2) ? random.weighted(employers, byWorkers) : org;
        const first = certificate('skill', skillLevels[rank - 1] as SkillLevel, before, yearStart, '2026-05-31');
        certificates.push(first, certificate('skill', top, org, addDays(first.issuedOn, 60), '2026-11-05'));
      } else if (roll < 0.26) {
        // A second occupation at the same level.
        certificates.push(certificate('skill', top, org, yearStart, '2026-06-30'), certificate('skill', top, org, '2026-07-01', '2026-11-05'));
      } else if (roll < 0.3 && rank > 1) {
        // Three steps: two lower levels first.
        const first = certificate('skill', skillLevels[rank - 2] as SkillLevel, org, yearStart, '2026-03-31');
        const second = certificate('skill', skillLevels[rank - 1] as SkillLevel, org, addDays(first.issuedOn, 45), '2026-07-31');
        certificates.push(first, second, certificate('skill', top, org, addDays(second.issuedOn, 45), '2026-11-05'));
      } else {
        certificates.push(certificate('skill', top, org, yearStart, '2026-11-05'));
      }
      // 学历技能双提升: some also earned a degree.
      if (random.chance(0.14)) {
        const degree = random.weighted<DegreeLevel>(['associate', 'bachelor', 'master'], (d) => ({ associate: 60, bachelor: 35, master: 5, doctor: 0 })[d]);
        certificates.push(certificate('degree', degree, org, yearStart, '2026-11-05'));
      }
      holders.push({ idNumber: newPerson(), frontline: random.chance(0.7), certificates });
    }
  });
  // A dozen earned only a degree: rewarded, but not skilled workers.
  for (let i = 0; i < 12; i += 1) {
    const org = random.weighted(employers, byWorkers);
    const degree = random.weighted<DegreeLevel>(['associate', 'bachelor'], (d) => (d === 'associate' ? 2 : 1));
    holders.push({ idNumber: newPerson(), frontline: random.chance(0.5), certificates: [certificate('degree', degree, org, yearStart, '2026-11-05')] });
  }

  // A handful of revocations, each of a different kind of consequence.
  const revoke = (holder: CertificateHolder | undefined, pickOne: (h: CertificateHolder) => PlannedCertificate | undefined): void => {
    const chosen = holder === undefined ? undefined : pickOne(holder);
    if (chosen === undefined) throw new DemoPlanError('no certificate to revoke');
    chosen.revokedOn = dateOf(random.int(dayNumber(chosen.submittedOn) + 10, dayNumber(yearEnd)));
  };
  const early = (c: PlannedCertificate): boolean => c.submittedOn <= '2026-09-30';
  const skills = (h: CertificateHolder): PlannedCertificate[] => h.certificates.filter((c) => c.kind === 'skill');
  const only = random.shuffle(holders.filter((h) => h.certificates.length === 1 && skills(h).length === 1 && early(skills(h)[0] as PlannedCertificate)));
  const upgraded = random.shuffle(
    holders.filter((h) => {
      const s = skills(h);
      return s.length === 2 && s[0]?.level !== s[1]?.level && early(s[1] as PlannedCertificate) && ['level3', 'level2'].includes(s[1]?.level ?? '');
    }),
  );
  const sameLevel = random.shuffle(holders.filter((h) => skills(h).length === 2 && skills(h)[0]?.level === skills(h)[1]?.level && skills(h)[0]?.level === 'level3'));
  const withDegree = random.shuffle(holders.filter((h) => h.certificates.some((c) => c.kind === 'degree' && early(c)) && skills(h).length > 0));
  // The person drops out of the skilled count.
  revoke(only[0], (h) => h.certificates[0]);
  revoke(only[1], (h) => h.certificates[0]);
  // The person falls back to the lower level (high-skilled → skilled only, or stays high-skilled).
  revoke(upgraded[0], (h) => skills(h)[1]);
  revoke(upgraded[1], (h) => skills(h)[1]);
  // The reward moves to the other certificate of the same level: no net change.
  revoke(sameLevel[0], (h) => (early(skills(h)[0] as PlannedCertificate) ? skills(h)[0] : undefined));
  // The degree reward is clawed back.
  revoke(withDegree[0], (h) => h.certificates.find((c) => c.kind === 'degree'));
  return holders;
}

function certificateEvents(random: SeededRandom, log: EventLog, holders: readonly CertificateHolder[]): void {
  for (const holder of holders) {
    for (const c of holder.certificates) {
      log.add('certificate.submitted.v1', 'hrss.zhongxian', 'zx-cert', c.submittedOn, {
        certificateNo: c.certificateNo,
        kind: c.kind,
        level: c.level,
        issuedOn: c.issuedOn,
        holder: { idNumber: holder.idNumber, frontline: holder.frontline },
        orgCode: c.org.code,
        ...(c.kind === 'skill' ? { occupation: random.pick(occupations) } : {}),
      });
      if (c.revokedOn !== undefined) {
        log.add('certificate.revoked.v1', 'hrss.zhongxian', 'zx-cert-revoked', c.revokedOn, {
          certificateNo: c.certificateNo,
          reason: c.kind === 'skill' ? '鉴定机构复核，证书信息有误，予以撤销' : '学历信息核验未通过，予以撤销',
        });
      }
    }
  }
}

/**
 * What the certificates change in 2026: per township, the net skilled and
 * high-skilled persons (counted as the domain counts them), and the
 * dual-upgrade rewards net of claw-backs.
 */
function certificateOutcome(holders: readonly CertificateHolder[]): {
  skilled: Map<string, number>;
  highSkilled: Map<string, number>;
  rewardYuan: number;
  rewardedCertificates: number;
} {
  const skilled = new Map<string, number>();
  const highSkilled = new Map<string, number>();
  let rewardYuan = 0;
  let rewardedCertificates = 0;
  for (const holder of holders) {
    const held = holder.certificates.filter((c) => c.revokedOn === undefined);
    const certificates: Record<string, HeldCertificate> = {};
    for (const c of held) certificates[c.certificateNo] = { kind: c.kind, level: c.level, orgCode: c.org.code, division: c.org.division, issuedOn: c.issuedOn, countedFrom: c.issuedOn };
    const person: PersonState = { entity: 'person', ref: holder.idNumber, certificates, version: 1 };
    for (const delta of personContributions(person, defaultRewardPolicy)) {
      const into = delta.metric === metrics.skilled ? skilled : delta.metric === metrics.highSkilled ? highSkilled : undefined;
      const division = delta.divisions[0] as string;
      into?.set(division, (into.get(division) ?? 0) + delta.amount);
    }
    // One reward per (person, kind, level) still held.
    for (const key of new Set(held.map((c) => `${c.kind}#${c.level}`))) {
      const [kind, level] = key.split('#') as ['skill' | 'degree', string];
      const yuan = rewardOn(defaultRewardPolicy, kind, level, '2026-01-01');
      if (yuan > 0) {
        rewardYuan += yuan;
        rewardedCertificates += 1;
      }
    }
  }
  return { skilled, highSkilled, rewardYuan, rewardedCertificates };
}

/** Planned stocks per township: the county total spread by size, high-skilled a larger share in the streets. */
function planTownshipStocks(random: SeededRandom, townships: readonly Township[]): Map<string, TownshipPlan> {
  // Size plus local variation (labour-export towns, specialised trades), so no two townships look alike.
  const skilledTargets = apportion(publishedFigures['skilled_workers'] as number, townships.map((t) => (t.weight + 2) * (0.8 + 0.4 * random.next())));
  const highShare = townships.map((t) => (t.tier === 'street' ? 0.34 : t.tier === 'town' ? 0.29 : 0.25) + (random.next() - 0.5) * 0.04);
  const highTargets = apportion(
    publishedFigures['high_skilled_workers'] as number,
    skilledTargets.map((s, i) => s * (highShare[i] as number)),
  );
  return new Map(
    townships.map((t, i) => [t.code, { skilled_workers: skilledTargets[i] as number, high_skilled_workers: highTargets[i] as number }]),
  );
}

function baselineEvents(log: EventLog, plans: ReadonlyMap<string, TownshipPlan>, outcome: ReturnType<typeof certificateOutcome>): void {
  for (const [division, plan] of plans) {
    const skilled = plan.skilled_workers - (outcome.skilled.get(division) ?? 0);
    const high = plan.high_skilled_workers - (outcome.highSkilled.get(division) ?? 0);
    if (skilled < high || high < 0) throw new DemoPlanError(`implausible opening balance in ${division}`);
    log.add('baseline.recorded.v1', 'stats.zhongxian', 'zx-baseline', '2026-01-06', { metric: 'skilled_workers', division, asOf: '2025-12-31', value: skilled });
    log.add('baseline.recorded.v1', 'stats.zhongxian', 'zx-baseline', '2026-01-06', { metric: 'high_skilled_workers', division, asOf: '2025-12-31', value: high });
  }
}

/** A date in `year`, 2026 ones not after {@link yearEnd}, not before `org` was registered. */
function dayInYear(random: SeededRandom, year: number, org: Org): string {
  const first = later(`${year}-01-05`, addDays(org.registeredOn, 30));
  const last = year === 2026 ? yearEnd : `${year}-12-20`;
  return dateOf(random.int(dayNumber(first), Math.max(dayNumber(first), dayNumber(last))));
}

/** Years studios, titles and bases were set up in: the stocks count every year up to 2026. */
function yearFor(random: SeededRandom, org: Org, from: number): number {
  const earliest = Math.max(from, Number(org.registeredOn.slice(0, 4)) + 1);
  return earliest >= 2026 ? 2026 : random.int(earliest, 2026);
}

function skillProgrammeEvents(random: SeededRandom, log: EventLog, orgs: readonly Org[]): { apprenticeshipPairs: number } {
  const active = orgs.filter(isActive);
  const employers = active.filter(isEnterprise);

  // Competitions: 140 distinct contestants over three contests, a few repeated entries (corrections) that count once.
  const contests: ReadonlyArray<readonly [string, number, readonly string[], string, string]> = [
    ['zhongzhou-craftsman-cup-3', 60, ['数控加工', '焊接', '电工', '钳工'], '2026-08-06', '2026-08-09'],
    ['zhongxian-vocational-skills-2026', 55, ['中式烹调', '茶艺', '电子商务', '养老护理', '育婴'], '2026-09-15', '2026-09-18'],
    ['zhongxian-women-workers-skills-2026', 25, ['家政服务', '茶艺', '电子商务'], '2026-10-20', '2026-10-22'],
  ];
  const veterans: Array<{ idNumber: string; org: Org }> = [];
  const entries: Array<{ competition: string; field: string; idNumber: string; org: Org; on: string; placement?: number }> = [];
  for (const [competition, count, fields, from, to] of contests) {
    const placed = new Map<string, number>();
    for (let i = 0; i < count; i += 1) {
      // Some contestants of the first contest enter the next ones too: each (contest, person) counts.
      const returning = veterans.length > 0 && i < 4 && competition !== contests[0]?.[0] ? veterans.splice(0, 1)[0] : undefined;
      const contestant = returning ?? { idNumber: newPerson(), org: random.weighted(employers, byWorkers) };
      if (returning === undefined && competition === contests[0]?.[0]) veterans.push(contestant);
      const field = random.pick(fields);
      const place = (placed.get(field) ?? 0) + 1;
      placed.set(field, place);
      entries.push({ competition, field, ...contestant, on: dayIn2026(random, contestant.org, from, to), ...(place <= 3 ? { placement: place } : {}) });
    }
  }
  for (const entry of entries) {
    log.add('competition.entry.recorded.v1', 'union.zhongxian', 'zx-contest', entry.on, {
      competition: entry.competition,
      field: entry.field,
      category: '职工组',
      idNumber: entry.idNumber,
      orgCode: entry.org.code,
      ...(entry.placement === undefined ? {} : { placement: entry.placement }),
    });
  }
  for (const entry of random.sample(entries, 3)) {
    log.add('competition.entry.recorded.v1', 'union.zhongxian', 'zx-contest', addDays(entry.on, 2), {
      competition: entry.competition,
      field: entry.field,
      category: '职工组',
      idNumber: entry.idNumber,
      orgCode: entry.org.code,
    });
  }

  // 52 studios since 2018.
  const studioKinds = random.shuffle([
    ...Array<'model_worker' | 'craftsman' | 'skill_master'>(18).fill('model_worker'),
    ...Array<'model_worker' | 'craftsman' | 'skill_master'>(22).fill('craftsman'),
    ...Array<'model_worker' | 'craftsman' | 'skill_master'>(12).fill('skill_master'),
  ]);
  const studiosPerYear = new Map<number, number>();
  studioKinds.forEach((kind, i) => {
    const org = random.weighted(active, byWorkers);
    const year = yearFor(random, org, 2018);
    const n = (studiosPerYear.get(year) ?? 0) + 1;
    studiosPerYear.set(year, n);
    log.add('studio.established.v1', 'union.zhongxian', 'zx-studio', dayInYear(random, year, org), {
      studioId: `studio-${year}-${String(n).padStart(3, '0')}`,
      kind,
      level: i % 4 === 0 ? 'city' : 'county',
      orgCode: org.code,
    });
  });

  // Talent titles, awarded yearly since 2022: 12 忠州英才, 17 忠州工匠.
  for (const [title, count] of [['zhongzhou_talent', 12], ['zhongzhou_craftsman', 17]] as const) {
    for (let i = 0; i < count; i += 1) {
      const org = random.weighted(employers, byWorkers);
      const year = yearFor(random, org, 2022);
      log.add('talent.title.awarded.v1', 'hrss.zhongxian', 'zx-talent', dayInYear(random, year, org), { idNumber: newPerson(), orgCode: org.code, title, year });
    }
  }

  const activities = random.shuffle([
    ...Array<'five_small' | 'golden_idea' | 'other'>(70).fill('five_small'),
    ...Array<'five_small' | 'golden_idea' | 'other'>(55).fill('golden_idea'),
    ...Array<'five_small' | 'golden_idea' | 'other'>(20).fill('other'),
  ]);
  activities.forEach((activity, i) => {
    const org = random.weighted(employers, byWorkers);
    log.add('innovation.converted.v1', 'union.zhongxian', 'zx-innovation', dayIn2026(random, org), {
      projectId: `innov-2026-${String(i + 1).padStart(3, '0')}`,
      activity,
      orgCode: org.code,
    });
  });

  const schools = ['忠县职业教育中心', '重庆三峡职业学院', '忠县技工学校', '重庆工程职业技术学院'];
  const basesPerYear = new Map<number, number>();
  for (let i = 0; i < 22; i += 1) {
    const org = random.weighted(employers, byWorkers);
    const year = yearFor(random, org, 2017);
    const n = (basesPerYear.get(year) ?? 0) + 1;
    basesPerYear.set(year, n);
    log.add('training.base.established.v1', i % 2 === 0 ? 'hrss.zhongxian' : 'union.zhongxian', 'zx-training-base', dayInYear(random, year, org), {
      baseId: `base-${year}-${String(n).padStart(3, '0')}`,
      orgCode: org.code,
      ...(random.chance(0.7) ? { partnerSchool: random.pick(schools) } : {}),
    });
  }

  // 名师带徒: 86 pairs, some mentors with two apprentices.
  const apprenticeshipPairs = 86;
  let mentor = { idNumber: newPerson(), org: random.weighted(employers, byWorkers) };
  for (let i = 0; i < apprenticeshipPairs; i += 1) {
    if (i > 0 && random.chance(0.7)) mentor = { idNumber: newPerson(), org: random.weighted(employers, byWorkers) };
    log.add('apprenticeship.paired.v1', 'union.zhongxian', 'zx-apprenticeship', dayIn2026(random, mentor.org), {
      pairId: `pair-2026-${String(i + 1).padStart(3, '0')}`,
      mentorIdNumber: mentor.idNumber,
      apprenticeIdNumber: newPerson(),
      orgCode: mentor.org.code,
    });
  }

  // 1,800 persons trained, 80 of them twice (they count once).
  const groups = random.shuffle([
    ...Array<'in_service' | 'migrant' | 'hardship_graduate'>(990).fill('in_service'),
    ...Array<'in_service' | 'migrant' | 'hardship_graduate'>(540).fill('migrant'),
    ...Array<'in_service' | 'migrant' | 'hardship_graduate'>(270).fill('hardship_graduate'),
  ]);
  const trained: Array<{ idNumber: string; group: 'in_service' | 'migrant' | 'hardship_graduate'; org?: Org; on: string }> = [];
  for (const group of groups) {
    const org = group === 'in_service' ? random.weighted(employers, byWorkers) : undefined;
    const person = { idNumber: newPerson(), group, ...(org === undefined ? {} : { org }), on: dayIn2026(random, org, yearStart, '2026-09-30') };
    trained.push(person);
    trainingEvent(random, log, person, random.chance(0.85) ? 'employment' : 'entrepreneurship');
  }
  for (const person of random.sample(trained, 80)) {
    trainingEvent(random, log, { ...person, on: dateOf(random.int(dayNumber(person.on) + 14, dayNumber(yearEnd))) }, 'entrepreneurship');
  }
  return { apprenticeshipPairs };
}

function trainingEvent(
  random: SeededRandom,
  log: EventLog,
  person: { idNumber: string; group: 'in_service' | 'migrant' | 'hardship_graduate'; org?: Org; on: string },
  programme: 'employment' | 'entrepreneurship',
): void {
  // In-service training is run by the union as often as by HRSS; the rest by HRSS.
  const source = person.group === 'in_service' && random.chance(0.4) ? 'union.zhongxian' : 'hrss.zhongxian';
  log.add('training.completed.v1', source, source === 'union.zhongxian' ? 'zx-union-training' : 'zx-training', person.on, {
    idNumber: person.idNumber,
    group: person.group,
    programme,
    ...(person.org === undefined ? {} : { orgCode: person.org.code }),
  });
}

// --- rights

/**
 * Splits `total` into `parts` whole amounts (each ≥ `minimum`), at random but
 * adding up exactly.
 */
function splitTotal(random: SeededRandom, total: number, parts: number, minimum = 0): number[] {
  return apportion(total - minimum * parts, Array.from({ length: parts }, () => 0.2 + random.next() ** 2)).map((x) => x + minimum);
}

function rightsEvents(random: SeededRandom, log: EventLog, orgs: readonly Org[]): Record<string, number> {
  const active = orgs.filter(isActive);
  const employers = active.filter(isEnterprise);
  let workersCovered = 0;
  let collectiveNo = 0;
  let specialNo = 0;
  const contract = (kind: 'collective' | 'special', named: readonly Org[], topic?: 'wages' | 'women' | 'safety' | 'other'): void => {
    const on = dayIn2026(random, named.reduce((a, b) => (a.registeredOn > b.registeredOn ? a : b)));
    const workers = named.reduce((sum, o) => sum + o.workers, 0);
    const covered = Math.max(1, topic === 'women' ? Math.round(workers * (0.3 + 0.2 * random.next())) : workers);
    workersCovered += covered;
    const contractNo = kind === 'collective' ? `ZX-JT-2026-${String(++collectiveNo).padStart(4, '0')}` : `ZX-ZX-2026-${String(++specialNo).padStart(4, '0')}`;
    const source = random.chance(0.8) ? 'union.zhongxian' : 'hrss.zhongxian';
    log.add('contract.signed.v1', source, source === 'union.zhongxian' ? 'zx-union-contract' : 'zx-hrss-contract', on, {
      contractNo,
      kind,
      ...(topic === undefined ? {} : { topic }),
      orgCodes: named.map((o) => o.code),
      workersCovered: covered,
      signedOn: on,
    });
  };

  // 135 collective contracts: 30 regional ones for small enterprises of one township, 105 single-employer ones.
  const small = active.filter((o) => isNonPublic(o) && o.workers < 120);
  const inRegional = new Set<Org>();
  for (let made = 0, attempts = 0; made < 30; attempts += 1) {
    if (attempts > 1000) throw new DemoPlanError('too few small enterprises for the regional contracts');
    const division = random.weighted(small, () => 1).division;
    const candidates = small.filter((o) => o.division === division && !inRegional.has(o));
    if (candidates.length < 2) continue;
    const named = random.sample(candidates, Math.min(candidates.length, random.int(2, 5)));
    for (const o of named) inRegional.add(o);
    contract('collective', named);
    made += 1;
  }
  for (const org of random.sample(employers.filter((o) => !inRegional.has(o)), 105, byWorkers)) contract('collective', [org]);
  // 703 special contracts: wages, women workers, safety, others; one per employer and topic.
  for (const [topic, count] of [['wages', 280], ['women', 210], ['safety', 150], ['other', 63]] as const) {
    for (const org of random.sample(employers, count, byWorkers)) contract('special', [org], topic);
  }

  // Labour disputes: 68 filed, 45 mediated with an agreement (9 without), 27 resolved one-stop.
  const channels: ReadonlyArray<readonly ['union' | 'judicial' | 'hrss' | 'court' | 'procuratorate', string, string, number]> = [
    ['union', 'union.zhongxian', 'GH', 20],
    ['judicial', 'justice.zhongxian', 'TJ', 18],
    ['hrss', 'hrss.zhongxian', 'LZ', 18],
    ['court', 'court.zhongxian', 'FY', 8],
    ['procuratorate', 'justice.zhongxian', 'JC', 4],
  ];
  const categories = ['wages', 'wages', 'wages', 'social_insurance', 'labour_contract', 'work_injury', 'other'] as const;
  const cases = channels.flatMap(([channel, source, code, count]) =>
    Array.from({ length: count }, (_, i) => ({ channel, source, caseNo: `ZX-${code}-2026-${String(i + 1).padStart(4, '0')}` })),
  );
  // The first 27 end one-stop; then 5 confirmed but not yet paid, 6 paid without confirmation, 7 agreed only, 9 failed, 14 pending.
  const plan = random.shuffle(cases).map((c, i) => ({
    ...c,
    org: random.weighted(employers, byWorkers),
    steps: i < 27 ? 'one_stop' : i < 32 ? 'confirmed' : i < 38 ? 'fulfilled' : i < 45 ? 'agreed' : i < 54 ? 'failed' : 'filed',
  }));
  for (const c of plan) {
    const filed = dayIn2026(random, c.org, yearStart, '2026-08-31');
    const claimants = random.chance(0.7) ? random.int(1, 3) : random.int(4, 40);
    const claimedYuan = claimants * random.int(30, 250) * 100;
    // Each producer numbers its own events; judicial confirmation always comes from the court.
    const prefix = (source: string): string => `zx-${source.split('.')[0]}-dispute`;
    const caseOf = { caseNo: c.caseNo, orgCode: c.org.code };
    log.add('dispute.filed.v1', c.source, prefix(c.source), filed, { ...caseOf, claimants, category: random.pick(categories), channel: c.channel, claimedYuan });
    if (c.steps === 'filed') continue;
    const mediated = addDays(filed, random.int(7, 30));
    const agreedYuan = Math.round((claimedYuan * (0.6 + 0.3 * random.next())) / 100) * 100;
    if (c.steps === 'failed') {
      log.add('dispute.mediated.v1', c.source, prefix(c.source), mediated, { ...caseOf, outcome: 'no_agreement' });
      continue;
    }
    log.add('dispute.mediated.v1', c.source, prefix(c.source), mediated, { ...caseOf, outcome: 'agreement', agreedYuan });
    const confirmed = addDays(mediated, random.int(3, 15));
    const fulfilled = addDays(mediated, random.int(10, 45));
    if (c.steps === 'one_stop' || c.steps === 'confirmed') log.add('dispute.confirmed.v1', 'court.zhongxian', prefix('court.zhongxian'), confirmed, caseOf);
    if (c.steps === 'one_stop' || c.steps === 'fulfilled') log.add('dispute.fulfilled.v1', c.source, prefix(c.source), fulfilled, { ...caseOf, paidYuan: agreedYuan });
  }

  // Legal aid: 95 cases recovering exactly ¥56,850,000 (a few large group wage-arrears cases).
  const recovered = splitTotal(random, publishedFigures['legal_aid_recovered_yuan'] as number, 95, 5_000);
  recovered.forEach((recoveredYuan, i) => {
    const org = random.chance(0.7) ? random.weighted(employers, byWorkers) : undefined;
    const source = i % 4 === 0 ? 'union.zhongxian' : 'justice.zhongxian';
    log.add('legal_aid.case.closed.v1', source, `zx-${source.split('.')[0]}-legal-aid`, dayIn2026(random, org), {
      caseNo: `ZX-FLYZ-2026-${String(i + 1).padStart(4, '0')}`,
      ...(org === undefined ? {} : { orgCode: org.code }),
      beneficiaries: recoveredYuan > 800_000 ? random.int(20, 120) : random.int(1, 12),
      recoveredYuan,
    });
  });

  // 困难职工帮扶: 120 grants.
  let hardshipYuan = 0;
  const kinds = ['living', 'living', 'medical', 'medical', 'education', 'other'] as const;
  for (let i = 0; i < 120; i += 1) {
    const amountYuan = random.pick([1_000, 1_500, 2_000, 2_000, 3_000, 5_000]);
    hardshipYuan += amountYuan;
    log.add('hardship_aid.granted.v1', 'union.zhongxian', 'zx-hardship-aid', dayIn2026(random), { idNumber: newPerson(), amountYuan, kind: random.pick(kinds) });
  }

  // Outreach: 14 campaigns adding up to 1,500 booklets, 80 enterprises, 2,000 workers.
  const campaigns = [
    '《劳动合同法》进企业宣讲', '农民工权益保障法律宣传月', '安全生产月职工法律服务', '女职工权益保护专项宣传', '尊法守法·携手筑梦公益法律服务',
    '工会法宣传周', '根治欠薪冬季专项宣传', '新就业形态劳动者权益宣讲', '职业病防治法宣传周', '劳动争议调解进园区',
    '送法进工地', '民法典进企业', '职工法律援助服务月', '宪法宣传周职工普法',
  ];
  const booklets = splitTotal(random, publishedFigures['regulation_booklets'] as number, campaigns.length, 20);
  const enterprises = splitTotal(random, publishedFigures['enterprises_served'] as number, campaigns.length, 1);
  const workersReached = splitTotal(random, publishedFigures['workers_reached'] as number, campaigns.length, 30);
  campaigns.forEach((activity, i) => {
    log.add('outreach.conducted.v1', 'union.zhongxian', 'zx-outreach', dayIn2026(random), {
      activity,
      booklets: booklets[i] as number,
      enterprisesServed: enterprises[i] as number,
      workersReached: workersReached[i] as number,
    });
  });

  const filedCount = plan.length;
  const mediatedCount = plan.filter((c) => c.steps !== 'filed' && c.steps !== 'failed').length;
  return {
    workers_covered_by_contracts: workersCovered,
    disputes_filed: filedCount,
    disputes_mediated: mediatedCount,
    dispute_mediation_rate: percentHalfUp(mediatedCount, filedCount) as number,
    hardship_aid_yuan: hardshipYuan,
  };
}

// ---------------------------------------------------------------------------

const byTimeThenId = (a: DemoEvent, b: DemoEvent): number => a.time.localeCompare(b.time) || a.id.localeCompare(b.id);

/**
 * Builds the whole demo data set. Pure and deterministic: every call returns
 * the same events and figures.
 *
 * @throws DemoPlanError when the plan cannot be met (a bug here).
 */
export function buildDemo(): DemoDataSet {
  nextPerson = 1_000_000;
  const random = new SeededRandom(seed);
  const townships = townshipsOf(zhongCounty);
  const orgs = buildOrgs(random, townships);
  planRegistry(random, orgs);

  const registry = new EventLog(random);
  for (const org of orgs) {
    registry.add('organization.registered.v1', 'market.zhongxian', 'zx-registry', org.registeredOn, {
      orgCode: org.code,
      name: org.name,
      kind: org.kind,
      ...(org.ownership === undefined ? {} : { ownership: org.ownership }),
      division: org.division,
      ...(org.industry === undefined ? {} : { industry: org.industry }),
      workers: org.workers,
    });
    if (org.deregisteredOn !== undefined) {
      registry.add('organization.deregistered.v1', 'market.zhongxian', 'zx-deregistry', org.deregisteredOn, { orgCode: org.code });
    }
  }

  const party = new EventLog(random);
  partyEvents(random, party, orgs);

  const skills = new EventLog(random);
  const holders = planCertificates(random, orgs);
  certificateEvents(random, skills, holders);
  const { apprenticeshipPairs } = skillProgrammeEvents(random, skills, orgs);
  const certificates = certificateOutcome(holders);

  const baselines = new EventLog(random);
  const townshipPlans = planTownshipStocks(random, townships);
  baselineEvents(baselines, townshipPlans, certificates);

  const rights = new EventLog(random);
  const rightsFigures = rightsEvents(random, rights, orgs);

  const count = (n: number, d: number): number => percentHalfUp(n, d) as number;
  const figures: Record<string, number> = {
    ...publishedFigures,
    party_org_coverage_non_public: count(registryPlan.nonPublicWithPartyOrg, registryPlan.nonPublic - registryPlan.nonPublicDeregistered),
    party_org_coverage_social: count(registryPlan.socialWithPartyOrg, registryPlan.social - registryPlan.socialDeregistered),
    representatives_worker_share: count(9 + 14 + 7, 16 + 20 + 12),
    apprenticeship_pairs: apprenticeshipPairs,
    dual_upgrade_rewards_yuan: certificates.rewardYuan,
    dual_upgrade_rewarded_certificates: certificates.rewardedCertificates,
    ...rightsFigures,
  };
  for (const [id, value] of Object.entries(publishedFigures)) {
    if (figures[id] !== value) throw new DemoPlanError(`the plan gives ${id} = ${figures[id]}, not the published ${value}`);
  }

  const files: Record<DemoFileName, DemoEvent[]> = {
    'baselines.ndjson': baselines.events.sort(byTimeThenId),
    'party.ndjson': party.events.sort(byTimeThenId),
    'registry.ndjson': registry.events.sort(byTimeThenId),
    'rights.ndjson': rights.events.sort(byTimeThenId),
    'skills.ndjson': skills.events.sort(byTimeThenId),
  };
  return {
    files,
    events: demoFileNames.flatMap((name) => files[name]),
    figures,
    townships: Object.fromEntries(townshipPlans),
  };
}

/** Each file's text as checked in: one event per line (NDJSON), ending with a newline. */
export function renderDemoFiles(demo: DemoDataSet): Record<DemoFileName, string> {
  const out = {} as Record<DemoFileName, string>;
  for (const name of demoFileNames) out[name] = demo.files[name].map((event) => JSON.stringify(event)).join('\n') + '\n';
  return out;
}

async function main(): Promise<void> {
  const demo = buildDemo();
  const rendered = renderDemoFiles(demo);
  for (const name of demoFileNames) {
    await writeFile(new URL(name, import.meta.url), rendered[name], 'utf8');
    console.log(`events/demo/${name}: ${demo.files[name].length} events`);
  }
  console.log(`${demo.events.length} events in all`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
