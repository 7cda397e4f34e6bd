import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

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
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/** Resolves once the queue has been empty on two consecutive looks; bounded by `timeoutMs`. */
export async function waitUntilDrained(sqs: SQSClient, queueUrl: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let emptyLooks = 0;
  while (emptyLooks < 2) {
    if (Date.now() > deadline) throw new Error(`queue still holds ${await queueDepth(sqs, queueUrl)} messages after ${timeoutMs} ms`);
    emptyLooks = (await queueDepth(sqs, queueUrl)) === 0 ? emptyLooks + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
