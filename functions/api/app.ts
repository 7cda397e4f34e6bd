/**
 * The admin query API (contract/API.md) as a function of its dependencies:
 * routes, authorisation by scope, input checks and response shapes. The
 * Lambda entry point (handler.ts) wires real dependencies; tests pass fakes.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Claims } from '../../packages/auth/claims.ts';
import { claimsFromAuthorizer } from '../../packages/auth/claims.ts';
import type { DivisionTree } from '../../packages/config/deployment.ts';
import type { IndicatorDefinition } from '../../packages/indicators/catalog.ts';
import type { CounterScope } from '../../packages/indicators/counter-source.ts';
import type { IndicatorValue } from '../../packages/indicators/evaluator.ts';
import type { Period } from '../../packages/indicators/period.ts';
import { asOfDate, parsePeriod } from '../../packages/indicators/period.ts';
import type { MaintenanceRunner } from '../../packages/maintenance/maintenance.ts';
import type { EventOutcomeReader } from '../../packages/storage/ledger-reader.ts';
import type { OrganisationReader } from '../../packages/storage/org-reader.ts';
import type { AnalyticsRow } from './analytics.ts';
import { analyticsConcurrency, analyticsCsv, analyticsLimits, listParameter, mapWithConcurrency, prefersCsv } from './analytics.ts';
import type { ApiLogger } from './problems.ts';
import { ApiError, problemResponse } from './problems.ts';

/** What `validateEvent` from packages/contract returns. */
export type EventValidation =
  | { readonly ok: true; readonly event: { readonly source: string; readonly id: string } }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly detail: string;
      readonly key?: { readonly source: string; readonly id: string };
      readonly type?: string;
    };

/** The contract's validator (packages/contract `validateEvent`). */
export type EventValidator = (
  body: unknown,
  options: {
    readonly now: Date;
    readonly sources: Readonly<Record<string, readonly string[]>>;
    readonly isDivision?: (code: string) => boolean;
  },
) => EventValidation;

/** Sends event bodies to the events queue. */
export interface EventQueue {
  /** Queues each body; resolves to the indexes (into `bodies`) that the queue did not take. */
  send(bodies: readonly string[]): Promise<ReadonlySet<number>>;
}

/** Computes catalogue entries (packages/indicators `IndicatorEvaluator`). */
export interface IndicatorComputation {
  evaluate(definitions: readonly IndicatorDefinition[], scope: CounterScope, period: Period): Promise<IndicatorValue[]>;
}

export interface ApiDependencies {
  readonly catalog: readonly IndicatorDefinition[];
  readonly indicators: IndicatorComputation;
  readonly ledger: EventOutcomeReader;
  readonly organisations: OrganisationReader;
  readonly queue: EventQueue;
  readonly divisions: DivisionTree;
  /** Source → event types it may send (deployment configuration). */
  readonly sources: Readonly<Record<string, readonly string[]>>;
  readonly validateEvent: EventValidator;
  /** Runs rebuild and reconcile (the maintenance function in AWS). */
  readonly maintenance: MaintenanceRunner;
  readonly now: () => Date;
  readonly logger?: ApiLogger;
}

export type ApiHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer) => Promise<APIGatewayProxyStructuredResultV2>;

/** Largest request body accepted, bytes (the local server enforces the same). */
export const maxRequestBytes = 1024 * 1024;
/** Most events in one `POST /v1/events`. */
export const maxEventsPerRequest = 100;

interface ApiRequest {
  readonly claims: Claims;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly pathParameters: readonly string[];
  readonly event: APIGatewayProxyEventV2WithJWTAuthorizer;
}

type RouteHandler = (request: ApiRequest) => Promise<APIGatewayProxyStructuredResultV2>;

interface Route {
  readonly pattern: RegExp;
  readonly methods: Readonly<Record<string, RouteHandler>>;
}

const divisionPattern = /^\d{12}$/;
const orgCodePattern = /^[0-9A-Z]{18}$/;

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/** Refuses any query parameter outside `allowed`: a typo must not silently widen a query. */
function onlyParameters(request: ApiRequest, allowed: readonly string[]): void {
  const unknown = Object.keys(request.query).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    const accepted = allowed.length === 0 ? 'this route takes none' : `accepted: ${allowed.join(', ')}`;
    throw new ApiError('unknown-parameter', `unknown query parameter ${unknown.map((n) => JSON.stringify(n.slice(0, 40))).join(', ')}; ${accepted}`);
  }
}

/**
 * Builds the API: `(event) => response` for an API Gateway HTTP API (payload
 * v2.0, JWT authorizer) event.
 */
export function createApiHandler(deps: ApiDependencies): ApiHandler {
  const { divisions } = deps;
  const byId = new Map(deps.catalog.map((d) => [d.id, d]));

  const requireWithinScope = (division: string, claims: Claims, what: string): void => {
    if (!divisions.isWithin(division, claims.scope)) {
      throw new ApiError('forbidden', `${what} lies outside your scope ${claims.scope}`);
    }
  };

  const listIndicators: RouteHandler = async (request) => {
    onlyParameters(request, []);
    return json(200, {
      indicators: deps.catalog.map(({ id, pillar, kind, unit, name, description }) => ({ id, pillar, kind, unit, name, description })),
    });
  };

  /**
   * `GET /v1/indicators/{id}?period=…&(division=…|orgCode=…)`. `period` is
   * required (400 missing-parameter without it). Without division and orgCode
   * the figure is for the caller's own scope. An orgCode is checked against
   * the registry (404 if unknown) and the caller's scope (403).
   */
  const getIndicator: RouteHandler = async (request) => {
    onlyParameters(request, ['division', 'orgCode', 'period']);
    const id = request.pathParameters[0] ?? '';
    const definition = byId.get(id);
    if (definition === undefined) throw new ApiError('unknown-indicator', `no indicator ${JSON.stringify(id.slice(0, 64))}; GET /v1/indicators lists them`);
    const { division, orgCode, period: periodText } = request.query;
    if (periodText === undefined) throw new ApiError('missing-parameter', 'period is required: YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or all');
    if (division !== undefined && orgCode !== undefined) throw new ApiError('invalid-parameter', 'give division or orgCode, not both');
    const period = parsePeriod(periodText);
    let scope: CounterScope;
    if (orgCode !== undefined) {
      if (!orgCodePattern.test(orgCode)) throw new ApiError('invalid-parameter', 'orgCode must be an 18-character unified social credit code');
      const organisation = await deps.organisations.organisation(orgCode);
      if (organisation === undefined) throw new ApiError('unknown-organisation', `no organisation ${orgCode} is registered`);
      requireWithinScope(organisation.division, request.claims, `organisation ${orgCode}`);
      scope = { orgCode };
    } else {
      const code = division ?? request.claims.scope;
      if (!divisionPattern.test(code)) throw new ApiError('invalid-parameter', 'division must be a 12-digit division code');
      if (!divisions.has(code)) throw new ApiError('unknown-division', `no division ${code} in this deployment`);
      requireWithinScope(code, request.claims, `division ${code}`);
      scope = { division: code };
    }
    const [figure] = await deps.indicators.evaluate([definition], scope, period);
    if (figure === undefined) throw new Error('the evaluator returned no figure');
    return json(200, {
      indicator: definition.id,
      ...scope,
      period: period.text,
      ...figureFields(figure),
      asOf: asOfDate(period, deps.now()),
    });
  };

  /**
   * `GET /v1/events/{source}/{id}` (segments percent-decoded). `type` is null
   * for an event rejected before its type could be read.
   */
  const getEventOutcome: RouteHandler = async (request) => {
    onlyParameters(request, []);
    const [source = '', id = ''] = request.pathParameters;
    const notFound = new ApiError('unknown-event', 'no outcome recorded for this event within your scope');
    // Longer than the contract allows (or a message id): cannot exist, so no read.
    if (source.length > 64 || id.length > 128) throw notFound;
    const outcome = await deps.ledger.outcomeOf(source, id);
    // Same answer for "absent" and "outside your scope": existence must not leak.
    const visible =
      outcome !== undefined && (request.claims.scope === divisions.rootCode || outcome.divisions.includes(request.claims.scope));
    if (!visible) throw notFound;
    return json(200, {
      source: outcome.source,
      id: outcome.id,
      type: outcome.type ?? null,
      outcome: outcome.outcome,
      ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
      receivedAt: outcome.receivedAt,
      processedAt: outcome.processedAt,
    });
  };

  const submitEvents: RouteHandler = async (request) => {
    onlyParameters(request, []);
    if (request.claims.role !== 'admin') throw new ApiError('forbidden', 'submitting events needs the admin role');
    const raw = request.event.body ?? '';
    const text = request.event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (Buffer.byteLength(text) > maxRequestBytes) throw new ApiError('payload-too-large', `the body exceeds ${maxRequestBytes} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (cause) {
      throw new ApiError('invalid-body', 'the body is not JSON', { cause });
    }
    if (body === null || typeof body !== 'object') throw new ApiError('invalid-body', 'the body must be one CloudEvent (object) or an array of them');
    const events: unknown[] = Array.isArray(body) ? body : [body];
    if (events.length === 0) throw new ApiError('invalid-body', 'the array is empty');
    if (events.length > maxEventsPerRequest) throw new ApiError('invalid-body', `at most ${maxEventsPerRequest} events per request`);

    const now = deps.now();
    const options = { now, sources: deps.sources, isDivision: (code: string) => divisions.has(code) };
    const validations = events.map((event) => deps.validateEvent(event, options));
    const queuedIndexes: number[] = [];
    const bodies: string[] = [];
    validations.forEach((validation, index) => {
      if (validation.ok) {
        queuedIndexes.push(index);
        bodies.push(JSON.stringify(events[index]));
      }
    });
    const notTaken = bodies.length === 0 ? new Set<number>() : await deps.queue.send(bodies);
    const notTakenIndexes = new Set([...notTaken].map((i) => queuedIndexes[i]));

    const results = validations.map((validation, index) => {
      if (!validation.ok) {
        return {
          index,
          ...(validation.key ?? {}),
          status: 'rejected' as const,
          reason: validation.reason,
          detail: validation.detail,
        };
      }
      const { source, id } = validation.event;
      return notTakenIndexes.has(index)
        ? { index, source, id, status: 'rejected' as const, reason: 'queue_unavailable', detail: 'the queue did not take the event; send it again' }
        : { index, source, id, status: 'queued' as const };
    });
    return json(202, { results });
  };

  /**
   * `GET /v1/analytics?indicators=a,b&periods=p,q&(division=…[&breakdown=children]|orgCode=…)`.
   * Every parameter is checked before anything is evaluated. Rows come
   * indicator by indicator (as listed), then division (the division, or its
   * children in tree order), then period (as listed). `Accept: text/csv`
   * gives the same rows as CSV.
   */
  const getAnalytics: RouteHandler = async (request) => {
    onlyParameters(request, ['indicators', 'periods', 'division', 'orgCode', 'breakdown']);
    const { indicators: indicatorsText, periods: periodsText, division, orgCode, breakdown } = request.query;
    if (indicatorsText === undefined) throw new ApiError('missing-parameter', 'indicators is required: comma-separated indicator ids');
    if (periodsText === undefined) throw new ApiError('missing-parameter', 'periods is required: comma-separated YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or all');
    if (division !== undefined && orgCode !== undefined) throw new ApiError('invalid-parameter', 'give division or orgCode, not both');
    if (breakdown !== undefined && breakdown !== 'children') throw new ApiError('invalid-parameter', 'breakdown must be "children"');
    if (breakdown !== undefined && orgCode !== undefined) throw new ApiError('invalid-parameter', 'breakdown applies to a division, not to an organisation');

    const definitions = listParameter('indicators', indicatorsText, analyticsLimits.indicators).map((id) => {
      const definition = byId.get(id);
      if (definition === undefined) throw new ApiError('unknown-indicator', `no indicator ${JSON.stringify(id.slice(0, 64))}; GET /v1/indicators lists them`);
      return definition;
    });
    const periods = listParameter('periods', periodsText, analyticsLimits.periods).map(parsePeriod);

    let scopes: CounterScope[];
    if (orgCode !== undefined) {
      if (!orgCodePattern.test(orgCode)) throw new ApiError('invalid-parameter', 'orgCode must be an 18-character unified social credit code');
      const organisation = await deps.organisations.organisation(orgCode);
      if (organisation === undefined) throw new ApiError('unknown-organisation', `no organisation ${orgCode} is registered`);
      requireWithinScope(organisation.division, request.claims, `organisation ${orgCode}`);
      scopes = [{ orgCode }];
    } else {
      const code = division ?? request.claims.scope;
      if (!divisionPattern.test(code)) throw new ApiError('invalid-parameter', 'division must be a 12-digit division code');
      if (!divisions.has(code)) throw new ApiError('unknown-division', `no division ${code} in this deployment`);
      requireWithinScope(code, request.claims, `division ${code}`);
      const codes = breakdown === 'children' ? divisions.children(code) : [code];
      if (codes.length === 0) throw new ApiError('invalid-parameter', `division ${code} has no child divisions to break down into`);
      if (codes.length > analyticsLimits.divisions) {
        throw new ApiError('invalid-parameter', `the request covers ${codes.length} divisions; at most ${analyticsLimits.divisions} are allowed per request`);
      }
      scopes = codes.map((c) => ({ division: c }));
    }

    // One evaluation per (scope, period) with every indicator: the evaluator shares reads between them.
    const cells = scopes.flatMap((scope) => periods.map((period) => ({ scope, period })));
    const figures = await mapWithConcurrency(cells, analyticsConcurrency, ({ scope, period }) => deps.indicators.evaluate(definitions, scope, period));
    const rows: AnalyticsRow[] = [];
    definitions.forEach((definition, d) => {
      cells.forEach(({ scope, period }, c) => {
        const figure = figures[c]?.[d];
        if (figure === undefined) throw new Error('the evaluator returned fewer figures than asked');
        rows.push({
          indicator: definition.id,
          ...scope,
          period: period.text,
          ...figureFields(figure),
        });
      });
    });

    if (!prefersCsv(request.event.headers?.['accept'])) return json(200, { rows });
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="reform-indicators.csv"',
        'cache-control': 'no-store',
      },
      body: analyticsCsv(rows, (code) => divisions.node(code)?.name.zh ?? '', orgCode !== undefined),
    };
  };

  /** Rebuild and reconcile are county-wide: only an admin whose scope is the whole deployment may run them. */
  const requireCountyAdmin = (request: ApiRequest, what: string): void => {
    if (request.claims.role !== 'admin') throw new ApiError('forbidden', `${what} needs the admin role`);
    if (request.claims.scope !== divisions.rootCode) throw new ApiError('forbidden', `${what} covers the whole deployment; it needs scope ${divisions.rootCode}`);
  };

  /** `POST /v1/admin/rebuild`: synchronous; run it while the processor is paused (see packages/maintenance). */
  const rebuild: RouteHandler = async (request) => {
    onlyParameters(request, []);
    requireCountyAdmin(request, 'rebuilding counters');
    const { rebuilt, skippedEvents } = await deps.maintenance.run('rebuild');
    return json(200, { rebuilt, skippedEvents });
  };

  /** `GET /v1/admin/reconcile`: `differences` is empty when live counters match the recorded events. */
  const reconcile: RouteHandler = async (request) => {
    onlyParameters(request, []);
    requireCountyAdmin(request, 'reconciling counters');
    const { differences, differenceCount, truncated, checkedItems, events, skippedEvents } = await deps.maintenance.run('reconcile');
    return json(200, { differences, differenceCount, truncated, checkedItems, events, skippedEvents });
  };

  const routes: readonly Route[] = [
    { pattern: /^\/v1\/indicators$/, methods: { GET: listIndicators } },
    { pattern: /^\/v1\/indicators\/([^/]+)$/, methods: { GET: getIndicator } },
    { pattern: /^\/v1\/events$/, methods: { POST: submitEvents } },
    { pattern: /^\/v1\/events\/([^/]+)\/([^/]+)$/, methods: { GET: getEventOutcome } },
    { pattern: /^\/v1\/analytics$/, methods: { GET: getAnalytics } },
    { pattern: /^\/v1\/admin\/rebuild$/, methods: { POST: rebuild } },
    { pattern: /^\/v1\/admin\/reconcile$/, methods: { GET: reconcile } },
  ];

  return async (event) => {
    try {
      const claims = claimsFromAuthorizer(event);
      if (!divisions.has(claims.scope)) throw new ApiError('forbidden', `your scope ${claims.scope} is not a division of this deployment`);
      const { route, match } = findRoute(routes, event.rawPath);
      const method = event.requestContext.http.method.toUpperCase();
      const routeHandler = route.methods[method];
      if (routeHandler === undefined) {
        const allow = Object.keys(route.methods).join(', ');
        throw new ApiError('method-not-allowed', `${method} is not allowed here; use ${allow}`, { headers: { allow } });
      }
      const pathParameters = match.slice(1).map(decodeSegment);
      return await routeHandler({ claims, query: event.queryStringParameters ?? {}, pathParameters, event });
    } catch (error) {
      return problemResponse(error, deps.logger);
    }
  };
}

function findRoute(routes: readonly Route[], path: string): { route: Route; match: RegExpExecArray } {
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (match !== null) return { route, match };
  }
  throw new ApiError('not-found', 'no such route; see contract/API.md');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (cause) {
    throw new ApiError('not-found', 'the path is not validly percent-encoded', { cause });
  }
}

/** A figure's value, and its parts when it is a ratio. */
function figureFields(figure: IndicatorValue): Pick<IndicatorValue, 'value' | 'numerator' | 'denominator'> {
  return {
    value: figure.value,
    ...(figure.numerator === undefined ? {} : { numerator: figure.numerator }),
    ...(figure.denominator === undefined ? {} : { denominator: figure.denominator }),
  };
}
