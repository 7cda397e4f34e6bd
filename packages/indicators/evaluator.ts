/**
 * The one generic evaluator: computes any catalogue entry from counters. It
 * first plans every counter read the requested indicators need at one scope
 * and period, reads each distinct span of days once (all metrics together),
 * then sums per metric in exact integers, so asking for ten indicators costs
 * about as much as asking for one.
 */
import type { Metric } from '../domain/metrics.ts';
import { distinctMetrics } from '../domain/metrics.ts';
import type { IndicatorDefinition, MetricTerm } from './catalog.ts';
import { isFenMetric } from './catalog.ts';
import type { SubtreeOf } from './counter-ranges.ts';
import { CounterLayoutReader, endOfRecords } from './counter-ranges.ts';
import type { BaselineSource, CounterScope, CounterSource, OpeningBalance } from './counter-source.ts';
import { noBaselines } from './counter-source.ts';
import { IndicatorError, InvalidDefinitionError } from './errors.ts';
import type { CalendarDate, Period } from './period.ts';
import { nextDay } from './period.ts';

/** A computed figure. `value` is null for a ratio whose denominator is 0. */
export interface IndicatorValue {
  readonly indicator: string;
  /** Counts as integers, money in yuan, ratios in percent (2 decimals, half-up). */
  readonly value: number | null;
  /**
   * The value as exact decimal text, present only when `value` cannot hold it
   * exactly (a sum of money past 2^53 fen): serialisers write this instead.
   */
  readonly exactValue?: string;
  readonly numerator?: number;
  readonly denominator?: number;
}

/** How one term is computed: net change over a span of days plus an opening balance, or a distinct count. */
type TermPlan =
  | { readonly kind: 'span'; readonly from: CalendarDate | undefined; readonly to: CalendarDate | undefined; readonly opening: bigint }
  | { readonly kind: 'distinct' };

const termKey = (term: MetricTerm): string => `${term.aggregate}:${term.metric}`;
const spanKey = (from: CalendarDate | undefined, to: CalendarDate | undefined): string => `${from ?? ''}|${to ?? ''}`;

export class IndicatorEvaluator {
  private readonly layout: CounterLayoutReader;

  /** `subtree(d)`: the division and every division below it, whose records add up to its figures. */
  constructor(
    counters: CounterSource,
    subtree: SubtreeOf,
    private readonly baselines: BaselineSource = noBaselines,
  ) {
    this.layout = new CounterLayoutReader(counters, subtree);
  }

  /**
   * Computes `definitions` for one scope and period, sharing reads between
   * them. Results come back in the order asked.
   */
  async evaluate(definitions: readonly IndicatorDefinition[], scope: CounterScope, period: Period): Promise<IndicatorValue[]> {
    const terms = new Map<string, MetricTerm>();
    for (const definition of definitions) for (const term of termsOf(definition)) terms.set(termKey(term), term);

    const plans = new Map<string, TermPlan>();
    await Promise.all([...terms].map(async ([key, term]) => plans.set(key, await this.plan(term, scope, period))));

    const spans = new Map<string, { from: CalendarDate | undefined; to: CalendarDate | undefined; metrics: Set<Metric> }>();
    for (const [key, plan] of plans) {
      if (plan.kind !== 'span') continue;
      const span = spans.get(spanKey(plan.from, plan.to)) ?? spans.set(spanKey(plan.from, plan.to), { from: plan.from, to: plan.to, metrics: new Set() }).get(spanKey(plan.from, plan.to))!;
      span.metrics.add((terms.get(key) as MetricTerm).metric);
    }
    const changes = new Map<string, Map<Metric, bigint>>();
    await Promise.all([...spans].map(async ([key, span]) => changes.set(key, await this.layout.netChanges(scope, span.from, span.to, [...span.metrics]))));

    const totals = new Map<string, bigint>();
    await Promise.all(
      [...terms].map(async ([key, term]) => {
        const plan = plans.get(key) as TermPlan;
        if (plan.kind === 'distinct') return void totals.set(key, await this.layout.distinctCount(scope, period, term.metric));
        totals.set(key, plan.opening + (changes.get(spanKey(plan.from, plan.to))?.get(term.metric) ?? 0n));
      }),
    );
    const totalOf = (term: MetricTerm): bigint => totals.get(termKey(term)) ?? 0n;

    return definitions.map((definition): IndicatorValue => {
      if (definition.kind === 'ratio') {
        const { numerator, denominator } = definition.source;
        const top = totalOf(numerator);
        const bottom = totalOf(denominator);
        return {
          indicator: definition.id,
          value: percentHalfUp(Number(top), Number(bottom)),
          numerator: inUnits(numerator, top),
          denominator: inUnits(denominator, bottom),
        };
      }
      if (definition.unit === 'yuan' && !isFenMetric(definition.source.metric)) {
        throw new InvalidDefinitionError(`indicator ${definition.id} is in yuan but reads ${definition.source.metric}, not a fen metric`);
      }
      const total = totalOf(definition.source);
      const value = inUnits(definition.source, total);
      const exact = isFenMetric(definition.source.metric) ? yuanText(total) : total.toString();
      return { indicator: definition.id, value, ...(exactlyHeld(value, exact) ? {} : { exactValue: exact }) };
    });
  }

  private async plan(term: MetricTerm, scope: CounterScope, period: Period): Promise<TermPlan> {
    const distinct = distinctMetrics.has(term.metric);
    if (term.aggregate === 'flow') {
      if (distinct) return { kind: 'distinct' };
      return period.kind === 'all' ? { kind: 'span', from: undefined, to: undefined, opening: 0n } : { kind: 'span', from: period.first, to: period.last, opening: 0n };
    }
    if (distinct) throw new InvalidDefinitionError(`${term.metric} counts distinct persons per period and has no stock`);
    const end: CalendarDate = period.kind === 'all' ? endOfRecords : period.last;
    const balance: OpeningBalance | undefined = await this.baselines.baselineFor(term.metric, scope, end);
    if (balance === undefined) return { kind: 'span', from: undefined, to: end, opening: 0n };
    if (balance.asOf === undefined) return { kind: 'span', from: undefined, to: end, opening: BigInt(balance.value) };
    return { kind: 'span', from: nextDay(balance.asOf), to: end, opening: BigInt(balance.value) };
  }
}

function termsOf(definition: IndicatorDefinition): MetricTerm[] {
  return definition.kind === 'ratio' ? [definition.source.numerator, definition.source.denominator] : [definition.source];
}

/** Money metrics are stored in fen and reported in yuan (decimal numbers). */
function inUnits(term: MetricTerm, total: bigint): number {
  return isFenMetric(term.metric) ? Number(yuanText(total)) : Number(total);
}

/** True when the number `value` prints as exactly `exact`. */
function exactlyHeld(value: number, exact: string): boolean {
  return String(value) === exact;
}

/** Exact yuan, as decimal text, of an amount of fen: 123456789012345678 → "1234567890123456.78". */
export function yuanText(fen: bigint): string {
  const negative = fen < 0n;
  const digits = (negative ? -fen : fen).toString().padStart(3, '0');
  const text = `${digits.slice(0, -2)}.${digits.slice(-2)}`.replace(/\.00$/, '').replace(/(\.\d)0$/, '$1');
  return negative ? `-${text}` : text;
}

/**
 * numerator ÷ denominator in percent, rounded half-up (away from zero) to 2
 * decimals in exact integer arithmetic: 87.225 → 87.23, 2/3 → 66.67. Null
 * when the denominator is 0.
 */
export function percentHalfUp(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator)) {
    throw new IndicatorError('ratio parts must be whole counts');
  }
  const top = BigInt(Math.abs(numerator));
  const bottom = BigInt(Math.abs(denominator));
  // floor(x + 1/2) with x = top·10000/bottom, i.e. hundredths of a percent rounded half-up.
  const hundredths = (top * 20000n + bottom) / (2n * bottom);
  const negative = numerator < 0 !== denominator < 0 && hundredths > 0n;
  return (negative ? -1 : 1) * (Number(hundredths) / 100);
}
