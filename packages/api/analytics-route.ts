/**
 * `GET /v1/analytics`: many indicators × periods × divisions, paged so that
 * no answer outgrows the platform, and computed with every counter read of
 * the page planned, batched and shared (batched-evaluation.ts).
 */
import * as z from 'zod/mini';
import type { CounterScope } from '../indicators/counter-source.ts';
import { parsePeriod } from '../indicators/period.ts';
import type { AnalyticsRow } from './analytics.ts';
import { analyticsCsv, analyticsLimits, listParameter, maxRowsPerPage, prefersCsv } from './analytics.ts';
import { figureFields } from './figures.ts';
import { ApiError } from './problems.ts';
import { decodeCursor, encodeCursor, requestDigest } from './cursor.ts';
import type { RouteContext, RouteResult } from './route.ts';
import type { analyticsPage } from './schemas.ts';
import { scopeQuery } from './schemas.ts';
import { withTargets } from './target-routes.ts';

export const analyticsQuery = z.strictObject({
  indicators: z.string(),
  periods: z.string(),
  ...scopeQuery,
  breakdown: z.optional(z.literal('children', 'must be "children"')),
  cursor: z.optional(z.string().check(z.maxLength(200, 'must be a cursor from a previous page'))),
});

type AnalyticsQuery = z.infer<typeof analyticsQuery>;
type AnalyticsPage = z.infer<typeof analyticsPage>;

/** A page of one request: its number, bound to the request by a digest (cursor.ts). */
const pageCursor = (digest: string, pages: number) =>
  z.object({ p: z.number().check(z.int(), z.positive(), z.lt(pages)), q: z.literal(digest) });

/** The cursor of page `page` of the request `digest` names. */
export const encodePageCursor = (page: number, digest: string): string => encodeCursor({ p: page, q: digest });

/** The page a cursor names, when it belongs to the request `digest` names and lies before `pages`. */
export const decodePageCursor = (cursor: string, digest: string, pages: number): number => decodeCursor(cursor, pageCursor(digest, pages)).p;

/**
 * Rows come scope by scope in pages: a page holds as many whole scopes (each
 * with every indicator and period) as fit {@link maxRowsPerPage}; within a
 * page, indicator by indicator (as listed), then scope (the division, or its
 * children in tree order), then period (as listed).
 */
export async function getAnalytics({ caller, query, request, deps, scopes: resolver }: RouteContext<AnalyticsQuery>): Promise<RouteResult<AnalyticsPage>> {
  const { division, orgCode, breakdown } = query;
  if (breakdown !== undefined && orgCode !== undefined) throw new ApiError('invalid-parameter', 'breakdown applies to a division, not to an organisation');
  const byId = new Map(deps.catalog.map((d) => [d.id, d]));
  const definitions = listParameter('indicators', query.indicators, analyticsLimits.indicators).map((id) => {
    const definition = byId.get(id);
    if (definition === undefined) throw new ApiError('unknown-indicator', `no indicator ${JSON.stringify(id.slice(0, 64))}; GET /v1/indicators lists them`);
    return definition;
  });
  const periods = listParameter('periods', query.periods, analyticsLimits.periods).map(parsePeriod);

  const scope = await resolver.resolve(caller, { division, orgCode });
  let scopes: CounterScope[] = [scope];
  if ('division' in scope && breakdown === 'children') {
    const codes = deps.divisions.children(scope.division);
    if (codes.length === 0) throw new ApiError('invalid-parameter', `division ${scope.division} has no child divisions to break down into`);
    if (codes.length > analyticsLimits.divisions) {
      throw new ApiError('invalid-parameter', `the request covers ${codes.length} divisions; at most ${analyticsLimits.divisions} are allowed per request`);
    }
    scopes = codes.map((code) => ({ division: code }));
  }

  const rowsPerScope = definitions.length * periods.length;
  const scopesPerPage = Math.max(1, Math.floor((deps.maxRowsPerPage ?? maxRowsPerPage) / rowsPerScope));
  const pages = Math.ceil(scopes.length / scopesPerPage);
  const digest = requestDigest([query.indicators, query.periods, query.division, query.orgCode, query.breakdown, caller.division]);
  const page = query.cursor === undefined ? 0 : decodePageCursor(query.cursor, digest, pages);
  const pageScopes = scopes.slice(page * scopesPerPage, (page + 1) * scopesPerPage);
  const next = page + 1 < pages ? encodePageCursor(page + 1, digest) : undefined;

  const cells = pageScopes.flatMap((s) => periods.map((period) => ({ scope: s, period })));
  const figures = await deps.indicators.evaluateAll(definitions, cells);
  const computed: AnalyticsRow[] = [];
  definitions.forEach((definition, d) => {
    cells.forEach(({ scope: cellScope, period }, c) => {
      const figure = figures[c]?.[d];
      if (figure === undefined) throw new Error('the evaluator returned fewer figures than asked');
      computed.push({ indicator: definition.id, ...cellScope, period: period.text, ...figureFields(figure) });
    });
  });
  const rows: AnalyticsRow[] = await withTargets(computed, deps.targets);

  if (!prefersCsv(request.headers['accept'])) return { rows, ...(next === undefined ? {} : { next }) };
  return {
    raw: {
      statusCode: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="reform-indicators.csv"',
        'cache-control': 'no-store',
        ...(next === undefined ? {} : { 'x-next-cursor': next }),
      },
      body: analyticsCsv(rows, (code) => deps.divisions.node(code)?.name.zh ?? '', orgCode !== undefined),
    },
  };
}
