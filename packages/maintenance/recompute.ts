/**
 * Recomputes state, counters and baselines from the recorded accepted events
 * by replaying them through the pure domain, exactly as the processor applies
 * them against DynamoDB, but in memory. Rebuild and reconcile both start here.
 */
import type { DivisionTree, RewardPolicy } from '../config/deployment.ts';
import type { EventType } from '../contract/index.ts';
import { applyEvent, eventRules, missingStateKeys } from '../domain/apply-event.ts';
import type { Divisions, DomainEvent } from '../domain/apply-event.ts';
import { rankOf } from '../domain/rank.ts';
import { counterChanges } from '../domain/counter-changes.ts';
import type { Decision } from '../domain/decision.ts';
import { counterKeys } from '../domain/metrics.ts';
import type { StateItem } from '../domain/state.ts';
import { MaintenanceError } from './errors.ts';

/** An accepted event as the Ledger keeps it (sk `ACCEPTED`): pseudonymised data only. */
export interface RecordedEvent {
  readonly source: string;
  readonly id: string;
  readonly type: string;
  /** Asia/Shanghai calendar date the event counts on. */
  readonly date: string;
  /** The producer's `time` (ISO 8601 with offset). */
  readonly time: string;
  readonly receivedAt: string;
  /**
   * The event's data, or its JSON text as the Ledger stores it: parsed only
   * as the event is replayed (toDomainEvent), so a replay holds each event's
   * data as compact text rather than as objects.
   */
  readonly data: unknown;
  /** Set when its counter changes spanned several transactions. */
  readonly chunks?: number;
}

/** An opening balance as stored in the Counters table (pk `BASELINE#<metric>`, sk `<division>#<asOf>`). */
export interface BaselineItem {
  readonly pk: string;
  readonly sk: string;
  readonly metric: string;
  readonly division: string;
  readonly asOf: string;
  readonly value: number;
  /** The event that recorded it. */
  readonly source: string;
  readonly id: string;
}

/** An accepted event the replay could not apply: live and recomputed figures have drifted apart. */
export interface SkippedEvent {
  readonly source: string;
  readonly id: string;
  readonly type: string;
  readonly outcome: 'reject' | 'unknown_org';
  /** `conflict` / `invalid_data` for rejections; `unknown_org` names no organisation (codes stay in the ledger). */
  readonly reason: string;
}

/** Counter attribute → exact net amount (sums of money can pass 2^53 fen). */
export type CounterAmounts = Record<string, bigint>;

export interface Recomputation {
  /** `pk|sk` → attribute → net change; zero amounts are left out, and items left empty are absent. */
  readonly counters: ReadonlyMap<string, Readonly<CounterAmounts>>;
  /** State table key → item. */
  readonly state: ReadonlyMap<string, StateItem>;
  /** Sorted by pk, then sk. */
  readonly baselines: readonly BaselineItem[];
  /** Events replayed and applied. */
  readonly applied: number;
  readonly skipped: readonly SkippedEvent[];
}

export interface RecomputeOptions {
  readonly divisions: DivisionTree;
  readonly rewards: RewardPolicy;
}

/** The key under which a counter item appears in `Recomputation.counters`. */
export const counterItemKey = (pk: string, sk: string): string => `${pk}|${sk}`;

/** The pk and sk of a {@link counterItemKey}: sort keys never contain `|`, partition keys might in theory, so split at the last one. */
export function counterItemKeyParts(key: string): { pk: string; sk: string } {
  const at = key.lastIndexOf('|');
  return { pk: key.slice(0, at), sk: key.slice(at + 1) };
}

/**
 * The order events are replayed in: by the date they count on, then their
 * time, then arrival, then (source, id) so that equal timestamps still give
 * one answer. Instants are compared as instants, not as strings, since
 * producers may write different offsets.
 */
export function replayOrder(a: RecordedEvent, b: RecordedEvent): number {
  return (
    compareText(a.date, b.date) ||
    compareInstants(a.time, b.time) ||
    compareInstants(a.receivedAt, b.receivedAt) ||
    compareText(a.source, b.source) ||
    compareText(a.id, b.id)
  );
}

/**
 * State, counters and baselines held in memory, changed one event at a time
 * exactly as the processor changes them in DynamoDB (same domain calls, same
 * counter expansion). Recompute replays through it; tests use it directly.
 */
export class InMemoryLedger {
  readonly state = new Map<string, StateItem>();
  /** `pk|sk` → attribute → net change. */
  readonly counters = new Map<string, CounterAmounts>();
  /** `pk|sk` → baseline item. */
  readonly baselines = new Map<string, BaselineItem>();
  private readonly divisions: Divisions;

  constructor(private readonly options: RecomputeOptions) {
    this.divisions = { rootDivision: options.divisions.rootCode, lineage: (division) => options.divisions.lineage(division) };
  }

  /** Decides `event` against the current state and, if it applies, commits it. */
  apply(event: DomainEvent): Decision {
    const fetched = new Set<string>();
    const view = new Map<string, StateItem>();
    for (let keys = missingStateKeys(event, view, fetched, this.divisions); keys.length > 0; keys = missingStateKeys(event, view, fetched, this.divisions)) {
      for (const key of keys) {
        fetched.add(key);
        const item = this.state.get(key);
        if (item !== undefined) view.set(key, item);
      }
    }
    const decision = applyEvent(event, view, { rewards: this.options.rewards, ...this.divisions });
    if (decision.outcome === 'apply') this.commit(decision);
    return decision;
  }

  private commit(decision: Extract<Decision, { outcome: 'apply' }>): void {
    for (const write of decision.writes) {
      // Application is sequential, so a version mismatch is a domain bug, not contention.
      if (this.state.get(write.key)?.version !== write.expectedVersion) {
        throw new MaintenanceError(`replay wrote state item ${write.key.split('#')[0]}# from a version it had not read`);
      }
      this.state.set(write.key, write.item);
    }
    for (const change of counterChanges(decision.deltas, decision.distinct ?? [], this.divisions.lineage)) {
      const key = counterItemKey(change.pk, change.sk);
      const item = this.counters.get(key) ?? {};
      for (const [attribute, amount] of Object.entries(change.amounts)) item[attribute] = (item[attribute] ?? 0n) + BigInt(amount);
      this.counters.set(key, item);
    }
    for (const b of decision.baselines ?? []) {
      const pk = counterKeys.baseline(b.metric);
      const sk = counterKeys.baselineEntry(b.division, b.asOf);
      this.baselines.set(counterItemKey(pk, sk), { pk, sk, metric: b.metric, division: b.division, asOf: b.asOf, value: b.value, source: b.source, id: b.id });
    }
  }
}

/**
 * Replays `events` (any order: they are sorted with {@link replayOrder}) into
 * fresh state, counters and baselines. An event naming an organisation not
 * registered yet at its place in the order is retried once after all others,
 * as the queue would redeliver it live; if it still cannot apply, or the
 * domain rejects it, it is skipped and listed in `skipped`.
 *
 * @throws MaintenanceError when a recorded event has no known type (the ledger
 *   was written by a newer version of the domain).
 */
export function recompute(events: Iterable<RecordedEvent>, options: RecomputeOptions): Recomputation {
  const ledger = new InMemoryLedger(options);
  const skipped: SkippedEvent[] = [];
  let applied = 0;
  const deferred: RecordedEvent[] = [];
  const replay = (recorded: RecordedEvent, lastChance: boolean): void => {
    const decision = ledger.apply(toDomainEvent(recorded));
    if (decision.outcome === 'apply') {
      applied++;
      return;
    }
    if (decision.outcome === 'unknown_org' && !lastChance) {
      deferred.push(recorded);
      return;
    }
    const { source, id, type } = recorded;
    skipped.push(
      decision.outcome === 'reject'
        ? { source, id, type, outcome: 'reject', reason: decision.reason }
        : { source, id, type, outcome: 'unknown_org', reason: 'unknown_org' },
    );
  };
  for (const recorded of [...events].sort(replayOrder)) replay(recorded, false);
  for (const recorded of deferred) replay(recorded, true);

  const counters = ledger.counters;
  for (const [key, amounts] of counters) {
    for (const [attribute, amount] of Object.entries(amounts)) if (amount === 0n) delete amounts[attribute];
    if (Object.keys(amounts).length === 0) counters.delete(key);
  }
  return {
    counters,
    state: ledger.state,
    baselines: [...ledger.baselines.values()].sort((a, b) => compareText(a.pk, b.pk) || compareText(a.sk, b.sk)),
    applied,
    skipped,
  };
}

export function toDomainEvent(recorded: RecordedEvent): DomainEvent {
  if (typeof recorded.type !== 'string' || !Object.hasOwn(eventRules, recorded.type)) {
    throw new MaintenanceError(`recorded event ${recorded.source}/${recorded.id} has no known type`);
  }
  const { type, source, id, date } = recorded;
  // Event data is always an object: text is the Ledger's JSON of it.
  const data = typeof recorded.data === 'string' ? (JSON.parse(recorded.data) as unknown) : recorded.data;
  return { type: type as EventType, source, id, date, rank: rankOf(recorded), data } as DomainEvent;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareInstants(a: string, b: string): number {
  const difference = Date.parse(a) - Date.parse(b);
  return Number.isNaN(difference) ? compareText(a, b) : Math.sign(difference) || compareText(a, b);
}
