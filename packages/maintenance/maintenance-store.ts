/**
 * The DynamoDB side of maintenance: full scans of the Ledger's accepted
 * events, the Counters and the State table, and batched rewrites of the last
 * two. The only code that writes counters outside the processor's
 * transactions.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../storage/event-store.ts';
import { RebuildIncompleteError } from './errors.ts';
import type { RecordedEvent } from './recompute.ts';
import type { CounterTableItem } from './reconcile.ts';

/** DynamoDB's limit on requests in one BatchWriteItem. */
export const batchWriteLimit = 25;

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

export interface MaintenanceStoreOptions {
  /** Rounds of retrying unprocessed writes before giving up. */
  readonly maxAttempts?: number;
  /** Wait before retry round `attempt` (1, 2, …); exponential by default. */
  readonly backoff?: (attempt: number) => Promise<void>;
}

export class MaintenanceStore {
  private readonly maxAttempts: number;
  private readonly backoff: (attempt: number) => Promise<void>;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TableNames,
    options: MaintenanceStoreOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 10;
    this.backoff = options.backoff ?? ((attempt) => new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** attempt))));
  }

  /** Every accepted event in the Ledger, with the fields a replay needs (never the content hash). */
  async acceptedEvents(): Promise<RecordedEvent[]> {
    const fields = ['source', 'id', 'type', 'date', 'time', 'receivedAt', 'data'] as const;
    const items = await this.scanAll({
      TableName: this.tables.ledger,
      // Placeholders throughout: several of these names are DynamoDB reserved words.
      FilterExpression: '#sk = :accepted',
      ProjectionExpression: fields.map((_, i) => `#f${i}`).join(', '),
      ExpressionAttributeNames: { '#sk': 'sk', ...Object.fromEntries(fields.map((name, i) => [`#f${i}`, name])) },
      ExpressionAttributeValues: { ':accepted': 'ACCEPTED' },
    });
    return items.map((item) => ({
      source: String(item['source']),
      id: String(item['id']),
      type: String(item['type']),
      date: String(item['date']),
      time: String(item['time']),
      receivedAt: String(item['receivedAt']),
      data: item['data'],
    }));
  }

  /** Every item of the Counters table (net-change items and baselines). */
  async counterItems(): Promise<CounterTableItem[]> {
    const items = await this.scanAll({ TableName: this.tables.counters, ConsistentRead: true });
    return items.map((item) => ({ ...item, pk: String(item['pk']), sk: String(item['sk']) }));
  }

  /** The partition key of every State table item. */
  async stateKeys(): Promise<string[]> {
    const items = await this.scanAll({
      TableName: this.tables.state,
      ConsistentRead: true,
      ProjectionExpression: '#pk',
      ExpressionAttributeNames: { '#pk': 'pk' },
    });
    return items.map((item) => String(item['pk']));
  }

  /** Puts whole Counters items (replacing what was there) and deletes the given keys. */
  async rewriteCounters(puts: readonly Record<string, unknown>[], deletes: readonly { pk: string; sk: string }[]): Promise<void> {
    await this.writeAll(this.tables.counters, [
      ...puts.map((Item): WriteRequest => ({ PutRequest: { Item } })),
      ...deletes.map(({ pk, sk }): WriteRequest => ({ DeleteRequest: { Key: { pk, sk } } })),
    ]);
  }

  /** Puts whole State items (each with its `pk`) and deletes the given keys. */
  async rewriteState(puts: readonly Record<string, unknown>[], deletes: readonly string[]): Promise<void> {
    await this.writeAll(this.tables.state, [
      ...puts.map((Item): WriteRequest => ({ PutRequest: { Item } })),
      ...deletes.map((pk): WriteRequest => ({ DeleteRequest: { Key: { pk } } })),
    ]);
  }

  private async scanAll(input: ConstructorParameters<typeof ScanCommand>[0]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new ScanCommand({ ...input, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  /** BatchWriteItem in chunks of 25, retrying whatever DynamoDB leaves unprocessed. */
  private async writeAll(table: string, requests: readonly WriteRequest[]): Promise<void> {
    for (let start = 0; start < requests.length; start += batchWriteLimit) {
      let pending: WriteRequest[] = requests.slice(start, start + batchWriteLimit);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= this.maxAttempts) {
          throw new RebuildIncompleteError(`${pending.length} writes to ${table} stayed unprocessed after ${this.maxAttempts} attempts; run the rebuild again`);
        }
        if (attempt > 0) await this.backoff(attempt);
        const { UnprocessedItems } = await this.doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (UnprocessedItems?.[table] ?? []) as WriteRequest[];
      }
    }
  }
}
