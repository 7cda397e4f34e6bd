/**
 * An ID number smuggled into any field but the ID-number fields — every
 * free-text field, the envelope's `id`, `type` and `source` — through both
 * doors (the queue and `POST /v1/events`): each is rejected `invalid_data`,
 * and the number appears in no table, no API response and no log line, with
 * the handlers logging at DEBUG, the most verbose level the code has.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../packages/auth/local-tokens.ts';
import { residentIdFor, sampleEvent } from '../../packages/contract/fixtures.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';
import type { CapturedOutput } from '../support/captured-output.ts';
import { captureOutput } from '../support/captured-output.ts';
import { sendBodies, waitUntilDrained } from '../support/queue.ts';
import { scanTable } from '../support/tables.ts';
import { eventsCarrying } from '../support/smuggled-id-numbers.ts';

const idNumber = residentIdFor(9090);
// What would identify the person even if the check character were cut off.
const needle = idNumber.slice(0, 17);
const viaQueue = eventsCarrying(`NO.${idNumber}`, { idPrefix: 'queue', envelope: true });
const viaApi = eventsCarrying(idNumber, { idPrefix: 'api', envelope: true });

let stack: LocalStack;
let doc: DynamoDBDocumentClient;
let token: string;
let output: CapturedOutput | undefined;
const responses: string[] = [];

const scanAll = (table: string): Promise<Record<string, unknown>[]> => scanTable(doc, table);

async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${stack.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  const text = await response.text();
  responses.push(text);
  return { status: response.status, body: JSON.parse(text) as unknown };
}

let postResults: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  output = captureOutput();
  process.env['POWERTOOLS_LOG_LEVEL'] = 'DEBUG';
  process.env['POWERTOOLS_DEV'] = 'false';
  stack = await startLocalStack({ apiPort: 0, quiet: true, visibilityTimeoutSeconds: 10 });
  doc = DynamoDBDocumentClient.from(stack.ddb);
  token = await signLocalToken({ role: 'admin', division: '500233000000' }, stack.jwtKey, { ttlSeconds: 600 });
  await sendBodies(stack.sqs, stack.queueUrl, viaQueue.map((e) => JSON.stringify(e.event)));
  for (let i = 0; i < viaApi.length; i += 100) {
    const { body } = await api('/v1/events', { method: 'POST', body: JSON.stringify(viaApi.slice(i, i + 100).map((e) => e.event)) });
    postResults.push(...((body as { results: Array<Record<string, unknown>> }).results ?? []));
  }
  await waitUntilDrained(stack.sqs, stack.queueUrl, 60_000);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  output?.restore();
});

describe('a body that is not valid UTF-8', () => {
  it('is rejected at the edge with the reason, not queued with U+FFFD in it', async () => {
    const event = JSON.stringify(sampleEvent('organization.registered.v1', { id: 'bad-bytes-1', data: { name: 'NAME' } }));
    const [before, after] = event.split('NAME') as [string, string];
    const body = Buffer.concat([Buffer.from(before), Buffer.from([0xe5, 0xbc, 0xff, 0xfe]), Buffer.from(after)]);
    const response = await fetch(`${stack.apiUrl}/v1/events`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    expect(response.status).toBe(202);
    const { results } = (await response.json()) as { results: Array<Record<string, unknown>> };
    expect(results).toEqual([
      {
        index: 0,
        source: 'market.zhongxian',
        id: 'bad-bytes-1',
        status: 'rejected',
        reason: 'invalid_data',
        detail: 'data.name: contains U+FFFD, the replacement character: the text was not valid UTF-8 when it was decoded',
      },
    ]);
  });
});

describe('an ID number outside the ID-number fields', () => {
  it('covers the free-text fields the issue names, and the envelope', () => {
    const fields = new Set(viaQueue.map((e) => `${e.type} ${e.field}`));
    for (const expected of [
      'organization.registered.v1 data.name',
      'certificate.submitted.v1 data.certificateNo',
      'dispute.filed.v1 data.caseNo',
      'award.granted.v1 data.awardName',
      'certificate.revoked.v1 data.reason',
      'outreach.conducted.v1 data.activity',
      'certificate.revoked.v1 id',
      'certificate.revoked.v1 type',
    ]) {
      expect(fields).toContain(expected);
    }
  });

  it('through either door: every event is recorded rejected invalid_data, naming the field', async () => {
    // The API records the events it rejects at the edge too, so the Ledger holds both doors' rejections.
    const rejections = (await scanAll(stack.env['LEDGER_TABLE']!)).filter((item) => item['outcome'] === 'rejected');
    expect(rejections.length).toBeGreaterThanOrEqual(viaQueue.length);
    expect(new Set(rejections.map((r) => r['reason']))).toEqual(new Set(['invalid_data']));
    const details = new Set(rejections.map((r) => String(r['detail']).split(':')[0]));
    for (const { field } of [...viaQueue, ...viaApi]) expect(details.has(field), field).toBe(true);
  });

  it('through the API: every event is rejected invalid_data at the edge, and none is queued', () => {
    expect(postResults).toHaveLength(viaApi.length);
    for (const [index, result] of postResults.entries()) {
      expect(result).toMatchObject({ index: index % 100, status: 'rejected', reason: 'invalid_data' });
      expect(String(result['detail'])).toMatch(new RegExp(`^${viaApi[index]!.field.replace(/[.[\]]/g, '\\$&')}: must not contain a resident ID number`));
    }
  });

  it('appears in no table', async () => {
    for (const table of ['LEDGER_TABLE', 'STATE_TABLE', 'COUNTERS_TABLE']) {
      expect(JSON.stringify(await scanAll(stack.env[table]!))).not.toContain(needle);
    }
  });

  it('appears in no API response, the outcome queries included', async () => {
    const ledger = await scanAll(stack.env['LEDGER_TABLE']!);
    for (const record of ledger) {
      const { status } = await api(`/v1/events/${encodeURIComponent(String(record['source']))}/${encodeURIComponent(String(record['id']))}`);
      expect(status).toBe(200);
    }
    expect(responses.length).toBeGreaterThan(ledger.length);
    expect(responses.join('\n')).not.toContain(needle);
  });

  it('appears in no log line at any level', () => {
    const everything = output?.text() ?? '';
    // The processor logged each outcome: the capture works and INFO (below DEBUG) is on.
    expect(everything).toContain('event processed');
    expect(everything).toContain('invalid_data');
    expect(everything).not.toContain(needle);
  });
});
