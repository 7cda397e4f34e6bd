/**
 * Lambda entry point of the maintenance function: `{ action: 'reconcile' }`,
 * `{ action: 'rebuild' }` or `{ action: 'publish', period, title }`, invoked
 * synchronously by the API's admin routes (or by an operator). It alone may
 * rewrite the Counters and State tables besides the processor, and it alone
 * writes publications, so the API's role stays read-only on all three.
 *
 * Nothing needs pausing by hand: each action pauses processing itself
 * through the fence (packages/maintenance/maintenance.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import { BatchedIndicatorComputation } from '../../packages/api/batched-evaluation.ts';
import { countersTable, ledgerTable, publicationsTable, stateTable } from '../../packages/config/resources.ts';
import { DivisionTree, loadDeploymentConfig } from '../../packages/config/deployment.ts';
import { requireEnv } from '../../packages/config/environment.ts';
import { InProcessMaintenanceRunner } from '../../packages/maintenance/maintenance.ts';
import { MaintenanceStore } from '../../packages/maintenance/maintenance-store.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { DynamoEditionWriter } from '../../packages/publications/edition-writer.ts';
import { DynamoBaselineReader } from '../../packages/storage/baseline-reader.ts';
import { DynamoCounterBatchReader } from '../../packages/storage/counter-batch-reader.ts';
import { DynamoCounterReader } from '../../packages/storage/counter-reader.ts';
import { createMaintenanceHandler } from './app.ts';

const logger = new Logger({ serviceName: 'reform-indicators-maintenance' });
const config = loadDeploymentConfig();
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const counters = requireEnv(countersTable.envVar);
const store = new MaintenanceStore(doc, { ledger: requireEnv(ledgerTable.envVar), state: requireEnv(stateTable.envVar), counters });
const divisions = new DivisionTree(config.root);
/** Publishing computes figures exactly as the API's analytics does, and writes the edition once. */
const publishing = {
  catalog: indicatorCatalog,
  computation: new BatchedIndicatorComputation(new DynamoCounterReader(doc, counters), new DynamoCounterBatchReader(doc, counters), new DynamoBaselineReader(doc, counters), divisions),
  publications: new DynamoEditionWriter(doc, requireEnv(publicationsTable.envVar)),
  now: () => new Date(),
};

/** The bare function, for tests: see app.ts. */
export { createMaintenanceHandler } from './app.ts';

/** The maintenance actions over the deployment's tables. */
export const maintenance = createMaintenanceHandler(
  new InProcessMaintenanceRunner({ store, divisions, rewards: config.rewards, publishing }),
  logger,
);

/** Lambda entry point. */
export const handler = middy(maintenance).use(injectLambdaContext(logger));
