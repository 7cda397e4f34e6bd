/**
 * A local stand-in for Lambda's SQS event source mapping (see
 * `processorEventSource` in `packages/config/resources.ts`): it receives batches from
 * a queue, invokes the handler with the SQSEvent and Context Lambda would
 * build, and deletes what Lambda would delete.
 *
 * Kept from Lambda: batches of up to the mapping's batch size, gathered within its
 * batching window; ReportBatchItemFailures semantics
 * (only records not listed in `batchItemFailures` are deleted; an invalid
 * identifier or a thrown error fails the whole batch); the function timeout
 * (a handler still running then fails its batch); failed records come back
 * after the visibility timeout and the queue's redrive policy moves them to
 * the dead-letter queue. One poller handles one batch at a time, like one
 * concurrent invocation; the local stack runs as many pollers as the
 * deployed mapping's maximum concurrency.
 *
 * Kept by other means: a message is never in two invocations at once. AWS
 * requires the queue's visibility timeout to be at least the function
 * timeout; locally it may be set shorter (`--visibility-timeout 1`) so that
 * failed messages come back quickly, so while a batch is being handled the
 * poller keeps its messages invisible (a heartbeat) —
 * otherwise a slow batch would be delivered again mid-flight and its
 * deletion, made with a receipt handle that is no longer the latest, might
 * not take.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Message, MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { processorEventSource, processorTimeoutSeconds } from '../config/resources.ts';
import { LocalStackError } from './emulators.ts';

/** A function with the shape of a Lambda SQS handler. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** What happened to one batch, reported after its deletions were sent. */
export interface BatchReport {
  /** Messages handed to the handler. */
  readonly received: number;
  /** Messages left on the queue for redelivery. */
  readonly failed: number;
}

export interface PollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly handler: SqsBatchHandler;
  /** Messages per invocation. Default: the deployed mapping's. */
  readonly batchSize?: number;
  /** How long a batch keeps gathering after its first message. Default: the deployed mapping's window. */
  readonly batchingWindowSeconds?: number;
  /** Long-poll wait per receive, 0–20 s. Also bounds how long `stop()` can take. Default 1. */
  readonly waitTimeSeconds?: number;
  readonly onBatch?: (info: BatchReport) => void;
  /** Called when a batch fails as a whole or SQS refuses a call. Default: one line on stderr. */
  readonly onError?: (error: Error) => void;
  /** Name the fake Context carries. Default `processor`. */
  readonly functionName?: string;
  /** Function timeout; a batch whose handler runs longer fails as a whole. Default: the processor's. */
  readonly timeoutSeconds?: number;
}

/** A running poller. */
export interface Poller {
  /** Stops receiving and resolves once the batch in flight (if any) is handled and acknowledged. */
  stop(): Promise<void>;
}

/** A batch failed as a whole: the handler threw, timed out or returned an invalid response. */
export class BatchFailedError extends LocalStackError {
  override readonly name = 'BatchFailedError';
}

const memoryLimitInMB = '512';
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Lambda hands binary attribute values to the function base64-encoded. */
function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function toLambdaMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const converted: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    converted[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: base64(value.BinaryValue) } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map(base64),
      dataType: value.DataType ?? 'String',
    };
  }
  return converted;
}

function toLambdaAttributes(attributes: Message['Attributes']): SQSRecordAttributes {
  const all: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) if (value !== undefined) all[name] = value;
  return {
    ...all,
    ApproximateReceiveCount: all['ApproximateReceiveCount'] ?? '1',
    SentTimestamp: all['SentTimestamp'] ?? String(Date.now()),
    SenderId: all['SenderId'] ?? '000000000000',
    ApproximateFirstReceiveTimestamp: all['ApproximateFirstReceiveTimestamp'] ?? String(Date.now()),
  };
}

/** The record Lambda builds from a received message. */
export function toSqsRecord(message: Message, queueArn: string): SQSRecord {
  const region = queueArn.split(':')[3] ?? '';
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: toLambdaAttributes(message.Attributes),
    messageAttributes: toLambdaMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes !== undefined ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** A Lambda Context for one invocation, counting down from `timeoutMs`. */
export function lambdaContext(functionName: string, region: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const unsupported = (): void => {
    throw new LocalStackError('the callback-style context methods are not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB,
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * Message ids the handler's response leaves on the queue, or `undefined` when
 * Lambda would fail the whole batch (an identifier that is empty, missing or
 * not in the batch).
 */
export function failedMessageIds(response: SQSBatchResponse | void | null, batch: readonly SQSRecord[]): Set<string> | undefined {
  const failures: unknown = (response as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return undefined;
  const inBatch = new Set(batch.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !inBatch.has(id)) return undefined;
    failed.add(id);
  }
  return failed;
}

async function withinTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BatchFailedError(`the handler did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `queueUrl` and invokes `handler` as Lambda's SQS event source mapping
 * with ReportBatchItemFailures would, one batch at a time: up to `batchSize`
 * messages gathered within the batching window (SQS hands out at most 10 per
 * receive, so a batch takes several), deleted once the handler says which
 * succeeded.
 */
export function startPoller(options: PollerOptions): Poller {
  const { sqs, queueUrl, handler } = options;
  const functionName = options.functionName ?? 'processor';
  const timeoutMs = (options.timeoutSeconds ?? processorTimeoutSeconds) * 1000;
  const batchSize = options.batchSize ?? processorEventSource.batchSize;
  const windowMs = (options.batchingWindowSeconds ?? processorEventSource.maxBatchingWindowSeconds) * 1000;
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  const reportError =
    options.onError ??
    ((error: Error): void => {
      // Names and SQS messages only: handler errors may quote event content.
      console.error(`poller: ${error.name}: ${error instanceof BatchFailedError ? error.message : 'see the handler log'}`);
    });

  let queueAttributes: Promise<{ arn: string; visibilitySeconds: number }> | undefined;
  const resolveQueue = (): Promise<{ arn: string; visibilitySeconds: number }> => {
    queueAttributes ??= sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn', 'VisibilityTimeout'] })).then(({ Attributes }) => {
      const arn = Attributes?.QueueArn;
      if (arn === undefined) throw new LocalStackError(`queue ${queueUrl} reports no ARN`);
      return { arn, visibilitySeconds: Math.max(1, Number(Attributes?.VisibilityTimeout ?? 30)) };
    });
    queueAttributes.catch(() => {
      queueAttributes = undefined;
    });
    return queueAttributes;
  };

  /** Keeps `messages` invisible until the returned function is called. */
  const keepInvisible = (messages: readonly Message[], visibilitySeconds: number): (() => void) => {
    const entries = messages.flatMap((m, i) => (m.ReceiptHandle === undefined ? [] : [{ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: visibilitySeconds }]));
    const timer = setInterval(() => {
      for (let i = 0; i < entries.length; i += 10) {
        sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries.slice(i, i + 10) })).catch((error: unknown) => {
          reportError(error instanceof Error ? error : new BatchFailedError('extending the visibility of a batch failed'));
        });
      }
    }, (visibilitySeconds * 1000) / 3);
    return () => clearInterval(timer);
  };

  let stopping = false;

  /** Up to `batchSize` messages: a long poll for the first, then whatever more arrives within the window. */
  const receiveBatch = async (): Promise<Message[]> => {
    const batch: Message[] = [];
    let windowEnds = Number.POSITIVE_INFINITY;
    while (batch.length < batchSize && !(stopping && batch.length === 0)) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, batchSize - batch.length),
          WaitTimeSeconds: batch.length === 0 ? waitTimeSeconds : 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const got = Messages ?? [];
      if (got.length === 0) {
        if (batch.length > 0 || stopping) break;
        continue;
      }
      if (batch.length === 0) windowEnds = Date.now() + windowMs;
      batch.push(...got);
      if (Date.now() >= windowEnds) break;
    }
    return batch;
  };

  /** Invokes the handler on one batch and deletes what Lambda would delete. */
  const handleBatch = async (messages: Message[]): Promise<void> => {
    const { arn, visibilitySeconds } = await resolveQueue();
    const records = messages.map((message) => toSqsRecord(message, arn));
    const region = arn.split(':')[3] ?? '';
    let failed: Set<string> | undefined;
    const release = keepInvisible(messages, visibilitySeconds);
    try {
      const response = await withinTimeout(handler({ Records: records }, lambdaContext(functionName, region, timeoutMs)), timeoutMs);
      failed = failedMessageIds(response, records);
      if (failed === undefined) reportError(new BatchFailedError('the handler returned an invalid batchItemFailures list'));
    } catch (error) {
      reportError(error instanceof Error ? error : new BatchFailedError('the handler failed with a non-Error value'));
    } finally {
      release();
    }
    // Whole-batch failure: nothing is deleted; everything comes back after the visibility timeout.
    const succeeded = failed === undefined ? [] : messages.filter((message) => message.MessageId === undefined || !failed.has(message.MessageId));
    for (let i = 0; i < succeeded.length; i += 10) {
      const entries = succeeded.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle as string }));
      const { Failed } = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      if ((Failed ?? []).length > 0) reportError(new BatchFailedError(`${(Failed ?? []).length} deletions were refused`));
    }
    options.onBatch?.({ received: messages.length, failed: messages.length - succeeded.length });
  };

  const loop = (async () => {
    while (!stopping) {
      try {
        const batch = await receiveBatch();
        if (batch.length > 0) await handleBatch(batch);
      } catch (error) {
        reportError(error instanceof Error ? error : new BatchFailedError('polling failed'));
        // Back off as after any failed receive.
        await pause(1_000);
      }
    }
  })();

  return {
    stop() {
      // No abort: a receive that returns messages now is handled and acknowledged like any other, so nothing is left half-done.
      stopping = true;
      return loop;
    },
  };
}
