/**
 * The route table of contract/API.md. The router (router.ts), the OpenAPI
 * document (openapi.ts) and the CLI client's types (client-types.ts) all read
 * this one list: to add a route, add an entry.
 */
import * as z from 'zod/mini';
import { eventTypes } from '../contract/event-types.ts';
import { asOfDate, parsePeriod } from '../indicators/period.ts';
import { analyticsCsv, analyticsLimits } from './analytics.ts';
import { analyticsQuery, getAnalytics } from './analytics-route.ts';
import { getEventOutcome, maxEventsPerRequest, maxRequestBytes, submitEvents } from './event-routes.ts';
import { listRejections, rejectionLimits, rejectionsQuery } from './rejections-route.ts';
import { explainEventsQuery, explainQuery, getContributingEvents, getExplanation } from './explain-routes.ts';
import { maxEventsPerPage, maxReadsPerPage } from '../explain/explainer.ts';
import { figureFields } from './figures.ts';
import { servedOpenApi } from './openapi-served.ts';
import { createPublication, cursorQuery, frozenFigure, getEditionFigures, getPublication, getRevisions, listPublications, publishBodySchema, revisionDivisionsPerPage } from './publication-routes.ts';
import { deleteTarget, listTargets, putTarget, targetBodySchema, targetListQuery, targetQuery, withTargets } from './target-routes.ts';
import { ApiError } from './problems.ts';
import { defineRoute } from './route.ts';
import {
  analyticsPage,
  catalogueResponse,
  contributingEventsPage,
  explanation,
  editionFiguresPage,
  revisionsPage,
  eventOutcome,
  healthResponse,
  indicatorFigure,
  indicatorId,
  openApiDocument,
  periodText,
  publicationId,
  publicationsPage,
  publicationSummary,
  rebuildResponse,
  reconcileResponse,
  rejectionsPage,
  scopeQuery,
  submissionResults,
  targetShape,
  targetsResponse,
} from './schemas.ts';

/** Version of the API contract (API.md v1.1). */
export const apiVersion = '1.1.0';

const noQuery = z.strictObject({});
const anyRole = ['admin', 'viewer'] as const;
const countyDivision = '500233000000';
/** A publication id as the publish route makes them, for the document's examples. */
export const examplePublicationId = '2026-Q3-20261008T020000Z-0a1b';

export const healthRoute = defineRoute({
  method: 'GET',
  path: '/v1/health',
  operationId: 'getHealth',
  summary: 'Liveness: the API answers; no auth, no data',
  access: 'public',
  query: noQuery,
  successStatus: 200,
  response: healthResponse,
  problems: [400],
  handle: async () => ({ status: 'ok' as const, version: apiVersion }),
});

export const openApiRoute = defineRoute({
  method: 'GET',
  path: '/v1/openapi.json',
  operationId: 'getOpenApi',
  summary: 'This document',
  access: 'public',
  query: noQuery,
  successStatus: 200,
  response: openApiDocument,
  problems: [400],
  // The document is generated from this table by `npm run contracts` and shipped packed (openapi-served.ts).
  handle: async () => ({
    raw: { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'max-age=300' }, body: servedOpenApi() },
  }),
});

export const listIndicatorsRoute = defineRoute({
  method: 'GET',
  path: '/v1/indicators',
  operationId: 'listIndicators',
  summary: 'The indicator catalogue',
  access: anyRole,
  query: noQuery,
  successStatus: 200,
  response: catalogueResponse,
  problems: [400, 403],
  handle: async ({ deps }) => ({
    indicators: deps.catalog.map(({ id, pillar, kind, unit, name, description }) => ({ id, pillar, kind, unit, name, description })),
  }),
});

export const getIndicatorRoute = defineRoute({
  method: 'GET',
  path: '/v1/indicators/{id}',
  operationId: 'getIndicator',
  summary: 'One indicator for a division or an organisation and a period',
  description: [
    'Without `division` and `orgCode` the figure is for the caller’s division. An organisation outside the caller’s division answers 404, exactly as an unknown one.',
    'With `edition=<publication id>` the figure is the one frozen in that publication (with `edition` set), never the live one; the period must be the publication’s, and an edition holds divisions only (`orgCode` with `edition` is refused).',
    'A year’s figure (`period=2027`) of a division with a target for that year and indicator carries `target` and `progress` (value ÷ target in percent, half-up to 2 decimals); figures of other periods carry neither.',
  ].join(' '),
  access: anyRole,
  query: z.strictObject({ ...scopeQuery, period: periodText, edition: z.optional(publicationId) }),
  pathParameters: { id: { schema: indicatorId } },
  successStatus: 200,
  response: indicatorFigure,
  problems: [400, 403, 404],
  example: { query: { division: countyDivision, period: '2026-Q4' }, params: { id: 'skilled_workers' } },
  handle: async ({ caller, query, params, deps, scopes }) => {
    const id = params['id'] ?? '';
    const definition = deps.catalog.find((d) => d.id === id);
    if (definition === undefined) throw new ApiError('unknown-indicator', `no indicator ${JSON.stringify(id.slice(0, 64))}; GET /v1/indicators lists them`);
    const period = parsePeriod(query.period);
    if (query.edition !== undefined && query.orgCode !== undefined) throw new ApiError('invalid-parameter', 'an edition holds divisions only: give division, not orgCode, with edition');
    const scope = await scopes.resolve(caller, query);
    if (query.edition !== undefined && 'division' in scope) {
      const [frozen] = await withTargets([await frozenFigure(deps, definition, scope.division, period.text, query.edition)], deps.targets);
      return frozen as NonNullable<typeof frozen>;
    }
    const [figures] = await deps.indicators.evaluateAll([definition], [{ scope, period }]);
    const figure = figures?.[0];
    if (figure === undefined) throw new Error('the evaluator returned no figure');
    const [live] = await withTargets([{ indicator: definition.id, ...scope, period: period.text, ...figureFields(figure), asOf: asOfDate(period, deps.now()) }], deps.targets);
    return live as NonNullable<typeof live>;
  },
});

export const analyticsRoute = defineRoute({
  method: 'GET',
  path: '/v1/analytics',
  operationId: 'getAnalytics',
  summary: 'Many indicators × periods × divisions, as JSON or CSV, in pages',
  description: [
    `At most ${analyticsLimits.indicators} indicators, ${analyticsLimits.periods} periods and ${analyticsLimits.divisions} divisions per request; every parameter is checked before anything is computed.`,
    '`indicators` and `periods` are comma-separated, without repeats. Without `division` and `orgCode` the rows are for the caller’s division; `breakdown=children` gives one row per child division instead.',
    'A large answer comes in pages of whole divisions: pass the `next` of one page as `cursor` (with the same parameters) for the following one; the last page has no `next` (CSV: the `X-Next-Cursor` header).',
    'Within a page rows come indicator by indicator as listed, then division, then period as listed.',
    'A year row of a division with a target set for that year carries `target` and `progress` (the CSV then has two more columns, `target,progress`): one more Query per division of the page when a year is asked for.',
    'DynamoDB-read budget: a page reads each counter item it needs at most once, batched (BatchGetItem for single items, one Query per run of items), plus one Query per stock metric for baselines: at most 2,236 requests for the largest request, all pages together (`npm run bench` measures it). An organisation (`orgCode`) is read once per request from its explain entries (one paged Query).',
  ].join(' '),
  access: anyRole,
  query: analyticsQuery,
  successStatus: 200,
  response: analyticsPage,
  csv: `RFC 4180 CSV in UTF-8 with a byte-order mark, CRLF line ends, a header line, then one line per row in the JSON order. Columns for a division: \`${analyticsCsv([], () => '', false).replace(/^\uFEFF/, '').trim()}\` (\`division_name\` is the Chinese name); with \`orgCode=\`: \`${analyticsCsv([], () => '', true).replace(/^\uFEFF/, '').trim()}\`. No cell starts with =, +, - or @ unless it is a number.`,
  problems: [400, 403, 404],
  example: { query: { indicators: 'skilled_workers,high_skilled_workers', periods: '2026-01,2026-02', division: countyDivision, breakdown: 'children' } },
  handle: getAnalytics,
});

export const eventOutcomeRoute = defineRoute({
  method: 'GET',
  path: '/v1/events/{source}/{id}',
  operationId: 'getEventOutcome',
  summary: 'The processing outcome of one event, including events rejected at the edge',
  description: 'A producer sees its own source’s events; others the events counted within their division. Anything else answers 404, as an unknown event does.',
  access: ['admin', 'viewer', 'producer'],
  query: noQuery,
  pathParameters: {
    source: { schema: z.string().check(z.regex(/^[a-z_][a-z0-9._-]{1,63}$/)) },
    id: { schema: z.string().check(z.minLength(1), z.maxLength(128)), description: 'Percent-encoded.' },
  },
  successStatus: 200,
  response: eventOutcome,
  problems: [400, 403, 404],
  example: { params: { source: 'hrss.zhongxian', id: 'ev-1' } },
  handle: getEventOutcome,
});

export const submitEventsRoute = defineRoute({
  method: 'POST',
  path: '/v1/events',
  operationId: 'submitEvents',
  summary: 'Validate events, queue the valid ones, record the rejected ones',
  description: [
    `One CloudEvent or an array of 1–${maxEventsPerRequest}; the body is at most ${maxRequestBytes} bytes. Each event is validated at once, exactly as the processor validates it.`,
    'A `producer` may send only events whose `source` equals its `source` claim: another source’s event is rejected `forbidden_type` (detail: the token’s own source only) and recorded. An `admin` of the root division may send as any source; anyone else gets 403.',
    'Every rejected event is recorded in the Ledger, so `GET /v1/events/{source}/{id}` answers for it.',
  ].join(' '),
  access: ['admin', 'viewer', 'producer'],
  query: noQuery,
  requestBody: {
    oneOf: [
      { $ref: '#/components/schemas/CloudEvent' },
      { type: 'array', minItems: 1, maxItems: maxEventsPerRequest, items: { $ref: '#/components/schemas/CloudEvent' } },
    ],
  },
  successStatus: 202,
  response: submissionResults,
  problems: [400, 403, 413],
  handle: submitEvents,
});

export const rejectionsRoute = defineRoute({
  method: 'GET',
  path: '/v1/rejections',
  operationId: 'listRejections',
  summary: 'The rejected events of the last days, counted by reason and listed newest first, in pages',
  description: [
    `\`days\` (1–${rejectionLimits.maxDays}, default ${rejectionLimits.defaultDays}) counts back from today (UTC). \`byReason\` and \`total\` cover the whole window; \`reason\` filters the list only; \`limit\` (at most ${rejectionLimits.maxPageSize}, default ${rejectionLimits.defaultPageSize}) rows a page, \`next\` → \`cursor\` for the following one.`,
    'Scope as for an event’s outcome: a producer sees its own source’s rejections, others those within their division. A rejection records no division, so only callers of the root division see them; others get an empty answer, not 403.',
    `A rejection lists only values that passed validation (source, id, type) and a detail that names fields, never values. One request reads at most ${rejectionLimits.maxRead} records from the Ledger’s rejections index; \`truncated\` says the window held more.`,
  ].join(' '),
  access: ['admin', 'viewer', 'producer'],
  query: rejectionsQuery,
  successStatus: 200,
  response: rejectionsPage,
  problems: [400, 403],
  example: { query: { days: '7' } },
  handle: listRejections,
});

const maintenanceNote =
  'Needs the `admin` role for the root division. Runs synchronously in the maintenance function (locally, in the API process); 503 `maintenance-unavailable` when none is configured.';

export const rebuildRoute = defineRoute({
  method: 'POST',
  path: '/v1/admin/rebuild',
  operationId: 'rebuildCounters',
  summary: 'Rebuild the Counters and State tables from the recorded accepted events',
  description: `${maintenanceNote} Pauses processing itself while it runs (events wait in the queue), and resumes it. Where the replay moves a figure away from what its explain entries add up to (a domain fix, a changed reward policy), it writes the difference as correction entries — \`rebuilt.corrections\` of them, listed by the explain and revisions routes beside the events as \`source\` \`reform-indicators\`, \`id\` \`rebuilt.correctionId\`, \`type\` \`rebuild.correction\` — so every figure stays its baseline plus the effects listed for it.`,
  access: ['admin'],
  query: noQuery,
  successStatus: 200,
  response: rebuildResponse,
  problems: [400, 403, 409, 503],
  handle: async ({ caller, deps, scopes }) => {
    scopes.requireRootAdmin(caller, 'rebuilding counters');
    const { rebuilt, skippedEvents } = await deps.maintenance.run('rebuild');
    return { rebuilt, skippedEvents: [...skippedEvents] };
  },
});

export const reconcileRoute = defineRoute({
  method: 'GET',
  path: '/v1/admin/reconcile',
  operationId: 'reconcileCounters',
  summary: 'Compare the live counters with a replay of the recorded accepted events',
  description: `${maintenanceNote} Read-only; \`differenceCount: 0\` and no \`skippedEvents\` is the healthy answer. A difference with \`sk\` \`X#M#…\` is a division's month as its explain entries add it up, against the replay (its \`M#…\` item is compared as stored).`,
  access: ['admin'],
  query: noQuery,
  successStatus: 200,
  response: reconcileResponse,
  problems: [400, 403, 409, 503],
  handle: async ({ caller, deps, scopes }) => {
    scopes.requireRootAdmin(caller, 'reconciling counters');
    const { differences, differenceCount, truncated, checkedItems, events, skippedEvents } = await deps.maintenance.run('reconcile');
    return { differences: [...differences], differenceCount, truncated, checkedItems, events, skippedEvents: [...skippedEvents] };
  },
});

export const explainRoute = defineRoute({
  method: 'GET',
  path: '/v1/indicators/{id}/explain',
  operationId: 'explainIndicator',
  summary: 'Where a figure comes from: each part’s baseline and net change from events',
  description: [
    'For each part (`value`, or a ratio’s `numerator` and `denominator`): the counter metric, the baseline used (a stock’s opening balance: the division’s own, with the event that recorded it, or the adjustment the baselines below it make), the net change from events and how many are listed.',
    'Invariant, for every indicator, scope and period: a part’s `value` equals its baseline’s value plus `change`, the sum of the `effect`s `GET /v1/indicators/{id}/events` lists for it. Scope rules as for `GET /v1/indicators/{id}`.',
  ].join(' '),
  access: anyRole,
  query: explainQuery,
  pathParameters: { id: { schema: indicatorId } },
  successStatus: 200,
  response: explanation,
  problems: [400, 403, 404],
  example: { query: { division: countyDivision, period: '2026' }, params: { id: 'skilled_workers' } },
  handle: getExplanation,
});

export const contributingEventsRoute = defineRoute({
  method: 'GET',
  path: '/v1/indicators/{id}/events',
  operationId: 'listContributingEvents',
  summary: 'The events behind one part of a figure, with their signed effects, in pages',
  description: [
    `One row per event and place it changed the part on one day (an event that moved a count from another day, or that counts in two townships, has a row for each): \`date\` is that day, \`division\` / \`orgCode\` where it is recorded (a division’s own share: a contract of employers in two townships counts +1 in each and −1 at the county), \`effect\` its signed change (yuan for money).`,
    `\`part\` is \`value\` (the default) or, for a ratio, \`numerator\` or \`denominator\` (required). Rows come division by division in tree order, by day within one. Pages hold at most ${maxEventsPerPage} rows and are served in at most ${maxReadsPerPage} DynamoDB reads (so a page may hold fewer rows); pass \`next\` as \`cursor\` (CSV: the \`X-Next-Cursor\` header).`,
    'No personal data: a person appears in no row.',
    'A row with `source` `reform-indicators` and `type` `rebuild.correction` is not an event: it is a rebuild’s correction (`id` `rebuild-<time>`), where a replay moved the part away from what the events’ recorded effects add up to (a domain fix, a reward policy edited in place), so that the rows still add up to the part.',
  ].join(' '),
  access: anyRole,
  query: explainEventsQuery,
  pathParameters: { id: { schema: indicatorId } },
  successStatus: 200,
  response: contributingEventsPage,
  csv: 'RFC 4180 CSV in UTF-8 with a byte-order mark, CRLF line ends; columns `source,id,type,date,division,org_code,processed_at,effect`.',
  problems: [400, 403, 404],
  example: { query: { division: countyDivision, period: '2026', part: 'value' }, params: { id: 'skilled_workers' } },
  handle: getContributingEvents,
});

export const publishRoute = defineRoute({
  method: 'POST',
  path: '/v1/admin/publications',
  operationId: 'publish',
  summary: 'Freeze every indicator of every division (and the root) for a period, as of now',
  description: [
    'Needs the `admin` role for the root division. Runs in the maintenance function (locally, in the API process), which pauses processing while it computes the figures and takes `publishedAt` before resuming: an event either counts in the edition or is processed after `publishedAt`.',
    '`figures` is the number of figures frozen; `digest` the SHA-256 (hex) of the edition’s canonical CSV, which `GET /v1/publications/{id}/figures` with `Accept: text/csv` returns byte for byte.',
    'A publication is never changed or deleted: there is no route to do so, and the API’s role cannot write one.',
  ].join(' '),
  access: ['admin'],
  query: noQuery,
  requestBody: publishBodySchema,
  successStatus: 201,
  response: publicationSummary,
  problems: [400, 403, 409, 503],
  handle: createPublication,
});

export const listPublicationsRoute = defineRoute({
  method: 'GET',
  path: '/v1/publications',
  operationId: 'listPublications',
  summary: 'Publications, newest first, in pages of 100',
  access: anyRole,
  query: cursorQuery,
  successStatus: 200,
  response: publicationsPage,
  problems: [400, 403],
  handle: listPublications,
});

export const getPublicationRoute = defineRoute({
  method: 'GET',
  path: '/v1/publications/{id}',
  operationId: 'getPublication',
  summary: 'One publication',
  access: anyRole,
  query: noQuery,
  pathParameters: { id: { schema: publicationId } },
  successStatus: 200,
  response: publicationSummary,
  problems: [400, 403, 404],
  example: { params: { id: examplePublicationId } },
  handle: getPublication,
});

export const editionFiguresRoute = defineRoute({
  method: 'GET',
  path: '/v1/publications/{id}/figures',
  operationId: 'getPublicationFigures',
  summary: 'The figures frozen in a publication, as JSON or as its canonical CSV, in pages',
  description: [
    'Rows come division by division in the edition’s order (the root first, then the tree depth-first), within a division in catalogue order; a page holds up to 500 whole divisions (`next` / the `X-Next-Cursor` header).',
    'A caller of the root division gets every row, and with `Accept: text/csv` the bodies of the pages put together are exactly the stored canonical CSV: their SHA-256 is the publication’s `digest`.',
    'A caller below the root gets only its subtree’s rows: an extract, to which the digest does not apply.',
  ].join(' '),
  access: anyRole,
  query: cursorQuery,
  pathParameters: { id: { schema: publicationId } },
  successStatus: 200,
  response: editionFiguresPage,
  csv: 'The canonical CSV: UTF-8 with a byte-order mark, CRLF line ends, header `indicator,division,period,value,numerator,denominator`, one line per figure; `value` exact (empty for a ratio whose denominator is 0), numerator and denominator for ratios only.',
  problems: [400, 403, 404],
  example: { params: { id: examplePublicationId } },
  handle: getEditionFigures,
});

export const revisionsRoute = defineRoute({
  method: 'GET',
  path: '/v1/publications/{id}/revisions',
  operationId: 'getPublicationRevisions',
  summary: 'Every published figure whose live value now differs, with the late events that moved it',
  description: [
    'For each frozen figure (of the caller’s subtree) whose live value differs: published, live and their difference, each part’s (a ratio’s numerator and denominator) own difference, and the events processed after `publishedAt` that changed it, with their effect on each part: a part’s effects add up to its difference exactly (a stock whose baseline was recorded late lists the baseline’s event for the baseline’s change).',
    `Pages of ${revisionDivisionsPerPage} divisions in the edition’s order (\`next\`). Late events are never rejected for being late; a publication never changes.`,
  ].join(' '),
  access: anyRole,
  query: cursorQuery,
  pathParameters: { id: { schema: publicationId } },
  successStatus: 200,
  response: revisionsPage,
  problems: [400, 403, 404],
  example: { params: { id: examplePublicationId } },
  handle: getRevisions,
});

const targetsNote =
  'A target is for one indicator, division and year. Only a figure of exactly that year (`period=2027`, not a quarter or month of it) carries `target` and `progress` = value ÷ target × 100, rounded half-up to 2 decimals (exact for money). An admin may set targets within its own division’s subtree.';

export const putTargetRoute = defineRoute({
  method: 'PUT',
  path: '/v1/targets/{id}',
  operationId: 'setTarget',
  summary: 'Set (or replace) the target of an indicator for a division and year',
  description: `${targetsNote} Without \`division\` the caller’s own.`,
  access: ['admin'],
  query: targetQuery,
  pathParameters: { id: { schema: indicatorId, description: 'The indicator.' } },
  requestBody: targetBodySchema,
  successStatus: 200,
  response: targetShape,
  problems: [400, 403, 404, 503],
  example: { query: { division: countyDivision, period: '2026' }, params: { id: 'skilled_workers' } },
  handle: putTarget,
});

export const deleteTargetRoute = defineRoute({
  method: 'DELETE',
  path: '/v1/targets/{id}',
  operationId: 'deleteTarget',
  summary: 'Remove the target of an indicator for a division and year',
  description: `${targetsNote} 404 when none is set.`,
  access: ['admin'],
  query: targetQuery,
  pathParameters: { id: { schema: indicatorId, description: 'The indicator.' } },
  successStatus: 200,
  response: z.object({ indicator: indicatorId, division: z.string(), period: z.string() }),
  problems: [400, 403, 404, 503],
  example: { query: { division: countyDivision, period: '2026' }, params: { id: 'skilled_workers' } },
  handle: deleteTarget,
});

export const listTargetsRoute = defineRoute({
  method: 'GET',
  path: '/v1/targets',
  operationId: 'listTargets',
  summary: 'The targets set for a division (optionally one year)',
  description: `${targetsNote} Without \`division\` the caller’s own.`,
  access: anyRole,
  query: targetListQuery,
  successStatus: 200,
  response: targetsResponse,
  problems: [400, 403, 404, 503],
  example: { query: { division: countyDivision, period: '2026' } },
  handle: listTargets,
});

/** Every route, in the order the OpenAPI document lists them. */
export const routeTable = [
  healthRoute,
  openApiRoute,
  listIndicatorsRoute,
  getIndicatorRoute,
  explainRoute,
  contributingEventsRoute,
  analyticsRoute,
  eventOutcomeRoute,
  submitEventsRoute,
  rejectionsRoute,
  rebuildRoute,
  reconcileRoute,
  publishRoute,
  listPublicationsRoute,
  getPublicationRoute,
  editionFiguresRoute,
  revisionsRoute,
  putTargetRoute,
  deleteTargetRoute,
  listTargetsRoute,
] as const;

/** The event types `POST /v1/events` accepts, for the document's request schema. */
export const acceptedEventTypes = eventTypes;

/** Routes that need no token (`GET /v1/health`, `GET /v1/openapi.json`): the authorizer must let them through. */
export const publicRoutes: readonly { readonly method: string; readonly path: string }[] = (routeTable as readonly { method: string; path: string; access: unknown }[])
  .filter((route) => route.access === 'public')
  .map(({ method, path }) => ({ method, path }));
