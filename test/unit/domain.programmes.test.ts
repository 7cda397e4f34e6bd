import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../packages/domain/apply-event.ts';
import { counterKeys, metrics } from '../../packages/domain/metrics.ts';
import { county, domainEvent, InMemoryLedger } from '../support/in-memory-ledger.ts';

const zhongzhou = '500233001000';
const renjia = '500233101000';
const orgA = '91500233MA5U000001';
const orgB = '91500233MA5U000002';
const stateOwned = '91500233MA5U000003';
const div = counterKeys.division;

const event = (type: string, date: string, data: Record<string, unknown>): DomainEvent => domainEvent(type as DomainEvent['type'], date, data);

function withOrgs(): InMemoryLedger {
  const ledger = new InMemoryLedger();
  const reg = (orgCode: string, division: string, ownership: string) =>
    event('organization.registered.v1', '2026-01-02', { orgCode, name: 'Works', kind: 'enterprise', ownership, division, workers: 10 });
  ledger.apply(reg(orgA, zhongzhou, 'non_public'));
  ledger.apply(reg(orgB, renjia, 'non_public'));
  ledger.apply(reg(stateOwned, renjia, 'state_owned'));
  return ledger;
}

describe('trained workers are distinct persons per period and scope', () => {
  it('counts a person trained twice in a year once for the year and once per month', () => {
    const ledger = withOrgs();
    const trained = (date: string, orgCode?: string) =>
      event('training.completed.v1', date, { idNumber: 'p_1', group: 'in_service', programme: 'employment', ...(orgCode === undefined ? {} : { orgCode }) });
    ledger.apply(trained('2026-01-10', orgA));
    ledger.apply(trained('2026-02-10', orgB));
    ledger.apply(trained('2026-02-11', orgB));
    const at = (pk: string, sk: string) => ledger.value(pk, sk, metrics.trainedWorkers);
    expect(at(div(county), 'Y#2026')).toBe(1);
    expect(at(div(county), 'Q#2026-Q1')).toBe(1);
    expect(at(div(county), 'M#2026-01')).toBe(1);
    expect(at(div(county), 'M#2026-02')).toBe(1);
    expect(at(div(county), 'A#ALL')).toBe(1);
    expect(at(div(zhongzhou), 'Y#2026')).toBe(1);
    expect(at(div(renjia), 'Y#2026')).toBe(1);
    expect(at(div(renjia), 'D#2026-02-11')).toBe(1);
  });
});

describe('trained workers: every count in month items, the same for any order', () => {
  it('files the quarter, year and all time under the month of the first date, and moves them when an earlier date arrives', () => {
    const m = metrics.trainedWorkers;
    const trained = (date: string) => event('training.completed.v1', date, { idNumber: 'p_7', group: 'in_service', programme: 'employment', orgCode: orgA });
    const dates = ['2026-09-20', '2026-03-28', '2025-11-02', '2026-03-05', '2026-08-01'];
    const orders = [dates, [...dates].reverse(), ['2026-03-05', '2025-11-02', '2026-08-01', '2026-09-20', '2026-03-28']];
    const runs = orders.map((order) => {
      const ledger = withOrgs();
      for (const date of order) ledger.apply(trained(date));
      return ledger;
    });
    const counters = runs[0]!.snapshot();
    for (const run of runs.slice(1)) expect(run.snapshot()).toEqual(counters);

    const county_ = div(county);
    // Only month items, at every scope: one counter item per scope for a person's first training there.
    expect(Object.keys(counters).filter((key) => !key.includes('|M#') && key.includes(county_))).toEqual([]);
    expect(counters[`${county_}|M#2025-11`]).toEqual({ [m]: '1', [`${m}@02`]: '1', [`${m}@Q`]: '1', [`${m}@Y`]: '1', [`${m}@A`]: '1' });
    expect(counters[`${county_}|M#2026-03`]).toEqual({ [m]: '1', [`${m}@05`]: '1', [`${m}@28`]: '1', [`${m}@Q`]: '1', [`${m}@Y`]: '1' });
    expect(counters[`${county_}|M#2026-08`]).toEqual({ [m]: '1', [`${m}@01`]: '1', [`${m}@Q`]: '1' });
    expect(counters[`${county_}|M#2026-09`]).toEqual({ [m]: '1', [`${m}@20`]: '1' });

    // One state item per person, whatever the scopes: the organisation, its township and the county.
    const first = withOrgs().apply(trained('2026-05-06'));
    expect(first.outcome === 'apply' && first.writes.map((w) => w.key)).toEqual(['TRAINED#p_7']);
    expect(first.outcome === 'apply' && new Set(first.distinct?.map((d) => d.scope)).size).toBe(3);
    expect([...runs[0]!.state.keys()].filter((key) => key.startsWith('TRAINED#'))).toEqual(['TRAINED#p_7']);

    const at = (sk: string) => runs[0]!.value(county_, sk, m);
    expect([at('A#ALL'), at('Y#2025'), at('Y#2026'), at('Q#2026-Q1'), at('Q#2026-Q2'), at('Q#2026-Q3'), at('M#2026-03'), at('D#2026-03-28')]).toEqual([1, 1, 1, 1, 0, 1, 1, 1]);
  });
});

describe('once-only facts', () => {
  it('counts a studio, a contestant and a talent title once however often they are reported', () => {
    const ledger = withOrgs();
    for (let i = 0; i < 2; i++) {
      ledger.apply(event('studio.established.v1', '2026-03-01', { studioId: 'S1', kind: 'craftsman', level: 'county', orgCode: orgA }));
      ledger.apply(event('competition.entry.recorded.v1', '2026-03-02', { competition: 'cup-3', field: 'weld', category: 'open', idNumber: 'p_1', orgCode: orgA }));
      ledger.apply(event('talent.title.awarded.v1', '2026-03-03', { idNumber: 'p_1', orgCode: orgA, title: 'zhongzhou_craftsman', year: 2026 }));
    }
    const year = (m: string) => ledger.value(div(county), 'Y#2026', m);
    expect(year(metrics.skillStudios)).toBe(1);
    expect(year(metrics.competitionContestants)).toBe(1);
    expect(year(metrics.zhongzhouCraftsmen)).toBe(1);
    expect(year(metrics.zhongzhouTalents)).toBe(0);
  });

  it('counts unions only in non-public enterprises and social organisations, and frontline awards', () => {
    const ledger = withOrgs();
    ledger.apply(event('union.established.v1', '2026-04-01', { orgCode: orgA, establishedOn: '2026-04-01', members: 30 }));
    ledger.apply(event('union.established.v1', '2026-04-01', { orgCode: stateOwned, establishedOn: '2026-04-01', members: 80 }));
    ledger.apply(event('award.granted.v1', '2026-05-01', { idNumber: 'p_1', orgCode: orgA, awardName: 'May Day', level: 'county', frontline: true }));
    ledger.apply(event('award.granted.v1', '2026-05-01', { idNumber: 'p_2', orgCode: orgA, awardName: 'May Day', level: 'county', frontline: false }));
    const year = (m: string) => ledger.value(div(county), 'Y#2026', m);
    expect(year(metrics.unionsEstablished)).toBe(1);
    expect(year(metrics.unionMembers)).toBe(110);
    expect(year(metrics.awards)).toBe(2);
    expect(year(metrics.awardsFrontline)).toBe(1);
  });

  it('counts events without an organisation at the county, money in fen', () => {
    const ledger = withOrgs();
    ledger.apply(event('hardship_aid.granted.v1', '2026-06-01', { idNumber: 'p_1', amountYuan: 1234.56, kind: 'medical' }));
    ledger.apply(event('outreach.conducted.v1', '2026-06-02', { activity: 'law week', booklets: 300, enterprisesServed: 12, workersReached: 400 }));
    ledger.apply(event('legal_aid.case.closed.v1', '2026-06-03', { caseNo: 'FY-1', beneficiaries: 3, recoveredYuan: 50000 }));
    const year = (m: string) => ledger.value(div(county), 'Y#2026', m);
    expect(year(metrics.hardshipAidFen)).toBe(123_456);
    expect(year(metrics.regulationBooklets)).toBe(300);
    expect(year(metrics.legalAidRecoveredFen)).toBe(5_000_000);
    expect(ledger.value(div(zhongzhou), 'Y#2026', metrics.regulationBooklets)).toBe(0);
  });

  it('records a baseline for a stock indicator without touching counters', () => {
    const ledger = withOrgs();
    const decision = ledger.apply(event('baseline.recorded.v1', '2026-01-01', { metric: 'skilled_workers', division: zhongzhou, asOf: '2025-12-31', value: 4000 }));
    expect(decision).toMatchObject({ outcome: 'apply', baselines: [{ metric: 'skilled', division: zhongzhou, asOf: '2025-12-31', value: 4000 }] });
  });
});
