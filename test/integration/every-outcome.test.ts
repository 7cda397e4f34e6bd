/**
 * Every event ends in exactly one recorded outcome, also on a loaded local
 * stack with a short visibility timeout: union.established events naming
 * organisations that are never registered, half through `POST /v1/events`
 * and half straight to the queue at the same moment as a storm of other
 * events, each end rejected `unknown_org` with an outcome `GET
 * /v1/events/{source}/{id}` answers, and nothing is left in the queue or the
 * dead-letter queue. (In v1 a batch slower than the visibility timeout was
 * delivered again while still in flight; the local poller now keeps
 * in-flight batches invisible, as Lambda's timeout ≤ visibility rule does.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../packages/auth/local-tokens.ts';
import { sampleEvent, usccFor } from '../../packages/contract/fixtures.ts';
import { messagesInQueue } from '../../packages/local-stack/demo-data.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';
import { buildMixedWorkload } from '../support/mixed-workload.ts';
import { sendBodies, waitUntilDrained } from '../support/queue.ts';

let stack: LocalStack;
let token: string;

beforeAll(async () => {
  process.env['POWERTOOLS_LOG_LEVEL'] = 'WARN';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  stack = await startLocalStack({ apiPort: 0, quiet: true, visibilityTimeoutSeconds: 2 });
  token = await signLocalToken({ role: 'admin', division: '500233000000' }, stack.jwtKey, { ttlSeconds: 600 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('events naming organisations never registered, under load', () => {
  it('each end rejected unknown_org, with an outcome to read, through either door', async () => {
    const unions = Array.from({ length: 6 }, (_, i) =>
      sampleEvent('union.established.v1', { id: `ghost-union-${i}`, data: { orgCode: usccFor(990_000 + i), members: 10 } }),
    );
    const storm = buildMixedWorkload(5, 2).map((e) => JSON.stringify(e));
    await Promise.all([
      sendBodies(stack.sqs, stack.queueUrl, storm),
      sendBodies(stack.sqs, stack.queueUrl, unions.slice(3).map((e) => JSON.stringify(e))),
      fetch(`${stack.apiUrl}/v1/events`, { method: 'POST', body: JSON.stringify(unions.slice(0, 3)), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }).then(
        async (response) => expect((await response.json()) as unknown).toMatchObject({ results: [{ status: 'queued' }, { status: 'queued' }, { status: 'queued' }] }),
      ),
    ]);
    await waitUntilDrained(stack.sqs, stack.queueUrl, 300_000);
    expect(await messagesInQueue(stack.sqs, stack.dlqUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    for (const union of unions) {
      const response = await fetch(`${stack.apiUrl}/v1/events/${union.source}/${union.id}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status, union.id).toBe(200);
      expect(await response.json()).toMatchObject({ id: union.id, outcome: 'rejected', reason: 'unknown_org' });
    }
  }, 400_000);
});
