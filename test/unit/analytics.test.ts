/**
 * `GET /v1/analytics` through createApiHandler, with in-memory counters and a
 * recording evaluator: rows, order, breakdown, CSV bytes, limits and every
 * refusal.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { analyticsCsv, listParameter, mapWithConcurrency, prefersCsv } from '../../packages/api/analytics.ts';
import type { TestDependencies as ApiDependencies, CellEvaluator as IndicatorComputation } from '../support/api-harness.ts';
import { createApiHandler } from '../support/api-harness.ts';
import { ApiError } from '../../packages/api/problems.ts';
import type { DivisionNode } from '../../packages/config/deployment.ts';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { zhongCounty } from '../../packages/config/zhong-county.ts';
import { validateEvent } from '../../packages/contract/index.ts';
import { sampleNow, usccFor } from '../../packages/contract/fixtures.ts';
import { metrics } from '../../packages/domain/metrics.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { IndicatorEvaluator } from '../../packages/indicators/evaluator.ts';
import { InMemoryCounterSource } from '../../packages/indicators/in-memory-counter-source.ts';
import type { OrganisationRecord } from '../../packages/storage/org-reader.ts';

/** Counters recorded straight at the scope read: each division reads only its own partition. */
const ownOnly = (division: string): string[] => [division];

const county = '500233000000';
const zhongzhou = '500233001000';
const renjia = '500233101000';
const orgInZhongzhou = usccFor(1);
const orgInRenjia = usccFor(2);
const countyViewer = { role: 'viewer', division: county };
const zhongzhouViewer = { role: 'viewer', division: zhongzhou };

function counters(): InMemoryCounterSource {
  const source = new InMemoryCounterSource();
  for (const partition of [`DIV#${county}`, `DIV#${zhongzhou}`, `ORG#${orgInZhongzhou}`]) {
    source
      .addNetChange(partition, '2026-01-10', metrics.skilled, 5)
      .addNetChange(partition, '2026-02-03', metrics.skilled, 1)
      .addNetChange(partition, '2026-02-04', metrics.rewardFen, 123456)
      .addNetChange(partition, '2026-01-12', metrics.disputesFiled, 3)
      .addNetChange(partition, '2026-01-20', metrics.disputesMediated, 2);
  }
  source.addNetChange(`DIV#${renjia}`, '2026-01-15', metrics.skilled, 2).addNetChange(`DIV#${county}`, '2026-01-15', metrics.skilled, 2);
  return source;
}

/** The real evaluator, recording each call and how many were in flight at once. */
class RecordingEvaluator implements IndicatorComputation {
  readonly calls: { scope: string; period: string; indicators: string[] }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly inner = new IndicatorEvaluator(counters(), ownOnly);

  async evaluate(...[definitions, scope, period]: Parameters<IndicatorComputation['evaluate']>) {
    this.calls.push({ scope: 'division' in scope ? scope.division : scope.orgCode, period: period.text, indicators: definitions.map((d) => d.id) });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      return await this.inner.evaluate(definitions, scope, period);
    } finally {
      this.inFlight--;
    }
  }
}

const organisations: OrganisationRecord[] = [
  { orgCode: orgInZhongzhou, division: zhongzhou, kind: 'enterprise', status: 'registered' },
  { orgCode: orgInRenjia, division: renjia, kind: 'enterprise', status: 'registered' },
];

function setUp(overrides: Partial<ApiDependencies> = {}) {
  const evaluator = new RecordingEvaluator();
  const deps: ApiDependencies = {
    catalog: indicatorCatalog,
    indicators: evaluator,
    ledger: { outcomeOf: () => Promise.resolve(undefined) },
    organisations: { organisation: (code) => Promise.resolve(organisations.find((o) => o.orgCode === code)) },
    queue: { send: () => Promise.resolve(new Set<number>()) },
    divisions: new DivisionTree(zhongCounty),
    sources: defaultDeploymentConfig.sources,
    validateEvent,
    maintenance: { run: () => Promise.reject(new Error('not used here')) },
    now: sampleNow,
    ...overrides,
  };
  return { api: createApiHandler(deps), evaluator };
}

function request(query: Record<string, string>, options: { claims?: Record<string, string>; accept?: string; method?: string } = {}) {
  const method = options.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/v1/analytics',
    rawQueryString: new URLSearchParams(query).toString(),
    headers: { host: 'api.example', ...(options.accept === undefined ? {} : { accept: options.accept }) },
    queryStringParameters: query,
    requestContext: {
      accountId: '000000000000', apiId: 'test', domainName: 'api.example', domainPrefix: 'api',
      http: { method, path: '/v1/analytics', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'r-1', routeKey: '$default', stage: '$default', time: '24/Nov/2026:04:00:00 +0000', timeEpoch: 0,
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: options.claims ?? countyViewer, scopes: null } },
    },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

async function analytics(query: Record<string, string>, options: Parameters<typeof request>[1] = {}, deps: Partial<ApiDependencies> = {}) {
  const { api, evaluator } = setUp(deps);
  const result: APIGatewayProxyStructuredResultV2 = await api(request(query, options));
  return { status: result.statusCode ?? 0, headers: result.headers ?? {}, text: result.body ?? '', evaluator };
}

async function rowsOf(query: Record<string, string>, options: Parameters<typeof request>[1] = {}) {
  const result = await analytics(query, options);
  expect(result.status).toBe(200);
  return (JSON.parse(result.text) as { rows: Record<string, unknown>[] }).rows;
}

describe('GET /v1/analytics rows', () => {
  it('gives one row per indicator, division and period, in the order asked', async () => {
    const rows = await rowsOf({ indicators: 'skilled_workers,dispute_mediation_rate', division: county, periods: '2026-02,2026-01' });
    expect(rows).toEqual([
      { indicator: 'skilled_workers', division: county, period: '2026-02', value: 8 },
      { indicator: 'skilled_workers', division: county, period: '2026-01', value: 7 },
      { indicator: 'dispute_mediation_rate', division: county, period: '2026-02', value: null, numerator: 0, denominator: 0 },
      { indicator: 'dispute_mediation_rate', division: county, period: '2026-01', value: 66.67, numerator: 2, denominator: 3 },
    ]);
  });

  it('defaults to the caller scope and evaluates once per (division, period) with every indicator', async () => {
    const { status, text, evaluator } = await analytics(
      { indicators: 'skilled_workers,dual_upgrade_rewards_yuan', periods: '2026-Q1,2026' },
      { claims: zhongzhouViewer },
    );
    expect(status).toBe(200);
    expect(JSON.parse(text).rows).toEqual([
      { indicator: 'skilled_workers', division: zhongzhou, period: '2026-Q1', value: 6 },
      { indicator: 'skilled_workers', division: zhongzhou, period: '2026', value: 6 },
      { indicator: 'dual_upgrade_rewards_yuan', division: zhongzhou, period: '2026-Q1', value: 1234.56 },
      { indicator: 'dual_upgrade_rewards_yuan', division: zhongzhou, period: '2026', value: 1234.56 },
    ]);
    expect(evaluator.calls).toHaveLength(2);
    expect(evaluator.calls.map((c) => c.indicators)).toEqual([
      ['skilled_workers', 'dual_upgrade_rewards_yuan'],
      ['skilled_workers', 'dual_upgrade_rewards_yuan'],
    ]);
  });

  it('breaks the county down into its 29 townships in tree order, at most 8 evaluations at once', async () => {
    const { status, text, evaluator } = await analytics({ indicators: 'skilled_workers', division: county, periods: '2026-01,all', breakdown: 'children' });
    expect(status).toBe(200);
    const rows = JSON.parse(text).rows as { division: string; period: string; value: number }[];
    const townships = (zhongCounty.children ?? []).map((c) => c.code);
    expect(townships).toHaveLength(29);
    expect(rows).toHaveLength(58);
    expect(rows.filter((r) => r.period === '2026-01').map((r) => r.division)).toEqual(townships);
    expect(rows.some((r) => r.division === county)).toBe(false);
    expect(rows.find((r) => r.division === zhongzhou && r.period === 'all')?.value).toBe(6);
    expect(rows.find((r) => r.division === renjia && r.period === '2026-01')?.value).toBe(2);
    expect(rows.filter((r) => r.value !== 0)).toHaveLength(4);
    expect(evaluator.calls).toHaveLength(58);
    expect(evaluator.maxInFlight).toBe(8);
  });

  it('answers for one organisation with orgCode', async () => {
    const rows = await rowsOf({ indicators: 'skilled_workers', orgCode: orgInZhongzhou, periods: '2026' }, { claims: zhongzhouViewer });
    expect(rows).toEqual([{ indicator: 'skilled_workers', orgCode: orgInZhongzhou, period: '2026', value: 6 }]);
  });
});

describe('GET /v1/analytics as CSV', () => {
  it('returns the same rows as UTF-8 CSV with BOM, CRLF, division names and empty cells for null', async () => {
    const { status, headers, text } = await analytics(
      { indicators: 'skilled_workers,dispute_mediation_rate', division: county, periods: '2026-01,2026-02' },
      { accept: 'text/csv' },
    );
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(headers['content-disposition']).toBe('attachment; filename="reform-indicators.csv"');
    const bytes = Buffer.from(text, 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text).toBe(
      '\uFEFF' +
        'indicator,division,division_name,period,value,numerator,denominator\r\n' +
        'skilled_workers,500233000000,忠县,2026-01,7,,\r\n' +
        'skilled_workers,500233000000,忠县,2026-02,8,,\r\n' +
        'dispute_mediation_rate,500233000000,忠县,2026-01,66.67,2,3\r\n' +
        'dispute_mediation_rate,500233000000,忠县,2026-02,,0,0\r\n',
    );
  });

  it('names the organisation in place of the division columns', async () => {
    const { text } = await analytics({ indicators: 'skilled_workers', orgCode: orgInZhongzhou, periods: '2026' }, { accept: 'text/csv;q=0.9, application/json;q=0.5' });
    expect(text).toBe(`\uFEFFindicator,org_code,period,value,numerator,denominator\r\nskilled_workers,${orgInZhongzhou},2026,6,,\r\n`);
  });

  it('quotes fields holding commas, quotes or line breaks (RFC 4180)', () => {
    const csv = analyticsCsv(
      [{ indicator: 'x', division: '500233001000', period: '2026', value: -1.5 }],
      () => 'A, "B"\nC',
      false,
    );
    expect(csv.split('\r\n')[1]).toBe('x,500233001000,"A, ""B""\nC",2026,-1.5,,');
  });

  it('prefers CSV only when Accept ranks text/csv above JSON', () => {
    expect(prefersCsv(undefined)).toBe(false);
    expect(prefersCsv('text/csv')).toBe(true);
    expect(prefersCsv('Text/CSV; charset=utf-8')).toBe(true);
    expect(prefersCsv('application/json, text/csv;q=0.5')).toBe(false);
    expect(prefersCsv('*/*')).toBe(false);
    expect(prefersCsv('text/csv;q=0')).toBe(false);
    expect(prefersCsv('text/html, text/csv;q=0.8, */*;q=0.1')).toBe(true);
  });
});

describe('GET /v1/analytics refusals', () => {
  const base = { indicators: 'skilled_workers', division: county, periods: '2026' };
  const many = (n: number, item: (i: number) => string) => Array.from({ length: n }, (_, i) => item(i)).join(',');
  const cases: [string, Record<string, string>, number, string][] = [
    ['an unknown parameter', { ...base, period: '2026' }, 400, 'unknown-parameter'],
    ['no indicators', { division: county, periods: '2026' }, 400, 'missing-parameter'],
    ['no periods', { indicators: 'skilled_workers', division: county }, 400, 'missing-parameter'],
    ['an empty list', { ...base, indicators: '' }, 400, 'invalid-parameter'],
    ['an empty item', { ...base, periods: '2026,,2025' }, 400, 'invalid-parameter'],
    ['a duplicated indicator', { ...base, indicators: 'skilled_workers,skilled_workers' }, 400, 'invalid-parameter'],
    ['a duplicated period', { ...base, periods: '2026-01,2026-01' }, 400, 'invalid-parameter'],
    ['51 indicators', { ...base, indicators: many(51, (i) => `i${i}`) }, 400, 'invalid-parameter'],
    ['61 periods', { ...base, periods: many(61, (i) => `${2000 + i}`) }, 400, 'invalid-parameter'],
    ['a malformed period', { ...base, periods: '2026-01,2026-13' }, 400, 'invalid-parameter'],
    ['an unknown indicator', { ...base, indicators: 'skilled_workers,no_such_thing' }, 404, 'unknown-indicator'],
    ['a malformed division', { ...base, division: '5002330' }, 400, 'invalid-parameter'],
    ['an unknown division', { ...base, division: '500233999000' }, 404, 'unknown-division'],
    ['division and orgCode', { ...base, orgCode: orgInZhongzhou }, 400, 'invalid-parameter'],
    ['an unknown breakdown', { ...base, breakdown: 'grandchildren' }, 400, 'invalid-parameter'],
    ['breakdown of an organisation', { indicators: 'skilled_workers', orgCode: orgInZhongzhou, periods: '2026', breakdown: 'children' }, 400, 'invalid-parameter'],
    ['breakdown of a township', { ...base, division: zhongzhou, breakdown: 'children' }, 400, 'invalid-parameter'],
    ['a malformed orgCode', { indicators: 'skilled_workers', orgCode: 'abc', periods: '2026' }, 400, 'invalid-parameter'],
    ['an unregistered organisation', { indicators: 'skilled_workers', orgCode: usccFor(99), periods: '2026' }, 404, 'unknown-organisation'],
  ];

  it.each(cases)('refuses %s before evaluating anything', async (_what, query, status, slug) => {
    const { status: got, headers, text, evaluator } = await analytics(query);
    expect(got).toBe(status);
    expect(headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(text)).toMatchObject({ type: `urn:reform-indicators:problem:${slug}`, status });
    expect(evaluator.calls).toHaveLength(0);
  });

  it('names the limit when a list is too long', async () => {
    const { text } = await analytics({ ...base, indicators: many(51, (i) => `i${i}`) });
    expect(JSON.parse(text).detail).toBe('indicators lists 51 items; at most 50 are allowed per request');
  });

  it('refuses a breakdown into more than 100 divisions', async () => {
    const root: DivisionNode = {
      code: '500299000000',
      name: { zh: '大县', en: 'Big County' },
      children: Array.from({ length: 101 }, (_, i) => ({ code: `500299${String(i + 1).padStart(3, '0')}000`, name: { zh: `镇${i}`, en: `Town ${i}` } })),
    };
    const claims = { role: 'viewer', division: root.code };
    const { status, text, evaluator } = await analytics({ ...base, division: root.code, breakdown: 'children' }, { claims }, { divisions: new DivisionTree(root) });
    expect(status).toBe(400);
    expect(JSON.parse(text).detail).toBe('the request covers 101 divisions; at most 100 are allowed per request');
    expect(evaluator.calls).toHaveLength(0);
    expect((await analytics({ ...base, division: root.code }, { claims }, { divisions: new DivisionTree(root) })).status).toBe(200);
  });

  it('answers an organisation outside the caller scope exactly as an unknown one (404)', async () => {
    const outside = await analytics({ indicators: 'skilled_workers', orgCode: orgInRenjia, periods: '2026' }, { claims: zhongzhouViewer });
    const unknown = await analytics({ indicators: 'skilled_workers', orgCode: usccFor(9), periods: '2026' }, { claims: zhongzhouViewer });
    expect(outside.status).toBe(404);
    expect(JSON.parse(outside.text).type).toBe('urn:reform-indicators:problem:unknown-organisation');
    expect(outside.text.replace(orgInRenjia, 'X')).toBe(unknown.text.replace(usccFor(9), 'X'));
    expect(outside.evaluator.calls).toHaveLength(0);
  });

  it('forbids divisions outside the caller scope (403)', async () => {
    const queries: Record<string, string>[] = [{ ...base }, { ...base, breakdown: 'children' }, { ...base, division: renjia }];
    for (const query of queries) {
      const { status, text, evaluator } = await analytics(query, { claims: zhongzhouViewer });
      expect(status).toBe(403);
      expect(JSON.parse(text).type).toBe('urn:reform-indicators:problem:forbidden');
      expect(evaluator.calls).toHaveLength(0);
    }
  });

  it('allows GET only', async () => {
    const { status, headers } = await analytics(base, { method: 'POST' });
    expect(status).toBe(405);
    expect(headers['allow']).toBe('GET');
  });
});

describe('analytics building blocks', () => {
  it('splits lists and refuses duplicates with the item named', () => {
    expect(listParameter('periods', '2026-01,2026-02', 60)).toEqual(['2026-01', '2026-02']);
    expect(() => listParameter('periods', '2026,2025,2026', 60)).toThrow(new ApiError('invalid-parameter', 'periods lists "2026" more than once'));
  });

  it('keeps input order under bounded concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (n) => {
      most = Math.max(most, ++inFlight);
      for (let i = 0; i < n; i++) await Promise.resolve();
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });
});
