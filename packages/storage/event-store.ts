/**
 * The write side's DynamoDB access: reads of ledger records and state, and
 * the transactions that commit events. A transaction commits a group of
 * events all or nothing — each event's ledger record (only if absent), the
 * state its rule changed (only if unchanged since read), and the merged
 * counter changes of the whole group — conditioned on the maintenance fence,
 * so no event decided before a rebuild can land after it.
 */
import { createHash } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { eventsQueue, explainIndexOf, fencePartition, ledgerExpiryAttribute } from '../config/resources.ts';
import type { CounterChange } from '../domain/counter-changes.ts';
import type { ExplainEntry } from '../domain/explain.ts';
import { splitHomeEntries } from '../domain/explain.ts';
import type { Baseline, CounterDelta, DistinctDelta, StateWrite } from '../domain/decision.ts';
import { counterKeys } from '../domain/metrics.ts';
import type { StateItem } from '../domain/state.ts';
import { continuationKey, decodeState, encodeState, pagesOf, splitText } from './state-codec.ts';
import { projection } from './projection.ts';
import type { RejectedRecord } from './ledger-records.ts';
import { ledgerPk, recordRejection, unknownOrgTriesKey } from './ledger-records.ts';


/** Physical table names, from the environment. */
export interface TableNames {
  readonly ledger: string;
  readonly state: string;
  readonly counters: string;
}

/** What an accepted event did: the counter deltas and opening balances its processing applied. */
export interface Effects {
  readonly deltas: readonly CounterDelta[];
  readonly distinct: readonly DistinctDelta[];
  readonly baselines: readonly Baseline[];
}

export interface AcceptedRecord {
  readonly source: string;
  readonly id: string;
  readonly type: string;
  readonly time: string;
  readonly date: string;
  /** Pseudonymised event data, kept so counters can be rebuilt (stored as JSON text). */
  readonly data: unknown;
  readonly contentHash: string;
  readonly receivedAt: string;
  readonly processedAt: string;
  /** Every division the event counts in (lineages expanded). */
  readonly divisions: readonly string[];
  /**
   * What the event changed. Stored only for an event applied in chunks,
   * whose redelivery completes the missing chunks from it; otherwise its
   * explain entries already record every change, and a rebuild decides the
   * event again from its data.
   */
  readonly effects: Effects;
  /**
   * The explain entries stored with the record (see domain/explain.ts): its
   * home division and organisation entries ride on the record itself, any
   * other gets a small item of its own in the record's partition.
   */
  readonly explain: readonly ExplainEntry[];
}

/** What is known of an event already in the ledger. */
export interface LedgerEntry {
  readonly contentHash: string;
  /** Set on events whose counter changes span several transactions. */
  readonly chunks?: number;
}

/**
 * The maintenance fence: every commit is conditioned on the epoch it read
 * and on processing not being paused. A rebuild pauses and bumps the epoch,
 * which cancels any transaction decided before it. A pause holds until
 * maintenance resumes, or until its lease (`pausedUntil`) runs out: a run
 * that died without resuming does not stop processing for good.
 */
export interface Fence {
  readonly epoch: number;
  readonly paused: boolean;
}

/** Everything one transaction writes. */
export interface TransactionPlan {
  readonly fence: Fence;
  /** Ledger records written (only if absent). */
  readonly events: readonly AcceptedRecord[];
  /** Only on the first transaction of an event whose counter changes need several. */
  readonly chunks?: number;
  /** State writes, one per key, each conditioned on the version read. */
  readonly states: readonly StateWrite[];
  /** How many stored pages each written state key had when read (surplus continuations are deleted). */
  readonly storedPages: ReadonlyMap<string, number>;
  readonly counters: readonly CounterChange[];
  readonly baselines: readonly Baseline[];
  /** A later transaction of a chunked event: its marker is written only if absent. */
  readonly chunk?: { readonly source: string; readonly id: string; readonly index: number };
  /** Explain entry items of a chunked event (see {@link explainItems}), written as they are. */
  readonly explainItems?: readonly Record<string, unknown>[];
}

export type CommitResult =
  | { readonly status: 'committed'; readonly itemsWritten: number }
  /** The ledger already holds one of the events (its key is given). */
  | { readonly status: 'already_applied'; readonly source: string; readonly id: string }
  /** This chunk of a chunked event was applied before. */
  | { readonly status: 'chunk_applied' }
  /** State items changed since they were read (their keys, as DynamoDB names them): decide again. */
  | { readonly status: 'stale_state'; readonly keys: readonly string[] }
  /**
   * Another transaction in flight held some of its items (DynamoDB's
   * `TransactionConflict`, item by item): nothing it decided is wrong, the
   * items are only busy for a round trip. Named as the processor knows them:
   * state keys, counter items (`pk|sk`) and events (their ledger `pk`); none
   * when only the fence shard was held.
   */
  | { readonly status: 'busy'; readonly states: readonly string[]; readonly counters: readonly string[]; readonly events: readonly string[] }
  /** DynamoDB cancelled the transaction because another one touched the same items, and no item it names can be put down to an event. */
  | { readonly status: 'contention' }
  /** Maintenance paused processing or moved the epoch since the fence was read. */
  | { readonly status: 'fenced' };

/** DynamoDB's limits on one TransactWriteItems: actions, and bytes (4 MB, with room to spare). */
export const maxTransactionItems = 100;
export const maxTransactionBytes = 3_500_000;
/** Effects longer than this are kept in continuation items of the ledger record. */
const effectsInlineBytes = 100_000;

export class StorageError extends Error {
  override readonly name: string = 'StorageError';
}

/**
 * The fence is kept in many identical items (shards), and each transaction
 * checks one: a transaction conflicts with any other in flight that touches
 * one of its items, a ConditionCheck included, so one fence item shared by
 * every commit would make concurrent commits (of one batch, or of concurrent
 * invocations) cancel each other. A process takes the shards in turn, so
 * its own transactions in flight never share one; with eight processes from
 * random starts all in flight, a transaction meets another on its shard about
 * once in ten with 64 shards (six times in ten with 8: the bench's conflict
 * model showed it), and is then sent again at once on the next. Maintenance
 * sets every shard; the processor reads shard 0.
 */
export const fenceShards = 64;
export const fenceKeys: readonly { readonly pk: typeof fencePartition; readonly sk: string }[] = Array.from({ length: fenceShards }, (_, i) => ({ pk: fencePartition, sk: i === 0 ? 'FENCE' : `FENCE#${i}` }));
export const fenceKey = fenceKeys[0] as { readonly pk: typeof fencePartition; readonly sk: string };
const chunkSk = (index: number): string => `CHUNK#${String(index).padStart(4, '0')}`;
const effectsSk = (index: number): string => `EFFECTS#${String(index).padStart(4, '0')}`;

/** What an explain entry item repeats of its event, so a page of entries needs no other read. */
export type ExplainedEvent = Pick<AcceptedRecord, 'source' | 'id' | 'type' | 'date' | 'processedAt'>;

/** The index attributes of one explain entry (`explainIndexes` in config/resources.ts). */
function indexAttributes(entry: ExplainEntry, event: ExplainedEvent): Record<string, unknown> {
  const names = explainIndexOf(entry.scope);
  return { [names.partitionKey]: entry.scope, [names.sortKey]: `${entry.day}#${event.source}#${event.id}`, [names.cells]: entry.cells };
}

/**
 * The items of explain entries that do not ride on the ledger record, keyed
 * in the record's partition. Like the record, an item carries one division
 * entry and one organisation entry (each index reads its own attributes):
 * a division's entry is paired with an organisation's of the same day where
 * there is one (a count moved from another day: the organisation and its
 * township on that day), then the rest in order, so a late report or a
 * contract across townships writes half as many items. Deterministic: a
 * redelivered chunked event rebuilds the very same items.
 */
export function explainItems(event: ExplainedEvent, entries: readonly ExplainEntry[]): Record<string, unknown>[] {
  const { source, id, type, date, processedAt } = event;
  const divisions = entries.filter((e) => e.scope.startsWith('DIV#'));
  const orgs = entries.filter((e) => !e.scope.startsWith('DIV#'));
  const pairs: [ExplainEntry, ExplainEntry | undefined][] = [];
  const unpaired: ExplainEntry[] = [];
  for (const division of divisions) {
    const index = orgs.findIndex((o) => o.day === division.day);
    if (index >= 0) pairs.push([division, orgs.splice(index, 1)[0]]);
    else unpaired.push(division);
  }
  for (const division of unpaired) pairs.push([division, orgs.shift()]);
  for (const org of orgs) pairs.push([org, undefined]);
  const name = (entry: ExplainEntry): string => `${entry.scope}#${entry.day}`;
  return pairs.map(([first, second]) => ({
    pk: ledgerPk(source, id),
    sk: second === undefined ? `X#${name(first)}` : `X#${name(first)}|${name(second)}`,
    source,
    id,
    type,
    date,
    processedAt,
    ...indexAttributes(first, event),
    ...(second === undefined ? {} : indexAttributes(second, event)),
  }));
}

/**
 * The stored items of an accepted record: the record (carrying its home
 * explain entries) and its other explain entries; for an event applied in
 * `chunks`, its effects too, in continuation items when they are long.
 */
export function ledgerItems(record: AcceptedRecord, chunks?: number): Record<string, unknown>[] {
  const { effects, explain, data, ...rest } = record;
  const home = splitHomeEntries(explain, record.date);
  const pk = ledgerPk(record.source, record.id);
  const base = {
    pk,
    sk: 'ACCEPTED',
    outcome: 'accepted',
    ...rest,
    // As JSON text, like `effects`: only a rebuild reads it back, and a nested map costs DynamoDB (and the SDK) an attribute each.
    data: JSON.stringify(data),
    ...(chunks === undefined ? {} : { chunks }),
    ...(home.division === undefined ? {} : indexAttributes(home.division, record)),
    ...(home.org === undefined ? {} : indexAttributes(home.org, record)),
  };
  const others = explainItems(record, home.rest);
  if (chunks === undefined) return [base, ...others];
  const text = JSON.stringify(effects);
  if (Buffer.byteLength(text, 'utf8') <= effectsInlineBytes) return [{ ...base, effects: text }, ...others];
  const parts = splitText(text, 300_000);
  return [{ ...base, effectsPages: parts.length }, ...parts.map((body, i) => ({ pk, sk: effectsSk(i + 1), body })), ...others];
}

/** Stored items and bytes of one value, worked out once per (immutable) object: a planner asks again and again. */
const sizes = new WeakMap<object, { items: number; bytes: number }>();

const measure = (items: readonly Record<string, unknown>[]): { items: number; bytes: number } => ({ items: items.length, bytes: items.reduce((n, item) => n + JSON.stringify(item).length, 0) });

function sizeOf(key: object, stored: () => Record<string, unknown>[]): { items: number; bytes: number } {
  let size = sizes.get(key);
  if (size === undefined) {
    size = measure(stored());
    sizes.set(key, size);
  }
  return size;
}

/** The stored items of an accepted record and their size (see {@link planSize}). */
export function recordSize(record: AcceptedRecord, chunks?: number): { items: number; bytes: number } {
  // The first transaction of a chunked event stores its effects too: rare, not cached.
  return chunks === undefined ? sizeOf(record, () => ledgerItems(record)) : measure(ledgerItems(record, chunks));
}

/** The stored items of a state write and their size, with the deletions of continuations it leaves behind (see {@link planSize}). */
export function stateWriteSize(write: StateWrite, storedPages: number): { items: number; bytes: number } {
  const size = sizeOf(write.item, () => encodeState(write.key, write.item));
  return { items: size.items + Math.max(0, storedPages - size.items), bytes: size.bytes };
}

/** What one counter change adds to a plan's size, and what each further attribute of its item adds. */
export const counterBytes = { item: 60, attribute: 24 } as const;
/** What one baseline write adds to a plan's size. */
export const baselineBytes = 200;
/** A plan's size before its records, states, counters and baselines: the fence check and request overhead. */
export const emptyPlanSize = { items: 1, bytes: 200 } as const;

/** A plan's stored items and its size, before it is sent: the packer keeps both within DynamoDB's limits. */
export function planSize(plan: TransactionPlan): { items: number; bytes: number } {
  const extra = measure(plan.explainItems ?? []);
  let items = emptyPlanSize.items + plan.counters.length + plan.baselines.length + (plan.chunk === undefined ? 0 : 1) + extra.items;
  let bytes =
    emptyPlanSize.bytes +
    plan.counters.reduce((n, c) => n + counterBytes.item + Object.keys(c.amounts).length * counterBytes.attribute, 0) +
    plan.baselines.length * baselineBytes +
    extra.bytes;
  for (const record of plan.events) {
    const size = recordSize(record, plan.chunks);
    items += size.items;
    bytes += size.bytes;
  }
  for (const write of plan.states) {
    const size = stateWriteSize(write, plan.storedPages.get(write.key) ?? 1);
    items += size.items;
    bytes += size.bytes;
  }
  return { items, bytes };
}

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
/** What each item of a transaction is, so that a cancellation's reasons can be put down to events. */
type ItemRole =
  | { kind: 'fence' }
  | { kind: 'ledger'; source: string; id: string }
  | { kind: 'state'; key: string }
  | { kind: 'counter'; id: string }
  | { kind: 'chunk'; source: string; id: string }
  /** An event's other items: its explain entries beside the record. */
  | { kind: 'event'; source: string; id: string }
  | { kind: 'other' };

/** Reads and writes events' effects. */
export class EventStore {
  /** The fence last read: every commit checks it anyway, so it is read again only once a commit finds it moved. */
  private knownFence: Fence | undefined;
  /** The fence shard the next commit checks: taken in turn, from a random start so that processes spread. */
  private nextFenceShard = Math.floor(Math.random() * fenceShards);

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TableNames,
    /** The clock a pause's lease is read against (epoch milliseconds). */
    private readonly now: () => number = Date.now,
  ) {}

  /** The fence as last read (read now if never read or forgotten). */
  async currentFence(): Promise<Fence> {
    this.knownFence ??= await this.readFence();
    return this.knownFence;
  }

  /** Forgets the fence last read: the next {@link currentFence} reads it again. */
  forgetFence(): void {
    this.knownFence = undefined;
  }

  /** The fence every commit is conditioned on (epoch 0, running, before any maintenance ran); a pause whose lease ran out is running. */
  async readFence(): Promise<Fence> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tables.ledger, Key: fenceKey, ConsistentRead: true }));
    const until = Item?.['pausedUntil'];
    const leaseOver = typeof until === 'number' && until < this.now();
    return { epoch: typeof Item?.['epoch'] === 'number' ? Item['epoch'] : 0, paused: Item?.['paused'] === true && !leaseOver };
  }

  async findAccepted(source: string, id: string): Promise<LedgerEntry | undefined> {
    return (await this.load([], [{ source, id }])).accepted.get(ledgerPk(source, id));
  }

  /**
   * Strongly consistent reads of the given state items (absent ones are left
   * out, paged ones reassembled) and of the ledger records of `events`.
   */
  async load(
    keys: readonly string[],
    events: readonly { source: string; id: string }[] = [],
  ): Promise<{ state: Map<string, StateItem>; pages: Map<string, number>; accepted: Map<string, LedgerEntry> }> {
    const state = new Map<string, StateItem>();
    const pages = new Map<string, number>();
    const accepted = new Map<string, LedgerEntry>();
    const heads = new Map<string, Record<string, unknown>>();
    const ledgerKeys = events.map((e) => ({ pk: ledgerPk(e.source, e.id), sk: 'ACCEPTED' }));
    const found = await this.batchGet(
      [...ledgerKeys.map((key) => ({ table: this.tables.ledger, key })), ...[...new Set(keys)].map((pk) => ({ table: this.tables.state, key: { pk } }))],
      // Of a ledger record only what tells a duplicate from a conflict and an interrupted chunked event.
      { [this.tables.ledger]: ['pk', 'contentHash', 'chunks'] },
    );
    for (const item of found.get(this.tables.ledger) ?? []) {
      const chunks = item['chunks'];
      accepted.set(String(item['pk']), { contentHash: String(item['contentHash']), ...(typeof chunks === 'number' ? { chunks } : {}) });
    }
    for (const item of found.get(this.tables.state) ?? []) heads.set(String(item['pk']), item);
    const continuationKeys = [...heads].flatMap(([key, head]) => Array.from({ length: pagesOf(head) - 1 }, (_, i) => continuationKey(key, i + 1)));
    const continuations = new Map<string, Record<string, unknown>>();
    if (continuationKeys.length > 0) {
      const more = await this.batchGet(continuationKeys.map((pk) => ({ table: this.tables.state, key: { pk } })));
      for (const item of more.get(this.tables.state) ?? []) continuations.set(String(item['pk']), item);
    }
    for (const [key, head] of heads) {
      const count = pagesOf(head);
      const parts = Array.from({ length: count - 1 }, (_, i) => continuations.get(continuationKey(key, i + 1)));
      if (parts.some((p) => p === undefined)) throw new StorageError('a paged state item is missing a page');
      state.set(key, decodeState(head, parts as Record<string, unknown>[]));
      pages.set(key, count);
    }
    return { state, pages, accepted };
  }

  /**
   * The stored version of each given state item (absent items are left
   * out): a strongly consistent read of the head items' versions only, to
   * find out whether state moved since it was decided on.
   */
  async stateVersions(keys: readonly string[]): Promise<Map<string, number>> {
    const found = await this.batchGet(
      [...new Set(keys)].map((pk) => ({ table: this.tables.state, key: { pk } })),
      { [this.tables.state]: ['pk', 'version'] },
    );
    return new Map((found.get(this.tables.state) ?? []).map((item) => [String(item['pk']), Number(item['version'])]));
  }

  /** Which chunk markers of a chunked event are written (1-based indexes). */
  async appliedChunks(source: string, id: string, chunks: number): Promise<Set<number>> {
    const keys = Array.from({ length: chunks - 1 }, (_, i) => ({ table: this.tables.ledger, key: { pk: ledgerPk(source, id), sk: chunkSk(i + 1) } }));
    const found = await this.batchGet(keys);
    return new Set((found.get(this.tables.ledger) ?? []).map((item) => Number(String(item['sk']).slice('CHUNK#'.length))));
  }

  /** The recorded effects of an accepted event and what its explain items repeat of it (for resuming a chunked one). */
  async effectsOf(source: string, id: string): Promise<{ effects: Effects; event: ExplainedEvent } | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tables.ledger, Key: { pk: ledgerPk(source, id), sk: 'ACCEPTED' }, ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const event: ExplainedEvent = { source, id, type: String(Item['type']), date: String(Item['date']), processedAt: String(Item['processedAt']) };
    if (typeof Item['effects'] === 'string') return { effects: JSON.parse(Item['effects']) as Effects, event };
    const count = Number(Item['effectsPages'] ?? 0);
    const found = await this.batchGet(Array.from({ length: count }, (_, i) => ({ table: this.tables.ledger, key: { pk: ledgerPk(source, id), sk: effectsSk(i + 1) } })));
    const parts = (found.get(this.tables.ledger) ?? []).sort((a, b) => String(a['sk']).localeCompare(String(b['sk'])));
    return { effects: JSON.parse(parts.map((p) => String(p['body'])).join('')) as Effects, event };
  }

  /** Commits one transaction plan, all or nothing. */
  async commit(plan: TransactionPlan, attempt = 0): Promise<CommitResult> {
    const roles: ItemRole[] = [];
    const items: TransactItem[] = [];
    const push = (role: ItemRole, item: TransactItem): void => {
      roles.push(role);
      items.push(item);
    };
    push(
      { kind: 'fence' },
      {
        ConditionCheck: {
          TableName: this.tables.ledger,
          Key: fenceKeys[this.nextFenceShard++ % fenceShards],
          ...(plan.fence.epoch === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                // Running, or paused by a run whose lease is over (a pause without one holds: comparing a missing attribute is false).
                ConditionExpression: '#epoch = :epoch AND (#paused = :running OR #until < :now)',
                ExpressionAttributeNames: { '#epoch': 'epoch', '#paused': 'paused', '#until': 'pausedUntil' },
                ExpressionAttributeValues: { ':epoch': plan.fence.epoch, ':running': false, ':now': this.now() },
              }),
        },
      },
    );
    for (const record of plan.events) {
      const [head, ...rest] = ledgerItems(record, plan.chunks);
      push({ kind: 'ledger', source: record.source, id: record.id }, { Put: { TableName: this.tables.ledger, Item: head as Record<string, unknown>, ConditionExpression: 'attribute_not_exists(pk)' } });
      for (const item of rest) push({ kind: 'event', source: record.source, id: record.id }, { Put: { TableName: this.tables.ledger, Item: item } });
    }
    if (plan.chunk !== undefined) {
      push(
        { kind: 'chunk', source: plan.chunk.source, id: plan.chunk.id },
        {
          Put: {
            TableName: this.tables.ledger,
            Item: { pk: ledgerPk(plan.chunk.source, plan.chunk.id), sk: chunkSk(plan.chunk.index) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      );
    }
    const chunked = plan.chunk;
    for (const item of plan.explainItems ?? []) {
      push(chunked === undefined ? { kind: 'other' } : { kind: 'event', source: chunked.source, id: chunked.id }, { Put: { TableName: this.tables.ledger, Item: item } });
    }
    for (const write of plan.states) {
      const [head, ...continuations] = encodeState(write.key, write.item);
      push(
        { kind: 'state', key: write.key },
        {
          Put: {
            TableName: this.tables.state,
            Item: head as Record<string, unknown>,
            ...(write.expectedVersion === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: '#version = :version', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': write.expectedVersion } }),
          },
        },
      );
      for (const item of continuations) push({ kind: 'state', key: write.key }, { Put: { TableName: this.tables.state, Item: item } });
      for (let page = continuations.length + 1; page < (plan.storedPages.get(write.key) ?? 1); page++) {
        push({ kind: 'state', key: write.key }, { Delete: { TableName: this.tables.state, Key: { pk: continuationKey(write.key, page) } } });
      }
    }
    for (const b of plan.baselines) {
      push({ kind: 'other' }, { Put: { TableName: this.tables.counters, Item: { pk: counterKeys.baseline(b.metric), sk: counterKeys.baselineEntry(b.division, b.asOf), ...b } } });
    }
    for (const c of plan.counters) {
      const entries = Object.entries(c.amounts);
      push(
        { kind: 'counter', id: counterItemId(c) },
        {
          Update: {
            TableName: this.tables.counters,
            Key: { pk: c.pk, sk: c.sk },
            UpdateExpression: `ADD ${entries.map((_, i) => `#m${i} :m${i}`).join(', ')}`,
            ExpressionAttributeNames: Object.fromEntries(entries.map(([attribute], i) => [`#m${i}`, attribute])),
            ExpressionAttributeValues: Object.fromEntries(entries.map(([, amount], i) => [`:m${i}`, amount])),
          },
        },
      );
    }
    if (items.length > maxTransactionItems) throw new StorageError(`a transaction of ${items.length} actions was planned; DynamoDB takes ${maxTransactionItems}`);
    // Same items, same token: the SDK's retry of an ambiguous (timed-out) write
    // is recognised by DynamoDB as the same transaction. Our own re-attempts
    // take a new token (a later round, or the same transaction sent again: each
    // call checks the next fence shard); the ledger conditions still make them
    // apply at most once.
    const token = createHash('sha256').update(`${attempt}:${JSON.stringify(items)}`).digest('hex').slice(0, 36);
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token }));
    } catch (error) {
      const reasons = cancellationCodes(error);
      if (reasons === undefined) throw error;
      const failedRoles = reasons.flatMap((code, i) => (code === 'ConditionalCheckFailed' ? [roles[i] as ItemRole] : []));
      if (failedRoles.some((r) => r.kind === 'fence')) return { status: 'fenced' };
      const ledger = failedRoles.find((r): r is Extract<ItemRole, { kind: 'ledger' }> => r.kind === 'ledger');
      if (ledger !== undefined) return { status: 'already_applied', source: ledger.source, id: ledger.id };
      if (failedRoles.some((r) => r.kind === 'chunk')) return { status: 'chunk_applied' };
      if (failedRoles.length > 0) return { status: 'stale_state', keys: failedRoles.flatMap((r) => (r.kind === 'state' ? [r.key] : [])) };
      if (reasons.includes('TransactionConflict')) return busyItems(reasons.flatMap((code, i) => (code === 'TransactionConflict' ? [roles[i] as ItemRole] : [])));
      throw error;
    }
    return { status: 'committed', itemsWritten: items.length };
  }

  /** Records a rejection (ledger-records.ts). */
  async recordRejection(record: RejectedRecord): Promise<void> {
    await recordRejection(this.doc, this.tables.ledger, record);
  }

  /**
   * Counts one more time the queued message `messageId` was decided while an
   * organisation it names is not registered, and returns the count. A delivery
   * that waits out a maintenance pause is never decided, so it does not count
   * (the queue's receive count would). The item expires a day after the queue
   * would have dropped the message.
   */
  async countUnknownOrgTry(messageId: string): Promise<number> {
    const { Attributes } = await this.doc.send(
      new UpdateCommand({
        TableName: this.tables.ledger,
        Key: unknownOrgTriesKey(messageId),
        UpdateExpression: 'ADD #tries :one SET #expires = :expires',
        ExpressionAttributeNames: { '#tries': 'tries', '#expires': ledgerExpiryAttribute },
        ExpressionAttributeValues: { ':one': 1, ':expires': Math.ceil(this.now() / 1000) + (eventsQueue.retentionDays + 1) * 86_400 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.['tries']);
  }

  /** Notes a redelivery of an accepted event; changes no counter. */
  async countDuplicate(source: string, id: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tables.ledger,
        Key: { pk: ledgerPk(source, id), sk: 'ACCEPTED' },
        UpdateExpression: 'ADD duplicates :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }

  /** BatchGetItem for any number of keys, strongly consistent, retrying unprocessed keys. */
  private async batchGet(
    requests: readonly { table: string; key: Record<string, unknown> }[],
    /** Per table, the attributes to read (all when not given). */
    projections: Readonly<Record<string, readonly string[]>> = {},
  ): Promise<Map<string, Record<string, unknown>[]>> {
    const out = new Map<string, Record<string, unknown>[]>();
    const requestOf = (batch: readonly { table: string; key: Record<string, unknown> }[]): BatchGetCommand => {
      const requestItems: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: true; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> }> = {};
      for (const { table, key } of batch) {
        const names = projections[table];
        requestItems[table] ??= {
          Keys: [],
          ConsistentRead: true,
          ...(names === undefined ? {} : projection(names)),
        };
        requestItems[table].Keys.push(key);
      }
      return new BatchGetCommand({ RequestItems: requestItems });
    };
    let pending = [...requests];
    // `retries` counts rounds in a row that came back partly unprocessed (throttling), not batches.
    for (let retries = 0; pending.length > 0; ) {
      if (retries > 8) throw new StorageError('reads kept coming back unprocessed');
      if (retries > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** retries)));
      // Up to `readsInFlight` requests of 100 keys at once.
      const batches = Array.from({ length: Math.min(readsInFlight, Math.ceil(pending.length / 100)) }, (_, i) => pending.slice(i * 100, (i + 1) * 100));
      const answers = await Promise.all(batches.map((batch) => this.doc.send(requestOf(batch))));
      const unprocessed: { table: string; key: Record<string, unknown> }[] = [];
      for (const { Responses, UnprocessedKeys } of answers) {
        for (const [table, items] of Object.entries(Responses ?? {})) (out.get(table) ?? out.set(table, []).get(table)!).push(...items);
        unprocessed.push(...Object.entries(UnprocessedKeys ?? {}).flatMap(([table, { Keys }]) => (Keys ?? []).map((key) => ({ table, key: key as Record<string, unknown> }))));
      }
      retries = unprocessed.length > 0 ? retries + 1 : 0;
      pending = [...unprocessed, ...pending.slice(batches.length * 100)];
    }
    return out;
  }
}

/** BatchGetItem requests of one read in flight at once. */
const readsInFlight = 4;

/** A counter item's identity in a plan and in a `busy` result. */
export const counterItemId = (c: { readonly pk: string; readonly sk: string }): string => `${c.pk}|${c.sk}`;

/** What a `TransactionConflict` cancellation held busy, as the processor knows it; `contention` when an item can be put down to no event (a baseline). */
function busyItems(held: readonly ItemRole[]): CommitResult {
  if (held.length === 0 || held.some((r) => r.kind === 'other')) return { status: 'contention' };
  return {
    status: 'busy',
    states: held.flatMap((r) => (r.kind === 'state' ? [r.key] : [])),
    counters: held.flatMap((r) => (r.kind === 'counter' ? [r.id] : [])),
    events: held.flatMap((r) => (r.kind === 'ledger' || r.kind === 'chunk' || r.kind === 'event' ? [ledgerPk(r.source, r.id)] : [])),
  };
}

/** Cancellation reason codes of a TransactionCanceledException, else undefined. */
function cancellationCodes(error: unknown): string[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}
