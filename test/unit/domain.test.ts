import { describe, expect, it } from 'vitest';
import type { RewardPolicy } from '../../packages/config/deployment.ts';
import type { DomainEvent } from '../../packages/domain/apply-event.ts';
import { counterChanges } from '../../packages/domain/counter-changes.ts';
import { counterKeys, metrics } from '../../packages/domain/metrics.ts';
import { county, domainEvent, InMemoryLedger } from '../support/in-memory-ledger.ts';
import { randomSequence, shuffle } from '../support/workload.ts';

const zhongzhou = '500233001000';
const renjia = '500233101000';
const orgA = '91500233MA5U000001';
const orgB = '91500233MA5U000002';
const div = counterKeys.division;
const org = counterKeys.org;

function event<T extends DomainEvent['type']>(type: T, date: string, data: Record<string, unknown>): DomainEvent {
  return domainEvent(type, date, data);
}

function registered(orgCode: string, division: string, kind = 'enterprise', ownership: string | undefined = 'non_public') {
  return event('organization.registered.v1', '2026-01-05', {
    orgCode, name: 'Works', kind, ...(ownership === undefined ? {} : { ownership }), division, workers: 120,
  });
}

function certificate(no: string, person: string, level: string, date: string, orgCode = orgA, kind = 'skill') {
  return event('certificate.submitted.v1', date, {
    certificateNo: no, kind, level, issuedOn: date, holder: { idNumber: person, frontline: true }, orgCode,
  });
}

const dispute = (step: string, caseNo: string, date: string, extra: Record<string, unknown> = {}) =>
  event(`dispute.${step}.v1` as DomainEvent['type'], date, { caseNo, orgCode: orgA, ...extra });

describe('counterChanges', () => {
  const lineage = (d: string) => (d === county ? [county] : [d, county]);

  it('records a contract spanning two townships in each township and employer, and a −1 correction at the county so it counts there once', () => {
    const changes = counterChanges(
      [{ metric: metrics.contractsCollective, amount: 1, date: '2026-03-04', orgCodes: [orgA, orgB], divisions: [zhongzhou, renjia] }],
      [],
      lineage,
    );
    const cells = changes.map((c) => [c.pk, c.sk, c.amounts['contracts_collective@04']]);
    expect(cells.sort()).toEqual(
      [[div(county), 'M#2026-03', -1], [div(renjia), 'M#2026-03', 1], [div(zhongzhou), 'M#2026-03', 1], [org(orgA), 'M#2026-03', 1], [org(orgB), 'M#2026-03', 1]].sort(),
    );
    const ledger = new InMemoryLedger();
    for (const c of changes) ledger.counters.set(`${c.pk}|${c.sk}`, Object.fromEntries(Object.entries(c.amounts).map(([k, v]) => [k, BigInt(v)])));
    expect(ledger.value(div(county), 'Y#2026', metrics.contractsCollective)).toBe(1);
    expect(ledger.value(div(renjia), 'Y#2026', metrics.contractsCollective)).toBe(1);
  });

  it('writes nothing at the county for an event of one township, and merges one month\'s days into one item', () => {
    const changes = counterChanges(
      [
        { metric: metrics.skilled, amount: 1, date: '2026-03-04', orgCodes: [orgA], divisions: [zhongzhou] },
        { metric: metrics.skilled, amount: 1, date: '2026-03-20', orgCodes: [orgA], divisions: [zhongzhou] },
      ],
      [],
      lineage,
    );
    expect(changes.some((c) => c.pk === div(county))).toBe(false);
    expect(changes).toEqual([
      { pk: org(orgA), sk: 'M#2026-03', amounts: { 'skilled@04': 1, 'skilled@20': 1 } },
      { pk: div(zhongzhou), sk: 'M#2026-03', amounts: { 'skilled@04': 1, 'skilled@20': 1 } },
    ]);
  });

  it('drops metrics whose deltas cancel out within one item', () => {
    const changes = counterChanges(
      [
        { metric: metrics.skilled, amount: -1, date: '2026-03-04', orgCodes: [orgA], divisions: [zhongzhou] },
        { metric: metrics.skilled, amount: 1, date: '2026-03-04', orgCodes: [orgA], divisions: [zhongzhou] },
      ],
      [],
      lineage,
    );
    expect(changes).toEqual([]);
  });
});

describe('organisation registry', () => {
  it('counts registered non-public enterprises and social organisations, and party coverage', () => {
    const ledger = new InMemoryLedger();
    ledger.apply(registered(orgA, zhongzhou));
    ledger.apply(registered(orgB, renjia, 'social_org', undefined));
    ledger.apply(event('party.organization.established.v1', '2026-02-01', { orgCode: orgA, establishedOn: '2026-02-01' }));
    expect(ledger.value(div(county), 'Y#2026', metrics.orgsNonPublic)).toBe(1);
    expect(ledger.value(div(county), 'Y#2026', metrics.orgsSocial)).toBe(1);
    expect(ledger.value(div(zhongzhou), 'Y#2026', metrics.partyOrgsNonPublic)).toBe(1);
    expect(ledger.value(div(renjia), 'Y#2026', metrics.partyOrgsSocial)).toBe(0);
  });

  it('rejects re-registration in another division as a conflict and takes a deregistered org out of the stocks', () => {
    const ledger = new InMemoryLedger();
    ledger.apply(registered(orgA, zhongzhou));
    expect(ledger.apply(registered(orgA, renjia))).toMatchObject({ outcome: 'reject', reason: 'conflict' });
    ledger.apply(event('party.organization.established.v1', '2026-02-01', { orgCode: orgA, establishedOn: '2026-02-01' }));
    ledger.apply(event('organization.deregistered.v1', '2026-06-01', { orgCode: orgA }));
    expect(ledger.value(div(county), 'M#2026-06', metrics.orgsNonPublic)).toBe(-1);
    expect(ledger.value(div(county), 'M#2026-06', metrics.partyOrgsNonPublic)).toBe(-1);
    expect(ledger.value(div(county), 'Y#2026', metrics.orgsNonPublic)).toBe(0);
  });

  it('asks to retry events that name an unregistered organisation', () => {
    const ledger = new InMemoryLedger();
    expect(ledger.apply(certificate('C1', 'p_1', 'level3', '2026-03-01'))).toEqual({ outcome: 'unknown_org', orgCodes: [orgA] });
  });
});

describe('certificates', () => {
  it('counts a person once, at the highest level, and pays each (kind, level) reward once', () => {
    const ledger = new InMemoryLedger();
    ledger.apply(registered(orgA, zhongzhou));
    ledger.apply(certificate('C1', 'p_1', 'level4', '2026-03-01'));
    ledger.apply(certificate('C2', 'p_1', 'level3', '2026-04-01'));
    ledger.apply(certificate('C3', 'p_1', 'level3', '2026-05-01'));
    ledger.apply(certificate('D1', 'p_1', 'bachelor', '2026-05-02', orgA, 'degree'));
    const year = (m: string) => ledger.value(div(county), 'Y#2026', m);
    expect(year(metrics.skilled)).toBe(1);
    expect(year(metrics.highSkilled)).toBe(1);
    expect(year(metrics.rewardFen)).toBe(600_000);
    expect(year(metrics.rewardedCertificates)).toBe(2);
    expect(ledger.value(div(county), 'M#2026-04', metrics.highSkilled)).toBe(1);
  });

  it('a revocation moves the holder down a level and claws the reward back in its own period', () => {
    const ledger = new InMemoryLedger();
    ledger.apply(registered(orgA, zhongzhou));
    ledger.apply(certificate('C1', 'p_1', 'level4', '2026-03-01'));
    ledger.apply(certificate('C2', 'p_1', 'level2', '2026-04-01'));
    ledger.apply(event('certificate.revoked.v1', '2026-09-10', { certificateNo: 'C2', reason: 'forged' }));
    expect(ledger.value(div(county), 'M#2026-04', metrics.rewardFen)).toBe(400_000);
    expect(ledger.value(div(county), 'M#2026-09', metrics.rewardFen)).toBe(-400_000);
    expect(ledger.value(div(county), 'M#2026-09', metrics.rewardedCertificates)).toBe(-1);
    expect(ledger.value(div(county), 'M#2026-09', metrics.highSkilled)).toBe(-1);
    expect(ledger.value(div(county), 'Y#2026', metrics.skilled)).toBe(1);
    expect(ledger.value(div(county), 'Y#2026', metrics.highSkilled)).toBe(0);
  });

  it('prices a reward by the policy in effect on the day it is paid, and claws it back at that price, in any arrival order', () => {
    const policy: RewardPolicy = [
      { skill: { level2: 4000, level1: 6000 }, degree: {} },
      { from: '2026-07-01', skill: { level2: 5000, level1: 9000 }, degree: { bachelor: 3000 } },
    ];
    const events = [
      registered(orgA, zhongzhou),
      certificate('C1', 'p_1', 'level2', '2026-04-01'),
      certificate('C2', 'p_2', 'level1', '2026-08-01'),
      certificate('D1', 'p_2', 'bachelor', '2026-05-01', orgA, 'degree'),
      event('certificate.revoked.v1', '2026-09-10', { certificateNo: 'C1', reason: 'forged' }),
    ];
    const snapshots = new Set<string>();
    for (const seed of [1, 2, 3]) {
      const ledger = new InMemoryLedger(policy);
      for (const e of [events[0] as DomainEvent, ...shuffle(events.slice(1), randomSequence(seed))]) ledger.apply(e);
      // 4,000 in April under the first policy, clawed back at 4,000 in September; 9,000 in August under the second; a degree of May earned nothing then.
      expect(ledger.value(div(county), 'M#2026-04', metrics.rewardFen)).toBe(400_000);
      expect(ledger.value(div(county), 'M#2026-08', metrics.rewardFen)).toBe(900_000);
      expect(ledger.value(div(county), 'M#2026-09', metrics.rewardFen)).toBe(-400_000);
      expect(ledger.value(div(county), 'Y#2026', metrics.rewardFen)).toBe(900_000);
      expect(ledger.value(div(county), 'Y#2026', metrics.rewardedCertificates)).toBe(1);
      snapshots.add(JSON.stringify(ledger.snapshot()));
    }
    expect(snapshots.size).toBe(1);
  });

  it('a revocation that arrives before its certificate leaves nothing counted', () => {
    const ledger = new InMemoryLedger();
    ledger.apply(registered(orgA, zhongzhou));
    ledger.apply(event('certificate.revoked.v1', '2026-09-10', { certificateNo: 'C9', reason: 'forged' }));
    ledger.apply(certificate('C9', 'p_1', 'level1', '2026-04-01'));
    expect(ledger.value(div(county), 'Y#2026', metrics.skilled)).toBe(0);
    expect(ledger.value(div(county), 'Y#2026', metrics.rewardFen)).toBe(0);
  });

  it('moves a person to the township of the certificate that gives the highest level', () => {
    const ledger = new InMemoryLedger();
    ledger.apply(registered(orgA, zhongzhou));
    ledger.apply(registered(orgB, renjia));
    ledger.apply(certificate('C1', 'p_1', 'level4', '2026-03-01', orgA));
    ledger.apply(certificate('C2', 'p_1', 'level2', '2026-04-01', orgB));
    expect(ledger.value(div(zhongzhou), 'Y#2026', metrics.skilled)).toBe(0);
    expect(ledger.value(div(renjia), 'Y#2026', metrics.skilled)).toBe(1);
    expect(ledger.value(div(county), 'Y#2026', metrics.skilled)).toBe(1);
  });
});

describe('dispute cases', () => {
  const steps = [
    dispute('filed', 'K1', '2026-02-01', { claimants: 3, category: 'wages', channel: 'union' }),
    dispute('mediated', 'K1', '2026-02-10', { outcome: 'agreement' }),
    dispute('confirmed', 'K1', '2026-02-20'),
    dispute('fulfilled', 'K1', '2026-03-05'),
  ];
  const permutations = (xs: number[]): number[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x) => permutations(xs.filter((y) => y !== x)).map((p) => [x, ...p]));

  it('gives identical counters for all 24 arrival orders', () => {
    const orders = permutations([0, 1, 2, 3]);
    expect(orders).toHaveLength(24);
    const snapshots = orders.map((order) => {
      const ledger = new InMemoryLedger();
      ledger.apply(registered(orgA, zhongzhou));
      for (const i of order) ledger.apply(steps[i]!);
      return ledger.snapshot();
    });
    for (const s of snapshots) expect(s).toEqual(snapshots[0]);
    const ledger = new InMemoryLedger();
    ledger.apply(registered(orgA, zhongzhou));
    for (const s of steps) ledger.apply(s);
    expect(ledger.value(div(county), 'M#2026-02', metrics.disputesFiled)).toBe(1);
    expect(ledger.value(div(county), 'M#2026-02', metrics.disputesMediated)).toBe(1);
    expect(ledger.value(div(county), 'M#2026-03', metrics.disputesOneStop)).toBe(1);
    expect(ledger.value(div(county), 'Y#2026', metrics.disputesOneStop)).toBe(1);
  });

  it('counts each step once and only agreements as mediated', () => {
    const ledger = new InMemoryLedger();
    ledger.apply(registered(orgA, zhongzhou));
    ledger.apply(steps[0]!);
    ledger.apply(dispute('filed', 'K1', '2026-02-02', { claimants: 3, category: 'wages', channel: 'union' }));
    ledger.apply(dispute('mediated', 'K1', '2026-02-05', { outcome: 'no_agreement' }));
    expect(ledger.value(div(county), 'Y#2026', metrics.disputesFiled)).toBe(1);
    expect(ledger.value(div(county), 'Y#2026', metrics.disputesMediated)).toBe(0);
    ledger.apply(steps[1]!);
    ledger.apply(steps[1]!);
    expect(ledger.value(div(county), 'Y#2026', metrics.disputesMediated)).toBe(1);
  });
});

describe('stocks do not depend on arrival order', () => {
  it('gives the same skilled and high-skilled counters on every day for any order of certificates and revocations', () => {
    const random = randomSequence(5);
    const pad = (n: number) => String(n).padStart(2, '0');
    const dateIn = (monthFrom: number) => `2026-${pad(monthFrom + Math.floor(random() * (12 - monthFrom)))}-${pad(1 + Math.floor(random() * 28))}`;
    const events: DomainEvent[] = [];
    for (let n = 0; n < 60; n++) {
      const submitted = dateIn(1);
      const person = `p_${n % 15}`;
      const level = ['level5', 'level4', 'level3', 'level2', 'level1'][Math.floor(random() * 5)] as string;
      events.push(certificate(`S-${n}`, person, level, submitted, n % 2 === 0 ? orgA : orgB));
      if (random() < 0.3) {
        events.push(event('certificate.revoked.v1', dateIn(Number(submitted.slice(5, 7))), { certificateNo: `S-${n}`, reason: 'forged' }));
      }
    }
    const stocksOf = (ordered: DomainEvent[]) => {
      const ledger = new InMemoryLedger();
      ledger.apply(registered(orgA, zhongzhou));
      ledger.apply(registered(orgB, renjia));
      for (const e of ordered) ledger.apply(e);
      return Object.fromEntries(
        Object.entries(ledger.snapshot())
          .map(([key, amounts]) => [key, Object.fromEntries(Object.entries(amounts).filter(([a]) => a.startsWith('skilled@') || a.startsWith('high_skilled@')))] as const)
          .filter(([, v]) => Object.keys(v).length > 0),
      );
    };
    const inDateOrder = stocksOf([...events].sort((a, b) => a.date.localeCompare(b.date)));
    expect(Object.keys(inDateOrder).length).toBeGreaterThan(20);
    for (let round = 0; round < 20; round++) expect(stocksOf(shuffle(events, random))).toEqual(inDateOrder);
  });
});

describe('rules of the data, not of arrival', () => {
  const coverage = (ledger: InMemoryLedger, sk: string) => [
    ledger.value(div(zhongzhou), sk, metrics.partyOrgsNonPublic),
    ledger.value(div(zhongzhou), sk, metrics.orgsNonPublic),
  ];

  it('counts a party organisation dated before the registration only from the registration: the numerator stays inside the denominator', () => {
    const ledger = new InMemoryLedger();
    ledger.apply(event('organization.registered.v1', '2026-06-15', { orgCode: orgA, name: 'Works', kind: 'enterprise', ownership: 'non_public', division: zhongzhou, workers: 3 }));
    ledger.apply(event('party.organization.established.v1', '2026-02-20', { orgCode: orgA, establishedOn: '2026-02-20' }));
    expect(coverage(ledger, 'Q#2026-Q1')).toEqual([0, 0]);
    expect(coverage(ledger, 'M#2026-06')).toEqual([1, 1]);
  });

  it('never counts a party organisation dated after the deregistration, whichever arrives first', () => {
    const registration = event('organization.registered.v1', '2026-01-05', { orgCode: orgA, name: 'Works', kind: 'enterprise', ownership: 'non_public', division: zhongzhou, workers: 3 });
    const deregistration = event('organization.deregistered.v1', '2026-09-30', { orgCode: orgA });
    const party = event('party.organization.established.v1', '2026-10-20', { orgCode: orgA, establishedOn: '2026-10-20' });
    const results = [[registration, deregistration, party], [registration, party, deregistration]].map((order) => {
      const ledger = new InMemoryLedger();
      for (const e of order) ledger.apply(e);
      return ledger.snapshot();
    });
    expect(results[0]).toEqual(results[1]);
    const ledger = new InMemoryLedger();
    for (const e of [registration, party, deregistration]) ledger.apply(e);
    expect(ledger.value(div(zhongzhou), 'Q#2026-Q4', metrics.partyOrgsNonPublic)).toBe(0);
    expect(ledger.value(div(zhongzhou), 'A#ALL', metrics.orgsNonPublic)).toBe(0);
  });

  it('moves a once-only fact to its earliest report, whichever arrives first', () => {
    const late = event('innovation.converted.v1', '2026-08-01', { projectId: 'P-1', activity: 'five_small', orgCode: orgA });
    const early = event('innovation.converted.v1', '2026-03-01', { projectId: 'P-1', activity: 'five_small', orgCode: orgA });
    const snapshots = [[late, early], [early, late]].map((order) => {
      const ledger = new InMemoryLedger();
      ledger.apply(registered(orgA, zhongzhou));
      for (const e of order) ledger.apply(e);
      expect(ledger.value(div(county), 'M#2026-03', metrics.innovationsConverted)).toBe(1);
      expect(ledger.value(div(county), 'M#2026-08', metrics.innovationsConverted)).toBe(0);
      return ledger.snapshot();
    });
    expect(snapshots[0]).toEqual(snapshots[1]);
  });
});
