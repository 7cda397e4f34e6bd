/**
 * The processor against real DynamoDB Local, one event at a time, so the
 * order of arrival is under the test's control. Faults DynamoDB Local cannot
 * produce (timeouts after commit, transaction conflicts) are injected around
 * the real client.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { residentIdFor, usccFor } from '../../packages/contract/fixtures.ts';
import { counterKeys, metrics } from '../../packages/domain/metrics.ts';
import { createTables, localAwsEnv, startDynamoDbLocal } from '../../packages/local-stack/emulators.ts';
import type { ProcessorDependencies } from '../../packages/processing/process-batch.ts';
import { processEvent } from '../../packages/processing/process-batch.ts';
import { Pseudonymiser } from '../../packages/processing/pseudonymise.ts';
import { EventStore } from '../../packages/storage/event-store.ts';
import { liveFigure } from '../support/counter-table.ts';
import { transactionCancelled } from '../support/processor.ts';

const county = '500233000000';
const zhongzhou = '500233001000';
const orgA = usccFor(501);
let dynamo: Awaited<ReturnType<typeof startDynamoDbLocal>>;
let doc: DynamoDBDocumentClient;
let tables: { ledger: string; state: string; counters: string };
let deps: ProcessorDependencies;
let seq = 0;

function cloudEvent(source: string, type: string, data: Record<string, unknown>, time = '2026-05-06T10:00:00+08:00') {
  return { specversion: '1.0', id: `it-${++seq}`, source, type, time, data };
}

async function deliver(event: unknown, options: { receiveCount?: number; now?: Date } = {}) {
  return processEvent(
    { body: JSON.stringify(event), messageId: `m-${++seq}`, receiveCount: options.receiveCount ?? 1 },
    options.now === undefined ? deps : { ...deps, now: () => options.now as Date },
  );
}

/** A figure as the API reads it: `pk` a scope (a division with its subtree), `sk` a period. */
async function counter(pk: string, sk: string, metric: string): Promise<number> {
  return liveFigure(doc, tables, pk, sk, metric);
}

beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  const env = localAwsEnv({ dynamodb: dynamo.endpoint, sqs: 'http://127.0.0.1:1' });
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: env['AWS_REGION'] ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const names = await createTables(client);
  tables = { ledger: names['LEDGER_TABLE']!, state: names['STATE_TABLE']!, counters: names['COUNTERS_TABLE']! };
  doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  deps = {
    store: new EventStore(doc, tables),
    divisions: new DivisionTree(defaultDeploymentConfig.root),
    sources: defaultDeploymentConfig.sources,
    rewards: defaultDeploymentConfig.rewards,
    pseudonymiser: new Pseudonymiser('integration-test-key-0123456789abcdef'),
    unknownOrgMaxAttempts: 3,
  };
  const registered = await deliver(
    cloudEvent('market.zhongxian', 'organization.registered.v1', {
      orgCode: orgA, name: 'Zhongzhou Works', kind: 'enterprise', ownership: 'non_public', division: zhongzhou, workers: 300,
    }, '2026-01-02T09:00:00+08:00'),
  );
  expect(registered.outcome).toBe('accepted');
});

afterAll(async () => {
  await dynamo?.stop();
});

describe('dispute events in every order', () => {
  it('gives the same counts for all 24 orders of filed, mediated, confirmed, fulfilled', async () => {
    const permutations = (xs: number[]): number[][] =>
      xs.length <= 1 ? [xs] : xs.flatMap((x) => permutations(xs.filter((y) => y !== x)).map((p) => [x, ...p]));
    const orders = permutations([0, 1, 2, 3]);
    expect(orders).toHaveLength(24);
    for (const [n, order] of orders.entries()) {
      const caseNo = `ORDER-${n}`;
      const steps = [
        cloudEvent('union.zhongxian', 'dispute.filed.v1', { caseNo, orgCode: orgA, claimants: 2, category: 'wages', channel: 'union' }, '2026-07-01T10:00:00+08:00'),
        cloudEvent('union.zhongxian', 'dispute.mediated.v1', { caseNo, orgCode: orgA, outcome: 'agreement', agreedYuan: 8000 }, '2026-07-10T10:00:00+08:00'),
        cloudEvent('court.zhongxian', 'dispute.confirmed.v1', { caseNo, orgCode: orgA }, '2026-07-20T10:00:00+08:00'),
        cloudEvent('union.zhongxian', 'dispute.fulfilled.v1', { caseNo, orgCode: orgA, paidYuan: 8000 }, '2026-08-03T10:00:00+08:00'),
      ];
      for (const i of order) expect((await deliver(steps[i])).outcome).toBe('accepted');
    }
    const div = counterKeys.division(county);
    expect(await counter(div, 'M#2026-07', metrics.disputesFiled)).toBe(24);
    expect(await counter(div, 'M#2026-07', metrics.disputesMediated)).toBe(24);
    expect(await counter(div, 'M#2026-07', metrics.disputesOneStop)).toBe(0);
    expect(await counter(div, 'M#2026-08', metrics.disputesOneStop)).toBe(24);
    expect(await counter(div, 'D#2026-08-03', metrics.disputesOneStop)).toBe(24);
    expect(await counter(counterKeys.org(orgA), 'Y#2026', metrics.disputesOneStop)).toBe(24);
  });
});

describe('periods are Asia/Shanghai calendar dates', () => {
  it('counts an event at 2026-12-31T20:00Z in 2027', async () => {
    const event = cloudEvent('union.zhongxian', 'contract.signed.v1', {
      contractNo: 'NEW-YEAR-1', kind: 'collective', orgCodes: [orgA], workersCovered: 77, signedOn: '2027-01-01',
    }, '2026-12-31T20:00:00Z');
    expect((await deliver(event, { now: new Date('2027-01-02T00:00:00Z') })).outcome).toBe('accepted');
    const div = counterKeys.division(county);
    expect(await counter(div, 'Y#2027', metrics.contractsCollective)).toBe(1);
    expect(await counter(div, 'D#2027-01-01', metrics.contractWorkers)).toBe(77);
    expect(await counter(div, 'Y#2026', metrics.contractWorkers)).toBe(0);
  });
});

describe('certificates', () => {
  it('a revocation moves the holder down a level and claws the reward back in its period', async () => {
    const holder = { idNumber: residentIdFor(9001), frontline: true };
    const submit = (certificateNo: string, level: string, time: string) =>
      cloudEvent('hrss.zhongxian', 'certificate.submitted.v1', { certificateNo, kind: 'skill', level, issuedOn: time.slice(0, 10), holder, orgCode: orgA }, time);
    expect((await deliver(submit('RV-1', 'level4', '2026-02-01T10:00:00+08:00'))).outcome).toBe('accepted');
    expect((await deliver(submit('RV-2', 'level2', '2026-03-01T10:00:00+08:00'))).outcome).toBe('accepted');
    const div = counterKeys.division(zhongzhou);
    expect(await counter(div, 'M#2026-03', metrics.highSkilled)).toBe(1);
    expect(await counter(div, 'M#2026-03', metrics.rewardFen)).toBe(400_000);
    const revoke = cloudEvent('hrss.zhongxian', 'certificate.revoked.v1', { certificateNo: 'RV-2', reason: 'forged' }, '2026-09-15T10:00:00+08:00');
    expect((await deliver(revoke)).outcome).toBe('accepted');
    expect(await counter(div, 'M#2026-09', metrics.highSkilled)).toBe(-1);
    expect(await counter(div, 'M#2026-09', metrics.rewardFen)).toBe(-400_000);
    expect(await counter(div, 'M#2026-09', metrics.rewardedCertificates)).toBe(-1);
    expect(await counter(div, 'M#2026-09', metrics.skilled)).toBe(0);
    expect(await counter(div, 'Y#2026', metrics.skilled)).toBe(1);
  });
});

describe('exactly once', () => {
  const signed = (contractNo: string) =>
    cloudEvent('union.zhongxian', 'contract.signed.v1', {
      contractNo, kind: 'special', topic: 'wages', orgCodes: [orgA], workersCovered: 10, signedOn: '2026-06-01',
    }, '2026-06-01T10:00:00+08:00');
  const specials = () => counter(counterKeys.org(orgA), 'D#2026-06-01', metrics.contractsSpecial);

  it('applies concurrent duplicates once', async () => {
    const before = await specials();
    const event = signed('CONCURRENT-1');
    const results = await Promise.all(Array.from({ length: 6 }, () => deliver(event)));
    expect(results.filter((r) => r.outcome === 'accepted')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(5);
    expect(await specials()).toBe(before + 1);
    const { Item } = await doc.send(new GetCommand({ TableName: tables.ledger, Key: { pk: `EVENT#union.zhongxian#${event.id}`, sk: 'ACCEPTED' } }));
    expect(Item?.['duplicates']).toBe(5);
  });

  it('rejects the same key with other content as a conflict and applies nothing', async () => {
    const before = await specials();
    const event = signed('CONFLICT-1');
    expect((await deliver(event)).outcome).toBe('accepted');
    const changed = { ...event, data: { ...event.data, workersCovered: 11 } };
    expect(await deliver(changed)).toMatchObject({ outcome: 'rejected', reason: 'conflict' });
    expect(await specials()).toBe(before + 1);
    const { Items } = await doc.send(new QueryCommand({
      TableName: tables.ledger, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `EVENT#union.zhongxian#${event.id}` },
    }));
    expect(Items?.map((i) => i['outcome']).sort()).toEqual(['accepted', 'rejected']);
  });

  it('a write that committed but timed out is not applied twice when retried', async () => {
    const before = await specials();
    const event = signed('AMBIGUOUS-1');
    const realSend = doc.send.bind(doc);
    // The lookup of the ledger goes through; the transaction commits, then the client times out.
    const spy = vi.spyOn(doc, 'send');
    let transactions = 0;
    spy.mockImplementation((async (command: Parameters<typeof realSend>[0]) => {
      if (command instanceof TransactWriteCommand && transactions++ === 0) {
        await realSend(command);
        throw Object.assign(new Error('socket timed out after commit'), { name: 'TimeoutError' });
      }
      return realSend(command);
    }) as never);
    await expect(deliver(event)).rejects.toThrow('socket timed out');
    expect(await deliver(event)).toMatchObject({ outcome: 'duplicate' });
    spy.mockRestore();
    expect(await specials()).toBe(before + 1);
  });

  it('retries a transaction cancelled by a conflicting transaction and applies it once', async () => {
    const before = await specials();
    const realSend = doc.send.bind(doc);
    let transactions = 0;
    const spy = vi.spyOn(doc, 'send').mockImplementation((async (command: Parameters<typeof realSend>[0]) => {
      if (command instanceof TransactWriteCommand && transactions++ === 0) {
        throw transactionCancelled(['None', 'TransactionConflict']);
      }
      return realSend(command);
    }) as never);
    expect(await deliver(signed('CONTENDED-1'))).toMatchObject({ outcome: 'accepted' });
    spy.mockRestore();
    expect(transactions).toBe(2);
    expect(await specials()).toBe(before + 1);
  });
});
