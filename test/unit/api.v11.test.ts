/**
 * API v1.1 (issue #8): who may write events, claim names, recorded edge
 * rejections, paged analytics, the OpenAPI document from the route table,
 * and the local token verifier.
 */
import { describe, expect, it } from 'vitest';
import type { ApiDependencies } from '../../packages/api/dependencies.ts';
import type { HttpRequest } from '../../packages/api/http.ts';
import { maxPageBytes } from '../../packages/api/analytics.ts';
import { buildOpenApi } from '../../packages/api/openapi.ts';
import { createApi } from '../../packages/api/router.ts';
import type { RouteDefinition } from '../../packages/api/route.ts';
import { examplePublicationId, routeTable } from '../../packages/api/routes.ts';
import type { PublicationSummary } from '../../packages/publications/edition.ts';
import { InMemoryPublicationStore, InMemoryTargetStore, sampleEdition } from '../support/in-memory-publications.ts';
import { generateLocalSigningKeys, localTokenVerifier, maxTokenLifetimeSeconds, signLocalToken } from '../../packages/auth/local-tokens.ts';
import { defaultClaimNames, DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { zhongCounty } from '../../packages/config/zhong-county.ts';
import { validateEvent } from '../../packages/contract/index.ts';
import { sampleEvent, sampleNow, usccFor } from '../../packages/contract/fixtures.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import type { IndicatorValue } from '../../packages/indicators/evaluator.ts';
import type { RejectedRecord } from '../../packages/storage/ledger-records.ts';
import type { EventOutcome } from '../../packages/storage/ledger-reader.ts';
import { Pseudonymiser } from '../../packages/processing/pseudonymise.ts';
import { emptyExplainer, recordedRejections } from '../support/api-harness.ts';

const county = '500233000000';
const zhongzhou = '500233001000';
const renjia = '500233101000';
const orgInZhongzhou = usccFor(1);

interface Harness {
  readonly send: (request: Partial<HttpRequest> & { path: string }) => Promise<{ status: number; body: Record<string, unknown>; text: string; headers: Record<string, string> }>;
  readonly recorded: RejectedRecord[];
  readonly queued: string[];
}

/** The API over fakes; the ledger answers from what the API recorded, as the Ledger table would. */
function harness(overrides: Partial<ApiDependencies> = {}): Harness {
  const recorded: RejectedRecord[] = [];
  const queued: string[] = [];
  const outcomeOf = (source: string, id: string): Promise<EventOutcome | undefined> => {
    const record = recorded.filter((r) => r.source === source && r.id === id).at(-1);
    return Promise.resolve(record === undefined ? undefined : { ...record, outcome: 'rejected' as const, divisions: [] });
  };
  const deps: ApiDependencies = {
    catalog: indicatorCatalog,
    indicators: {
      evaluateAll: (definitions, cells) =>
        Promise.resolve(cells.map(() => definitions.map((d): IndicatorValue => ({ indicator: d.id, value: -12345678901.23, numerator: 9007199254740991, denominator: 9007199254740991 })))),
    },
    explainer: emptyExplainer(new DivisionTree(zhongCounty)),
    ledger: { outcomeOf },
    rejections: recordedRejections(recorded),
    organisations: { organisation: (code) => Promise.resolve(code === orgInZhongzhou ? { orgCode: code, division: zhongzhou, kind: 'enterprise', status: 'registered' } : undefined) },
    queue: {
      send: (bodies) => {
        queued.push(...bodies);
        return Promise.resolve(new Set<number>());
      },
    },
    pseudonymiser: new Pseudonymiser('api-v11-test-pseudonym-key-0123456789'),
    recordRejection: (record) => {
      recorded.push(record);
      return Promise.resolve();
    },
    divisions: new DivisionTree(zhongCounty),
    sources: defaultDeploymentConfig.sources,
    claimNames: defaultClaimNames,
    validateEvent,
    maintenance: { run: () => Promise.reject(new Error('not in these tests')) },
    now: sampleNow,
    ...overrides,
  };
  const api = createApi(deps);
  return {
    recorded,
    queued,
    send: async (request) => {
      const response = await api({ method: 'GET', query: {}, headers: {}, requestId: 'req-1', ...request });
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(response.body) as Record<string, unknown>;
      } catch {
        body = {};
      }
      return { status: response.statusCode, body, text: response.body, headers: { ...response.headers } };
    },
  };
}

const post = (claims: Record<string, unknown>, events: unknown) => ({ method: 'POST', path: '/v1/events', claims, body: JSON.stringify(events) });

describe('POST /v1/events: who may write', () => {
  const event = sampleEvent('contract.signed.v1');

  it.each([
    ['a township admin', { role: 'admin', division: renjia }],
    ['a township viewer', { role: 'viewer', division: zhongzhou }],
    ['a county viewer', { role: 'viewer', division: county }],
  ])('refuses %s with 403 and queues nothing', async (_who, claims) => {
    const { send, queued } = harness();
    const response = await send(post(claims, [event]));
    expect(response.status).toBe(403);
    expect(response.body['type']).toBe('urn:reform-indicators:problem:forbidden');
    expect(queued).toHaveLength(0);
  });

  it('lets an admin of the root division post as any source', async () => {
    const { send, queued } = harness();
    const response = await send(post({ role: 'admin', division: county }, [event]));
    expect(response.status).toBe(202);
    expect(response.body['results']).toEqual([{ index: 0, source: event.source, id: event.id, status: 'queued' }]);
    expect(queued).toHaveLength(1);
  });

  it('rejects, per event and recorded, a producer’s event for another source', async () => {
    const { send, queued, recorded } = harness();
    const own = sampleEvent('contract.signed.v1', { id: 'own-1' });
    const foreign = sampleEvent('organization.registered.v1', { id: 'foreign-1' });
    const response = await send(post({ role: 'producer', source: own.source }, [own, foreign]));
    expect(response.status).toBe(202);
    expect(response.body['results']).toEqual([
      { index: 0, source: own.source, id: 'own-1', status: 'queued' },
      { index: 1, source: foreign.source, id: 'foreign-1', status: 'rejected', reason: 'forbidden_type', detail: 'source: this token may send events only as its own producer source' },
    ]);
    expect(queued.map((b) => JSON.parse(b).id)).toEqual(['own-1']);
    expect(recorded).toEqual([expect.objectContaining({ source: foreign.source, id: 'foreign-1', reason: 'forbidden_type', contentHash: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) })]);
  });

  it('reads the division from the configured claim, never from `scope` (which holds OAuth scopes)', async () => {
    const claimNames = { role: 'https://reform.example/role', division: 'https://reform.example/division', source: 'client_id' };
    const { send } = harness({ claimNames });
    const token = { scope: 'openid profile', 'https://reform.example/role': 'viewer', 'https://reform.example/division': zhongzhou };
    const response = await send({ path: '/v1/indicators/skilled_workers', claims: token, query: { period: '2026' } });
    expect(response.status).toBe(200);
    expect(response.body['division']).toBe(zhongzhou);
    const scopeOnly = await send({ path: '/v1/indicators', claims: { role: 'viewer', scope: county } });
    expect(scopeOnly.status).toBe(401);
  });
});

describe('edge rejections are recorded and answered', () => {
  it('records every event the edge rejects, so GET /v1/events/{source}/{id} answers for it', async () => {
    const { send, recorded } = harness();
    const rootOrg = sampleEvent('organization.registered.v1', { id: 'org-at-root' });
    (rootOrg.data as Record<string, unknown>)['division'] = county;
    const invalid = { ...sampleEvent('dispute.filed.v1', { id: 'bad-dispute' }), data: {} };
    const response = await send(post({ role: 'admin', division: county }, [rootOrg, invalid]));
    expect((response.body['results'] as { status: string; reason: string }[]).map((r) => [r.status, r.reason])).toEqual([
      ['rejected', 'invalid_data'],
      ['rejected', 'invalid_data'],
    ]);
    expect(recorded).toHaveLength(2);
    for (const [source, id] of [[rootOrg.source, 'org-at-root'], [invalid.source, 'bad-dispute']] as const) {
      const outcome = await send({ path: `/v1/events/${source}/${id}`, claims: { role: 'admin', division: county } });
      expect(outcome.status).toBe(200);
      expect(outcome.body).toMatchObject({ source, id, outcome: 'rejected', reason: 'invalid_data' });
    }
  });
});

describe('GET /v1/analytics pages', () => {
  const indicators = indicatorCatalog.map((d) => d.id).slice(0, 50);
  const periods = Array.from({ length: 60 }, (_, i) => `${2022 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);

  it('keeps every page of the largest request under 5 MB, and the pages hold every row once', async () => {
    const { send } = harness();
    const claims = { role: 'viewer', division: county };
    const query = { indicators: indicators.join(','), periods: periods.join(','), division: county, breakdown: 'children' };
    let cursor: string | undefined;
    let rows = 0;
    let largest = 0;
    let pages = 0;
    do {
      const response = await send({ path: '/v1/analytics', claims, query: cursor === undefined ? query : { ...query, cursor } });
      expect(response.status).toBe(200);
      largest = Math.max(largest, Buffer.byteLength(response.text));
      rows += (response.body['rows'] as unknown[]).length;
      cursor = response.body['next'] as string | undefined;
      pages++;
    } while (cursor !== undefined);
    expect(rows).toBe(indicators.length * periods.length * zhongCounty.children!.length);
    expect(pages).toBeGreaterThan(1);
    expect(largest).toBeLessThan(maxPageBytes);
  });

  it('gives, page by page, the same rows as one unpaged answer', async () => {
    const query = { indicators: 'skilled_workers,party_posts', periods: '2026-01,2026-02,2026', division: county, breakdown: 'children' };
    const claims = { role: 'viewer', division: county };
    const whole = await harness().send({ path: '/v1/analytics', claims, query });
    expect(whole.body['next']).toBeUndefined();
    const paged = harness({ maxRowsPerPage: 12 });
    const rows: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await paged.send({ path: '/v1/analytics', claims, query: cursor === undefined ? query : { ...query, cursor } });
      rows.push(...(page.body['rows'] as unknown[]));
      cursor = page.body['next'] as string | undefined;
    } while (cursor !== undefined);
    const key = (row: unknown) => JSON.stringify(row);
    expect(rows.map(key).sort()).toEqual((whole.body['rows'] as unknown[]).map(key).sort());
  });

  it('refuses a cursor that belongs to another request', async () => {
    const paged = harness({ maxRowsPerPage: 12 });
    const claims = { role: 'viewer', division: county };
    const query = { indicators: 'skilled_workers,party_posts', periods: '2026-01,2026-02,2026', division: county, breakdown: 'children' };
    const first = await paged.send({ path: '/v1/analytics', claims, query });
    const other = await paged.send({ path: '/v1/analytics', claims, query: { ...query, periods: '2026', cursor: first.body['next'] as string } });
    expect(other.status).toBe(400);
    expect(other.body['type']).toBe('urn:reform-indicators:problem:invalid-cursor');
  });
});

describe('the OpenAPI document comes from the route table', () => {
  const document = buildOpenApi() as { paths: Record<string, Record<string, { operationId: string; parameters?: { name: string; in: string; example?: string }[]; responses: Record<string, unknown> }>> };

  it('lists exactly the routes of the table, and GET /v1/openapi.json serves it without a token', async () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`));
    expect(operations.sort()).toEqual((routeTable as readonly RouteDefinition[]).map((r) => `${r.method} ${r.path} ${r.operationId}`).sort());
    const served = await harness().send({ path: '/v1/openapi.json' });
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('drives every documented route and gets its documented success status and response shape', async () => {
    const byOperation = new Map((routeTable as readonly RouteDefinition[]).map((r) => [r.operationId, r]));
    const edition = sampleEdition(examplePublicationId, '2026-Q3');
    const publications = new InMemoryPublicationStore();
    await publications.put(edition);
    const summaryOf = ({ id, period, title, publishedAt, figures, digest }: PublicationSummary) => ({ id, period, title, publishedAt, figures, digest });
    const bodies: Record<string, string> = {
      submitEvents: JSON.stringify([sampleEvent('contract.signed.v1')]),
      publish: JSON.stringify({ period: '2026-Q3', title: '2026年第三季度产改指标' }),
      setTarget: JSON.stringify({ value: 120 }),
    };
    const admin = { role: 'admin', division: county };
    const deps: Partial<ApiDependencies> = {
      maintenance: {
        run: ((action: string) =>
          Promise.resolve(
            action === 'rebuild'
              ? { action, rebuilt: { counters: 1, baselines: 0, state: 1, events: 1, deletedCounters: 0, deletedState: 0, corrections: 0 }, skippedEvents: [] }
              : action === 'publish'
                ? { action, publication: summaryOf(edition.record) }
                : { action, differences: [], differenceCount: 0, truncated: false, checkedItems: 1, events: 1, skippedEvents: [] },
          )) as ApiDependencies['maintenance']['run'],
      },
      publications,
      targets: new InMemoryTargetStore(),
      ledger: { outcomeOf: (source, id) => Promise.resolve({ source, id, type: 'contract.signed.v1', outcome: 'accepted', receivedAt: 'x', processedAt: 'y', divisions: [county] }) },
    };
    const { send } = harness(deps);
    for (const [template, methods] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const route = byOperation.get(op.operationId) as RouteDefinition;
        let path = template;
        const query: Record<string, string> = {};
        for (const parameter of op.parameters ?? []) {
          if (parameter.in === 'path') path = path.replace(`{${parameter.name}}`, encodeURIComponent(parameter.example ?? ''));
          else if (parameter.example !== undefined) query[parameter.name] = parameter.example;
        }
        const body = bodies[op.operationId];
        const response = await send({ method: method.toUpperCase(), path, query, claims: admin, ...(body === undefined ? {} : { body }) });
        const documented = Object.keys(op.responses).find((status) => status.startsWith('2'));
        expect(`${op.operationId} ${response.status}`).toBe(`${op.operationId} ${documented}`);
        expect(route.response.safeParse(response.body).success).toBe(true);
      }
    }
  });
});

describe('the local token verifier', () => {
  const now = new Date('2026-11-24T04:00:00Z');
  const claims = { role: 'viewer', division: county };

  it('accepts a fresh token and refuses expired, future-issued, too long-lived and wrong-key tokens', async () => {
    const keys = await generateLocalSigningKeys();
    const verify = localTokenVerifier(keys.publicJwks);
    await expect(verify(await signLocalToken(claims, keys.privateJwk, { now }), now)).resolves.toMatchObject(claims);

    const expired = await signLocalToken(claims, keys.privateJwk, { now: new Date(now.getTime() - 2 * 3600_000), ttlSeconds: 3600 });
    await expect(verify(expired, now)).rejects.toThrow('expired');

    const future = await signLocalToken(claims, keys.privateJwk, { now: new Date(now.getTime() + 3600_000) });
    await expect(verify(future, now)).rejects.toThrow(/future|not valid yet/);

    await expect(signLocalToken(claims, keys.privateJwk, { now, ttlSeconds: maxTokenLifetimeSeconds + 1 })).rejects.toThrow('12 h');
    const { SignJWT, importJWK } = await import('jose');
    const iat = Math.floor(now.getTime() / 1000);
    const longLived = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: keys.privateJwk.kid as string })
      .setIssuer('reform-indicators-local')
      .setAudience('reform-indicators-api')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 30 * 24 * 3600)
      .sign(await importJWK(keys.privateJwk, 'RS256'));
    await expect(verify(longLived, now)).rejects.toThrow('longer than the local maximum');

    const other = await generateLocalSigningKeys();
    const wrongKey = await signLocalToken(claims, { ...other.privateJwk, kid: keys.privateJwk.kid as string }, { now });
    await expect(verify(wrongKey, now)).rejects.toThrow('signature is invalid');
  });
});
