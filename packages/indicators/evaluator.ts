/**
 * The one generic evaluator: computes any catalogue entry from counters. It
 * first plans every counter read the requested indicators need at one scope
 * and period, reads each distinct range once, then sums per metric, so asking
 * for ten indicators costs about as much as asking for one.
 */
import { distinctMetrics } from '../domain/metrics.ts';
import type { IndicatorDefinition, MetricTerm } from './catalog.ts';
import { isFenMetric } from './catalog.ts';
import type { SortKeyRange } from './counter-ranges.ts';
import { distinctItemFor, endOfRecords, rangesForDays } from './counter-ranges.ts';
import type { BaselineSource, CounterItem, CounterScope, CounterSource, OpeningBalance } from './counter-source.ts';
import { counterPartition, noBaselines } from './counter-source.ts';
import { IndicatorError, InvalidDefinitionError } from './errors.ts';
import type { CalendarDate, Period } from './period.ts';
import { nextDay } from './period.ts';

/** A computed figure. `value` is null for a ratio whose denominator is 0. */
export interface IndicatorValue {
  readonly indicator: string;
  /** Counts as integers, money in yuan, ratios in percent (2 decimals, half-up). */
  readonly value: number | null;
  readonly numerator?: number;
  readonly denominator?: number;
}

/** The reads one term needs and the opening balance it starts from. */
interface TermPlan {
  readonly ranges: readonly SortKeyRange[];
  readonly opening: number;
}

const termKey = (term: MetricTerm): string => `${term.aggregate}:${term.metric}`;
const rangeKey = (range: SortKeyRange): string => `${range.from}|${range.to}`;

export class IndicatorEvaluator {
  constructor(
    private readonly counters: CounterSource,
    private readonly baselines: BaselineSource = noBaselines,
  ) {}

  /**
   * Computes `definitions` for one scope and period, sharing reads between
   * them. Results come back in the order asked.
   */
  async evaluate(definitions: readonly IndicatorDefinition[], scope: CounterScope, period: Period): Promise<IndicatorValue[]> {
    const terms = new Map<string, MetricTerm>();
    for (const definition of definitions) for (const term of termsOf(definition)) terms.set(termKey(term), term);

    const plans = new Map<string, TermPlan>();
    await Promise.all(
      [...terms].map(async ([key, term]) => plans.set(key, await this.plan(term, scope, period))),
    );

    const distinctRanges = new Map<string, SortKeyRange>();
    for (const plan of plans.values()) for (const range of plan.ranges) distinctRanges.set(rangeKey(range), range);
    const partition = counterPartition(scope);
    const itemsByRange = new Map<string, readonly CounterItem[]>();
    await Promise.all(
      [...distinctRanges].map(async ([key, range]) => itemsByRange.set(key, await this.counters.itemsInRange(partition, range))),
    );

    const totals = new Map<string, number>();
    for (const [key, term] of terms) {
      const plan = plans.get(key) as TermPlan;
      let total = plan.opening;
      for (const range of plan.ranges) {
        for (const item of itemsByRange.get(rangeKey(range)) ?? []) total += item.values[term.metric] ?? 0;
      }
      totals.set(key, total);
    }
    const totalOf = (term: MetricTerm): number => totals.get(termKey(term)) ?? 0;

    return definitions.map((definition): IndicatorValue => {
      if (definition.kind === 'ratio') {
        const { numerator, denominator } = definition.source;
        const top = totalOf(numerator);
        const bottom = totalOf(denominator);
        return {
          indicator: definition.id,
          value: percentHalfUp(top, bottom),
          numerator: inUnits(numerator, top),
          denominator: inUnits(denominator, bottom),
        };
      }
      const total = totalOf(definition.source);
      if (definition.unit === 'yuan' && !isFenMetric(definition.source.metric)) {
        throw new InvalidDefinitionError(`indicator ${definition.id} is in yuan but reads ${definition.source.metric}, not a fen metric`);
      }
      return { indicator: definition.id, value: inUnits(definition.source, total) };
    });
  }

  private async plan(term: MetricTerm, scope: CounterScope, period: Period): Promise<TermPlan> {
    const distinct = distinctMetrics.has(term.metric);
    if (term.aggregate === 'flow') {
      if (distinct) return { ranges: [distinctItemFor(period)], opening: 0 };
      return { ranges: period.kind === 'all' ? rangesForDays(undefined, undefined) : rangesForDays(period.first, period.last), opening: 0 };
    }
    if (distinct) throw new InvalidDefinitionError(`${term.metric} counts distinct persons per period and has no stock`);
    const end: CalendarDate = period.kind === 'all' ? endOfRecords : period.last;
    const balance: OpeningBalance | undefined = await this.baselines.baselineFor(term.metric, scope, end);
    if (balance === undefined) return { ranges: rangesForDays(undefined, end), opening: 0 };
    if (balance.asOf === undefined) return { ranges: rangesForDays(undefined, end), opening: balance.value };
    return { ranges: rangesForDays(nextDay(balance.asOf), end), opening: balance.value };
  }
}

function termsOf(definition: IndicatorDefinition): MetricTerm[] {
  return definition.kind === 'ratio' ? [definition.source.numerator, definition.source.denominator] : [definition.source];
}

/** Money metrics are stored in fen and reported in yuan (decimal numbers). */
function inUnits(term: MetricTerm, total: number): number {
  return isFenMetric(term.metric) ? total / 100 : total;
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
