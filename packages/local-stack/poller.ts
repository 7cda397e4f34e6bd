/**
 * A local stand-in for Lambda's SQS event source mapping (see
 * `processorEventSource` in `packages/config/resources.ts`): it receives batches from
 * a queue, invokes the handler with the SQSEvent and Context Lambda would
 * build, and deletes what Lambda would delete.
 *
 * Kept from Lambda: batches of up to the mapping's batch size, gathered within its
 * batching window (see *Gathering* below); ReportBatchItemFailures semantics
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
 *
 * Gathering: Lambda keeps reading until the batch is full, the batching
 * window ends or the payload nears its limit, so with a 1 s window an event
 * that arrives alone waits about a second before it is handled. By default
 * the poller closes a batch as soon as the queue has nothing more to give:
 * the same batches under a backlog, quicker answers locally when events come
 * one at a time. `gatherWholeWindow` gives Lambda's rule, for measuring the
 * latency a deployment has (`npm run bench`).
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
  /**
   * Lambda's rule: keep gathering until the batch is full, the window ends or
   * the payload nears its limit, even while the queue is empty. Default
   * false: a batch closes as soon as the queue has nothing more to give.
   */
  readonly gatherWholeWindow?: boolean;
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
/** Between short polls of a batch that gathers for its whole window, while the queue is empty. */
const windowPollMs = 20;
/** Lambda's limit on a synchronous invocation's payload, which the event source mapping keeps each batch under. */
const maxPayloadBytes = 6 * 1024 * 1024;
/** SQS's largest message: a batch stops gathering while one more could overflow the payload. */
const maxMessageBytes = 256 * 1024;

/** Roughly what a message adds to the invocation payload: its body and a record's envelope. */
function recordBytes(message: Message): number {
  return Buffer.byteLength(message.Body ?? '', 'utf8') + 1024;
}
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
  const gatherWholeWindow = options.gatherWholeWindow ?? false;
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

  /**
   * Keeps messages invisible from the moment they are received until the
   * returned `release` is called: a batch may wait for the one before it,
   * and with a short local visibility timeout it would otherwise come back
   * while still held here.
   */
  const heldInvisible = (visibilitySeconds: number): { add(messages: readonly Message[]): void; release(): void } => {
    const entries: { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[] = [];
    const timer = setInterval(() => {
      for (let i = 0; i < entries.length; i += 10) {
        sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries.slice(i, i + 10) })).catch((error: unknown) => {
          reportError(error instanceof Error ? error : new BatchFailedError('extending the visibility of a batch failed'));
        });
      }
    }, (visibilitySeconds * 1000) / 3);
    return {
      add: (messages) => {
        for (const m of messages) if (m.ReceiptHandle !== undefined) entries.push({ Id: String(entries.length % 10), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: visibilitySeconds });
      },
      release: () => clearInterval(timer),
    };
  };

  let stopping = false;

  /** A batch as received: its messages, kept invisible until released. */
  interface Received {
    readonly messages: Message[];
    readonly release: () => void;
  }

  /**
   * Up to `batchSize` messages and at most Lambda's 6 MB invocation payload:
   * a long poll for the first, then what the queue has within the window
   * (with `gatherWholeWindow`, all that arrives until it ends).
   */
  const receiveBatch = async (): Promise<Received> => {
    const { visibilitySeconds } = await resolveQueue();
    const held = heldInvisible(visibilitySeconds);
    const messages: Message[] = [];
    let bytes = 0;
    let windowEnds = Number.POSITIVE_INFINITY;
    try {
      while (messages.length < batchSize && bytes < maxPayloadBytes - maxMessageBytes && !(stopping && messages.length === 0)) {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
            WaitTimeSeconds: messages.length === 0 ? waitTimeSeconds : 0,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        const got = Messages ?? [];
        held.add(got);
        if (got.length === 0) {
          if (stopping || (messages.length > 0 && (!gatherWholeWindow || Date.now() >= windowEnds))) break;
          // Lambda's rule: the queue is empty for now, the window still open. Receives are
          // short polls (a long poll's wait is whole seconds), so wait a little between them.
          if (messages.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(windowPollMs, windowEnds - Date.now())));
          continue;
        }
        if (messages.length === 0) windowEnds = Date.now() + windowMs;
        messages.push(...got);
        bytes += got.reduce((n, m) => n + recordBytes(m), 0);
        if (Date.now() >= windowEnds) break;
      }
    } catch (error) {
      // Messages already received are handled; dropping them would leave them invisible for the whole visibility timeout.
      if (messages.length === 0) {
        held.release();
        throw error;
      }
      reportError(error instanceof Error ? error : new BatchFailedError('receiving failed'));
    }
    return { messages, release: held.release };
  };

  /** Invokes the handler on one batch; resolves once it answered, with the deletion of what Lambda would delete under way. */
  const handleBatch = async ({ messages, release }: Received): Promise<{ deleted: Promise<void> }> => {
    const { arn } = await resolveQueue();
    const records = messages.map((message) => toSqsRecord(message, arn));
    const region = arn.split(':')[3] ?? '';
    let failed: Set<string> | undefined;
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
    const deletions = [];
    for (let i = 0; i < succeeded.length; i += 10) {
      const entries = succeeded.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle as string }));
      deletions.push(
        sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries })).then(({ Failed }) => {
          if ((Failed ?? []).length > 0) reportError(new BatchFailedError(`${(Failed ?? []).length} deletions were refused`));
        }),
      );
    }
    return { deleted: Promise.all(deletions).then(() => options.onBatch?.({ received: messages.length, failed: messages.length - succeeded.length })) };
  };

  /**
   * One batch at a time is handled, as by one concurrent invocation; while it
   * is, the next batch is already being received and the last one's
   * messages deleted (the event source mapping polls independently of the
   * function), so neither waits for the other.
   */
  const loop = (async () => {
    const acknowledging = new Set<Promise<void>>();
    let next: Promise<Received> | undefined;
    while (!stopping || next !== undefined) {
      try {
        const batch = await (next ?? receiveBatch());
        next = undefined;
        if (batch.messages.length === 0) {
          batch.release();
          continue;
        }
        if (!stopping) next = receiveBatch();
        const deleted = (await handleBatch(batch)).deleted.catch((error: unknown) => reportError(error instanceof Error ? error : new BatchFailedError('deleting a batch failed')));
        acknowledging.add(deleted);
        void deleted.finally(() => acknowledging.delete(deleted));
      } catch (error) {
        next = undefined;
        reportError(error instanceof Error ? error : new BatchFailedError('polling failed'));
        // Back off as after any failed receive.
        await pause(1_000);
      }
    }
    await Promise.all(acknowledging);
  })();

  return {
    stop() {
      // No abort: a receive that returns messages now is handled and acknowledged like any other, so nothing is left half-done.
      stopping = true;
      return loop;
    },
  };
}
