/**
 * Dead-letter queue redrive for operators.
 *
 * In AWS this starts SQS's own message move task (StartMessageMoveTask),
 * which moves messages server-side and survives the operator's laptop going
 * to sleep. The SQS emulator of the local stack (fauxqs 1.9) has no move
 * task, so locally the same result is reached by copying: receive a batch
 * from the DLQ, send it to the destination with body and message attributes
 * intact, and delete from the DLQ only what was sent successfully.
 *
 * A crash between send and delete can deliver a message twice; the processor
 * applies each (source, id) once, so a duplicate is recorded as such and
 * changes no counter.
 *
 * CLI: `reform redrive --dlq <url> [--to <url>] [--local] [--endpoint <url>] [--max <n>]` (packages/cli).
 */
import { parseArgs } from 'node:util';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { Message, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';

/** Base class of the ops package's errors. */
export class OpsError extends Error {
  override readonly name: string = 'OpsError';
}

/** The redrive could not start or did not finish. */
export class RedriveError extends OpsError {
  override readonly name = 'RedriveError';
}

export interface RedriveOptions {
  readonly sqs: SQSClient;
  readonly deadLetterQueueUrl: string;
  /**
   * Where messages go. In `move-task` mode it may be left out: SQS then
   * returns each message to the queue it was dead-lettered from.
   */
  readonly destinationQueueUrl?: string;
  /** `move-task` in AWS; `copy` against the local emulator. */
  readonly mode: 'move-task' | 'copy';
  /** Copy mode: stop after this many messages. @default 10_000 */
  readonly maxMessages?: number;
  /** Copy mode: long-poll seconds per receive. @default 1 */
  readonly waitTimeSeconds?: number;
  /** Copy mode: consecutive empty receives that mean the DLQ is drained. @default 2 */
  readonly emptyReceivesToStop?: number;
  /** Move-task mode: messages per second, for a gentle redrive. @default SQS's own rate */
  readonly maxMessagesPerSecond?: number;
}

/** Outcome of a copy-mode redrive. */
export interface CopyRedriveResult {
  readonly mode: 'copy';
  /** Sent to the destination and deleted from the DLQ. */
  readonly moved: number;
  /** Sent but not deleted: will be redriven again by the next run. */
  readonly sentNotDeleted: number;
  /** Not sent; left in the DLQ (visible again after its visibility timeout). */
  readonly failedToSend: number;
  /** True when the run stopped at `maxMessages` rather than on an empty DLQ. */
  readonly stoppedAtLimit: boolean;
}

/** Outcome of starting a move task: SQS moves the messages asynchronously. */
export interface MoveTaskRedriveResult {
  readonly mode: 'move-task';
  readonly taskHandle: string;
  readonly sourceArn: string;
  readonly destinationArn?: string;
}

export type RedriveResult = CopyRedriveResult | MoveTaskRedriveResult;

/** Status of the newest move task on a DLQ, as SQS reports it. */
export interface MoveTaskStatus {
  readonly status: string;
  readonly moved: number;
  readonly toMove?: number;
  readonly failureReason?: string;
}

/** Visibility long enough that a batch cannot reappear while it is being sent. */
const inFlightVisibilitySeconds = 60;

/** Moves the messages of a dead-letter queue back for processing; see the module comment. */
export async function redriveDlq(options: RedriveOptions): Promise<RedriveResult> {
  return options.mode === 'move-task' ? startMoveTask(options) : copyMessages(options);
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  try {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const arn = Attributes?.QueueArn;
    if (arn === undefined) throw new RedriveError(`SQS returned no ARN for ${queueUrl}`);
    return arn;
  } catch (error) {
    if (error instanceof RedriveError) throw error;
    throw new RedriveError(`cannot read the ARN of ${queueUrl}`, { cause: error });
  }
}

async function startMoveTask(options: RedriveOptions): Promise<MoveTaskRedriveResult> {
  const sourceArn = await queueArn(options.sqs, options.deadLetterQueueUrl);
  const destinationArn =
    options.destinationQueueUrl === undefined ? undefined : await queueArn(options.sqs, options.destinationQueueUrl);
  try {
    const { TaskHandle } = await options.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: sourceArn,
        ...(destinationArn === undefined ? {} : { DestinationArn: destinationArn }),
        ...(options.maxMessagesPerSecond === undefined ? {} : { MaxNumberOfMessagesPerSecond: options.maxMessagesPerSecond }),
      }),
    );
    if (TaskHandle === undefined) throw new RedriveError('SQS started no move task');
    return { mode: 'move-task', taskHandle: TaskHandle, sourceArn, ...(destinationArn === undefined ? {} : { destinationArn }) };
  } catch (error) {
    if (error instanceof RedriveError) throw error;
    throw new RedriveError(`StartMessageMoveTask failed for ${sourceArn}`, { cause: error });
  }
}

/** The newest move task on a DLQ (by its URL), or undefined when there has been none. */
export async function moveTaskStatus(sqs: SQSClient, deadLetterQueueUrl: string): Promise<MoveTaskStatus | undefined> {
  const sourceArn = await queueArn(sqs, deadLetterQueueUrl);
  const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
  const task = Results?.[0];
  if (task === undefined) return undefined;
  return {
    status: task.Status ?? 'UNKNOWN',
    moved: task.ApproximateNumberOfMessagesMoved ?? 0,
    ...(task.ApproximateNumberOfMessagesToMove === undefined ? {} : { toMove: task.ApproximateNumberOfMessagesToMove }),
    ...(task.FailureReason === undefined ? {} : { failureReason: task.FailureReason }),
  };
}

/** The send entry that reproduces a received message: same body, same message attributes. */
function resendEntry(message: Message, index: number): SendMessageBatchRequestEntry {
  const groupId = message.Attributes?.MessageGroupId;
  const deduplicationId = message.Attributes?.MessageDeduplicationId;
  return {
    Id: String(index),
    MessageBody: message.Body ?? '',
    ...(message.MessageAttributes === undefined || Object.keys(message.MessageAttributes).length === 0
      ? {}
      : { MessageAttributes: message.MessageAttributes }),
    // FIFO destinations need the group back; the DLQ of a FIFO queue keeps it.
    ...(groupId === undefined ? {} : { MessageGroupId: groupId }),
    ...(deduplicationId === undefined ? {} : { MessageDeduplicationId: deduplicationId }),
  };
}

async function copyMessages(options: RedriveOptions): Promise<CopyRedriveResult> {
  const { sqs, deadLetterQueueUrl } = options;
  const destination = options.destinationQueueUrl;
  if (destination === undefined) throw new RedriveError('copy mode needs a destination queue URL (--to)');
  if (destination === deadLetterQueueUrl) throw new RedriveError('the destination is the dead-letter queue itself');
  const maxMessages = options.maxMessages ?? 10_000;
  const emptyReceivesToStop = options.emptyReceivesToStop ?? 2;
  let moved = 0;
  let sentNotDeleted = 0;
  let failedToSend = 0;
  let emptyReceives = 0;
  // Bounded: every iteration either handles at least one message or counts an empty receive.
  while (moved + sentNotDeleted + failedToSend < maxMessages && emptyReceives < emptyReceivesToStop) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(10, maxMessages - moved - sentNotDeleted - failedToSend),
        WaitTimeSeconds: options.waitTimeSeconds ?? 1,
        VisibilityTimeout: inFlightVisibilitySeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
      }),
    );
    if (Messages.length === 0) {
      emptyReceives += 1;
      continue;
    }
    emptyReceives = 0;
    const sendResult = await sqs
      .send(new SendMessageBatchCommand({ QueueUrl: destination, Entries: Messages.map((m, i) => resendEntry(m, i)) }))
      .catch((error: unknown) => {
        throw new RedriveError(`sending to ${destination} failed after ${moved} messages moved; the rest stay in the DLQ`, {
          cause: error,
        });
      });
    const sent = (sendResult.Successful ?? []).map((s) => Messages[Number(s.Id)]).filter((m) => m !== undefined);
    failedToSend += Messages.length - sent.length;
    if (sent.length === 0) continue;
    const deleteResult = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: deadLetterQueueUrl,
        Entries: sent.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    const deleted = deleteResult.Successful?.length ?? 0;
    moved += deleted;
    sentNotDeleted += sent.length - deleted;
  }
  return { mode: 'copy', moved, sentNotDeleted, failedToSend, stoppedAtLimit: moved + sentNotDeleted + failedToSend >= maxMessages };
}

/** Parses the CLI's arguments; exported for tests. */
export function parseRedriveArgs(argv: readonly string[]): {
  deadLetterQueueUrl: string;
  destinationQueueUrl?: string;
  local: boolean;
  endpoint?: string;
  maxMessages?: number;
} {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      dlq: { type: 'string' },
      to: { type: 'string' },
      local: { type: 'boolean', default: false },
      endpoint: { type: 'string' },
      max: { type: 'string' },
    },
    strict: true,
  });
  if (values.dlq === undefined) throw new RedriveError('usage: redrive --dlq <dlq url> [--to <queue url>] [--local] [--endpoint <url>] [--max <n>]');
  const maxMessages = values.max === undefined ? undefined : Number(values.max);
  if (maxMessages !== undefined && (!Number.isInteger(maxMessages) || maxMessages <= 0)) {
    throw new RedriveError('--max must be a positive integer');
  }
  return {
    deadLetterQueueUrl: values.dlq,
    local: values.local,
    ...(values.to === undefined ? {} : { destinationQueueUrl: values.to }),
    ...(values.endpoint === undefined ? {} : { endpoint: values.endpoint }),
    ...(maxMessages === undefined ? {} : { maxMessages }),
  };
}

/**
 * The emulator endpoint behind a local queue URL. The emulator names queues
 * `http://sqs.<region>.localhost:<port>/...`, a host that does not resolve
 * everywhere, while it listens on every interface: use loopback and the port.
 */
export function localEndpointFor(queueUrl: string): string {
  const url = new URL(queueUrl);
  return url.hostname === 'localhost' || url.hostname.endsWith('.localhost') ? `${url.protocol}//127.0.0.1:${url.port}` : url.origin;
}

/**
 * `reform redrive …`: parses `argv`, redrives, writes the result as one JSON
 * line and resolves to the exit code (1 when a copy left messages behind).
 *
 * @throws RedriveError on wrong arguments.
 */
export async function runRedriveCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, write: (line: string) => void): Promise<number> {
  const args = parseRedriveArgs(argv);
  const localEndpoint = args.endpoint ?? env['AWS_ENDPOINT_URL_SQS'] ?? (args.local ? localEndpointFor(args.deadLetterQueueUrl) : undefined);
  const sqs = new SQSClient({
    ...(localEndpoint === undefined ? {} : { endpoint: localEndpoint }),
    // The emulator accepts any credentials; don't make operators configure fake ones.
    ...(args.local && env['AWS_ACCESS_KEY_ID'] === undefined
      ? { region: env['AWS_REGION'] ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  try {
    const result = await redriveDlq({
      sqs,
      deadLetterQueueUrl: args.deadLetterQueueUrl,
      ...(args.destinationQueueUrl === undefined ? {} : { destinationQueueUrl: args.destinationQueueUrl }),
      ...(args.maxMessages === undefined ? {} : { maxMessages: args.maxMessages }),
      mode: args.local ? 'copy' : 'move-task',
    });
    write(JSON.stringify(result));
    if (result.mode === 'move-task') {
      write(`move task started; follow it with: aws sqs list-message-move-tasks --source-arn ${result.sourceArn}`);
      return 0;
    }
    return result.failedToSend > 0 || result.sentNotDeleted > 0 ? 1 : 0;
  } finally {
    sqs.destroy();
  }
}
