import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import type { FauxqsServer } from 'fauxqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventsQueue } from '../../packages/config/resources.ts';
import { localEndpointFor, parseRedriveArgs, redriveDlq, RedriveError } from '../../packages/ops/redrive.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

let server: FauxqsServer;
let sqs: SQSClient;
let sourceUrl: string;
let dlqUrl: string;

beforeAll(async () => {
  server = await startFauxqs({ port: 0, logger: false });
  sqs = new SQSClient({ endpoint: server.address, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: eventsQueue.deadLetter.name }))).QueueUrl ?? '';
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
  sourceUrl =
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: eventsQueue.name,
          Attributes: {
            VisibilityTimeout: String(eventsQueue.visibilityTimeoutSeconds),
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: eventsQueue.maxReceiveCount }),
          },
        }),
      )
    ).QueueUrl ?? '';
});

afterAll(async () => {
  sqs?.destroy();
  await server?.stop();
});

beforeEach(async () => {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: sourceUrl }));
  await sqs.send(new PurgeQueueCommand({ QueueUrl: dlqUrl }));
});

/** Puts `count` distinct CloudEvent-like messages, each with a message attribute, straight into the DLQ. */
async function fillDeadLetterQueue(count: number): Promise<Map<string, string>> {
  const bodies = new Map<string, string>();
  for (let start = 0; start < count; start += 10) {
    const entries = [];
    for (let i = start; i < Math.min(count, start + 10); i++) {
      const id = `evt-${String(i).padStart(3, '0')}`;
      const body = JSON.stringify({ specversion: '1.0', id, source: 'hrss.zhongxian', type: 'training.completed.v1', data: { n: i, note: '培训 ✓' } });
      bodies.set(id, body);
      entries.push({
        Id: String(i),
        MessageBody: body,
        MessageAttributes: { eventId: { DataType: 'String', StringValue: id }, attempt: { DataType: 'Number', StringValue: String(i) } },
      });
    }
    const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: dlqUrl, Entries: entries }));
    expect(result.Failed ?? []).toEqual([]);
  }
  return bodies;
}

/** Receives and deletes everything in a queue, returning every delivery (duplicates included). */
async function drain(queueUrl: string): Promise<Message[]> {
  const received: Message[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) {
      empty += 1;
      continue;
    }
    received.push(...Messages);
    await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
    );
  }
  return received;
}

async function queueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return { visible: Number(Attributes?.ApproximateNumberOfMessages), inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible) };
}

function expectExactlyOnce(received: readonly Message[], bodies: ReadonlyMap<string, string>): void {
  const ids = received.map((m) => m.MessageAttributes?.['eventId']?.StringValue);
  expect(ids.length).toBe(bodies.size);
  expect(new Set(ids).size).toBe(bodies.size);
  for (const message of received) {
    const id = message.MessageAttributes?.['eventId']?.StringValue ?? '';
    expect(message.Body, id).toBe(bodies.get(id));
    expect(message.MessageAttributes?.['attempt']?.DataType).toBe('Number');
  }
}

describe('redriveDlq in copy mode against the SQS emulator', () => {
  it('moves all 25 messages to the source queue exactly once, bodies and attributes intact, and empties the DLQ', async () => {
    const bodies = await fillDeadLetterQueue(25);
    const result = await redriveDlq({ sqs, deadLetterQueueUrl: dlqUrl, destinationQueueUrl: sourceUrl, mode: 'copy', waitTimeSeconds: 0 });
    expect(result).toEqual({ mode: 'copy', moved: 25, sentNotDeleted: 0, failedToSend: 0, stoppedAtLimit: false });
    expect(await queueDepth(dlqUrl)).toEqual({ visible: 0, inFlight: 0 });
    expectExactlyOnce(await drain(sourceUrl), bodies);
  });

  it('stops at the message limit and leaves the rest in the DLQ', async () => {
    await fillDeadLetterQueue(25);
    const result = await redriveDlq({
      sqs,
      deadLetterQueueUrl: dlqUrl,
      destinationQueueUrl: sourceUrl,
      mode: 'copy',
      maxMessages: 12,
      waitTimeSeconds: 0,
    });
    expect(result).toMatchObject({ moved: 12, stoppedAtLimit: true });
    expect(await queueDepth(dlqUrl)).toEqual({ visible: 13, inFlight: 0 });
    expect((await drain(sourceUrl)).length).toBe(12);
  });

  it('deletes nothing from the DLQ when the destination refuses the messages', async () => {
    await fillDeadLetterQueue(25);
    const missing = sourceUrl.replace(eventsQueue.name, 'NoSuchQueue');
    const error = await redriveDlq({ sqs, deadLetterQueueUrl: dlqUrl, destinationQueueUrl: missing, mode: 'copy', waitTimeSeconds: 0 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RedriveError);
    expect((error as RedriveError).cause).toBeDefined();
    const depth = await queueDepth(dlqUrl);
    expect(depth.visible + depth.inFlight).toBe(25);
  });

  it('refuses to redrive a queue into itself', async () => {
    await expect(redriveDlq({ sqs, deadLetterQueueUrl: dlqUrl, destinationQueueUrl: dlqUrl, mode: 'copy' })).rejects.toThrow(
      /dead-letter queue itself/,
    );
  });
});

describe('redriveDlq in move-task mode', () => {
  it('wraps the emulator’s refusal of StartMessageMoveTask in a RedriveError that keeps the cause', async () => {
    // fauxqs 1.9 has no StartMessageMoveTask: this checks the AWS path's error handling, not AWS itself.
    const error = await redriveDlq({ sqs, deadLetterQueueUrl: dlqUrl, mode: 'move-task' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedriveError);
    expect((error as RedriveError).message).toContain('StartMessageMoveTask');
    expect((error as RedriveError).cause).toBeDefined();
  });
});

describe('redrive CLI', () => {
  it('redrives locally with --local and prints the counts', async () => {
    const bodies = await fillDeadLetterQueue(25);
    const { stdout } = await run(
      join(root, 'node_modules', '.bin', 'tsx'),
      // No --endpoint and no credentials: --local finds the emulator from the queue URL.
      ['packages/cli/reform.ts', 'redrive', '--dlq', dlqUrl, '--to', sourceUrl, '--local'],
      { cwd: root, env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))) },
    );
    expect(JSON.parse(stdout.trim())).toEqual({ mode: 'copy', moved: 25, sentNotDeleted: 0, failedToSend: 0, stoppedAtLimit: false });
    expectExactlyOnce(await drain(sourceUrl), bodies);
  });

  it('reaches the emulator on loopback whatever host its queue URLs name', () => {
    expect(localEndpointFor('http://sqs.us-east-1.localhost:4566/000000000000/EventsDlq')).toBe('http://127.0.0.1:4566');
    expect(localEndpointFor('http://127.0.0.1:9324/000000000000/EventsDlq')).toBe('http://127.0.0.1:9324');
  });

  it('rejects a missing --dlq and a non-numeric --max', () => {
    expect(() => parseRedriveArgs(['--to', 'http://q'])).toThrow(RedriveError);
    expect(() => parseRedriveArgs(['--dlq', 'http://d', '--max', 'ten'])).toThrow(/positive integer/);
    expect(parseRedriveArgs(['--dlq', 'http://d', '--local'])).toEqual({ deadLetterQueueUrl: 'http://d', local: true });
  });
});
