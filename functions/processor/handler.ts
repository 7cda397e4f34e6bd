import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { countersTable, env, ledgerTable, stateTable, unknownOrgMaxAttempts } from '../../packages/config/resources.ts';
import { DivisionTree, loadDeploymentConfig } from '../../packages/config/deployment.ts';
import { requireEnv } from '../../packages/config/environment.ts';
import type { ProcessorDependencies } from '../../packages/processing/process-event.ts';
import { processEvent, RetryableProcessingError } from '../../packages/processing/process-event.ts';
import { loadPseudonymKey } from '../../packages/processing/pseudonym-key.ts';
import { Pseudonymiser } from '../../packages/processing/pseudonymise.ts';
import { EventStore } from '../../packages/storage/event-store.ts';

const logger = new Logger({ serviceName: 'reform-indicators-processor' });
const metrics = new Metrics({ namespace: 'ReformIndicators', serviceName: 'processor' });
const config = loadDeploymentConfig();
const store = new EventStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
  { ledger: requireEnv(ledgerTable.envVar), state: requireEnv(stateTable.envVar), counters: requireEnv(countersTable.envVar) },
);
const dependencies: ProcessorDependencies = {
  store,
  divisions: new DivisionTree(config.root),
  sources: config.sources,
  rewards: config.rewards,
  pseudonymiser: new Pseudonymiser(await loadPseudonymKey()),
  unknownOrgMaxAttempts: Number(process.env[env.unknownOrgMaxAttempts] ?? unknownOrgMaxAttempts),
};
// Sequential: events in one batch often depend on each other (an organisation
// registered just before its first certificate).
const batch = new BatchProcessor(EventType.SQS);

async function processRecord(record: SQSRecord): Promise<void> {
  try {
    const result = await processEvent(
      {
        body: record.body,
        messageId: record.messageId,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
        sentAt: new Date(Number(record.attributes.SentTimestamp)),
      },
      dependencies,
    );
    metrics.addMetric(result.outcome === 'rejected' ? `rejected_${result.reason}` : result.outcome, MetricUnit.Count, 1);
    const { source, id, type, outcome } = result;
    logger.info('event processed', { source, id, type, outcome, ...(result.outcome === 'rejected' ? { reason: result.reason } : {}) });
  } catch (error) {
    metrics.addMetric('retried', MetricUnit.Count, 1);
    // Only our own messages and AWS error names: both are free of personal data.
    logger.warn('event left for redelivery', {
      messageId: record.messageId,
      error: error instanceof RetryableProcessingError ? error.message : error instanceof Error ? error.name : 'unknown',
    });
    throw error;
  }
}

/** The bare handler: processes a batch and reports the records to retry. */
export async function processBatch(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return processPartialResponse(event, processRecord, batch, { context, processInParallel: false, throwOnFullBatchFailure: false });
}

/** Lambda entry point (SQS event source mapping with ReportBatchItemFailures). */
export const handler = middy(processBatch).use(injectLambdaContext(logger)).use(logMetrics(metrics));
