import { Explainer } from '../../packages/explain/explainer.ts';
import { readdirSync, readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { TestDependencies as ApiDependencies } from '../support/api-harness.ts';
import { createApiHandler } from '../support/api-harness.ts';
import { UnconfiguredMaintenanceRunner } from '../../functions/api/maintenance-runner.ts';
import { problemTypes } from '../../packages/api/problems.ts';
import { contractFiles } from '../../packages/api/contract-files.ts';
import { analyticsCsv } from '../../packages/api/analytics.ts';
import { buildOpenApi } from '../../packages/api/openapi.ts';
import { periodPattern } from '../../packages/api/schemas.ts';
import { examplePublicationId } from '../../packages/api/routes.ts';
import { InMemoryPublicationStore, InMemoryTargetStore, sampleEdition } from '../support/in-memory-publications.ts';

/** The CSV header line the API writes, by scope kind, taken from the renderer. */
const analyticsCsvColumns = (byOrganisation: boolean): string[] => analyticsCsv([], () => '', byOrganisation).replace(/^\uFEFF/, '').trim().split(',');
import { defaultDeploymentConfig, DivisionTree } from '../../packages/config/deployment.ts';
import { zhongCounty } from '../../packages/config/zhong-county.ts';
import { metrics } from '../../packages/domain/metrics.ts';
import { IndicatorEvaluator } from '../../packages/indicators/evaluator.ts';
import { InMemoryCounterSource } from '../../packages/indicators/in-memory-counter-source.ts';
import type { MaintenanceAction, MaintenanceRunner, RebuildResult, ReconcileResult, ResultOf } from '../../packages/maintenance/maintenance.ts';
import type { EventType } from '../../packages/contract/event-types.ts';
import { eventTypes } from '../../packages/contract/event-types.ts';
import { sampleEvent, sampleNow, usccFor } from '../../packages/contract/fixtures.ts';
import type { JsonSchema } from '../../packages/contract/json-schema.ts';
import { eventJsonSchema } from '../../packages/contract/json-schema.ts';
import { validateEvent } from '../../packages/contract/validate-event.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { parsePeriod } from '../../packages/indicators/period.ts';

/** Counters recorded straight at the scope read: each division reads only its own partition. */
const ownOnly = (division: string): string[] => [division];

const repo = new URL('../../', import.meta.url);
const contractDir = new URL('docs/contract/', repo);
const samplesDir = new URL('events/samples/', repo);

/**
 * A validator for exactly the JSON Schema keywords the generated schemas use
 * (no dependency needed). It throws on any other keyword, so a schema that
 * grows a keyword it cannot check fails here instead of passing unchecked.
 * Local `$ref`s resolve against `root` (the OpenAPI document).
 */
const annotations = new Set(['$schema', '$id', 'title', 'description', 'format', 'examples']);
const assertions = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'enum', 'const', 'pattern', 'minLength', 'maxLength',
  'minimum', 'maximum', 'minItems', 'maxItems', 'uniqueItems', 'items', 'if', 'then', 'else', 'not',
  '$ref', 'allOf', 'oneOf', 'anyOf',
]);

/** The node a local `$ref` (`#/a/b`) points at in `root`. */
function resolveRef(root: JsonSchema, ref: string): JsonSchema {
  const target = ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, segment) => (node as Record<string, unknown> | undefined)?.[segment], root);
  if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
  return target as JsonSchema;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Every violation of `schema` by `value`, as `path: keyword`; empty when valid. */
function violations(schema: JsonSchema, value: unknown, path = '$', root: JsonSchema = schema): string[] {
  const out: string[] = [];
  for (const keyword of Object.keys(schema)) {
    if (!annotations.has(keyword) && !assertions.has(keyword)) throw new Error(`validator does not know keyword ${keyword} at ${path}`);
  }
  const fail = (keyword: string) => out.push(`${path}: ${keyword}`);
  if (typeof schema['$ref'] === 'string') out.push(...violations(resolveRef(root, schema['$ref']), value, path, root));
  for (const part of (schema['allOf'] ?? []) as JsonSchema[]) out.push(...violations(part, value, path, root));
  const alternatives = schema['oneOf'] as JsonSchema[] | undefined;
  if (alternatives !== undefined && alternatives.filter((a) => violations(a, value, path, root).length === 0).length !== 1) fail('oneOf');
  const anyOf = schema['anyOf'] as JsonSchema[] | undefined;
  if (anyOf !== undefined && !anyOf.some((a) => violations(a, value, path, root).length === 0)) fail('anyOf');
  const type = schema['type'];
  if (type !== undefined) {
    const actual = typeOf(value);
    const allowed = Array.isArray(type) ? type : [type];
    if (!allowed.includes(actual) && !(actual === 'integer' && allowed.includes('number'))) return [`${path}: type`];
  }
  if ('const' in schema && JSON.stringify(schema['const']) !== JSON.stringify(value)) fail('const');
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value)) fail('enum');
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema['minLength'] === 'number' && length < schema['minLength']) fail('minLength');
    if (typeof schema['maxLength'] === 'number' && length > schema['maxLength']) fail('maxLength');
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern'], 'u').test(value)) fail('pattern');
  }
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < schema['minimum']) fail('minimum');
    if (typeof schema['maximum'] === 'number' && value > schema['maximum']) fail('maximum');
  }
  if (Array.isArray(value)) {
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems']) fail('minItems');
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems']) fail('maxItems');
    if (schema['uniqueItems'] === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) fail('uniqueItems');
    const items = schema['items'] as JsonSchema | undefined;
    if (items !== undefined) value.forEach((item, i) => out.push(...violations(items, item, `${path}[${i}]`, root)));
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
    for (const name of (schema['required'] ?? []) as string[]) if (!(name in object)) fail(`required ${name}`);
    for (const [name, child] of Object.entries(object)) {
      const propertySchema = properties[name];
      if (propertySchema !== undefined) out.push(...violations(propertySchema, child, `${path}.${name}`, root));
      else if (schema['additionalProperties'] === false) fail(`additionalProperties ${name}`);
    }
  }
  const condition = schema['if'] as JsonSchema | undefined;
  if (condition !== undefined) {
    const branch = (violations(condition, value, path, root).length === 0 ? schema['then'] : schema['else']) as JsonSchema | undefined;
    if (branch !== undefined) out.push(...violations(branch, value, path, root));
  }
  const negated = schema['not'] as JsonSchema | undefined;
  if (negated !== undefined && violations(negated, value, path, root).length === 0) fail('not');
  return out;
}

function readSample(type: EventType): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${type}.json`, samplesDir), 'utf8')) as Record<string, unknown>;
}

describe('checked-in contract files', () => {
  const generated = contractFiles();

  it.each([...generated.keys()])('docs/contract/%s is up to date', (path) => {
    let onDisk: string;
    try {
      onDisk = readFileSync(new URL(path, contractDir), 'utf8');
    } catch {
      throw new Error(`docs/contract/${path} is missing: run npm run contracts`);
    }
    if (onDisk !== generated.get(path)) throw new Error(`docs/contract/${path} is stale: run npm run contracts`);
    expect(onDisk).toBe(generated.get(path));
  });

  it('publishes one schema per event type and nothing else', () => {
    const files = readdirSync(new URL('events/', contractDir)).sort();
    expect(files).toEqual(eventTypes.map((type) => `${type}.schema.json`).sort());
  });
});

describe('event JSON Schemas', () => {
  it.each([...eventTypes])('the %s sample passes its schema', (type) => {
    const schema = eventJsonSchema(type);
    expect(schema['$id']).toBe(`urn:reform-indicators:event-schema:${type}`);
    expect(schema['additionalProperties']).toBe(false);
    expect(violations(schema, readSample(type))).toEqual([]);
  });

  it('refuses an unknown field in data and in the envelope', () => {
    const schema = eventJsonSchema('certificate.submitted.v1');
    const sample = readSample('certificate.submitted.v1');
    const data = sample['data'] as Record<string, unknown>;
    expect(violations(schema, { ...sample, data: { ...data, nickname: 'x' } })).toEqual(['$.data: additionalProperties nickname']);
    expect(violations(schema, { ...sample, subject: 'x' })).toEqual(['$: additionalProperties subject']);
    expect(violations(schema, { ...sample, data: { ...data, holder: { ...(data['holder'] as object), age: 40 } } })).toEqual([
      '$.data.holder: additionalProperties age',
    ]);
  });

  it('refuses another type, a missing field and an enum outside the contract', () => {
    const schema = eventJsonSchema('award.granted.v1');
    const sample = readSample('award.granted.v1');
    expect(violations(schema, { ...sample, type: 'award.granted.v2' })).toEqual(['$.type: const']);
    const { time: _time, ...withoutTime } = sample;
    expect(violations(schema, withoutTime)).toEqual(['$: required time']);
    expect(violations(schema, { ...sample, data: { ...(sample['data'] as object), level: 'galactic' } })).toEqual(['$.data.level: enum']);
  });

  it('carries the rules it cannot express as descriptions', () => {
    const text = JSON.stringify(eventJsonSchema('certificate.submitted.v1'));
    expect(text).toContain('MOD 11-2');
    expect(text).toContain('GB 32100-2015');
    expect(text).toContain('Asia/Shanghai');
    expect(text).toContain('5 minutes in the future');
  });

  it('writes the "required iff" rules out: enterprise ownership, special topic, level by kind', () => {
    const org = eventJsonSchema('organization.registered.v1');
    const orgSample = readSample('organization.registered.v1');
    const orgData = orgSample['data'] as Record<string, unknown>;
    const { ownership: _ownership, ...withoutOwnership } = orgData;
    expect(violations(org, { ...orgSample, data: withoutOwnership })).toEqual(['$.data: required ownership']);
    expect(violations(org, { ...orgSample, data: { ...orgData, kind: 'social_org' } })).toEqual(['$.data: not']);
    const certificate = eventJsonSchema('certificate.submitted.v1');
    const certSample = readSample('certificate.submitted.v1');
    expect(violations(certificate, { ...certSample, data: { ...(certSample['data'] as object), kind: 'degree' } })).toEqual([
      '$.data.level: enum',
    ]);
  });

  /**
   * Differential check against the processor's own validation: mutations the
   * JSON Schema can express (missing, unknown, wrong type, out of range, bad
   * enum, blank text) must be accepted or refused by both alike.
   */
  const tree = new DivisionTree(defaultDeploymentConfig.root);
  const options = { now: sampleNow(), sources: defaultDeploymentConfig.sources, isDivision: (code: string) => tree.has(code) };

  function mutationsOf(type: EventType): { label: string; event: Record<string, unknown> }[] {
    const out: { label: string; event: Record<string, unknown> }[] = [];
    const base = sampleEvent(type) as unknown as Record<string, unknown>;
    const dataSchema = (eventJsonSchema(type)['properties'] as Record<string, JsonSchema>)['data'] as JsonSchema;
    const properties = dataSchema['properties'] as Record<string, JsonSchema>;
    const withData = (label: string, change: (data: Record<string, unknown>) => void) => {
      const event = structuredClone(base);
      change(event['data'] as Record<string, unknown>);
      out.push({ label, event });
    };
    withData('unknown field', (data) => (data['extra'] = 1));
    for (const [name, property] of Object.entries(properties)) {
      withData(`${name} removed`, (data) => delete data[name]);
      withData(`${name} null`, (data) => (data[name] = null));
      const wrong: unknown[] =
        property['type'] === 'integer' ? [-1, 2.5, 100_000_001, '3']
        : property['type'] === 'number' ? [-1, 'ten']
        : property['type'] === 'boolean' ? ['yes']
        : property['type'] === 'array' ? [[], ['x']]
        : property['type'] === 'object' ? [{}]
        : property['enum'] !== undefined ? ['bogus']
        : property['maxLength'] !== undefined ? ['', '   ', 'a\u0007b', 'x'.repeat(Number(property['maxLength']) + 1)]
        : ['x', 7];
      for (const value of wrong) withData(`${name} = ${JSON.stringify(value).slice(0, 20)}`, (data) => (data[name] = value));
      for (const value of (property['enum'] ?? []) as unknown[]) withData(`${name} = ${String(value)}`, (data) => (data[name] = value));
    }
    if (type === 'contract.signed.v1') withData('orgCodes repeated', (data) => (data['orgCodes'] = [...(data['orgCodes'] as string[]), ...(data['orgCodes'] as string[])]));
    for (const field of ['specversion', 'id', 'source', 'time', 'datacontenttype']) {
      const event = structuredClone(base);
      delete event[field];
      out.push({ label: `${field} removed`, event });
    }
    out.push({ label: 'envelope unknown field', event: { ...structuredClone(base), subject: 's' } });
    out.push({ label: 'time without offset', event: { ...structuredClone(base), time: '2026-06-18T15:30:00' } });
    out.push({ label: 'id too long', event: { ...structuredClone(base), id: 'i'.repeat(129) } });
    out.push({ label: 'source upper case', event: { ...structuredClone(base), source: 'HRSS' } });
    return out;
  }

  it.each([...eventTypes])('%s: the schema and validateEvent agree on every expressible mutation', (type) => {
    const schema = eventJsonSchema(type);
    const disagreements: string[] = [];
    let refused = 0;
    for (const { label, event } of mutationsOf(type)) {
      const bySchema = violations(schema, event).length === 0;
      const byProcessor = validateEvent(event, options).ok;
      if (!bySchema) refused++;
      if (bySchema !== byProcessor) disagreements.push(`${label}: schema ${bySchema ? 'accepts' : 'refuses'}, validateEvent ${byProcessor ? 'accepts' : 'refuses'}`);
    }
    expect(disagreements).toEqual([]);
    expect(refused).toBeGreaterThan(5);
  });
});

describe('OpenAPI document', () => {
  const document = buildOpenApi();
  const components = document['components'] as Record<string, Record<string, JsonSchema>>;
  const pathsOf = document['paths'] as Record<string, Record<string, JsonSchema>>;

  it('is OpenAPI 3.1 with every route of API.md', () => {
    expect(document['openapi']).toBe('3.1.0');
    const routes = Object.entries(pathsOf).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(
      [
        'GET /v1/health',
        'GET /v1/openapi.json',
        'GET /v1/indicators',
        'GET /v1/indicators/{id}',
        'GET /v1/indicators/{id}/explain',
        'GET /v1/indicators/{id}/events',
        'GET /v1/analytics',
        'GET /v1/events/{source}/{id}',
        'POST /v1/events',
        'GET /v1/rejections',
        'POST /v1/admin/rebuild',
        'GET /v1/admin/reconcile',
        'POST /v1/admin/publications',
        'GET /v1/publications',
        'GET /v1/publications/{id}',
        'GET /v1/publications/{id}/figures',
        'GET /v1/publications/{id}/revisions',
        'PUT /v1/targets/{id}',
        'DELETE /v1/targets/{id}',
        'GET /v1/targets',
      ].sort(),
    );
  });

  it('takes the indicator ids from the catalogue', () => {
    const parameters = pathsOf['/v1/indicators/{id}']?.['get']?.['parameters'] as JsonSchema[];
    expect((parameters.find((p) => p['name'] === 'id')?.['schema'] as JsonSchema)['enum']).toEqual(indicatorCatalog.map((d) => d.id));
  });

  it('names every problem type of the API with its URN, under its status', () => {
    const responses = components['responses'] ?? {};
    for (const [slug, { status }] of Object.entries(problemTypes)) {
      const schema = (responses[`Problem${status}`]?.['content'] as Record<string, { schema: JsonSchema }>)['application/problem+json']?.schema;
      const types = (schema?.['properties'] as Record<string, JsonSchema>)['type']?.['enum'];
      expect(types).toContain(`urn:reform-indicators:problem:${slug}`);
    }
  });

  it('requires a bearer JWT everywhere but on health and the document itself', () => {
    expect(document['security']).toEqual([{ bearerJwt: [] }]);
    expect(components['securitySchemes']?.['bearerJwt']).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(String(components['securitySchemes']?.['bearerJwt']?.['description'])).toMatch(/`role`.*`division`.*`source`/);
    const open = Object.entries(pathsOf).flatMap(([path, item]) => Object.values(item).filter((op) => Array.isArray(op['security']) && (op['security'] as unknown[]).length === 0).map(() => path));
    expect(open.sort()).toEqual(['/v1/health', '/v1/openapi.json']);
  });

  it('resolves every local $ref', () => {
    const refs: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (typeof node === 'object' && node !== null) {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value);
          else collect(value);
        }
      }
    };
    collect(document);
    expect(refs.length).toBeGreaterThan(20);
    const unresolved = refs.filter((ref) => {
      const target = ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((node, segment) => (node as Record<string, unknown> | undefined)?.[segment], document);
      return target === undefined;
    });
    expect(unresolved).toEqual([]);
  });

  it('describes POST /v1/events with the event schemas, one per type', () => {
    const cloudEvent = components['schemas']?.['CloudEvent'];
    expect((cloudEvent?.['oneOf'] as JsonSchema[]).map((s) => s['$ref'])).toEqual(eventTypes.map((t) => `#/components/schemas/${t}`));
    const { $schema: _dialect, ...published } = eventJsonSchema('dispute.filed.v1');
    expect(components['schemas']?.['dispute.filed.v1']).toEqual(published);
  });

  it.each([
    ['2026', true],
    ['2026-Q4', true],
    ['2026-11', true],
    ['2026-11-24', true],
    ['all', true],
    ['2026-Q5', false],
    ['2026-13', false],
    ['26', false],
    ['2026-11-24T00', false],
    ['ALL', false],
  ])('period pattern: %s → %s, as parsePeriod', (text, valid) => {
    expect(periodPattern.test(text)).toBe(valid);
    let parsed = true;
    try {
      parsePeriod(text);
    } catch {
      parsed = false;
    }
    expect(parsed).toBe(valid);
  });
});

/**
 * The document against the handler as built: every documented operation is
 * called through the real createApiHandler (fakes behind it, as in
 * api.test.ts), and its answer must be a documented status with a body the
 * documented schema accepts. The router and the document cannot drift apart.
 */
describe('OpenAPI document and the API as built', () => {
  const document = buildOpenApi();
  const pathsOf = document['paths'] as Record<string, Record<string, JsonSchema>>;
  const county = defaultDeploymentConfig.root.code;
  const township = '500233001000';
  const orgCode = usccFor(1);
  const countyAdmin = { role: 'admin', division: county };

  const reconciled: ReconcileResult = {
    action: 'reconcile',
    differences: [
      { pk: `DIV#${county}`, sk: 'Y#2026', metric: metrics.skilled, live: 4, recomputed: 3 },
      { pk: `BASE#DIV#${county}`, sk: '2026-01-01', metric: metrics.orgsNonPublic, live: null, recomputed: 40000 },
    ],
    differenceCount: 2,
    truncated: false,
    checkedItems: 120,
    events: 40,
    skippedEvents: [{ source: 'court.zhongxian', id: 'case-9', type: 'dispute.filed.v1', outcome: 'reject', reason: 'conflict' }],
  };
  const rebuilt: RebuildResult = {
    action: 'rebuild',
    rebuilt: { counters: 100, baselines: 2, state: 30, events: 40, deletedCounters: 1, deletedState: 0, corrections: 0 },
    skippedEvents: [{ source: 'hrss.zhongxian', id: 'cert-3', type: 'certificate.submitted.v1', outcome: 'unknown_org', reason: 'unknown_org' }],
  };
  const edition = sampleEdition(examplePublicationId, '2026-Q3');
  const { id, period, title, publishedAt, figures, digest } = edition.record;
  const answeringRunner: MaintenanceRunner = {
    run: <A extends MaintenanceAction>(action: A) =>
      Promise.resolve((action === 'rebuild' ? rebuilt : action === 'publish' ? { action, publication: { id, period, title, publishedAt, figures, digest } } : reconciled) as ResultOf<A>),
  };
  const publications = new InMemoryPublicationStore();
  // The in-memory stores keep what they are given at once.
  void publications.put(edition);
  const targets = new InMemoryTargetStore();
  void targets.set({ indicator: 'skilled_workers', division: county, period: '2026', value: 8 });

  function handler(maintenance: MaintenanceRunner = answeringRunner) {
    const counters = new InMemoryCounterSource()
      .addNetChange(`DIV#${county}`, '2026-11-02', metrics.skilled, 5)
      .addNetChange(`DIV#${township}`, '2026-11-02', metrics.skilled, 5)
      .addNetChange(`ORG#${orgCode}`, '2026-11-02', metrics.skilled, 5);
    const deps: ApiDependencies = {
      catalog: indicatorCatalog,
      indicators: new IndicatorEvaluator(counters, ownOnly),
      // One entry per scope: the certificate behind the five skilled workers above, in yuan-free counts.
      explainer: new Explainer(
        {
          entries: async ({ cell }) => ({
            entries: [{ source: 'hrss.zhongxian', id: 'cert/0001', type: 'certificate.submitted.v1', day: '2026-11-02', processedAt: '2026-11-24T03:00:01.000Z', amount: cell === metrics.skilled ? 5 : 0, resumeAfter: '{}' }],
          }),
        },
        { baselineUsed: async () => undefined },
        new DivisionTree(zhongCounty),
      ),
      ledger: {
        outcomeOf: (source, id) =>
          Promise.resolve(
            source === 'hrss.zhongxian' && id === 'cert/0001'
              ? {
                  source, id, type: 'certificate.submitted.v1', outcome: 'accepted' as const,
                  receivedAt: '2026-11-24T03:00:00.000Z', processedAt: '2026-11-24T03:00:01.000Z', divisions: [township, county],
                }
              : undefined,
          ),
      },
      organisations: {
        organisation: (code) =>
          Promise.resolve(code === orgCode ? { orgCode, division: township, kind: 'enterprise', status: 'registered' } : undefined),
      },
      queue: { send: () => Promise.resolve(new Set<number>()) },
      divisions: new DivisionTree(zhongCounty),
      sources: defaultDeploymentConfig.sources,
      validateEvent,
      maintenance,
      publications,
      targets,
      now: sampleNow,
    };
    return createApiHandler(deps);
  }

  interface Request {
    readonly path: string;
    readonly query?: Record<string, string>;
    readonly body?: string;
    readonly headers?: Record<string, string>;
    readonly claims?: Record<string, string>;
  }

  /** A request each documented operation must answer with success, by operationId. */
  const successfulRequests: Record<string, Request[]> = {
    getHealth: [{ path: '/v1/health', claims: {} }],
    getOpenApi: [{ path: '/v1/openapi.json', claims: {} }],
    listIndicators: [{ path: '/v1/indicators' }],
    getIndicator: [
      { path: '/v1/indicators/skilled_workers', query: { division: county, period: '2026-Q4' } },
      { path: '/v1/indicators/dispute_mediation_rate', query: { orgCode, period: 'all' } },
    ],
    explainIndicator: [
      { path: '/v1/indicators/skilled_workers/explain', query: { division: county, period: '2026-Q4' } },
      { path: '/v1/indicators/dispute_mediation_rate/explain', query: { orgCode, period: 'all' } },
    ],
    listContributingEvents: [
      { path: '/v1/indicators/skilled_workers/events', query: { division: county, period: '2026' } },
      { path: '/v1/indicators/skilled_workers/events', query: { orgCode, period: '2026' }, headers: { accept: 'text/csv' } },
      { path: '/v1/indicators/dispute_mediation_rate/events', query: { division: township, period: 'all', part: 'denominator' } },
    ],
    getAnalytics: [
      { path: '/v1/analytics', query: { indicators: 'skilled_workers,dispute_mediation_rate', periods: '2026-11,all' } },
      { path: '/v1/analytics', query: { indicators: 'skilled_workers', periods: '2026', division: county, breakdown: 'children' } },
      { path: '/v1/analytics', query: { indicators: 'skilled_workers', periods: '2026', orgCode } },
    ],
    submitEvents: [{ path: '/v1/events', body: JSON.stringify([sampleEvent('certificate.submitted.v1'), { type: 'nonsense' }]) }],
    getEventOutcome: [{ path: `/v1/events/hrss.zhongxian/${encodeURIComponent('cert/0001')}` }],
    listRejections: [
      { path: '/v1/rejections', query: { days: '7' } },
      { path: '/v1/rejections', query: { days: '31', reason: 'unknown_type', limit: '1' } },
    ],
    rebuildCounters: [{ path: '/v1/admin/rebuild' }],
    reconcileCounters: [{ path: '/v1/admin/reconcile' }],
    publish: [{ path: '/v1/admin/publications', body: JSON.stringify({ period: '2026-Q3', title: '2026年第三季度产改指标' }) }],
    listPublications: [{ path: '/v1/publications' }],
    getPublication: [{ path: `/v1/publications/${examplePublicationId}` }],
    getPublicationFigures: [
      { path: `/v1/publications/${examplePublicationId}/figures` },
      { path: `/v1/publications/${examplePublicationId}/figures`, headers: { accept: 'text/csv' } },
      { path: `/v1/publications/${examplePublicationId}/figures`, claims: { role: 'viewer', division: township } },
    ],
    getPublicationRevisions: [
      { path: `/v1/publications/${examplePublicationId}/revisions` },
      { path: `/v1/publications/${examplePublicationId}/revisions`, claims: { role: 'viewer', division: township } },
    ],
    setTarget: [{ path: '/v1/targets/party_posts', query: { division: township, period: '2027' }, body: JSON.stringify({ value: 12 }) }],
    deleteTarget: [{ path: '/v1/targets/skilled_workers', query: { division: county, period: '2026' } }],
    listTargets: [{ path: '/v1/targets', query: { division: county } }],
  };

  function apiEvent(method: string, request: Request): APIGatewayProxyEventV2WithJWTAuthorizer {
    return {
      version: '2.0', routeKey: '$default', rawPath: request.path,
      rawQueryString: new URLSearchParams(request.query ?? {}).toString(),
      headers: { 'content-type': 'application/json', ...request.headers },
      ...(request.query === undefined ? {} : { queryStringParameters: request.query }),
      requestContext: {
        accountId: '0', apiId: 't', domainName: 'd', domainPrefix: 'd', requestId: 'r', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0,
        http: { method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
        authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: request.claims ?? countyAdmin, scopes: null } },
      },
      ...(request.body === undefined ? {} : { body: request.body }),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
  }

  const operations = Object.entries(pathsOf).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );

  /** The documented response for `status`, `$ref`s followed. */
  function documentedResponse(operation: JsonSchema, status: number): JsonSchema | undefined {
    const response = (operation['responses'] as Record<string, JsonSchema>)[String(status)];
    return response === undefined ? undefined : typeof response['$ref'] === 'string' ? resolveRef(document, response['$ref']) : response;
  }

  /** Violations of the answer against the operation's documented response for its status and media type. */
  async function checkAnswer(method: string, operation: JsonSchema, request: Request, maintenance?: MaintenanceRunner) {
    const result = await handler(maintenance)(apiEvent(method, request));
    const status = result.statusCode ?? 0;
    const response = documentedResponse(operation, status);
    if (response === undefined) return { status, problems: [`status ${status} is not documented`], body: result.body };
    const mediaType = String(result.headers?.['content-type'] ?? '').split(';')[0] ?? '';
    const content = (response['content'] as Record<string, { schema: JsonSchema }>)[mediaType];
    if (content === undefined) return { status, problems: [`${mediaType} is not documented for ${status}`], body: result.body };
    const body: unknown = mediaType === 'text/csv' ? result.body : JSON.parse(result.body ?? 'null');
    return { status, problems: violations(content.schema, body, '$', document), body };
  }

  it('has a successful sample request for every documented operation', () => {
    expect(operations.map(({ operation }) => String(operation['operationId'])).sort()).toEqual(Object.keys(successfulRequests).sort());
  });

  it.each(operations.map((o) => [`${o.method} ${o.path}`, o] as const))('%s answers 2xx with the documented body', async (_name, { method, operation }) => {
    for (const request of successfulRequests[String(operation['operationId'])] ?? []) {
      const { status, problems, body } = await checkAnswer(method, operation, request);
      expect(status, `${request.path} ${String(body)}`).toBeGreaterThanOrEqual(200);
      expect(status).toBeLessThan(300);
      expect(problems, JSON.stringify(request.query ?? {})).toEqual([]);
    }
  });

  it('answers every undocumented method of a documented path with 405 and the documented methods', async () => {
    for (const [path, item] of Object.entries(pathsOf)) {
      const documented = Object.keys(item).map((m) => m.toUpperCase());
      const concrete = path.replace('{id}', 'skilled_workers').replace('{source}', 'hrss.zhongxian');
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        const result = await handler()(apiEvent(method, { path: concrete }));
        const type = String((JSON.parse(result.body ?? '{}') as { type?: unknown }).type);
        expect(type, `${method} ${path}`).not.toBe('urn:reform-indicators:problem:not-found');
        if (documented.includes(method)) {
          expect(result.statusCode, `${method} ${path}`).not.toBe(405);
        } else {
          expect(result.statusCode, `${method} ${path}`).toBe(405);
          expect(String(result.headers?.['allow']).split(', ').sort()).toEqual([...documented].sort());
        }
      }
    }
  });

  it('documents the CSV the analytics route writes, for divisions and for an organisation', async () => {
    const analytics = pathsOf['/v1/analytics']?.['get'] as JsonSchema;
    const csv = (documentedResponse(analytics, 200)?.['content'] as Record<string, { schema: JsonSchema }>)['text/csv'];
    const description = String(csv?.schema['description']);
    for (const [query, columns] of [
      [{ indicators: 'skilled_workers', periods: '2026', breakdown: 'children' }, 'indicator,division,division_name,period,value,numerator,denominator'],
      [{ indicators: 'skilled_workers', periods: '2026', orgCode }, 'indicator,org_code,period,value,numerator,denominator'],
    ] as const) {
      const { status, problems, body } = await checkAnswer('GET', analytics, { path: '/v1/analytics', query, headers: { accept: 'text/csv' } });
      expect(status).toBe(200);
      expect(problems).toEqual([]);
      const [header] = String(body).replace(/^\uFEFF/, '').split('\r\n');
      expect(header).toBe(columns);
      expect(analyticsCsvColumns('orgCode' in query).join(',')).toBe(columns);
      expect(description).toContain(`\`${columns}\``);
    }
  });

  it.each([
    ['a county viewer', { role: 'viewer', division: county }],
    ['a township admin', { role: 'admin', division: township }],
  ])('answers %s on the admin routes with the documented 403', async (_who, claims) => {
    for (const [path, method] of [['/v1/admin/rebuild', 'post'], ['/v1/admin/reconcile', 'get']] as const) {
      const operation = pathsOf[path]?.[method] as JsonSchema;
      const { status, problems, body } = await checkAnswer(method.toUpperCase(), operation, { path, claims });
      expect(status).toBe(403);
      expect(problems).toEqual([]);
      expect(body).toMatchObject({ type: 'urn:reform-indicators:problem:forbidden' });
    }
  });

  it('answers the admin routes with the documented 503 when no maintenance is configured', async () => {
    for (const [path, method] of [['/v1/admin/rebuild', 'post'], ['/v1/admin/reconcile', 'get']] as const) {
      const operation = pathsOf[path]?.[method] as JsonSchema;
      const { status, problems, body } = await checkAnswer(method.toUpperCase(), operation, { path }, new UnconfiguredMaintenanceRunner());
      expect(status).toBe(503);
      expect(problems).toEqual([]);
      expect(body).toMatchObject({ type: 'urn:reform-indicators:problem:maintenance-unavailable' });
    }
  });

  it('answers bad analytics requests with documented problems', async () => {
    const analytics = pathsOf['/v1/analytics']?.['get'] as JsonSchema;
    for (const [query, expected] of [
      [{ indicators: 'skilled_workers' }, 400],
      [{ indicators: Array.from({ length: 51 }, (_, i) => `x${i}`).join(','), periods: '2026' }, 400],
      [{ indicators: 'skilled_workers', periods: '2026', orgCode, division: county }, 400],
      [{ indicators: 'no_such_indicator', periods: '2026' }, 404],
      [{ indicators: 'skilled_workers', periods: '2026', division: county }, 403],
    ] as const) {
      const claims = expected === 403 ? { role: 'viewer', division: township } : countyAdmin;
      const { status, problems } = await checkAnswer('GET', analytics, { path: '/v1/analytics', query, claims });
      expect(status, JSON.stringify(query).slice(0, 80)).toBe(expected);
      expect(problems).toEqual([]);
    }
  });
});
