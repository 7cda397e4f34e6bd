/**
 * Publications: `POST /v1/admin/publications` (handed to the maintenance
 * function, which pauses processing while it freezes the figures and alone
 * may write the Publications table), the read routes, and a figure read
 * `edition=` from one.
 *
 * `GET /v1/publications/{id}/figures` pages whole divisions in the edition's
 * CSV order. A caller of the root division gets every row: with
 * `Accept: text/csv`, the pages' bodies put together are exactly the stored
 * canonical CSV, so their SHA-256 is the publication's `digest` (an edition
 * of up to {@link divisionsPerPage} divisions is one page). A caller below
 * the root gets only its subtree's rows; that CSV is an extract, not the
 * published file, and the digest does not apply to it.
 */
import * as z from 'zod/mini';
import type { Caller } from '../auth/claims.ts';
import { containsResidentId } from '../contract/identifiers.ts';
import { freeTextProblem } from '../contract/free-text.ts';
import type { IndicatorDefinition } from '../indicators/catalog.ts';
import { parsePeriod } from '../indicators/period.ts';
import { parseEditionPiece, wireNumber } from '../publications/edition.ts';
import type { EditionFigure, PublicationRecord, PublicationSummary } from '../publications/edition.ts';
import type { PublicationReader } from '../publications/publication-store.ts';
import { prefersCsv } from './analytics.ts';
import type { ApiDependencies } from './dependencies.ts';
import type { ExactNumber } from './http.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { ApiError } from './problems.ts';
import type { RouteContext, RouteResult } from './route.ts';
import type { ScopeResolver } from './scope.ts';
import { periodText } from './schemas.ts';
import type { editionFiguresPage, revisionsPage } from './schemas.ts';
import { revisionsOf } from '../explain/revisions.ts';
import { parseJsonBody } from './target-routes.ts';

/** Divisions per page of an edition's figures: 500 × 31 indicators stays far below the 5 MB page budget. */
export const divisionsPerPage = 500;
/** Publications per page of the list. */
export const publicationsPerPage = 100;

const publishBody = z.strictObject({
  period: periodText,
  title: z.string().check(
    z.minLength(1, 'must not be empty'),
    z.maxLength(200, 'must be at most 200 characters'),
    z.refine((t) => freeTextProblem(t) === undefined, 'must be plain visible text'),
    z.refine((t) => !containsResidentId(t), 'must not contain a resident ID number'),
  ),
});

/** JSON Schema of the publish body, for the OpenAPI document. */
export const publishBodySchema = {
  type: 'object',
  required: ['period', 'title'],
  additionalProperties: false,
  properties: {
    period: { type: 'string', description: 'YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD (not all)' },
    title: { type: 'string', minLength: 1, maxLength: 200, example: '2026年第三季度产改指标' },
  },
} as const;

export const cursorQuery = z.strictObject({ cursor: z.optional(z.string().check(z.maxLength(200, 'must be a cursor from a previous page'))) });

function requirePublications(deps: ApiDependencies): PublicationReader {
  if (deps.publications === undefined) throw new ApiError('not-configured', 'this deployment keeps no publications');
  return deps.publications;
}

/** The publication `id`, or 404. */
export async function requirePublication(deps: ApiDependencies, id: string): Promise<PublicationRecord> {
  const record = await requirePublications(deps).publication(id);
  if (record === undefined) throw new ApiError('unknown-publication', `no publication ${JSON.stringify(id.slice(0, 64))}; GET /v1/publications lists them`);
  return record;
}

const summaryOf = ({ id, period, title, publishedAt, figures, digest }: PublicationSummary): PublicationSummary => ({ id, period, title, publishedAt, figures, digest });

export async function createPublication({ caller, request, deps, scopes }: RouteContext<Record<string, never>>): Promise<PublicationSummary> {
  scopes.requireRootAdmin(caller, 'publishing');
  const { period, title } = parseJsonBody(request.body, publishBody);
  if (parsePeriod(period).kind === 'all') throw new ApiError('invalid-body', 'period: a publication freezes a calendar period (a year, quarter, month or day), not all');
  const { publication } = await deps.maintenance.run('publish', { period, title });
  return summaryOf(publication);
}


export async function listPublications({ query, deps }: RouteContext<z.infer<typeof cursorQuery>>): Promise<{ publications: PublicationSummary[]; next?: string }> {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, z.object({ a: z.string().check(z.regex(/^[0-9TZ:.-]+#[0-9A-Za-z-]+$/)) })).a;
  const page = await requirePublications(deps).list(publicationsPerPage, after);
  return { publications: page.publications.map(summaryOf), ...(page.after === undefined ? {} : { next: encodeCursor({ a: page.after }) }) };
}

export async function getPublication({ params, deps }: RouteContext<Record<string, never>>): Promise<PublicationSummary> {
  return summaryOf(await requirePublication(deps, params['id'] ?? ''));
}

/** The edition's divisions the caller may read, in CSV order: all of them for the root. */
function visibleDivisions(record: PublicationRecord, caller: Caller, scopes: ScopeResolver, rootCode: string): string[] {
  return caller.division === rootCode ? [...record.divisions] : record.divisions.filter((d) => scopes.sees(caller, d));
}

type EditionRow = { indicator: string; division: string; period: string; value: number | ExactNumber | null; numerator?: number; denominator?: number };

/** A frozen figure as the API writes it. */
export function editionRow(figure: EditionFigure): EditionRow {
  return { ...figure, value: figure.value === null ? null : wireNumber(figure.value) };
}

export async function getEditionFigures({ caller, query, params, request, deps, scopes }: RouteContext<z.infer<typeof cursorQuery>>): Promise<RouteResult<z.infer<typeof editionFiguresPage>>> {
  const id = params['id'] ?? '';
  const record = await requirePublication(deps, id);
  const divisions = visibleDivisions(record, caller, scopes, deps.divisions.rootCode);
  const pages = Math.max(1, Math.ceil(divisions.length / divisionsPerPage));
  const page = query.cursor === undefined ? 0 : decodeCursor(query.cursor, z.object({ e: z.literal(id), p: z.number().check(z.int(), z.positive(), z.lt(pages)) })).p;
  const next = page + 1 < pages ? encodeCursor({ e: id, p: page + 1 }) : undefined;
  const reader = requirePublications(deps);
  const pieces = await reader.pieces(id, divisions.slice(page * divisionsPerPage, (page + 1) * divisionsPerPage));

  if (!prefersCsv(request.headers['accept'])) return { figures: pieces.flatMap(parseEditionPiece).map(editionRow), ...(next === undefined ? {} : { next }) };
  // Bytes as stored, byte-order mark included (a TextDecoder would drop it).
  const head = page === 0 ? [await reader.head(id)] : [];
  return {
    raw: {
      statusCode: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${id}.csv"`,
        // An edition never changes.
        'cache-control': 'private, max-age=86400, immutable',
        ...(next === undefined ? {} : { 'x-next-cursor': next }),
      },
      body: Buffer.concat([...head, ...pieces]).toString('utf8'),
    },
  };
}

/**
 * `GET /v1/indicators/{id}?edition=`: the figure as frozen in a publication,
 * for a division of the edition within the caller's subtree.
 */
export async function frozenFigure(
  deps: ApiDependencies,
  definition: IndicatorDefinition,
  division: string,
  period: string,
  edition: string,
): Promise<EditionRow & { asOf: string; edition: string }> {
  const record = await requirePublication(deps, edition);
  if (record.period !== period) throw new ApiError('invalid-parameter', `publication ${edition} is of period ${record.period}, not ${period}`);
  if (!record.divisions.includes(division)) throw new ApiError('unknown-division', `publication ${edition} holds no figures for division ${division}`);
  const [piece] = await requirePublications(deps).pieces(edition, [division]);
  const figure = parseEditionPiece(piece ?? new Uint8Array()).find((f) => f.indicator === definition.id);
  if (figure === undefined) throw new ApiError('unknown-indicator', `publication ${edition} holds no figure for ${definition.id} (the catalogue grew since)`);
  return { ...editionRow(figure), asOf: record.asOf, edition };
}

/** Divisions per page of revisions: each page evaluates its divisions' live figures and reads the late events of revised ones. */
export const revisionDivisionsPerPage = 10;

/**
 * `GET /v1/publications/{id}/revisions`: the edition's figures (of the
 * caller's subtree) whose live value now differs, each with the events
 * processed after `publishedAt` that moved it (packages/explain/revisions.ts).
 */
export async function getRevisions({ caller, query, params, deps, scopes }: RouteContext<z.infer<typeof cursorQuery>>): Promise<RouteResult<z.infer<typeof revisionsPage>>> {
  const id = params['id'] ?? '';
  const record = await requirePublication(deps, id);
  const divisions = visibleDivisions(record, caller, scopes, deps.divisions.rootCode);
  const pages = Math.max(1, Math.ceil(divisions.length / revisionDivisionsPerPage));
  const page = query.cursor === undefined ? 0 : decodeCursor(query.cursor, z.object({ r: z.literal(id), p: z.number().check(z.int(), z.positive(), z.lt(pages)) })).p;
  const next = page + 1 < pages ? encodeCursor({ r: id, p: page + 1 }) : undefined;
  const pieces = await requirePublications(deps).pieces(id, divisions.slice(page * revisionDivisionsPerPage, (page + 1) * revisionDivisionsPerPage));
  const revised = await revisionsOf(
    { publishedAt: record.publishedAt, figures: pieces.flatMap(parseEditionPiece) },
    { catalog: deps.catalog, indicators: deps.indicators, explainer: deps.explainer, processedAt: async (source, eventId) => (await deps.ledger.outcomeOf(source, eventId))?.processedAt },
  );
  const number = (text: string | null): number | ExactNumber | null => (text === null ? null : wireNumber(text));
  const revisions = revised.map((r) => ({
    indicator: r.indicator,
    division: r.division,
    period: r.period,
    published: number(r.published),
    live: number(r.live),
    difference: number(r.difference),
    parts: r.parts.map((p) => ({ part: p.part, published: wireNumber(p.published), live: wireNumber(p.live), difference: wireNumber(p.difference) })),
    events: r.events.map(({ scope, effect, ...event }) => ({ ...event, ...(scope?.startsWith('DIV#') === true ? { division: scope.slice('DIV#'.length) } : {}), effect: wireNumber(effect) })),
    ...(r.unexplained === undefined ? {} : { unexplained: wireNumber(r.unexplained) }),
  }));
  return { revisions, ...(next === undefined ? {} : { next }) };
}
