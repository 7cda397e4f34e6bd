/**
 * A maintenance run that dies without resuming processing — its Lambda timed
 * out or ran out of memory — must not stop processing for good: its pause
 * holds until the run resumes or its lease runs out (the fence's
 * `pausedUntil`, longer than the function can run). Against DynamoDB Local,
 * with the clock under the test's control: the real processor is held while
 * the lease lasts and goes on once it is over, through the commit's own
 * condition on the fence, with nobody resuming. And a run that outlasts its
 * lease (the local stack runs maintenance in-process, with no timeout) stops
 * before it writes or answers anything more: processing may be going on.
 */
import { DeleteCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { sampleEvent } from '../../packages/contract/fixtures.ts';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { MaintenanceLeaseEndedError } from '../../packages/maintenance/errors.ts';
import type { MaintenanceDependencies } from '../../packages/maintenance/maintenance.ts';
import { runRebuild, runReconcile } from '../../packages/maintenance/maintenance.ts';
import { MaintenanceStore } from '../../packages/maintenance/maintenance-store.ts';
import type { IncomingMessage, ProcessorDependencies } from '../../packages/processing/process-batch.ts';
import { MaintenanceInProgressError, processEvent } from '../../packages/processing/process-batch.ts';
import type { TableNames } from '../../packages/storage/event-store.ts';
import { EventStore, fenceKeys } from '../../packages/storage/event-store.ts';
import { localDynamoDbForFile } from '../support/dynamo-local.ts';
import { processorWithMaintenance } from '../support/processor.ts';

const start = Date.parse('2026-12-08T02:00:00Z');
const leaseMs = 60_000;
const leaseMarginMs = 5_000;
let clock = start;
const dynamo = localDynamoDbForFile();
let tableCount = 0;

async function setUp(): Promise<{ tables: TableNames; processor: ProcessorDependencies; maintenance: MaintenanceStore }> {
  clock = start;
  return processorWithMaintenance(dynamo.client, dynamo.doc, `-lease-${++tableCount}`, { pseudonymKey: 'maintenance-lease-test-key-0123456789abcdef', unknownOrgMaxAttempts: 3, now: () => clock, lease: { ms: leaseMs, marginMs: leaseMarginMs } });
}

let messages = 0;
const registration = (id: string): IncomingMessage => ({ body: JSON.stringify(sampleEvent('organization.registered.v1', { id })), messageId: `m-${++messages}`, receiveCount: 1 });

describe('a pause whose run never resumes', () => {
  it('holds processing while its lease lasts and lets it go on once the lease is over, with nobody resuming', async () => {
    const { processor, maintenance } = await setUp();
    // A run pauses processing and dies before it resumes.
    await maintenance.pause();
    clock = start + leaseMs - 1_000;
    await expect(processEvent(registration('lease-1'), processor)).rejects.toThrow(MaintenanceInProgressError);
    clock = start + leaseMs + 1_000;
    expect((await processEvent(registration('lease-1'), processor)).outcome).toBe('accepted');

    // The next run's pause holds again, under a new epoch, until that run resumes.
    await maintenance.pause();
    await expect(processEvent(registration('lease-2'), processor)).rejects.toThrow(MaintenanceInProgressError);
    await maintenance.resume();
    expect((await processEvent(registration('lease-2'), processor)).outcome).toBe('accepted');
  });

  it('refuses a commit on a shard whose lease still lasts, whatever the processor read', async () => {
    const { tables, processor, maintenance } = await setUp();
    const fence = await maintenance.pause();
    // A processor whose clock runs ahead reads the pause as over; every shard it commits on still says paused.
    const ahead = { ...processor, store: new EventStore(dynamo.doc, tables, () => clock + leaseMs * 2) };
    const early = new EventStore(dynamo.doc, tables, () => clock + leaseMs - 1_000);
    expect(await early.commit({ fence: { epoch: fence.epoch, paused: false }, events: [], states: [], storedPages: new Map(), counters: [], baselines: [] })).toEqual({ status: 'fenced' });
    expect((await processEvent(registration('lease-3'), ahead)).outcome).toBe('accepted');
  });

  it('keeps a pause without a lease (as written before leases) until maintenance resumes', async () => {
    const { tables, processor, maintenance } = await setUp();
    await maintenance.pause();
    for (const Key of fenceKeys) {
      await dynamo.doc.send(new UpdateCommand({ TableName: tables.ledger, Key, UpdateExpression: 'REMOVE #until', ExpressionAttributeNames: { '#until': 'pausedUntil' } }));
    }
    clock = start + 365 * 24 * 3_600_000;
    await expect(processEvent(registration('lease-4'), processor)).rejects.toThrow(MaintenanceInProgressError);
    await maintenance.resume();
    expect((await processEvent(registration('lease-4'), processor)).outcome).toBe('accepted');
  });
});

describe('a run that outlasts its lease', () => {
  /** Processed events, a counter item lost (so a rebuild has something to write), and the run's deps; the clock jumps once the run has replayed the Ledger. */
  async function runOutlastingItsLease(): Promise<{ deps: MaintenanceDependencies; tables: TableNames; processor: ProcessorDependencies; counters: () => Promise<unknown[]> }> {
    const { tables, processor, maintenance } = await setUp();
    for (const id of ['outlast-1', 'outlast-2']) expect((await processEvent(registration(id), processor)).outcome).toBe('accepted');
    const counters = async (): Promise<unknown[]> => (await dynamo.doc.send(new ScanCommand({ TableName: tables.counters, ConsistentRead: true }))).Items ?? [];
    const [lost] = (await counters()) as { pk: string; sk: string }[];
    await dynamo.doc.send(new DeleteCommand({ TableName: tables.counters, Key: { pk: lost?.pk, sk: lost?.sk } }));
    const replay = maintenance.replaySource.bind(maintenance);
    // Time passing within the run: no emulator can make a replay take a quarter of an hour.
    maintenance.replaySource = async () => {
      const source = await replay();
      clock += leaseMs - leaseMarginMs + 1_000;
      return source;
    };
    return { deps: { store: maintenance, divisions: new DivisionTree(defaultDeploymentConfig.root), rewards: defaultDeploymentConfig.rewards }, tables, processor, counters };
  }

  it('a rebuild writes nothing after it, and processing goes on', async () => {
    const { deps, processor, counters } = await runOutlastingItsLease();
    const before = await counters();
    await expect(runRebuild(deps)).rejects.toThrow(MaintenanceLeaseEndedError);
    expect(await counters()).toEqual(before);
    expect((await processEvent(registration('outlast-3'), processor)).outcome).toBe('accepted');
  });

  it('a reconcile gives no answer read across it', async () => {
    const { deps, processor } = await runOutlastingItsLease();
    await expect(runReconcile(deps)).rejects.toThrow(/outlasted its 1-minute pause of processing/);
    expect((await processEvent(registration('outlast-4'), processor)).outcome).toBe('accepted');
  });

  it('the same runs within their lease complete: the rebuild writes the lost item back', async () => {
    const { deps, counters } = await runOutlastingItsLease();
    const store = deps.store;
    store.replaySource = MaintenanceStore.prototype.replaySource.bind(store);
    const before = await counters();
    expect((await runReconcile(deps)).differenceCount).toBeGreaterThan(0);
    expect((await runRebuild(deps)).rebuilt.counters).toBe(before.length + 1);
    expect((await runReconcile(deps)).differenceCount).toBe(0);
  });
});
