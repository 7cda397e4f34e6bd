/** The API's real dependencies, built from the environment (Lambda or the local stack). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { countersTable, eventsQueue, ledgerTable, stateTable } from '../../infra/definitions.ts';
import { DivisionTree, loadDeploymentConfig } from '../../packages/config/deployment.ts';
import { requireEnv } from '../../packages/config/environment.ts';
import { validateEvent } from '../../packages/contract/index.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { IndicatorEvaluator } from '../../packages/indicators/evaluator.ts';
import { RecordedBaselines } from '../../packages/indicators/recorded-baselines.ts';
import { DynamoBaselineReader } from '../../packages/storage/baseline-reader.ts';
import { DynamoCounterReader } from '../../packages/storage/counter-reader.ts';
import { DynamoLedgerReader } from '../../packages/storage/ledger-reader.ts';
import { DynamoOrganisationReader } from '../../packages/storage/org-reader.ts';
import type { ApiDependencies } from './app.ts';
import { SqsEventQueue } from './event-queue.ts';
import type { ApiLogger } from './problems.ts';

/**
 * Reads table names, the queue URL and the deployment configuration from
 * `environment`, and creates the AWS clients (their endpoints follow
 * `AWS_ENDPOINT_URL_*` as the SDK does).
 *
 * @throws MissingEnvironmentError naming the first variable that is not set.
 */
export function apiDependenciesFromEnvironment(environment: NodeJS.ProcessEnv = process.env, logger?: ApiLogger): ApiDependencies {
  const ledgerName = requireEnv(ledgerTable.envVar, environment);
  const stateName = requireEnv(stateTable.envVar, environment);
  const countersName = requireEnv(countersTable.envVar, environment);
  const queueUrl = requireEnv(eventsQueue.envVar, environment);
  const config = loadDeploymentConfig(environment);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const divisions = new DivisionTree(config.root);
  const counters = new DynamoCounterReader(doc, countersName);
  return {
    catalog: indicatorCatalog,
    indicators: new IndicatorEvaluator(counters, new RecordedBaselines(new DynamoBaselineReader(doc, countersName), counters, divisions)),
    ledger: new DynamoLedgerReader(doc, ledgerName),
    organisations: new DynamoOrganisationReader(doc, stateName),
    queue: new SqsEventQueue(new SQSClient({}), queueUrl, logger),
    divisions,
    sources: config.sources,
    validateEvent,
    now: () => new Date(),
    ...(logger === undefined ? {} : { logger }),
  };
}
