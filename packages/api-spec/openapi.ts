/**
 * The OpenAPI 3.1 document of the admin query API (contract/API.md),
 * generated from the code it describes: indicator ids from the catalogue,
 * problem types from the API's one error mapping, request limits from the
 * handler, event bodies from the contract's JSON Schemas. Published as
 * `docs/contract/openapi.json` by `npm run contracts`.
 */
import { analyticsCsv, analyticsLimits } from '../../functions/api/analytics.ts';
import { maxEventsPerRequest, maxRequestBytes } from '../../functions/api/app.ts';
import type { ProblemSlug } from '../../functions/api/problems.ts';
import { problemTypes } from '../../functions/api/problems.ts';
import { loadDeploymentConfig } from '../config/deployment.ts';
import { eventTypes } from '../contract/event-types.ts';
import type { JsonSchema } from '../contract/json-schema.ts';
import { eventJsonSchema, jsonSchemaDialect } from '../contract/json-schema.ts';
import { indicatorCatalog } from '../indicators/catalog.ts';
import { maxListedDifferences } from '../maintenance/maintenance.ts';

/** Version of the API contract the document describes (API.md v1). */
export const apiVersion = '1.0.0';

/** `urn:reform-indicators:problem:<slug>`: the stable `type` of a problem response. */
export function problemTypeUri(slug: ProblemSlug): string {
  return `urn:reform-indicators:problem:${slug}`;
}

/** The period forms of INDICATORS.md: `2026`, `2026-Q4`, `2026-11`, `2026-11-24`, `all`. */
export const periodPattern = '^(all|[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?)$';

const { code: rootDivision, name: rootDivisionName } = loadDeploymentConfig({}).root;
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string): JsonSchema => ({ $ref: `#/components/responses/${name}` });
const parameterRef = (name: string): JsonSchema => ({ $ref: `#/components/parameters/${name}` });
const jsonContent = (schema: JsonSchema): JsonSchema => ({ 'application/json': { schema } });

/** The CSV header line the API writes, by scope kind: taken from the renderer itself, so it cannot drift. */
export function analyticsCsvColumns(byOrganisation: boolean): string[] {
  return analyticsCsv([], () => '', byOrganisation).replace(/^\uFEFF/, '').trim().split(',');
}

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
      description: 'One indicator for one division (or, with `orgCode=`, the organisation) and period. Exactly one of `division` and `orgCode` is present.',
      properties: {
        indicator: ref('IndicatorId'),
        division: { type: 'string', pattern: '^[0-9]{12}$' },
        orgCode: { type: 'string', pattern: '^[0-9A-Z]{18}$' },
        period: ref('Period'),
        value,
        numerator: part,
        denominator: part,
      },
      required: ['indicator', 'period', 'value'],
      oneOf: [{ required: ['division'] }, { required: ['orgCode'] }],
      additionalProperties: false,
    },
    CounterDifference: {
      type: 'object',
      description: 'One metric of one Counters item whose live value differs from the replay of the recorded accepted events. Keys name divisions, organisations and periods, never persons.',
      properties: {
        pk: { type: 'string', description: 'The item’s partition key, e.g. `DIV#500233000000`.' },
        sk: { type: 'string', description: 'The item’s sort key (the period bucket).' },
        metric: { type: 'string' },
        live: { type: ['number', 'null'], description: 'The stored value; `null` for a baseline item that is absent.' },
        recomputed: { type: ['number', 'null'], description: 'The value the replay gives; `null` for a baseline the replay does not produce.' },
      },
      required: ['pk', 'sk', 'metric', 'live', 'recomputed'],
      additionalProperties: false,
    },
    SkippedEvent: {
      type: 'object',
      description: 'A recorded accepted event that the replay could not apply: a sign of drift in itself (the event was applied live but would not be now).',
      properties: {
        source: { type: 'string' },
        id: { type: 'string' },
        type: { type: 'string' },
        outcome: { enum: ['reject', 'unknown_org'] },
        reason: { type: 'string', description: 'The rejection reason (`conflict`, `invalid_data`), or `unknown_org`; never an organisation code.' },
      },
      required: ['source', 'id', 'type', 'outcome', 'reason'],
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

/** Who may run rebuild and reconcile (functions/api/app.ts `requireCountyAdmin`). */
const adminMaintenanceAccess =
  'Needs the `admin` role and the deployment’s root scope (the whole county): both actions cover every division, so any other caller gets 403.';

/** How the admin routes run, and what a long run means for the caller. */
const maintenanceTimeNote =
  'Runs synchronously in the maintenance function (locally, in the API process); 503 `maintenance-unavailable` when none is configured. In AWS the API answers within 30 s, but the function may run for up to 15 minutes: when the request times out the function carries on, so for a large ledger invoke it directly (README, “Deploying to AWS”).';

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
        description: [
          'One row per indicator × scope × period: indicator by indicator as listed, then division (the division, or with `breakdown=children` each child division in tree order, instead of the division itself), then period as listed.',
          `At most ${analyticsLimits.indicators} indicators, ${analyticsLimits.periods} periods and ${analyticsLimits.divisions} divisions per request; every parameter is checked before anything is computed.`,
          'Without `division` and `orgCode` the rows are for the caller’s scope. `orgCode` gives rows for one organisation and cannot be combined with `division` or `breakdown`.',
          'Send `Accept: text/csv` (preferred over JSON by its q-value) for the same rows as CSV; anything else, or no `Accept`, gives JSON.',
        ].join(' '),
        parameters: [
          {
            name: 'indicators',
            in: 'query',
            required: true,
            description: `Comma-separated indicator ids, at most ${analyticsLimits.indicators}, no repeats.`,
            schema: { type: 'string' },
            example: 'skilled_workers,high_skilled_workers',
          },
          parameterRef('division'),
          parameterRef('orgCode'),
          {
            name: 'periods',
            in: 'query',
            required: true,
            description: `Comma-separated periods (each as \`period\` of \`GET /v1/indicators/{id}\`), at most ${analyticsLimits.periods}, no repeats.`,
            schema: { type: 'string' },
            example: '2026-01,2026-02',
          },
          {
            name: 'breakdown',
            in: 'query',
            description: `One row per child division of \`division\` (at most ${analyticsLimits.divisions}); 400 for a division without children, or with \`orgCode\`.`,
            schema: { const: 'children' },
          },
        ],
        responses: {
          '200': {
            description: 'The rows, as JSON or (with `Accept: text/csv`) CSV.',
            headers: {
              'Content-Disposition': {
                description: 'With `text/csv` only: `attachment; filename="reform-indicators.csv"`.',
                schema: { type: 'string' },
              },
            },
            content: {
              ...jsonContent({
                type: 'object',
                properties: { rows: { type: 'array', items: ref('AnalyticsRow') } },
                required: ['rows'],
                additionalProperties: false,
              }),
              'text/csv': {
                schema: {
                  type: 'string',
                  description: [
                    'RFC 4180 CSV in UTF-8 with a byte-order mark (so Excel reads the Chinese names), CRLF line ends, a header line, then one line per row in the JSON order.',
                    `Columns for a division: \`${analyticsCsvColumns(false).join(',')}\` (\`division_name\` is the Chinese name).`,
                    `With \`orgCode=\`: \`${analyticsCsvColumns(true).join(',')}\`.`,
                    '`value` is empty for a ratio whose denominator is 0; `numerator` and `denominator` are empty for counts and amounts.',
                  ].join(' '),
                },
                example: analyticsCsv(
                  [{ indicator: 'skilled_workers', division: rootDivision, period: '2026-Q4', value: 1520 }],
                  () => rootDivisionName.zh,
                  false,
                ).replace(/^\uFEFF/, ''),
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
        summary: 'Rebuild the Counters and State tables from the recorded accepted events',
        description: [
          adminMaintenanceAccess,
          'Replays every accepted event of the Ledger and makes the Counters and State tables exactly the replay’s result (items no event accounts for are deleted).',
          'Pause the processor (disable its event source mapping) while it runs: an event applied during the rebuild may be overwritten (a `reconcile` afterwards shows it; a second rebuild repairs it).',
          maintenanceTimeNote,
        ].join(' '),
        responses: {
          '200': {
            description: 'The rebuild finished: what it wrote and deleted.',
            content: jsonContent({
              type: 'object',
              properties: {
                rebuilt: {
                  type: 'object',
                  properties: {
                    counters: { type: 'integer', minimum: 0, description: 'Net-change counter items written.' },
                    baselines: { type: 'integer', minimum: 0, description: 'Baseline (opening balance) items written.' },
                    state: { type: 'integer', minimum: 0, description: 'State items written.' },
                    events: { type: 'integer', minimum: 0, description: 'Accepted events replayed.' },
                    deletedCounters: { type: 'integer', minimum: 0, description: 'Counters items no accepted event accounts for, deleted.' },
                    deletedState: { type: 'integer', minimum: 0, description: 'State items no accepted event accounts for, deleted.' },
                  },
                  required: ['counters', 'baselines', 'state', 'events', 'deletedCounters', 'deletedState'],
                  additionalProperties: false,
                },
                skippedEvents: { type: 'array', items: ref('SkippedEvent') },
              },
              required: ['rebuilt', 'skippedEvents'],
              additionalProperties: false,
            }),
          },
          ...errors(400, 403, 503),
        },
      },
    },
    '/v1/admin/reconcile': {
      get: {
        operationId: 'reconcileCounters',
        summary: 'Compare the live counters with a replay of the recorded accepted events',
        description: [
          adminMaintenanceAccess,
          'Read-only. `differenceCount: 0` and no `skippedEvents` is the healthy answer.',
          maintenanceTimeNote,
        ].join(' '),
        responses: {
          '200': {
            description: 'Every difference between the live Counters table and the replay.',
            content: jsonContent({
              type: 'object',
              properties: {
                differences: {
                  type: 'array',
                  maxItems: maxListedDifferences,
                  items: ref('CounterDifference'),
                  description: `Sorted by \`pk\`, \`sk\`, \`metric\`; the first ${maxListedDifferences} only (see \`truncated\`).`,
                },
                differenceCount: { type: 'integer', minimum: 0, description: 'All differences, listed or not.' },
                truncated: { type: 'boolean', description: `True when there are more than ${maxListedDifferences} differences.` },
                checkedItems: { type: 'integer', minimum: 0, description: 'Counters items compared (live or recomputed).' },
                events: { type: 'integer', minimum: 0, description: 'Accepted events replayed.' },
                skippedEvents: { type: 'array', items: ref('SkippedEvent') },
              },
              required: ['differences', 'differenceCount', 'truncated', 'checkedItems', 'events', 'skippedEvents'],
              additionalProperties: false,
            }),
          },
          ...errors(400, 403, 503),
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
        'Zhong County industrial-workforce reform (产改) indicators: submit events, query indicators and analytics, check event outcomes, rebuild and reconcile counters. Errors are RFC 9457 problem details with a stable `type`; no personal data is ever returned.',
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
