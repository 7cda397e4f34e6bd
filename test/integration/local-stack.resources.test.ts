/**
 * The emulators and the resources the local stack creates in them: exactly
 * the tables, keys, queues and redrive policy of `packages/config/resources.ts`, as
 * the deployed stack has them, reachable through the environment alone.
 */
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsQueue, queues, tables } from '../../packages/config/resources.ts';
import type { RunningEmulator } from '../../packages/local-stack/emulators.ts';
import {
  createQueues,
  createTables,
  localAwsEnv,
  localClientConfig,
  startDynamoDbLocal,
  startSqsEmulator,
} from '../../packages/local-stack/emulators.ts';

let dynamo: RunningEmulator;
let queue: RunningEmulator;
let ddb: DynamoDBClient;
let sqs: SQSClient;
let tableNames: Record<string, string>;
let queueUrls: Record<string, string>;

beforeAll(async () => {
  [dynamo, queue] = await Promise.all([startDynamoDbLocal(), startSqsEmulator()]);
  ddb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  sqs = new SQSClient(localClientConfig(queue.endpoint));
  tableNames = await createTables(ddb);
  queueUrls = await createQueues(sqs);
});

afterAll(async () => {
  ddb?.destroy();
  sqs?.destroy();
  await Promise.all([dynamo?.stop(), queue?.stop()]);
});

describe('createTables', () => {
  it('maps every table environment variable to its table name', () => {
    expect(tableNames).toEqual({ LEDGER_TABLE: 'Ledger', STATE_TABLE: 'State', COUNTERS_TABLE: 'Counters', PUBLICATIONS_TABLE: 'Publications', TARGETS_TABLE: 'Targets' });
  });

  it.each(tables.map((definition) => [definition.name, definition] as const))('creates %s with the defined keys, on demand', async (_, definition) => {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: definition.name }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
      ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' }] : []),
    ]);
    const indexes = definition.indexes ?? [];
    expect(Table?.AttributeDefinitions).toEqual([
      { AttributeName: definition.partitionKey.name, AttributeType: 'S' },
      ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, AttributeType: 'S' }] : []),
      ...indexes.flatMap((index) => [index.partitionKey, index.sortKey]).map((k) => ({ AttributeName: k.name, AttributeType: 'S' })),
    ]);
    // The Ledger's explain indexes, as defined: keys and the attributes they copy.
    const byName = <T extends { name: string | undefined }>(xs: T[]): T[] => xs.sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(byName((Table?.GlobalSecondaryIndexes ?? []).map((i) => ({ name: i.IndexName, keys: i.KeySchema, projection: i.Projection })))).toEqual(
      byName(indexes.map((index) => ({
        name: index.name,
        keys: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] },
      }))),
    );
    const { TimeToLiveDescription } = await ddb.send(new DescribeTimeToLiveCommand({ TableName: definition.name }));
    expect(TimeToLiveDescription).toEqual(
      definition.timeToLiveAttribute === undefined ? { TimeToLiveStatus: 'DISABLED' } : { TimeToLiveStatus: 'ENABLED', AttributeName: definition.timeToLiveAttribute },
    );
  });

  it('creates nothing else, and leaves existing tables alone when run again', async () => {
    expect(await createTables(ddb)).toEqual(tableNames);
    const { TableNames } = await ddb.send(new ListTablesCommand({}));
    expect(TableNames?.sort()).toEqual(tables.map((t) => t.name).sort());
  });
});

describe('createQueues', () => {
  it('maps the queue and dead-letter queue variables to their URLs', () => {
    expect(Object.keys(queueUrls).sort()).toEqual(['EVENTS_DLQ_URL', 'EVENTS_QUEUE_URL']);
    expect(queueUrls['EVENTS_QUEUE_URL']).toMatch(/\/000000000000\/Events$/);
    expect(queueUrls['EVENTS_DLQ_URL']).toMatch(/\/000000000000\/EventsDlq$/);
  });

  it('gives the events queue the defined visibility timeout, retention and redrive policy', async () => {
    const [definition] = queues;
    const { Attributes: dlq } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrls['EVENTS_DLQ_URL'], AttributeNames: ['All'] }));
    const { Attributes: main } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrls['EVENTS_QUEUE_URL'], AttributeNames: ['All'] }));
    expect(main?.['VisibilityTimeout']).toBe(String(definition.visibilityTimeoutSeconds));
    expect(main?.['VisibilityTimeout']).toBe('180');
    expect(main?.['MessageRetentionPeriod']).toBe(String(14 * 86_400));
    expect(JSON.parse(main?.['RedrivePolicy'] ?? '{}')).toEqual({ deadLetterTargetArn: dlq?.['QueueArn'], maxReceiveCount: 15 });
    expect(dlq?.['QueueArn']).toBe('arn:aws:sqs:us-east-1:000000000000:EventsDlq');
    expect(dlq?.['MessageRetentionPeriod']).toBe(String(eventsQueue.deadLetter.retentionDays * 86_400));
    expect(dlq?.['RedrivePolicy']).toBeUndefined();
  });

  it('applies overrides of the visibility timeout and receive limit', async () => {
    const definition = { ...eventsQueue, name: 'Overridden', deadLetter: { ...eventsQueue.deadLetter, name: 'OverriddenDlq' } };
    const urls = await createQueues(sqs, [definition], { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: urls['EVENTS_QUEUE_URL'], AttributeNames: ['All'] }));
    expect(Attributes?.['VisibilityTimeout']).toBe('1');
    expect(JSON.parse(Attributes?.['RedrivePolicy'] ?? '{}')).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:OverriddenDlq',
      maxReceiveCount: 2,
    });
  });
});

describe('localAwsEnv', () => {
  it('lets clients built from the environment alone reach both emulators', async () => {
    const env = localAwsEnv({ dynamodb: dynamo.endpoint, sqs: queue.endpoint });
    expect(Object.keys(env).sort()).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_ENDPOINT_URL_SQS',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
    ]);
    const saved = { ...process.env };
    const warnings: unknown[] = [];
    const originalWarn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args);
    Object.assign(process.env, env);
    try {
      const envDdb = new DynamoDBClient({});
      const envSqs = new SQSClient({});
      const { TableNames } = await envDdb.send(new ListTablesCommand({}));
      expect(TableNames).toContain('Ledger');
      const { MessageId } = await envSqs.send(new SendMessageCommand({ QueueUrl: queueUrls['EVENTS_DLQ_URL'], MessageBody: '{}' }));
      expect(MessageId).toMatch(/^[0-9a-f-]{36}$/);
      // The queue URL's origin is the endpoint, so the SDK has no reason to warn about it.
      expect(warnings).toEqual([]);
      envDdb.destroy();
      envSqs.destroy();
    } finally {
      console.warn = originalWarn;
      for (const key of Object.keys(env)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});

describe('startDynamoDbLocal', () => {
  it('stop() ends the JVM: the port no longer answers', async () => {
    const second = await startDynamoDbLocal();
    const client = new DynamoDBClient({ ...localClientConfig(second.endpoint), maxAttempts: 1 });
    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    await second.stop();
    await expect(client.send(new ListTablesCommand({}))).rejects.toThrow(/ECONNREFUSED/);
    client.destroy();
  });

  it.runIf(process.platform === 'linux')("reports the JVM's CPU seconds, which grow as it works (the bench's emulator CPU per event)", async () => {
    const before = dynamo.cpuSeconds?.();
    expect(before).toBeGreaterThan(0);
    const started = performance.now();
    while (performance.now() - started < 1_500) await ddb.send(new DescribeTableCommand({ TableName: tableNames[tables[0]!.envVar] }));
    expect(dynamo.cpuSeconds?.()).toBeGreaterThan(before as number);
  });
});
