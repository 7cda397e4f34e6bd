import { residentIdFor, usccFor } from '../../packages/contract/fixtures.ts';
import { defaultRewardPolicy, rewardYuan } from '../../packages/config/deployment.ts';

/** A deterministic pseudo-random sequence (mulberry32), so workloads repeat exactly. */
export function randomSequence(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  data: Record<string, unknown>;
}

/** The figures a workload must produce at county level for its year, computed without the domain code. */
export interface ExpectedFigures {
  skilled: number;
  highSkilled: number;
  rewardFen: number;
  rewardedCertificates: number;
  contractsCollective: number;
  contractsSpecial: number;
  contractWorkers: number;
  disputesFiled: number;
  disputesMediated: number;
  disputesOneStop: number;
  orgsNonPublic: number;
  partyOrgsNonPublic: number;
  orgsSocial: number;
  partyOrgsSocial: number;
}

export interface Workload {
  /** Organisation registrations: sent first (the registry precedes everything naming it). */
  registry: CloudEvent[];
  /** Everything else, in generation order. */
  events: CloudEvent[];
  /** Every raw ID number used, to prove none is stored or logged. */
  idNumbers: string[];
  expected: ExpectedFigures;
}

export const townships = ['500233001000', '500233002000', '500233101000', '500233105000', '500233201000'];
const skillLevels = ['level5', 'level4', 'level3', 'level2', 'level1'] as const;
const degreeLevels = ['associate', 'bachelor', 'master', 'doctor'] as const;

/** A date-time in 2026, Asia/Shanghai offset, before the given month ends. */
function timeIn2026(random: () => number, maxMonth = 10): string {
  const month = 1 + Math.floor(random() * maxMonth);
  const day = 1 + Math.floor(random() * 28);
  const hour = Math.floor(random() * 24);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `2026-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(Math.floor(random() * 60))}:00+08:00`;
}

/**
 * A mixed workload of exactly `total` events: organisations (some with party
 * organisations), skill and degree certificates with revocations, contracts
 * and dispute cases, and the figures it must yield.
 */
export function buildWorkload(total = 1000, seed = 7): Workload {
  const random = randomSequence(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  let seq = 0;
  const make = (source: string, type: string, data: Record<string, unknown>, time = timeIn2026(random)): CloudEvent => ({
    specversion: '1.0',
    id: `wl-${seed}-${++seq}`,
    source,
    type,
    time,
    data,
  });

  const orgs = [
    ...Array.from({ length: 8 }, (_, i) => ({ code: usccFor(1000 + i), kind: 'enterprise', ownership: 'non_public' })),
    ...Array.from({ length: 3 }, (_, i) => ({ code: usccFor(2000 + i), kind: 'social_org', ownership: undefined })),
    { code: usccFor(3000), kind: 'enterprise', ownership: 'state_owned' },
    { code: usccFor(3001), kind: 'public_institution', ownership: undefined },
  ];
  const registry = orgs.map((o, i) =>
    make('market.zhongxian', 'organization.registered.v1', {
      orgCode: o.code,
      name: `Demo Works ${i}`,
      kind: o.kind,
      ...(o.ownership === undefined ? {} : { ownership: o.ownership }),
      division: townships[i % townships.length],
      workers: 50 + i * 10,
    }, `2026-01-0${1 + (i % 5)}T09:00:00+08:00`),
  );
  const withParty = [orgs[0], orgs[1], orgs[2], orgs[3], orgs[4], orgs[8]].map((o) => o!.code);
  const events: CloudEvent[] = withParty.map((orgCode) =>
    make('party.zhongxian', 'party.organization.established.v1', { orgCode, establishedOn: '2026-02-01' }),
  );

  // Contracts and dispute cases.
  const expected: ExpectedFigures = {
    skilled: 0, highSkilled: 0, rewardFen: 0, rewardedCertificates: 0,
    contractsCollective: 0, contractsSpecial: 0, contractWorkers: 0,
    disputesFiled: 0, disputesMediated: 0, disputesOneStop: 0,
    orgsNonPublic: 8, partyOrgsNonPublic: 5, orgsSocial: 3, partyOrgsSocial: 1,
  };
  for (let i = 0; i < 60; i++) {
    const special = i % 4 === 0;
    const employers = shuffle(orgs, random).slice(0, 1 + Math.floor(random() * 3)).map((o) => o.code);
    const workersCovered = 10 + Math.floor(random() * 300);
    events.push(make('union.zhongxian', 'contract.signed.v1', {
      contractNo: `HT-${seed}-${i}`,
      kind: special ? 'special' : 'collective',
      ...(special ? { topic: pick(['wages', 'women', 'safety', 'other']) } : {}),
      orgCodes: employers,
      workersCovered,
      signedOn: '2026-03-01',
    }));
    if (special) expected.contractsSpecial++;
    else expected.contractsCollective++;
    expected.contractWorkers += workersCovered;
  }
  for (let i = 0; i < 40; i++) {
    const caseNo = `AJ-${seed}-${i}`;
    const orgCode = pick(orgs).code;
    const base = { caseNo, orgCode };
    events.push(make('union.zhongxian', 'dispute.filed.v1', { ...base, claimants: 1 + (i % 5), category: 'wages', channel: 'union' }));
    expected.disputesFiled++;
    const agreement = i < 25;
    if (i < 30) events.push(make('union.zhongxian', 'dispute.mediated.v1', { ...base, outcome: agreement ? 'agreement' : 'no_agreement' }));
    if (agreement) expected.disputesMediated++;
    const confirmed = i % 3 !== 2;
    if (confirmed) events.push(make('court.zhongxian', 'dispute.confirmed.v1', base));
    const fulfilled = i % 5 !== 4;
    if (fulfilled) events.push(make('union.zhongxian', 'dispute.fulfilled.v1', { ...base, paidYuan: 1200.5 }));
    if (agreement && confirmed && fulfilled) expected.disputesOneStop++;
  }

  // Certificates fill the rest; about one in fourteen is later revoked.
  interface Cert { no: string; person: number; kind: 'skill' | 'degree'; level: string; revoked: boolean }
  const certificates: Cert[] = [];
  const idNumbers: string[] = [];
  let person = 0;
  let revocations = 0;
  const size = () => registry.length + events.length + certificates.length + revocations;
  while (size() < total) {
    person++;
    idNumbers.push(residentIdFor(person));
    const count = 1 + Math.floor(random() * 3);
    for (let k = 0; k < count && size() < total; k++) {
      const kind = random() < 0.8 ? 'skill' : 'degree';
      const level = kind === 'skill' ? pick(skillLevels) : pick(degreeLevels);
      const revoked = total - size() >= 2 && random() < 0.07;
      if (revoked) revocations++;
      certificates.push({ no: `ZS-${seed}-${certificates.length}`, person, kind, level, revoked });
    }
  }
  for (const c of certificates) {
    const orgCode = orgs[c.person % orgs.length]!.code;
    events.push(make('hrss.zhongxian', 'certificate.submitted.v1', {
      certificateNo: c.no,
      kind: c.kind,
      level: c.level,
      issuedOn: '2026-01-15',
      holder: { idNumber: residentIdFor(c.person), frontline: c.person % 2 === 0 },
      orgCode,
      occupation: 'welder',
    }));
    if (c.revoked) events.push(make('hrss.zhongxian', 'certificate.revoked.v1', { certificateNo: c.no, reason: 'forged' }));
  }

  // The oracle: plain set arithmetic over what remains unrevoked.
  const held = certificates.filter((c) => !c.revoked);
  const skilledPersons = new Set(held.filter((c) => c.kind === 'skill').map((c) => c.person));
  const highPersons = new Set(held.filter((c) => c.kind === 'skill' && ['level3', 'level2', 'level1'].includes(c.level)).map((c) => c.person));
  expected.skilled = skilledPersons.size;
  expected.highSkilled = highPersons.size;
  const rewarded = new Set<string>();
  for (const c of held) {
    const yuan = rewardYuan(defaultRewardPolicy, c.kind, c.level, '2026-01-01');
    const key = `${c.person}|${c.kind}|${c.level}`;
    if (yuan > 0 && !rewarded.has(key)) {
      rewarded.add(key);
      expected.rewardFen += yuan * 100;
    }
  }
  expected.rewardedCertificates = rewarded.size;
  if (registry.length + events.length !== total) throw new Error(`workload has ${registry.length + events.length} events, wanted ${total}`);
  return { registry, events, idNumbers, expected };
}
