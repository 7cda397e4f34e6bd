/**
 * The OpenAPI 3.1 document of the admin query API (contract/API.md),
 * generated from the code it describes: indicator ids from the catalogue,
 * problem types from the API's one error mapping, request limits from the
 * handler, event bodies from the contract's JSON Schemas. Published as
 * `docs/contract/openapi.json` by `npm run contracts`.
 */
import { maxEventsPerRequest, maxRequestBytes } from '../../functions/api/app.ts';
import type { ProblemSlug } from '../../functions/api/problems.ts';
import { problemTypes } from '../../functions/api/problems.ts';
import { loadDeploymentConfig } from '../config/deployment.ts';
import { eventTypes } from '../contract/event-types.ts';
import type { JsonSchema } from '../contract/json-schema.ts';
import { eventJsonSchema, jsonSchemaDialect } from '../contract/json-schema.ts';
import { indicatorCatalog } from '../indicators/catalog.ts';

/** Version of the API contract the document describes (API.md v1). */
export const apiVersion = '1.0.0';

/** `urn:reform-indicators:problem:<slug>`: the stable `type` of a problem response. */
export function problemTypeUri(slug: ProblemSlug): string {
  return `urn:reform-indicators:problem:${slug}`;
}

/** The period forms of INDICATORS.md: `2026`, `2026-Q4`, `2026-11`, `2026-11-24`, `all`. */
export const periodPattern = '^(all|[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?)$';

const rootDivision = loadDeploymentConfig({}).root.code;
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string): JsonSchema => ({ $ref: `#/components/responses/${name}` });
const parameterRef = (name: string): JsonSchema => ({ $ref: `#/components/parameters/${name}` });
const jsonContent = (schema: JsonSchema): JsonSchema => ({ 'application/json': { schema } });

/** Problem slugs by HTTP status, from the API's own table. */
function slugsByStatus(): Map<number, ProblemSlug[]> {
  const out = new Map<number, ProblemSlug[]>();
  for (const [slug, { status }] of Object.entries(problemTypes) as [ProblemSlug, { status: number }][]) {
    out.set(status, [...(out.get(status) ?? []), slug]);
  }
  return out;
}

function problemResponses(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [status, slugs] of slugsByStatus()) {
    out[`Problem${status}`] = {
      description: slugs.map((slug) => `\`${slug}\`: ${problemTypes[slug].title}`).join('; '),
      content: {
        'application/problem+json': {
          schema: {
            allOf: [ref('Problem')],
            properties: { type: { enum: slugs.map(problemTypeUri) }, status: { const: status } },
          },
        },
      },
    };
  }
  return out;
}

/** Problem responses a route can give, by status; 401 and 500 apply everywhere. */
function errors(...statuses: number[]): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const status of [...statuses, 401, 500].sort((a, b) => a - b)) out[String(status)] = responseRef(`Problem${status}`);
  return out;
}

const parameters: Record<string, JsonSchema> = {
  division: {
    name: 'division',
    in: 'query',
    description: `A 12-digit division code within the caller's scope; defaults to the scope itself (e.g. ${rootDivision}, the county).`,
    schema: { type: 'string', pattern: '^[0-9]{12}$' },
    example: rootDivision,
  },
  orgCode: {
    name: 'orgCode',
    in: 'query',
    description: 'An organisation (unified social credit code) whose division lies within the caller’s scope; instead of `division`.',
    schema: { type: 'string', pattern: '^[0-9A-Z]{18}$' },
  },
  period: {
    name: 'period',
    in: 'query',
    required: true,
    description: 'Asia/Shanghai calendar period: year `2026`, quarter `2026-Q4`, month `2026-11`, day `2026-11-24`, or `all` (since records began). Years 2000–2100.',
    schema: ref('Period'),
    example: '2026-Q4',
  },
};

function schemas(): Record<string, JsonSchema> {
  const indicatorIds = indicatorCatalog.map((definition) => definition.id);
  const eventSchemas = Object.fromEntries(
    eventTypes.map((type) => {
      const { $schema: _dialect, ...schema } = eventJsonSchema(type);
      return [type, schema];
    }),
  );
  const value = {
    description: 'The figure: a count, percent (2 decimals, rounded half-up) or yuan amount (decimal); `null` for a ratio whose denominator is 0.',
    type: ['number', 'null'],
  };
  const part = { type: 'number', description: 'For ratios: the numerator or denominator the percentage is computed from.' };
  return {
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details. `detail` names what was wrong, never personal data; 5xx details are generic.',
      properties: {
        type: { type: 'string', description: 'Stable `urn:reform-indicators:problem:<slug>`.' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
      },
      required: ['type', 'title', 'status', 'detail'],
    },
    IndicatorId: {
      type: 'string',
      enum: indicatorIds,
      description: 'An indicator of the catalogue (INDICATORS.md); `GET /v1/indicators` lists them with names and units.',
    },
    Period: { type: 'string', pattern: periodPattern, examples: ['2026', '2026-Q4', '2026-11', '2026-11-24', 'all'] },
    Indicator: {
      type: 'object',
      properties: {
        id: ref('IndicatorId'),
        pillar: { enum: ['party', 'skills', 'rights'] },
        kind: { enum: ['flow', 'stock', 'ratio'] },
        unit: { enum: ['count', 'percent', 'yuan'] },
        name: {
          type: 'object',
          properties: { zh: { type: 'string' }, en: { type: 'string' } },
          required: ['zh', 'en'],
          additionalProperties: false,
        },
        description: { type: 'string' },
      },
      required: ['id', 'pillar', 'kind', 'unit', 'name', 'description'],
      additionalProperties: false,
    },
    IndicatorValue: {
      type: 'object',
      description: 'One indicator for one division (or organisation) and period. Exactly one of `division` and `orgCode` is present.',
      properties: {
        indicator: ref('IndicatorId'),
        division: { type: 'string', pattern: '^[0-9]{12}$' },
        orgCode: { type: 'string' },
        period: ref('Period'),
        value,
        numerator: part,
        denominator: part,
        asOf: { type: 'string', format: 'date', description: 'The last Asia/Shanghai date the figure includes: the period’s end, or today while it runs.' },
      },
      required: ['indicator', 'period', 'value', 'asOf'],
      oneOf: [{ required: ['division'] }, { required: ['orgCode'] }],
      additionalProperties: false,
    },
    AnalyticsRow: {
      type: 'object',
      properties: {
        indicator: ref('IndicatorId'),
        division: { type: 'string', pattern: '^[0-9]{12}$' },
        period: ref('Period'),
        value,
        numerator: part,
        denominator: part,
      },
      required: ['indicator', 'division', 'period', 'value'],
      additionalProperties: false,
    },
    EventOutcome: {
      type: 'object',
      description: 'The processing outcome of one event; never its data.',
      properties: {
        source: { type: 'string' },
        id: { type: 'string' },
        type: { type: ['string', 'null'], description: 'The submitted type; `null` when it was missing or unreadable.' },
        outcome: { enum: ['accepted', 'duplicate', 'rejected'] },
        reason: ref('RejectionReason'),
        receivedAt: { type: 'string', format: 'date-time' },
        processedAt: { type: 'string', format: 'date-time' },
      },
      required: ['source', 'id', 'type', 'outcome', 'receivedAt', 'processedAt'],
      additionalProperties: false,
    },
    RejectionReason: {
      enum: ['invalid_envelope', 'invalid_data', 'unknown_type', 'forbidden_type', 'conflict', 'unknown_org'],
      description: 'Why an event was rejected (EVENTS.md, processing outcomes).',
    },
    CloudEvent: {
      description: 'An event of any contract type (the schemas `docs/contract/events/<type>.schema.json`, one per type).',
      oneOf: eventTypes.map((type) => ref(type)),
      discriminator: { propertyName: 'type', mapping: Object.fromEntries(eventTypes.map((type) => [type, `#/components/schemas/${type}`])) },
    },
    SubmissionResult: {
      type: 'object',
      description: 'What became of one submitted event, by its position in the request. `source`/`id` are present when they were well-formed.',
      properties: {
        index: { type: 'integer', minimum: 0 },
        source: { type: 'string' },
        id: { type: 'string' },
        status: { enum: ['queued', 'rejected'] },
        reason: {
          enum: ['invalid_envelope', 'invalid_data', 'unknown_type', 'forbidden_type', 'queue_unavailable'],
          description: '`queue_unavailable`: valid, but the queue did not take it; send it again.',
        },
        detail: { type: 'string', description: 'Fields and rules broken; never a submitted value.' },
      },
      required: ['index', 'status'],
      additionalProperties: false,
    },
    ...eventSchemas,
  };
}

function paths(): Record<string, JsonSchema> {
  const indicatorId = { name: 'id', in: 'path', required: true, schema: ref('IndicatorId') };
  return {
    '/v1/indicators': {
      get: {
        operationId: 'listIndicators',
        summary: 'The indicator catalogue',
        responses: {
          '200': {
            description: 'Every indicator, in catalogue order.',
            content: jsonContent({
              type: 'object',
              properties: { indicators: { type: 'array', items: ref('Indicator') } },
              required: ['indicators'],
              additionalProperties: false,
            }),
          },
          ...errors(400, 403),
        },
      },
    },
    '/v1/indicators/{id}': {
      get: {
        operationId: 'getIndicator',
        summary: 'One indicator for a division or an organisation and a period',
        parameters: [indicatorId, parameterRef('division'), parameterRef('orgCode'), parameterRef('period')],
        responses: {
          '200': { description: 'The figure.', content: jsonContent(ref('IndicatorValue')) },
          ...errors(400, 403, 404),
        },
      },
    },
    '/v1/analytics': {
      get: {
        operationId: 'getAnalytics',
        summary: 'Many indicators × periods × divisions, as JSON or CSV',
        description:
          'One row per combination; with `breakdown=children`, one row per child division of `division` instead of the division itself. At most 50 indicators × 60 periods × 100 divisions.',
        parameters: [
          {
            name: 'indicators',
            in: 'query',
            required: true,
            description: 'Comma-separated indicator ids, at most 50.',
            schema: { type: 'string' },
            example: 'skilled_workers,high_skilled_workers',
          },
          parameterRef('division'),
          parameterRef('orgCode'),
          {
            name: 'periods',
            in: 'query',
            required: true,
            description: 'Comma-separated periods (each as `period` of `GET /v1/indicators/{id}`), at most 60.',
            schema: { type: 'string' },
            example: '2026-01,2026-02',
          },
          { name: 'breakdown', in: 'query', description: 'One row per child division.', schema: { const: 'children' } },
          {
            name: 'Accept',
            in: 'header',
            description: '`text/csv` for CSV (UTF-8 with BOM, so Excel opens it).',
            schema: { enum: ['application/json', 'text/csv'] },
          },
        ],
        responses: {
          '200': {
            description: 'The rows.',
            content: {
              ...jsonContent({
                type: 'object',
                properties: { rows: { type: 'array', items: ref('AnalyticsRow') } },
                required: ['rows'],
              }),
              'text/csv': {
                schema: { type: 'string', description: 'A header line and one line per row; the columns are the fields of AnalyticsRow.' },
              },
            },
          },
          ...errors(400, 403, 404),
        },
      },
    },
    '/v1/events': {
      post: {
        operationId: 'submitEvents',
        summary: 'Validate events and queue the valid ones',
        description: `Needs the \`admin\` role. One CloudEvent or an array of 1–${maxEventsPerRequest}; the body is at most ${maxRequestBytes} bytes. Each event is validated at once; invalid ones are reported, not queued, and never make the request fail.`,
        requestBody: {
          required: true,
          content: jsonContent({
            oneOf: [ref('CloudEvent'), { type: 'array', minItems: 1, maxItems: maxEventsPerRequest, items: ref('CloudEvent') }],
          }),
        },
        responses: {
          '202': {
            description: 'One result per submitted event, in request order.',
            content: jsonContent({
              type: 'object',
              properties: { results: { type: 'array', items: ref('SubmissionResult') } },
              required: ['results'],
              additionalProperties: false,
            }),
          },
          ...errors(400, 403, 413),
        },
      },
    },
    '/v1/events/{source}/{id}': {
      get: {
        operationId: 'getEventOutcome',
        summary: 'The processing outcome of one event',
        description: 'An event outside the caller’s scope answers 404, as an unknown one does.',
        parameters: [
          { name: 'source', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z][a-z0-9.-]{1,63}$' } },
          { name: 'id', in: 'path', required: true, description: 'Percent-encoded.', schema: { type: 'string', minLength: 1, maxLength: 128 } },
        ],
        responses: {
          '200': { description: 'The recorded outcome.', content: jsonContent(ref('EventOutcome')) },
          ...errors(400, 403, 404),
        },
      },
    },
    '/v1/admin/rebuild': {
      post: {
        operationId: 'rebuildCounters',
        summary: 'Recompute every counter from the recorded accepted events',
        description: 'Needs the `admin` role.',
        responses: {
          '200': { description: 'The rebuild ran.', content: jsonContent({ type: 'object' }) },
          ...errors(400, 403),
        },
      },
    },
    '/v1/admin/reconcile': {
      get: {
        operationId: 'reconcileCounters',
        summary: 'Compare live counters with a recompute',
        description: 'Needs the `admin` role. An empty list of differences is the healthy answer.',
        responses: {
          '200': {
            description: 'Every difference between the live counters and a recompute.',
            content: jsonContent({
              type: 'object',
              properties: { differences: { type: 'array', items: { type: 'object' } } },
              required: ['differences'],
            }),
          },
          ...errors(400, 403),
        },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document of API.md: every route, bearer-JWT security with
 * the `role`/`scope` claims, problem+json errors with their stable `type`
 * URNs, and the event JSON Schemas as components.
 */
export function buildOpenApi(): JsonSchema {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect,
    info: {
      title: 'Reform indicators admin query API',
      version: apiVersion,
      description:
        'Zhong County industrial-workforce reform (产改) indicators: submit events, query indicators, check event outcomes. Errors are RFC 9457 problem details with a stable `type`; no personal data is ever returned.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'The local stack (`npm start`), loopback only.' }],
    security: [{ bearerJwt: [] }],
    paths: paths(),
    components: {
      securitySchemes: {
        bearerJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `Claims: \`role\` (\`admin\` | \`viewer\`) and \`scope\` (a 12-digit division code, e.g. ${rootDivision}). A caller sees only its scope’s subtree; admin routes need \`admin\`. In AWS the deployment's identity provider issues the token; locally \`npx reform token\` mints one.`,
        },
      },
      parameters,
      responses: problemResponses(),
      schemas: schemas(),
    },
  };
}
