/**
 * Tokens of the local stack, the way a real identity provider and API
 * Gateway's JWT authorizer handle them: RS256, signed with a private key the
 * token command holds, verified against a JWKS (public keys only) that the
 * local authorizer reads. `jose` does the JOSE work; this module adds the
 * local policy: issuer, audience, required exp/iat, no future iat and a
 * maximum lifetime.
 */
import type { JWK, JWTPayload } from 'jose';
import { createLocalJWKSet, errors, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from 'jose';
import { AuthError } from './errors.ts';

/** Issuer of locally minted tokens; nothing else is accepted locally. */
export const localIssuer = 'reform-indicators-local';
/** Audience of locally minted tokens (API Gateway's authorizer checks `aud` the same way). */
export const localAudience = 'reform-indicators-api';
/** The only algorithm accepted: a token must never choose how it is verified. */
export const localAlgorithm = 'RS256';
/**
 * Longest lifetime (exp − iat) a local token may have: 12 hours, a working
 * day. A leaked token is then useless by the next morning.
 */
export const maxTokenLifetimeSeconds = 12 * 3600;
/** Clock skew tolerated on exp, nbf and iat, seconds. */
export const clockToleranceSeconds = 30;

/** A key pair for local tokens, as JWKs (the private one stays in `.local/`). */
export interface LocalSigningKeys {
  readonly privateJwk: JWK;
  readonly publicJwks: { readonly keys: readonly JWK[] };
}

/** A fresh RS256 key pair with a key id, so the JWKS can rotate. */
export async function generateLocalSigningKeys(): Promise<LocalSigningKeys> {
  const { privateKey, publicKey } = await generateKeyPair(localAlgorithm, { extractable: true });
  const kid = `local-${Date.now().toString(36)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: localAlgorithm, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: localAlgorithm, use: 'sig' };
  return { privateJwk, publicJwks: { keys: [publicJwk] } };
}

/** The public half of a private JWK: what a JWKS publishes. */
export function publicJwkOf(privateJwk: JWK): JWK {
  const { kty, n, e, kid, alg, use } = privateJwk;
  return { kty, n, e, kid, alg, use } as JWK;
}

export interface TokenOptions {
  /** Lifetime, seconds; at most {@link maxTokenLifetimeSeconds}. */
  readonly ttlSeconds?: number;
  readonly now?: Date;
}

/**
 * Signs `claims` (already under the deployment's claim names) as an RS256
 * JWT with iss, aud, iat, nbf and exp set.
 *
 * @throws AuthError when the lifetime exceeds the local maximum.
 */
export async function signLocalToken(claims: Readonly<Record<string, unknown>>, privateJwk: JWK, options: TokenOptions = {}): Promise<string> {
  const ttl = options.ttlSeconds ?? 3600;
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > maxTokenLifetimeSeconds) {
    throw new AuthError(`a local token lives between 1 second and ${maxTokenLifetimeSeconds} seconds (12 h)`);
  }
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const key = await importJWK(privateJwk, localAlgorithm);
  return new SignJWT({ ...claims } as JWTPayload)
    .setProtectedHeader({ alg: localAlgorithm, typ: 'JWT', ...(privateJwk.kid === undefined ? {} : { kid: privateJwk.kid }) })
    .setIssuer(localIssuer)
    .setAudience(localAudience)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + ttl)
    .sign(key);
}

/** Verifies bearer tokens; resolves to the verified claims. */
export type TokenVerifier = (token: string, now?: Date) => Promise<Readonly<Record<string, unknown>>>;

/**
 * The local authorizer: verifies RS256 tokens against `jwks` and enforces
 * issuer, audience, exp, nbf, iat (required, not in the future) and the
 * maximum lifetime.
 */
export function localTokenVerifier(jwks: { readonly keys: readonly JWK[] }): TokenVerifier {
  const keySet = createLocalJWKSet({ keys: [...jwks.keys] });
  return async (token, now = new Date()) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        algorithms: [localAlgorithm],
        issuer: localIssuer,
        audience: localAudience,
        requiredClaims: ['exp', 'iat'],
        // With maxTokenAge jose also refuses an iat in the future.
        maxTokenAge: maxTokenLifetimeSeconds,
        clockTolerance: clockToleranceSeconds,
        currentDate: now,
      }));
    } catch (error) {
      throw new AuthError(refusal(error), { cause: error });
    }
    const { iat, exp } = payload as { iat: number; exp: number };
    if (exp - iat > maxTokenLifetimeSeconds) throw new AuthError(`the token lives longer than the local maximum of ${maxTokenLifetimeSeconds} seconds`);
    return payload;
  };
}

/** Why a token was refused, naming the check, never the token or its claims. */
function refusal(error: unknown): string {
  if (error instanceof errors.JWTExpired) return error.claim === 'iat' ? 'the token was issued too long ago' : 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iat') return 'the token is issued in the future';
    if (error.claim === 'nbf') return 'the token is not valid yet';
    return `the token's ${error.claim} claim is missing or not accepted here`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) return 'the token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return `the token algorithm is not ${localAlgorithm}`;
  return 'the token is not a valid signed JWT';
}
