/**
 * Rejected events by the day they were processed, from the Ledger's
 * rejections index ({@link rejectionsIndex}), for `GET /v1/rejections`.
 * Reads only outcome attributes: a rejection record keeps nothing that
 * failed validation except keyed hashes, and those are not read either.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { rejectionsIndex } from '../config/resources.ts';
import { projection } from './projection.ts';

/** One rejection, as recorded. */
export interface Rejection {
  readonly source: string;
  readonly id: string;
  readonly type?: string;
  readonly reason: string;
  /** Names fields, never values. */
  readonly detail: string;
  readonly receivedAt: string;
  readonly processedAt: string;
  /** Divisions the rejected event is known to concern; none is recorded today, so only the root sees rejections. */
  readonly divisions: readonly string[];
}

export interface RejectionReader {
  /**
   * The rejections processed on `days` (YYYY-MM-DD), newest first, reading
   * at most `limit` records: `truncated` says more were recorded.
   */
  rejectionsOn(days: readonly string[], limit: number): Promise<{ readonly rejections: Rejection[]; readonly truncated: boolean }>;
}

const projected = projection(['source', 'id', 'type', 'reason', 'detail', 'receivedAt', 'processedAt', 'divisions']);

export class DynamoRejectionReader implements RejectionReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async rejectionsOn(days: readonly string[], limit: number): Promise<{ rejections: Rejection[]; truncated: boolean }> {
    const newestFirst = [...days].sort().reverse();
    const rejections: Rejection[] = [];
    for (const day of newestFirst) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: rejectionsIndex.name,
            KeyConditionExpression: '#day = :day',
            ExpressionAttributeNames: { ...projected.ExpressionAttributeNames, '#day': rejectionsIndex.partitionKey.name },
            ExpressionAttributeValues: { ':day': day },
            ProjectionExpression: projected.ProjectionExpression,
            ScanIndexForward: false,
            Limit: limit + 1 - rejections.length,
            ExclusiveStartKey: startKey,
          }),
        );
        rejections.push(...(page.Items ?? []).map(toRejection));
        if (rejections.length > limit) return { rejections: rejections.slice(0, limit), truncated: true };
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    }
    return { rejections, truncated: false };
  }
}

function toRejection(item: Record<string, unknown>): Rejection {
  const divisions = item['divisions'];
  return {
    source: String(item['source']),
    id: String(item['id']),
    ...(typeof item['type'] === 'string' ? { type: item['type'] } : {}),
    reason: String(item['reason']),
    detail: String(item['detail'] ?? ''),
    receivedAt: String(item['receivedAt']),
    processedAt: String(item['processedAt']),
    divisions: Array.isArray(divisions) || divisions instanceof Set ? [...(divisions as Iterable<unknown>)].map(String) : [],
  };
}
