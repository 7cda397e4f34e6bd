/**
 * The packer: transactions within DynamoDB's limits as their running size
 * says, events that must go alone alone, and explain items two entries each.
 */
import { describe, expect, it } from 'vitest';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { usccFor } from '../../packages/contract/fixtures.ts';
import type { CounterDelta } from '../../packages/domain/decision.ts';
import type { ExplainEntry } from '../../packages/domain/explain.ts';
import { explainEntries } from '../../packages/domain/explain.ts';
import { metrics } from '../../packages/domain/metrics.ts';
import type { Packable } from '../../packages/processing/packing.ts';
import { notDecidedOn, planUnits } from '../../packages/processing/packing.ts';
import type { AcceptedRecord } from '../../packages/storage/event-store.ts';
import { explainItems, maxTransactionItems, planSize } from '../../packages/storage/event-store.ts';

const divisions = new DivisionTree(defaultDeploymentConfig.root);
const lineage = (d: string): readonly string[] => divisions.lineage(d);
const townships = divisions.children(divisions.rootCode);

interface TestEvent extends Packable {
  readonly record: AcceptedRecord;
}

/** An event of organisation `org` in township `t` on `date`, writing state `keys` (and one counter per metric). */
function event(n: number, options: { keys: string[]; date?: string; township?: number; metricsCount?: number }): TestEvent {
  const date = options.date ?? `2026-0${1 + (n % 9)}-1${n % 10}`;
  const township = townships[(options.township ?? n) % townships.length] as string;
  const orgCode = usccFor(700_000 + (n % 50));
  const all = Object.values(metrics);
  const deltas: CounterDelta[] = Array.from({ length: options.metricsCount ?? 2 }, (_, i) => ({ metric: all[(n + i) % all.length] as CounterDelta['metric'], amount: 1, date, orgCodes: [orgCode], divisions: [township] }));
  const effects = { deltas, distinct: [], baselines: [] };
  const record: AcceptedRecord = {
    source: 'test.zhongxian',
    id: `e-${n}`,
    type: 'studio.established.v1',
    time: `${date}T10:00:00+08:00`,
    date,
    data: { orgCode, note: 'x'.repeat(200) },
    contentHash: 'h'.repeat(43),
    receivedAt: `${date}T10:00:00Z`,
    processedAt: `${date}T10:00:01Z`,
    divisions: [...lineage(township)],
    effects,
    explain: explainEntries(date, effects, lineage),
  };
  return {
    record,
    read: options.keys,
    decision: {
      outcome: 'apply',
      writes: options.keys.map((key, i) => ({ key, expectedVersion: i === 0 ? undefined : 1, item: { entity: 'once', rank: [date, n], date, version: 1 } as never })),
      deltas,
      divisions: [township],
    },
  };
}

const fence = { epoch: 1, paused: false };
const plan = (events: readonly TestEvent[], alone: (d: TestEvent) => boolean = () => false) =>
  planUnits(events, { fence, storedPages: new Map(), lineage, recordOf: (d) => d.record, alone });

describe('planUnits', () => {
  it('fills transactions up to DynamoDB limits and never past them, each event once, in dependency order', () => {
    const events = Array.from({ length: 400 }, (_, i) => event(i, { keys: [`ONCE#${i}`, ...(i % 7 === 0 ? [`PERSON#${i % 3}`] : [])], metricsCount: 1 + (i % 4) }));
    const units = plan(events);
    for (const unit of units) expect(planSize(unit.plans[0] as never).items).toBeLessThanOrEqual(maxTransactionItems);
    expect(units.flatMap((u) => u.members.map((m) => m.record.id)).sort()).toEqual(events.map((e) => e.record.id).sort());
    // Well packed: most transactions are nearly full.
    const sizes = units.map((u) => planSize(u.plans[0] as never).items);
    expect(sizes.filter((n) => n >= maxTransactionItems - 10).length).toBeGreaterThanOrEqual(units.length - 2);
    // A chain on one person keeps its order across units.
    const position = new Map(units.flatMap((u, i) => u.members.map((m) => [m.record.id, i] as const)));
    const chain = events.filter((e) => e.decision.writes.some((w) => w.key === 'PERSON#0')).map((e) => position.get(e.record.id) as number);
    expect(chain).toEqual([...chain].sort((a, b) => a - b));
  });

  it('gives an event that must go alone a transaction of its own, and packs the rest together', () => {
    const events = Array.from({ length: 30 }, (_, i) => event(i, { keys: [`ONCE#a${i}`, ...(i === 12 ? ['PERSON#hot'] : [])] }));
    const units = plan(events, (d) => d.decision.writes.some((w) => w.key === 'PERSON#hot'));
    const alone = units.filter((u) => u.members.some((m) => m.record.id === 'e-12'));
    expect(alone).toHaveLength(1);
    expect(alone[0]?.members).toHaveLength(1);
    expect(units.length).toBeLessThanOrEqual(3);
  });
});

describe('explainItems', () => {
  const entry = (scope: string, day: string): ExplainEntry => ({ scope, day, cells: { [metrics.awards]: 1 } });
  const event = { source: 'test.zhongxian', id: 'x-1', type: 'award.granted.v1', date: '2026-05-01', processedAt: '2026-05-02T00:00:00Z' };

  it('carries a division entry and an organisation entry of the same day in one item', () => {
    const org = `ORG#${usccFor(1)}`;
    const items = explainItems(event, [entry('DIV#500233001000', '2026-03-01'), entry(org, '2026-03-01')]);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ xdp: 'DIV#500233001000', xop: org });
  });

  it('pairs what it can and keeps every entry exactly once, with unique keys', () => {
    const entries = [
      ...Array.from({ length: 5 }, (_, i) => entry(`DIV#50023300${i + 1}000`, '2026-04-0' + (i + 1))),
      ...Array.from({ length: 8 }, (_, i) => entry(`ORG#${usccFor(10 + i)}`, '2026-04-0' + ((i % 6) + 1))),
    ];
    const items = explainItems(event, entries);
    expect(items).toHaveLength(8);
    expect(new Set(items.map((i) => i['sk'])).size).toBe(items.length);
    const carried = items.flatMap((i) => [i['xdp'] === undefined ? [] : [`${String(i['xdp'])}|${String(i['xds']).slice(0, 10)}`], i['xop'] === undefined ? [] : [`${String(i['xop'])}|${String(i['xos']).slice(0, 10)}`]].flat());
    expect(carried.sort()).toEqual(entries.map((e) => `${e.scope}|${e.day}`).sort());
  });
});

describe('notDecidedOn', () => {
  const d = (read: string[], writes: string[]): Packable => ({ read, decision: { outcome: 'apply', writes: writes.map((key) => ({ key, expectedVersion: 1, item: {} as never })), deltas: [], divisions: [] } });

  it('leaves out what read or wrote a moved item and what was decided after on their writes, and keeps the rest in order', () => {
    const a = d(['PERSON#1', 'ORG#x'], ['PERSON#1', 'CERT#a']);
    const b = d(['ORG#x'], ['ONCE#b']);
    const c = d(['CERT#a', 'PERSON#1'], ['CERT#a', 'PERSON#1']);
    const e = d(['ONCE#b'], ['ONCE#b']);
    const f = d(['PERSON#2'], ['PERSON#2']);
    const early = d(['PERSON#1'], []);
    // Decision order: early, a, b, c, e, f; the unit packs them otherwise.
    const decidedAt = new Map<Packable, number>([[early, 0], [a, 1], [b, 2], [c, 3], [e, 4], [f, 5]]);
    const members = [f, a, c, b, e, early];
    expect(notDecidedOn(members, new Set(['CERT#a']), decidedAt)).toEqual([f, b, e, early].filter((m) => members.includes(m)).sort((x, y) => members.indexOf(x) - members.indexOf(y)));
    // A read-only event decided on a moved item goes too, and nothing after it depends on it.
    expect(notDecidedOn(members, new Set(['PERSON#1']), decidedAt)).toEqual([f, b, e]);
    // An event decided before a left-out one, on an item it later writes, keeps its place.
    expect(notDecidedOn(members, new Set(['ONCE#b']), decidedAt)).toEqual([f, a, c, early]);
  });
});
