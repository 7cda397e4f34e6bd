/**
 * Writes an edition into the Publications table, once: every item is put
 * with `attribute_not_exists` (a second put under the same id fails),
 * division pieces first and the metadata and list entry last, so a
 * publication can be read or listed only once all of it is stored. Only the maintenance
 * function uses this (its role may PutItem there and nothing else); the
 * reads are in publication-store.ts, so neither function bundles the other's.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Edition, PublicationSummary } from './edition.ts';
import { PublicationExistsError } from './errors.ts';

/** Keys of the Publications table (layout: publication-store.ts). */
export const partitionOf = (id: string): string => `PUBLICATION#${id}`;
export const metaSk = 'META';
export const divisionSk = (division: string): string => `DIVISION#${division}`;
export const listPartition = 'PUBLICATIONS';

/** Conditional puts in flight at once. */
const piecesInFlight = 16;

export class DynamoEditionWriter {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Stores an edition, once: the division pieces, then the metadata (from
   * then on it can be read), then the list entry (from then on it is
   * listed). A publication is complete before anyone can find it.
   *
   * @throws PublicationExistsError when any item of this id exists already.
   */
  async put(edition: Edition): Promise<void> {
    const { record, head, pieces } = edition;
    const pk = partitionOf(record.id);
    const summary: PublicationSummary = { id: record.id, period: record.period, title: record.title, publishedAt: record.publishedAt, figures: record.figures, digest: record.digest };
    const pieceItems = pieces.map((piece) => ({ pk, sk: divisionSk(piece.division), csv: piece.bytes }));
    for (let start = 0; start < pieceItems.length; start += piecesInFlight) {
      await Promise.all(pieceItems.slice(start, start + piecesInFlight).map((item) => this.putIfAbsent(item)));
    }
    await this.putIfAbsent({ pk, sk: metaSk, ...record, divisions: [...record.divisions], head });
    await this.putIfAbsent({ pk: listPartition, sk: `${record.publishedAt}#${record.id}`, ...summary });
  }

  private async putIfAbsent(Item: Record<string, unknown>): Promise<void> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      // By name: importing the exception class would bundle the client's error models.
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        throw new PublicationExistsError('a publication with this id exists already; publications are never replaced', { cause: error });
      }
      throw error;
    }
  }
}
