/**
 * Reads explain entries (domain/explain.ts) through the Ledger's two
 * indexes: by division and by organisation, each sorted by
 * `<day>#<source>#<id>`, so the entries of one scope over a span of days are
 * one range of one partition.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { explainIndexes } from '../config/resources.ts';
import type { EntryPage, EntryQuery, ExplainEntrySource, StoredEntry } from '../explain/explainer.ts';

/** Rows a single Query may return (DynamoDB also stops at 1 MB). */
const rowsPerQuery = 1000;

export class DynamoExplainReader implements ExplainEntrySource {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly ledgerTable: string,
  ) {}

  async entries(query: EntryQuery): Promise<EntryPage> {
    const names = query.scope.startsWith('ORG#') ? explainIndexes.org : explainIndexes.division;
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
