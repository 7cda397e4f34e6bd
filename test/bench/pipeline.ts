/**
 * Benchmark of the write path, in one run on one machine, figures printed,
 * nothing asserted:
 *
 * - ours: the mixed workload of every event type through queue → poller →
 *   the real processor handler → DynamoDB Local, with 1 poller and with 8;
 * - v1 shape, raw: one TransactWriteItems per event holding its ledger
 *   record, one state item and its organisation's, township's and county's
 *   day, month and year counter items (11 items), sent one after another
 *   with no code of ours;
 * - floor, raw: one BatchWriteItem put of a ledger record per event (25 a
 *   call): the least any exactly-once design writes;
 * - ours again, with 1 poller and with 8, with each DynamoDB answer held
 *   back by a deployed-like round trip (`deployedLatency`) and transactions
 *   cancelled for conflicts as DynamoDB cancels them (conflict-model.ts):
 *   DynamoDB Local does every transaction on one thread of this machine,
 *   where deployed a request mostly waits on the network and on DynamoDB's
 *   machines, and transactions in flight together may meet on an item;
 * - per-event latency, sent → committed: events sent one every 25 ms to as
 *   many pollers as the deployed mapping's maximum concurrency, the local
 *   poller as `npm start` runs it, and gathering as Lambda does (the whole
 *   batching window) with deployed-like round trips.
 *
 * A counting proxy in front of DynamoDB Local sees every write request, so
 * items written, their size (write request units) and transaction
 * conflicts are counted, not estimated. The proxy and the SQS emulator run
 * on a thread of their own (services.ts), as AWS runs them elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { processorEventSource, tables as tableDefinitions } from '../../packages/config/resources.ts';
import { createQueues, createTables, localAwsEnv, localClientConfig, startDynamoDbLocal } from '../../packages/local-stack/emulators.ts';
import type { BatchReport, SqsBatchHandler } from '../../packages/local-stack/poller.ts';
import { startPoller } from '../../packages/local-stack/poller.ts';
import { forgetContention } from '../../packages/processing/process-batch.ts';
import { ledgerPk } from '../../packages/storage/ledger-records.ts';
import { sendBodies, waitUntilDrained } from '../support/queue.ts';
import { buildMixedWorkload } from '../support/mixed-workload.ts';
import type { CloudEvent } from '../support/workload.ts';
import { median, percentile } from './percentile.ts';
import { noLatency } from './services.ts';
import type { Latency, ServicesRequest, RequestCounts } from './services.ts';

const scale = Number(process.env['BENCH_SCALE'] ?? 8);
/**
 * Round trips assumed for the deployed-like runs, in milliseconds: DynamoDB
 * answers reads and single writes within single-digit milliseconds in its
 * region and takes longer over a transaction (two phases); a Lambda adds a
 * millisecond or so of network each way.
 */
const deployedLatency: Latency = { read: 5, write: 8, transaction: 15 };
/** The latency passes: this many events of the burst, sent one at a time at this rate, well within what the processor keeps up with. */
const pacedEvents = 300;
const pacedPerSecond = 40;
/** DynamoDB on-demand list prices, us-east-1, USD per million request units (China regions are priced in CNY). */
const usdPerMillionWriteUnits = 0.625;
const usdPerMillionReadUnits = 0.125;

/** Starts services.ts on a worker thread (TypeScript through tsx's loader) and talks to it. */
async function startServices(
  dynamoEndpoint: string,
): Promise<{
  sqs: string;
  dynamodb: string;
  counts(): Promise<RequestCounts>;
  /** When each accepted ledger record's transaction answered (epoch ms), since the last reset. */
  committed(): Promise<Map<string, number>>;
  reset(): Promise<void>;
  forget(): Promise<void>;
  setLatency(latency: Latency): Promise<void>;
  stop(): Promise<void>;
}> {
  const entry = new URL('./services.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`, { eval: true, workerData: { dynamoEndpoint } });
  const [ready] = (await once(worker, 'message')) as [{ sqs: string; dynamodb: string }];
  const ask = async (request: ServicesRequest): Promise<{ counts: RequestCounts; committed?: [string, number][] }> => {
    worker.postMessage(request);
    const [answer] = (await once(worker, 'message')) as [{ counts: RequestCounts; committed?: [string, number][] }];
    return answer;
  };
  return {
    sqs: ready.sqs,
    dynamodb: ready.dynamodb,
    counts: async () => (await ask({ kind: 'counts' })).counts,
    committed: async () => new Map((await ask({ kind: 'committed' })).committed),
    reset: async () => void (await ask({ kind: 'reset' })),
    forget: async () => void (await ask({ kind: 'forget' })),
    setLatency: async (latency) => void (await ask({ kind: 'latency', latency })),
    stop: async () => {
      worker.postMessage({ kind: 'stop' } satisfies ServicesRequest);
      await once(worker, 'exit');
    },
  };
}

async function resetTables(ddb: DynamoDBClient): Promise<void> {
  for (const t of tableDefinitions) await ddb.send(new DeleteTableCommand({ TableName: t.name })).catch(() => undefined);
  await createTables(ddb);
}

/** The v1 shape of one event: ledger record, one state item, and 9 counter items (org, township, county × day, month, year). */
function v1Transaction(event: CloudEvent, n: number, prefix: string): TransactWriteItemsCommand {
  const date = event.time.slice(0, 10);
  const orgCode = String((event.data as { orgCode?: unknown }).orgCode ?? 'none');
  const ledger = { pk: `EVENT#${event.source}#${event.id}`, sk: 'ACCEPTED', outcome: 'accepted', type: event.type, time: event.time, date, data: event.data, contentHash: 'x'.repeat(32), receivedAt: event.time, processedAt: event.time };
  const add = (pk: string, sk: string) => ({
    Update: { TableName: `${prefix}Counters`, Key: marshall({ pk, sk }), UpdateExpression: 'ADD #m :one', ExpressionAttributeNames: { '#m': 'metric' }, ExpressionAttributeValues: { ':one': { N: '1' } } },
  });
  const scopes = [`ORG#${orgCode}`, `DIV#township-${n % 29}`, 'DIV#county'];
  return new TransactWriteItemsCommand({
    TransactItems: [
      { Put: { TableName: `${prefix}Ledger`, Item: marshall(ledger, { removeUndefinedValues: true }) as Record<string, AttributeValue>, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: `${prefix}State`, Item: marshall({ pk: `STATE#${event.id}`, version: 1, date, orgCode }) } },
      ...scopes.flatMap((pk) => [add(pk, `D#${date}`), add(pk, `M#${date.slice(0, 7)}`), add(pk, `Y#${date.slice(0, 4)}`)]),
    ],
  });
}

/** Fresh tables for a raw reference: the same keys as ours, no indexes. */
async function createRawTables(ddb: DynamoDBClient, prefix: string): Promise<void> {
  for (const t of tableDefinitions) {
    await ddb.send(new DeleteTableCommand({ TableName: `${prefix}${t.name}` })).catch(() => undefined);
    await ddb.send(
      new CreateTableCommand({
        TableName: `${prefix}${t.name}`,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: t.partitionKey.name, KeyType: 'HASH' }, ...(t.sortKey ? [{ AttributeName: t.sortKey.name, KeyType: 'RANGE' as const }] : [])],
        AttributeDefinitions: [{ AttributeName: t.partitionKey.name, AttributeType: 'S' }, ...(t.sortKey ? [{ AttributeName: t.sortKey.name, AttributeType: 'S' as const }] : [])],
      }),
    );
  }
}

/** One measured pass: events per second, what it wrote, and the CPU seconds DynamoDB Local spent on it (where readable). */
interface Measured {
  readonly perSecond: number;
  readonly counts: RequestCounts;
  readonly emulatorCpu: number | undefined;
  /** Messages the processor handed back to the queue (still meeting races after its 10 rounds); each waits out the visibility timeout. */
  readonly handedBack?: number;
}

const line = (label: string, value: string): void => console.log(`  ${label.padEnd(34)}${value}`);

export async function benchPipeline(): Promise<void> {
  const dynamo = await startDynamoDbLocal();
  const services = await startServices(dynamo.endpoint);
  try {
    const ddb = new DynamoDBClient(localClientConfig(services.dynamodb));
    const sqs = new SQSClient(localClientConfig(services.sqs));
    const tableNames = await createTables(ddb);
    const queueUrls = await createQueues(sqs);
    Object.assign(process.env, localAwsEnv({ dynamodb: services.dynamodb, sqs: services.sqs }), tableNames, queueUrls, {
      PSEUDONYM_KEY: randomBytes(32).toString('base64url'),
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    // One instance of the handler module per poller, as each Lambda container
    // has its own: its own clients, and its own turn through the fence shards.
    const handlers = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => ((await import(`../../functions/processor/handler.ts?container=${i}`)) as { handler: SqsBatchHandler }).handler),
    );
    const queueUrl = queueUrls['EVENTS_QUEUE_URL'] as string;

    /** Runs `work` and says how many CPU seconds DynamoDB Local spent meanwhile. */
    const emulatorCpuOf = async (work: () => Promise<unknown>): Promise<number | undefined> => {
      const before = dynamo.cpuSeconds?.();
      await work();
      const after = dynamo.cpuSeconds?.();
      return before === undefined || after === undefined ? undefined : after - before;
    };

    const workload = buildMixedWorkload(42, scale);
    const registry = workload.filter((e) => e.type === 'organization.registered.v1');
    const burst = workload.filter((e) => e.type !== 'organization.registered.v1');

    /**
     * Our processor with `pollers` pollers on fresh tables: events/s in
     * draining the burst from the queue, and what it wrote. The burst is
     * queued before the pollers start, so the figure is the processor's
     * throughput — as the raw references below are DynamoDB's — and not the
     * rate at which the bench can push messages into the SQS emulator
     * (about 3,000/s: 0.5–0.8 s of a 4 s run would otherwise be the
     * sending).
     */
    const ours = async (pollers: number): Promise<Measured> => {
      await resetTables(ddb);
      await services.forget();
      // Each pass starts as a fresh deployment would: a pass right after the
      // 8-poller one would otherwise still check state before every
      // transaction, as a processor does for 30 s after meeting a race.
      forgetContention();
      const registering = startPoller({ sqs, queueUrl, handler: handlers[0] as SqsBatchHandler });
      await sendBodies(sqs, queueUrl, registry.map((e) => JSON.stringify(e)));
      await waitUntilDrained(sqs, queueUrl);
      await registering.stop();
      await sendBodies(sqs, queueUrl, burst.map((e) => JSON.stringify(e)));
      await services.reset();
      const started = performance.now();
      let handedBack = 0;
      const onBatch = ({ failed }: BatchReport): void => void (handedBack += failed);
      const running = Array.from({ length: pollers }, (_, i) => startPoller({ sqs, queueUrl, handler: handlers[i] as SqsBatchHandler, onBatch }));
      const emulatorCpu = await emulatorCpuOf(() => waitUntilDrained(sqs, queueUrl, 600_000));
      const seconds = (performance.now() - started) / 1000;
      const counts = await services.counts();
      await Promise.all(running.map((p) => p.stop()));
      return { perSecond: burst.length / seconds, counts, emulatorCpu, handedBack };
    };

    /** v1 shape, raw: the same events as one 11-item transaction each, one after another, on fresh tables. */
    const v1Run = async (): Promise<Measured> => {
      await createRawTables(ddb, 'V1');
      await services.forget();
      await services.reset();
      const started = performance.now();
      const emulatorCpu = await emulatorCpuOf(async () => {
        for (const [n, event] of burst.entries()) await ddb.send(v1Transaction(event, n, 'V1'));
      });
      return { perSecond: burst.length / ((performance.now() - started) / 1000), counts: await services.counts(), emulatorCpu };
    };
    /** Floor, raw: a ledger record per event, 25 per BatchWriteItem, on fresh tables. */
    const floorRun = async (): Promise<Measured> => {
      await createRawTables(ddb, 'Floor');
      await services.forget();
      await services.reset();
      const started = performance.now();
      const emulatorCpu = await emulatorCpuOf(async () => {
        for (let i = 0; i < burst.length; i += 25) {
          const requests = burst.slice(i, i + 25).map((event) => ({
            PutRequest: { Item: marshall({ pk: `EVENT#${event.source}#${event.id}`, sk: 'ACCEPTED', outcome: 'accepted', type: event.type, time: event.time, data: event.data }, { removeUndefinedValues: true }) as Record<string, AttributeValue> },
          }));
          let pending: typeof requests = requests;
          while (pending.length > 0) {
            const { UnprocessedItems } = await ddb.send(new BatchWriteItemCommand({ RequestItems: { FloorLedger: pending } }));
            pending = (UnprocessedItems?.['FloorLedger'] ?? []) as typeof requests;
          }
        }
      });
      return { perSecond: burst.length / ((performance.now() - started) / 1000), counts: await services.counts(), emulatorCpu };
    };

    /**
     * Milliseconds from sending each event to the answer of the transaction
     * that committed it, for `pacedEvents` of the burst sent one every 25 ms
     * to as many pollers as the deployed mapping runs at most; events that
     * committed nothing (rejected, duplicates) are left out.
     */
    const pacedLatencies = async (gatherWholeWindow: boolean): Promise<number[]> => {
      await resetTables(ddb);
      await services.forget();
      forgetContention();
      const running = Array.from({ length: processorEventSource.maxConcurrency }, (_, i) =>
        startPoller({ sqs, queueUrl, handler: handlers[i] as SqsBatchHandler, gatherWholeWindow }),
      );
      await sendBodies(sqs, queueUrl, registry.map((e) => JSON.stringify(e)));
      await waitUntilDrained(sqs, queueUrl);
      await services.reset();
      const sentAt = new Map<string, number>();
      const started = performance.now();
      for (const [i, event] of burst.slice(0, pacedEvents).entries()) {
        const wait = started + (i * 1000) / pacedPerSecond - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        sentAt.set(ledgerPk(event.source, event.id), Date.now());
        await sendBodies(sqs, queueUrl, [JSON.stringify(event)]);
      }
      await waitUntilDrained(sqs, queueUrl, 600_000);
      const committed = await services.committed();
      await Promise.all(running.map((p) => p.stop()));
      return [...sentAt].flatMap(([key, sent]) => {
        const at = committed.get(key);
        return at === undefined ? [] : [at - sent];
      });
    };

    // DynamoDB Local is a JVM: it runs interpreted at first and keeps
    // compiling for its first ~10,000 writes (the second pass of the same
    // events takes about a third less of its CPU than the first). Warm it with
    // two unmeasured passes of ours and one of each raw reference, so that no
    // figure below measures the emulator's warm-up: the v1 shape sends 27
    // times as many requests as ours, and with ours alone warming the JVM, its
    // request handling was still being compiled in the first round (v1 shape
    // at 159 events/s there against 251–271 in the rounds after it).
    await ours(1);
    await ours(1);
    await v1Run();
    await floorRun();

    // The machine's load drifts within a run (the JVM and the processor share
    // its cores), so the figures are measured in interleaved rounds — ours with
    // 1 poller, v1, ours with 8 pollers, floor — and each printed as the median
    // of the rounds; a ratio is the median of the rounds' own ratios.
    const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
    const runs: { one: Measured; v1: Measured; eight: Measured; floor: Measured }[] = [];
    for (let r = 0; r < rounds; r++) runs.push({ one: await ours(1), v1: await v1Run(), eight: await ours(8), floor: await floorRun() });
    // The same two runs with the round trips of a deployment: on DynamoDB
    // Local alone every poller waits for the one JVM thread that does all
    // transactions, so more pollers can add only overhead there.
    await services.setLatency(deployedLatency);
    const deployed: { one: Measured; eight: Measured }[] = [];
    for (let r = 0; r < Math.min(rounds, 2); r++) deployed.push({ one: await ours(1), eight: await ours(8) });
    // What a producer waits for in a deployment: Lambda gathers each batch for its whole window.
    const asDeployed = await pacedLatencies(true);
    await services.setLatency(noLatency);
    const asLocal = await pacedLatencies(false);

    const figure = (pick: (run: (typeof runs)[number]) => number, digits = 1): string =>
      `${median(runs.map(pick)).toFixed(digits)}${rounds > 1 ? ` (rounds: ${runs.map((run) => pick(run).toFixed(digits)).join(', ')})` : ''}`;
    // Write counts hardly move between rounds: the last round's are printed.
    const { one, v1: v1Last, eight, floor: floorLast } = runs.at(-1) as (typeof runs)[number];
    const v1Counts = v1Last.counts;
    const floorCounts = floorLast.counts;

    const perEvent = (n: number) => (n / burst.length).toFixed(2);
    const cost = (c: RequestCounts) => `$${((c.units / burst.length) * usdPerMillionWriteUnits).toFixed(2)}`;
    console.log(`write path: ${burst.length} events of all 26 types queued, then drained (mixed workload, registry of ${registry.length} applied first), DynamoDB Local`);
    // Cancellations of the last pass; events handed back to the queue (each then waits out the visibility timeout) in all passes.
    const retried = (last: Measured, passes: readonly Measured[]) =>
      `${last.counts.conflicts} transaction conflicts, ${last.counts.stale} stale-state cancellations retried; ${passes.reduce((n, m) => n + (m.handedBack ?? 0), 0)} events handed back to the queue in ${passes.length} pass${passes.length === 1 ? '' : 'es'}`;
    line('ours, 1 poller', `${figure((run) => run.one.perSecond)} events/s (${retried(one, runs.map((run) => run.one))})`);
    line('ours, 8 pollers, one county', `${figure((run) => run.eight.perSecond)} events/s (${retried(eight, runs.map((run) => run.eight))})`);
    line('v1 shape, raw (1 tx per event)', `${figure((run) => run.v1.perSecond)} events/s`);
    line('floor, raw (ledger puts only)', `${figure((run) => run.floor.perSecond)} events/s`);
    line('ours ÷ v1 shape', figure((run) => run.one.perSecond / run.v1.perSecond, 2));
    line('ours ÷ floor', figure((run) => run.one.perSecond / run.floor.perSecond, 2));
    line('8 pollers ÷ 1 poller', figure((run) => run.eight.perSecond / run.one.perSecond, 2));
    // What the emulator worked, as against how long it took: where the ratio
    // of its CPU per event matches the ratio of events/s, the emulator's own
    // work sets the pace of both, not the waiting between round trips.
    const cpuPerEvent = (m: Measured): number => ((m.emulatorCpu ?? Number.NaN) * 1000) / burst.length;
    if (runs.every((run) => run.one.emulatorCpu !== undefined)) {
      line(
        'DynamoDB Local CPU per event',
        `ours ${figure((run) => cpuPerEvent(run.one), 2)} ms (8 pollers ${figure((run) => cpuPerEvent(run.eight), 2)} ms), v1 shape ${figure((run) => cpuPerEvent(run.v1), 2)} ms, floor ${figure((run) => cpuPerEvent(run.floor), 2)} ms`,
      );
      line('  v1 shape ÷ ours', figure((run) => cpuPerEvent(run.v1) / cpuPerEvent(run.one), 2));
    } else line('DynamoDB Local CPU per event', 'not readable here (Linux /proc only)');
    line('items written per event', `ours ${perEvent(one.counts.items)} (8 pollers ${perEvent(eight.counts.items)}), v1 shape ${perEvent(v1Counts.items)}, floor ${perEvent(floorCounts.items)}`);
    const byTable = (c: RequestCounts) =>
      Object.entries(c.byTable)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([table, n]) => `${table} ${perEvent(n)}`)
        .join(', ');
    line('  of which, by table', `ours ${byTable(one.counts)}; 8 pollers ${byTable(eight.counts)}`);
    line('transactions per event', `ours ${perEvent(one.counts.transactions)}, v1 shape ${perEvent(v1Counts.transactions)}`);
    line(
      'write units per event',
      `ours ${perEvent(one.counts.units)} (of which index entries ${perEvent(one.counts.indexUnits)}; 8 pollers ${perEvent(eight.counts.units)}), v1 shape ${perEvent(v1Counts.units)}, floor ${perEvent(floorCounts.units)}`,
    );
    line('', '(as DynamoDB bills them: 1 per KB of an item at the larger of its sizes before and after, ×2 in a transaction, + 1 per KB of each index entry written)');
    line('write cost per million events', `ours ${cost(one.counts)} (8 pollers ${cost(eight.counts)}), v1 shape ${cost(v1Counts)}, floor ${cost(floorCounts)} (on-demand, $${usdPerMillionWriteUnits}/M write units, us-east-1 list price)`);
    // The raw references read nothing; ours reads each round's state and ledger keys (strongly consistent) and checks a fence shard in each transaction.
    const readCost = (c: RequestCounts) => `$${((c.readUnits / burst.length) * usdPerMillionReadUnits).toFixed(2)}`;
    // With 8 pollers each batch is smaller, so a state or organisation item is read by more of them, and a processor that met a race reads its state's versions before each transaction.
    line(
      'read units per event',
      `ours ${perEvent(one.counts.readUnits)} (8 pollers ${perEvent(eight.counts.readUnits)}): ${readCost(one.counts)} per million events (8 pollers ${readCost(eight.counts)}; $${usdPerMillionReadUnits}/M read units); the raw references read nothing`,
    );
    const latencyNote = `read ${deployedLatency.read} ms, write ${deployedLatency.write} ms, transaction ${deployedLatency.transaction} ms a round trip`;
    console.log(`with deployed-like round trips (${latencyNote}), the same burst:`);
    const each = (pick: (run: (typeof deployed)[number]) => number, digits = 1): string => deployed.map((run) => pick(run).toFixed(digits)).join(', ');
    const lastDeployed = deployed.at(-1) as (typeof deployed)[number];
    line('ours, 1 poller', `${each((run) => run.one.perSecond)} events/s (${retried(lastDeployed.one, deployed.map((run) => run.one))})`);
    line('ours, 8 pollers, one county', `${each((run) => run.eight.perSecond)} events/s (${retried(lastDeployed.eight, deployed.map((run) => run.eight))})`);
    line('8 pollers ÷ 1 poller', each((run) => run.eight.perSecond / run.one.perSecond, 2));
    const spread = (ms: readonly number[]) => `p50 ${percentile(ms, 50)} ms, p99 ${percentile(ms, 99)} ms, max ${percentile(ms, 100)} ms (${ms.length} events committed)`;
    console.log(
      `latency, sent → committed: ${pacedEvents} events of the burst sent one every ${1000 / pacedPerSecond} ms to ${processorEventSource.maxConcurrency} pollers (the deployed maximum concurrency):`,
    );
    line('local poller, DynamoDB Local', spread(asLocal));
    line('as deployed', `${spread(asDeployed)}: Lambda gathers each batch for its ${processorEventSource.maxBatchingWindowSeconds} s window; deployed-like round trips`);
  } finally {
    await services.stop();
    await dynamo.stop();
  }
}
