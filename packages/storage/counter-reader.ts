/**
 * Counter items from the Counters table, for the indicator evaluator: one
 * Query with `BETWEEN` per range of sort keys, following pagination. Numbers
 * are read exactly (sums of money pass 2^53 fen), so the raw command is used
 * and unmarshalled with `wrapNumbers`.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { CounterItem, CounterSource, SortKeyRange } from '../indicators/counter-source.ts';
import { OrgFoldingCounterSource } from '../indicators/org-figures.ts';
import { exactInteger } from './exact-numbers.ts';
import { entriesOfScope } from './explain-reader.ts';

export class DynamoCounterReader implements CounterSource {
  /** Query requests sent so far (pages included), for benchmarks and tests of read cost. */
  queries = 0;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async itemsInRange(partition: string, range: SortKeyRange): Promise<readonly CounterItem[]> {
    const items: CounterItem[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      this.queries++;
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: { ':pk': { S: partition }, ':from': { S: range.from }, ':to': { S: range.to } },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) items.push(counterItem(unmarshall(item, { wrapNumbers: true })));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }
}

/** A stored counter item unmarshalled with `wrapNumbers`: its whole-number attributes, exact; keys and anything else are not metrics. */
export function counterItem(item: Record<string, unknown>): CounterItem {
  const values: Record<string, bigint> = {};
  for (const [name, value] of Object.entries(item)) {
    const amount = exactInteger(value);
    if (name !== 'pk' && name !== 'sk' && amount !== undefined) values[name] = amount;
  }
  return { sk: String(item['sk']), values };
}

/**
 * The evaluator's counter source over the tables: a division's items as
 * stored, an organisation's folded from its explain entries in the Ledger,
 * a rebuild's corrections among them (packages/indicators/org-figures.ts).
 */
export function orgFoldingCounters(doc: DynamoDBDocumentClient, tables: { readonly counters: string; readonly ledger: string }): OrgFoldingCounterSource {
  return new OrgFoldingCounterSource(new DynamoCounterReader(doc, tables.counters), (partition) => entriesOfScope(doc, tables.ledger, partition));
}
