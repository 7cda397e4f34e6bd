/**
 * Processing outcomes from the Ledger table, for `GET /v1/events/{source}/{id}`.
 * Reads only the outcome attributes: the pseudonymised payload never leaves
 * the table through this reader.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerPk } from './ledger-records.ts';
import { projection } from './projection.ts';

/** The recorded outcome of one event, without its payload. */
export interface EventOutcome {
  readonly source: string;
  readonly id: string;
  /** Absent when the event was rejected before its type could be read. */
  readonly type?: string;
  readonly outcome: 'accepted' | 'rejected';
  readonly reason?: string;
  readonly receivedAt: string;
  readonly processedAt: string;
  /** Divisions an accepted event counts in; empty for a rejection. */
  readonly divisions: readonly string[];
}

export interface EventOutcomeReader {
  /** The accepted record if there is one, else the most recently processed rejection. */
  outcomeOf(source: string, id: string): Promise<EventOutcome | undefined>;
}

// Placeholders for every name: several (source, type, ...) are DynamoDB reserved words.
const projected = projection(['sk', 'source', 'id', 'type', 'outcome', 'reason', 'receivedAt', 'processedAt', 'divisions']);

export class DynamoLedgerReader implements EventOutcomeReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async outcomeOf(source: string, id: string): Promise<EventOutcome | undefined> {
    const records: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': ledgerPk(source, id) },
          ...projected,
          ExclusiveStartKey: startKey,
        }),
      );
      records.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    const accepted = records.find((r) => r['sk'] === 'ACCEPTED');
    const latestRejection = records
      .filter((r) => String(r['sk']).startsWith('REJECTED#'))
      .sort((a, b) => String(b['processedAt']).localeCompare(String(a['processedAt'])))[0];
    const chosen = accepted ?? latestRejection;
    return chosen === undefined ? undefined : toOutcome(chosen, source, id);
  }
}

function toOutcome(record: Record<string, unknown>, source: string, id: string): EventOutcome {
  const divisions = record['divisions'];
  return {
    source,
    id,
    ...(typeof record['type'] === 'string' ? { type: record['type'] } : {}),
    outcome: record['sk'] === 'ACCEPTED' ? 'accepted' : 'rejected',
    ...(typeof record['reason'] === 'string' ? { reason: record['reason'] } : {}),
    receivedAt: String(record['receivedAt']),
    processedAt: String(record['processedAt']),
    // Written as a list today; a string set reads back as a Set.
    divisions: Array.isArray(divisions) || divisions instanceof Set ? [...(divisions as Iterable<unknown>)].map(String) : [],
  };
}
