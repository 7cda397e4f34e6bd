/**
 * `GET /v1/indicators/{id}/explain` and `/events` (API.md "Explaining a
 * figure"): a figure's parts with their baselines and net change, and the
 * paged list of the events behind one part.
 */
import * as z from 'zod/mini';
import type { ContributingEvent, EventsPosition, PartName, PartPlan } from '../explain/explainer.ts';
import { maxEventsPerPage } from '../explain/explainer.ts';
import type { IndicatorDefinition } from '../indicators/catalog.ts';
import type { CounterScope } from '../indicators/counter-source.ts';
import type { IndicatorValue } from '../indicators/evaluator.ts';
import { yuanText } from '../indicators/evaluator.ts';
import type { Period } from '../indicators/period.ts';
import { asOfDate, parsePeriod } from '../indicators/period.ts';
import { csvDocument, prefersCsv } from './analytics.ts';
import { decodeCursor, encodeCursor, requestDigest } from './cursor.ts';
import { figureFields } from './figures.ts';
import { ExactNumber } from './http.ts';
import { ApiError } from './problems.ts';
import type { RouteContext, RouteResult } from './route.ts';
import type { contributingEventsPage, explanation } from './schemas.ts';
import { figurePart, periodText, scopeQuery } from './schemas.ts';

export const explainQuery = z.strictObject({ ...scopeQuery, period: periodText });
export const explainEventsQuery = z.strictObject({
  ...scopeQuery,
  period: periodText,
  part: z.optional(figurePart),
  cursor: z.optional(z.string().check(z.maxLength(1000, 'must be a cursor from a previous page'))),
});

/** The figure asked for: its definition, where, when, and its value. */
async function figureAsked(
  context: RouteContext<{ division?: string | undefined; orgCode?: string | undefined; period: string }>,
): Promise<{ definition: IndicatorDefinition; scope: CounterScope; period: Period; figure: IndicatorValue }> {
  const { caller, query, params, deps, scopes } = context;
  const id = params['id'] ?? '';
  const definition = deps.catalog.find((d) => d.id === id);
  if (definition === undefined) throw new ApiError('unknown-indicator', `no indicator ${JSON.stringify(id.slice(0, 64))}; GET /v1/indicators lists them`);
  const period = parsePeriod(query.period);
  const scope = await scopes.resolve(caller, query);
  const [figures] = await deps.indicators.evaluateAll([definition], [{ scope, period }]);
  const figure = figures?.[0];
  if (figure === undefined) throw new Error('the evaluator returned no figure');
  return { definition, scope, period, figure };
}

/** An exact amount in the part's unit: yuan for money (kept in fen), a count otherwise. */
export function inUnits(amount: bigint, inFen: boolean): number | ExactNumber {
  const text = inFen ? yuanText(amount) : amount.toString();
  return String(Number(text)) === text ? Number(text) : new ExactNumber(text);
}

export async function getExplanation(context: RouteContext<z.infer<typeof explainQuery>>): Promise<RouteResult<z.infer<typeof explanation>>> {
  const { deps } = context;
  const { definition, scope, period, figure } = await figureAsked(context);
  const plans = await deps.explainer.plan(definition, scope, period);
  const parts = await Promise.all(
    plans.map(async (plan) => {
      const { change, events } = await deps.explainer.total(plan);
      const opening = BigInt(plan.baseline?.value ?? 0);
      const own = plan.baseline?.asOf === undefined ? undefined : plan.baseline.recorded[0];
      return {
        part: plan.part,
        metric: plan.metric,
        value: inUnits(opening + change, plan.inFen),
        baseline:
          plan.baseline === null
            ? null
            : {
                value: plan.baseline.value,
                ...(plan.baseline.asOf === undefined ? {} : { asOf: plan.baseline.asOf }),
                event: own?.event ?? null,
                recorded: plan.baseline.recorded.map((b) => ({ ...b })),
              },
        change: inUnits(change, plan.inFen),
        events: events.length,
        ...(plan.from === undefined ? {} : { from: plan.from }),
        ...(plan.to === undefined ? {} : { to: plan.to }),
      };
    }),
  );
  return { indicator: definition.id, ...scope, period: period.text, ...figureFields(figure), asOf: asOfDate(period, deps.now()), parts };
}

/** The part a request names: `value` for single-valued indicators, `numerator` or `denominator` for ratios. */
function partAsked(definition: IndicatorDefinition, plans: readonly PartPlan[], part: PartName | undefined): PartPlan {
  const name = part ?? (definition.kind === 'ratio' ? undefined : 'value');
  const plan = plans.find((p) => p.part === name);
  if (plan === undefined) {
    const allowed = plans.map((p) => p.part).join(' or ');
    throw new ApiError('invalid-parameter', `part must be ${allowed} for ${definition.kind === 'ratio' ? 'a ratio' : 'this indicator'}`);
  }
  return plan;
}

/** A place in one request's list: the scope's position and the entry to resume after, bound to the request (cursor.ts). */
const positionCursor = (digest: string) => z.object({ s: z.number().check(z.int(), z.nonnegative()), a: z.optional(z.string()), q: z.literal(digest) });

export async function getContributingEvents(context: RouteContext<z.infer<typeof explainEventsQuery>>): Promise<RouteResult<z.infer<typeof contributingEventsPage>>> {
  const { caller, query, deps, request } = context;
  const { definition, scope, period } = await figureAsked(context);
  const plan = partAsked(definition, await deps.explainer.plan(definition, scope, period), query.part);
  const digest = requestDigest([definition.id, query.division, query.orgCode, query.period, query.part, caller.division]);
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, positionCursor(digest));
  const position: EventsPosition = cursor === undefined ? { scopeIndex: 0 } : { scopeIndex: cursor.s, ...(cursor.a === undefined ? {} : { after: cursor.a }) };
  if (position.scopeIndex > plan.scopes.length) throw new ApiError('invalid-cursor', 'cursor does not belong to this request');
  const page = await deps.explainer.events(plan, position, maxEventsPerPage);
  const orgDivision = 'orgCode' in scope ? (await deps.organisations.organisation(scope.orgCode))?.division : undefined;
  const events = page.events.map((event) => listed(event, plan, orgDivision));
  const next = page.next === undefined ? undefined : encodeCursor({ s: page.next.scopeIndex, ...(page.next.after === undefined ? {} : { a: page.next.after }), q: digest });
  if (!prefersCsv(request.headers['accept'])) return { events, ...(next === undefined ? {} : { next }) };
  return {
    raw: {
      statusCode: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${definition.id}-events.csv"`,
        'cache-control': 'no-store',
        ...(next === undefined ? {} : { 'x-next-cursor': next }),
      },
      body: csvDocument(
        ['source', 'id', 'type', 'date', 'division', 'org_code', 'processed_at', 'effect'],
        events.map((e) => [e.source, e.id, e.type, e.date, e.division, 'orgCode' in e ? e.orgCode : undefined, e.processedAt, e.effect]),
      ),
    },
  };
}

/** An entry as listed: where it is recorded, and its effect in the part's unit. */
function listed(event: ContributingEvent, plan: PartPlan, orgDivision: string | undefined) {
  const where = event.scope.startsWith('ORG#')
    ? { ...(orgDivision === undefined ? {} : { division: orgDivision }), orgCode: event.scope.slice('ORG#'.length) }
    : { division: event.scope.slice('DIV#'.length) };
  return { source: event.source, id: event.id, type: event.type, date: event.date, ...where, processedAt: event.processedAt, effect: inUnits(BigInt(event.amount), plan.inFen) };
}
