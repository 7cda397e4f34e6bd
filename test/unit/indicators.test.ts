import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { distinctMetrics, metrics } from '../../packages/domain/metrics.ts';
import type { IndicatorDefinition } from '../../packages/indicators/catalog.ts';
import { findIndicator, indicatorCatalog, isFenMetric } from '../../packages/indicators/catalog.ts';
import { CounterLayoutReader } from '../../packages/indicators/counter-ranges.ts';
import type { BaselineSource } from '../../packages/indicators/counter-source.ts';
import { InvalidPeriodError } from '../../packages/indicators/errors.ts';
import { IndicatorEvaluator, percentHalfUp } from '../../packages/indicators/evaluator.ts';
import { InMemoryCounterSource } from '../../packages/indicators/in-memory-counter-source.ts';
import { asOfDate, nextDay, parsePeriod } from '../../packages/indicators/period.ts';

/** Counters recorded straight at the scope read: each division reads only its own partition. */
const ownOnly = (division: string): string[] => [division];

const county = 'DIV#500233000000';
const zhongzhou = '500233001000';
const orgA = '91500233MA5U000001';

const byId = (...ids: string[]): IndicatorDefinition[] =>
  ids.map((id) => {
    const definition = findIndicator(id);
    if (definition === undefined) throw new Error(`missing ${id}`);
    return definition;
  });

describe('parsePeriod', () => {
  it.each([
    ['2026', 'year', '2026-01-01', '2026-12-31'],
    ['2026-Q1', 'quarter', '2026-01-01', '2026-03-31'],
    ['2026-Q4', 'quarter', '2026-10-01', '2026-12-31'],
    ['2024-02', 'month', '2024-02-01', '2024-02-29'],
    ['2026-02', 'month', '2026-02-01', '2026-02-28'],
    ['2026-11-24', 'day', '2026-11-24', '2026-11-24'],
    ['2024-02-29', 'day', '2024-02-29', '2024-02-29'],
    ['2000', 'year', '2000-01-01', '2000-12-31'],
    ['2100-12-31', 'day', '2100-12-31', '2100-12-31'],
  ])('%s is a %s from %s to %s', (text, kind, first, last) => {
    expect(parsePeriod(text)).toEqual({ kind, text, first, last });
  });

  it('parses all without bounds', () => {
    expect(parsePeriod('all')).toEqual({ kind: 'all', text: 'all' });
  });

  it.each(['1999', '2101', '2026-Q0', '2026-Q5', '2026-00', '2026-13', '2026-1', '2026-02-29', '2026-04-31', '2026-11-00', ' 2026', '2026 ', 'ALL', '', '2026-q4', '2026-11-24T00:00', '２０２６'])(
    'refuses %j',
    (text) => {
      expect(() => parsePeriod(text)).toThrow(InvalidPeriodError);
    },
  );
});

describe('asOfDate', () => {
  const now = new Date('2026-11-24T04:00:00Z');

  it('is today while the period runs, its last day once it is over, today for all', () => {
    expect(asOfDate(parsePeriod('2026-Q4'), now)).toBe('2026-11-24');
    expect(asOfDate(parsePeriod('2026-10'), now)).toBe('2026-10-31');
    expect(asOfDate(parsePeriod('2025'), now)).toBe('2025-12-31');
    expect(asOfDate(parsePeriod('all'), now)).toBe('2026-11-24');
  });

  it('uses the Asia/Shanghai date: 16:30 UTC is already the next day', () => {
    expect(asOfDate(parsePeriod('all'), new Date('2026-11-24T16:30:00Z'))).toBe('2026-11-25');
    expect(asOfDate(parsePeriod('all'), new Date('2026-11-24T15:59:59Z'))).toBe('2026-11-24');
  });
});

describe('CounterLayoutReader', () => {
  it('reads one range of month items per partition, and a division adds up its subtree', async () => {
    const source = new InMemoryCounterSource();
    source.addNetChange(county, '2026-03-04', metrics.awards, -1);
    source.addNetChange(`DIV#${zhongzhou}`, '2026-03-04', metrics.awards, 2);
    source.addNetChange(`DIV#${zhongzhou}`, '2026-11-24', metrics.awards, 5);
    const layout = new CounterLayoutReader(source, (d) => (d === '500233000000' ? [d, zhongzhou] : [d]));
    const totals = await layout.netChanges({ division: '500233000000' }, undefined, '2026-11-23', [metrics.awards]);
    expect(totals.get(metrics.awards)).toBe(1n);
    expect(source.reads).toEqual([
      { partition: county, range: { from: 'M#0000-01', to: 'M#2026-11' } },
      { partition: `DIV#${zhongzhou}`, range: { from: 'M#0000-01', to: 'M#2026-11' } },
    ]);
  });

  it('is empty when the span ends before it starts', async () => {
    const layout = new CounterLayoutReader(new InMemoryCounterSource(), (d) => [d]);
    expect((await layout.netChanges({ division: zhongzhou }, '2026-11-25', '2026-11-24', [metrics.awards])).get(metrics.awards)).toBe(0n);
  });

  it('sums to the same figure as adding up every single day, for any span', async () => {
    const source = new InMemoryCounterSource();
    const daily = new Map<string, number>();
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let day = '2023-11-20'; day <= '2027-02-10'; day = nextDay(day)) {
      if (random() < 0.3) {
        const amount = Math.floor(random() * 21) - 5;
        daily.set(day, amount);
        source.addNetChange(county, day, metrics.awards, amount);
      }
    }
    const layout = new CounterLayoutReader(source, (d) => [d]);
    const dates = [...daily.keys()];
    const spans: [string | undefined, string | undefined][] = [[undefined, undefined], [undefined, '2025-12-31'], ['2024-02-29', undefined]];
    const pick = (): string => dates[Math.floor(random() * dates.length)] as string;
    for (let i = 0; i < 60; i++) {
      const [a, b] = [pick(), pick()].sort() as [string, string];
      spans.push([a, b], [nextDay(a), b]);
    }
    for (const [from, to] of spans) {
      const expected = [...daily].filter(([d]) => (from === undefined || d >= from) && (to === undefined || d <= to)).reduce((sum, [, v]) => sum + v, 0);
      const total = Number((await layout.netChanges({ division: '500233000000' }, from, to, [metrics.awards])).get(metrics.awards));
      expect({ from, to, total }).toEqual({ from, to, total: expected });
    }
  });
});

describe('percentHalfUp', () => {
  it.each([
    [2, 3, 66.67],
    [63, 100, 63],
    [34890, 40000, 87.23], // 87.225 exactly: half-up (toFixed(2) on the float gives 87.22)
    [1, 8, 12.5],
    [1, 20000, 0.01], // 0.005
    [1, 200000, 0],
    [0, 5, 0],
    [5, 5, 100],
    [-1, 3, -33.33],
  ])('%d ÷ %d = %d %%', (numerator, denominator, percent) => {
    expect(percentHalfUp(numerator, denominator)).toBe(percent);
  });

  it('is null when the denominator is 0', () => {
    expect(percentHalfUp(0, 0)).toBeNull();
    expect(percentHalfUp(7, 0)).toBeNull();
  });
});

describe('the catalogue', () => {
  // The contract's own table: every row of INDICATORS.md, in its order and with its kind.
  const contractRows = [...readFileSync(new URL('../../../shared/contract/INDICATORS.md', import.meta.url), 'utf8').matchAll(/^\| `([a-z_]+)` \| (\w+) \| (\w+) \|/gm)].map(
    (m) => ({ id: m[1], pillar: m[2], kind: m[3] }),
  );

  it('holds every indicator of INDICATORS.md, in its order, with its pillar and kind', () => {
    expect(contractRows).toHaveLength(31);
    expect(indicatorCatalog.map(({ id, pillar, kind }) => ({ id, pillar, kind }))).toEqual(contractRows);
  });

  it('reads only known metrics, yuan only from fen metrics, distinct metrics never as stocks', () => {
    const known = new Set<string>(Object.values(metrics));
    for (const definition of indicatorCatalog) {
      const terms = definition.kind === 'ratio' ? [definition.source.numerator, definition.source.denominator] : [definition.source];
      for (const term of terms) {
        expect(known.has(term.metric), `${definition.id} reads ${term.metric}`).toBe(true);
        if (term.aggregate === 'stock') expect(distinctMetrics.has(term.metric)).toBe(false);
      }
      if (definition.kind !== 'ratio') expect(isFenMetric(definition.source.metric)).toBe(definition.unit === 'yuan');
      expect(definition.kind === 'ratio').toBe(definition.unit === 'percent');
      expect(definition.kind === 'ratio' ? 'ratio' : definition.source.aggregate).toBe(definition.kind);
      expect(definition.name.zh.length).toBeGreaterThan(0);
      expect(definition.name.en.length).toBeGreaterThan(0);
    }
  });
});

describe('IndicatorEvaluator', () => {
  function countySource(): InMemoryCounterSource {
    return (
      new InMemoryCounterSource()
        // skilled: stock across a year boundary, with a revocation
        .addNetChange(county, '2025-06-10', metrics.skilled, 3)
        .addNetChange(county, '2026-01-01', metrics.skilled, 2)
        .addNetChange(county, '2026-11-24', metrics.skilled, -1)
        .addNetChange(county, '2026-12-05', metrics.skilled, 4)
        // rewards in fen: paid, paid, clawed back
        .addNetChange(county, '2026-09-09', metrics.rewardFen, 12345)
        .addNetChange(county, '2026-10-03', metrics.rewardFen, 400000)
        .addNetChange(county, '2026-11-24', metrics.rewardFen, 200000)
        .addNetChange(county, '2026-12-01', metrics.rewardFen, -200000)
        // contracts in two years
        .addNetChange(county, '2024-03-01', metrics.contractsCollective, 5)
        .addNetChange(county, '2026-11-02', metrics.contractsCollective, 7)
        // disputes in November
        .addNetChange(county, '2026-11-02', metrics.disputesFiled, 3)
        .addNetChange(county, '2026-11-20', metrics.disputesMediated, 2)
        // registry stocks: 87.225 % coverage
        .addNetChange(county, '2026-01-05', metrics.orgsNonPublic, 40000)
        .addNetChange(county, '2026-02-05', metrics.partyOrgsNonPublic, 34890)
    );
  }

  async function figure(source: InMemoryCounterSource, id: string, period: string, scope = { division: '500233000000' }) {
    const [value] = await new IndicatorEvaluator(source, ownOnly).evaluate(byId(id), scope, parsePeriod(period));
    return value;
  }

  it('sums a stock up to the end of the period, across year boundaries', async () => {
    const source = countySource();
    expect((await figure(source, 'skilled_workers', '2024'))?.value).toBe(0);
    expect((await figure(source, 'skilled_workers', '2025'))?.value).toBe(3);
    expect((await figure(source, 'skilled_workers', '2026-Q1'))?.value).toBe(5);
    expect((await figure(source, 'skilled_workers', '2026-11-23'))?.value).toBe(5);
    expect((await figure(source, 'skilled_workers', '2026-11-24'))?.value).toBe(4);
    expect((await figure(source, 'skilled_workers', '2026-11'))?.value).toBe(4);
    expect((await figure(source, 'skilled_workers', '2026'))?.value).toBe(8);
    expect((await figure(source, 'skilled_workers', 'all'))?.value).toBe(8);
  });

  it('sums a flow within the period only, in yuan for fen metrics', async () => {
    const source = countySource();
    expect(await figure(source, 'dual_upgrade_rewards_yuan', '2026-Q4')).toEqual({ indicator: 'dual_upgrade_rewards_yuan', value: 4000 });
    expect((await figure(source, 'dual_upgrade_rewards_yuan', '2026-11'))?.value).toBe(2000);
    expect((await figure(source, 'dual_upgrade_rewards_yuan', '2026-11-24'))?.value).toBe(2000);
    expect((await figure(source, 'dual_upgrade_rewards_yuan', '2026-09'))?.value).toBe(123.45);
    expect((await figure(source, 'dual_upgrade_rewards_yuan', '2026'))?.value).toBe(4123.45);
    expect((await figure(source, 'collective_contracts', '2026'))?.value).toBe(7);
    expect((await figure(source, 'collective_contracts', 'all'))?.value).toBe(12);
    expect((await figure(source, 'collective_contracts', '2025'))?.value).toBe(0);
  });

  it('gives ratios with both parts, rounded half-up, and null over an empty denominator', async () => {
    const source = countySource();
    expect(await figure(source, 'dispute_mediation_rate', '2026-11')).toEqual({
      indicator: 'dispute_mediation_rate', value: 66.67, numerator: 2, denominator: 3,
    });
    expect(await figure(source, 'party_org_coverage_non_public', '2026')).toEqual({
      indicator: 'party_org_coverage_non_public', value: 87.23, numerator: 34890, denominator: 40000,
    });
    // On 2026-01-31 the enterprises are registered but none has a party organisation yet.
    expect((await figure(source, 'party_org_coverage_non_public', '2026-01'))?.value).toBe(0);
    expect(await figure(source, 'party_org_coverage_social', '2026')).toEqual({
      indicator: 'party_org_coverage_social', value: null, numerator: 0, denominator: 0,
    });
  });

  it('computes the whole catalogue from a few shared reads, in the order asked', async () => {
    const source = countySource();
    const values = await new IndicatorEvaluator(source, ownOnly).evaluate(indicatorCatalog, { division: '500233000000' }, parsePeriod('2026-11'));
    expect(values.map((v) => v.indicator)).toEqual(indicatorCatalog.map((d) => d.id));
    // Flows: the month's item; stocks as of 2026-11-30: every month item up to it; trained workers: the month's distinct cell.
    expect(source.reads.map((r) => `${r.range.from}..${r.range.to}`).sort()).toEqual(
      ['M#0000-01..M#2026-11', 'M#2026-11..M#2026-11', 'M#2026-11..M#2026-11'],
    );
    expect(values.find((v) => v.indicator === 'skilled_workers')?.value).toBe(4);
    expect(values.find((v) => v.indicator === 'disputes_filed')?.value).toBe(3);
  });

  it('reads an organisation from its own partition', async () => {
    const source = countySource().addNetChange(`ORG#${orgA}`, '2026-11-02', metrics.contractsSpecial, 2);
    expect((await figure(source, 'special_collective_contracts', '2026', { orgCode: orgA } as never))?.value).toBe(2);
    expect((await figure(source, 'special_collective_contracts', '2026'))?.value).toBe(0);
    expect(source.reads.every((r) => r.partition === `ORG#${orgA}` || r.partition === county)).toBe(true);
  });

  it('starts a stock from an opening balance and counts only changes after its date', async () => {
    const baselines: BaselineSource = {
      baselineFor: (metric, scope, date) =>
        Promise.resolve(metric === metrics.skilled && 'division' in scope && date >= '2026-06-30' ? { value: 100, asOf: '2026-06-30' } : undefined),
    };
    const evaluator = new IndicatorEvaluator(countySource(), ownOnly, baselines);
    const [year] = await evaluator.evaluate(byId('skilled_workers'), { division: '500233000000' }, parsePeriod('2026'));
    // 100 on 2026-06-30, then -1 on 11-24 and +4 on 12-05; the earlier +3 and +2 are inside the balance.
    expect(year?.value).toBe(103);
    const [before] = await evaluator.evaluate(byId('skilled_workers'), { division: '500233000000' }, parsePeriod('2026-Q1'));
    expect(before?.value).toBe(5);
  });

  it('reads a distinct-count metric from the period’s own cells, never by summing smaller periods', async () => {
    const trained: IndicatorDefinition = {
      id: 'trained_workers', pillar: 'rights', kind: 'flow', unit: 'count',
      name: { zh: '培训职工', en: 'Trained workers' }, description: 'distinct persons trained',
      source: { metric: metrics.trainedWorkers, aggregate: 'flow' },
    };
    // 6 persons in October and 5 in November, of whom 3 were first trained this quarter in November; 12 ever, 2 of them first in 2025.
    const m = metrics.trainedWorkers;
    const source = new InMemoryCounterSource()
      .add(`DIV#${zhongzhou}`, 'M#2025-06', `${m}@A`, 2)
      .add(`DIV#${zhongzhou}`, 'M#2026-10', m, 6)
      .add(`DIV#${zhongzhou}`, 'M#2026-10', `${m}@Q`, 6)
      .add(`DIV#${zhongzhou}`, 'M#2026-10', `${m}@A`, 6)
      .add(`DIV#${zhongzhou}`, 'M#2026-11', m, 5)
      .add(`DIV#${zhongzhou}`, 'M#2026-11', `${m}@Q`, 3)
      .add(`DIV#${zhongzhou}`, 'M#2026-11', `${m}@A`, 4);
    const evaluator = new IndicatorEvaluator(source, ownOnly);
    const scope = { division: zhongzhou };
    expect((await evaluator.evaluate([trained], scope, parsePeriod('2026-Q4')))[0]?.value).toBe(9);
    expect((await evaluator.evaluate([trained], scope, parsePeriod('all')))[0]?.value).toBe(12);
    expect((await evaluator.evaluate([trained], scope, parsePeriod('2026-11')))[0]?.value).toBe(5);
  });
});
