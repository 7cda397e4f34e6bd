/**
 * A sweep over dated intervals: walks the dates on which any interval starts
 * or ends, in order, keeping the set of intervals active on each date in a
 * heap ordered by the caller's preference. O(n log n), so a person with
 * thousands of certificates still costs little.
 */

/** A binary heap with lazy removal: `best()` skips entries removed since they were pushed. */
class LazyHeap<T> {
  private readonly items: T[] = [];
  private readonly removed = new Set<T>();

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  push(item: T): void {
    this.removed.delete(item);
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i] as T, items[parent] as T)) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  remove(item: T): void {
    this.removed.add(item);
  }

  best(): T | undefined {
    while (this.items.length > 0 && this.removed.has(this.items[0] as T)) this.pop();
    return this.items[0];
  }

  private pop(): void {
    const items = this.items;
    const last = items.pop() as T;
    if (items.length === 0) return;
    const top = items[0] as T;
    this.removed.delete(top);
    items[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && this.before(items[l] as T, items[m] as T)) m = l;
      if (r < items.length && this.before(items[r] as T, items[m] as T)) m = r;
      if (m === i) break;
      [items[i], items[m]] = [items[m] as T, items[i] as T];
      i = m;
    }
  }
}

/** Something held from `from` (included) until `until` (excluded; never when absent). */
export interface Interval {
  readonly from: string;
  readonly until?: string;
}

/**
 * Calls `visit(date, best)` for every date on which an interval starts or
 * ends, in date order, with the best interval active on that date (the one
 * `before` puts first), or undefined when none is.
 */
export function sweepBest<T extends Interval>(intervals: readonly T[], before: (a: T, b: T) => boolean, visit: (date: string, best: T | undefined) => void): void {
  // Endpoints as numbers (yyyymmdd, ends before starts on a date, then the index), sorted natively:
  // a person with thousands of certificates is swept on every event, so this sort is the hot path.
  const live = intervals.filter((interval) => interval.until === undefined || interval.until > interval.from);
  const slots = 2 ** 20;
  const keys = new Float64Array(live.length * 2);
  let n = 0;
  live.forEach((interval, index) => {
    keys[n++] = (dayNumber(interval.from) * 2 + 1) * slots + index;
    if (interval.until !== undefined) keys[n++] = dayNumber(interval.until) * 2 * slots + index;
  });
  const sorted = keys.subarray(0, n).sort();
  const heap = new LazyHeap<T>(before);
  for (let i = 0; i < sorted.length; ) {
    const day = Math.floor((sorted[i] as number) / slots / 2);
    let date = '';
    for (; i < sorted.length && Math.floor((sorted[i] as number) / slots / 2) === day; i++) {
      const key = sorted[i] as number;
      const interval = live[key % slots] as T;
      const start = Math.floor(key / slots) % 2 === 1;
      date = start ? interval.from : (interval.until as string);
      if (start) heap.push(interval);
      else heap.remove(interval);
    }
    visit(date, heap.best());
  }
}

/** `2026-03-15` → 20260315. */
function dayNumber(date: string): number {
  return Number(date.slice(0, 4)) * 10_000 + Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10));
}
