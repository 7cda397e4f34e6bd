import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPseudonymKey } from '../../packages/processing/pseudonym-key.ts';
import { listenOnLoopback } from '../support/loopback-server.ts';

/** A stand-in for Secrets Manager's JSON endpoint that records what it was asked. */
const requests: { headers: Record<string, unknown>; body: string }[] = [];
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (c: Buffer) => (body += c.toString()));
  request.on('end', () => {
    requests.push({ headers: request.headers, body });
    const { SecretId } = JSON.parse(body) as { SecretId: string };
    if (SecretId.endsWith(':missing')) {
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'ResourceNotFoundException' }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ SecretString: 'k'.repeat(48) }));
  });
});
let environment: NodeJS.ProcessEnv;

beforeAll(async () => {
  const url = await listenOnLoopback(server);
  environment = {
    AWS_REGION: 'cn-northwest-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: 'session',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
  };
});
afterAll(() => server.close());

describe('loadPseudonymKey', () => {
  it('prefers PSEUDONYM_KEY', async () => {
    expect(await loadPseudonymKey({ PSEUDONYM_KEY: 'x'.repeat(40) })).toBe('x'.repeat(40));
  });

  it('reads the secret with one SigV4-signed GetSecretValue call', async () => {
    const arn = 'arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:pseudonym';
    expect(await loadPseudonymKey({ ...environment, PSEUDONYM_SECRET_ARN: arn })).toBe('k'.repeat(48));
    const last = requests.at(-1);
    expect(JSON.parse(last?.body ?? '{}')).toEqual({ SecretId: arn });
    expect(last?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(String(last?.headers['authorization'])).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/cn-northwest-1\/secretsmanager\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/);
    expect(last?.headers['x-amz-security-token']).toBe('session');
  });

  it('fails fast, naming the service error, when the secret cannot be read', async () => {
    await expect(loadPseudonymKey({ ...environment, PSEUDONYM_SECRET_ARN: 'arn:x:missing' })).rejects.toThrow('HTTP 400 (ResourceNotFoundException)');
  });

  it('refuses to start without any key', async () => {
    await expect(loadPseudonymKey({})).rejects.toThrow('PSEUDONYM_KEY');
  });
});
