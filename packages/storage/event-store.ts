import { createHash } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CounterChange } from '../domain/counter-changes.ts';
import type { Baseline, StateWrite } from '../domain/decision.ts';
import { counterKeys } from '../domain/metrics.ts';
import type { StateItem } from '../domain/state.ts';

/** Physical table names, from the environment. */
export interface TableNames {
  readonly ledger: string;
  readonly state: string;
  readonly counters: string;
}

export interface AcceptedRecord {
  readonly source: string;
  readonly id: string;
  readonly type: string;
  readonly time: string;
  readonly date: string;
  /** Pseudonymised event data, kept so counters can be rebuilt. */
  readonly data: unknown;
  readonly contentHash: string;
  readonly receivedAt: string;
  readonly processedAt: string;
  /** Every division the event counts in (lineages expanded). */
  readonly divisions: readonly string[];
}

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

/** Everything an accepted event writes besides its ledger record. */
export interface EventEffect {
  readonly writes: readonly StateWrite[];
  readonly counters: readonly CounterChange[];
  readonly baselines: readonly Baseline[];
}

export type CommitResult =
  | { readonly status: 'committed'; readonly itemsWritten: number }
  /** The ledger already holds this (source, id). */
  | { readonly status: 'already_applied' }
  /** A state item changed since it was read: decide again. */
  | { readonly status: 'stale_state' }
  /** DynamoDB cancelled the transaction because another one touched the same items. */
  | { readonly status: 'contention' };

/** DynamoDB's limit on actions in one TransactWriteItems. */
export const maxTransactionItems = 100;

export class StorageError extends Error {
  override readonly name: string = 'StorageError';
}

export class TransactionTooLargeError extends StorageError {
  override readonly name = 'TransactionTooLargeError';
  constructor(readonly items: number) {
    super(`the event would write ${items} items; one transaction holds at most ${maxTransactionItems}`);
  }
}

const ledgerPk = (source: string, id: string) => ({ pk: `EVENT#${source}#${id}` });

/** Reads and writes events' effects; one transaction per accepted event. */
export class EventStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  async findAccepted(source: string, id: string): Promise<{ contentHash: string } | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tables.ledger,
        Key: { ...ledgerPk(source, id), sk: 'ACCEPTED' },
        ProjectionExpression: 'contentHash',
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : { contentHash: String(Item['contentHash']) };
  }

  /**
   * Strongly consistent reads of the given state items (absent ones are left
   * out) and, with `ledgerKey`, of that event's ledger record, in one batch.
   */
  async loadState(
    keys: readonly string[],
    ledgerKey?: { source: string; id: string },
  ): Promise<{ state: Map<string, StateItem>; accepted?: { contentHash: string } }> {
    const state = new Map<string, StateItem>();
    let accepted: { contentHash: string } | undefined;
    type Request = { table: string; key: Record<string, unknown> };
    let pending: Request[] = [
      ...(ledgerKey === undefined ? [] : [{ table: this.tables.ledger, key: { ...ledgerPk(ledgerKey.source, ledgerKey.id), sk: 'ACCEPTED' } }]),
      ...[...new Set(keys)].map((pk) => ({ table: this.tables.state, key: { pk } })),
    ];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new StorageError('reads kept coming back unprocessed');
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      const batch = pending.slice(0, 100);
      const requestItems: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: true }> = {};
      for (const { table, key } of batch) (requestItems[table] ??= { Keys: [], ConsistentRead: true }).Keys.push(key);
      const { Responses, UnprocessedKeys } = await this.doc.send(new BatchGetCommand({ RequestItems: requestItems }));
      for (const item of Responses?.[this.tables.state] ?? []) {
        const { pk, ...rest } = item;
        state.set(String(pk), rest as StateItem);
      }
      const ledgerItem = Responses?.[this.tables.ledger]?.[0];
      if (ledgerItem !== undefined) accepted = { contentHash: String(ledgerItem['contentHash']) };
      const unprocessed = Object.entries(UnprocessedKeys ?? {}).flatMap(([table, { Keys }]) =>
        (Keys ?? []).map((key) => ({ table, key: key as Record<string, unknown> })),
      );
      pending = [...unprocessed, ...pending.slice(100)];
    }
    return accepted === undefined ? { state } : { state, accepted };
  }

  /**
   * Commits an accepted event: the ledger record (only if absent), the state
   * writes (only if unchanged since read) and every counter change, all or
   * nothing.
   */
  async commit(record: AcceptedRecord, effect: EventEffect, attempt = 0): Promise<CommitResult> {
    const { writes, counters, baselines } = effect;
    const items = [
      {
        Put: {
          TableName: this.tables.ledger,
          Item: { ...ledgerPk(record.source, record.id), sk: 'ACCEPTED', outcome: 'accepted', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...writes.map((w) => ({
        Put: {
          TableName: this.tables.state,
          Item: { pk: w.key, ...w.item },
          ...(w.expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#version = :version', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': w.expectedVersion } }),
        },
      })),
      ...baselines.map((b) => ({
        Put: {
          TableName: this.tables.counters,
          Item: { pk: counterKeys.baseline(b.metric), sk: counterKeys.baselineEntry(b.division, b.asOf), ...b },
        },
      })),
      ...counters.map((c) => {
        const entries = Object.entries(c.amounts);
        return {
          Update: {
            TableName: this.tables.counters,
            Key: { pk: c.pk, sk: c.sk },
            UpdateExpression: `ADD ${entries.map((_, i) => `#m${i} :m${i}`).join(', ')}`,
            ExpressionAttributeNames: Object.fromEntries(entries.map(([metric], i) => [`#m${i}`, metric])),
            ExpressionAttributeValues: Object.fromEntries(entries.map(([, amount], i) => [`:m${i}`, amount])),
          },
        };
      }),
    ];
    if (items.length > maxTransactionItems) throw new TransactionTooLargeError(items.length);
    // Same items, same token: the SDK's retry of an ambiguous (timed-out) write
    // is recognised by DynamoDB as the same transaction. Our own re-attempts
    // take a new token; the ledger condition still makes them apply at most once.
    const token = createHash('sha256').update(`${attempt}:${JSON.stringify(items)}`).digest('hex').slice(0, 36);
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token }));
    } catch (error) {
      const reasons = cancellationCodes(error);
      if (reasons === undefined) throw error;
      if (reasons[0] === 'ConditionalCheckFailed') return { status: 'already_applied' };
      if (reasons.includes('ConditionalCheckFailed')) return { status: 'stale_state' };
      if (reasons.includes('TransactionConflict')) return { status: 'contention' };
      throw error;
    }
    return { status: 'committed', itemsWritten: items.length };
  }

  /** Records a rejection; the same bad content redelivered overwrites its own record. */
  async recordRejection(record: RejectedRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tables.ledger,
        Item: { ...ledgerPk(record.source, record.id), sk: `REJECTED#${record.contentHash}`, outcome: 'rejected', ...record },
      }),
    );
  }

  /** Notes a redelivery of an accepted event; changes no counter. */
  async countDuplicate(source: string, id: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tables.ledger,
        Key: { ...ledgerPk(source, id), sk: 'ACCEPTED' },
        UpdateExpression: 'ADD duplicates :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }
}

/** Cancellation reason codes of a TransactionCanceledException, else undefined. */
function cancellationCodes(error: unknown): string[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}
