/**
 * Single counter items by key, many at once (BatchGetItem), for request-wide
 * read batching (packages/api/batched-evaluation.ts). Unprocessed keys are
 * asked again, with a short backoff, until DynamoDB has answered every one.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { CounterItem } from '../indicators/counter-source.ts';

export interface CounterItemKey {
  readonly partition: string;
  readonly sk: string;
}

export class DynamoCounterBatchReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The items that exist among `keys` (at most 100), with their partition. */
  async itemsByKey(keys: readonly CounterItemKey[]): Promise<(CounterItem & { partition: string })[]> {
    const out: (CounterItem & { partition: string })[] = [];
    let pending: Record<string, unknown>[] = keys.map((key) => ({ pk: key.partition, sk: key.sk }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const answer = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }));
      for (const item of answer.Responses?.[this.tableName] ?? []) out.push({ partition: String(item['pk']), ...counterItem(item) });
      pending = (answer.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
    return out;
  }
}

/** Keeps the numeric attributes: those are the metrics; keys and anything else are not. */
function counterItem(item: Record<string, unknown>): CounterItem {
  const values: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name !== 'pk' && name !== 'sk' && typeof value === 'number') values[name] = value;
  }
  return { sk: String(item['sk']), values };
}
