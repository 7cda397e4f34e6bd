/**
 * AWS calls made as single SigV4-signed HTTPS requests instead of through SDK
 * clients: SQS SendMessageBatch and Lambda Invoke from the API, Secrets
 * Manager GetSecretValue at the processor's cold start. Each SDK client would
 * add 13–85 KB to bundles that must stay under 300 KB, while the signer is
 * bundled anyway for DynamoDB. Region and credentials come from the
 * environment at each call, as Lambda provides (and rotates) them; the
 * service's `AWS_ENDPOINT_URL_<SERVICE>` overrides its endpoint, as the SDK does.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Hash, Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** The request could not be sent or AWS refused it; the message names the status and error type only. */
export class AwsRequestError extends Error {
  override readonly name = 'AwsRequestError';
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** SHA-256 (and its HMAC) in the shape the SigV4 signer expects, from node:crypto. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
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

export interface SignedRequest {
  /** Signing name and endpoint prefix, e.g. `sqs`, `lambda`. */
  readonly service: string;
  /** Suffix of `AWS_ENDPOINT_URL_<…>`, e.g. `SQS`, `LAMBDA`. */
  readonly endpointVariable: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SignedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/**
 * POSTs `request` signed with SigV4. Resolves whatever the status; the caller
 * decides what an error answer means.
 *
 * @throws AwsRequestError when region or credentials are missing.
 */
export async function signedPost(
  request: SignedRequest,
  environment: NodeJS.ProcessEnv = process.env,
  send: typeof fetch = (input, init) => fetch(input, init),
): Promise<SignedResponse> {
  const region = environment['AWS_REGION'];
  const accessKeyId = environment['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = environment['AWS_SECRET_ACCESS_KEY'];
  if (region === undefined || accessKeyId === undefined || secretAccessKey === undefined) {
    throw new AwsRequestError(`AWS_REGION and credentials must be set to call ${request.service}`);
  }
  const override = environment[`AWS_ENDPOINT_URL_${request.endpointVariable}`];
  const endpoint = new URL(
    override !== undefined && override !== '' ? override : `https://${request.service}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`,
  );
  const sessionToken = environment['AWS_SESSION_TOKEN'];
  const signer = new SignatureV4({
    service: request.service,
    region,
    sha256: NodeSha256,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined || sessionToken === '' ? {} : { sessionToken }) },
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port === '' ? {} : { port: Number(endpoint.port) }),
    path: request.path,
    headers: { ...request.headers, host: endpoint.host },
    body: request.body,
  });
  const response = await send(`${endpoint.origin}${request.path}`, { method: 'POST', headers: signed.headers, body: request.body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The error type AWS names in a failed answer (header or JSON body), without its message. */
export function awsErrorType(response: SignedResponse): string | undefined {
  const header = response.headers.get('x-amzn-errortype') ?? response.headers.get('x-amzn-query-error');
  if (header !== null) return header.split(/[:;]/)[0];
  try {
    const type = (JSON.parse(response.text) as { __type?: unknown }).__type;
    return typeof type === 'string' ? type.split('#').pop() : undefined;
  } catch {
    return undefined;
  }
}
