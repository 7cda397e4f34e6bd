import type { CounterChange } from './counter-changes.ts';
import { canonicalCell, counterChanges, distinctCells, firstDatePeriod } from './counter-changes.ts';
import { counterKeys } from './metrics.ts';
import type { CounterDelta, DistinctDelta } from './decision.ts';

/**
 * What one event changed at one scope on one day: its counter changes
 * grouped by (scope, day). Entries are the explain index: a figure's events
 * are the entries of its scopes (a division's subtree, or one organisation)
 * over its days, and their cells add up to exactly what the counters hold,
 * because both are the same changes. An event that moved a count from
 * another event's day (a late report of an earlier date) has an entry on
 * each day, so each day's list adds up on its own.
 */
export interface ExplainEntry {
  /** Counter partition: `DIV#…` (what is recorded at that division itself) or `ORG#…`. */
  readonly scope: string;
  /** The calendar day the changes count on. */
  readonly day: string;
  /**
   * `metric` → its change on `day`; for distinct-count metrics also
   * `metric|<period key>` (`M#2026-07`, `Q#2026-Q3`, `Y#2026`, `A#ALL`) → the
   * change of that period's count, filed under the event's own date (a late
   * report of an earlier date that moves a person's year from one month's
   * cell to another's changes the year's count by 0, and has no such cell).
   */
  readonly cells: Readonly<Record<string, number>>;
}

/** The cell of an entry that holds a part's change: `metric`, or `metric|<period key>` for a distinct count over a longer period. */
export const explainCell = (metric: string, periodKey?: string): string => (periodKey === undefined ? metric : `${metric}|${periodKey}`);

/** Entries in scope order, then day order. */
const byScopeAndDay = (a: ExplainEntry, b: ExplainEntry): number => (a.scope === b.scope ? (a.day < b.day ? -1 : a.day > b.day ? 1 : 0) : a.scope < b.scope ? -1 : 1);

/** Groups counter changes into entries (one event's changes, or anything already merged per item). */
export function entriesOfChanges(changes: readonly CounterChange[], eventDate: string): ExplainEntry[] {
  const entries = new Map<string, { scope: string; day: string; cells: Record<string, number> }>();
  const add = (scope: string, day: string, cell: string, amount: number): void => {
    const key = `${scope}|${day}`;
    const entry = entries.get(key) ?? entries.set(key, { scope, day, cells: {} }).get(key)!;
    entry.cells[cell] = (entry.cells[cell] ?? 0) + amount;
  };
  for (const change of changes) {
    for (const [attribute, amount] of Object.entries(change.amounts)) {
      const first = firstDatePeriod(change.sk, attribute);
      const at = attribute.lastIndexOf('@');
      if (first !== undefined) add(change.pk, eventDate, explainCell(first.metric, first.period), amount);
      else if (at >= 0 && change.sk.startsWith('M#')) add(change.pk, `${change.sk.slice(2)}-${attribute.slice(at + 1)}`, attribute.slice(0, at), amount);
      else add(change.pk, eventDate, explainCell(attribute, change.sk), amount);
    }
  }
  for (const [key, entry] of entries) {
    for (const [cell, amount] of Object.entries(entry.cells)) if (amount === 0) delete entry.cells[cell];
    if (Object.keys(entry.cells).length === 0) entries.delete(key);
  }
  return [...entries.values()].sort(byScopeAndDay);
}

/** The explain entries of one event, from the effects it applied. */
export function explainEntries(
  eventDate: string,
  effects: { readonly deltas: readonly CounterDelta[]; readonly distinct: readonly DistinctDelta[] },
  lineage: (division: string) => readonly string[],
): ExplainEntry[] {
  return entriesOfChanges(counterChanges(effects.deltas, effects.distinct, lineage), eventDate);
}

/**
 * The entries an event's ledger record carries itself — its first division
 * entry and first organisation entry on its own date, the common case of
 * one event, one organisation, one township — and the rest, which need
 * items of their own.
 */
export function splitHomeEntries(
  entries: readonly ExplainEntry[],
  eventDate: string,
): { readonly division?: ExplainEntry; readonly org?: ExplainEntry; readonly rest: readonly ExplainEntry[] } {
  const division = entries.find((e) => e.scope.startsWith('DIV#') && e.day === eventDate);
  const org = entries.find((e) => e.scope.startsWith('ORG#') && e.day === eventDate);
  return { ...(division === undefined ? {} : { division }), ...(org === undefined ? {} : { org }), rest: entries.filter((e) => e !== division && e !== org) };
}

/** An entry as stored, its cells read exactly (sums of money pass 2^53 fen). */
export interface StoredCells {
  readonly scope: string;
  readonly day: string;
  readonly cells: Readonly<Record<string, number | bigint>>;
}

/** Canonical counter items (see canonicalCell): partition → sort key → attribute → exact amount. */
export type FoldedItems = Map<string, Map<string, Record<string, bigint>>>;

/** Adds `amount` to a cell of `items`, at its canonical place. */
export function addCanonical(items: FoldedItems, pk: string, sk: string, attribute: string, amount: bigint): void {
  const cell = canonicalCell(sk, attribute);
  const partition = items.get(pk) ?? items.set(pk, new Map()).get(pk)!;
  const item = partition.get(cell.sk) ?? partition.set(cell.sk, {}).get(cell.sk)!;
  item[cell.attribute] = (item[cell.attribute] ?? 0n) + amount;
}

/**
 * The inverse of entriesOfChanges, summed: the counter items that the
 * entries' changes add up to, in canonical form (zero amounts and empty
 * items left out). A day cell goes back to its day's attribute of the day's
 * month item, a month's count to that month's item, a first-date cell to the
 * first month of its period — exact for every read the evaluator makes.
 */
export function foldEntries(entries: Iterable<StoredCells>, into: FoldedItems = new Map()): FoldedItems {
  return withoutZeros(addEntries(entries, into));
}

/**
 * {@link foldEntries} without leaving out zeros: for adding up entries in
 * parts (a scan's pages), with {@link withoutZeros} once at the end.
 */
export function addEntries(entries: Iterable<StoredCells>, into: FoldedItems): FoldedItems {
  for (const entry of entries) {
    for (const [cell, value] of Object.entries(entry.cells)) {
      const amount = BigInt(value);
      const bar = cell.indexOf('|');
      if (bar < 0) {
        addCanonical(into, entry.scope, counterKeys.month(entry.day), counterKeys.dayAttribute(cell, entry.day), amount);
        continue;
      }
      const metric = cell.slice(0, bar);
      const period = cell.slice(bar + 1);
      if (period.startsWith('M#')) addCanonical(into, entry.scope, period, metric, amount);
      else {
        const { from, attribute } = distinctCells(metric, period);
        addCanonical(into, entry.scope, from, attribute, amount);
      }
    }
  }
  return into;
}

/** Counter items (a recomputation's, the Counters table's) brought to canonical form, added to `into`. */
export function canonicalItems(items: Iterable<{ readonly pk: string; readonly sk: string; readonly amounts: Readonly<Record<string, bigint>> }>, into: FoldedItems = new Map()): FoldedItems {
  for (const { pk, sk, amounts } of items) for (const [attribute, amount] of Object.entries(amounts)) addCanonical(into, pk, sk, attribute, amount);
  return withoutZeros(into);
}

/**
 * The inverse of foldEntries: entries that fold to exactly `items` (canonical
 * month items) — what a rebuild writes as correction entries where the
 * replay differs from the fold of the stored entries. A day's cell goes to
 * its day; a month's count to the month's first day; a first-date cell of a
 * quarter or a year to its period's first day and one of all time to `date`
 * (the rebuild's own): each inside the span of days the explainer reads for
 * that cell. One list of entries, one per (scope, day); an amount past
 * Number.MAX_SAFE_INTEGER continues in a further list, so every entry's
 * cells are exact as numbers and the lists together add up to `items`.
 */
export function entriesOfFolded(items: FoldedItems, date: string): ExplainEntry[][] {
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  const lists: Map<string, { scope: string; day: string; cells: Record<string, number> }>[] = [];
  const put = (scope: string, day: string, cell: string, amount: bigint): void => {
    for (let rest = amount, list = 0; rest !== 0n; list++) {
      const step = rest > max ? max : rest < -max ? -max : rest;
      const entries = lists[list] ?? (lists[list] = new Map());
      const key = `${scope}|${day}`;
      const entry = entries.get(key) ?? entries.set(key, { scope, day, cells: {} }).get(key)!;
      entry.cells[cell] = Number(step);
      rest -= step;
    }
  };
  for (const [scope, partition] of items) {
    for (const [sk, amounts] of partition) {
      if (!sk.startsWith('M#')) throw new Error(`${scope} ${sk} is not a month item`);
      const month = sk.slice(2);
      for (const [attribute, amount] of Object.entries(amounts)) {
        const first = firstDatePeriod(sk, attribute);
        const at = attribute.lastIndexOf('@');
        if (first !== undefined) put(scope, first.period.startsWith('A#') ? date : `${month}-01`, explainCell(first.metric, first.period), amount);
        else if (at >= 0) put(scope, `${month}-${attribute.slice(at + 1)}`, attribute.slice(0, at), amount);
        else put(scope, `${month}-01`, explainCell(attribute, sk), amount);
      }
    }
  }
  return lists.map((entries) => [...entries.values()].sort(byScopeAndDay));
}

/** `items` less `less`, canonical, zeros left out. */
export function foldedDifference(items: FoldedItems, less: FoldedItems): FoldedItems {
  const out: FoldedItems = new Map();
  for (const [pk, partition] of items) for (const [sk, amounts] of partition) for (const [attribute, amount] of Object.entries(amounts)) addCanonical(out, pk, sk, attribute, amount);
  for (const [pk, partition] of less) for (const [sk, amounts] of partition) for (const [attribute, amount] of Object.entries(amounts)) addCanonical(out, pk, sk, attribute, -amount);
  return withoutZeros(out);
}

/** Drops zero amounts, and items and partitions left empty. */
export function withoutZeros(items: FoldedItems): FoldedItems {
  for (const [pk, partition] of items) {
    for (const [sk, item] of partition) {
      for (const [attribute, amount] of Object.entries(item)) if (amount === 0n) delete item[attribute];
      if (Object.keys(item).length === 0) partition.delete(sk);
    }
    if (partition.size === 0) items.delete(pk);
  }
  return items;
}
