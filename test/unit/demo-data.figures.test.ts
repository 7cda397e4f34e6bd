/**
 * The demo data set replayed through the real domain rules and the real
 * indicator evaluator, in memory: every county figure for 2026 is the
 * published one (or the planned one for indicators the county did not
 * publish), whatever the order the queue delivers the events in. The
 * integration test checks the same through the local stack and the API.
 */
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../packages/contract/index.ts';
import { defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import type { DomainEvent } from '../../packages/domain/apply-event.ts';
import { rankOf } from '../../packages/domain/rank.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { IndicatorEvaluator } from '../../packages/indicators/evaluator.ts';
import { InMemoryCounterSource } from '../../packages/indicators/in-memory-counter-source.ts';
import { parsePeriod } from '../../packages/indicators/period.ts';
import type { RecordedBaseline } from '../../packages/indicators/recorded-baselines.ts';
import { RecordedBaselines } from '../../packages/indicators/recorded-baselines.ts';
import type { DemoEvent } from '../../events/demo/generate.ts';
import { buildDemo, demoCounty, publishedFigures } from '../../events/demo/generate.ts';
import { InMemoryLedger, divisions } from '../support/in-memory-ledger.ts';

const demo = buildDemo();
const now = new Date('2026-11-24T12:00:00+08:00');
const year = parsePeriod('2026');
const townships = divisions.children(demoCounty);

/** Deterministic shuffle (a different order than the files), for the order-independence check. */
function reordered<T>(items: readonly T[]): T[] {
  let state = 20_261_124;
  const next = (): number => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 4_294_967_296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Applies the events (registrations first, as `npm start` sends them) and returns an evaluator over the result. */
function replay(events: readonly DemoEvent[]): { evaluator: IndicatorEvaluator; rejected: string[] } {
  const ledger = new InMemoryLedger();
  const baselines: RecordedBaseline[] = [];
  const rejected: string[] = [];
  const registrations = events.filter((e) => e.type === 'organization.registered.v1');
  for (const event of [...registrations, ...events.filter((e) => e.type !== 'organization.registered.v1')]) {
    const validated = validateEvent(event, { now, sources: defaultDeploymentConfig.sources });
    if (!validated.ok) {
      rejected.push(`${event.id}: ${validated.reason}`);
      continue;
    }
    const { type, date, data, source, id, time } = validated.event;
    const decision = ledger.apply({ type, source, id, date, rank: rankOf({ date, time, source, id }), data } as DomainEvent);
    if (decision.outcome !== 'apply') rejected.push(`${event.id}: ${decision.outcome}`);
    else baselines.push(...(decision.baselines ?? []));
  }
  const counters = new InMemoryCounterSource();
  for (const [key, amounts] of ledger.counters) {
    const [pk, sk] = key.split('|') as [string, string];
    for (const [metric, amount] of Object.entries(amounts)) counters.add(pk, sk, metric, amount);
  }
  const recorded = new RecordedBaselines({ baselinesOf: (metric) => Promise.resolve(baselines.filter((b) => b.metric === metric)) }, counters, divisions);
  return { evaluator: new IndicatorEvaluator(counters, (d) => divisions.subtree(d), recorded), rejected };
}

async function countyFigures(evaluator: IndicatorEvaluator): Promise<Record<string, number | null>> {
  const values = await evaluator.evaluate(indicatorCatalog, { division: demoCounty }, year);
  return Object.fromEntries(values.map((v) => [v.indicator, v.value]));
}

const inFileOrder = replay(demo.events);

describe('the demo data set, replayed through the domain', () => {
  it('is accepted in full', () => {
    expect(inFileOrder.rejected).toEqual([]);
  });

  it('gives every published county figure for 2026', async () => {
    const figures = await countyFigures(inFileOrder.evaluator);
    const published = Object.fromEntries(Object.keys(publishedFigures).map((id) => [id, figures[id]]));
    expect(published).toEqual(publishedFigures);
  });

  it('gives the planned, non-zero figure for every indicator the county did not publish', async () => {
    const figures = await countyFigures(inFileOrder.evaluator);
    expect(Object.keys(demo.figures).sort()).toEqual(indicatorCatalog.map((d) => d.id).sort());
    expect(figures).toEqual(demo.figures);
    for (const id of Object.keys(demo.figures).filter((i) => !(i in publishedFigures))) {
      expect(figures[id], id).toBeGreaterThan(0);
    }
  });

  it('gives the same figures whatever order the queue delivers the events in', async () => {
    const shuffled = replay(reordered(demo.events));
    expect(shuffled.rejected).toEqual([]);
    expect(await countyFigures(shuffled.evaluator)).toEqual(demo.figures);
  });

  it('gives each township its planned skilled stocks, adding up to the county', async () => {
    let skilled = 0;
    let high = 0;
    let collective = 0;
    const nonZero: string[] = [];
    const wanted = ['skilled_workers', 'high_skilled_workers', 'collective_contracts'];
    const definitions = indicatorCatalog.filter((d) => wanted.includes(d.id));
    for (const division of townships) {
      const [s, h, c] = await inFileOrder.evaluator.evaluate(definitions, { division }, year);
      expect({ skilled_workers: s?.value, high_skilled_workers: h?.value }, division).toEqual(demo.townships[division]);
      skilled += s?.value ?? 0;
      high += h?.value ?? 0;
      collective += c?.value ?? 0;
      if ((s?.value ?? 0) > 0) nonZero.push(division);
      expect(h?.value ?? 0, division).toBeLessThan(s?.value ?? 0);
    }
    expect({ skilled, high, collective }).toEqual({ skilled: 114_300, high: 34_600, collective: 135 });
    expect(nonZero.length).toBeGreaterThanOrEqual(20);
  });
});
