/** SendMessageBatch as a signed SQS JSON-protocol call, against a fake HTTPS endpoint. */
import { describe, expect, it } from 'vitest';
import { SqsEventQueue, signedSqsSender } from '../../functions/api/event-queue.ts';

const environment = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566' };
const queueUrl = 'http://127.0.0.1:4566/000000000000/Events';

function fakeSqs(answer: (body: { Entries: { Id: string }[] }) => { status: number; body: string; headers?: Record<string, string> }) {
  const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
  const send = ((url: string, init: { headers: Record<string, string>; body: string }) => {
    sent.push({ url, headers: init.headers, body: init.body });
    const { status, body, headers } = answer(JSON.parse(init.body));
    return Promise.resolve(new Response(body, { status, headers: headers ?? {} }));
  }) as unknown as typeof fetch;
  return { send, sent };
}

describe('SqsEventQueue over signed SendMessageBatch', () => {
  it('sends batches of at most 10 in the SQS JSON protocol and reports the entries SQS failed', async () => {
    const { send, sent } = fakeSqs(({ Entries }) => ({
      status: 200,
      body: JSON.stringify({ Successful: Entries.filter((e) => e.Id !== '3').map((e) => ({ Id: e.Id })), Failed: Entries.some((e) => e.Id === '3') ? [{ Id: '3', Code: 'x', SenderFault: false }] : [] }),
    }));
    const queue = new SqsEventQueue(signedSqsSender(environment, send), queueUrl);
    const bodies = Array.from({ length: 12 }, (_, i) => JSON.stringify({ n: i }));
    expect([...(await queue.send(bodies))]).toEqual([3]);
    expect(sent.map((r) => (JSON.parse(r.body) as { Entries: unknown[] }).Entries.length)).toEqual([10, 2]);
    expect(sent[0]?.url).toBe('http://127.0.0.1:4566/');
    expect(sent[0]?.headers['x-amz-target']).toBe('AmazonSQS.SendMessageBatch');
    expect(sent[0]?.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(sent[1]?.body ?? '{}')).toEqual({ QueueUrl: queueUrl, Entries: [{ Id: '10', MessageBody: '{"n":10}' }, { Id: '11', MessageBody: '{"n":11}' }] });
    expect(sent[0]?.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/sqs\/aws4_request, /);
  });

  it('reports every event of a refused call as not queued and logs the error name only', async () => {
    const { send } = fakeSqs(() => ({ status: 400, body: '{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"no queue"}' }));
    const logged: Record<string, unknown>[] = [];
    const queue = new SqsEventQueue(signedSqsSender(environment, send), queueUrl, { error: (_m, attributes) => logged.push(attributes) });
    expect([...(await queue.send(['{}', '{}']))]).toEqual([0, 1]);
    expect(logged).toEqual([{ errorName: 'AwsRequestError', events: 2 }]);
  });
});
