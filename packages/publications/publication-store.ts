/**
 * Publications in DynamoDB, the read side. Editions are written once, by the
 * maintenance function only (edition-writer.ts); nothing updates or deletes
 * an item, and the API's role may only read this table (infra).
 *
 * Items, all under partition `PUBLICATION#<id>` except the list entry:
 * - `META`: the record (summary, asOf, divisions in CSV order, size) and the CSV head (binary);
 * - `DIVISION#<code>`: that division's lines of the CSV (binary);
 * - partition `PUBLICATIONS`, sort key `<publishedAt>#<id>`: the summary, for listing newest first.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { EditionFigure, PublicationRecord, PublicationSummary } from './edition.ts';
import { parseEditionPiece } from './edition.ts';
import { CorruptEditionError } from './errors.ts';

import { divisionSk, listPartition, metaSk, partitionOf } from './edition-writer.ts';
import { projection } from '../storage/projection.ts';

/** DynamoDB's limit of keys in one BatchGetItem. */
const maxBatchGetKeys = 100;

/** A page of publications, newest first. */
export interface PublicationPage {
  readonly publications: readonly PublicationSummary[];
  /** Sort key of the last one listed, to continue after; absent on the last page. */
  readonly after?: string;
}

/** What the API and the revisions route read. */
export interface PublicationReader {
  /** The stored record, or undefined for an unknown id. */
  publication(id: string): Promise<PublicationRecord | undefined>;
  /** Up to `limit` publications, newest first, after the sort key `after`. */
  list(limit: number, after?: string): Promise<PublicationPage>;
  /** The stored CSV lines of `divisions` (each must be one of the edition's), in the order asked. */
  pieces(id: string, divisions: readonly string[]): Promise<Uint8Array[]>;
  /** The CSV head (byte-order mark and header line). */
  head(id: string): Promise<Uint8Array>;
}

const summaryOf = (item: Record<string, unknown>): PublicationSummary => ({
  id: String(item['id']),
  period: String(item['period']),
  title: String(item['title']),
  publishedAt: String(item['publishedAt']),
  figures: Number(item['figures']),
  digest: String(item['digest']),
});

/** Reads publications (the API; the maintenance function writes them: edition-writer.ts). */
export class DynamoPublicationStore implements PublicationReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async publication(id: string): Promise<PublicationRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: partitionOf(id), sk: metaSk }, ...projection(['id', 'period', 'title', 'publishedAt', 'figures', 'digest', 'asOf', 'divisions', 'bytes']) }),
    );
    if (Item === undefined) return undefined;
    return { ...summaryOf(Item), asOf: String(Item['asOf']), divisions: (Item['divisions'] as string[]).map(String), bytes: Number(Item['bytes']) };
  }

  async head(id: string): Promise<Uint8Array> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: partitionOf(id), sk: metaSk }, ...projection(['head']) }));
    const head = Item?.['head'];
    if (!(head instanceof Uint8Array)) throw new CorruptEditionError(`publication ${id} has no stored CSV head`);
    return head;
  }

  async list(limit: number, after?: string): Promise<PublicationPage> {
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': listPartition },
        ScanIndexForward: false,
        Limit: limit,
        ...(after === undefined ? {} : { ExclusiveStartKey: { pk: listPartition, sk: after } }),
      }),
    );
    const next = page.LastEvaluatedKey?.['sk'];
    return { publications: (page.Items ?? []).map(summaryOf), ...(typeof next === 'string' ? { after: next } : {}) };
  }

  async pieces(id: string, divisions: readonly string[]): Promise<Uint8Array[]> {
    const found = new Map<string, Uint8Array>();
    for (let start = 0; start < divisions.length; start += maxBatchGetKeys) {
      let keys: Record<string, unknown>[] = divisions.slice(start, start + maxBatchGetKeys).map((d) => ({ pk: partitionOf(id), sk: divisionSk(d) }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const answer = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys } } }));
        for (const item of answer.Responses?.[this.table] ?? []) found.set(String(item['sk']), item['csv'] as Uint8Array);
        keys = answer.UnprocessedKeys?.[this.table]?.Keys ?? [];
      }
    }
    return divisions.map((d) => {
      const bytes = found.get(divisionSk(d));
      if (!(bytes instanceof Uint8Array)) throw new CorruptEditionError(`publication ${id} has no stored figures for division ${d}`);
      return bytes;
    });
  }
}

/**
 * An edition's figures, for `divisions` (default: all of them, in CSV order).
 * This is what the revisions route compares with the live figures.
 *
 * @returns undefined for an unknown publication.
 */
export async function editionFigures(
  reader: PublicationReader,
  id: string,
  divisions?: readonly string[],
): Promise<{ readonly publication: PublicationRecord; readonly figures: EditionFigure[] } | undefined> {
  const publication = await reader.publication(id);
  if (publication === undefined) return undefined;
  const wanted = divisions === undefined ? publication.divisions : divisions.filter((d) => publication.divisions.includes(d));
  const pieces = await reader.pieces(id, wanted);
  return { publication, figures: pieces.flatMap(parseEditionPiece) };
}
