import { generateKeyPairSync, createHmac } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { callerFromAuthorizer, callerFromClaims, claimsFor } from '../../packages/auth/claims.ts';
import { AuthError } from '../../packages/auth/errors.ts';
import type { LocalSigningKeys } from '../../packages/auth/local-tokens.ts';
import { generateLocalSigningKeys, localAudience, localIssuer, localTokenVerifier, signLocalToken } from '../../packages/auth/local-tokens.ts';
import { defaultClaimNames, loadDeploymentConfig } from '../../packages/config/deployment.ts';

const issuedAt = new Date('2026-11-24T04:00:00Z');
const iat = Math.floor(issuedAt.getTime() / 1000);
const county = '500233000000';
const claims = { role: 'viewer', division: county };

async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return (error as Error).message;
  }
  throw new Error('expected an AuthError');
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('local RS256 tokens', () => {
  let keys: LocalSigningKeys;
  beforeAll(async () => {
    keys = await generateLocalSigningKeys();
  });
  const verify = (token: string, now = issuedAt) => localTokenVerifier(keys.publicJwks)(token, now);
  const handMade = async (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: keys.privateJwk.kid as string, ...header }).sign(await importJWK(keys.privateJwk, 'RS256'));
  const validPayload = { ...claims, iss: localIssuer, aud: localAudience, iat, exp: iat + 3600 };

  it('round-trips the claims with issuer, audience, iat, nbf and exp set', async () => {
    const verified = await verify(await signLocalToken({ ...claims, sub: 'ops-1' }, keys.privateJwk, { now: issuedAt, ttlSeconds: 600 }));
    expect(verified).toMatchObject({ ...claims, sub: 'ops-1', iss: localIssuer, aud: localAudience, iat, nbf: iat, exp: iat + 600 });
  });

  it('publishes only the public key in the JWKS', () => {
    expect(keys.publicJwks.keys).toHaveLength(1);
    expect(keys.publicJwks.keys[0]).not.toHaveProperty('d');
    expect(keys.publicJwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: keys.privateJwk.kid });
  });

  it.each([
    ['another issuer', { ...validPayload, iss: 'someone-else' }],
    ['another audience', { ...validPayload, aud: 'another-api' }],
    ['no exp', { ...validPayload, exp: undefined }],
    ['no iat', { ...validPayload, iat: undefined }],
    ['a not-before in the future', { ...validPayload, nbf: iat + 600 }],
    ['an iat in the future', { ...validPayload, iat: iat + 600, exp: iat + 1200 }],
    ['a lifetime over 12 h', { ...validPayload, exp: iat + 13 * 3600 }],
    ['an expiry in the past', { ...validPayload, iat: iat - 7200, exp: iat - 3600 }],
  ])('refuses a correctly signed token with %s', async (_, payload) => {
    const defined = Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined));
    await refusal(async () => verify(await handMade(defined)));
  });

  it('refuses tokens that choose their own algorithm or key', async () => {
    const payload = b64(validPayload);
    expect(await refusal(() => verify(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`))).toMatch(/not a valid signed JWT|algorithm/);
    const hsInput = `${b64({ alg: 'HS256', typ: 'JWT' })}.${payload}`;
    // An HS256 token "signed" with the public key's modulus: the classic RS/HS confusion.
    const hs = `${hsInput}.${createHmac('sha256', String(keys.publicJwks.keys[0]?.n)).update(hsInput).digest('base64url')}`;
    expect(await refusal(() => verify(hs))).toMatch(/algorithm/);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = await new SignJWT(validPayload).setProtectedHeader({ alg: 'RS256', kid: keys.privateJwk.kid as string }).sign(other.privateKey);
    expect(await refusal(() => verify(foreign))).toMatch(/signature/);
  });

  it.each([['abc'], ['a.b'], ['a.b.c.d'], ['***.***.***']])('refuses the malformed token %j', async (token) => {
    await refusal(() => verify(token));
  });
});

describe('callerFromClaims', () => {
  const event = (claims: Record<string, unknown> | undefined) => ({
    requestContext: { authorizer: claims === undefined ? undefined : { jwt: { claims, scopes: null } } },
  });

  it('reads role, division and source as API Gateway passes them (strings)', () => {
    expect(callerFromAuthorizer(event({ role: 'viewer', division: '500233001000', exp: '1795000000', iss: 'x' }), defaultClaimNames)).toEqual({
      role: 'viewer',
      division: '500233001000',
    });
    expect(callerFromAuthorizer(event({ role: 'producer', source: 'hrss.zhongxian' }), defaultClaimNames)).toEqual({ role: 'producer', source: 'hrss.zhongxian' });
  });

  it('reads renamed claims and never takes `scope` for a division', () => {
    const names = { role: 'custom:role', division: 'custom:division', source: 'azp' };
    expect(callerFromClaims({ scope: 'openid profile', 'custom:role': 'admin', 'custom:division': county }, names)).toEqual({ role: 'admin', division: county });
    expect(() => callerFromClaims({ role: 'admin', scope: county }, defaultClaimNames)).toThrow(AuthError);
    expect(claimsFor({ role: 'admin', division: county }, names)).toEqual({ 'custom:role': 'admin', 'custom:division': county });
  });

  it.each([
    ['no authorizer', undefined],
    ['no role', { division: county }],
    ['an unknown role', { role: 'superuser', division: county }],
    ['a malformed division', { role: 'viewer', division: 'county' }],
    ['a numeric division', { role: 'viewer', division: 500233000000 }],
    ['a producer without source', { role: 'producer', division: county }],
    ['a viewer without division', { role: 'viewer', source: 'hrss.zhongxian' }],
  ])('refuses %s', async (_, claims) => {
    await refusal(async () => callerFromAuthorizer(event(claims), defaultClaimNames));
  });
});

describe('deployment configuration of claim names', () => {
  it('defaults to role, division and source, and refuses scope as the division claim', () => {
    expect(loadDeploymentConfig({}).claims).toEqual({ role: 'role', division: 'division', source: 'source' });
    const config = (claimsConfig: unknown) => JSON.stringify({ root: { code: county, name: { zh: '忠县', en: 'Zhong' } }, sources: {}, claims: claimsConfig });
    expect(loadDeploymentConfig({ DEPLOYMENT_CONFIG: config({ division: 'custom:division' }) }).claims.division).toBe('custom:division');
    expect(() => loadDeploymentConfig({ DEPLOYMENT_CONFIG: config({ division: 'scope' }) })).toThrow(/DEPLOYMENT_CONFIG\.claims\.division/);
  });
});
