/**
 * Where a figure comes from (API.md "Explaining a figure"). Each part of a
 * figure (its value, or a ratio's numerator and denominator) is one metric
 * summed over a set of counter partitions and a span of days, plus an
 * opening balance for stocks — exactly as the evaluator computes it. The
 * explain entries (domain/explain.ts) are the same changes as the counters,
 * filed by (scope, day, event), so the entries of those partitions over that
 * span add up to the part: baseline + Σ effects = value, by construction.
 */
import type { DivisionTree } from '../config/deployment.ts';
import { explainCell } from '../domain/explain.ts';
import type { Metric } from '../domain/metrics.ts';
import { counterKeys, distinctMetrics } from '../domain/metrics.ts';
import type { IndicatorDefinition, MetricTerm } from '../indicators/catalog.ts';
import { isFenMetric } from '../indicators/catalog.ts';
import { endOfRecords } from '../indicators/counter-ranges.ts';
import type { CounterScope } from '../indicators/counter-source.ts';
import type { CalendarDate, Period } from '../indicators/period.ts';
import { nextDay } from '../indicators/period.ts';
import type { RecordedBaseline } from '../indicators/recorded-baselines.ts';

/** One range of one scope's entries, filtered to those that changed `cell`. */
export interface EntryQuery {
  readonly scope: string;
  readonly cell: string;
  readonly from: CalendarDate | undefined;
  readonly to: CalendarDate | undefined;
  readonly limit: number;
  /** Resume after this entry (an opaque key from a previous answer). */
  readonly after?: string;
}

/** An entry as read: its event, its day and its change of the cell asked for. */
export interface StoredEntry {
  readonly source: string;
  readonly id: string;
  readonly type: string;
  readonly day: CalendarDate;
  readonly processedAt: string;
  readonly amount: number;
  /** Where to resume to read the entries after this one. */
  readonly resumeAfter: string;
}

export interface EntryPage {
  readonly entries: readonly StoredEntry[];
  /** Set when the range has more entries: where to resume. */
  readonly after?: string;
}

/** Reads explain entries; one call is one read (a DynamoDB Query). */
export interface ExplainEntrySource {
  entries(query: EntryQuery): Promise<EntryPage>;
}

/** The recorded baselines behind a stock, and the opening balance they make. */
export interface BaselineDetails {
  baselineUsed(
    metric: Metric,
    scope: CounterScope,
    date: CalendarDate,
  ): Promise<{ balance: { value: number; asOf?: CalendarDate }; recorded: readonly RecordedBaseline[] } | undefined>;
}

export type PartName = 'value' | 'numerator' | 'denominator';

/** How one part of a figure is summed. */
export interface PartPlan {
  readonly part: PartName;
  readonly metric: Metric;
  /** Money is kept in fen and answered in yuan. */
  readonly inFen: boolean;
  /** Counter partitions whose entries count (a division's subtree, or the one scope of a distinct count). */
  readonly scopes: readonly string[];
  readonly cell: string;
  readonly from: CalendarDate | undefined;
  readonly to: CalendarDate | undefined;
  readonly baseline: BaselineUsed | null;
}

export interface BaselineUsed {
  /** The opening balance: a baseline's value, or (for a division without one) the adjustment its parts' baselines make. */
  readonly value: number;
  /** Set when the balance is the division's own baseline: effects count from the day after. */
  readonly asOf?: CalendarDate;
  /** The recorded baselines it is made of. */
  readonly recorded: readonly { readonly division: string; readonly asOf: CalendarDate; readonly value: number; readonly event: { readonly source: string; readonly id: string } | null }[];
}

/** One listed event of a part: one entry (an event's change at one scope on one day). */
export interface ContributingEvent {
  readonly source: string;
  readonly id: string;
  readonly type: string;
  readonly date: CalendarDate;
  readonly processedAt: string;
  readonly scope: string;
  /** In the metric's unit: fen for money. */
  readonly amount: number;
}

/** Queries one page may spend at most: a page of events is served in bounded reads (and may hold fewer than asked). */
export const maxReadsPerPage = 40;
export const maxEventsPerPage = 1000;
/** Partitions read at once when a page moves on to fresh scopes. */
export const scopesReadTogether = 8;

export class ExplainError extends Error {
  override readonly name: string = 'ExplainError';
}

/** Where a page of a part's events resumes: the scope's position in the plan, and the entry to resume after. */
export interface EventsPosition {
  readonly scopeIndex: number;
  readonly after?: string;
}

export class Explainer {
  constructor(
    private readonly entries: ExplainEntrySource,
    private readonly baselines: BaselineDetails,
    private readonly divisions: DivisionTree,
  ) {}

  /** The parts of `definition` at `scope` and `period`, each with its sum's partitions, span and baseline. */
  async plan(definition: IndicatorDefinition, scope: CounterScope, period: Period): Promise<PartPlan[]> {
    const terms: [PartName, MetricTerm][] =
      definition.kind === 'ratio'
        ? [
            ['numerator', definition.source.numerator],
            ['denominator', definition.source.denominator],
          ]
        : [['value', definition.source]];
    return Promise.all(terms.map(([part, term]) => this.planPart(part, term, scope, period)));
  }

  private async planPart(part: PartName, term: MetricTerm, scope: CounterScope, period: Period): Promise<PartPlan> {
    const metric = term.metric;
    const common = { part, metric, inFen: isFenMetric(metric) };
    const first = period.kind === 'all' ? undefined : period.first;
    const last = period.kind === 'all' ? undefined : period.last;
    if (distinctMetrics.has(metric)) {
      // A distinct count is kept per scope and period, never summed from smaller ones.
      const own = 'division' in scope ? counterKeys.division(scope.division) : counterKeys.org(scope.orgCode);
      return { ...common, scopes: [own], cell: explainCell(metric, distinctPeriodKey(period)), from: first, to: last, baseline: null };
    }
    const scopes = 'division' in scope ? this.divisions.subtree(scope.division).map(counterKeys.division) : [counterKeys.org(scope.orgCode)];
    if (term.aggregate === 'flow') return { ...common, scopes, cell: metric, from: first, to: last, baseline: null };
    const end = last ?? endOfRecords;
    const used = await this.baselines.baselineUsed(metric, scope, end);
    if (used === undefined) return { ...common, scopes, cell: metric, from: undefined, to: last, baseline: null };
    const baseline: BaselineUsed = {
      value: used.balance.value,
      ...(used.balance.asOf === undefined ? {} : { asOf: used.balance.asOf }),
      recorded: used.recorded.map((b) => ({ division: b.division, asOf: b.asOf, value: b.value, event: b.event ?? null })),
    };
    return { ...common, scopes, cell: metric, from: used.balance.asOf === undefined ? undefined : nextDay(used.balance.asOf), to: last, baseline };
  }

  /**
   * One page of a part's events: up to `limit` entries, scope by scope in
   * the plan's order and by day within a scope, spending at most
   * {@link maxReadsPerPage} reads. Scopes that start fresh are read
   * {@link scopesReadTogether} at a time (a county's 30 partitions in four
   * round trips, not thirty); what a page does not use of them is read
   * again by the next. `next` is where the following page resumes; absent
   * after the last.
   */
  async events(plan: PartPlan, position: EventsPosition = { scopeIndex: 0 }, limit = maxEventsPerPage): Promise<{ events: ContributingEvent[]; next?: EventsPosition; reads: number }> {
    if (position.scopeIndex < 0 || position.scopeIndex > plan.scopes.length) throw new ExplainError('cursor names no scope of this figure');
    const events: ContributingEvent[] = [];
    let { scopeIndex, after } = position;
    let reads = 0;
    const here = (): EventsPosition => ({ scopeIndex, ...(after === undefined ? {} : { after }) });
    while (scopeIndex < plan.scopes.length && events.length < limit) {
      if (reads >= maxReadsPerPage) return { events, next: here(), reads };
      const together = after === undefined ? Math.min(scopesReadTogether, plan.scopes.length - scopeIndex, maxReadsPerPage - reads) : 1;
      const wanted = limit - events.length;
      const pages = await Promise.all(
        Array.from({ length: together }, (_, k) =>
          this.entries.entries({ scope: plan.scopes[scopeIndex + k] as string, cell: plan.cell, from: plan.from, to: plan.to, limit: wanted, ...(k === 0 && after !== undefined ? { after } : {}) }),
        ),
      );
      reads += together;
      for (const page of pages) {
        const scope = plan.scopes[scopeIndex] as string;
        for (const [i, entry] of page.entries.entries()) {
          if (events.length >= limit) return { events, next: { scopeIndex, after: (page.entries[i - 1] as StoredEntry).resumeAfter }, reads };
          if (entry.amount !== 0) events.push({ source: entry.source, id: entry.id, type: entry.type, date: entry.day, processedAt: entry.processedAt, scope, amount: entry.amount });
        }
        if (page.after !== undefined) {
          // This scope has more: read on from here (the pages read with it are read again).
          after = page.after;
          break;
        }
        scopeIndex += 1;
        after = undefined;
        if (events.length >= limit) break;
      }
    }
    return scopeIndex < plan.scopes.length ? { events, next: here(), reads } : { events, reads };
  }

  /** Every event of a part, optionally only those processed after `processedAfter`, summed exactly (in fen for money). */
  async total(plan: PartPlan, processedAfter?: string): Promise<{ change: bigint; events: ContributingEvent[]; reads: number }> {
    let change = 0n;
    let reads = 0;
    const all: ContributingEvent[] = [];
    let position: EventsPosition | undefined = { scopeIndex: 0 };
    while (position !== undefined) {
      const page: Awaited<ReturnType<Explainer['events']>> = await this.events(plan, position);
      reads += page.reads;
      for (const event of page.events) {
        if (processedAfter !== undefined && event.processedAt <= processedAfter) continue;
        change += BigInt(event.amount);
        all.push(event);
      }
      position = page.next;
    }
    return { change, events: all, reads };
  }
}

/** The period key of a distinct count's cell: the day's own cell, or the month's, quarter's, year's or all time's. */
function distinctPeriodKey(period: Period): string | undefined {
  switch (period.kind) {
    case 'day':
      return undefined;
    case 'month':
      return counterKeys.month(period.first);
    case 'quarter':
      return counterKeys.quarter(period.first);
    case 'year':
      return counterKeys.year(period.first);
    case 'all':
      return counterKeys.allTime();
  }
}
