import type { DivisionTree } from '../config/deployment.ts';
import type { Metric } from '../domain/metrics.ts';
import type { SubtreeOf } from './counter-ranges.ts';
import { CounterLayoutReader } from './counter-ranges.ts';
import type { BaselineSource, CounterScope, CounterSource, OpeningBalance } from './counter-source.ts';
import type { CalendarDate } from './period.ts';

/** One recorded opening balance (baseline.recorded.v1). */
export interface RecordedBaseline {
  readonly metric: string;
  readonly division: string;
  readonly asOf: CalendarDate;
  readonly value: number;
  /** The event that recorded it (absent on items written before events were named). */
  readonly event?: { readonly source: string; readonly id: string };
}

/** Reads the baselines recorded for a metric (every division, every asOf). */
export interface BaselineReader {
  baselinesOf(metric: Metric): Promise<readonly RecordedBaseline[]>;
}

/**
 * Baselines as INDICATORS.md defines them: a stock at division X as of D is
 * X's latest baseline with asOf ≤ D plus the net change from events dated
 * after it. A division without a baseline of its own adds up its parts: its
 * events since records began, adjusted by each baseline below it (the
 * highest ones on each branch) by `value − events at that division up to
 * asOf`. So the county equals the sum of its townships when only townships
 * record baselines, and events arriving late on either side of an asOf land
 * where the definition puts them.
 */
export class RecordedBaselines implements BaselineSource {
  private readonly layout: CounterLayoutReader;

  constructor(
    private readonly baselines: BaselineReader,
    counters: CounterSource,
    private readonly divisions: DivisionTree,
  ) {
    const subtree: SubtreeOf = (division) => divisions.subtree(division);
    this.layout = new CounterLayoutReader(counters, subtree);
  }

  async baselineFor(metric: Metric, scope: CounterScope, date: CalendarDate): Promise<OpeningBalance | undefined> {
    return (await this.baselineUsed(metric, scope, date))?.balance;
  }

  /** The opening balance and the recorded baselines it is made of: one (the division's own), or those below it. */
  async baselineUsed(metric: Metric, scope: CounterScope, date: CalendarDate): Promise<{ balance: OpeningBalance; recorded: readonly RecordedBaseline[] } | undefined> {
    if (!('division' in scope)) return undefined;
    const recorded = await this.baselines.baselinesOf(metric);
    if (recorded.length === 0) return undefined;
    const latest = new Map<string, RecordedBaseline>();
    for (const b of recorded) {
      if (b.asOf > date) continue;
      const current = latest.get(b.division);
      if (current === undefined || b.asOf > current.asOf) latest.set(b.division, b);
    }
    const own = latest.get(scope.division);
    if (own !== undefined) return { balance: { value: own.value, asOf: own.asOf }, recorded: [own] };
    const below: RecordedBaseline[] = [];
    const visit = (division: string): void => {
      for (const child of this.divisions.children(division)) {
        const baseline = latest.get(child);
        if (baseline !== undefined) below.push(baseline);
        else visit(child);
      }
    };
    visit(scope.division);
    if (below.length === 0) return undefined;
    const adjustments = await Promise.all(below.map(async (b) => b.value - (await this.netChangeUpTo(metric, b.division, b.asOf))));
    return { balance: { value: adjustments.reduce((sum, a) => sum + a, 0) }, recorded: below };
  }

  private async netChangeUpTo(metric: Metric, division: string, date: CalendarDate): Promise<number> {
    const changes = await this.layout.netChanges({ division }, undefined, date, [metric]);
    return Number(changes.get(metric) ?? 0n);
  }
}
