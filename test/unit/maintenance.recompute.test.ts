/**
 * The replay behind rebuild and reconcile, in memory: it must give what
 * applying the same events one by one gives, whatever order they are handed
 * over in, and say which events it could not apply.
 */
import { describe, expect, it } from 'vitest';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { usccFor } from '../../packages/contract/fixtures.ts';
import { idNumberPaths, validateEvent } from '../../packages/contract/index.ts';
import type { DomainEvent } from '../../packages/domain/apply-event.ts';
import { counterKeys, metrics } from '../../packages/domain/metrics.ts';
import { MaintenanceError } from '../../packages/maintenance/errors.ts';
import type { Recomputation, RecordedEvent } from '../../packages/maintenance/recompute.ts';
import { recompute, replayOrder, toDomainEvent } from '../../packages/maintenance/recompute.ts';
import { reconcile } from '../../packages/maintenance/reconcile.ts';
import type { CounterTableItem } from '../../packages/maintenance/reconcile.ts';
import { comparableLive, comparableRecomputation, correctionEntries, countersToWrite } from '../../packages/maintenance/explained-figures.ts';
import type { ExplainEntry } from '../../packages/domain/explain.ts';
import { canonicalItems, entriesOfFolded, explainEntries, foldEntries } from '../../packages/domain/explain.ts';
import { buildMixedWorkload } from '../support/mixed-workload.ts';
import { Pseudonymiser } from '../../packages/processing/pseudonymise.ts';
import { figureOf, InMemoryLedger } from '../support/in-memory-ledger.ts';
import type { CloudEvent } from '../support/workload.ts';
import { buildWorkload, randomSequence, shuffle } from '../support/workload.ts';

const divisions = new DivisionTree(defaultDeploymentConfig.root);
const options = { divisions, rewards: defaultDeploymentConfig.rewards };
const pseudonymiser = new Pseudonymiser('maintenance-unit-test-key-0123456789');
const county = divisions.rootCode;

/** A CloudEvent as the processor would record it in the Ledger (validated, pseudonymised). */
function recorded(event: CloudEvent, receivedAt = '2026-11-01T00:00:00.000Z'): RecordedEvent {
  const validation = validateEvent(JSON.stringify(event), { now: new Date('2026-11-24T00:00:00Z'), sources: defaultDeploymentConfig.sources });
  if (!validation.ok) throw new Error(`fixture ${event.id} is invalid: ${validation.detail}`);
  const { source, id, type, time, date, data } = validation.event;
  return { source, id, type, time, date, receivedAt, data: pseudonymiser.pseudonymise(data, idNumberPaths(type)) };
}

const domainEvent = (r: RecordedEvent): DomainEvent => toDomainEvent(r);

function nonZero(counters: ReadonlyMap<string, Readonly<Record<string, bigint>>>): Record<string, Record<string, string>> {
  return Object.fromEntries([...counters].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([a, n]) => [a, String(n)]).sort())]));
}

const org = (n: number) => usccFor(900_000 + n);

describe('recompute', () => {
  const workload = buildWorkload(400, 11);
  // The workload's registry comes first, as the live system saw it; the rest in generation order.
  const everything = [...workload.registry, ...workload.events].map((e) => recorded(e));
  // Every type lands on the same items in any order, certificates included.
  const live = everything;

  it('gives the same counters and state as applying the events one by one, whatever order it is handed', () => {
    const ledger = new InMemoryLedger();
    for (const event of live) expect(ledger.apply(domainEvent(event)).outcome).toBe('apply');

    for (const seed of [1, 2, 3]) {
      const result = recompute(shuffle(live, randomSequence(seed)), options);
      expect(result.skipped).toEqual([]);
      expect(result.applied).toBe(live.length);
      expect(nonZero(result.counters)).toEqual(ledger.snapshot());
      expect(result.state.size).toBe(ledger.state.size);
    }
  });

  it('gives the workload\'s yearly county figures with certificates included, in any order', () => {
    for (const seed of [4, 5]) {
      const result = recompute(shuffle(everything, randomSequence(seed)), options);
      expect(result.skipped).toEqual([]);
      const year = (metric: string) => figureOf(result.counters, counterKeys.division(county), 'Y#2026', metric);
      const { expected } = workload;
      expect(year(metrics.skilled)).toBe(expected.skilled);
      expect(year(metrics.highSkilled)).toBe(expected.highSkilled);
      expect(year(metrics.rewardFen)).toBe(expected.rewardFen);
      expect(year(metrics.disputesFiled)).toBe(expected.disputesFiled);
      expect(year(metrics.disputesOneStop)).toBe(expected.disputesOneStop);
      expect(year(metrics.contractWorkers)).toBe(expected.contractWorkers);
      expect(year(metrics.orgsNonPublic)).toBe(expected.orgsNonPublic);
      expect(year(metrics.partyOrgsNonPublic)).toBe(expected.partyOrgsNonPublic);
    }
  });

  it('reconciles with no difference against counters written by sequential application', () => {
    const ledger = new InMemoryLedger();
    for (const event of live) ledger.apply(domainEvent(event));
    const table = [...ledger.counters].map(([key, amounts]) => {
      const [pk = '', sk = ''] = key.split('|');
      return { pk, sk, ...amounts };
    });
    expect(reconcile(table, recompute(live, options)).differences).toEqual([]);
  });

  it('retries an event dated before its organisation registered after all others, as the queue would', () => {
    const registration = recorded({
      specversion: '1.0', id: 'reg-1', source: 'market.zhongxian', type: 'organization.registered.v1', time: '2026-03-01T09:00:00+08:00',
      data: { orgCode: org(1), name: 'Late Works', kind: 'enterprise', ownership: 'non_public', division: '500233001000', workers: 10 },
    });
    const filedEarlier = recorded({
      specversion: '1.0', id: 'case-1', source: 'union.zhongxian', type: 'dispute.filed.v1', time: '2026-02-01T09:00:00+08:00',
      data: { caseNo: 'AJ-1', orgCode: org(1), claimants: 2, category: 'wages', channel: 'union' },
    });
    const neverRegistered = recorded({
      specversion: '1.0', id: 'case-2', source: 'union.zhongxian', type: 'dispute.filed.v1', time: '2026-02-02T09:00:00+08:00',
      data: { caseNo: 'AJ-2', orgCode: org(2), claimants: 1, category: 'wages', channel: 'union' },
    });
    const result = recompute([neverRegistered, registration, filedEarlier], options);
    expect(result.applied).toBe(2);
    expect(result.skipped).toEqual([{ source: 'union.zhongxian', id: 'case-2', type: 'dispute.filed.v1', outcome: 'unknown_org', reason: 'unknown_org' }]);
    expect(result.counters.get(`${counterKeys.division('500233001000')}|M#2026-02`)).toEqual({ [`${metrics.disputesFiled}@01`]: 1n });
    expect(figureOf(result.counters, counterKeys.division(county), 'M#2026-02', metrics.disputesFiled)).toBe(1);
  });

  it('keeps the latest correction of a baseline, whichever arrives last', () => {
    const baseline = (id: string, time: string, value: number) =>
      recorded({
        specversion: '1.0', id, source: 'stats.zhongxian', type: 'baseline.recorded.v1', time,
        data: { metric: 'skilled_workers', division: '500233001000', asOf: '2025-12-31', value },
      });
    const later = baseline('b-2', '2026-01-03T09:00:00+08:00', 1500);
    const earlier = baseline('b-1', '2026-01-02T09:00:00+08:00', 1200);
    expect(recompute([earlier, later], options).baselines).toEqual(recompute([later, earlier], options).baselines);
    const result = recompute([later, earlier], options);
    expect(result.baselines).toEqual([
      { pk: `BASELINE#${metrics.skilled}`, sk: '500233001000#2025-12-31', metric: metrics.skilled, division: '500233001000', asOf: '2025-12-31', value: 1500, source: 'stats.zhongxian', id: 'b-2' },
    ]);
  });

  it('orders by date, then instant (not text) of time, then arrival, then source and id', () => {
    const at = (date: string, time: string, receivedAt: string, id: string): RecordedEvent =>
      ({ source: 's', id, type: 't', date, time, receivedAt, data: {} });
    const events = [
      at('2026-01-02', '2026-01-02T01:00:00+08:00', 'r1', 'e'),
      at('2026-01-01', '2026-01-01T10:00:00+08:00', 'r2', 'd'),
      at('2026-01-01', '2026-01-01T03:00:00+00:00', 'r1', 'c'), // 11:00 in Shanghai: after d
      at('2026-01-01', '2026-01-01T10:00:00+08:00', 'r1', 'b'),
      at('2026-01-01', '2026-01-01T10:00:00+08:00', 'r1', 'a'),
    ];
    expect([...events].sort(replayOrder).map((e) => e.id)).toEqual(['a', 'b', 'd', 'c', 'e']);
  });

  it('refuses a recorded event of a type the domain does not know', () => {
    expect(() => recompute([{ source: 's', id: 'x', type: 'made.up.v1', date: '2026-01-01', time: '2026-01-01T00:00:00Z', receivedAt: 'r', data: {} }], options))
      .toThrow(MaintenanceError);
  });
});

describe('reconcile', () => {
  const recomputed: Recomputation = {
    counters: new Map<string, Record<string, bigint>>([
      ['DIV#500233000000|Y#2026', { skilled: 3n, awards: 1n }],
      ['ORG#A|D#2026-01-01', { skilled: 1n }],
    ]),
    state: new Map(),
    baselines: [{ pk: 'BASELINE#skilled', sk: '500233001000#2025-12-31', metric: 'skilled', division: '500233001000', asOf: '2025-12-31', value: 0, source: 'hr-system', id: 'b-1' }],
    applied: 2,
    skipped: [],
  };

  it('lists each differing metric once, sorted, treating missing as 0 and ignoring other attributes', () => {
    const live = [
      { pk: 'DIV#500233000000', sk: 'Y#2026', skilled: 4, awards: 1, unions_established: 0, note: 'x' },
      { pk: 'ORG#A', sk: 'D#2026-01-01', skilled: 1 },
      { pk: 'ORG#B', sk: 'M#2026-01', skilled: 0 },
      { pk: 'ORG#C', sk: 'M#2026-01', awards: -2 },
      { pk: 'BASELINE#skilled', sk: '500233001000#2025-12-31', metric: 'skilled', division: '500233001000', asOf: '2025-12-31', value: 0 },
    ];
    const result = reconcile(live, recomputed);
    expect(result.differences).toEqual([
      { pk: 'DIV#500233000000', sk: 'Y#2026', metric: 'skilled', live: 4, recomputed: 3 },
      { pk: 'ORG#C', sk: 'M#2026-01', metric: 'awards', live: -2, recomputed: 0 },
    ]);
    expect(result.checkedItems).toBe(5);
  });

  it('tells an absent baseline from a baseline of 0, and reports items the replay has but the table lacks', () => {
    const live = [
      { pk: 'DIV#500233000000', sk: 'Y#2026', skilled: 3, awards: 1 },
      { pk: 'BASELINE#awards', sk: '500233001000#2025-12-31', metric: 'awards', division: '500233001000', asOf: '2025-12-31', value: 7 },
    ];
    expect(reconcile(live, recomputed).differences).toEqual([
      { pk: 'BASELINE#awards', sk: '500233001000#2025-12-31', metric: 'awards', live: 7, recomputed: null },
      { pk: 'BASELINE#skilled', sk: '500233001000#2025-12-31', metric: 'skilled', live: null, recomputed: 0 },
      { pk: 'ORG#A', sk: 'D#2026-01-01', metric: 'skilled', live: 0, recomputed: 1 },
    ]);
  });
});

describe("figures and their explain entries: organisations' folded, every scope's checked and corrected", () => {
  const lineage = (division: string): readonly string[] => divisions.lineage(division);
  const events = buildMixedWorkload(4).map((e) => recorded(e));
  const registrations = events.filter((e) => e.type === 'organization.registered.v1');
  const rest = events.filter((e) => e.type !== 'organization.registered.v1');

  /** Applies the events in `order` as the processor would, keeping each applied event's explain entries. */
  function applyInOrder(order: readonly RecordedEvent[]): { ledger: InMemoryLedger; entries: ExplainEntry[] } {
    const ledger = new InMemoryLedger();
    const entries: ExplainEntry[] = [];
    for (const event of order) {
      const decision = ledger.apply(domainEvent(event));
      if (decision.outcome === 'apply') entries.push(...explainEntries(event.date, { deltas: decision.deltas, distinct: decision.distinct ?? [] }, lineage));
    }
    return { ledger, entries };
  }

  /** The Counters table the processor leaves: every item but the organisations', and the baselines. */
  const tableOf = (ledger: InMemoryLedger): CounterTableItem[] => [
    ...[...ledger.counters].filter(([key]) => !key.startsWith('ORG#')).map(([key, amounts]) => {
      const [pk = '', sk = ''] = key.split('|');
      return { pk, sk, ...amounts };
    }),
    ...[...ledger.baselines.values()].map((b) => ({ ...b })),
  ];

  it('gives back every counter item the entries were made from, in any arrival order', () => {
    for (const seed of [1, 2, 3]) {
      const { ledger, entries } = applyInOrder([...registrations, ...shuffle(rest, randomSequence(seed))]);
      expect(entries.some((e) => e.scope.startsWith('ORG#'))).toBe(true);
      const items = [...ledger.counters].map(([key, amounts]) => ({ pk: key.slice(0, key.lastIndexOf('|')), sk: key.slice(key.lastIndexOf('|') + 1), amounts }));
      expect(foldEntries(entries)).toEqual(canonicalItems(items));
    }
  });

  it('reconciles a table without organisations\' items against the replay, and a rebuild writes no counter item for them and no correction', () => {
    for (const seed of [4, 5]) {
      const { ledger, entries } = applyInOrder([...registrations, ...shuffle(rest, randomSequence(seed))]);
      const recomputed = recompute(events, options);
      expect(reconcile(comparableLive(tableOf(ledger), foldEntries(entries)), comparableRecomputation(recomputed)).differences).toEqual([]);
      expect([...countersToWrite(recomputed).keys()].filter((key) => key.startsWith('ORG#'))).toEqual([]);
      expect(correctionEntries(recomputed, foldEntries(entries), '2026-12-08')).toEqual([]);
    }
  });

  it('lists an organisation and a division whose entries fall short of the replay; a rebuild writes exactly what they lack as correction entries', () => {
    const { ledger, entries } = applyInOrder([...registrations, ...rest]);
    const oneDayCell = (e: ExplainEntry): boolean => Object.keys(e.cells).length === 1 && !Object.keys(e.cells)[0]?.includes('|');
    const lostOrg = entries.find((e) => e.scope.startsWith('ORG#') && oneDayCell(e)) as ExplainEntry;
    const lostDivision = entries.find((e) => e.scope.startsWith('DIV#') && oneDayCell(e)) as ExplainEntry;
    const kept = entries.filter((e) => e !== lostOrg && e !== lostDivision);
    const recomputed = recompute(events, options);
    const cellOf = (lost: ExplainEntry) => ({ month: `M#${lost.day.slice(0, 7)}`, attribute: `${Object.keys(lost.cells)[0]}@${lost.day.slice(8)}` });
    const differences = reconcile(comparableLive(tableOf(ledger), foldEntries(kept)), comparableRecomputation(recomputed)).differences;
    // The division's counters are right; what its explain page lists is not: listed under X#.
    expect(differences.map(({ pk, sk, metric }) => ({ pk, sk, metric }))).toEqual(
      [
        { pk: lostOrg.scope, sk: cellOf(lostOrg).month, metric: cellOf(lostOrg).attribute },
        { pk: lostDivision.scope, sk: `X#${cellOf(lostDivision).month}`, metric: cellOf(lostDivision).attribute },
      ].sort((a, b) => (a.pk < b.pk ? -1 : 1)),
    );
    const corrections = correctionEntries(recomputed, foldEntries(kept), '2026-12-08');
    expect(corrections).toEqual([[lostDivision, lostOrg]]);
    // With the corrections among the entries, and with ORG# items an earlier version wrote (month and correction items), nothing is listed.
    const oldItems = [{ pk: lostOrg.scope, sk: `R#${cellOf(lostOrg).month}`, [cellOf(lostOrg).attribute]: 5n }, { pk: lostOrg.scope, sk: cellOf(lostOrg).month, [cellOf(lostOrg).attribute]: 99n }];
    expect(reconcile(comparableLive([...tableOf(ledger), ...oldItems], foldEntries([...kept, ...corrections.flat()])), comparableRecomputation(recomputed)).differences).toEqual([]);
    expect(correctionEntries(recomputed, foldEntries([...kept, ...corrections.flat()]), '2026-12-09')).toEqual([]);
  });

  it('writes corrections that fold back to any difference: days, months, first dates of a quarter, a year and all time, either sign, past 2^53', () => {
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    const difference = canonicalItems([
      { pk: 'DIV#500233101000', sk: 'M#2026-03', amounts: { 'skilled@07': 3n, skilled_workers: -2n, 'trained@Q': 4n } },
      { pk: 'ORG#X', sk: 'M#2026-05', amounts: { 'trained@Y': -1n, 'trained@A': 7n, 'aid_fen@31': 3n * max + 5n } },
    ]);
    const lists = entriesOfFolded(difference, '2026-12-08');
    expect(lists).toHaveLength(4);
    for (const list of lists) {
      expect(new Set(list.map((e) => `${e.scope}|${e.day}`)).size).toBe(list.length);
      for (const entry of list) for (const amount of Object.values(entry.cells)) expect(Number.isSafeInteger(amount)).toBe(true);
    }
    expect(foldEntries(lists.flat())).toEqual(difference);
    // Each cell on a day inside the span the explainer reads for it.
    expect(lists[0]?.map((e) => [e.scope, e.day, Object.keys(e.cells).sort()])).toEqual([
      ['DIV#500233101000', '2026-01-01', ['trained|Q#2026-Q1']],
      ['DIV#500233101000', '2026-03-01', ['skilled_workers|M#2026-03']],
      ['DIV#500233101000', '2026-03-07', ['skilled']],
      ['ORG#X', '2026-01-01', ['trained|Y#2026']],
      ['ORG#X', '2026-05-31', ['aid_fen']],
      ['ORG#X', '2026-12-08', ['trained|A#ALL']],
    ]);
  });
});
