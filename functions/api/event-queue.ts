/** The events queue behind `POST /v1/events`: SQS SendMessageBatch. */
import type { EventQueue } from '../../packages/api/dependencies.ts';
import type { ApiLogger } from '../../packages/api/problems.ts';
import { AwsRequestError, awsErrorType, signedPost } from '../../packages/aws/signed-request.ts';

/** SendMessageBatch's request and the part of its answer the queue uses (SQS JSON protocol). */
export interface MessageBatch {
  readonly QueueUrl: string;
  readonly Entries: readonly { readonly Id: string; readonly MessageBody: string }[];
}

/** Sends one SendMessageBatch; resolves to the ids of the entries SQS did not take. */
export type MessageBatchSender = (batch: MessageBatch) => Promise<{ readonly Failed?: readonly { readonly Id: string }[] }>;

/**
 * SendMessageBatch as one signed call in the SQS JSON protocol (see
 * signed-request.ts: the SQS client would add 27 KB to the API bundle).
 *
 * @throws AwsRequestError when SQS refuses the whole call.
 */
export function signedSqsSender(environment: NodeJS.ProcessEnv = process.env, send?: typeof fetch): MessageBatchSender {
  return async (batch) => {
    const response = await signedPost(
      {
        service: 'sqs',
        endpointVariable: 'SQS',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessageBatch', 'x-amzn-query-mode': 'true' },
        body: JSON.stringify(batch),
      },
      environment,
      send,
    );
    if (response.status !== 200) {
      const type = awsErrorType(response);
      throw new AwsRequestError(`SendMessageBatch failed with HTTP ${response.status}${type === undefined ? '' : ` (${type})`}`, response.status);
    }
    return JSON.parse(response.text) as { Failed?: { Id: string }[] };
  };
}

/** SendMessageBatch limits: 10 entries and 256 KiB of bodies per call. */
const maxBatchEntries = 10;
const maxBatchBytes = 256 * 1024;

export class SqsEventQueue implements EventQueue {
  constructor(
    private readonly sendBatch: MessageBatchSender,
    private readonly queueUrl: string,
    private readonly logger?: ApiLogger,
  ) {}

  async send(bodies: readonly string[]): Promise<ReadonlySet<number>> {
    const notTaken = new Set<number>();
    // One batch after another, in order: an organisation's registration usually precedes its other events.
    for (const batch of batches(bodies)) {
      try {
        const { Failed } = await this.sendBatch({
          QueueUrl: this.queueUrl,
          Entries: batch.map((index) => ({ Id: String(index), MessageBody: bodies[index] as string })),
        });
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
