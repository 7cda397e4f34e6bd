/**
 * The Ledger's keys, and the one write that needs nothing of the processor's
 * transactions: recording a rejected event. Kept apart from event-store.ts so
 * that the API, which records the events it rejects at the edge, bundles
 * neither the transactions nor their planning.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';

/** The Ledger partition of one event (`source`, `id`): its record, its rejections, its other items. */
export const ledgerPk = (source: string, id: string): string => `EVENT#${source}#${id}`;

/**
 * The Ledger item counting how often one queued message was decided while
 * its organisation was not registered (EventStore.countUnknownOrgTry): keyed
 * by the queue's message id, so a message sent again starts afresh; it holds
 * no personal data, and expires with the queue's retention.
 */
export const unknownOrgTriesKey = (messageId: string): { readonly pk: string; readonly sk: string } => ({ pk: `TRIES#${messageId}`, sk: 'UNKNOWN_ORG' });

/** A rejected event's outcome, as recorded (never a rejected value: fields are named, content hashed). */
export interface RejectedRecord {
  readonly source: string;
  readonly id: string;
  readonly type?: string;
  readonly reason: string;
  /** Names fields, never values. */
  readonly detail: string;
  readonly contentHash: string;
  readonly receivedAt: string;
  readonly processedAt: string;
}

/**
 * Records a rejection; the same bad content redelivered overwrites its own
 * record. `rejectedDay` puts it in the Ledger's rejections index.
 */
export async function recordRejection(doc: DynamoDBDocumentClient, ledgerTable: string, record: RejectedRecord): Promise<void> {
  await doc.send(
    new PutCommand({
      TableName: ledgerTable,
      Item: { pk: ledgerPk(record.source, record.id), sk: `REJECTED#${record.contentHash}`, outcome: 'rejected', rejectedDay: record.processedAt.slice(0, 10), ...record },
    }),
  );
}
