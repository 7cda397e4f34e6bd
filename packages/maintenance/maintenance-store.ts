/**
 * The DynamoDB side of maintenance: full scans of the Ledger's accepted
 * events and explain entries, the Counters and the State table, batched
 * rewrites of the last two, and a rebuild's correction entries in the
 * Ledger. The only code that writes counters outside the processor's
 * transactions.
 */
import type { ScanCommandInput as RawScanInput } from '@aws-sdk/client-dynamodb';
import { ScanCommand as RawScanCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { BatchWriteCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { explainIndexes, maintenanceLeaseMarginMs, maintenanceLeaseMs } from '../config/resources.ts';
import type { ExplainEntry, FoldedItems } from '../domain/explain.ts';
import { addEntries, withoutZeros } from '../domain/explain.ts';
import type { StateItem } from '../domain/state.ts';
import { storedCells } from '../storage/explain-reader.ts';
import type { ExplainedEvent, Fence } from '../storage/event-store.ts';
import { explainItems, fenceKey, fenceKeys } from '../storage/event-store.ts';
import { ledgerPk } from '../storage/ledger-records.ts';
import { projection } from '../storage/projection.ts';
import { encodeState } from '../storage/state-codec.ts';
import type { TableNames } from '../storage/event-store.ts';
import { MaintenanceLeaseEndedError, RebuildIncompleteError } from './errors.ts';
import type { RecordedEvent } from './recompute.ts';
import type { CounterTableItem } from './reconcile.ts';

/** DynamoDB's limit on requests in one BatchWriteItem. */
export const batchWriteLimit = 25;

/** What one fence shard is set to: paused until `until`, or running (no `until`). */
interface ShardSetting {
  readonly paused: boolean;
  readonly epoch?: number;
  readonly until?: number;
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

export interface MaintenanceStoreOptions {
  /** Rounds of retrying unprocessed writes before giving up. */
  readonly maxAttempts?: number;
  /** How long a pause holds unless resumed first. @default maintenanceLeaseMs */
  readonly leaseMs?: number;
  /** How much of the lease must be left for a write or an answer. @default maintenanceLeaseMarginMs */
  readonly leaseMarginMs?: number;
  /** The clock a pause's lease starts from (epoch milliseconds). */
  readonly now?: () => number;
  /** Wait before retry round `attempt` (1, 2, …); exponential by default. */
  readonly backoff?: (attempt: number) => Promise<void>;
}

export class MaintenanceStore {
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly leaseMarginMs: number;
  private readonly now: () => number;
  private readonly backoff: (attempt: number) => Promise<void>;
  /** When the pause this store set ends (epoch milliseconds); undefined when it has not paused processing, or has resumed it. */
  private leaseEnds: number | undefined;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TableNames,
    options: MaintenanceStoreOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 10;
    this.leaseMs = options.leaseMs ?? maintenanceLeaseMs;
    this.leaseMarginMs = options.leaseMarginMs ?? maintenanceLeaseMarginMs;
    this.now = options.now ?? Date.now;
    this.backoff = options.backoff ?? ((attempt) => new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** attempt))));
  }

  /**
   * What a replay reads of the Ledger, in one consistent scan (an event
   * committed a moment before processing paused must be replayed): every
   * accepted event, with the fields a replay needs (never the content hash),
   * and what every explain entry adds up to, a division's and an
   * organisation's — what the two explain indexes hold, read from the table
   * itself, since an index is only eventually consistent and a rebuild that
   * missed an entry would write its change a second time. A rebuild's
   * correction entries are entries, not events.
   *
   * Each page is turned into events and folded into the entries' sum as it
   * arrives, so the replay never holds the raw items and the entries one by
   * one besides (`npm run bench` prints what a replay holds).
   */
  async replaySource(): Promise<{ events: RecordedEvent[]; entries: FoldedItems }> {
    const { division, org } = explainIndexes;
    const fields = projection(['sk', 'source', 'id', 'type', 'date', 'time', 'receivedAt', 'data', 'chunks', ...[division, org].flatMap((names) => [names.partitionKey, names.sortKey, names.cells])]);
    const events: RecordedEvent[] = [];
    const entries: FoldedItems = new Map();
    await this.scanPages(
      {
        TableName: this.tables.ledger,
        ConsistentRead: true,
        // Placeholders throughout: several of these names are DynamoDB reserved words.
        FilterExpression: '#sk = :accepted OR attribute_exists(#xdp) OR attribute_exists(#xop)',
        ProjectionExpression: fields.ProjectionExpression,
        ExpressionAttributeNames: { '#sk': 'sk', '#xdp': division.partitionKey, '#xop': org.partitionKey, ...fields.ExpressionAttributeNames },
        ExpressionAttributeValues: { ':accepted': 'ACCEPTED' },
      },
      (items) => {
        for (const item of items) if (item['sk'] === 'ACCEPTED') events.push(recordedEvent(item));
        // Read exactly without wrapping: no event's amount passes maxYuan (10^13 fen), no correction's 2^53 (entriesOfFolded).
        addEntries(
          [division, org].flatMap((names) => items.filter((item) => item[names.partitionKey] !== undefined).map((item) => storedCells(item, names))),
          entries,
        );
      },
    );
    return { events, entries: withoutZeros(entries) };
  }

  /** Every accepted event in the Ledger (see {@link replaySource}). */
  async acceptedEvents(): Promise<RecordedEvent[]> {
    return (await this.replaySource()).events;
  }

  /** What every explain entry adds up to, per scope, in canonical month items (see {@link replaySource}). */
  async foldedEntries(): Promise<FoldedItems> {
    return (await this.replaySource()).entries;
  }

  /**
   * Writes a rebuild's correction entries (explained-figures.ts) as new Ledger
   * items of their own run: in the partition of (`run.source`, `run.id`), one
   * run per list — a further list, for an amount past 2^53, under
   * `<id>.2`, `<id>.3`, …. Every item is new; nothing an event wrote is touched.
   */
  async writeCorrections(run: ExplainedEvent, lists: readonly (readonly ExplainEntry[])[]): Promise<number> {
    const items = lists.flatMap((entries, i) => explainItems({ ...run, id: i === 0 ? run.id : `${run.id}.${i + 1}` }, entries));
    await this.writeAll(this.tables.ledger, items.map((Item): WriteRequest => ({ PutRequest: { Item } })));
    return lists.reduce((n, entries) => n + entries.length, 0);
  }

  /** Every item of the Counters table (net-change items and baselines); numbers exact, as bigint. */
  async counterItems(): Promise<CounterTableItem[]> {
    const items = await this.scanAll({ TableName: this.tables.counters, ConsistentRead: true }, true);
    return items.map((item) => ({ ...exactNumbers(item), pk: String(item['pk']), sk: String(item['sk']) }));
  }

  /**
   * Pauses processing for maintenance: sets every fence shard to paused and
   * moves the epoch, which cancels every transaction decided before (each
   * commit is conditioned on the epoch it read and on processing running,
   * in the shard it checks). Shard 0, the one processors read, goes first,
   * so no processor starts a new round meanwhile; once this returns, no
   * shard lets a commit through until {@link resume} — or until the pause's
   * lease runs out (`pausedUntil`, maintenanceLeaseMs from now), should the
   * run die before it resumes.
   */
  async pause(): Promise<Fence> {
    const until = this.now() + this.leaseMs;
    const { Attributes } = await this.doc.send(
      new UpdateCommand({
        TableName: this.tables.ledger,
        Key: fenceKey,
        UpdateExpression: 'SET #paused = :paused, #until = :until ADD #epoch :one',
        ExpressionAttributeNames: { '#paused': 'paused', '#until': 'pausedUntil', '#epoch': 'epoch' },
        ExpressionAttributeValues: { ':paused': true, ':until': until, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const epoch = Number(Attributes?.['epoch'] ?? 1);
    this.leaseEnds = until;
    await this.setShards({ epoch, paused: true, until });
    return { epoch, paused: true };
  }

  /**
   * Throws MaintenanceLeaseEndedError once less than the lease's margin
   * (maintenanceLeaseMarginMs) is left of the pause this store set:
   * processing may go on after it. Every write checks it; a run checks it
   * before it answers.
   */
  assertLeaseHolds(): void {
    if (this.leaseEnds !== undefined && this.now() > this.leaseEnds - this.leaseMarginMs) throw new MaintenanceLeaseEndedError(this.leaseMs);
  }

  /** Lets processing go on (under the epoch `pause` set): shard 0, which processors read, last. */
  async resume(): Promise<void> {
    await this.setShards({ paused: false });
    await this.setFence(fenceKey, { paused: false });
    this.leaseEnds = undefined;
  }

  /** Sets every fence shard but shard 0, eight at a time (there are 64: all at once would open as many connections). */
  private async setShards(fence: ShardSetting): Promise<void> {
    const shards = fenceKeys.slice(1);
    for (let i = 0; i < shards.length; i += 8) await Promise.all(shards.slice(i, i + 8).map((Key) => this.setFence(Key, fence)));
  }

  /** Paused until `until` (and under `epoch`, when given), or running: the lease removed. */
  private async setFence(Key: { pk: string; sk: string }, fence: ShardSetting): Promise<void> {
    const names: Record<string, string> = { '#paused': 'paused', '#until': 'pausedUntil' };
    const values: Record<string, unknown> = { ':paused': fence.paused };
    const set = ['#paused = :paused'];
    if (fence.until !== undefined) {
      set.push('#until = :until');
      values[':until'] = fence.until;
    }
    if (fence.epoch !== undefined) {
      set.push('#epoch = :epoch');
      names['#epoch'] = 'epoch';
      values[':epoch'] = fence.epoch;
    }
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tables.ledger,
        Key,
        UpdateExpression: `SET ${set.join(', ')}${fence.until === undefined ? ' REMOVE #until' : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Marks every chunk of the given chunked events applied: a rebuild has counted them whole. */
  async markChunksApplied(events: readonly { source: string; id: string; chunks: number }[]): Promise<void> {
    await this.writeAll(
      this.tables.ledger,
      events.flatMap(({ source, id, chunks }) =>
        Array.from({ length: chunks - 1 }, (_, i): WriteRequest => ({ PutRequest: { Item: { pk: ledgerPk(source, id), sk: `CHUNK#${String(i + 1).padStart(4, '0')}` } } })),
      ),
    );
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

  /**
   * Makes the State table hold exactly `states` (each stored as the
   * processor stores it, paged when large): puts them, deletes every other key.
   * Each item is encoded as its batch is sent, not all of them first.
   */
  async rewriteState(states: ReadonlyMap<string, StateItem>, liveKeys: readonly string[]): Promise<{ written: number; deleted: number }> {
    const keep = new Set<string>();
    let deleted = 0;
    const requests = function* (): Generator<WriteRequest> {
      for (const [key, item] of states) {
        for (const Item of encodeState(key, item)) {
          keep.add(String(Item['pk']));
          yield { PutRequest: { Item } };
        }
      }
      // Once every put is out, so `keep` is whole.
      for (const pk of liveKeys) {
        if (keep.has(pk)) continue;
        deleted++;
        yield { DeleteRequest: { Key: { pk } } };
      }
    };
    await this.writeAll(this.tables.state, requests());
    return { written: keep.size, deleted };
  }

  private async scanAll(input: ConstructorParameters<typeof ScanCommand>[0], wrapNumbers = false): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    await this.scanPages(input, (page) => void items.push(...page), wrapNumbers);
    return items;
  }

  /** Scans every page of `input`, handing each page's items to `take` before the next is read. */
  private async scanPages(input: ConstructorParameters<typeof ScanCommand>[0], take: (items: Record<string, unknown>[]) => void, wrapNumbers = false): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      if (wrapNumbers) {
        // The raw command, so numbers are read exactly (the document client would round them to doubles).
        const page = await this.doc.send(new RawScanCommand({ ...(input as RawScanInput), ExclusiveStartKey: startKey as RawScanInput['ExclusiveStartKey'] }));
        take((page.Items ?? []).map((item) => unmarshall(item, { wrapNumbers: true })));
        startKey = page.LastEvaluatedKey;
        continue;
      }
      const page = await this.doc.send(new ScanCommand({ ...input, ExclusiveStartKey: startKey }));
      take(page.Items ?? []);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  /** BatchWriteItem in chunks of 25, taken from `requests` as they go, retrying whatever DynamoDB leaves unprocessed. */
  private async writeAll(table: string, requests: Iterable<WriteRequest>): Promise<void> {
    let chunk: WriteRequest[] = [];
    for (const request of requests) {
      chunk.push(request);
      if (chunk.length === batchWriteLimit) {
        await this.writeChunk(table, chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) await this.writeChunk(table, chunk);
  }

  private async writeChunk(table: string, requests: WriteRequest[]): Promise<void> {
    let pending = requests;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= this.maxAttempts) {
        throw new RebuildIncompleteError(`${pending.length} writes to ${table} stayed unprocessed after ${this.maxAttempts} attempts; run the rebuild again`);
      }
      if (attempt > 0) await this.backoff(attempt);
      this.assertLeaseHolds();
      const { UnprocessedItems } = await this.doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (UnprocessedItems?.[table] ?? []) as WriteRequest[];
    }
  }
}

/** An accepted event's Ledger record as a replay takes it. */
function recordedEvent(item: Record<string, unknown>): RecordedEvent {
  return {
    source: String(item['source']),
    id: String(item['id']),
    type: String(item['type']),
    date: String(item['date']),
    time: String(item['time']),
    receivedAt: String(item['receivedAt']),
    // JSON text since the write model's v2.1 (kept as text until replayed: toDomainEvent); a map in records written before.
    data: item['data'],
    ...(typeof item['chunks'] === 'number' ? { chunks: item['chunks'] } : {}),
  };
}

/** Numbers read with `wrapNumbers` as bigint when whole (counters), as number otherwise. */
function exactNumbers(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (typeof value === 'object' && value !== null && 'value' in value && typeof (value as { value: unknown }).value === 'string' && Object.keys(value).length === 1) {
      const text = (value as { value: string }).value;
      out[name] = /^-?\d+$/.test(text) ? BigInt(text) : Number(text);
    } else out[name] = value;
  }
  return out;
}
