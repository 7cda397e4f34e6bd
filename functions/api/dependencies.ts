/** The API's real dependencies, built from the environment (Lambda or the local stack). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { countersTable, env, eventsQueue, ledgerTable, stateTable } from '../../infra/definitions.ts';
import { ConfigError, DivisionTree, loadDeploymentConfig } from '../../packages/config/deployment.ts';
import { requireEnv } from '../../packages/config/environment.ts';
import { validateEvent } from '../../packages/contract/index.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { IndicatorEvaluator } from '../../packages/indicators/evaluator.ts';
import { RecordedBaselines } from '../../packages/indicators/recorded-baselines.ts';
import type { MaintenanceRunner } from '../../packages/maintenance/maintenance.ts';
import { DynamoBaselineReader } from '../../packages/storage/baseline-reader.ts';
import { DynamoCounterReader } from '../../packages/storage/counter-reader.ts';
import { DynamoLedgerReader } from '../../packages/storage/ledger-reader.ts';
import { DynamoOrganisationReader } from '../../packages/storage/org-reader.ts';
import type { ApiDependencies } from './app.ts';
import { SqsEventQueue, signedSqsSender } from './event-queue.ts';
import { InProcessFunctionRunner, LambdaMaintenanceRunner, signedLambdaInvoker, UnconfiguredMaintenanceRunner } from './maintenance-runner.ts';
import type { ApiLogger } from './problems.ts';

/** Environment variables that choose how the admin routes run maintenance. */
export const maintenanceEnv = {
  /** Name of the maintenance function, invoked synchronously (AWS). */
  functionName: env.maintenanceFunctionName,
  /** `in-process`: run rebuild/reconcile inside the API process (local stack only: needs write access). */
  mode: env.maintenanceMode,
} as const;

/**
 * Reads table names, the queue URL and the deployment configuration from
 * `environment`, and creates the DynamoDB client; SQS and Lambda are reached
 * by signed calls (signed-request.ts). Endpoints follow `AWS_ENDPOINT_URL_*`
 * as the SDK does.
 *
 * @throws MissingEnvironmentError naming the first variable that is not set.
 * @throws ConfigError for a MAINTENANCE_MODE other than `in-process`.
 */
export function apiDependenciesFromEnvironment(environment: NodeJS.ProcessEnv = process.env, logger?: ApiLogger): ApiDependencies {
  const ledgerName = requireEnv(ledgerTable.envVar, environment);
  const stateName = requireEnv(stateTable.envVar, environment);
  const countersName = requireEnv(countersTable.envVar, environment);
  const queueUrl = requireEnv(eventsQueue.envVar, environment);
  const config = loadDeploymentConfig(environment);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const divisions = new DivisionTree(config.root);
  const counters = new DynamoCounterReader(doc, countersName);
  return {
    catalog: indicatorCatalog,
    indicators: new IndicatorEvaluator(counters, (d) => divisions.subtree(d), new RecordedBaselines(new DynamoBaselineReader(doc, countersName), counters, divisions)),
    ledger: new DynamoLedgerReader(doc, ledgerName),
    organisations: new DynamoOrganisationReader(doc, stateName),
    queue: new SqsEventQueue(signedSqsSender(environment), queueUrl, logger),
    divisions,
    sources: config.sources,
    validateEvent,
    maintenance: maintenanceRunner(environment),
    now: () => new Date(),
    ...(logger === undefined ? {} : { logger }),
  };
}

/**
 * The maintenance function when `MAINTENANCE_FUNCTION_NAME` is set; its
 * handler loaded into this process when `MAINTENANCE_MODE=in-process` (the
 * local stack, whose environment already names the tables); otherwise a
 * runner whose every call is answered 503, so a missing setting breaks only
 * the admin routes.
 *
 * @throws ConfigError for a MAINTENANCE_MODE other than `in-process`.
 */
function maintenanceRunner(environment: NodeJS.ProcessEnv): MaintenanceRunner {
  const functionName = environment[maintenanceEnv.functionName];
  if (functionName !== undefined && functionName !== '') return new LambdaMaintenanceRunner(signedLambdaInvoker(functionName, environment));
  const mode = environment[maintenanceEnv.mode];
  if (mode === 'in-process') return new InProcessFunctionRunner();
  if (mode !== undefined && mode !== '') throw new ConfigError(`${maintenanceEnv.mode} must be "in-process" or unset`);
  return new UnconfiguredMaintenanceRunner();
}
