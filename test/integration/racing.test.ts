/**
 * Processors racing on the same persons, certificates, training sets and
 * organisations: six of them take batches of one shuffled mixed workload
 * (with a fifth of its events delivered twice) at once, against one
 * DynamoDB Local. Transactions are cancelled by moved state and resent
 * without the events decided on it, or not sent at all once a read finds
 * their state moved; whatever path an event takes, it lands once, and the
 * Counters table is what a replay of the accepted events gives.
 *
 * DynamoDB Local runs one transaction at a time and never cancels one for a
 * conflict; DynamoDB does, when another transaction in flight holds one of
 * its items. The second case puts the bench's model of that between the
 * processors and DynamoDB Local (test/bench/conflict-model.ts: a transaction
 * holds its items for its round trip), so the events whose items are held
 * take the path they take deployed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { localClientConfig } from '../../packages/local-stack/emulators.ts';
import { runReconcile } from '../../packages/maintenance/maintenance.ts';
import { MaintenanceStore } from '../../packages/maintenance/maintenance-store.ts';
import { recompute } from '../../packages/maintenance/recompute.ts';
import type { IncomingMessage, ProcessorDependencies } from '../../packages/processing/process-batch.ts';
import { processBatch } from '../../packages/processing/process-batch.ts';
import type { TableNames } from '../../packages/storage/event-store.ts';
import { canonicalFigures, canonicalTruth } from '../support/counter-table.ts';
import { buildMixedWorkload } from '../support/mixed-workload.ts';
import { scanTable } from '../support/tables.ts';
import { randomSequence, shuffle } from '../support/workload.ts';
import type { LocalDynamoDb } from '../support/dynamo-local.ts';
import { startLocalDynamoDb } from '../support/dynamo-local.ts';
import { processorOnFreshTables } from '../support/processor.ts';
import { startCountingProxy } from '../bench/services.ts';
import { EventStore } from '../../packages/storage/event-store.ts';

const divisions = new DivisionTree(defaultDeploymentConfig.root);
let local: LocalDynamoDb | undefined;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tables: TableNames;
let deps: ProcessorDependencies;

beforeAll(async () => {
  local = await startLocalDynamoDb();
  ({ client, doc } = local);
  ({ tables, deps } = await processorOnFreshTables(client, doc, 'Racing', { pseudonymKey: 'racing-test-key-0123456789abcdef012345', unknownOrgMaxAttempts: 50 }));
}, 60_000);

afterAll(async () => {
  await local?.stop();
});

/**
 * A shuffled mixed workload as the queue holds it: the registrations first,
 * then the rest with a fifth of it delivered twice.
 */
function queuedWorkload(seeds: { readonly workload: number; readonly shuffle: number }, idPrefix: string): { messages: IncomingMessage[]; events: number; twice: number } {
  const random = randomSequence(seeds.shuffle);
  const workload = buildMixedWorkload(seeds.workload, 2);
  const registry = workload.filter((e) => e.type === 'organization.registered.v1');
  const rest = workload.filter((e) => e.type !== 'organization.registered.v1');
  const twice = rest.filter(() => random() < 0.2);
  let seq = 0;
  const message = (event: unknown): IncomingMessage => ({ body: JSON.stringify(event), messageId: `${idPrefix}-${++seq}`, receiveCount: 1 });
  return { messages: [...registry.map(message), ...shuffle([...rest, ...twice], random).map(message)], events: workload.length, twice: twice.length };
}

/**
 * Drains `messages` with `processors` processors at once, each taking
 * batches of `batchSize` from the front of the queue with the dependencies
 * `depsOf` gives it; a message to retry goes to the back, delivered once
 * more. Returns every outcome settled.
 */
async function drain(messages: readonly IncomingMessage[], options: { readonly processors: number; readonly batchSize: number; readonly depsOf: () => ProcessorDependencies }): Promise<string[]> {
  let queue = [...messages];
  const outcomes: string[] = [];
  let inFlight = 0;
  const processor = async (): Promise<void> => {
    const deps = options.depsOf();
    for (;;) {
      const batch = queue.slice(0, options.batchSize);
      queue = queue.slice(options.batchSize);
      if (batch.length === 0) {
        if (inFlight === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      inFlight++;
      const results = await processBatch(batch, deps);
      inFlight--;
      for (const m of batch) {
        const result = results.get(m.messageId);
        if (result?.ok === true) outcomes.push(result.outcome.outcome);
        else queue.push({ ...m, receiveCount: m.receiveCount + 1 });
      }
    }
  };
  await Promise.all(Array.from({ length: options.processors }, processor));
  return outcomes;
}

describe('six processors racing on one workload', () => {
  it('apply every event once and leave the counters a replay gives', async () => {
    const { messages, events, twice } = queuedWorkload({ workload: 17, shuffle: 29 }, 'r');
    const outcomes = await drain(messages, { processors: 6, batchSize: 40, depsOf: () => deps });

    expect(outcomes.filter((o) => o === 'rejected')).toEqual([]);
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(events);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(twice);
    const ledger = await scanTable(doc, tables.ledger);
    expect(ledger.filter((i) => i['sk'] === 'ACCEPTED')).toHaveLength(events);

    const maintenance = { store: new MaintenanceStore(doc, tables), divisions, rewards: defaultDeploymentConfig.rewards };
    expect((await runReconcile(maintenance)).differences).toEqual([]);
    const truth = recompute(await maintenance.store.acceptedEvents(), maintenance);
    expect(await canonicalFigures(doc, tables)).toBe(canonicalTruth(truth));
  }, 300_000);

  it('with DynamoDB\'s transaction conflicts, apply every event once, the events whose items another transaction holds a round later', async () => {
    const proxy = await startCountingProxy((local as LocalDynamoDb).endpoint);
    proxy.setLatency({ read: 0, write: 0, transaction: 15 });
    const viaProxy = new DynamoDBClient(localClientConfig(proxy.url));
    const proxied = DynamoDBDocumentClient.from(viaProxy, { marshallOptions: { removeUndefinedValues: true } });
    try {
      const fresh = await processorOnFreshTables(viaProxy, proxied, 'Conflicts', { pseudonymKey: 'conflicts-test-key-0123456789abcdef0123', unknownOrgMaxAttempts: 50 });
      const { messages, events, twice } = queuedWorkload({ workload: 19, shuffle: 31 }, 'c');
      // Four processes, each with its own store (and so its own turn through the fence shards), as Lambda containers have.
      const outcomes = await drain(messages, { processors: 4, batchSize: 120, depsOf: () => ({ ...fresh.deps, store: new EventStore(proxied, fresh.tables) }) });

      // The model did cancel transactions: without it this case would test nothing the first does not.
      expect(proxy.counts.conflicts).toBeGreaterThan(0);
      expect(outcomes.filter((o) => o === 'rejected')).toEqual([]);
      expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(events);
      expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(twice);
      const maintenance = { store: new MaintenanceStore(proxied, fresh.tables), divisions, rewards: defaultDeploymentConfig.rewards };
      expect((await runReconcile(maintenance)).differences).toEqual([]);
      const truth = recompute(await maintenance.store.acceptedEvents(), maintenance);
      expect(await canonicalFigures(proxied, fresh.tables)).toBe(canonicalTruth(truth));
    } finally {
      viaProxy.destroy();
      proxy.close();
    }
  }, 300_000);
});
