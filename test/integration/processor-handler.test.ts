/**
 * The deployed processor handler (middy + Powertools batch) against real
 * DynamoDB Local: a throttled write fails only its own record, which the
 * queue then delivers again. Throttling is injected; DynamoDB Local cannot
 * produce it.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { liveFigure } from '../support/counter-table.ts';
import { sqsRecordOf } from '../support/queue.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sampleEvent, usccFor } from '../../packages/contract/fixtures.ts';
import { counterKeys, metrics } from '../../packages/domain/metrics.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';
import { lambdaContext } from '../../packages/local-stack/poller.ts';

let stack: LocalStack;
let processSqsBatch: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
const orgCode = usccFor(8080);

const contract = (id: string, contractNo: string) =>
  sampleEvent('contract.signed.v1', { id, data: { contractNo, orgCodes: [orgCode], kind: 'collective', topic: undefined } });

beforeAll(async () => {
  stack = await startLocalStack({ withApi: false, withPoller: false, quiet: true });
  ({ processSqsBatch, handler } = (await import('../../functions/processor/handler.ts')) as unknown as { processSqsBatch: typeof processSqsBatch; handler: typeof handler });
  const response = await processSqsBatch(
    { Records: [sqsRecordOf(sampleEvent('organization.registered.v1', { id: 'reg-8080', data: { orgCode } }))] },
    lambdaContext('processor', 'us-east-1', 30_000),
  );
  expect(response.batchItemFailures).toEqual([]);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await stack?.stop();
});

describe('processor handler', () => {
  it('fails only the throttled record; its redelivery applies it once', async () => {
    const realSend = DynamoDBDocumentClient.prototype.send;
    const spy = vi.spyOn(DynamoDBDocumentClient.prototype, 'send').mockImplementation(function (this: DynamoDBDocumentClient, command: { input?: unknown }) {
      if (JSON.stringify(command.input ?? {}).includes('THROTTLED-1')) {
        return Promise.reject(Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' }));
      }
      return (realSend as (c: unknown) => Promise<unknown>).call(this, command);
    } as never);
    const batch = [sqsRecordOf(contract('c-1', 'OK-1')), sqsRecordOf(contract('c-2', 'THROTTLED-1')), sqsRecordOf(contract('c-3', 'OK-2'))];
    const response = await processSqsBatch({ Records: batch }, lambdaContext('processor', 'us-east-1', 30_000));
    spy.mockRestore();
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: batch[1]?.messageId }]);

    const again = await processSqsBatch({ Records: [sqsRecordOf(JSON.parse(batch[1]?.body ?? '{}'), 2)] }, lambdaContext('processor', 'us-east-1', 30_000));
    expect(again.batchItemFailures).toEqual([]);
    const doc = DynamoDBDocumentClient.from(stack.ddb);
    const tables = { counters: stack.env['COUNTERS_TABLE'] as string, ledger: stack.env['LEDGER_TABLE'] as string, state: stack.env['STATE_TABLE'] as string };
    expect(await liveFigure(doc, tables, counterKeys.org(orgCode), 'Y#2026', metrics.contractsCollective)).toBe(3);
  });

  it('publishes one metric value per outcome and batch, however large the batch', async () => {
    // EMF takes at most 100 values a metric: a value per record would flush mid-batch and end with an empty publish (and its warning).
    const written: string[] = [];
    const capture = (chunk: unknown): boolean => (written.push(String(chunk)), true);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture as never);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture as never);
    const batch = Array.from({ length: 200 }, (_, i) => sqsRecordOf(sampleEvent('studio.established.v1', { id: `metrics-studio-${i}`, data: { studioId: `M-${i}`, orgCode } })));
    const response = await handler({ Records: batch }, lambdaContext('processor', 'us-east-1', 30_000));
    out.mockRestore();
    err.mockRestore();
    expect(response.batchItemFailures).toEqual([]);
    expect(written.join('')).not.toContain('No application metrics');
    const emf = written.flatMap((line) => line.split('\n')).filter((line) => line.includes('"CloudWatchMetrics"'));
    expect(emf).toHaveLength(1);
    // One value for the 200 (the bare handler calls above leave theirs in the same store, published with it).
    expect([(JSON.parse(emf[0] as string) as { accepted: number | number[] }).accepted].flat()).toContain(200);
  });

  it('records poison input as rejected and reports no failure for it', async () => {
    const response = await processSqsBatch({ Records: [sqsRecordOf('not an event'), sqsRecordOf(contract('c-4', 'OK-3'))] }, lambdaContext('processor', 'us-east-1', 30_000));
    expect(response.batchItemFailures).toEqual([]);
  });
});
