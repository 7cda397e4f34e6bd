/**
 * The checked-in demo data set (events/demo): what `npm start` loads is what
 * the generator builds, and every event is one the contract accepts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { validateEvent } from '../../packages/contract/index.ts';
import { demoDirectory, loadDemoEvents } from '../../packages/local-stack/demo-data.ts';
import type { DemoEvent } from '../../events/demo/generate.ts';
import { buildDemo, demoFileNames, renderDemoFiles } from '../../events/demo/generate.ts';

const demo = buildDemo();
const tree = new DivisionTree(defaultDeploymentConfig.root);
/** The clock the data set must be valid against: "today" in Zhong County. */
const now = new Date('2026-11-24T12:00:00+08:00');

const ofType = (type: string): DemoEvent[] => demo.events.filter((e) => e.type === type);
const data = (event: DemoEvent): Record<string, unknown> => event.data as unknown as Record<string, unknown>;

describe('the checked-in demo files', () => {
  it('are exactly what the generator builds (run `npm run demo:generate` after changing it)', async () => {
    const rendered = renderDemoFiles(demo);
    for (const name of demoFileNames) {
      expect(await readFile(join(demoDirectory, name), 'utf8'), name).toBe(rendered[name]);
    }
  });

  it('are all that npm start loads, registrations first', async () => {
    const loaded = await loadDemoEvents();
    expect(loaded.files).toEqual([...demoFileNames]);
    expect(loaded.events).toHaveLength(demo.events.length);
    const registrations = ofType('organization.registered.v1').length;
    expect(registrations).toBe(547);
    expect(loaded.events.slice(0, registrations).every((e) => (e as DemoEvent).type === 'organization.registered.v1')).toBe(true);
    // About 100 events a second through the local pipeline: keep the load near a minute.
    expect(demo.events.length).toBeLessThanOrEqual(6_000);
  });

  it('is deterministic', () => {
    expect(renderDemoFiles(buildDemo())).toEqual(renderDemoFiles(demo));
  });
});

describe('every demo event', () => {
  it('passes contract validation with the default deployment', () => {
    const failures = demo.events
      .map((event) => ({ event, result: validateEvent(event, { now, sources: defaultDeploymentConfig.sources, isDivision: (c) => tree.has(c) }) }))
      .filter(({ result }) => !result.ok)
      .map(({ event, result }) => `${event.source}/${event.id}: ${result.ok ? '' : `${result.reason} ${result.detail}`}`);
    expect(failures).toEqual([]);
  });

  it('has an id unique within its source', () => {
    const keys = demo.events.map((e) => `${e.source}|${e.id}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is dated before today, and in 2026 unless it records a registry, a party organisation or a lasting programme', () => {
    const mayPredate = new Set([
      'organization.registered.v1',
      'party.organization.established.v1',
      'studio.established.v1',
      'talent.title.awarded.v1',
      'training.base.established.v1',
    ]);
    for (const event of demo.events) {
      expect(event.time, event.id).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\+08:00$/);
      expect(Date.parse(event.time), event.id).toBeLessThan(now.getTime());
      expect(event.time >= '2015' && (mayPredate.has(event.type) || event.time.startsWith('2026')), `${event.type} ${event.id} ${event.time}`).toBe(true);
    }
  });
});

describe('the registry', () => {
  const registrations = ofType('organization.registered.v1').map(data);

  it('registers no organisation twice, and no name twice', () => {
    const codes = registrations.map((d) => d['orgCode']);
    expect(new Set(codes).size).toBe(codes.length);
    const names = registrations.map((d) => d['name']);
    expect(new Set(names).size).toBe(names.length);
  });

  it('spreads organisations over all 29 streets and townships, the four streets largest', () => {
    const perDivision = new Map<string, number>();
    for (const d of registrations) perDivision.set(d['division'] as string, (perDivision.get(d['division'] as string) ?? 0) + 1);
    const townships = tree.children(tree.rootCode);
    expect(townships).toHaveLength(29);
    expect(townships.every((code) => (perDivision.get(code) ?? 0) > 0)).toBe(true);
    const streets = townships.filter((code) => /^50023300[1-4]000$/.test(code));
    expect(streets).toHaveLength(4);
    const smallestStreet = Math.min(...streets.map((code) => perDivision.get(code) ?? 0));
    const largestOther = Math.max(...townships.filter((c) => !streets.includes(c)).map((code) => perDivision.get(code) ?? 0));
    expect(smallestStreet).toBeGreaterThan(largestOther);
  });

  it('names only registered organisations in every other event', () => {
    const registered = new Set(registrations.map((d) => d['orgCode']));
    for (const event of demo.events) {
      const d = data(event);
      const named = [d['orgCode'], ...((d['orgCodes'] as unknown[] | undefined) ?? [])].filter((c) => c !== undefined);
      for (const code of named) expect(registered.has(code), `${event.source}/${event.id}`).toBe(true);
    }
  });

  it('records opening balances per township only, never for the county', () => {
    const baselines = ofType('baseline.recorded.v1').map(data);
    expect(baselines).toHaveLength(58);
    expect(baselines.every((d) => tree.isTownship(d['division'] as string) && d['asOf'] === '2025-12-31')).toBe(true);
  });
});
