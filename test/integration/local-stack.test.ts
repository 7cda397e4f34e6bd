/**
 * The local stack end to end, as `npm start` runs it: demo files sent to the
 * real queue, the real processor fed by the poller, the real API answering
 * over HTTP with a locally minted token, and everything gone after stop().
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLocalSigningKeys, signLocalToken } from '../../packages/auth/local-tokens.ts';
import { localClientConfig } from '../../packages/local-stack/emulators.ts';
import { loadDemoEvents, messagesInQueue, sendEvents, waitUntilDrained } from '../../packages/local-stack/demo-data.ts';
import { localKeys } from '../../packages/local-stack/local-keys.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';

const samples = new URL('../../events/samples/', import.meta.url);
const sample = async (type: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(new URL(`${type}.json`, samples), 'utf8')) as Record<string, unknown>;

let stack: LocalStack;
let doc: DynamoDBDocumentClient;
let demoDir: string;
let token: string;

beforeAll(async () => {
  demoDir = await mkdtemp(join(tmpdir(), 'local-stack-demo-'));
  // As under `npm start`: no log line per event, no metrics on stdout.
  process.env['POWERTOOLS_LOG_LEVEL'] = 'WARN';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  // maxReceiveCount 2 checks how the stack lowers the unknown-org limit; the visibility timeout is long enough
  // that a first batch slowed by a busy machine (cold handler) is not redelivered into the dead-letter queue.
  stack = await startLocalStack({ apiPort: 0, quiet: true, visibilityTimeoutSeconds: 10, maxReceiveCount: 2 });
  doc = DynamoDBDocumentClient.from(stack.ddb);
  token = await signLocalToken({ role: 'admin', division: '500233000000' }, stack.jwtKey, { ttlSeconds: 600 });
});

afterAll(async () => {
  await stack?.stop();
  await rm(demoDir, { recursive: true, force: true });
});

/** GET with the admin token, another token, or (null) none. */
const get = (path: string, bearer: string | null = token): Promise<Response> =>
  fetch(`${stack.apiUrl}${path}`, bearer === null ? {} : { headers: { authorization: `Bearer ${bearer}` } });

describe('startLocalStack', () => {
  it('publishes the emulators, tables, queues and keys in process.env before the handlers load', () => {
    for (const name of ['LEDGER_TABLE', 'STATE_TABLE', 'COUNTERS_TABLE', 'EVENTS_QUEUE_URL', 'EVENTS_DLQ_URL', 'PSEUDONYM_KEY']) {
      expect(process.env[name], name).toBe(stack.env[name]);
    }
    expect(stack.env['EVENTS_QUEUE_URL']).toBe(stack.queueUrl);
    expect(stack.env['EVENTS_DLQ_URL']).toBe(stack.dlqUrl);
    // The handlers never see the token signing key: the local authorizer holds only the public JWKS.
    expect(JSON.stringify(stack.env)).not.toContain(String(stack.jwtKey.d));
    expect(stack.env['AWS_ENDPOINT_URL_DYNAMODB']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // With maxReceiveCount 2, an unknown organisation must settle after 1 delivery, before the redrive.
    expect(stack.env['UNKNOWN_ORG_MAX_ATTEMPTS']).toBe('1');
    expect(stack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses a second stack in the same process', async () => {
    await expect(startLocalStack({ quiet: true })).rejects.toThrow(/already running/);
  });

  it('loads demo files (JSON array, single event, NDJSON) registrations first, and processes them all', async () => {
    const registration = await sample('organization.registered.v1');
    const certificate = await sample('certificate.submitted.v1');
    const party = await sample('party.organization.established.v1');
    await mkdir(join(demoDir, 'nested'));
    await writeFile(join(demoDir, 'a-certificates.json'), JSON.stringify([certificate]));
    await writeFile(join(demoDir, 'nested', 'b-party.ndjson'), `${JSON.stringify(party)}\n\n`);
    await writeFile(join(demoDir, 'z-registry.json'), JSON.stringify(registration));
    await writeFile(join(demoDir, 'notes.txt'), 'not events');

    const demo = await loadDemoEvents(demoDir);
    expect(demo.files).toEqual(['a-certificates.json', join('nested', 'b-party.ndjson'), 'z-registry.json']);
    expect(demo.events.map((e) => (e as { type: string }).type)).toEqual([
      'organization.registered.v1',
      'certificate.submitted.v1',
      'party.organization.established.v1',
    ]);

    const progress: Array<[number, number]> = [];
    await sendEvents(stack.sqs, stack.queueUrl, demo.events, (sent, total) => progress.push([sent, total]));
    expect(progress).toEqual([[3, 3]]);
    await waitUntilDrained(stack.sqs, stack.queueUrl, { intervalMs: 100 });

    for (const event of [registration, certificate, party]) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: stack.env['LEDGER_TABLE'], Key: { pk: `EVENT#${event['source']}#${event['id']}`, sk: 'ACCEPTED' } }),
      );
      expect(Item?.['outcome'], String(event['id'])).toBe('accepted');
    }
    expect(await messagesInQueue(stack.sqs, stack.dlqUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    // The holder's raw ID number went in; only its pseudonym may be stored.
    const idNumber = (certificate['data'] as { holder: { idNumber: string } }).holder.idNumber;
    for (const table of ['LEDGER_TABLE', 'STATE_TABLE', 'COUNTERS_TABLE']) {
      const { Items } = await doc.send(new ScanCommand({ TableName: stack.env[table] }));
      expect(JSON.stringify(Items)).not.toContain(idNumber);
    }
  });

  it('serves the API on loopback with tokens signed by the local key', async () => {
    const outcome = await get('/v1/events/hrss.zhongxian/sample-certificate.submitted-0001');
    expect(outcome.status).toBe(200);
    expect(await outcome.json()).toMatchObject({ outcome: 'accepted', type: 'certificate.submitted.v1' });

    const skilled = await get('/v1/indicators/skilled_workers?division=500233000000&period=2026');
    expect(skilled.status).toBe(200);
    expect(await skilled.json()).toMatchObject({ indicator: 'skilled_workers', value: 1 });

    expect((await get('/v1/indicators', null)).status).toBe(401);
    const otherKey = (await generateLocalSigningKeys()).privateJwk;
    expect((await get('/v1/indicators', await signLocalToken({ role: 'admin', division: '500233000000' }, otherKey))).status).toBe(401);
  });

  it('stop() stops the API and kills DynamoDB Local', async () => {
    const dynamoEndpoint = stack.env['AWS_ENDPOINT_URL_DYNAMODB']!;
    const apiUrl = stack.apiUrl!;
    await stack.stop();
    const probe = new DynamoDBClient({ ...localClientConfig(dynamoEndpoint), maxAttempts: 1 });
    await expect(probe.send(new ListTablesCommand({}))).rejects.toThrow(/ECONNREFUSED/);
    probe.destroy();
    await expect(fetch(`${apiUrl}/v1/indicators`)).rejects.toThrow();
  });
});

describe('localKeys', () => {
  it('creates each key once, keeps it across calls, and lets the environment override it', async () => {
    const directory = join(demoDir, 'keys');
    const first = await localKeys(directory, {});
    const second = await localKeys(directory, {});
    expect(second).toEqual(first);
    expect(first.pseudonymKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.jwtPrivateKey).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    expect(first.jwks.keys[0]).not.toHaveProperty('d');
    expect(JSON.parse(await readFile(join(directory, 'jwt-signing-key.jwk.json'), 'utf8'))).toEqual(first.jwtPrivateKey);
    const fromEnv = await localKeys(directory, { PSEUDONYM_KEY: 'from-env', LOCAL_JWT_PRIVATE_JWK: JSON.stringify(second.jwtPrivateKey) });
    expect(fromEnv.pseudonymKey).toBe('from-env');
    expect(fromEnv.jwtPrivateKey).toEqual(second.jwtPrivateKey);
  });
});
