/**
 * The whole write path through the real queue and database: events sent to
 * the SQS emulator, delivered in batches by the local event source mapping
 * to the real processor handler, applied to DynamoDB Local.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { liveFigure } from '../support/counter-table.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterKeys, metrics } from '../../packages/domain/metrics.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';
import type { CapturedOutput } from '../support/captured-output.ts';
import { captureOutput } from '../support/captured-output.ts';
import { sendBodies, waitUntilDrained } from '../support/queue.ts';
import { scanTable } from '../support/tables.ts';
import { buildWorkload, randomSequence, shuffle } from '../support/workload.ts';

const county = counterKeys.division('500233000000');
let stack: LocalStack;
let doc: DynamoDBDocumentClient;
const workload = buildWorkload(1000, 11);
let output: CapturedOutput | undefined;

const scanAll = (table: string): Promise<Record<string, unknown>[]> => scanTable(doc, table);

const yearly = (metric: string): Promise<number> => liveFigure(doc, { counters: stack.env['COUNTERS_TABLE'] as string, ledger: stack.env['LEDGER_TABLE'] as string, state: stack.env['STATE_TABLE'] as string }, county, 'Y#2026', metric);

let duplicatesSent = 0;

beforeAll(async () => {
  // The most verbose level the code can log at, so the scan below covers every log line it could write.
  process.env['POWERTOOLS_LOG_LEVEL'] = 'DEBUG';
  output = captureOutput();
  // Long enough that a batch slowed by a busy machine is not redelivered (which would count as extra duplicates).
  stack = await startLocalStack({ withApi: false, quiet: true, visibilityTimeoutSeconds: 15 });
  doc = DynamoDBDocumentClient.from(stack.ddb);
  // The registry comes first, as in production: every other event names an organisation.
  await sendBodies(stack.sqs, stack.queueUrl, workload.registry.map((e) => JSON.stringify(e)));
  await waitUntilDrained(stack.sqs, stack.queueUrl);
  const random = randomSequence(99);
  const redelivered = shuffle(workload.events, random).slice(0, Math.round(workload.events.length * 0.3));
  duplicatesSent = redelivered.length;
  const messages = shuffle([...workload.events, ...redelivered], random).map((e) => JSON.stringify(e));
  await sendBodies(stack.sqs, stack.queueUrl, messages);
  await waitUntilDrained(stack.sqs, stack.queueUrl, 300_000);
}, 360_000);

afterAll(async () => {
  output?.restore();
  await stack?.stop();
});

describe('1,000 events, 30% redelivered, shuffled', () => {
  it('produces exactly the expected county figures', async () => {
    const { expected } = workload;
    expect({
      skilled: await yearly(metrics.skilled),
      highSkilled: await yearly(metrics.highSkilled),
      rewardFen: await yearly(metrics.rewardFen),
      rewardedCertificates: await yearly(metrics.rewardedCertificates),
      contractsCollective: await yearly(metrics.contractsCollective),
      contractsSpecial: await yearly(metrics.contractsSpecial),
      contractWorkers: await yearly(metrics.contractWorkers),
      disputesFiled: await yearly(metrics.disputesFiled),
      disputesMediated: await yearly(metrics.disputesMediated),
      disputesOneStop: await yearly(metrics.disputesOneStop),
      orgsNonPublic: await yearly(metrics.orgsNonPublic),
      partyOrgsNonPublic: await yearly(metrics.partyOrgsNonPublic),
      orgsSocial: await yearly(metrics.orgsSocial),
      partyOrgsSocial: await yearly(metrics.partyOrgsSocial),
    }).toEqual(expected);
    expect(expected.skilled).toBeGreaterThan(100);
    expect(expected.rewardFen).toBeGreaterThan(0);
  });

  it('records every event once as accepted, counts the redeliveries, rejects none, dead-letters none', async () => {
    const ledger = await scanAll(stack.env['LEDGER_TABLE'] as string);
    const accepted = ledger.filter((i) => i['sk'] === 'ACCEPTED');
    expect(accepted).toHaveLength(1000);
    expect(ledger.filter((i) => String(i['sk']).startsWith('REJECTED'))).toEqual([]);
    expect(accepted.reduce((sum, i) => sum + Number(i['duplicates'] ?? 0), 0)).toBe(duplicatesSent);
    const { Attributes } = await stack.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('stores and logs no raw ID number', async () => {
    const everything = JSON.stringify(
      await Promise.all(['LEDGER_TABLE', 'STATE_TABLE', 'COUNTERS_TABLE'].map((t) => scanAll(stack.env[t] as string))),
    );
    const logs = output?.text() ?? '';
    expect(logs).toContain('event processed');
    expect(everything).toContain('p_');
    for (const idNumber of workload.idNumbers) {
      expect(everything.includes(idNumber)).toBe(false);
      expect(logs.includes(idNumber)).toBe(false);
    }
    expect(workload.idNumbers.length).toBeGreaterThan(100);
  });
});
