/** The API's real dependencies, built from the environment (Lambda or the local stack). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchedIndicatorComputation } from '../../packages/api/batched-evaluation.ts';
import type { ApiDependencies } from '../../packages/api/dependencies.ts';
import type { ApiLogger } from '../../packages/api/problems.ts';
import { DivisionTree, loadDeploymentConfig } from '../../packages/config/deployment.ts';
import type { MaintenanceSetting } from '../../packages/config/environment.ts';
import { apiSettings } from '../../packages/config/environment.ts';
import { env } from '../../packages/config/resources.ts';
import { validateEvent } from '../../packages/contract/index.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import type { MaintenanceRunner } from '../../packages/maintenance/maintenance.ts';
import { Explainer } from '../../packages/explain/explainer.ts';
import { RecordedBaselines } from '../../packages/indicators/recorded-baselines.ts';
import { DynamoBaselineReader } from '../../packages/storage/baseline-reader.ts';
import { DynamoExplainReader } from '../../packages/storage/explain-reader.ts';
import { DynamoCounterBatchReader } from '../../packages/storage/counter-batch-reader.ts';
import { orgFoldingCounters } from '../../packages/storage/counter-reader.ts';
import { recordRejection } from '../../packages/storage/ledger-records.ts';
import { Pseudonymiser } from '../../packages/processing/pseudonymise.ts';
import { DynamoLedgerReader } from '../../packages/storage/ledger-reader.ts';
import { DynamoRejectionReader } from '../../packages/storage/rejection-reader.ts';
import { DynamoOrganisationReader } from '../../packages/storage/org-reader.ts';
import { DynamoPublicationStore } from '../../packages/publications/publication-store.ts';
import { DynamoTargetStore } from '../../packages/publications/targets.ts';
import { SqsEventQueue, signedSqsSender } from './event-queue.ts';
import { InProcessFunctionRunner, LambdaMaintenanceRunner, signedLambdaInvoker, UnconfiguredMaintenanceRunner } from './maintenance-runner.ts';

/** Environment variables that choose how the admin routes run maintenance. */
export const maintenanceEnv = {
  /** Name of the maintenance function, invoked synchronously (AWS). */
  functionName: env.maintenanceFunctionName,
  /** `in-process`: run rebuild/reconcile inside the API process (local stack only: needs write access). */
  mode: env.maintenanceMode,
} as const;

/**
 * Reads table names, the queue URL and the deployment configuration from
 * `environment` (parsed with zod: packages/config), and creates the DynamoDB
 * client; SQS and Lambda are reached by signed calls (signed-request.ts).
 * Endpoints follow `AWS_ENDPOINT_URL_*` as the SDK does.
 *
 * @throws ConfigError naming the first variable that is unset or malformed.
 */
export function apiDependenciesFromEnvironment(environment: NodeJS.ProcessEnv, pseudonymKey: string, logger?: ApiLogger): ApiDependencies {
  const settings = apiSettings(environment);
  const config = loadDeploymentConfig(environment);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const divisions = new DivisionTree(config.root);
  const counters = orgFoldingCounters(doc, settings.tables);
  return {
    catalog: indicatorCatalog,
    indicators: new BatchedIndicatorComputation(
      counters,
      new DynamoCounterBatchReader(doc, settings.tables.counters),
      new DynamoBaselineReader(doc, settings.tables.counters),
      divisions,
    ),
    explainer: new Explainer(
      new DynamoExplainReader(doc, settings.tables.ledger),
      new RecordedBaselines(new DynamoBaselineReader(doc, settings.tables.counters), counters, divisions),
      divisions,
    ),
    ledger: new DynamoLedgerReader(doc, settings.tables.ledger),
    rejections: new DynamoRejectionReader(doc, settings.tables.ledger),
    organisations: new DynamoOrganisationReader(doc, settings.tables.state),
    queue: new SqsEventQueue(signedSqsSender(environment), settings.queueUrl, logger),
    // The API writes nothing but rejection records (its role may only PutItem on the Ledger).
    recordRejection: (record) => recordRejection(doc, settings.tables.ledger, record),
    pseudonymiser: new Pseudonymiser(pseudonymKey),
    divisions,
    sources: config.sources,
    claimNames: config.claims,
    validateEvent,
    maintenance: maintenanceRunner(settings.maintenance),
    // Read only here (the role may not write it): publications are written by the maintenance function.
    publications: new DynamoPublicationStore(doc, settings.tables.publications),
    targets: new DynamoTargetStore(doc, settings.tables.targets),
    now: () => new Date(),
    ...(logger === undefined ? {} : { logger }),
  };
}

/**
 * The maintenance function in AWS; its handler loaded into this process on
 * the local stack; otherwise a runner whose every call is answered 503, so a
 * missing setting breaks only the admin routes.
 */
function maintenanceRunner(setting: MaintenanceSetting): MaintenanceRunner {
  if (setting.kind === 'function') return new LambdaMaintenanceRunner(signedLambdaInvoker(setting.functionName));
  if (setting.kind === 'in-process') return new InProcessFunctionRunner();
  return new UnconfiguredMaintenanceRunner();
}
