/**
 * Publications and targets end to end on the local stack: the real
 * processor, the real API over HTTP, DynamoDB Local. A period is published
 * while events are in, a late event for that period arrives afterwards and
 * is accepted; the edition's figures and its CSV (whose SHA-256 is the
 * digest) do not move while the live figures do. Targets round-trip and
 * give progress; who may do what is checked at every step.
 */
import { createHash } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../packages/auth/local-tokens.ts';
import { allSampleEvents, sampleEvent } from '../../packages/contract/fixtures.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { zhongCounty } from '../../packages/config/zhong-county.ts';
import { publicationsTable } from '../../packages/config/resources.ts';
import { sendEvents, waitUntilDrained } from '../../packages/local-stack/demo-data.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';
import { PublicationExistsError } from '../../packages/publications/errors.ts';
import { DynamoEditionWriter } from '../../packages/publications/edition-writer.ts';
import { DynamoPublicationStore } from '../../packages/publications/publication-store.ts';
import { sampleEdition } from '../support/in-memory-publications.ts';

const county = '500233000000';
const zhongzhou = '500233001000';
const baigong = '500233002000';
const divisionCount = 1 + (zhongCounty.children?.length ?? 0);

let stack: LocalStack;
const tokens: Record<string, string> = {};

const call = (path: string, role: keyof typeof tokens, init: { method?: string; body?: unknown; accept?: string } = {}): Promise<Response> =>
  fetch(`${stack.apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${tokens[role]}`,
      ...(init.accept === undefined ? {} : { accept: init.accept }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

const json = async (response: Response): Promise<Record<string, unknown>> => (await response.json()) as Record<string, unknown>;

async function deliver(events: readonly unknown[]): Promise<void> {
  await sendEvents(stack.sqs, stack.queueUrl, events);
  await waitUntilDrained(stack.sqs, stack.queueUrl, { intervalMs: 200 });
}

/** A contract signed on 2026-03-09: the late event, for a period already published. */
const lateContract = sampleEvent('contract.signed.v1', { id: 'late-contract-0001', time: '2026-03-09T10:00:00+08:00', data: { contractNo: 'ZX-SC-2026-LATE', signedOn: '2026-03-09' } });

let publication: Record<string, unknown>;

beforeAll(async () => {
  process.env['POWERTOOLS_LOG_LEVEL'] = 'WARN';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  stack = await startLocalStack({ apiPort: 0, quiet: true, visibilityTimeoutSeconds: 10 });
  const sign = (role: string, division: string) => signLocalToken({ role, division }, stack.jwtKey, { ttlSeconds: 900 });
  tokens['countyAdmin'] = await sign('admin', county);
  tokens['countyViewer'] = await sign('viewer', county);
  tokens['zhongzhouAdmin'] = await sign('admin', zhongzhou);
  tokens['zhongzhouViewer'] = await sign('viewer', zhongzhou);
  const samples = allSampleEvents();
  await deliver(samples.filter((e) => e.type === 'organization.registered.v1'));
  await deliver(samples.filter((e) => e.type !== 'organization.registered.v1'));
});

afterAll(async () => {
  await stack?.stop();
});

describe('publishing a period', () => {
  it('is refused to a viewer and to an admin below the root', async () => {
    const body = { period: '2026', title: '2026年产改指标' };
    expect((await call('/v1/admin/publications', 'countyViewer', { method: 'POST', body })).status).toBe(403);
    expect((await call('/v1/admin/publications', 'zhongzhouAdmin', { method: 'POST', body })).status).toBe(403);
  });

  it('refuses a bad body without publishing anything', async () => {
    for (const body of [{ period: 'all', title: 'x' }, { period: '2026-13', title: 'x' }, { period: '2026', title: '' }, { period: '2026', title: 'x', extra: 1 }]) {
      const response = await call('/v1/admin/publications', 'countyAdmin', { method: 'POST', body });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect((await json(await call('/v1/publications', 'countyViewer')))['publications']).toEqual([]);
  });

  it('freezes every indicator for every division and the root: 201 with the figure count and digest', async () => {
    const response = await call('/v1/admin/publications', 'countyAdmin', { method: 'POST', body: { period: '2026', title: '2026年产改指标' } });
    expect(response.status).toBe(201);
    publication = await json(response);
    expect(publication).toMatchObject({ period: '2026', title: '2026年产改指标', figures: indicatorCatalog.length * divisionCount });
    expect(String(publication['digest'])).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(String(publication['publishedAt']))).toBeGreaterThan(Date.now() - 60_000);
    expect(await json(await call(`/v1/publications/${String(publication['id'])}`, 'zhongzhouViewer'))).toEqual(publication);
    expect((await json(await call('/v1/publications', 'countyViewer')))['publications']).toEqual([publication]);
  });

  it('serves the canonical CSV to the root byte for byte: its SHA-256 is the digest', async () => {
    const response = await call(`/v1/publications/${String(publication['id'])}/figures`, 'countyViewer', { accept: 'text/csv' });
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(publication['digest']);
    const lines = bytes.toString('utf8').split('\r\n').filter((l) => l !== '');
    expect(lines[0]).toBe('\uFEFFindicator,division,period,value,numerator,denominator');
    expect(lines).toHaveLength(1 + indicatorCatalog.length * divisionCount);
    expect(lines[1]).toMatch(new RegExp(`^${indicatorCatalog[0]?.id},${county},2026,`));
  });

  it('gives a township only its own rows (an extract: the digest does not apply)', async () => {
    const page = await json(await call(`/v1/publications/${String(publication['id'])}/figures`, 'zhongzhouViewer'));
    const figures = page['figures'] as { division: string }[];
    expect(figures).toHaveLength(indicatorCatalog.length);
    expect(new Set(figures.map((f) => f.division))).toEqual(new Set([zhongzhou]));
    const all = await json(await call(`/v1/publications/${String(publication['id'])}/figures`, 'countyViewer'));
    expect(all['figures']).toHaveLength(indicatorCatalog.length * divisionCount);
    expect(all['next']).toBeUndefined();
  });

  it('has no route that changes or deletes a publication', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      expect((await call(`/v1/publications/${String(publication['id'])}`, 'countyAdmin', { method, body: { title: 'changed' } })).status, method).toBe(405);
    }
  });

  it('refuses a second put under the same id, whoever writes it', async () => {
    const doc = DynamoDBDocumentClient.from(stack.ddb);
    const table = stack.env[publicationsTable.envVar] as string;
    await expect(new DynamoEditionWriter(doc, table).put(sampleEdition(String(publication['id']), '2026'))).rejects.toBeInstanceOf(PublicationExistsError);
    expect((await new DynamoPublicationStore(doc, table).publication(String(publication['id'])))?.digest).toBe(publication['digest']);
  });
});

describe('a late event for the published period', () => {
  const figure = (role: string, query: string) => call(`/v1/indicators/special_collective_contracts?${query}`, role);
  let published: Record<string, unknown>;
  let liveBefore: Record<string, unknown>;

  it('is accepted, never rejected for being late', async () => {
    published = await json(await figure('countyViewer', `division=${county}&period=2026&edition=${String(publication['id'])}`));
    liveBefore = await json(await figure('countyViewer', `division=${county}&period=2026`));
    expect(published['value']).toBe(liveBefore['value']);
    await deliver([lateContract]);
    const outcome = await json(await call(`/v1/events/${lateContract.source}/${lateContract.id}`, 'countyAdmin'));
    expect(outcome['outcome']).toBe('accepted');
    expect(Date.parse(String(outcome['processedAt']))).toBeGreaterThan(Date.parse(String(publication['publishedAt'])));
  });

  it('moves the live figure but not the edition’s, nor its CSV', async () => {
    const live = await json(await figure('countyViewer', `division=${county}&period=2026`));
    expect(live['value']).toBe(Number(liveBefore['value']) + 1);
    const frozen = await json(await figure('countyViewer', `division=${county}&period=2026&edition=${String(publication['id'])}`));
    expect(frozen).toEqual({ ...published, edition: publication['id'] });
    expect(frozen['value']).toBe(liveBefore['value']);
    const csv = Buffer.from(await (await call(`/v1/publications/${String(publication['id'])}/figures`, 'countyAdmin', { accept: 'text/csv' })).arrayBuffer());
    expect(createHash('sha256').update(csv).digest('hex')).toBe(publication['digest']);
  });

  it('answers edition= only for the edition’s period and for divisions', async () => {
    const id = String(publication['id']);
    expect((await figure('countyViewer', `division=${county}&period=2026-Q1&edition=${id}`)).status).toBe(400);
    expect((await figure('countyViewer', `orgCode=${lateContract.data.orgCodes[0]}&period=2026&edition=${id}`)).status).toBe(400);
    expect((await figure('countyViewer', `division=${county}&period=2026&edition=no-such-edition`)).status).toBe(404);
    // A township sees its own frozen figure, not the county's.
    expect((await figure('zhongzhouViewer', `division=${zhongzhou}&period=2026&edition=${id}`)).status).toBe(200);
    expect((await figure('zhongzhouViewer', `division=${county}&period=2026&edition=${id}`)).status).toBe(403);
  });
});

describe('targets', () => {
  const path = (indicator: string, division: string, period = '2026') => `/v1/targets/${indicator}?division=${division}&period=${period}`;

  it('round-trip: set, listed, carried by the year figure with progress, removed', async () => {
    const set = await call(path('special_collective_contracts', county), 'countyAdmin', { method: 'PUT', body: { value: 8 } });
    expect(set.status).toBe(200);
    expect(await json(set)).toEqual({ indicator: 'special_collective_contracts', division: county, period: '2026', value: 8 });
    expect((await json(await call(`/v1/targets?division=${county}`, 'countyViewer')))['targets']).toEqual([
      { indicator: 'special_collective_contracts', division: county, period: '2026', value: 8 },
    ]);

    const year = await json(await call(`/v1/indicators/special_collective_contracts?division=${county}&period=2026`, 'countyViewer'));
    const value = Number(year['value']);
    const expected = Math.round((value / 8) * 100 * 100) / 100;
    expect(year).toMatchObject({ target: 8, progress: expected });
    const quarter = await json(await call(`/v1/indicators/special_collective_contracts?division=${county}&period=2026-Q1`, 'countyViewer'));
    expect(quarter).not.toHaveProperty('target');

    const analytics = await json(await call(`/v1/analytics?indicators=special_collective_contracts,skilled_workers&periods=2026,2026-Q1&division=${county}`, 'countyViewer'));
    const rows = analytics['rows'] as Record<string, unknown>[];
    expect(rows.filter((r) => r['target'] !== undefined)).toEqual([{ indicator: 'special_collective_contracts', division: county, period: '2026', value, target: 8, progress: expected }]);
    const csv = await (await call(`/v1/analytics?indicators=special_collective_contracts&periods=2026&division=${county}`, 'countyViewer', { accept: 'text/csv' })).text();
    expect(csv).toContain(`indicator,division,division_name,period,value,numerator,denominator,target,progress\r\nspecial_collective_contracts,${county},忠县,2026,${value},,,8,${expected}\r\n`);

    expect((await call(path('special_collective_contracts', county), 'countyAdmin', { method: 'DELETE' })).status).toBe(200);
    expect((await json(await call(`/v1/targets?division=${county}`, 'countyViewer')))['targets']).toEqual([]);
    expect(await json(await call(`/v1/indicators/special_collective_contracts?division=${county}&period=2026`, 'countyViewer'))).not.toHaveProperty('target');
    expect((await call(path('special_collective_contracts', county), 'countyAdmin', { method: 'DELETE' })).status).toBe(404);
  });

  it('may not be set by a viewer', async () => {
    expect((await call(path('skilled_workers', county), 'countyViewer', { method: 'PUT', body: { value: 10 } })).status).toBe(403);
    expect((await call(path('skilled_workers', zhongzhou), 'zhongzhouViewer', { method: 'PUT', body: { value: 10 } })).status).toBe(403);
  });

  it('may be set by a township admin for its own subtree only', async () => {
    expect((await call(path('skilled_workers', zhongzhou), 'zhongzhouAdmin', { method: 'PUT', body: { value: 10 } })).status).toBe(200);
    expect((await call(path('skilled_workers', county), 'zhongzhouAdmin', { method: 'PUT', body: { value: 10 } })).status).toBe(403);
    expect((await call(path('skilled_workers', baigong), 'zhongzhouAdmin', { method: 'PUT', body: { value: 10 } })).status).toBe(403);
    expect((await call(path('skilled_workers', baigong), 'zhongzhouAdmin', { method: 'DELETE' })).status).toBe(403);
    expect((await json(await call(`/v1/targets?division=${zhongzhou}`, 'zhongzhouViewer')))['targets']).toEqual([
      { indicator: 'skilled_workers', division: zhongzhou, period: '2026', value: 10 },
    ]);
    expect((await call(`/v1/targets?division=${baigong}`, 'zhongzhouViewer')).status).toBe(403);
  });

  it('refuses a bad target', async () => {
    for (const body of [{ value: 0 }, { value: -1 }, { value: 1.234 }, { value: '5' }, {}, { value: 5, extra: true }]) {
      expect((await call(path('skilled_workers', county), 'countyAdmin', { method: 'PUT', body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await call(path('skilled_workers', county, '2026-Q1'), 'countyAdmin', { method: 'PUT', body: { value: 5 } })).status).toBe(400);
    expect((await call(path('no_such_indicator', county), 'countyAdmin', { method: 'PUT', body: { value: 5 } })).status).toBe(404);
  });
});
