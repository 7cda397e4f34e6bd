/**
 * HS256 JSON Web Tokens with node:crypto alone, for the local stack: in AWS
 * the deployment's identity provider issues tokens and API Gateway verifies
 * them; locally a documented command mints them with a local key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import type { Claims } from './claims.ts';
import { authorisationClaims } from './claims.ts';
import { AuthError } from './errors.ts';

/** Issuer of locally minted tokens; nothing else is accepted locally. */
export const localIssuer = 'reform-indicators-local';

/** Verified claims with the registered ones `signJwt` adds. */
export interface VerifiedClaims extends Claims {
  readonly iss: string;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** Expires at, seconds since the epoch. */
  readonly exp: number;
}

const header = z.object({ alg: z.string(), typ: z.optional(z.string()) });
const payload = z.extend(authorisationClaims, {
  iss: z.literal(localIssuer),
  iat: z.number().check(z.int()),
  exp: z.number().check(z.int()),
  nbf: z.optional(z.number()),
});

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const signature = (input: string, key: string): Buffer => createHmac('sha256', key).update(input).digest();
const base64url = /^[A-Za-z0-9_-]*$/;

function requireKey(key: string): void {
  // An empty HMAC key would make every token forgeable.
  if (key.length === 0) throw new AuthError('the signing key is empty');
}

/**
 * Signs `claims` as an HS256 JWT valid for `ttlSeconds`, adding `iat`, `exp`
 * and `iss` (`reform-indicators-local`).
 */
export function signJwt(claims: Claims, key: string, ttlSeconds = 3600, now: Date = new Date()): string {
  requireKey(key);
  const iat = Math.floor(now.getTime() / 1000);
  const body = { ...claims, iss: localIssuer, iat, exp: iat + ttlSeconds };
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(body)}`;
  return `${input}.${signature(input, key).toString('base64url')}`;
}

/**
 * Verifies an HS256 JWT signed with `key` and returns its claims.
 *
 * @throws AuthError if the token is malformed, uses another algorithm (`none`
 * included), has a bad signature, is expired or not yet valid, or lacks a
 * valid role and scope.
 */
export function verifyJwt(token: string, key: string, now: Date = new Date()): VerifiedClaims {
  requireKey(key);
  const segments = token.split('.');
  if (segments.length !== 3 || !segments.every((s) => s.length > 0 && base64url.test(s))) {
    throw new AuthError('the token is not a signed JWT');
  }
  const [encodedHeader, encodedPayload, encodedSignature] = segments as [string, string, string];
  const parsedHeader = header.safeParse(decodeJson(encodedHeader));
  if (!parsedHeader.success) throw new AuthError('the token header is malformed');
  // Checked before the signature: a token must never choose how it is verified.
  if (parsedHeader.data.alg !== 'HS256') throw new AuthError('the token algorithm is not HS256');
  const expected = signature(`${encodedHeader}.${encodedPayload}`, key);
  const given = Buffer.from(encodedSignature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AuthError('the token signature is invalid');
  const parsed = payload.safeParse(decodeJson(encodedPayload));
  if (!parsed.success) throw new AuthError('the token lacks a valid issuer, iat, exp, role or scope');
  const seconds = Math.floor(now.getTime() / 1000);
  if (parsed.data.exp <= seconds) throw new AuthError('the token has expired');
  if (parsed.data.nbf !== undefined && parsed.data.nbf > seconds) throw new AuthError('the token is not valid yet');
  const { role, scope, sub, iss, iat, exp } = parsed.data;
  return { role, scope, ...(sub === undefined ? {} : { sub }), iss, iat, exp };
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new AuthError('the token is not valid JSON', { cause });
  }
}
