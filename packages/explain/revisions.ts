/**
 * Revisions of a publication (API.md "Publications and targets"): every
 * frozen figure whose live value now differs, with the events processed
 * after `publishedAt` that moved it. Publishing pauses processing while it
 * freezes, so an event either counts in the edition or was processed after
 * it: a part's difference is exactly the sum of those late events' effects,
 * plus, for a stock whose baseline was recorded or corrected late, the
 * baseline's own change (listed as a row of its recording event).
 */
import type { FigureCell, IndicatorComputation } from '../api/dependencies.ts';
import type { IndicatorDefinition } from '../indicators/catalog.ts';
import type { IndicatorValue } from '../indicators/evaluator.ts';
import { yuanText } from '../indicators/evaluator.ts';
import { parsePeriod } from '../indicators/period.ts';
import type { EditionFigure } from '../publications/edition.ts';
import type { Explainer, PartName } from './explainer.ts';

/** One late change to a part: an explain entry processed after publication (or a late baseline). */
export interface RevisionEvent {
  readonly part: PartName;
  readonly source: string;
  readonly id: string;
  readonly type: string;
  /** The day the change counts on. */
  readonly date: string;
  readonly processedAt: string;
  /** Where it is recorded (`DIV#…` / `ORG#…`); absent for a baseline's change. */
  readonly scope?: string;
  /** Exact decimal text in the part's unit (yuan for money). */
  readonly effect: string;
}

export interface PartRevision {
  readonly part: PartName;
  readonly published: string;
  readonly live: string;
  readonly difference: string;
}

export interface Revision {
  readonly indicator: string;
  readonly division: string;
  readonly period: string;
  /** Exact decimal text; null for an empty ratio. */
  readonly published: string | null;
  readonly live: string | null;
  /** live − published (percentage points for a ratio); null when either is null. */
  readonly difference: string | null;
  /** A ratio's numerator and denominator, each with its own difference, which its events add up to. */
  readonly parts: readonly PartRevision[];
  readonly events: readonly RevisionEvent[];
  /** A part's change no late event or baseline explains (should stay 0: a rebuild after publishing could cause it). */
  readonly unexplained?: string;
}

export interface RevisionDependencies {
  readonly catalog: readonly IndicatorDefinition[];
  readonly indicators: IndicatorComputation;
  readonly explainer: Explainer;
  /** When an event was processed (the Ledger), for a baseline recorded after publication. */
  readonly processedAt: (source: string, id: string) => Promise<string | undefined>;
}

/** Decimal text with at most two decimals → exact hundredths. */
function hundredths(text: string): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const value = BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
  return negative ? -value : value;
}

/** Hundredths → the shortest exact decimal text ("12", "12.5", "-0.25"). */
const decimalText = (amount: bigint): string => yuanText(amount);

const liveText = (figure: IndicatorValue): string | null => (figure.value === null ? null : (figure.exactValue ?? String(figure.value)));

/** The revised figures among `figures`, in their order. */
export async function revisionsOf(edition: { readonly publishedAt: string; readonly figures: readonly EditionFigure[] }, deps: RevisionDependencies): Promise<Revision[]> {
  const byId = new Map(deps.catalog.map((d) => [d.id, d]));
  const figures = edition.figures.filter((f) => byId.has(f.indicator));
  if (figures.length === 0) return [];
  // One batched evaluation per period for the live figures, all indicators and divisions together.
  const definitions = [...new Set(figures.map((f) => f.indicator))].map((id) => byId.get(id) as IndicatorDefinition);
  const cells = [...new Map(figures.map((f) => [`${f.division}|${f.period}`, { scope: { division: f.division }, period: parsePeriod(f.period) } satisfies FigureCell])).values()];
  const computed = await deps.indicators.evaluateAll(definitions, cells);
  const live = new Map<string, IndicatorValue>();
  cells.forEach((cell, c) => definitions.forEach((d, i) => live.set(`${d.id}|${'division' in cell.scope ? cell.scope.division : ''}|${cell.period.text}`, computed[c]?.[i] as IndicatorValue)));

  const revised: Revision[] = [];
  for (const figure of figures) {
    const definition = byId.get(figure.indicator) as IndicatorDefinition;
    const now = live.get(`${figure.indicator}|${figure.division}|${figure.period}`);
    if (now === undefined) continue;
    const parts: PartRevision[] =
      definition.kind === 'ratio'
        ? (['numerator', 'denominator'] as const).map((part) => partRevision(part, String(figure[part] ?? 0), String(now[part] ?? 0)))
        : [partRevision('value', figure.value ?? '0', liveText(now) ?? '0')];
    const changed = parts.filter((p) => p.difference !== '0');
    if (changed.length === 0) continue;
    const { events, unexplained } = await lateEvents(definition, figure, changed, edition.publishedAt, deps);
    const published = figure.value;
    const liveValue = liveText(now);
    revised.push({
      indicator: figure.indicator,
      division: figure.division,
      period: figure.period,
      published,
      live: liveValue,
      difference: published === null || liveValue === null ? null : decimalText(hundredths(liveValue) - hundredths(published)),
      parts,
      events,
      ...(unexplained === undefined ? {} : { unexplained }),
    });
  }
  return revised;
}

function partRevision(part: PartName, published: string, live: string): PartRevision {
  return { part, published, live, difference: decimalText(hundredths(live) - hundredths(published)) };
}

/** The events processed after publication that changed the revised parts, and what (if anything) they leave unexplained. */
async function lateEvents(
  definition: IndicatorDefinition,
  figure: EditionFigure,
  changed: readonly PartRevision[],
  publishedAt: string,
  deps: RevisionDependencies,
): Promise<{ events: RevisionEvent[]; unexplained?: string }> {
  const plans = await deps.explainer.plan(definition, { division: figure.division }, parsePeriod(figure.period));
  const events: RevisionEvent[] = [];
  let unexplained = 0n;
  for (const revision of changed) {
    const plan = plans.find((p) => p.part === revision.part);
    if (plan === undefined) continue;
    const late = await deps.explainer.total(plan, publishedAt);
    // Effects in hundredths of the part's unit: fen for money, hundredths of a count otherwise.
    const scale = plan.inFen ? 1n : 100n;
    for (const e of late.events) {
      events.push({ part: revision.part, source: e.source, id: e.id, type: e.type, date: e.date, processedAt: e.processedAt, scope: e.scope, effect: decimalText(BigInt(e.amount) * scale) });
    }
    let residual = hundredths(revision.difference) - late.change * scale;
    const own = plan.baseline?.asOf === undefined ? undefined : plan.baseline.recorded[0];
    if (residual !== 0n && own?.event != null) {
      const processedAt = await deps.processedAt(own.event.source, own.event.id);
      if (processedAt !== undefined && processedAt > publishedAt) {
        events.push({ part: revision.part, source: own.event.source, id: own.event.id, type: 'baseline.recorded.v1', date: own.asOf, processedAt, effect: decimalText(residual) });
        residual = 0n;
      }
    }
    unexplained += residual;
  }
  return unexplained === 0n ? { events } : { events, unexplained: decimalText(unexplained) };
}
