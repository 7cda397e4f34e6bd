import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { toSqsRecord } from '../../packages/local-stack/poller.ts';
import { messagesInQueue, waitUntilDrained as waitUntilEmpty } from '../../packages/local-stack/demo-data.ts';

let recordsMade = 0;

/** The record Lambda would hand the processor for a message with `body` (JSON-encoded), delivered for the `receiveCount`-th time. */
export function sqsRecordOf(body: unknown, receiveCount = 1): SQSRecord {
  recordsMade++;
  return toSqsRecord(
    { MessageId: `msg-${recordsMade}`, ReceiptHandle: `rh-${recordsMade}`, Body: JSON.stringify(body), Attributes: { ApproximateReceiveCount: String(receiveCount) } },
    'arn:aws:sqs:us-east-1:000000000000:Events',
  );
}

/** Sends message bodies in batches of ten, a few batches at a time; fails if SQS refuses any. */
export async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: readonly string[], inFlight = 4): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < bodies.length; i += 10) batches.push(bodies.slice(i, i + 10));
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let b = next++; b < batches.length; b = next++) {
      const { Failed } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: (batches[b] as string[]).map((body, i) => ({ Id: String(i), MessageBody: body })),
        }),
      );
      if (Failed !== undefined && Failed.length > 0) throw new Error(`SQS refused ${Failed.length} messages`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

/** Messages on the queue, visible and in flight. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { visible, inFlight, delayed } = await messagesInQueue(sqs, queueUrl);
  return visible + inFlight + delayed;
}

/** Resolves once the queue has been empty on two consecutive looks; bounded by `timeoutMs`. */
export function waitUntilDrained(sqs: SQSClient, queueUrl: string, timeoutMs = 120_000): Promise<void> {
  return waitUntilEmpty(sqs, queueUrl, { timeoutMs });
}
