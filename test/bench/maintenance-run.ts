/**
 * One maintenance action in a process of its own, as the maintenance
 * function runs it (test/bench/maintenance.ts starts it): loads only what
 * the function loads, runs the action on the given tables of DynamoDB Local
 * and prints, as JSON, its wall time and its peak resident memory. `load`
 * runs nothing: the process with the code loaded.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { localClientConfig } from '../../packages/local-stack/emulators.ts';
import { runReconcile, runRebuild } from '../../packages/maintenance/maintenance.ts';
import { MaintenanceStore } from '../../packages/maintenance/maintenance-store.ts';
import type { TableNames } from '../../packages/storage/event-store.ts';

export type Action = 'load' | 'reconcile' | 'rebuild';

export interface RunAnswer {
  readonly ms: number;
  /** Peak resident memory, as Lambda's *Max Memory Used*. */
  readonly maxRssMb: number;
  readonly summary: string;
}

const [endpoint, tablesJson, action] = process.argv.slice(2) as [string, string, Action];
const tables = JSON.parse(tablesJson) as TableNames;
const client = new DynamoDBClient(localClientConfig(endpoint));
const deps = {
  store: new MaintenanceStore(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), tables),
  divisions: new DivisionTree(defaultDeploymentConfig.root),
  rewards: defaultDeploymentConfig.rewards,
};
const t0 = performance.now();
let summary = '';
if (action === 'reconcile') {
  const result = await runReconcile(deps);
  summary = `${result.checkedItems} items checked, ${result.differenceCount} differences`;
} else if (action === 'rebuild') {
  const { rebuilt } = await runRebuild(deps);
  summary = `${rebuilt.counters} counter and ${rebuilt.state} state items written, ${rebuilt.corrections} corrections`;
}
const ms = performance.now() - t0;
const answer: RunAnswer = { ms, maxRssMb: process.resourceUsage().maxRSS / 1024, summary };
process.stdout.write(JSON.stringify(answer));
client.destroy();
