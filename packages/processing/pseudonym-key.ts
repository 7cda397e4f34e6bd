import { createHash, createHmac } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { env } from '../../infra/definitions.ts';

export class PseudonymKeyError extends Error {
  override readonly name = 'PseudonymKeyError';
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** SHA-256 (and its HMAC) in the shape the SigV4 signer expects, from node:crypto. */
class NodeSha256 {
  private readonly hash: Hash | ReturnType<typeof createHmac>;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/**
 * GetSecretValue as one signed HTTPS call. The processor needs it once per
 * cold start; the full Secrets Manager client would add 13 KB to a bundle
 * that must stay under 300 KB, while the SigV4 signer is already bundled for
 * DynamoDB. Credentials come from the environment, as Lambda provides them.
 */
async function getSecretString(secretId: string, environment: NodeJS.ProcessEnv): Promise<string | undefined> {
  const region = environment['AWS_REGION'];
  const accessKeyId = environment['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = environment['AWS_SECRET_ACCESS_KEY'];
  if (region === undefined || accessKeyId === undefined || secretAccessKey === undefined) {
    throw new PseudonymKeyError('AWS_REGION and credentials must be set to read the pseudonym secret');
  }
  const hostname = environment['AWS_ENDPOINT_URL_SECRETS_MANAGER']
    ? new URL(environment['AWS_ENDPOINT_URL_SECRETS_MANAGER']).host
    : `secretsmanager.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
  const protocol = environment['AWS_ENDPOINT_URL_SECRETS_MANAGER']?.startsWith('http://') ? 'http:' : 'https:';
  const sessionToken = environment['AWS_SESSION_TOKEN'];
  const signer = new SignatureV4({
    service: 'secretsmanager',
    region,
    sha256: NodeSha256,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) },
  });
  const body = JSON.stringify({ SecretId: secretId });
  const signed = await signer.sign({
    method: 'POST',
    protocol,
    hostname,
    path: '/',
    headers: { host: hostname, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
    body,
  });
  const response = await fetch(`${protocol}//${hostname}/`, { method: 'POST', headers: signed.headers, body });
  if (!response.ok) {
    const { __type } = (await response.json().catch(() => ({}))) as { __type?: string };
    throw new PseudonymKeyError(`GetSecretValue failed with HTTP ${response.status}${__type === undefined ? '' : ` (${__type})`}`);
  }
  return ((await response.json()) as { SecretString?: string }).SecretString;
}

/**
 * The deployment's pseudonymisation key: `PSEUDONYM_KEY` locally, or the
 * Secrets Manager secret named by `PSEUDONYM_SECRET_ARN` in AWS. Read once at
 * cold start; a missing key stops the function rather than storing raw IDs.
 */
export async function loadPseudonymKey(environment: NodeJS.ProcessEnv = process.env): Promise<string> {
  const direct = environment[env.pseudonymKey];
  if (direct !== undefined && direct !== '') return direct;
  const arn = environment[env.pseudonymSecretArn];
  if (arn === undefined || arn === '') {
    throw new PseudonymKeyError(`set ${env.pseudonymKey} or ${env.pseudonymSecretArn}: events cannot be pseudonymised without a key`);
  }
  const secret = await getSecretString(arn, environment);
  if (secret === undefined || secret.length < 32) {
    throw new PseudonymKeyError('the pseudonym secret is empty or shorter than 32 characters');
  }
  return secret;
}
