/**
 * The bench's stand-ins for the AWS services, on a thread of their own: the
 * SQS emulator and a counting proxy in front of DynamoDB Local. In AWS these
 * run on other machines; here they would otherwise share one event loop with
 * the processor being measured. Started by `startServices` in pipeline.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startSqsEmulator } from '../../packages/local-stack/emulators.ts';
import { conflictCancellation, TransactionConflicts } from './conflict-model.ts';
import { CapacityMeter } from './capacity-units.ts';
import { dynamoDbProxyServer, listenOnLoopback } from '../support/loopback-server.ts';
import type { WireItem, WriteUnits } from './capacity-units.ts';

export interface RequestCounts {
  requests: number;
  items: number;
  /** Write request units as DynamoDB bills them (capacity-units.ts): the items', doubled in transactions, and their index entries'. */
  units: number;
  /** Of `units`, those of index entries. */
  indexUnits: number;
  /** Read request units as DynamoDB bills them: lookups, queries, and the ConditionChecks of committed transactions. */
  readUnits: number;
  transactions: number;
  /** Transactions DynamoDB cancelled because another one held an item (TransactionConflict). */
  conflicts: number;
  /** Transactions cancelled by a condition: state changed since read by a racing processor, or an event already in the ledger. */
  stale: number;
  /** Items written, by table (the Ledger's accepted records, explain items and chunk markers; State; Counters). */
  byTable: Record<string, number>;
}

const zeroCounts = (): RequestCounts => ({ requests: 0, items: 0, units: 0, indexUnits: 0, readUnits: 0, transactions: 0, conflicts: 0, stale: 0, byTable: {} });

/**
 * Milliseconds the proxy holds each answer back, by operation: the round
 * trip DynamoDB Local lacks. Deployed, a request spends most of its time in
 * the network and on DynamoDB's own machines, where requests to different
 * items proceed side by side; DynamoDB Local answers in microseconds but
 * does every transaction on one thread of this machine.
 *
 * With a transaction round trip set, the proxy also cancels transactions as
 * DynamoDB does and DynamoDB Local never does (conflict-model.ts): a
 * transaction holds its items for that long from its arrival, and another
 * naming one of them meanwhile is cancelled with `TransactionConflict`.
 */
export interface Latency {
  readonly read: number;
  readonly write: number;
  readonly transaction: number;
}

export const noLatency: Latency = { read: 0, write: 0, transaction: 0 };

function latencyOf(operation: string, latency: Latency): number {
  if (operation === 'TransactWriteItems') return latency.transaction;
  if (['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems'].includes(operation)) return latency.read;
  return operation.endsWith('Item') ? latency.write : 0;
}

/**
 * Forwards everything to DynamoDB Local and counts the writes that succeeded
 * and what DynamoDB would bill for them; holds answers back by `latency` once
 * set. `forget` is for when the tables are created again: the meter follows
 * every item written through the proxy, to know its size before an update.
 */
export async function startCountingProxy(
  target: string,
): Promise<{ url: string; counts: RequestCounts; committedAt: Map<string, number>; reset(): void; forget(): void; setLatency(latency: Latency): void; close(): void }> {
  const counts: RequestCounts = zeroCounts();
  /** When the answer of the transaction that put each accepted ledger record reached the processor (epoch ms), by record key. */
  const committedAt = new Map<string, number>();
  const meter = new CapacityMeter();
  const wrote = (table: unknown, units: WriteUnits): void => {
    counts.items++;
    counts.byTable[String(table)] = (counts.byTable[String(table)] ?? 0) + 1;
    counts.units += units.item + units.index;
    counts.indexUnits += units.index;
  };
  type Write = { TableName?: string; Item?: WireItem; Key?: WireItem; UpdateExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: WireItem };
  /** Meters one write that succeeded. */
  const metered = (kind: string, table: string, detail: Write, transactional: boolean): WriteUnits => {
    if (kind === 'Put' || kind === 'PutItem') return meter.put(table, detail.Item ?? {}, transactional);
    if (kind === 'Delete' || kind === 'DeleteItem') return meter.delete(table, detail.Key ?? {}, transactional);
    return meter.update(table, detail.Key ?? {}, detail, transactional);
  };
  /** Read units of one read that succeeded, from its request and its answer. */
  const readUnits = (target: string, input: Record<string, unknown>, output: Record<string, unknown>): number => {
    const consistent = input['ConsistentRead'] === true;
    if (target === 'GetItem') return meter.getItems(String(input['TableName']), [input['Key'] as WireItem], output['Item'] === undefined ? [] : [output['Item'] as WireItem], consistent);
    if (target === 'BatchGetItem') {
      const responses = (output['Responses'] ?? {}) as Record<string, WireItem[]>;
      return Object.entries(input['RequestItems'] as Record<string, { Keys: WireItem[]; ConsistentRead?: boolean }>).reduce(
        (sum, [table, request]) => sum + meter.getItems(table, request.Keys, responses[table] ?? [], request.ConsistentRead === true),
        0,
      );
    }
    if (target === 'Query' || target === 'Scan') {
      const returned = (output['Items'] ?? []) as WireItem[];
      return meter.queryPage(String(input['TableName']), returned, consistent, input['IndexName'] !== undefined);
    }
    return 0;
  };
  let latency = noLatency;
  const conflicts = new TransactionConflicts();
  /** DynamoDB's answer to a transaction naming an item another one in flight holds; undefined if none is held (or no round trip is set). */
  const conflictWith = (input: Record<string, unknown>): string | undefined => {
    if (latency.transaction <= 0) return undefined;
    const items = (input['TransactItems'] as Record<string, Write>[]).map((action) => {
      const [, detail] = Object.entries(action)[0] as [string, Write];
      return meter.idOf(String(detail.TableName), detail.Item ?? detail.Key ?? {});
    });
    const held = conflicts.arrive(items, performance.now(), latency.transaction);
    return held === undefined ? undefined : conflictCancellation(held);
  };
  // The input is parsed once: for the conflict model before forwarding, and for the meter after a success.
  const server = dynamoDbProxyServer(target, ({ operation: target, input, outgoing, forward }) => {
    const conflict = target === 'TransactWriteItems' ? conflictWith(input) : undefined;
    if (conflict !== undefined) {
      counts.conflicts++;
      setTimeout(() => {
        outgoing.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `conflict-${counts.conflicts}` });
        outgoing.end(conflict);
      }, latency.transaction);
      return;
    }
    forward((response) => {
      const parts: Buffer[] = [];
      response.on('data', (c: Buffer) => parts.push(c));
      response.on('end', () => {
        const answer = Buffer.concat(parts).toString('utf8');
        const committing: string[] = [];
        if (response.statusCode === 200) {
          if (target === 'TransactWriteItems') {
            const items = input['TransactItems'] as Record<string, Write>[];
            counts.transactions++;
            for (const action of items) {
              const [kind, detail] = Object.entries(action)[0] as [string, Write];
              if (kind === 'Put' && detail.Item?.['sk']?.S === 'ACCEPTED') committing.push(String(detail.Item['pk']?.S));
              if (kind === 'ConditionCheck') {
                counts.readUnits += meter.conditionCheck(String(detail.TableName), detail.Key ?? {});
                continue;
              }
              wrote(detail.TableName, metered(kind, String(detail.TableName), detail, true));
            }
          } else if (target === 'PutItem' || target === 'UpdateItem' || target === 'DeleteItem') {
            wrote(input['TableName'], metered(target, String(input['TableName']), input as Write, false));
          } else if (target === 'BatchWriteItem') {
            for (const [table, requests] of Object.entries(input['RequestItems'] as Record<string, { PutRequest?: { Item: WireItem }; DeleteRequest?: { Key: WireItem } }[]>)) {
              // DynamoDB Local has no throughput limit: it leaves no item of a BatchWriteItem unprocessed.
              for (const r of requests) {
                wrote(table, r.PutRequest === undefined ? meter.delete(table, r.DeleteRequest?.Key ?? {}, false) : meter.put(table, r.PutRequest.Item, false));
              }
            }
          }
          counts.readUnits += readUnits(target, input, JSON.parse(answer || '{}') as Record<string, unknown>);
          if (target.endsWith('Item') || target.endsWith('Items')) counts.requests++;
        } else if (target === 'TransactWriteItems' && answer.includes('TransactionConflict')) counts.conflicts++;
        else if (target === 'TransactWriteItems' && answer.includes('ConditionalCheckFailed')) counts.stale++;
        const answerNow = (): void => {
          for (const key of committing) committedAt.set(key, Date.now());
          outgoing.writeHead(response.statusCode ?? 500, response.headers);
          outgoing.end(Buffer.concat(parts));
        };
        const delay = latencyOf(target, latency);
        if (delay > 0) setTimeout(answerNow, delay);
        else answerNow();
      });
    });
  });
  return {
    url: await listenOnLoopback(server),
    counts,
    committedAt,
    reset: () => {
      Object.assign(counts, zeroCounts());
      committedAt.clear();
    },
    forget: () => meter.forget(),
    setLatency: (value) => {
      latency = value;
    },
    close: () => server.close(),
  };
}


/** Messages the bench sends this thread, and its answers. */
export type ServicesRequest = { readonly kind: 'counts' } | { readonly kind: 'committed' } | { readonly kind: 'reset' } | { readonly kind: 'forget' } | { readonly kind: 'latency'; readonly latency: Latency } | { readonly kind: 'stop' };

if (parentPort !== null && (workerData as { dynamoEndpoint?: string } | undefined)?.dynamoEndpoint !== undefined) {
  const port = parentPort;
  const sqsEmulator = await startSqsEmulator();
  const proxy = await startCountingProxy((workerData as { dynamoEndpoint: string }).dynamoEndpoint);
  port.on('message', async (message: ServicesRequest) => {
    if (message.kind === 'reset') proxy.reset();
    if (message.kind === 'forget') proxy.forget();
    if (message.kind === 'latency') proxy.setLatency(message.latency);
    if (message.kind === 'stop') {
      proxy.close();
      await sqsEmulator.stop();
      port.close();
      return;
    }
    port.postMessage({ kind: 'counts', counts: { ...proxy.counts }, ...(message.kind === 'committed' ? { committed: [...proxy.committedAt] } : {}) });
  });
  port.postMessage({ kind: 'ready', sqs: sqsEmulator.endpoint, dynamodb: proxy.url });
}
