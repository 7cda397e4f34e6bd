/**
 * Lambda entry point of the maintenance function: `{ action: 'reconcile' }`
 * or `{ action: 'rebuild' }`, invoked synchronously by the API's admin routes
 * (or by an operator). It alone may rewrite the Counters and State tables
 * besides the processor, so the API's role stays read-only on them.
 *
 * Pause the processor (disable its event source mapping) before a rebuild:
 * see packages/maintenance/maintenance.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import { countersTable, ledgerTable, stateTable } from '../../packages/config/resources.ts';
import { DivisionTree, loadDeploymentConfig } from '../../packages/config/deployment.ts';
import { requireEnv } from '../../packages/config/environment.ts';
import { InProcessMaintenanceRunner } from '../../packages/maintenance/maintenance.ts';
import { MaintenanceStore } from '../../packages/maintenance/maintenance-store.ts';
import { createMaintenanceHandler } from './app.ts';

const logger = new Logger({ serviceName: 'reform-indicators-maintenance' });
const config = loadDeploymentConfig();
const store = new MaintenanceStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
  { ledger: requireEnv(ledgerTable.envVar), state: requireEnv(stateTable.envVar), counters: requireEnv(countersTable.envVar) },
);

/** The bare function, for tests: see app.ts. */
export { createMaintenanceHandler } from './app.ts';

/** The maintenance actions over the deployment's tables. */
export const maintenance = createMaintenanceHandler(
  new InProcessMaintenanceRunner({ store, divisions: new DivisionTree(config.root), rewards: config.rewards }),
  logger,
);

/** Lambda entry point. */
export const handler = middy(maintenance).use(injectLambdaContext(logger));
