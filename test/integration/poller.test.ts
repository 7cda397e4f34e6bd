/**
 * The local poller against the real SQS emulator: it must delete exactly what
 * Lambda's event source mapping (ReportBatchItemFailures) deletes, and leave
 * the rest to the queue's visibility timeout and redrive policy.
 */
import { createHash } from 'node:crypto';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueDefinition } from '../../packages/config/resources.ts';
import { eventsQueue } from '../../packages/config/resources.ts';
import type { RunningEmulator } from '../../packages/local-stack/emulators.ts';
import { createQueues, localClientConfig, startSqsEmulator } from '../../packages/local-stack/emulators.ts';
import type { BatchReport, Poller } from '../../packages/local-stack/poller.ts';
import { failedMessageIds, startPoller } from '../../packages/local-stack/poller.ts';

let emulator: RunningEmulator;
let sqs: SQSClient;
const pollers: Poller[] = [];

beforeAll(async () => {
  emulator = await startSqsEmulator();
  sqs = new SQSClient(localClientConfig(emulator.endpoint));
});

afterAll(async () => {
  await Promise.all(pollers.map((poller) => poller.stop()));
  sqs?.destroy();
  await emulator?.stop();
});

/** A fresh queue pair per test, redriving after `maxReceiveCount` deliveries, visible again after 1 s. */
async function freshQueue(name: string, maxReceiveCount: number): Promise<{ url: string; dlqUrl: string }> {
  const definition: QueueDefinition = { ...eventsQueue, name, deadLetter: { ...eventsQueue.deadLetter, name: `${name}Dlq` } };
  const urls = await createQueues(sqs, [definition], { visibilityTimeoutSeconds: 1, maxReceiveCount });
  return { url: urls[eventsQueue.envVar]!, dlqUrl: urls[eventsQueue.deadLetter.envVar]! };
}

async function sendNumbered(queueUrl: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += 10) {
    const entries = [];
    for (let n = start; n < Math.min(count, start + 10); n++) entries.push({ Id: `m${n}`, MessageBody: JSON.stringify({ n }) });
    const { Failed } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    expect(Failed ?? []).toEqual([]);
  }
}

/** Visible + in flight: everything not deleted. */
async function messagesLeft(queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
}

/** Waits (not a timing assertion: the deadline only stops a hung test) until `condition` holds. */
async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const numberOf = (record: SQSRecord): number => (JSON.parse(record.body) as { n: number }).n;

function track(poller: Poller): Poller {
  pollers.push(poller);
  return poller;
}

describe('startPoller', () => {
  it('deletes the records the handler did not list in batchItemFailures, and redelivers the listed ones', async () => {
    const { url, dlqUrl } = await freshQueue('Partial', 3);
    await sendNumbered(url, 30);
    const deliveries = new Map<number, string[]>();
    const reports: BatchReport[] = [];
    const settled = new Set<number>();
    const poller = track(
      startPoller({
        sqs,
        queueUrl: url,
        handler: async (event) => {
          const failures = [];
          for (const record of event.Records) {
            const n = numberOf(record);
            deliveries.set(n, [...(deliveries.get(n) ?? []), record.attributes.ApproximateReceiveCount]);
            // Every third message fails its first delivery only.
            if (n % 3 === 0 && record.attributes.ApproximateReceiveCount === '1') failures.push({ itemIdentifier: record.messageId });
            else settled.add(n);
          }
          return { batchItemFailures: failures };
        },
        onBatch: (report) => reports.push(report),
        batchSize: 10,
      }),
    );
    await waitUntil(() => settled.size === 30, 'all 30 messages succeeded');
    await poller.stop();

    for (let n = 0; n < 30; n++) expect(deliveries.get(n), `deliveries of message ${n}`).toEqual(n % 3 === 0 ? ['1', '2'] : ['1']);
    expect(reports.reduce((sum, r) => sum + r.received, 0)).toBe(40);
    expect(reports.reduce((sum, r) => sum + r.failed, 0)).toBe(10);
    expect(Math.max(...reports.map((r) => r.received))).toBeLessThanOrEqual(10);
    expect(await messagesLeft(url)).toBe(0);
    expect(await messagesLeft(dlqUrl)).toBe(0);
  });

  it('deletes nothing when the handler throws, so the whole batch is delivered again', async () => {
    const { url, dlqUrl } = await freshQueue('Throwing', 5);
    await sendNumbered(url, 5);
    const receiveCounts: string[][] = [];
    const reports: BatchReport[] = [];
    const errors: Error[] = [];
    const poller = track(
      startPoller({
        sqs,
        queueUrl: url,
        handler: async (event) => {
          receiveCounts.push(event.Records.map((r) => r.attributes.ApproximateReceiveCount));
          if (receiveCounts.length === 1) throw new Error('database unavailable');
        },
        onBatch: (report) => reports.push(report),
        onError: (error) => errors.push(error),
      }),
    );
    await waitUntil(() => receiveCounts.flat().length === 10, 'every message was delivered twice');
    await poller.stop();
    // A deleted message would not have come back for its second delivery.
    expect(receiveCounts.flat()).toEqual(['1', '1', '1', '1', '1', '2', '2', '2', '2', '2']);
    expect(reports[0]).toEqual({ received: 5, failed: 5 });
    expect(errors.map((e) => e.message)).toEqual(['database unavailable']);
    expect(await messagesLeft(url)).toBe(0);
    expect(await messagesLeft(dlqUrl)).toBe(0);
  });

  it('fails the whole batch when batchItemFailures names a message that is not in it, as Lambda does', async () => {
    const { url } = await freshQueue('BadIdentifier', 5);
    await sendNumbered(url, 3);
    const reports: BatchReport[] = [];
    const errors: Error[] = [];
    const poller = track(
      startPoller({
        sqs,
        queueUrl: url,
        handler: async () => ({ batchItemFailures: [{ itemIdentifier: 'not-a-message-in-this-batch' }] }),
        onBatch: (report) => reports.push(report),
        onError: (error) => errors.push(error),
      }),
    );
    await waitUntil(() => reports.length === 1, 'the first batch was reported');
    await poller.stop();
    expect(reports[0]).toEqual({ received: 3, failed: 3 });
    expect(errors[0]?.name).toBe('BatchFailedError');
    expect(await messagesLeft(url)).toBe(3);
  });

  it('moves a message that keeps failing to the dead-letter queue after maxReceiveCount deliveries', async () => {
    const { url, dlqUrl } = await freshQueue('Poison', 2);
    await sendNumbered(url, 3);
    const deliveries = new Map<number, number>();
    const poller = track(
      startPoller({
        sqs,
        queueUrl: url,
        handler: async (event) => {
          for (const record of event.Records) deliveries.set(numberOf(record), (deliveries.get(numberOf(record)) ?? 0) + 1);
          return { batchItemFailures: event.Records.filter((r) => numberOf(r) === 1).map((r) => ({ itemIdentifier: r.messageId })) };
        },
      }),
    );
    await waitUntil(async () => (await messagesLeft(dlqUrl)) === 1, 'the dead-letter queue holds one message');
    await poller.stop();

    expect(Object.fromEntries(deliveries)).toEqual({ 0: 1, 1: 2, 2: 1 });
    expect(await messagesLeft(url)).toBe(0);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
    expect(Messages?.map((m) => m.Body)).toEqual([JSON.stringify({ n: 1 })]);
  });

  it('hands the handler the SQSEvent and Context Lambda builds', async () => {
    const { url } = await freshQueue('Shape', 5);
    const body = JSON.stringify({ specversion: '1.0', id: 'shape-1' });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: body,
        MessageAttributes: {
          producer: { DataType: 'String', StringValue: 'hrss.zhongxian' },
          attempt: { DataType: 'Number', StringValue: '3' },
          signature: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
        },
      }),
    );
    const seen: { event: SQSEvent; context: Context; remainingMs: number }[] = [];
    const poller = track(
      startPoller({
        sqs,
        queueUrl: url,
        handler: async (event, context) => void seen.push({ event, context, remainingMs: context.getRemainingTimeInMillis() }),
      }),
    );
    await waitUntil(() => seen.length === 1, 'the message was handled');
    await poller.stop();

    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    const [{ event, context, remainingMs }] = seen as [(typeof seen)[0]];
    expect(event.Records).toHaveLength(1);
    const record = event.Records[0]!;
    expect(record).toMatchObject({
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: Attributes?.QueueArn,
      awsRegion: 'us-east-1',
      messageAttributes: {
        producer: { stringValue: 'hrss.zhongxian', stringListValues: [], binaryListValues: [], dataType: 'String' },
        attempt: { stringValue: '3', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        signature: { binaryValue: Buffer.from('hi').toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
    });
    expect(record.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.receiptHandle.length).toBeGreaterThan(0);
    expect(record.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(record.attributes.SenderId).toBe('000000000000');
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(1_700_000_000_000);
    expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(record.attributes.SentTimestamp));
    expect(context.functionName).toBe('processor');
    expect(context.invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:000000000000:function:processor');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(remainingMs).toBeGreaterThan(0);
    expect(remainingMs).toBeLessThanOrEqual(30_000);
    // Lambda deletes a batch whose handler returns nothing.
    expect(await messagesLeft(url)).toBe(0);
  });

  it('with gatherWholeWindow gathers as Lambda does, until the window ends; by default a batch closes when the queue is empty', async () => {
    /** Sends 3 messages, then 3 more a second later, to a poller of a 3 s window; the sizes of the batches it hands over. */
    const batchSizes = async (name: string, gatherWholeWindow: boolean): Promise<number[]> => {
      const { url } = await freshQueue(name, 5);
      const sizes: number[] = [];
      const poller = startPoller({
        sqs,
        queueUrl: url,
        batchingWindowSeconds: 3,
        gatherWholeWindow,
        handler: async (event: SQSEvent) => {
          sizes.push(event.Records.length);
        },
      });
      await sendNumbered(url, 3);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await sendNumbered(url, 3);
      await waitUntil(() => sizes.reduce((a, b) => a + b, 0) === 6, 'all six were handled');
      await poller.stop();
      expect(await messagesLeft(url)).toBe(0);
      return sizes;
    };
    expect(await batchSizes('WholeWindow', true)).toEqual([6]);
    expect((await batchSizes('UntilEmpty', false)).length).toBeGreaterThanOrEqual(2);
  });

  it('stop() resolves only after the batch in flight has been handled and deleted', async () => {
    const { url } = await freshQueue('Stopping', 5);
    await sendNumbered(url, 2);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    const poller = track(
      startPoller({
        sqs,
        queueUrl: url,
        handler: async () => {
          started = true;
          await gate;
        },
      }),
    );
    await waitUntil(() => started, 'the handler started');
    let stopped = false;
    const stopping = poller.stop().then(() => {
      stopped = true;
    });
    // Let the event loop run well past any SQS round trip: still not stopped.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await messagesLeft(url)).toBe(0);
  });
});

describe('failedMessageIds (Lambda ReportBatchItemFailures rules)', () => {
  const batch = [{ messageId: 'a' }, { messageId: 'b' }] as SQSRecord[];
  it.each([
    ['no response', undefined, []],
    ['an empty list', { batchItemFailures: [] }, []],
    ['a null list', { batchItemFailures: null }, []],
    ['listed ids', { batchItemFailures: [{ itemIdentifier: 'b' }] }, ['b']],
  ])('treats %s as success of everything not listed', (_, response, failed) => {
    expect([...(failedMessageIds(response as never, batch) ?? ['whole batch'])]).toEqual(failed);
  });
  it.each([
    ['an unknown id', { batchItemFailures: [{ itemIdentifier: 'zzz' }] }],
    ['an empty id', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a missing id', { batchItemFailures: [{}] }],
    ['a non-list', { batchItemFailures: 'b' }],
  ])('fails the whole batch on %s', (_, response) => {
    expect(failedMessageIds(response as never, batch)).toBeUndefined();
  });
});
