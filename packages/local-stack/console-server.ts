/**
 * The web console on the local stack, on the same origin as the API:
 * `/config.json` (the console's runtime configuration), `POST /local/token`
 * (the local sign-in; loopback only, never deployed) and the built console
 * from `console/dist` with an index.html fallback for its client-side routes.
 * Every console response carries the security headers CloudFront sends.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import sirv from 'sirv';
import * as z from 'zod/mini';
import { consoleDistDirectory } from '../../console/serving/build.ts';
import { consoleSecurityHeaders } from '../../console/serving/security-headers.ts';
import type { JWK } from 'jose';
import { claimsFor } from '../auth/claims.ts';
import { signLocalToken } from '../auth/local-tokens.ts';
import type { ClaimNames } from '../config/deployment.ts';
import { defaultClaimNames } from '../config/deployment.ts';
import type { DivisionNode } from '../config/deployment.ts';
import { DivisionTree } from '../config/deployment.ts';

/** Handles a request outside `/v1/`; resolves to false when the request is the API's. */
export type ConsoleRequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export interface ConsoleServerOptions {
  /** Private key local tokens are signed with: the local API verifies them against its public JWKS. */
  readonly jwtKey: JWK;
  /** Claim names of the deployment (default role, division, source). */
  readonly claimNames?: ClaimNames;
  /** The deployment's division tree: the sign-in page offers its divisions. */
  readonly divisions: DivisionNode;
  /** @default console/dist */
  readonly distDirectory?: string;
}

/** Lifetime of a token minted by the sign-in page. */
export const localSignInTtlSeconds = 3600;

/**
 * Mints a local token. The one place the console's sign-in touches token
 * signing, so a change of the local token format is a change here only.
 */
export function mintLocalToken(caller: { role: 'admin' | 'viewer'; division: string }, jwtKey: JWK, claimNames: ClaimNames = defaultClaimNames): Promise<string> {
  return signLocalToken(claimsFor(caller, claimNames, { sub: `local-${caller.role}` }), jwtKey, { ttlSeconds: localSignInTtlSeconds });
}

const signInRequest = z.object({
  role: z.enum(['admin', 'viewer']),
  division: z.string().check(z.regex(/^\d{12}$/)),
});

const loopbackAddresses = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** Host header of a loopback request: a page on another name (DNS rebinding) must not mint tokens. */
const loopbackHost = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;
const maxSignInBodyBytes = 1024;

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': status >= 400 ? 'application/problem+json' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

const problem = (status: number, slug: string, title: string, detail: string) => ({
  type: `urn:reform-indicators:problem:${slug}`,
  title,
  status,
  detail,
});

async function readSmallBody(request: IncomingMessage): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= maxSignInBodyBytes) chunks.push(chunk);
  }
  return size > maxSignInBodyBytes ? undefined : Buffer.concat(chunks).toString('utf8');
}

/** Builds the handler the local API server consults before its own routes. */
export function createConsoleRequestHandler(options: ConsoleServerOptions): ConsoleRequestHandler {
  const headers = consoleSecurityHeaders();
  const tree = new DivisionTree(options.divisions);
  const dist = options.distDirectory ?? consoleDistDirectory;
  const runtimeConfig = JSON.stringify({ apiUrl: '', auth: { mode: 'local' }, divisions: options.divisions });

  const staticFiles = existsSync(join(dist, 'index.html'))
    ? sirv(dist, {
        single: true,
        etag: true,
        setHeaders: (response, pathname) => {
          for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
          // Vite names assets by content hash; index.html must be revalidated to pick up a new build.
          response.setHeader('cache-control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      })
    : undefined;

  const signIn = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const remote = request.socket.remoteAddress ?? '';
    if (!loopbackAddresses.has(remote) || !loopbackHost.test(request.headers.host ?? '')) {
      sendJson(response, 403, problem(403, 'forbidden', 'Forbidden', 'local sign-in is available on loopback only'), headers);
      return;
    }
    const text = await readSmallBody(request);
    let body: unknown;
    try {
      body = text === undefined ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const parsed = signInRequest.safeParse(body);
    if (!parsed.success) {
      sendJson(response, 400, problem(400, 'invalid-body', 'Invalid request body', 'send {"role": "admin"|"viewer", "division": "<12-digit code>"}'), headers);
      return;
    }
    const { role, division } = parsed.data;
    if (!tree.has(division)) {
      sendJson(response, 404, problem(404, 'unknown-division', 'Unknown division', `no division ${division} in this deployment`), headers);
      return;
    }
    const token = await mintLocalToken({ role, division }, options.jwtKey, options.claimNames);
    sendJson(response, 200, { token, role, division, expiresAt: new Date(Date.now() + localSignInTtlSeconds * 1000).toISOString() }, headers);
  };

  return async (request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path === '/v1' || path.startsWith('/v1/')) return false;
    const method = (request.method ?? 'GET').toUpperCase();
    if (path === '/local/token') {
      if (method !== 'POST') sendJson(response, 405, problem(405, 'method-not-allowed', 'Method not allowed', 'use POST'), { ...headers, allow: 'POST' });
      else await signIn(request, response);
      return true;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      sendJson(response, 405, problem(405, 'method-not-allowed', 'Method not allowed', 'the console serves GET only'), { ...headers, allow: 'GET, HEAD' });
      return true;
    }
    if (path === '/config.json') {
      response.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      response.end(method === 'HEAD' ? undefined : runtimeConfig);
      return true;
    }
    if (staticFiles === undefined) {
      const text = 'The console is not built: run `npm run console:build` (npm start builds it for you).\n';
      response.writeHead(503, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      response.end(text);
      return true;
    }
    staticFiles(request, response, () => {
      sendJson(response, 404, problem(404, 'not-found', 'Not found', 'no such file in the console'), headers);
    });
    return true;
  };
}
