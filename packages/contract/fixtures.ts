/**
 * Deterministic test and demo values that satisfy the contract: resident ID
 * numbers and credit codes with correct check characters, and one valid
 * sample event per type (the same ones as `events/samples/<type>.json`).
 * Not exported from the package index, so it never reaches a Lambda bundle.
 */
import { defaultDeploymentConfig } from '../config/deployment.ts';
import { ContractError } from './errors.ts';
import type { EventData, EventType } from './event-types.ts';
import { eventTypes } from './event-types.ts';
import { residentIdCheckCharacter, usccCheckCharacter } from './identifiers.ts';

/** Zhong County's administrative region code, the first six digits of its residents' ID numbers. */
const zhongRegion = '500233';
const birthDaySpan = 16_000;
const firstBirthDayMs = Date.UTC(1960, 0, 1);
const dayMs = 86_400_000;

function checkIndex(n: number, limit: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0 || n >= limit) throw new ContractError(`${what} takes an integer from 0 to ${limit - 1}`);
}

/**
 * A valid resident ID number, distinct for each `n` in 0–15,999,999: region
 * 500233 (Zhong County), a birth date from 1960-01-01 onwards (born
 * `n mod 16000` days later, so everyone is an adult in 2026), sequence
 * `floor(n / 16000)`, and the correct MOD 11-2 check character.
 * @throws ContractError when `n` is out of range.
 */
export function residentIdFor(n: number): string {
  checkIndex(n, birthDaySpan * 1000, 'residentIdFor');
  const birth = new Date(firstBirthDayMs + (n % birthDaySpan) * dayMs).toISOString().slice(0, 10).replaceAll('-', '');
  const sequence = String(Math.floor(n / birthDaySpan)).padStart(3, '0');
  const body = `${zhongRegion}${birth}${sequence}`;
  return body + residentIdCheckCharacter(body);
}

/**
 * A valid unified social credit code, distinct for each `n` in 0–9,999,999:
 * `91` (enterprise registered by market regulation), region 500233,
 * `MA` + `n` in seven digits, and the correct GB 32100-2015 check character.
 * @throws ContractError when `n` is out of range.
 */
export function usccFor(n: number): string {
  checkIndex(n, 10_000_000, 'usccFor');
  const body = `91${zhongRegion}MA${String(n).padStart(7, '0')}`;
  return body + usccCheckCharacter(body);
}

/** An event as a producer sends it. */
export interface SampleEvent<T extends EventType = EventType> {
  specversion: '1.0';
  id: string;
  source: string;
  type: T;
  time: string;
  datacontenttype?: 'application/json';
  data: EventData<T>;
}

/** The clock the samples are valid against: 2026-11-24 12:00 in Zhong County. */
export function sampleNow(): Date {
  return new Date('2026-11-24T04:00:00Z');
}

/** The township the sample organisation is registered in (忠州街道). */
export const sampleDivision = '500233001000';

const org = usccFor(1);
const person = residentIdFor(1);

/** Each type's sample: when it happened and its data. Times are in 2026, before {@link sampleNow}. */
const samples: { readonly [T in EventType]: { readonly time: string; readonly data: EventData<T> } } = {
  'organization.registered.v1': {
    time: '2026-01-05T09:00:00+08:00',
    data: { orgCode: org, name: '忠县示例机械制造有限公司', kind: 'enterprise', ownership: 'non_public', division: sampleDivision, industry: 'manufacturing', workers: 120 },
  },
  'organization.deregistered.v1': { time: '2026-11-20T16:00:00+08:00', data: { orgCode: org } },
  'party.organization.established.v1': { time: '2026-02-10T10:00:00+08:00', data: { orgCode: org, establishedOn: '2026-02-10' } },
  'party.member.developed.v1': {
    time: '2026-07-01T10:00:00+08:00',
    data: { idNumber: person, orgCode: org, admittedOn: '2026-07-01', frontline: true },
  },
  'party.post.designated.v1': {
    time: '2026-03-15T10:00:00+08:00',
    data: { orgCode: org, postKind: 'demonstration_post', name: '数控车间党员示范岗' },
  },
  'union.established.v1': { time: '2026-03-20T10:00:00+08:00', data: { orgCode: org, establishedOn: '2026-03-20', members: 96 } },
  'award.granted.v1': {
    time: '2026-05-01T10:00:00+08:00',
    data: { idNumber: person, orgCode: org, awardName: '忠县五一劳动奖章', level: 'county', frontline: true },
  },
  'representative.seated.v1': {
    time: '2026-01-20T10:00:00+08:00',
    data: { idNumber: person, orgCode: org, body: 'peoples_congress', category: 'technical_worker' },
  },
  'certificate.submitted.v1': {
    time: '2026-06-18T15:30:00+08:00',
    data: {
      certificateNo: 'S500233202600001',
      kind: 'skill',
      level: 'level3',
      issuedOn: '2026-06-12',
      holder: { idNumber: person, frontline: true },
      orgCode: org,
      occupation: '数控车工',
    },
  },
  'certificate.revoked.v1': { time: '2026-09-02T11:00:00+08:00', data: { certificateNo: 'S500233202600001', reason: 'issued in error' } },
  'competition.entry.recorded.v1': {
    time: '2026-08-08T14:00:00+08:00',
    data: { competition: 'zhongzhou-craftsman-cup-3', field: '数控加工', category: '职工组', idNumber: person, orgCode: org, placement: 2 },
  },
  'studio.established.v1': {
    time: '2026-04-12T10:00:00+08:00',
    data: { studioId: 'studio-2026-001', kind: 'craftsman', level: 'county', orgCode: org },
  },
  'talent.title.awarded.v1': {
    time: '2026-10-10T10:00:00+08:00',
    data: { idNumber: person, orgCode: org, title: 'zhongzhou_craftsman', year: 2026 },
  },
  'innovation.converted.v1': { time: '2026-09-15T10:00:00+08:00', data: { projectId: 'innov-2026-001', activity: 'five_small', orgCode: org } },
  'training.base.established.v1': {
    time: '2026-04-01T10:00:00+08:00',
    data: { baseId: 'base-2026-001', orgCode: org, partnerSchool: '忠县职业教育中心' },
  },
  'apprenticeship.paired.v1': {
    time: '2026-05-20T10:00:00+08:00',
    data: { pairId: 'pair-2026-001', mentorIdNumber: person, apprenticeIdNumber: residentIdFor(2), orgCode: org },
  },
  'training.completed.v1': {
    time: '2026-10-30T17:00:00+08:00',
    data: { idNumber: person, group: 'in_service', programme: 'employment', orgCode: org },
  },
  'contract.signed.v1': {
    time: '2026-03-08T10:00:00+08:00',
    data: { contractNo: 'ZX-SC-2026-001', kind: 'special', topic: 'women', orgCodes: [org], workersCovered: 40, signedOn: '2026-03-08' },
  },
  'dispute.filed.v1': {
    time: '2026-07-10T09:00:00+08:00',
    data: { caseNo: 'ZX-LD-2026-001', orgCode: org, claimants: 3, category: 'wages', channel: 'union', claimedYuan: 18600.5 },
  },
  'dispute.mediated.v1': {
    time: '2026-07-24T16:00:00+08:00',
    data: { caseNo: 'ZX-LD-2026-001', orgCode: org, outcome: 'agreement', agreedYuan: 15000 },
  },
  'dispute.confirmed.v1': { time: '2026-08-03T10:00:00+08:00', data: { caseNo: 'ZX-LD-2026-001', orgCode: org } },
  'dispute.fulfilled.v1': { time: '2026-08-20T10:00:00+08:00', data: { caseNo: 'ZX-LD-2026-001', orgCode: org, paidYuan: 15000 } },
  'legal_aid.case.closed.v1': {
    time: '2026-09-30T10:00:00+08:00',
    data: { caseNo: 'ZX-FY-2026-001', orgCode: org, beneficiaries: 5, recoveredYuan: 86400.25 },
  },
  'hardship_aid.granted.v1': { time: '2026-01-25T10:00:00+08:00', data: { idNumber: person, amountYuan: 2000, kind: 'living' } },
  'outreach.conducted.v1': {
    time: '2026-06-10T10:00:00+08:00',
    data: { activity: '法律法规进企业宣传', booklets: 300, enterprisesServed: 12, workersReached: 450 },
  },
  'baseline.recorded.v1': {
    time: '2026-01-01T09:00:00+08:00',
    data: { metric: 'skilled_workers', division: '500233000000', asOf: '2025-12-31', value: 100000 },
  },
};

/** The first producer the default deployment allows to send `type`. */
function sampleSource(type: EventType): string {
  const found = Object.entries(defaultDeploymentConfig.sources).find(([, types]) => types.includes(type));
  if (found === undefined) throw new ContractError(`no source of the default deployment may send ${type}`);
  return found[0];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Overrides merged into plain objects; arrays and other values replace; `undefined` removes the field. */
function deepMerge(base: Record<string, unknown>, overrides: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    if (value === undefined) delete out[key];
    else if (isPlainObject(value) && isPlainObject(current)) out[key] = deepMerge(current, value);
    else out[key] = value;
  }
  return out;
}

/** Overrides for {@link sampleEvent}: any envelope or data field, at any depth. */
export interface SampleOverrides {
  readonly [field: string]: unknown;
}

/**
 * A valid event of `type` (against {@link sampleNow} and the default
 * deployment), a fresh copy each call, with `overrides` deep-merged in:
 * nested objects merge, arrays and other values replace, and `undefined`
 * removes the field. Overrides can make the event invalid on purpose; the
 * return type then describes the sample, not the override.
 */
export function sampleEvent<T extends EventType>(type: T, overrides: SampleOverrides = {}): SampleEvent<T> {
  const sample = samples[type] as { readonly time: string; readonly data: EventData<T> };
  const base = {
    specversion: '1.0',
    id: `sample-${type.replace(/\.v1$/, '')}-0001`,
    source: sampleSource(type),
    type,
    time: sample.time,
    datacontenttype: 'application/json',
    data: structuredClone(sample.data),
  };
  return deepMerge(base, overrides) as unknown as SampleEvent<T>;
}

/** One sample per type, in contract order. */
export function allSampleEvents(): SampleEvent[] {
  return eventTypes.map((type) => sampleEvent(type));
}
