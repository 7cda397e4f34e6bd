/**
 * Reads explain entries (domain/explain.ts) through the Ledger's two
 * indexes: by division and by organisation, each sorted by
 * `<day>#<source>#<id>`, so the entries of one scope over a span of days are
 * one range of one partition.
 */
import { QueryCommand as RawQueryCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { explainIndexes } from '../config/resources.ts';
import { explainIndexOf } from '../config/resources.ts';
import { exactInteger } from './exact-numbers.ts';
import type { StoredCells } from '../domain/explain.ts';
import type { EntryPage, EntryQuery, ExplainEntrySource, StoredEntry } from '../explain/explainer.ts';

/** Rows a single Query may return (DynamoDB also stops at 1 MB). */
const rowsPerQuery = 1000;

export class DynamoExplainReader implements ExplainEntrySource {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly ledgerTable: string,
  ) {}

  async entries(query: EntryQuery): Promise<EntryPage> {
    const names = explainIndexOf(query.scope);
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.ledgerTable,
        IndexName: names.name,
        KeyConditionExpression: '#p = :p AND #s BETWEEN :from AND :to',
        // Only entries that changed the cell asked for; DynamoDB still reads (and bills) the range.
        FilterExpression: 'attribute_exists(#cells.#cell)',
        ProjectionExpression: '#pk, #sk, #p, #s, #source, #id, #type, #processedAt, #cells.#cell',
        ExpressionAttributeNames: {
          '#p': names.partitionKey,
          '#s': names.sortKey,
          '#cells': names.cells,
          '#cell': query.cell,
          '#pk': 'pk',
          '#sk': 'sk',
          '#source': 'source',
          '#id': 'id',
          '#type': 'type',
          '#processedAt': 'processedAt',
        },
        ExpressionAttributeValues: { ':p': query.scope, ':from': query.from ?? '0000', ':to': `${query.to ?? '9999-12-31'}#\uffff` },
        Limit: Math.min(rowsPerQuery, query.limit),
        ...(query.after === undefined ? {} : { ExclusiveStartKey: JSON.parse(query.after) as Record<string, unknown> }),
      }),
    );
    const entries: StoredEntry[] = (page.Items ?? []).map((item) => {
      const sortKey = String(item[names.sortKey]);
      const cells = item[names.cells] as Record<string, unknown> | undefined;
      return {
        source: String(item['source']),
        id: String(item['id']),
        type: String(item['type']),
        day: sortKey.slice(0, 10),
        processedAt: String(item['processedAt']),
        amount: Number(cells?.[query.cell] ?? 0),
        resumeAfter: JSON.stringify({ pk: item['pk'], sk: item['sk'], [names.partitionKey]: item[names.partitionKey], [names.sortKey]: sortKey }),
      };
    });
    return { entries, ...(page.LastEvaluatedKey === undefined ? {} : { after: JSON.stringify(page.LastEvaluatedKey) }) };
  }
}

/** One explain entry of a ledger record or an entry item (`names`: which of its two): its scope, day and cells, exact. */
export function storedCells(item: Record<string, unknown>, names: (typeof explainIndexes)[keyof typeof explainIndexes]): StoredCells {
  const cells: Record<string, bigint> = {};
  for (const [cell, value] of Object.entries((item[names.cells] ?? {}) as Record<string, unknown>)) {
    const amount = exactInteger(value);
    if (amount !== undefined) cells[cell] = amount;
  }
  return { scope: String(item[names.partitionKey]), day: String(item[names.sortKey]).slice(0, 10), cells };
}

/**
 * Every entry of one scope with all its cells, read whole from its index
 * partition (an organisation's figures are folded from them:
 * packages/indicators/org-figures.ts).
 */
export async function entriesOfScope(doc: DynamoDBDocumentClient, ledgerTable: string, scope: string): Promise<StoredCells[]> {
  const names = explainIndexOf(scope);
  const out: StoredCells[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await doc.send(
      new RawQueryCommand({
        TableName: ledgerTable,
        IndexName: names.name,
        KeyConditionExpression: '#p = :p',
        ProjectionExpression: '#p, #s, #cells',
        ExpressionAttributeNames: { '#p': names.partitionKey, '#s': names.sortKey, '#cells': names.cells },
        ExpressionAttributeValues: { ':p': { S: scope } },
        ExclusiveStartKey: start,
      }),
    );
    for (const raw of page.Items ?? []) out.push(storedCells(unmarshall(raw, { wrapNumbers: true }), names));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return out;
}
