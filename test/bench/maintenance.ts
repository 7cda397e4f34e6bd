/**
 * `npm run bench` (maintenance part): what a rebuild and a reconcile cost as
 * the Ledger grows. The maintenance function replays the whole Ledger in one
 * invocation (README, *Rebuilding and reconciling counters*), so its memory
 * and its time grow with the events ever accepted, and a Lambda invocation
 * has 15 minutes and, as deployed, 1 GB. The mixed workload (every event
 * type) at three sizes goes through the real processor into DynamoDB Local;
 * then each action runs in a process of its own, as the function does
 * (maintenance-run.ts), and the bench prints its wall time, the most its
 * heap held after a full collection (what it needs alive at once) and its
 * peak resident memory, and where the growth from the two largest sizes
 * meets the deployed function's memory and time. The tables are healthy,
 * so reconcile lists nothing and the rebuild writes every counter and state
 * item back unchanged, with no correction: the work a rebuild always does.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { maintenanceMemoryMb, maintenanceTimeout } from '../../infra/stateless/stateless-stack.ts';
import { localClientConfig, startDynamoDbLocal } from '../../packages/local-stack/emulators.ts';
import type { IncomingMessage, ProcessorDependencies } from '../../packages/processing/process-batch.ts';
import { processBatch } from '../../packages/processing/process-batch.ts';
import type { TableNames } from '../../packages/storage/event-store.ts';
import type { Action, RunAnswer } from './maintenance-run.ts';
import { buildMixedWorkload } from '../support/mixed-workload.ts';
import { processorOnFreshTables } from '../support/processor.ts';
import type { CloudEvent } from '../support/workload.ts';

/** Scales of the mixed workload (about 313 events each, every type). */
const scales = [8, 32, 96];
/** The deployed function's limits. */
const lambdaMinutes = maintenanceTimeout.toMinutes();
const lambdaMegabytes = maintenanceMemoryMb;

const exec = promisify(execFile);

/**
 * Runs `action` in a process of its own (maintenance-run.ts), its heap set
 * as Lambda's Node.js runtime sets it for the deployed memory (a tenth for
 * the young generation, the rest old), but the old generation held to
 * `heapLimitMb`: V8 then collects in full often enough that the most a
 * collection leaves is close to what the run needs alive at its peak
 * (with room to spare it lets garbage lie, and the figure says more about
 * the collector than about the code). A run that needs more fails, and the
 * bench says so.
 */
async function inChild(endpoint: string, tables: TableNames, action: Action, heapLimitMb: number): Promise<RunAnswer | undefined> {
  const youngMb = Math.floor(lambdaMegabytes / 10);
  const heap = [`--max-semi-space-size=${Math.floor(youngMb / 2)}`, `--max-old-space-size=${Math.min(heapLimitMb, lambdaMegabytes - youngMb)}`];
  const script = new URL('./maintenance-run.ts', import.meta.url).pathname;
  try {
    const { stdout } = await exec(process.execPath, [...heap, '--import', 'tsx', script, endpoint, JSON.stringify(tables), action], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as RunAnswer;
  } catch {
    return undefined;
  }
}

/** The old generation a run on `events` events gets: the code's share, and 6 KB an event (about twice what a rebuild keeps alive). */
const heapLimitFor = (events: number): number => Math.ceil(64 + (events * 6) / 1024);

/** Delivers the events as a queue would, registrations first, in batches of the deployed 1,000; redelivers what asks to be retried. */
async function load(events: readonly CloudEvent[], deps: ProcessorDependencies): Promise<number> {
  const registrations = events.filter((e) => e.type === 'organization.registered.v1');
  let queue: IncomingMessage[] = [...registrations, ...events.filter((e) => e.type !== 'organization.registered.v1')].map((e, i) => ({ body: JSON.stringify(e), messageId: `m-${i}`, receiveCount: 1 }));
  let accepted = 0;
  while (queue.length > 0) {
    const batch = queue.slice(0, 1000);
    queue = queue.slice(1000);
    const results = await processBatch(batch, deps);
    for (const message of batch) {
      const result = results.get(message.messageId);
      if (result?.ok !== true) queue.push({ ...message, receiveCount: message.receiveCount + 1 });
      else if (result.outcome.outcome === 'accepted') accepted++;
    }
  }
  return accepted;
}

export async function benchMaintenance(): Promise<void> {
  const dynamo = await startDynamoDbLocal();
  const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(30)} ${value}\n`);
  try {
    const client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    process.stdout.write(
      `\nmaintenance: reconcile and rebuild of a healthy Ledger (mixed workload, every event type, through the processor into DynamoDB Local), each in a process of its own\n`,
    );
    const base = await inChild(dynamo.endpoint, { ledger: 'none', state: 'none', counters: 'none' }, 'load', heapLimitFor(0));
    if (base === undefined) throw new Error('the maintenance code did not load');
    line('  the code loaded, nothing run', `${base.maxRssMb.toFixed(0)} MB resident`);
    const runs: { action: Exclude<Action, 'load'>; events: number; answer: RunAnswer }[] = [];
    for (const scale of scales) {
      const { tables, deps } = await processorOnFreshTables(client, doc, `-maint-${scale}`, { pseudonymKey: 'maintenance-bench-key-0123456789abcdef', unknownOrgMaxAttempts: 1000 });
      const events = await load(buildMixedWorkload(11, scale), deps);
      for (const action of ['reconcile', 'rebuild'] as const) {
        const answer = await inChild(dynamo.endpoint, tables, action, heapLimitFor(events));
        if (answer === undefined) {
          line(`  ${events.toLocaleString('en')} events, ${action}`, `did not fit in an old generation of ${heapLimitFor(events)} MB`);
          continue;
        }
        runs.push({ action, events, answer });
        line(
          `  ${events.toLocaleString('en')} events, ${action}`,
          `${(answer.ms / 1000).toFixed(1)} s, live heap at most ${answer.liveMb.toFixed(0)} MB, ${answer.maxRssMb.toFixed(0)} MB resident at peak: ${answer.summary}`,
        );
      }
    }
    // What each further event costs, from the two largest sizes (the fixed costs cancel out), and where that meets the deployed function's limits.
    const oldGenerationMb = lambdaMegabytes - Math.floor(lambdaMegabytes / 10);
    for (const action of ['reconcile', 'rebuild'] as const) {
      const [before, last] = runs.filter((r) => r.action === action).slice(-2);
      if (before === undefined || last === undefined) continue;
      const added = last.events - before.events;
      const [ms, live] = [(last.answer.ms - before.answer.ms) / added, (last.answer.liveMb - before.answer.liveMb) / added];
      const reach = (room: number, perEvent: number): string => `${Math.round((last.events + room / perEvent) / 1000).toLocaleString('en')} thousand`;
      line(
        `  ${action}, per 1,000 more events`,
        `${(ms * 1000).toFixed(0)} ms and ${(live * 1000).toFixed(1)} MB of live heap: the deployed function (${lambdaMegabytes} MB, ${oldGenerationMb} MB of it old generation; ${lambdaMinutes} min) holds about ${reach(oldGenerationMb - last.answer.liveMb, live)} events, and replays about ${reach(lambdaMinutes * 60_000 - last.answer.ms, ms)} in its time at DynamoDB Local's pace`,
      );
    }
    client.destroy();
  } finally {
    await dynamo.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMaintenance();
