/**
 * DynamoDB's transaction conflicts, which DynamoDB Local never produces (it
 * runs one transaction at a time), for the bench's proxy: a transaction holds
 * its items — a ConditionCheck's included — while it is in flight, and
 * another transaction naming one of them meanwhile is cancelled at once with
 * `TransactionConflict` for those items, holding nothing itself (DynamoDB
 * Developer Guide, "Transaction conflict handling in DynamoDB").
 */
export class TransactionConflicts {
  private holding: { readonly items: ReadonlySet<string>; readonly until: number }[] = [];

  /**
   * A transaction naming `items` arrives at `now`: per item, whether another
   * transaction holds it, or undefined if none does — the transaction then
   * holds its items until `now + holdMs`.
   */
  arrive(items: readonly string[], now: number, holdMs: number): boolean[] | undefined {
    this.holding = this.holding.filter((h) => h.until > now);
    const held = items.map((item) => this.holding.some((h) => h.items.has(item)));
    if (held.some(Boolean)) return held;
    this.holding.push({ items: new Set(items), until: now + holdMs });
    return undefined;
  }
}

/** The body of DynamoDB's answer to a transaction cancelled for a conflict, item by item (`held`). */
export function conflictCancellation(held: readonly boolean[]): string {
  const reasons = held.map((h) => (h ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' }));
  return JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    message: `Transaction cancelled, please refer cancellation reasons for specific details [${reasons.map((r) => r.Code).join(', ')}]`,
    CancellationReasons: reasons,
  });
}
