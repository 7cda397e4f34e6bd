import { describe, expect, it } from 'vitest';
import { conflictCancellation, TransactionConflicts } from '../bench/conflict-model.ts';

describe("the bench's model of DynamoDB's transaction conflicts", () => {
  it('cancels a transaction naming an item another one holds, item by item', () => {
    const conflicts = new TransactionConflicts();
    expect(conflicts.arrive(['fence#3', 'DIV#1|M#2026-03', 'ORG#a|M#2026-03'], 0, 15)).toBeUndefined();
    expect(conflicts.arrive(['fence#4', 'DIV#1|M#2026-03', 'ORG#b|M#2026-03'], 5, 15)).toEqual([false, true, false]);
    // Disjoint transactions go side by side.
    expect(conflicts.arrive(['fence#5', 'DIV#2|M#2026-03'], 6, 15)).toBeUndefined();
  });

  it('frees the items once the holder is done, and a cancelled transaction holds nothing', () => {
    const conflicts = new TransactionConflicts();
    conflicts.arrive(['a', 'b'], 0, 15);
    expect(conflicts.arrive(['b', 'c'], 10, 15)).toEqual([true, false]);
    // `c` was never held: the cancelled transaction took nothing.
    expect(conflicts.arrive(['c'], 11, 15)).toBeUndefined();
    expect(conflicts.arrive(['a', 'b'], 15, 15)).toBeUndefined();
  });

  it("answers as DynamoDB does, so the SDK reads the reasons", () => {
    const body = JSON.parse(conflictCancellation([false, true])) as { __type: string; CancellationReasons: { Code: string }[] };
    expect(body.__type).toMatch(/#TransactionCanceledException$/);
    expect(body.CancellationReasons.map((r) => r.Code)).toEqual(['None', 'TransactionConflict']);
  });
});
