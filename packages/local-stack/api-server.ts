/**
 * Serves the API handler over HTTP on loopback, turning each request into the
 * event API Gateway (HTTP API, payload v2.0, JWT authorizer) would pass the
 * Lambda. Like the JWT authorizer, it verifies the bearer token against a
 * JWKS (public keys only) before the handler runs and answers 401 itself
 * when it is missing or bad (see packages/auth/local-tokens.ts for what the
 * local verifier enforces).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { JWK } from 'jose';
import type { TokenVerifier } from '../auth/local-tokens.ts';
import { localTokenVerifier } from '../auth/local-tokens.ts';
import { publicRoutes } from '../api/routes.ts';

type VerifiedClaims = Readonly<Record<string, unknown>>;

export interface ApiServerOptions {
  /** The API handler: the bare one (one argument) or the middy-wrapped Lambda entry point. */
  readonly handler: (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
  /** The public keys tokens must be signed with (RS256), as a JWKS. */
  readonly jwks: { readonly keys: readonly JWK[] };
  /** 0 picks a free port. */
  readonly port?: number;
  /** Loopback by default: the local stack is not meant to be reachable from elsewhere. */
  readonly host?: string;
  /** Largest request body, bytes; 1 MiB by default. */
  readonly maxBodyBytes?: number;
  /** Serves what lies outside `/v1/` (the web console, console-server.ts); resolves to false for API requests. */
  readonly console?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
}

export interface ApiServer {
  /** Base URL, e.g. `http://127.0.0.1:53121`. */
  readonly url: string;
  close(): Promise<void>;
}

class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError';
}

const problem = (slug: string, title: string, status: number, detail: string): string =>
  JSON.stringify({ type: `urn:reform-indicators:problem:${slug}`, title, status, detail });

/** Starts the server; resolves once it listens. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { handler, jwks, port = 0, host = '127.0.0.1', maxBodyBytes = 1024 * 1024 } = options;

  const verify = localTokenVerifier(jwks);
  const server = createServer((request, response) => {
    serve(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, problem('internal', 'Internal error', 500, 'The request could not be completed.'));
      else response.destroy();
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (options.console !== undefined && (await options.console(request, response))) return;
    // Like API Gateway's routes without an authorizer: health and the OpenAPI document need no token.
    const isPublic = publicRoutes.some((route) => route.method === request.method && route.path === (request.url ?? '').split('?')[0]);
    const claims = isPublic ? {} : await authenticate(request.headers.authorization, verify);
    if (typeof claims === 'string') {
      // The body is read and dropped, so the client gets the answer rather than a reset connection.
      await discard(request);
      send(response, 401, problem('unauthorized', 'Unauthorized', 401, claims), { 'www-authenticate': 'Bearer', connection: 'close' });
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(request, maxBodyBytes);
    } catch (error) {
      if (!(error instanceof RequestTooLargeError)) throw error;
      send(response, 413, problem('payload-too-large', 'Payload too large', 413, `the body exceeds ${maxBodyBytes} bytes`), { connection: 'close' });
      return;
    }
    const event = toEvent(request, body, claims);
    const result = await handler(event, lambdaContext(event.requestContext.requestId));
    const payload = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
    send(response, result.statusCode ?? 200, payload, headers);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The verified claims, or why the request is refused. */
async function authenticate(authorization: string | undefined, verify: TokenVerifier): Promise<VerifiedClaims | string> {
  const match = /^Bearer +(\S+)$/i.exec(authorization ?? '');
  if (match === null) return 'an Authorization: Bearer <token> header is required';
  try {
    return await verify(match[1] as string);
  } catch (error) {
    return error instanceof Error ? error.message : 'the token is invalid';
  }
}

/** The request body, or RequestTooLargeError once it is known to exceed `limit` (after it has been read). */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  if (Number(request.headers['content-length'] ?? '0') > limit) {
    await discard(request);
    throw new RequestTooLargeError();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Keep reading past the limit without keeping the bytes, so the response can still be sent.
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw new RequestTooLargeError();
  return Buffer.concat(chunks);
}

function discard(request: IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (request.readableEnded) return resolve();
    request.on('end', resolve).on('error', reject).resume();
  });
}

function send(response: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  const contentType = headers['content-type'] ?? (status >= 400 ? 'application/problem+json' : 'application/json');
  response.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/** The payload v2.0 event API Gateway would build for this request. */
function toEvent(request: IncomingMessage, body: Buffer, claims: VerifiedClaims): APIGatewayProxyEventV2WithJWTAuthorizer {
  const target = request.url ?? '/';
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : target.slice(queryStart + 1);

  // Repeated headers and query keys arrive comma-joined, as API Gateway joins them.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    const previous = queryStringParameters[name];
    queryStringParameters[name] = previous === undefined ? value : `${previous},${value}`;
  }
  const cookies = headers['cookie']?.split(/;\s*/).filter((c) => c.length > 0);
  const now = new Date();
  const method = (request.method ?? 'GET').toUpperCase();
  // API Gateway passes claims on as strings (arrays as "[a b]"; none is read here).
  const passedClaims: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) passedClaims[name] = Array.isArray(value) ? `[${value.join(' ')}]` : String(value);

  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies !== undefined && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers['host'] ?? 'localhost',
      domainPrefix: (headers['host'] ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method,
        path: safeDecode(rawPath),
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: passedClaims, scopes: null } },
    },
    ...(body.length > 0 ? { body: body.toString('utf8') } : {}),
    isBase64Encoded: false,
  };
}

/** A Lambda context for one local invocation, so middleware that logs it finds its fields. */
function lambdaContext(requestId: string): Context {
  const timeoutMs = 29_000;
  const deadline = Date.now() + timeoutMs;
  const unsupported = (): never => {
    throw new Error('the local API server does not support the callback-style context methods');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'reform-indicators-api-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:reform-indicators-api-local',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/reform-indicators-api-local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

function safeDecode(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `24/Nov/2026:04:00:00 +0000`, the request time format API Gateway uses. */
function clfTime(at: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(at.getUTCDate())}/${monthNames[at.getUTCMonth()]}/${at.getUTCFullYear()}:${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} +0000`;
}
