/** The events queue behind `POST /v1/events`: SQS SendMessageBatch. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { EventQueue } from './app.ts';
import type { ApiLogger } from './problems.ts';

/** SendMessageBatch limits: 10 entries and 256 KiB of bodies per call. */
const maxBatchEntries = 10;
const maxBatchBytes = 256 * 1024;

export class SqsEventQueue implements EventQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly logger?: ApiLogger,
  ) {}

  async send(bodies: readonly string[]): Promise<ReadonlySet<number>> {
    const notTaken = new Set<number>();
    // One batch after another, in order: an organisation's registration usually precedes its other events.
    for (const batch of batches(bodies)) {
      try {
        const { Failed } = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map((index) => ({ Id: String(index), MessageBody: bodies[index] as string })),
          }),
        );
        for (const failure of Failed ?? []) notTaken.add(Number(failure.Id));
      } catch (error) {
        // Reported per event to the caller (who may resend); the batch's other events stay queued.
        this.logger?.error('events not queued', { errorName: error instanceof Error ? error.name : typeof error, events: batch.length });
        for (const index of batch) notTaken.add(index);
      }
    }
    return notTaken;
  }
}

/** Indexes of `bodies` grouped into batches within SQS's entry and size limits. */
function batches(bodies: readonly string[]): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  bodies.forEach((body, index) => {
    const size = Buffer.byteLength(body);
    if (current.length === maxBatchEntries || (current.length > 0 && bytes + size > maxBatchBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  });
  if (current.length > 0) out.push(current);
  return out;
}
