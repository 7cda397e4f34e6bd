/**
 * `npm run bench` (maintenance part): what a rebuild and a reconcile cost as
 * the Ledger grows. The maintenance function replays the whole Ledger in one
 * invocation (README, *Rebuilding and reconciling counters*), so its memory
 * and its time grow with the events ever accepted, and a Lambda invocation
 * has 15 minutes and, as deployed, 1 GB. The mixed workload (every event
 * type) at three sizes goes through the real processor into DynamoDB Local;
 * then each action runs in a process of its own, as the function does
 * (maintenance-run.ts), with the heap Lambda's Node.js runtime gives the
 * deployed function: its wall time and peak resident memory (Lambda's *Max
 * Memory Used*) are printed. Then the same action runs again with less and
 * less old generation, halving the interval, to find the least it completes
 * in — what it needs alive at once, which no sampling of a heap the
 * collector lets grow would show — and the growth of both from the two
 * largest sizes says where a Ledger meets the deployed function's memory and
 * time. The tables are healthy, so reconcile lists nothing and the rebuild
 * writes every counter and state item back unchanged, with no correction:
 * the work a rebuild always does.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { defaultMaintenanceMemoryMb, maintenanceTimeout } from '../../infra/stateless/stateless-stack.ts';
import { processorEventSource } from '../../packages/config/resources.ts';
import type { TableNames } from '../../packages/storage/event-store.ts';
import type { Action, RunAnswer } from './maintenance-run.ts';
import { startLocalDynamoDb } from '../support/dynamo-local.ts';
import { buildMixedWorkload } from '../support/mixed-workload.ts';
import { deliverAsQueue, processorOnFreshTables } from '../support/processor.ts';

/** Scales of the mixed workload (about 313 events each, every type); the least old generation is searched at the two largest. */
const scales = [8, 32, 96];
const searchedScales = scales.slice(-2);
/** The deployed function's limits; its heap as Lambda's Node.js runtime divides it (a tenth young generation, the rest old). */
const lambdaMinutes = maintenanceTimeout.toMinutes();
const lambdaMegabytes = defaultMaintenanceMemoryMb;
const deployedYoungGenerationMb = Math.floor(lambdaMegabytes / 10);
const deployedOldGenerationMb = lambdaMegabytes - deployedYoungGenerationMb;

const exec = promisify(execFile);

/**
 * Runs `action` in a process of its own (maintenance-run.ts), its heap set
 * as Lambda's Node.js runtime sets it for the deployed memory (a tenth for
 * the young generation, the rest old), or with an old generation of
 * `oldGenerationMb`. Undefined if its heap ran out.
 */
async function inChild(endpoint: string, tables: TableNames, action: Action, oldGenerationMb = deployedOldGenerationMb): Promise<RunAnswer | undefined> {
  const heap = [`--max-semi-space-size=${Math.floor(deployedYoungGenerationMb / 2)}`, `--max-old-space-size=${oldGenerationMb}`];
  const script = new URL('./maintenance-run.ts', import.meta.url).pathname;
  try {
    const { stdout } = await exec(process.execPath, [...heap, '--import', 'tsx', script, endpoint, JSON.stringify(tables), action], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as RunAnswer;
  } catch (error) {
    // V8 aborts a process whose heap is full; any other failure is the bench's to report.
    if (/heap out of memory|Reached heap limit/.test(String((error as { stderr?: unknown }).stderr))) return undefined;
    throw error;
  }
}

/** Steps of halving the interval of old generation sizes: the answer is within a sixteenth of where it started. */
const searchSteps = 4;

/**
 * The least old generation `action` completes in, to within the last
 * interval: [fails, completes] in MB. Starts between 16 MB (less than the
 * code alone needs) and 48 MB and 3 KB an event (about 1.5 times what the
 * replay needs), doubled until a run completes.
 */
async function leastOldGeneration(endpoint: string, tables: TableNames, action: Action, events: number): Promise<[number, number] | undefined> {
  let [fails, completes] = [16, Math.ceil(48 + (events * 3) / 1024)];
  while ((await inChild(endpoint, tables, action, completes)) === undefined) {
    if (completes >= deployedOldGenerationMb) return undefined;
    [fails, completes] = [completes, Math.min(2 * completes, deployedOldGenerationMb)];
  }
  for (let step = 0; step < searchSteps; step++) {
    const size = Math.round((fails + completes) / 2);
    if ((await inChild(endpoint, tables, action, size)) === undefined) fails = size;
    else completes = size;
  }
  return [fails, completes];
}

export async function benchMaintenance(): Promise<void> {
  const dynamo = await startLocalDynamoDb();
  const line = (label: string, value: string) => process.stdout.write(`${label.padEnd(30)} ${value}\n`);
  try {
    const { client, doc } = dynamo;
    process.stdout.write(
      `\nmaintenance: reconcile and rebuild of a healthy Ledger (mixed workload, every event type, through the processor into DynamoDB Local), each in a process of its own\n`,
    );
    const base = await inChild(dynamo.endpoint, { ledger: 'none', state: 'none', counters: 'none' }, 'load');
    if (base === undefined) throw new Error('the maintenance code did not load');
    line('  the code loaded, nothing run', `${base.maxRssMb.toFixed(0)} MB resident`);
    const runs: { action: Exclude<Action, 'load'>; events: number; ms: number; needsMb: number }[] = [];
    for (const scale of scales) {
      const { tables, deps } = await processorOnFreshTables(client, doc, `-maint-${scale}`, { pseudonymKey: 'maintenance-bench-key-0123456789abcdef', unknownOrgMaxAttempts: 1000 });
      // As a queue would, registrations first, in batches of the deployed 1,000.
      const workload = buildMixedWorkload(11, scale);
      const registers = (e: (typeof workload)[number]): boolean => e.type === 'organization.registered.v1';
      const outcomes = await deliverAsQueue([...workload.filter(registers), ...workload.filter((e) => !registers(e))], deps, processorEventSource.batchSize);
      const events = outcomes.filter((o) => o.outcome === 'accepted').length;
      for (const action of ['reconcile', 'rebuild'] as const) {
        const label = `  ${events.toLocaleString('en')} events, ${action}`;
        const answer = await inChild(dynamo.endpoint, tables, action);
        if (answer === undefined) {
          line(label, 'did not complete with the deployed heap');
          continue;
        }
        const timed = `${(answer.ms / 1000).toFixed(1)} s, ${answer.maxRssMb.toFixed(0)} MB resident at peak`;
        const least = searchedScales.includes(scale) ? await leastOldGeneration(dynamo.endpoint, tables, action, events) : undefined;
        if (least !== undefined) runs.push({ action, events, ms: answer.ms, needsMb: least[1] });
        line(label, `${timed}${least === undefined ? '' : `; completes in an old generation of ${least[1]} MB, not in ${least[0]}`}: ${answer.summary}`);
      }
    }
    // What each further event costs, from the two largest sizes (the fixed costs cancel out), and where that meets the deployed function's limits.
    for (const action of ['reconcile', 'rebuild'] as const) {
      const [before, last] = runs.filter((r) => r.action === action).slice(-2);
      if (before === undefined || last === undefined) continue;
      const added = last.events - before.events;
      const [ms, mb] = [(last.ms - before.ms) / added, (last.needsMb - before.needsMb) / added];
      const reach = (room: number, perEvent: number): string => (perEvent <= 0 ? 'no limit measured' : `about ${Math.round((last.events + room / perEvent) / 1000).toLocaleString('en')} thousand events`);
      line(
        `  ${action}, per 1,000 more events`,
        `${(ms * 1000).toFixed(0)} ms and ${(mb * 1000).toFixed(1)} MB of old generation: the deployed function (${lambdaMegabytes} MB, ${deployedOldGenerationMb} MB of it old generation; ${lambdaMinutes} min) holds ${reach(deployedOldGenerationMb - last.needsMb, mb)}, and its time replays ${reach(lambdaMinutes * 60_000 - last.ms, ms)} at DynamoDB Local's pace`,
      );
    }
  } finally {
    await dynamo.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMaintenance();
