/**
 * Counter items from the Counters table, for the indicator evaluator: one
 * Query with `BETWEEN` per range of sort keys, following pagination.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SortKeyRange } from '../indicators/counter-ranges.ts';
import type { CounterItem, CounterSource } from '../indicators/counter-source.ts';

export class DynamoCounterReader implements CounterSource {
  /** Query requests sent so far (pages included), for benchmarks and tests of read cost. */
  queries = 0;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async itemsInRange(partition: string, range: SortKeyRange): Promise<readonly CounterItem[]> {
    const items: CounterItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      this.queries++;
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: { ':pk': partition, ':from': range.from, ':to': range.to },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) items.push(counterItem(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
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
