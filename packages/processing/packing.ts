/**
 * Packing a batch's decided events into transactions: as many events a
 * transaction as DynamoDB's limits allow, with one write per state item and
 * one merged change per counter item; an event too large for a transaction
 * of its own is chunked. Pure: no I/O, the same events give the same plans.
 */
import type { CounterChange } from '../domain/counter-changes.ts';
import { storedCounterChanges } from '../domain/counter-changes.ts';
import type { Baseline, Decision, StateWrite } from '../domain/decision.ts';
import { splitHomeEntries } from '../domain/explain.ts';
import type { AcceptedRecord, Fence, TransactionPlan } from '../storage/event-store.ts';
import {
  baselineBytes,
  counterBytes,
  counterItemId,
  emptyPlanSize,
  explainItems,
  maxTransactionBytes,
  maxTransactionItems,
  recordSize,
  stateWriteSize,
} from '../storage/event-store.ts';
import { encodeState } from '../storage/state-codec.ts';

/** A decided event, as the packer sees it. */
export interface Packable {
  readonly decision: Extract<Decision, { outcome: 'apply' }>;
  /** The state keys the decision read: it holds only if none of them changes before it commits. */
  readonly read: readonly string[];
}

/** The state items an event's decision read or writes. */
const keysOf = (d: Packable): string[] => [...d.read, ...d.decision.writes.map((w) => w.key)];

/**
 * The writes of decided events that did not land (a transaction failed, or
 * the event was left out of it), each item with the earliest such event's
 * place in the order of decisions. An event decided after one of them, on an
 * item it writes, was decided on state that never landed and must not go;
 * one decided before saw the item as read, which still holds (or its own
 * write's condition says otherwise).
 */
export class LostWrites<D extends Packable> {
  private readonly earliest = new Map<string, number>();

  constructor(private readonly decidedAt: ReadonlyMap<D, number>) {}

  /** Records that `d`'s writes did not land. */
  add(d: D): void {
    const at = this.decidedAt.get(d) as number;
    for (const w of d.decision.writes) this.earliest.set(w.key, Math.min(at, this.earliest.get(w.key) ?? Number.POSITIVE_INFINITY));
  }

  /** Whether `d` was decided after a lost write to an item it reads or writes. */
  decidedOn(d: D): boolean {
    const at = this.decidedAt.get(d) as number;
    return keysOf(d).some((key) => (this.earliest.get(key) ?? Number.POSITIVE_INFINITY) < at);
  }
}

/**
 * The members whose decisions did not rest on the `moved` state items: in
 * the order of decisions, an event that reads or writes a moved item is
 * left out (and one `alsoOut` names: it writes an item that is busy), and
 * so is every later one decided on what a left-out event writes
 * ({@link LostWrites}). Keeps the members' order.
 */
export function notDecidedOn<D extends Packable>(
  members: readonly D[],
  moved: ReadonlySet<string>,
  decidedAt: ReadonlyMap<D, number>,
  alsoOut: (d: D) => boolean = () => false,
): D[] {
  const left = new LostWrites(decidedAt);
  const out = new Set<D>();
  for (const m of [...members].sort((a, b) => (decidedAt.get(a) as number) - (decidedAt.get(b) as number))) {
    if (keysOf(m).some((key) => moved.has(key)) || alsoOut(m) || left.decidedOn(m)) {
      left.add(m);
      out.add(m);
    }
  }
  return members.filter((m) => !out.has(m));
}

/** One transaction's worth of decided events, or one chunked event. */
export interface Unit<D extends Packable> {
  readonly members: readonly D[];
  readonly plans: readonly TransactionPlan[];
}

export interface PackingOptions<D extends Packable> {
  readonly fence: Fence;
  /** How many stored pages each state item read had (surplus continuations are deleted). */
  readonly storedPages: ReadonlyMap<string, number>;
  readonly lineage: (division: string) => readonly string[];
  /** The ledger record of a decided event. */
  readonly recordOf: (d: D) => AcceptedRecord;
  /** Events that get a transaction of their own (their state is contended: a failure takes no other event with it). */
  readonly alone: (d: D) => boolean;
}

/** Counter changes of a chunked event per transaction after the first: 100 less the fence and the chunk marker. */
const countersPerChunk = maxTransactionItems - 2;

/**
 * Groups decided events into transactions: each takes as many events, in
 * affinity order (see {@link byAffinity}), as fit DynamoDB's limits, with
 * one write per state item (its first read version, its last value) and one
 * merged change per counter item. An event too large for a transaction of
 * its own is chunked: the first transaction holds its ledger record and
 * state, each later one a marker and a fixed share of its counter changes,
 * so an interrupted event is completed from its recorded effects on
 * redelivery.
 *
 * A transaction's size is worked out as events join it (linear in the
 * batch): counter items and attributes are counted before nets cancel, so
 * the running size never falls short of the plan's.
 */
export function planUnits<D extends Packable>(decided: readonly D[], options: PackingOptions<D>): Unit<D>[] {
  const { fence, lineage, recordOf, alone } = options;
  const pages = new Map(options.storedPages);
  const units: Unit<D>[] = [];
  const changesOf = new Map(decided.map((d) => [d, storedCounterChanges(d.decision.deltas, d.decision.distinct ?? [], lineage)]));
  let open = new OpenTransaction<D>(pages, changesOf, recordOf);

  const build = (group: readonly D[]): TransactionPlan => planFor(group, { fence, storedPages: pages, lineage, recordOf });
  const push = (members: readonly D[], plans: readonly TransactionPlan[]): void => {
    units.push({ members, plans });
    for (const write of (plans[0] as TransactionPlan).states) pages.set(write.key, encodeState(write.key, write.item).length);
  };
  const close = (): void => {
    if (open.members.length > 0) push(open.members, [build(open.members)]);
    open = new OpenTransaction<D>(pages, changesOf, recordOf);
  };
  for (const d of byAffinity(decided, (x) => changesOf.get(x) as CounterChange[])) {
    const single = alone(d);
    if (!single && open.add(d)) continue;
    close();
    if (open.add(d)) {
      if (single) close();
      continue;
    }
    const plan = build([d]);
    push([d], chunked(plan));
  }
  close();
  return units;
}

/**
 * The transaction of a group of decided events, in decision order: one
 * write per state item (its first read version, its last value), one merged
 * change per counter item, one write per baseline.
 */
export function planFor<D extends Packable>(
  group: readonly D[],
  options: Pick<PackingOptions<D>, 'fence' | 'storedPages' | 'lineage' | 'recordOf'>,
): TransactionPlan {
  const states = new Map<string, StateWrite>();
  for (const d of group) {
    for (const write of d.decision.writes) {
      const first = states.get(write.key);
      states.set(write.key, { key: write.key, expectedVersion: first === undefined ? write.expectedVersion : first.expectedVersion, item: write.item });
    }
  }
  return {
    fence: options.fence,
    events: group.map(options.recordOf),
    states: [...states.values()],
    storedPages: new Map([...states.keys()].map((key) => [key, options.storedPages.get(key) ?? 1])),
    counters: storedCounterChanges(group.flatMap((d) => d.decision.deltas), group.flatMap((d) => d.decision.distinct ?? []), options.lineage),
    // One write per item: of two balances for one (metric, division, asOf), the later decision holds.
    baselines: [...new Map(group.flatMap((d) => d.decision.baselines ?? []).map((b) => [`${b.metric}|${b.division}|${b.asOf}`, b])).values()],
  };
}

/** The running size of the transaction being filled: what each joining event adds to it. */
class OpenTransaction<D extends Packable> {
  readonly members: D[] = [];
  private items: number = emptyPlanSize.items;
  private bytes: number = emptyPlanSize.bytes;
  /** Per state key written: the size of its latest value. */
  private readonly states = new Map<string, { items: number; bytes: number }>();
  /** Per counter item: the attributes it changes. */
  private readonly counters = new Map<string, Set<string>>();
  private readonly baselines = new Set<string>();

  constructor(
    private readonly pages: ReadonlyMap<string, number>,
    private readonly changesOf: ReadonlyMap<D, readonly CounterChange[]>,
    private readonly recordOf: (d: D) => AcceptedRecord,
  ) {}

  /** Adds `d` if the transaction still fits DynamoDB's limits with it; false (and nothing added) otherwise. */
  add(d: D): boolean {
    const record = recordSize(this.recordOf(d));
    let items = this.items + record.items;
    let bytes = this.bytes + record.bytes;
    const states = new Map<string, { items: number; bytes: number }>();
    for (const write of d.decision.writes) {
      const before = states.get(write.key) ?? this.states.get(write.key);
      const after = stateWriteSize(write, this.pages.get(write.key) ?? 1);
      items += after.items - (before?.items ?? 0);
      bytes += after.bytes - (before?.bytes ?? 0);
      states.set(write.key, after);
    }
    const attributes = new Map<string, string[]>();
    for (const change of this.changesOf.get(d) ?? []) {
      const id = counterItemId(change);
      const known = this.counters.get(id);
      const added = Object.keys(change.amounts).filter((a) => known?.has(a) !== true);
      if (known === undefined) {
        items += 1;
        bytes += counterBytes.item;
      }
      bytes += added.length * counterBytes.attribute;
      attributes.set(id, added);
    }
    const newBaselines = new Set((d.decision.baselines ?? []).map((b: Baseline) => `${b.metric}|${b.division}|${b.asOf}`).filter((k) => !this.baselines.has(k)));
    items += newBaselines.size;
    bytes += newBaselines.size * baselineBytes;
    if (items > maxTransactionItems || bytes > maxTransactionBytes) return false;
    this.members.push(d);
    this.items = items;
    this.bytes = bytes;
    for (const [key, size] of states) this.states.set(key, size);
    for (const [id, added] of attributes) {
      const known = this.counters.get(id) ?? this.counters.set(id, new Set()).get(id)!;
      for (const a of added) known.add(a);
    }
    for (const k of newBaselines) this.baselines.add(k);
    return true;
  }
}

/**
 * The decided events in the order they are packed: events that change the
 * same counter items side by side, so that one transaction carries one
 * merged write per item for many of them (a township's month item, written
 * by most events of the township in that month, is the usual one).
 *
 * Reordering never changes a decision: an event still comes after every
 * event of the batch whose state write it was decided on (it would
 * otherwise commit a decision on state that may never land), and counter
 * changes add up in any order.
 */
function byAffinity<D extends Packable>(decided: readonly D[], changesOf: (d: D) => readonly CounterChange[]): D[] {
  // What each event waits for: the last earlier writer of each key it read or writes.
  const lastWriter = new Map<string, number>();
  const dependants: number[][] = decided.map(() => []);
  const waitingFor = decided.map((d, i) => {
    const on = new Set<number>();
    for (const key of keysOf(d)) {
      const writer = lastWriter.get(key);
      if (writer !== undefined) on.add(writer);
    }
    for (const w of d.decision.writes) lastWriter.set(w.key, i);
    for (const writer of on) (dependants[writer] as number[]).push(i);
    return on.size;
  });
  // Each event's place: its most written counter items first (then by key, so equal places are adjacent).
  const counterItems = decided.map((d) => changesOf(d).map(counterItemId));
  const writers = new Map<string, number>();
  for (const items of counterItems) for (const item of items) writers.set(item, (writers.get(item) ?? 0) + 1);
  const places = counterItems.map((items) =>
    items
      .map((item): [number, string] => [writers.get(item) ?? 0, item])
      .sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      .slice(0, 3),
  );
  const byPlace = decided.map((_, i) => i);
  byPlace.sort((a, b) => {
    const [x, y] = [places[a] as [number, string][], places[b] as [number, string][]];
    for (let k = 0; k < Math.max(x.length, y.length); k++) {
      const [p, q] = [x[k], y[k]];
      if (p === undefined || q === undefined) return p === undefined ? 1 : -1;
      if (p[0] !== q[0]) return q[0] - p[0];
      if (p[1] !== q[1]) return p[1] < q[1] ? -1 : 1;
    }
    return a - b;
  });
  // In place order, except that an event follows right after the last event
  // it waits for: a chain of events on one state item then mostly shares a
  // transaction, and the item is written once, not once per event.
  const order: number[] = [];
  const release = (first: number): void => {
    const ready = [first];
    for (let i = ready.pop(); i !== undefined; i = ready.pop()) {
      order.push(i);
      for (const j of dependants[i] as number[]) if ((waitingFor[j] = (waitingFor[j] as number) - 1) === 0) ready.push(j);
    }
  };
  const free = waitingFor.map((n) => n === 0);
  for (const i of byPlace) if (free[i] === true) release(i);
  return order.map((i) => decided[i] as D);
}

/**
 * The plans of an event too large for one transaction (see planUnits): its
 * record keeps only its home explain entries, the others follow in chunks.
 */
function chunked(alone: TransactionPlan): TransactionPlan[] {
  const record = alone.events[0] as AcceptedRecord;
  const home = splitHomeEntries(record.explain, record.date);
  const shares = chunkShares(alone.counters, explainItems(record, home.rest), alone.fence, record);
  return [{ ...alone, events: [{ ...record, explain: [home.division, home.org].filter((e) => e !== undefined) }], counters: [], chunks: shares.length + 1 }, ...shares];
}

/**
 * The later transactions of a chunked event: counter changes in a fixed
 * order and fixed shares, then its explain items, so a redelivery recomputes
 * the very same chunks.
 */
export function chunkShares(changes: readonly CounterChange[], items: readonly Record<string, unknown>[], fence: Fence, event: { source: string; id: string }): TransactionPlan[] {
  const sorted = [...changes].sort((a, b) => (a.pk === b.pk ? (a.sk < b.sk ? -1 : 1) : a.pk < b.pk ? -1 : 1));
  const plans: Omit<TransactionPlan, 'chunk'>[] = [];
  const empty = { fence, events: [], states: [], storedPages: new Map<string, number>(), baselines: [] };
  for (let i = 0; i < sorted.length; i += countersPerChunk) plans.push({ ...empty, counters: sorted.slice(i, i + countersPerChunk) });
  for (let i = 0; i < items.length; i += countersPerChunk) plans.push({ ...empty, counters: [], explainItems: items.slice(i, i + countersPerChunk) });
  return plans.map((plan, i) => ({ ...plan, chunk: { source: event.source, id: event.id, index: i + 1 } }));
}
