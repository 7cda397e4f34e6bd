/**
 * The real API Lambda handler (handler.ts, configured from the environment)
 * behind the local HTTP server, against DynamoDB Local and the SQS emulator,
 * called over HTTP with real signed tokens.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLocalSigningKeys } from '../../packages/auth/local-tokens.ts';
import { signedToken, testSigningKeys } from '../support/tokens.ts';
import { sampleEvent, usccFor } from '../../packages/contract/fixtures.ts';
import { metrics } from '../../packages/domain/metrics.ts';
import { explainIndexes } from '../../packages/config/resources.ts';
import type { ApiServer } from '../../packages/local-stack/api-server.ts';
import { startApiServer } from '../../packages/local-stack/api-server.ts';
import type { RunningEmulator } from '../../packages/local-stack/emulators.ts';
import {
  createQueues,
  createTables,
  localAwsEnv,
  localClientConfig,
  startDynamoDbLocal,
  startSqsEmulator,
} from '../../packages/local-stack/emulators.ts';

const county = '500233000000';
const zhongzhou = '500233001000';
const orgA = usccFor(21);

let dynamo: RunningEmulator;
let sqsEmulator: RunningEmulator;
let ddb: DynamoDBClient;
let sqs: SQSClient;
let queueUrl: string;
let server: ApiServer;

const token = (role: 'admin' | 'viewer', division: string, ttlSeconds = 600) => signedToken({ role, division }, { ttlSeconds });

async function call(path: string, init: { token?: string; method?: string; body?: string } = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  [dynamo, sqsEmulator] = await Promise.all([startDynamoDbLocal(), startSqsEmulator()]);
  ddb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  sqs = new SQSClient(localClientConfig(sqsEmulator.endpoint));
  const tableNames = await createTables(ddb);
  const queueUrls = await createQueues(sqs);
  queueUrl = queueUrls['EVENTS_QUEUE_URL'] as string;
  Object.assign(process.env, localAwsEnv({ dynamodb: dynamo.endpoint, sqs: sqsEmulator.endpoint }), tableNames, queueUrls, {
    // The API keys the hashes in the rejection records it writes at the edge.
    PSEUDONYM_KEY: 'api-server-test-pseudonym-key-0123456789',
  });

  const doc = DynamoDBDocumentClient.from(ddb);
  // Each division records its own share (the county 2 of its own, its township 3): the county reads 5.
  // The organisation's 3 is its explain entry on the ledger record below (its figures are folded from entries).
  for (const [pk, amount] of [[`DIV#${county}`, 2], [`DIV#${zhongzhou}`, 3]] as const) {
    await doc.send(
      new UpdateCommand({
        TableName: tableNames['COUNTERS_TABLE'], Key: { pk, sk: 'M#2026-03' },
        UpdateExpression: 'ADD #m :n', ExpressionAttributeNames: { '#m': `${metrics.skilled}@02` }, ExpressionAttributeValues: { ':n': amount },
      }),
    );
  }
  await doc.send(
    new PutCommand({
      TableName: tableNames['STATE_TABLE'],
      Item: {
        pk: `ORG#${orgA}`, entity: 'org', orgCode: orgA, division: zhongzhou, version: 1,
        registration: { rank: 'r', date: '2026-01-02', division: zhongzhou, kind: 'enterprise', ownership: 'non_public', name: 'Works', workers: 3 },
      },
    }),
  );
  await doc.send(
    new PutCommand({
      TableName: tableNames['LEDGER_TABLE'],
      Item: {
        pk: 'EVENT#hrss.zhongxian#c-1', sk: 'ACCEPTED', source: 'hrss.zhongxian', id: 'c-1', type: 'certificate.submitted.v1',
        outcome: 'accepted', receivedAt: '2026-11-24T03:00:00.000Z', processedAt: '2026-11-24T03:00:01.000Z',
        divisions: [zhongzhou, county], data: { holder: { idNumber: 'pseudonym' } }, contentHash: 'abc', date: '2026-03-02',
        [explainIndexes.org.partitionKey]: `ORG#${orgA}`, [explainIndexes.org.sortKey]: '2026-03-02#hrss.zhongxian#c-1', [explainIndexes.org.cells]: { [metrics.skilled]: 3 },
      },
    }),
  );

  // The handler reads its configuration at module load: import it once the environment is set.
  const { handler } = await import('../../functions/api/handler.ts');
  server = await startApiServer({ handler, jwks: testSigningKeys.publicJwks });
});

afterAll(async () => {
  await server?.close();
  ddb?.destroy();
  sqs?.destroy();
  await Promise.all([dynamo?.stop(), sqsEmulator?.stop()]);
});

describe('the local API server with the real handler', () => {
  it('listens on loopback only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves an indicator computed from DynamoDB to a caller with a signed token', async () => {
    const result = await call(`/v1/indicators/skilled_workers?division=${county}&period=2026`, { token: await token('viewer', county) });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ indicator: 'skilled_workers', division: county, period: '2026', value: 5 });
    const org = await call(`/v1/indicators/skilled_workers?orgCode=${orgA}&period=2026-Q1`, { token: await token('viewer', zhongzhou) });
    expect(org.body).toEqual({ indicator: 'skilled_workers', orgCode: orgA, period: '2026-Q1', value: 3, asOf: '2026-03-31' });
  });

  it('accepts a token whose `scope` holds OAuth scopes and whose division is in the division claim', async () => {
    const oauthLike = await signedToken({ scope: 'openid profile', role: 'viewer', division: zhongzhou });
    const result = await call(`/v1/indicators/skilled_workers?period=2026`, { token: oauthLike });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ division: zhongzhou, value: 3 });
  });

  it('serves health and the OpenAPI document without a token, as the deployed routes do', async () => {
    const health = await call('/v1/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', version: '1.1.0' });
    const document = await call('/v1/openapi.json');
    expect(document.status).toBe(200);
    expect(document.body['openapi']).toBe('3.1.0');
    expect((await call('/v1/health?x=1')).status).toBe(400);
    expect((await call('/v1/indicators')).status).toBe(401);
  });

  it('answers 401 itself for a missing, forged or expired token', async () => {
    for (const bad of [undefined, `${(await token('admin', county)).slice(0, -3)}abc`, await signedToken({ role: 'admin', division: county }, { ttlSeconds: 60, now: new Date(Date.now() - 3600_000) }), await signedToken({ role: 'admin', division: county }, { key: (await generateLocalSigningKeys()).privateJwk })]) {
      const result = await call('/v1/indicators', bad === undefined ? {} : { token: bad });
      expect(result.status).toBe(401);
      expect(result.contentType).toBe('application/problem+json');
      expect(result.body['type']).toBe('urn:reform-indicators:problem:unauthorized');
    }
  });

  it('keeps a township viewer within its township', async () => {
    const result = await call(`/v1/indicators/skilled_workers?division=${county}&period=2026`, { token: await token('viewer', zhongzhou) });
    expect(result.status).toBe(403);
    expect(result.body['type']).toBe('urn:reform-indicators:problem:forbidden');
  });

  it('passes repeated query keys comma-joined, as API Gateway does', async () => {
    const result = await call(`/v1/indicators/skilled_workers?period=2026&period=2025`, { token: await token('viewer', county) });
    expect(result.status).toBe(400);
    expect(result.body['detail']).toContain('2026,2025');
  });

  it('shows an event outcome from the ledger without its payload', async () => {
    const result = await call('/v1/events/hrss.zhongxian/c-1', { token: await token('viewer', zhongzhou) });
    expect(result.body).toEqual({
      source: 'hrss.zhongxian', id: 'c-1', type: 'certificate.submitted.v1', outcome: 'accepted',
      receivedAt: '2026-11-24T03:00:00.000Z', processedAt: '2026-11-24T03:00:01.000Z',
    });
  });

  it('queues valid events on SQS and reports the invalid ones', async () => {
    const valid = [sampleEvent('contract.signed.v1'), sampleEvent('dispute.filed.v1')];
    const invalid = sampleEvent('dispute.filed.v1', { id: 'd-bad', data: { channel: 'telepathy' } });
    const result = await call('/v1/events', { method: 'POST', token: await token('admin', county), body: JSON.stringify([valid[0], invalid, valid[1]]) });
    expect(result.status).toBe(202);
    expect((result.body['results'] as { status: string }[]).map((r) => r.status)).toEqual(['queued', 'rejected', 'queued']);
    const received: unknown[] = [];
    for (let attempt = 0; attempt < 5 && received.length < 2; attempt++) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const message of Messages ?? []) received.push(JSON.parse(message.Body ?? 'null'));
    }
    expect(received).toEqual(expect.arrayContaining(valid));
    expect(received).toHaveLength(2);
  });

  it('records in the Ledger every event it rejects, so the outcome route answers for it', async () => {
    const foreign = sampleEvent('organization.registered.v1', { id: 'org-foreign' });
    const atRoot = sampleEvent('organization.registered.v1', { id: 'org-at-root' });
    (atRoot.data as Record<string, unknown>)['division'] = county;
    const producer = await signedToken({ role: 'producer', source: 'hrss.zhongxian' });
    const byProducer = await call('/v1/events', { method: 'POST', token: producer, body: JSON.stringify([foreign]) });
    expect(byProducer.body['results']).toEqual([
      { index: 0, source: foreign.source, id: 'org-foreign', status: 'rejected', reason: 'forbidden_type', detail: expect.stringContaining('own producer source') },
    ]);
    const byAdmin = await call('/v1/events', { method: 'POST', token: await token('admin', county), body: JSON.stringify([atRoot]) });
    expect(byAdmin.body['results']).toEqual([expect.objectContaining({ id: 'org-at-root', status: 'rejected', reason: 'invalid_data' })]);
    for (const [id, reason] of [['org-foreign', 'forbidden_type'], ['org-at-root', 'invalid_data'], ['d-bad', 'invalid_data']] as const) {
      const outcome = await call(`/v1/events/${id === 'd-bad' ? 'hrss.zhongxian' : foreign.source}/${id}`, { token: await token('admin', county) });
      expect(outcome.status, id).toBe(200);
      expect(outcome.body).toMatchObject({ id, outcome: 'rejected', reason });
    }
    // The producer whose source it is may read it too; a township viewer may not (rejections count nowhere).
    expect((await call(`/v1/events/${foreign.source}/org-foreign`, { token: await signedToken({ role: 'producer', source: foreign.source }) })).status).toBe(200);
    expect((await call(`/v1/events/${foreign.source}/org-foreign`, { token: await token('viewer', zhongzhou) })).status).toBe(404);
  });

  it('answers 413 to a body over 1 MiB, without calling the handler', async () => {
    const result = await call('/v1/events', { method: 'POST', token: await token('admin', county), body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }) });
    expect(result.status).toBe(413);
    expect(result.body['type']).toBe('urn:reform-indicators:problem:payload-too-large');
  });
});
