/**
 * Demo data for the local stack: reading the event files, sending them to the
 * events queue, and waiting until the processor has worked through them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { LocalStackError } from './emulators.ts';

/** `events/demo/` at the repository root. */
export const demoDirectory = fileURLToPath(new URL('../../events/demo/', import.meta.url));

/** A demo file could not be read as events. */
export class DemoDataError extends LocalStackError {
  override readonly name = 'DemoDataError';
}

export interface DemoEvents {
  /** Events in send order: organisation registrations first, then file order. */
  readonly events: unknown[];
  /** Files read, relative to the demo directory. */
  readonly files: string[];
}

async function filesUnder(directory: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true, recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile() && /\.(json|ndjson)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function parseFile(text: string, file: string): unknown[] {
  try {
    if (file.endsWith('.ndjson')) {
      return text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as unknown);
    }
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch (error) {
    throw new DemoDataError(`${file} is not valid JSON`, { cause: error });
  }
}

const isRegistration = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && (event as { type?: unknown }).type === 'organization.registered.v1';

/**
 * Every event in `*.json` (one event or an array of them) and `*.ndjson` files
 * under `directory`, recursively, in path order. Registrations go first: the
 * queue does not keep order across batches, and an event naming an
 * organisation not yet registered is retried for minutes before it settles.
 * A missing directory yields no events.
 */
export async function loadDemoEvents(directory: string = demoDirectory): Promise<DemoEvents> {
  const files = await filesUnder(directory);
  const events: unknown[] = [];
  for (const file of files) events.push(...parseFile(await readFile(file, 'utf8'), relative(directory, file)));
  return {
    events: [...events.filter(isRegistration), ...events.filter((event) => !isRegistration(event))],
    files: files.map((file) => relative(directory, file)),
  };
}

/** SQS limits on one SendMessageBatch call. */
const maxEntriesPerBatch = 10;
const maxBatchBytes = 256 * 1024;

/**
 * Sends `events` to the queue, one JSON body per message, in SendMessageBatch
 * calls of up to 10 (fewer when the bodies would exceed 256 KiB together).
 * `onProgress` is called after every call with the number sent so far.
 */
export async function sendEvents(
  sqs: SQSClient,
  queueUrl: string,
  events: readonly unknown[],
  onProgress?: (sent: number, total: number) => void,
): Promise<void> {
  let sent = 0;
  let batch: SendMessageBatchRequestEntry[] = [];
  let batchBytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const { Failed } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }));
    if (Failed !== undefined && Failed.length > 0) {
      // Codes only: the entries' bodies may hold personal data.
      throw new LocalStackError(`SQS refused ${Failed.length} of ${batch.length} messages: ${[...new Set(Failed.map((f) => f.Code))].join(', ')}`);
    }
    sent += batch.length;
    batch = [];
    batchBytes = 0;
    onProgress?.(sent, events.length);
  };
  for (const event of events) {
    const body = JSON.stringify(event);
    const bytes = Buffer.byteLength(body);
    if (batch.length === maxEntriesPerBatch || (batch.length > 0 && batchBytes + bytes > maxBatchBytes)) await flush();
    batch.push({ Id: String(batch.length), MessageBody: body });
    batchBytes += bytes;
  }
  await flush();
}

/** Messages in the queue: waiting, in flight and delayed. */
export async function messagesInQueue(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/**
 * Resolves once the queue has been empty (nothing waiting, in flight or
 * delayed) on two checks in a row: the counts are approximate (on AWS they
 * lag by up to a minute), so one zero alone is not trusted. With `timeoutMs`,
 * gives up with an error saying how many messages are left.
 */
export async function waitUntilDrained(
  sqs: SQSClient,
  queueUrl: string,
  options: { intervalMs?: number; timeoutMs?: number; onCheck?: (counts: { visible: number; inFlight: number; delayed: number }) => void } = {},
): Promise<void> {
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
  let emptyChecks = 0;
  while (emptyChecks < 2) {
    const counts = await messagesInQueue(sqs, queueUrl);
    options.onCheck?.(counts);
    const left = counts.visible + counts.inFlight + counts.delayed;
    if (left > 0 && Date.now() > deadline) throw new LocalStackError(`queue still holds ${left} messages after ${options.timeoutMs} ms`);
    emptyChecks = left === 0 ? emptyChecks + 1 : 0;
    if (emptyChecks < 2) await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Sends `events` as a registry that registers organisations before anything
 * names them: the registrations first, and everything else once they are
 * applied; resolves when the queue is empty. Sent all at once, an event in
 * one poller's batch may name an organisation whose registration sits in the
 * other poller's batch, not committed yet: it is retried only after the
 * visibility timeout (minutes), which would make a demo load of seconds take
 * minutes.
 */
export async function sendRegistrationsFirst(
  sqs: SQSClient,
  queueUrl: string,
  events: readonly unknown[],
  options: { onProgress?: (sent: number, total: number) => void; onCheck?: (counts: { visible: number; inFlight: number; delayed: number }) => void } = {},
): Promise<void> {
  const registrations = events.filter(isRegistration);
  const rest = events.filter((event) => !isRegistration(event));
  const drained = { ...(options.onCheck === undefined ? {} : { onCheck: options.onCheck }) };
  await sendEvents(sqs, queueUrl, registrations, (sent) => options.onProgress?.(sent, events.length));
  await waitUntilDrained(sqs, queueUrl, drained);
  await sendEvents(sqs, queueUrl, rest, (sent) => options.onProgress?.(registrations.length + sent, events.length));
  await waitUntilDrained(sqs, queueUrl, drained);
}
