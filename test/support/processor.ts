import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { tables as definedTables } from '../../packages/config/resources.ts';
import { createTables } from '../../packages/local-stack/emulators.ts';
import { MaintenanceStore } from '../../packages/maintenance/maintenance-store.ts';
import type { IncomingMessage, ProcessOutcome, ProcessorDependencies } from '../../packages/processing/process-batch.ts';
import { processBatch } from '../../packages/processing/process-batch.ts';
import { Pseudonymiser } from '../../packages/processing/pseudonymise.ts';
import type { TableNames } from '../../packages/storage/event-store.ts';
import { EventStore } from '../../packages/storage/event-store.ts';

const divisions = new DivisionTree(defaultDeploymentConfig.root);

/**
 * Fresh tables on DynamoDB Local, each name ending in `suffix` (so tests of
 * one file share an emulator), and the processor's dependencies on them with
 * the default deployment.
 */
export async function processorOnFreshTables(
  client: DynamoDBClient,
  doc: DynamoDBDocumentClient,
  suffix: string,
  options: { readonly pseudonymKey: string } & Pick<ProcessorDependencies, 'unknownOrgMaxAttempts'> & Partial<Pick<ProcessorDependencies, 'now'>>,
): Promise<{ tables: TableNames; deps: ProcessorDependencies }> {
  const names = await createTables(client, definedTables.map((t) => ({ ...t, name: `${t.name}${suffix}` })));
  const tables = { ledger: names['LEDGER_TABLE'] as string, state: names['STATE_TABLE'] as string, counters: names['COUNTERS_TABLE'] as string };
  const { pseudonymKey, ...rest } = options;
  return {
    tables,
    deps: {
      store: new EventStore(doc, tables),
      divisions,
      sources: defaultDeploymentConfig.sources,
      rewards: defaultDeploymentConfig.rewards,
      pseudonymiser: new Pseudonymiser(pseudonymKey),
      ...rest,
    },
  };
}

/**
 * Fresh tables, a processor that hands a paused batch straight back to the
 * queue, and maintenance's store to pause and resume it, both on `now`'s
 * clock (epoch milliseconds) when given.
 */
export async function processorWithMaintenance(
  client: DynamoDBClient,
  doc: DynamoDBDocumentClient,
  suffix: string,
  options: { readonly pseudonymKey: string; readonly unknownOrgMaxAttempts: number; readonly now?: () => number; readonly lease?: { readonly ms: number; readonly marginMs: number } },
): Promise<{ tables: TableNames; processor: ProcessorDependencies; maintenance: MaintenanceStore }> {
  const { now, lease, ...processorOptions } = options;
  const { tables, deps } = await processorOnFreshTables(client, doc, suffix, processorOptions);
  return {
    tables,
    processor: { ...deps, store: new EventStore(doc, tables, now), pauseWaitMs: 0 },
    maintenance: new MaintenanceStore(doc, tables, { ...(lease === undefined ? {} : { leaseMs: lease.ms, leaseMarginMs: lease.marginMs }), ...(now === undefined ? {} : { now }) }),
  };
}

let messagesSent = 0;

/**
 * Delivers `events` in this order, in batches of `batchSize`, redelivering
 * what asks to be retried (its receive count one more) at the end of the
 * queue, as SQS would, until every event has an outcome; returns the
 * outcomes in the order they were settled.
 */
export async function deliverAsQueue(events: readonly unknown[], deps: ProcessorDependencies, batchSize: number): Promise<ProcessOutcome[]> {
  const outcomes: ProcessOutcome[] = [];
  // Message ids unique in the process, as the queue's are: the processor counts an unknown organisation's tries per message.
  let queue: IncomingMessage[] = events.map((e) => ({ body: JSON.stringify(e), messageId: `m-${++messagesSent}`, receiveCount: 1 }));
  for (let rounds = 0; queue.length > 0; rounds++) {
    if (rounds > 10_000) throw new Error('the queue never drained');
    const batch = queue.slice(0, batchSize);
    queue = queue.slice(batchSize);
    const results = await processBatch(batch, deps);
    for (const message of batch) {
      const result = results.get(message.messageId);
      if (result?.ok === true) outcomes.push(result.outcome);
      else queue.push({ ...message, receiveCount: message.receiveCount + 1 });
    }
  }
  return outcomes;
}

/** The error the SDK throws for a cancelled transaction, with DynamoDB's reason code for each of its items in order. */
export function transactionCancelled(codes: readonly string[]): Error {
  return Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException', CancellationReasons: codes.map((Code) => ({ Code })) });
}
