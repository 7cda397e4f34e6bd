import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DivisionTree, loadDeploymentConfig } from '../../packages/config/deployment.ts';
import { processorSettings, tableNames } from '../../packages/config/environment.ts';
import type { ProcessorDependencies } from '../../packages/processing/process-batch.ts';
import { processBatch } from '../../packages/processing/process-batch.ts';
import { loadPseudonymKey } from '../../packages/processing/pseudonym-key.ts';
import { Pseudonymiser } from '../../packages/processing/pseudonymise.ts';
import { EventStore } from '../../packages/storage/event-store.ts';

const logger = new Logger({ serviceName: 'reform-indicators-processor' });
const metrics = new Metrics({ namespace: 'ReformIndicators', serviceName: 'processor' });
const config = loadDeploymentConfig();
const settings = processorSettings();
const store = new EventStore(DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), tableNames());
const dependencies: ProcessorDependencies = {
  store,
  divisions: new DivisionTree(config.root),
  sources: config.sources,
  rewards: config.rewards,
  pseudonymiser: new Pseudonymiser(await loadPseudonymKey()),
  unknownOrgMaxAttempts: settings.unknownOrgMaxAttempts,
  lastDelivery: settings.lastDelivery,
};

/**
 * The bare handler: processes the batch as a whole (its events are decided
 * together and committed in shared transactions) and reports the records
 * to deliver again.
 */
export async function processSqsBatch(event: SQSEvent): Promise<SQSBatchResponse> {
  const results = await processBatch(
    event.Records.map((record) => ({
      body: record.body,
      messageId: record.messageId,
      receiveCount: Number(record.attributes.ApproximateReceiveCount),
      sentAt: new Date(Number(record.attributes.SentTimestamp)),
    })),
    dependencies,
  );
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  // One value per outcome and batch: a value per record would overflow EMF's 100 values a metric in a batch of 1,000.
  const tally = new Map<string, number>();
  const count = (name: string): void => void tally.set(name, (tally.get(name) ?? 0) + 1);
  for (const record of event.Records) {
    const result = results.get(record.messageId);
    if (result?.ok === true) {
      const { outcome } = result;
      count(outcome.outcome === 'rejected' ? `rejected_${outcome.reason}` : outcome.outcome);
      const { source, id, type } = outcome;
      logger.info('event processed', { source, id, type, outcome: outcome.outcome, ...(outcome.outcome === 'rejected' ? { reason: outcome.reason } : {}) });
    } else {
      count('retried');
      // Only our own messages: free of personal data.
      logger.warn('event left for redelivery', { messageId: record.messageId, error: result?.error.message ?? 'not processed' });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  for (const [name, value] of tally) metrics.addMetric(name, MetricUnit.Count, value);
  return { batchItemFailures };
}

/** Lambda entry point (SQS event source mapping with ReportBatchItemFailures). */
export const handler = middy(processSqsBatch).use(injectLambdaContext(logger)).use(logMetrics(metrics));
