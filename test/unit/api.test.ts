import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { EventQueue } from '../../packages/api/dependencies.ts';
import type { TestDependencies as ApiDependencies } from '../support/api-harness.ts';
import { createApiHandler } from '../support/api-harness.ts';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { zhongCounty } from '../../packages/config/zhong-county.ts';
import { validateEvent } from '../../packages/contract/index.ts';
import { sampleEvent, sampleNow, usccFor } from '../../packages/contract/fixtures.ts';
import { metrics } from '../../packages/domain/metrics.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { IndicatorEvaluator } from '../../packages/indicators/evaluator.ts';
import { InMemoryCounterSource } from '../../packages/indicators/in-memory-counter-source.ts';
import { keepLongNumbersExact } from '../../packages/cli/api-client.ts';
import { formatValue } from '../../packages/cli/figures.ts';
import type { EventOutcome, EventOutcomeReader } from '../../packages/storage/ledger-reader.ts';
import type { OrganisationReader, OrganisationRecord } from '../../packages/storage/org-reader.ts';

/** Counters recorded straight at the scope read: each division reads only its own partition. */
const ownOnly = (division: string): string[] => [division];

const county = '500233000000';
const zhongzhou = '500233001000';
const renjia = '500233101000';
const orgInZhongzhou = usccFor(1);
const orgInRenjia = usccFor(2);

const countyAdmin = { role: 'admin', division: county };
const countyViewer = { role: 'viewer', division: county };
const zhongzhouViewer = { role: 'viewer', division: zhongzhou };

class RecordingQueue implements EventQueue {
  readonly sent: string[] = [];
  constructor(private readonly refuse: (body: string) => boolean = () => false) {}
  send(bodies: readonly string[]): Promise<ReadonlySet<number>> {
    const refused = new Set<number>();
    bodies.forEach((body, index) => (this.refuse(body) ? refused.add(index) : this.sent.push(body)));
    return Promise.resolve(refused);
  }
}

function counters(): InMemoryCounterSource {
  const source = new InMemoryCounterSource();
  for (const partition of [`DIV#${county}`, `DIV#${zhongzhou}`, `ORG#${orgInZhongzhou}`]) {
    source
      .addNetChange(partition, '2026-03-02', metrics.skilled, 5)
      .addNetChange(partition, '2026-11-02', metrics.rewardFen, 123456)
      .addNetChange(partition, '2026-01-05', metrics.orgsNonPublic, 40000)
      .addNetChange(partition, '2026-02-05', metrics.partyOrgsNonPublic, 34890);
  }
  source.addNetChange(`DIV#${renjia}`, '2026-03-02', metrics.skilled, 2).addNetChange(`DIV#${county}`, '2026-03-02', metrics.skilled, 2);
  return source;
}

const accepted: EventOutcome = {
  source: 'hrss.zhongxian', id: 'cert/0001', type: 'certificate.submitted.v1', outcome: 'accepted',
  receivedAt: '2026-11-24T03:00:00.000Z', processedAt: '2026-11-24T03:00:01.000Z', divisions: [zhongzhou, county],
};
const rejected: EventOutcome = {
  source: 'union.zhongxian', id: 'bad-1', type: 'dispute.filed.v1', outcome: 'rejected', reason: 'invalid_data',
  receivedAt: '2026-11-24T03:00:00.000Z', processedAt: '2026-11-24T03:00:02.000Z', divisions: [],
};

function setUp(overrides: Partial<ApiDependencies> = {}) {
  const queue = new RecordingQueue();
  const errors: Record<string, unknown>[] = [];
  const outcomes = new Map([accepted, rejected].map((o) => [`${o.source}#${o.id}`, o]));
  const ledger: EventOutcomeReader = { outcomeOf: (source, id) => Promise.resolve(outcomes.get(`${source}#${id}`)) };
  const organisationList: OrganisationRecord[] = [
    { orgCode: orgInZhongzhou, division: zhongzhou, kind: 'enterprise', status: 'registered' },
    { orgCode: orgInRenjia, division: renjia, kind: 'enterprise', status: 'registered' },
  ];
  const organisations: OrganisationReader = {
    organisation: (code) => Promise.resolve(organisationList.find((o) => o.orgCode === code)),
  };
  const deps: ApiDependencies = {
    catalog: indicatorCatalog,
    indicators: new IndicatorEvaluator(counters(), ownOnly),
    ledger,
    organisations,
    queue,
    divisions: new DivisionTree(zhongCounty),
    sources: defaultDeploymentConfig.sources,
    validateEvent,
    maintenance: { run: () => Promise.reject(new Error('maintenance is not part of these tests')) },
    now: sampleNow,
    logger: { error: (_message, attributes) => errors.push(attributes) },
    ...overrides,
  };
  return { api: createApiHandler(deps), queue, errors };
}

interface Call {
  readonly method?: string;
  readonly claims?: Record<string, string> | undefined;
  readonly query?: Record<string, string>;
  readonly body?: string;
  readonly base64?: boolean;
}

function event(path: string, call: Call = {}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const method = call.method ?? 'GET';
  const query = call.query;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query === undefined ? '' : new URLSearchParams(query).toString(),
    headers: { host: 'api.example', 'content-type': 'application/json' },
    ...(query === undefined ? {} : { queryStringParameters: query }),
    requestContext: {
      accountId: '000000000000', apiId: 'test', domainName: 'api.example', domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'r-1', routeKey: '$default', stage: '$default', time: '24/Nov/2026:04:00:00 +0000', timeEpoch: 0,
      authorizer: {
        principalId: '', integrationLatency: 0,
        jwt: { claims: 'claims' in call ? (call.claims as Record<string, string>) : countyViewer, scopes: null },
      },
    },
    ...(call.body === undefined ? {} : { body: call.base64 ? Buffer.from(call.body).toString('base64') : call.body }),
    isBase64Encoded: call.base64 ?? false,
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

function parsed(result: APIGatewayProxyStructuredResultV2): { status: number; body: Record<string, unknown>; headers: Record<string, unknown> } {
  return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? 'null'), headers: result.headers ?? {} };
}

async function call(path: string, options: Call = {}, deps: Partial<ApiDependencies> = {}) {
  return parsed(await setUp(deps).api(event(path, options)));
}

async function expectProblem(path: string, options: Call, status: number, slug: string, deps: Partial<ApiDependencies> = {}) {
  const result = await call(path, options, deps);
  expect(result.status).toBe(status);
  expect(result.headers['content-type']).toBe('application/problem+json');
  expect(result.body).toMatchObject({ type: `urn:reform-indicators:problem:${slug}`, status });
  expect(Object.keys(result.body).sort()).toEqual(['detail', 'status', 'title', 'type']);
  return result.body;
}

describe('GET /v1/indicators', () => {
  it('lists the catalogue without its internal sources', async () => {
    const { status, body } = await call('/v1/indicators');
    expect(status).toBe(200);
    const list = body['indicators'] as Record<string, unknown>[];
    expect(list).toHaveLength(indicatorCatalog.length);
    expect(list.find((i) => i['id'] === 'dual_upgrade_rewards_yuan')).toEqual({
      id: 'dual_upgrade_rewards_yuan', pillar: 'skills', kind: 'flow', unit: 'yuan',
      name: { zh: '学历技能双提升奖励金额', en: 'Dual-upgrade rewards paid' },
      description: expect.any(String),
    });
  });

  it('refuses query parameters', async () => {
    await expectProblem('/v1/indicators', { query: { pillar: 'skills' } }, 400, 'unknown-parameter');
  });
});

describe('GET /v1/indicators/{id}', () => {
  it('computes a stock for a division, as of today while the period runs', async () => {
    const { status, body } = await call('/v1/indicators/skilled_workers', { query: { division: county, period: '2026' } });
    expect(status).toBe(200);
    expect(body).toEqual({ indicator: 'skilled_workers', division: county, period: '2026', value: 7, asOf: '2026-11-24' });
  });

  it('gives the period’s last day as asOf once the period is over', async () => {
    const { body } = await call('/v1/indicators/skilled_workers', { query: { division: county, period: '2026-Q1' } });
    expect(body).toMatchObject({ value: 7, asOf: '2026-03-31' });
  });

  it('returns money in yuan as a decimal number', async () => {
    const { body } = await call('/v1/indicators/dual_upgrade_rewards_yuan', { query: { division: county, period: '2026-11' } });
    expect(body).toMatchObject({ value: 1234.56, asOf: '2026-11-24' });
  });

  it('returns a ratio with its parts, and null over an empty denominator', async () => {
    const coverage = await call('/v1/indicators/party_org_coverage_non_public', { query: { division: county, period: '2026' } });
    expect(coverage.body).toEqual({
      indicator: 'party_org_coverage_non_public', division: county, period: '2026', value: 87.23, numerator: 34890, denominator: 40000, asOf: '2026-11-24',
    });
    const empty = await call('/v1/indicators/party_org_coverage_social', { query: { division: county, period: '2026' } });
    expect(empty.body).toMatchObject({ value: null, numerator: 0, denominator: 0 });
  });

  it('defaults the division to the caller’s scope', async () => {
    const { status, body } = await call('/v1/indicators/skilled_workers', { claims: zhongzhouViewer, query: { period: 'all' } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ division: zhongzhou, value: 5 });
  });

  it('lets a township viewer see its own township, not the county or another township', async () => {
    expect((await call('/v1/indicators/skilled_workers', { claims: zhongzhouViewer, query: { division: zhongzhou, period: '2026' } })).status).toBe(200);
    await expectProblem('/v1/indicators/skilled_workers', { claims: zhongzhouViewer, query: { division: county, period: '2026' } }, 403, 'forbidden');
    await expectProblem('/v1/indicators/skilled_workers', { claims: zhongzhouViewer, query: { division: renjia, period: '2026' } }, 403, 'forbidden');
  });

  it('computes for one organisation, within the caller’s scope only', async () => {
    const own = await call('/v1/indicators/skilled_workers', { claims: zhongzhouViewer, query: { orgCode: orgInZhongzhou, period: '2026' } });
    expect(own.body).toEqual({ indicator: 'skilled_workers', orgCode: orgInZhongzhou, period: '2026', value: 5, asOf: '2026-11-24' });
    // Outside the caller's division answers exactly as unknown: which orgCodes exist elsewhere does not leak.
    const outside = await call('/v1/indicators/skilled_workers', { claims: zhongzhouViewer, query: { orgCode: orgInRenjia, period: '2026' } });
    const unknown = await call('/v1/indicators/skilled_workers', { claims: zhongzhouViewer, query: { orgCode: usccFor(3), period: '2026' } });
    expect(outside.status).toBe(404);
    expect(JSON.stringify(outside.body).replace(orgInRenjia, 'X')).toBe(JSON.stringify(unknown.body).replace(usccFor(3), 'X'));
    await expectProblem('/v1/indicators/skilled_workers', { query: { orgCode: usccFor(3), period: '2026' } }, 404, 'unknown-organisation');
    await expectProblem('/v1/indicators/skilled_workers', { query: { orgCode: 'not-a-code', period: '2026' } }, 400, 'invalid-parameter');
  });

  it.each([
    ['a missing period', { division: county }, 400, 'missing-parameter'],
    ['a malformed period', { division: county, period: '2026-13' }, 400, 'invalid-parameter'],
    ['a repeated period (comma-joined)', { division: county, period: '2026,2025' }, 400, 'invalid-parameter'],
    ['division and orgCode together', { division: county, orgCode: orgInZhongzhou, period: '2026' }, 400, 'invalid-parameter'],
    ['an unknown parameter', { division: county, period: '2026', breakdown: 'children' }, 400, 'unknown-parameter'],
    ['a malformed division', { division: '5002', period: '2026' }, 400, 'invalid-parameter'],
    ['a division outside the tree', { division: '500234000000', period: '2026' }, 404, 'unknown-division'],
  ])('answers %s with %d', async (_, query, status, slug) => {
    await expectProblem('/v1/indicators/skilled_workers', { query }, status, slug);
  });

  it('answers an unknown indicator with 404', async () => {
    await expectProblem('/v1/indicators/happiness', { query: { division: county, period: '2026' } }, 404, 'unknown-indicator');
  });

  it('hides internal failures behind a generic 500 and logs only the error name', async () => {
    const failing = { evaluate: () => Promise.reject(Object.assign(new Error('Requested resource not found: ORG#91500233MA...'), { name: 'ResourceNotFoundException' })) };
    const { api, errors } = setUp({ indicators: failing });
    const result = parsed(await api(event('/v1/indicators/skilled_workers', { query: { division: county, period: '2026' } })));
    expect(result.status).toBe(500);
    expect(result.body).toEqual({
      type: 'urn:reform-indicators:problem:internal', title: 'Internal error', status: 500,
      detail: 'The request could not be completed. Try again later.',
    });
    expect(errors).toEqual([{ errorName: 'ResourceNotFoundException' }]);
  });
});

describe('GET /v1/events/{source}/{id}', () => {
  it('shows an accepted event’s outcome to the county and to a division it counted in, and nothing else', async () => {
    for (const claims of [countyViewer, zhongzhouViewer]) {
      const { status, body } = await call('/v1/events/hrss.zhongxian/cert%2F0001', { claims });
      expect(status).toBe(200);
      expect(body).toEqual({
        source: 'hrss.zhongxian', id: 'cert/0001', type: 'certificate.submitted.v1', outcome: 'accepted',
        receivedAt: '2026-11-24T03:00:00.000Z', processedAt: '2026-11-24T03:00:01.000Z',
      });
    }
  });

  it('answers 404, as for an unknown event, to a township the event did not count in', async () => {
    const other = await expectProblem('/v1/events/hrss.zhongxian/cert%2F0001', { claims: { role: 'viewer', division: renjia } }, 404, 'unknown-event');
    const unknown = await expectProblem('/v1/events/hrss.zhongxian/cert%2F9999', { claims: { role: 'viewer', division: renjia } }, 404, 'unknown-event');
    expect(other).toEqual(unknown);
  });

  it('shows a rejection with its reason to the county only', async () => {
    const { body } = await call('/v1/events/union.zhongxian/bad-1', { claims: countyAdmin });
    expect(body).toEqual({
      source: 'union.zhongxian', id: 'bad-1', type: 'dispute.filed.v1', outcome: 'rejected', reason: 'invalid_data',
      receivedAt: '2026-11-24T03:00:00.000Z', processedAt: '2026-11-24T03:00:02.000Z',
    });
    await expectProblem('/v1/events/union.zhongxian/bad-1', { claims: zhongzhouViewer }, 404, 'unknown-event');
  });

  it('refuses query parameters and badly encoded paths', async () => {
    await expectProblem('/v1/events/union.zhongxian/bad-1', { query: { verbose: '1' } }, 400, 'unknown-parameter');
    await expectProblem('/v1/events/union.zhongxian/bad%E0%A4', {}, 404, 'not-found');
  });
});

describe('POST /v1/events', () => {
  const valid = sampleEvent('contract.signed.v1');
  const second = sampleEvent('dispute.filed.v1');
  const post = (body: string, claims: Record<string, string> = countyAdmin, base64 = false): Call => ({ method: 'POST', claims, body, base64 });

  it('queues the valid events and reports each, rejected ones with reason and detail', async () => {
    const { api, queue } = setUp();
    const invalid = { ...second, id: 'dispute-2', data: { ...second.data, claimants: 0 } };
    const forbidden = sampleEvent('dispute.filed.v1', { id: 'dispute-3', source: 'market.zhongxian' });
    const result = parsed(await api(event('/v1/events', post(JSON.stringify([valid, invalid, second, forbidden, 42])))));
    expect(result.status).toBe(202);
    expect(result.body['results']).toEqual([
      { index: 0, source: valid.source, id: valid.id, status: 'queued' },
      { index: 1, source: second.source, id: 'dispute-2', status: 'rejected', reason: 'invalid_data', detail: expect.stringContaining('claimants') },
      { index: 2, source: second.source, id: second.id, status: 'queued' },
      { index: 3, source: 'market.zhongxian', id: 'dispute-3', status: 'rejected', reason: 'forbidden_type', detail: expect.any(String) },
      // Recorded under a made-up id (request id and index), as the processor records such messages.
      { index: 4, source: '_unidentified', id: expect.stringMatching(/\.4$/), status: 'rejected', reason: 'invalid_envelope', detail: expect.any(String) },
    ]);
    expect(queue.sent.map((b) => JSON.parse(b))).toEqual([valid, second]);
  });

  it('accepts a single event object and a base64-encoded body', async () => {
    const { api, queue } = setUp();
    const result = parsed(await api(event('/v1/events', post(JSON.stringify(valid), countyAdmin, true))));
    expect(result.body['results']).toEqual([{ index: 0, source: valid.source, id: valid.id, status: 'queued' }]);
    expect(queue.sent).toHaveLength(1);
  });

  it('reports events the queue did not take as rejected, so the caller can resend them', async () => {
    const queue = new RecordingQueue((body) => body.includes(second.id));
    const { api } = setUp({ queue });
    const result = parsed(await api(event('/v1/events', post(JSON.stringify([valid, second])))));
    expect(result.body['results']).toEqual([
      { index: 0, source: valid.source, id: valid.id, status: 'queued' },
      { index: 1, source: second.source, id: second.id, status: 'rejected', reason: 'queue_unavailable', detail: expect.any(String) },
    ]);
  });

  it.each([
    ['not JSON', '{"specversion":', 400, 'invalid-body'],
    ['a JSON string', '"event"', 400, 'invalid-body'],
    ['null', 'null', 400, 'invalid-body'],
    ['an empty array', '[]', 400, 'invalid-body'],
    ['101 events', JSON.stringify(Array.from({ length: 101 }, () => ({}))), 400, 'invalid-body'],
    ['an empty body', '', 400, 'invalid-body'],
    ['more than 1 MiB', JSON.stringify([{ pad: 'x'.repeat(1024 * 1024) }]), 413, 'payload-too-large'],
  ])('answers %s with %d and queues nothing', async (_, body, status, slug) => {
    const { api, queue } = setUp();
    const result = parsed(await api(event('/v1/events', post(body))));
    expect(result.status).toBe(status);
    expect(result.body['type']).toBe(`urn:reform-indicators:problem:${slug}`);
    expect(queue.sent).toHaveLength(0);
  });

  it('is for admins only', async () => {
    await expectProblem('/v1/events', post(JSON.stringify(valid), countyViewer), 403, 'forbidden');
  });
});

describe('routing and authorisation', () => {
  it('answers unknown paths with 404 and wrong methods with 405 and Allow', async () => {
    await expectProblem('/v1/analytics-typo', {}, 404, 'not-found');
    await expectProblem('/v2/indicators', {}, 404, 'not-found');
    await expectProblem('/v1/indicators/', {}, 404, 'not-found');
    const result = await call('/v1/indicators', { method: 'DELETE' });
    expect(result.status).toBe(405);
    expect(result.headers['allow']).toBe('GET');
    expect((await call('/v1/events', { method: 'GET' })).headers['allow']).toBe('POST');
  });

  it('answers 401 without valid role and scope claims, before routing', async () => {
    await expectProblem('/v1/indicators', { claims: undefined }, 401, 'unauthorized');
    await expectProblem('/v1/indicators', { claims: { role: 'root', division: county } }, 401, 'unauthorized');
    // OAuth's scope claim is never read as a division.
    await expectProblem('/v1/indicators', { claims: { role: 'viewer', scope: county } }, 401, 'unauthorized');
    await expectProblem('/v1/indicators', { claims: { role: 'viewer' } }, 401, 'unauthorized');
  });

  it('answers 403 to a scope that is not a division of this deployment', async () => {
    await expectProblem('/v1/indicators', { claims: { role: 'admin', division: '110101000000' } }, 403, 'forbidden');
  });
});

describe('money past 2^53 fen', () => {
  // 2^53 + 1 fen and more: a double cannot hold it; every door must give it exactly.
  const huge = new InMemoryCounterSource().addNetChange(`DIV#${county}`, '2026-05-01', metrics.legalAidRecoveredFen, 9_007_199_254_740_993n);
  const deps = { indicators: new IndicatorEvaluator(huge, ownOnly) };

  it('is exact in the JSON figure, the analytics JSON and CSV, and as the CLI reads and prints it', async () => {
    const figure = await setUp(deps).api(event('/v1/indicators/legal_aid_recovered_yuan', { query: { division: county, period: '2026' } }));
    expect(figure.body).toContain('"value":90071992547409.93');
    const rows = await setUp(deps).api(event('/v1/analytics', { query: { indicators: 'legal_aid_recovered_yuan', division: county, periods: '2026' } }));
    expect(rows.body).toContain('"value":90071992547409.93');
    const csv = await setUp(deps).api({ ...event('/v1/analytics', { query: { indicators: 'legal_aid_recovered_yuan', division: county, periods: '2026' } }), headers: { host: 'api.example', accept: 'text/csv' } });
    expect(csv.body).toContain(',90071992547409.93,');
    const read = JSON.parse(keepLongNumbersExact(figure.body ?? '')) as { value: number };
    expect(formatValue(read.value, 'yuan')).toBe('¥90,071,992,547,409.93');
  });
});
