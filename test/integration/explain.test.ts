/**
 * "Explainable" (INDICATORS.md): for every indicator, for the county, two
 * townships and one organisation, over a day, a month, a quarter, a year and
 * all time, each part's baseline plus the effects `GET …/events` lists,
 * page by page, equals the figure `GET /v1/indicators/{id}` answers — exactly.
 * First on the demo data as `npm start` loads it, then again after a
 * shuffled mixed workload (late reports of earlier dates, revocations before
 * certificates, contracts across townships, baselines replaced) has been
 * sent on top in random order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../packages/auth/local-tokens.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { loadDemoEvents, sendEvents, waitUntilDrained, sendRegistrationsFirst } from '../../packages/local-stack/demo-data.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';
import { buildDemo, demoCounty } from '../../events/demo/generate.ts';
import { zhongCounty } from '../../packages/config/zhong-county.ts';
import { defaultDeploymentConfig, deploymentConfigVariable } from '../../packages/config/deployment.ts';
import { buildMixedWorkload } from '../support/mixed-workload.ts';
import { randomSequence, shuffle } from '../support/workload.ts';

let stack: LocalStack;
let token: string;

beforeAll(async () => {
  // ERROR: the shuffled workload sends events before their organisations' registrations, each a (warned) redelivery.
  process.env['POWERTOOLS_LOG_LEVEL'] = 'ERROR';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  // The shuffled workload names organisations before their registrations: those events come back after the visibility timeout.
  stack = await startLocalStack({ apiPort: 0, quiet: true, visibilityTimeoutSeconds: 10 });
  token = await signLocalToken({ role: 'admin', division: demoCounty }, stack.jwtKey, { ttlSeconds: 3600 });
  await sendRegistrationsFirst(stack.sqs, stack.queueUrl, (await loadDemoEvents()).events);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

async function getJson(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as Record<string, unknown>;
  expect(response.status, `${path}: ${JSON.stringify(body).slice(0, 300)}`).toBe(200);
  return body;
}

interface Part {
  part: string;
  value: number;
  baseline: { value: number } | null;
  change: number;
  events: number;
}

/** Money in yuan with at most two decimals, summed exactly in fen. */
const fen = (yuan: number): bigint => BigInt(Math.round(yuan * 100));

/** Checks one figure; returns how many events its parts list. */
async function checkFigure(id: string, scope: string, period: string): Promise<number> {
  const query = `${scope}&period=${period}`;
  const figure = await getJson(`/v1/indicators/${id}?${query}`);
  const explained = await getJson(`/v1/indicators/${id}/explain?${query}`);
  expect(explained['value'], `${id} ${query}`).toEqual(figure['value']);
  let listed = 0;
  for (const part of explained['parts'] as Part[]) {
    const where = `${id} ${query} ${part.part}`;
    const shown = part.part === 'value' ? figure['value'] : figure[part.part];
    expect(part.value, where).toEqual(shown);
    let sum = 0n;
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await getJson(`/v1/indicators/${id}/events?${query}&part=${part.part}${cursor === undefined ? '' : `&cursor=${cursor}`}`);
      for (const event of page['events'] as { effect: number; source: string; id: string }[]) {
        expect(event.effect, where).not.toBe(0);
        expect(JSON.stringify(event)).not.toMatch(/\d{17}[\dXx]/);
        sum += fen(event.effect);
        count += 1;
      }
      cursor = page['next'] as string | undefined;
    } while (cursor !== undefined);
    expect(fen(part.baseline?.value ?? 0) + sum, where).toBe(fen(part.value));
    expect(sum, where).toBe(fen(part.change));
    expect(count, where).toBe(part.events);
    listed += count;
  }
  return listed;
}

const periods = ['2026-08-15', '2026-07', '2026-Q3', '2026', 'all'];
const [townshipA, townshipB] = zhongCounty.children ?? [];

/** The organisation named by most demo events: the busiest single scope. */
function busiestOrg(events: readonly { data?: unknown }[]): string {
  const counts = new Map<string, number>();
  for (const event of events) {
    const code = (event.data as { orgCode?: unknown } | undefined)?.orgCode;
    if (typeof code === 'string') counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

/** Checks every (indicator, scope, period), a few at a time; returns how many events were listed in all. */
async function checkEverything(scopes: readonly string[]): Promise<number> {
  const figures = indicatorCatalog.flatMap((d) => scopes.flatMap((scope) => periods.map((period) => [d.id, scope, period] as const)));
  let listed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < figures.length; i = next++) listed += await checkFigure(...(figures[i] as readonly [string, string, string]));
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return listed;
}

describe('every figure is its baseline plus the effects of the events listed for it', () => {
  it('on the demo data: every indicator, the county, two townships and one organisation, day to all time', async () => {
    const scopes = [`division=${demoCounty}`, `division=${townshipA?.code}`, `division=${townshipB?.code}`, `orgCode=${busiestOrg(buildDemo().events)}`];
    expect(await checkEverything(scopes)).toBeGreaterThan(1000);
  }, 600_000);

  it('after a shuffled mixed workload on top, with late reports, revocations first and contracts across townships', async () => {
    const workload = shuffle(buildMixedWorkload(7), randomSequence(11));
    await sendEvents(stack.sqs, stack.queueUrl, workload);
    await waitUntilDrained(stack.sqs, stack.queueUrl);
    // The workload's townships and one of its organisations (registered first thing, named by many events).
    const scopes = [`division=${demoCounty}`, 'division=500233001000', 'division=500233101000', `orgCode=${busiestOrg(workload as { data?: unknown }[])}`];
    expect(await checkEverything(scopes)).toBeGreaterThan(1000);
  }, 600_000);

  it('after a rebuild that moved figures (the reward policy doubled): its correction entries are listed beside the events, and a publication\'s revisions name them', async () => {
    const post = async (path: string, body?: unknown): Promise<Record<string, unknown>> => {
      const response = await fetch(`${stack.apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const answer = (await response.json()) as Record<string, unknown>;
      expect(response.status, `${path}: ${JSON.stringify(answer).slice(0, 300)}`).toBeLessThan(300);
      return answer;
    };
    const rewards = `/v1/indicators/dual_upgrade_rewards_yuan?division=${demoCounty}&period=2026`;
    const before = (await getJson(rewards))['value'] as number;
    // Ops double every reward in the deployment configuration: the maintenance function (loaded by this test's first admin call) prices every certificate anew in a rebuild.
    process.env[deploymentConfigVariable] = JSON.stringify({
      ...defaultDeploymentConfig,
      rewards: { skill: { level3: 4000, level2: 8000, level1: 12000 }, degree: { associate: 4000, bachelor: 8000, master: 12000, doctor: 12000 } },
    });
    try {
      // Publishing freezes the counters as they are: the policy is not read.
      const published = (await post('/v1/admin/publications', { period: '2026', title: 'before the rebuild' })) as { id: string };
      const { rebuilt } = (await post('/v1/admin/rebuild')) as { rebuilt: { corrections: number; correctionId?: string } };
      expect(rebuilt.corrections).toBeGreaterThan(0);
      expect(rebuilt.correctionId).toMatch(/^rebuild-/);
      expect((await getJson(rewards))['value']).toBe(before * 2);
      const listed = await getJson(`/v1/indicators/dual_upgrade_rewards_yuan/events?division=${demoCounty}&period=2026&part=value`);
      expect((listed['events'] as { source: string; id: string; type: string }[]).filter((e) => e.source === 'reform-indicators')).toContainEqual(
        expect.objectContaining({ id: rebuilt.correctionId, type: 'rebuild.correction' }),
      );
      const scopes = [`division=${demoCounty}`, `division=${townshipA?.code}`, `orgCode=${busiestOrg(buildDemo().events)}`];
      expect(await checkEverything(scopes)).toBeGreaterThan(1000);
      const revisions = (await getJson(`/v1/publications/${published.id}/revisions`))['revisions'] as {
        indicator: string;
        division: string;
        difference: number;
        unexplained?: number;
        events: { source: string; effect: number }[];
      }[];
      const revised = revisions.find((r) => r.indicator === 'dual_upgrade_rewards_yuan' && r.division === demoCounty);
      expect(revised?.difference).toBe(before);
      expect(revised?.unexplained).toBeUndefined();
      expect(revised?.events.every((e) => e.source === 'reform-indicators')).toBe(true);
      expect(revisions.every((r) => r.unexplained === undefined)).toBe(true);
    } finally {
      delete process.env[deploymentConfigVariable];
    }
  }, 600_000);
});
