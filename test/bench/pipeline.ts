/**
 * Benchmark of the write path: events/s through queue → processor →
 * DynamoDB Local, per-event latency, DynamoDB items written per event, and
 * the same transactions replayed as raw TransactWriteItems without our code,
 * in the same run, for the ratio. Prints figures; asserts nothing.
 *
 * A small HTTP proxy in front of DynamoDB Local records every transaction the
 * processor commits, so the raw replay is exactly the same work.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { processorEventSource, tables as tableDefinitions } from '../../packages/config/resources.ts';
import { createQueues, createTables, localAwsEnv, localClientConfig, startDynamoDbLocal, startSqsEmulator } from '../../packages/local-stack/emulators.ts';
import { startPoller } from '../../packages/local-stack/poller.ts';
import { sendBodies, waitUntilDrained } from '../support/queue.ts';
import { buildWorkload } from '../support/workload.ts';

const burstEvents = Number(process.env['BENCH_EVENTS'] ?? 2000);
const pacedEvents = 300;
const pacedRatePerSecond = 40;

/** Forwards everything to DynamoDB Local; keeps the bodies of committed TransactWriteItems calls. */
async function startRecordingProxy(
  target: string,
): Promise<{ url: string; transactions: string[]; committedAt: Map<string, number>; close(): void }> {
  const transactions: string[] = [];
  /** Ledger key of each committed event → when DynamoDB Local answered. */
  const committedAt = new Map<string, number>();
  const { hostname, port } = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = request({ hostname, port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (response) => {
        const parts: Buffer[] = [];
        response.on('data', (c: Buffer) => parts.push(c));
        response.on('end', () => {
          if (response.statusCode === 200 && String(incoming.headers['x-amz-target']).endsWith('.TransactWriteItems')) {
            const text = body.toString('utf8');
            transactions.push(text);
            const ledgerKey = /"pk":\{"S":"(EVENT#[^"]+)"\}/.exec(text)?.[1];
            if (ledgerKey !== undefined) committedAt.set(ledgerKey, Date.now());
          }
          outgoing.writeHead(response.statusCode ?? 500, response.headers);
          outgoing.end(Buffer.concat(parts));
        });
      });
      upstream.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, transactions, committedAt, close: () => server.close() };
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export async function benchPipeline(): Promise<void> {
  const dynamo = await startDynamoDbLocal();
  const sqsEmulator = await startSqsEmulator();
  const proxy = await startRecordingProxy(dynamo.endpoint);
  try {
    const ddb = new DynamoDBClient(localClientConfig(proxy.url));
    const sqs = new SQSClient(localClientConfig(sqsEmulator.endpoint));
    const tableNames = await createTables(ddb);
    const queueUrls = await createQueues(sqs);
    Object.assign(process.env, localAwsEnv({ dynamodb: proxy.url, sqs: sqsEmulator.endpoint }), tableNames, queueUrls, {
      PSEUDONYM_KEY: randomBytes(32).toString('base64url'),
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const { handler } = await import('../../functions/processor/handler.ts');
    const queueUrl = queueUrls['EVENTS_QUEUE_URL'] as string;
    const poller = startPoller({ sqs, queueUrl, handler: handler as never });

    // Warm-up and registry: the organisations every other event names.
    const burst = buildWorkload(burstEvents + 13, 21);
    await sendBodies(sqs, queueUrl, burst.registry.map((e) => JSON.stringify(e)));
    await waitUntilDrained(sqs, queueUrl);
    const committedBefore = proxy.transactions.length;

    // Throughput: the whole burst queued at once.
    const started = performance.now();
    await sendBodies(sqs, queueUrl, burst.events.map((e) => JSON.stringify(e)));
    await waitUntilDrained(sqs, queueUrl, 600_000);
    const seconds = (performance.now() - started) / 1000;
    const burstTransactions = proxy.transactions.slice(committedBefore);

    // Latency: events sent one by one at a rate the processor keeps up with.
    const paced = buildWorkload(pacedEvents + 13, 22);
    await sendBodies(sqs, queueUrl, paced.registry.map((e) => JSON.stringify(e)));
    await waitUntilDrained(sqs, queueUrl);
    const pacedIds = new Set(paced.events.map((e) => e.id));
    for (const event of paced.events) {
      await sendBodies(sqs, queueUrl, [JSON.stringify(event)]);
      await new Promise((resolve) => setTimeout(resolve, 1000 / pacedRatePerSecond));
    }
    await waitUntilDrained(sqs, queueUrl);

    // Throughput again at the deployed maximum concurrency, on a fresh burst.
    const more = Array.from({ length: processorEventSource.maxConcurrency - 1 }, () => startPoller({ sqs, queueUrl, handler: handler as never }));
    const concurrent = buildWorkload(burstEvents + 13, 23);
    await sendBodies(sqs, queueUrl, concurrent.registry.map((e) => JSON.stringify(e)));
    await waitUntilDrained(sqs, queueUrl);
    const concurrentStarted = performance.now();
    await sendBodies(sqs, queueUrl, concurrent.events.map((e) => JSON.stringify(e)));
    await waitUntilDrained(sqs, queueUrl, 600_000);
    const concurrentSeconds = (performance.now() - concurrentStarted) / 1000;
    await Promise.all([poller, ...more].map((p) => p.stop()));

    const doc = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(dynamo.endpoint)));
    const latencies: number[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: tableNames['LEDGER_TABLE'], ExclusiveStartKey }));
      for (const item of page.Items ?? []) {
        if (item['sk'] === 'ACCEPTED' && pacedIds.has(String(item['id']))) {
          const committed = proxy.committedAt.get(String(item['pk']));
          if (committed !== undefined) latencies.push(committed - Date.parse(String(item['receivedAt'])));
        }
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    latencies.sort((a, b) => a - b);

    const itemsWritten = burstTransactions.reduce((sum, body) => sum + (JSON.parse(body) as { TransactItems: unknown[] }).TransactItems.length, 0);

    // The same transactions, raw, into fresh tables, one after another like the poller.
    const rename = new Map(tableDefinitions.map((t) => [t.name, `Raw${t.name}`]));
    for (const t of tableDefinitions) {
      await ddb.send(
        new CreateTableCommand({
          TableName: `Raw${t.name}`,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: t.partitionKey.name, KeyType: 'HASH' }, ...(t.sortKey ? [{ AttributeName: t.sortKey.name, KeyType: 'RANGE' as const }] : [])],
          AttributeDefinitions: [{ AttributeName: t.partitionKey.name, AttributeType: 'S' }, ...(t.sortKey ? [{ AttributeName: t.sortKey.name, AttributeType: 'S' as const }] : [])],
        }),
      );
    }
    const replay = proxy.transactions.slice(0, committedBefore + burstTransactions.length).map((body) => {
      const input = JSON.parse(body.replace(/"TableName":"(\w+)"/g, (_m, name: string) => `"TableName":"${rename.get(name) ?? name}"`)) as TransactWriteItemsCommandInput;
      delete input.ClientRequestToken;
      return input;
    });
    // The registry's transactions set up the same state first, untimed.
    for (const input of replay.slice(0, committedBefore)) await ddb.send(new TransactWriteItemsCommand(input));
    const rawStarted = performance.now();
    for (const input of replay.slice(committedBefore)) await ddb.send(new TransactWriteItemsCommand(input));
    const rawSeconds = (performance.now() - rawStarted) / 1000;
    const rawCount = replay.length - committedBefore;

    const ours = burst.events.length / seconds;
    const raw = rawCount / rawSeconds;
    console.log('write path: queue → processor → DynamoDB Local (one poller, batches of 10)');
    console.log(`  events                      ${burst.events.length} (mixed workload, ${burstTransactions.length} committed transactions)`);
    console.log(`  throughput                  ${ours.toFixed(1)} events/s (${seconds.toFixed(2)} s)`);
    console.log(`  with ${processorEventSource.maxConcurrency} pollers             ${(concurrent.events.length / concurrentSeconds).toFixed(1)} events/s (the deployed maximum concurrency)`);
    console.log(`  latency sent → committed    p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms (${latencies.length} events paced at ${pacedRatePerSecond}/s)`);
    console.log(`  DynamoDB items per event    ${(itemsWritten / burst.events.length).toFixed(2)} written (one transaction each)`);
    console.log(`  raw TransactWriteItems      ${raw.toFixed(1)} tx/s (same ${rawCount} transactions, no queue, no code of ours)`);
    console.log(`  ratio ours / raw            ${(ours / raw).toFixed(2)}`);
  } finally {
    proxy.close();
    await sqsEmulator.stop();
    await dynamo.stop();
  }
}
