/**
 * Every rejection reason, each produced by a real bad input sent through the
 * queue, recorded in the ledger, and never blocking the queue.
 */
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../packages/auth/local-tokens.ts';
import { residentIdFor, sampleEvent, usccFor } from '../../packages/contract/fixtures.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';
import { waitUntilDrained } from '../support/queue.ts';

let stack: LocalStack;
let doc: DynamoDBDocumentClient;
const badId = `${residentIdFor(77).slice(0, 17)}${residentIdFor(77).endsWith('1') ? '2' : '1'}`;
const orgCode = usccFor(4242);
const messageIds: Record<string, string> = {};

async function send(name: string, body: string): Promise<void> {
  const { MessageId } = await stack.sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: body }));
  messageIds[name] = MessageId as string;
}

async function outcomes(source: string, id: string): Promise<Record<string, unknown>[]> {
  const { Items } = await doc.send(
    new QueryCommand({
      TableName: stack.env['LEDGER_TABLE'],
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `EVENT#${source}#${id}` },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

const certificate = (id: string, overrides: Record<string, unknown> = {}) =>
  sampleEvent('certificate.submitted.v1', { id, source: 'hrss.zhongxian', ...overrides });

beforeAll(async () => {
  stack = await startLocalStack({ apiPort: 0, quiet: true, visibilityTimeoutSeconds: 1 });
  doc = DynamoDBDocumentClient.from(stack.ddb);
  const registration = sampleEvent('organization.registered.v1', { id: 'reg-1', data: { orgCode } });
  await send('registration', JSON.stringify(registration));
  await waitUntilDrained(stack.sqs, stack.queueUrl);
  const good = certificate('cert-ok', { data: { orgCode, certificateNo: 'OK-1' } });
  await send('good', JSON.stringify(good));
  await waitUntilDrained(stack.sqs, stack.queueUrl);

  await send('notJson', '{"specversion": "1.0", oops');
  const { specversion: _dropped, ...noSpec } = certificate('no-spec', { data: { orgCode } });
  await send('invalidEnvelope', JSON.stringify(noSpec));
  await send('invalidData', JSON.stringify(certificate('bad-id', { data: { orgCode, holder: { idNumber: badId, frontline: true } } })));
  await send('unknownType', JSON.stringify({ ...certificate('odd-type'), type: 'certificate.laminated.v1' }));
  await send('forbiddenType', JSON.stringify({ ...certificate('wrong-source'), source: 'market.zhongxian' }));
  await send('conflict', JSON.stringify({ ...good, data: { ...good.data, level: 'level1' } }));
  await send('unknownOrg', JSON.stringify(certificate('no-org', { data: { orgCode: usccFor(999_999), certificateNo: 'NO-ORG' } })));
  await waitUntilDrained(stack.sqs, stack.queueUrl, 60_000);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('rejections', () => {
  it.each([
    ['invalidEnvelope', 'hrss.zhongxian', 'no-spec', 'invalid_envelope'],
    ['invalidData', 'hrss.zhongxian', 'bad-id', 'invalid_data'],
    ['unknownType', 'hrss.zhongxian', 'odd-type', 'unknown_type'],
    ['forbiddenType', 'market.zhongxian', 'wrong-source', 'forbidden_type'],
    ['conflict', 'hrss.zhongxian', 'cert-ok', 'conflict'],
    ['unknownOrg', 'hrss.zhongxian', 'no-org', 'unknown_org'],
  ])('%s is recorded as rejected with reason %s', async (_name, source, id, reason) => {
    const records = await outcomes(source, id);
    const rejected = records.filter((r) => r['outcome'] === 'rejected');
    expect(rejected.map((r) => r['reason'])).toEqual([reason]);
    expect(String(rejected[0]?.['detail']).length).toBeGreaterThan(5);
  });

  it('records a body that is not JSON under the message id', async () => {
    const records = await outcomes('_unidentified', messageIds['notJson'] as string);
    expect(records.map((r) => [r['outcome'], r['reason']])).toEqual([['rejected', 'invalid_envelope']]);
  });

  it('keeps the accepted event when a conflicting one arrives, and rejects nothing else', async () => {
    const records = await outcomes('hrss.zhongxian', 'cert-ok');
    expect(records.map((r) => r['outcome']).sort()).toEqual(['accepted', 'rejected']);
    const { Items } = await doc.send(new ScanCommand({ TableName: stack.env['LEDGER_TABLE'] }));
    expect(Items?.filter((i) => i['outcome'] === 'rejected')).toHaveLength(7);
  });

  it('rejects unknown_org only after retries, and nothing reaches the dead-letter queue', async () => {
    const [record] = (await outcomes('hrss.zhongxian', 'no-org')).filter((r) => r['outcome'] === 'rejected');
    expect(record?.['reason']).toBe('unknown_org');
    const { Attributes } = await stack.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('never stores the bad ID number, not even in the rejection detail', async () => {
    const { Items } = await doc.send(new ScanCommand({ TableName: stack.env['LEDGER_TABLE'] }));
    expect(JSON.stringify(Items)).not.toContain(badId);
  });

  it('answers GET /v1/events/{source}/{id} with the outcome, and hides rejections from a township viewer', async () => {
    const get = async (path: string, division = '500233000000', role: 'admin' | 'viewer' = 'admin') => {
      const response = await fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${await signLocalToken({ role, division }, stack.jwtKey)}` } });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const rejected = await get('/v1/events/hrss.zhongxian/no-org');
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ source: 'hrss.zhongxian', id: 'no-org', outcome: 'rejected', reason: 'unknown_org' });
    expect(Object.keys(rejected.body).sort()).toEqual(['id', 'outcome', 'processedAt', 'reason', 'receivedAt', 'source', 'type']);
    const accepted = await get('/v1/events/hrss.zhongxian/cert-ok');
    expect(accepted.body).toMatchObject({ outcome: 'accepted', type: 'certificate.submitted.v1' });
    expect((await get('/v1/events/hrss.zhongxian/no-org', '500233101000', 'viewer')).status).toBe(404);
  });
});
