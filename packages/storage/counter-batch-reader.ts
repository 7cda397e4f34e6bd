/**
 * Single counter items by key, many at once (BatchGetItem), for request-wide
 * read batching (packages/api/batched-evaluation.ts). Unprocessed keys are
 * asked again, with a short backoff, until DynamoDB has answered every one.
 * Numbers are read exactly, as by the counter reader.
 */
import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { CounterItem } from '../indicators/counter-source.ts';
import { counterItem } from './counter-reader.ts';

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
    let pending: Record<string, AttributeValue>[] = keys.map((key) => ({ pk: { S: key.partition }, sk: { S: key.sk } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const answer = await this.doc.send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }));
      for (const raw of answer.Responses?.[this.tableName] ?? []) {
        const item = unmarshall(raw, { wrapNumbers: true });
        out.push({ partition: String(item['pk']), ...counterItem(item) });
      }
      pending = answer.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return out;
  }
}
