import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { claimsFromAuthorizer } from '../../packages/auth/claims.ts';
import { AuthError } from '../../packages/auth/errors.ts';
import { localIssuer, signJwt, verifyJwt } from '../../packages/auth/jwt.ts';

const key = 'local-test-key-0123456789';
const issuedAt = new Date('2026-11-24T04:00:00Z');
const county = '500233000000';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (input: string, k = key): string => createHmac('sha256', k).update(input).digest('base64url');
function handMade(header: unknown, payload: unknown, k = key): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(input, k)}`;
}
const validPayload = { role: 'viewer', scope: county, iss: localIssuer, iat: 1795000000, exp: 4102444800 };

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return (error as Error).message;
  }
  throw new Error('expected an AuthError');
}

describe('signJwt / verifyJwt', () => {
  it('round-trips role, scope and sub, adding iss, iat and exp', () => {
    const token = signJwt({ role: 'admin', scope: county, sub: 'ops-1' }, key, 3600, issuedAt);
    const claims = verifyJwt(token, key, new Date(issuedAt.getTime() + 10_000));
    expect(claims).toEqual({
      role: 'admin', scope: county, sub: 'ops-1', iss: 'reform-indicators-local',
      iat: issuedAt.getTime() / 1000, exp: issuedAt.getTime() / 1000 + 3600,
    });
    expect(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('accepts a token until its expiry and refuses it from then on', () => {
    const token = signJwt({ role: 'viewer', scope: county }, key, 60, issuedAt);
    expect(verifyJwt(token, key, new Date(issuedAt.getTime() + 59_000)).role).toBe('viewer');
    expect(refusal(() => verifyJwt(token, key, new Date(issuedAt.getTime() + 60_000)))).toMatch(/expired/);
  });

  it('refuses a token whose payload was changed after signing', () => {
    const [header, , signature] = signJwt({ role: 'viewer', scope: '500233001000' }, key, 3600, issuedAt).split('.');
    const forged = `${header}.${b64({ ...validPayload, role: 'admin', scope: county })}.${signature}`;
    expect(refusal(() => verifyJwt(forged, key, issuedAt))).toMatch(/signature/);
  });

  it('refuses a changed signature and a token signed with another key', () => {
    const token = signJwt({ role: 'viewer', scope: county }, key, 3600, issuedAt);
    const flipped = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    expect(refusal(() => verifyJwt(flipped, key, issuedAt))).toMatch(/signature/);
    expect(refusal(() => verifyJwt(signJwt({ role: 'viewer', scope: county }, 'another-key', 3600, issuedAt), key, issuedAt))).toMatch(/signature/);
  });

  it('refuses alg none, with or without a signature, and other algorithms', () => {
    const payload = b64(validPayload);
    expect(refusal(() => verifyJwt(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, key, issuedAt))).toMatch(/not a signed JWT/);
    expect(refusal(() => verifyJwt(`${b64({ alg: 'none' })}.${payload}.${sign(`${b64({ alg: 'none' })}.${payload}`)}`, key, issuedAt))).toMatch(/algorithm/);
    expect(refusal(() => verifyJwt(handMade({ alg: 'HS512', typ: 'JWT' }, validPayload), key, issuedAt))).toMatch(/algorithm/);
    expect(refusal(() => verifyJwt(handMade({ alg: 'RS256' }, validPayload), key, issuedAt))).toMatch(/algorithm/);
  });

  it('accepts a hand-made HS256 token with the expected claims', () => {
    expect(verifyJwt(handMade({ alg: 'HS256', typ: 'JWT' }, validPayload), key, issuedAt).scope).toBe(county);
  });

  it.each([
    ['abc'],
    ['a.b'],
    ['a.b.c.d'],
    ['***.***.***'],
    [`${b64({ alg: 'HS256' })}.bm90IGpzb24.${'x'.repeat(43)}`],
  ])('refuses the malformed token %j', (token) => {
    refusal(() => verifyJwt(token, key, issuedAt));
  });

  it.each([
    ['another issuer', { ...validPayload, iss: 'someone-else' }],
    ['no scope', { ...validPayload, scope: undefined }],
    ['a scope that is not a division code', { ...validPayload, scope: '5002' }],
    ['an unknown role', { ...validPayload, role: 'root' }],
    ['no exp', { ...validPayload, exp: undefined }],
    ['a not-before in the future', { ...validPayload, nbf: 4102444000 }],
  ])('refuses a correctly signed token with %s', (_, payload) => {
    refusal(() => verifyJwt(handMade({ alg: 'HS256' }, payload), key, issuedAt));
  });

  it('refuses to sign or verify with an empty key', () => {
    refusal(() => signJwt({ role: 'viewer', scope: county }, ''));
    refusal(() => verifyJwt(handMade({ alg: 'HS256' }, validPayload, ''), ''));
  });
});

describe('claimsFromAuthorizer', () => {
  const event = (claims: Record<string, unknown> | undefined) => ({
    requestContext: { authorizer: claims === undefined ? undefined : { jwt: { claims, scopes: null } } },
  });

  it('reads role and scope as API Gateway passes them (strings)', () => {
    expect(claimsFromAuthorizer(event({ role: 'viewer', scope: '500233001000', exp: '1795000000', iss: 'x' }))).toEqual({
      role: 'viewer', scope: '500233001000',
    });
    expect(claimsFromAuthorizer(event({ role: 'admin', scope: county, sub: 'ops-1' }))).toEqual({ role: 'admin', scope: county, sub: 'ops-1' });
  });

  it.each([
    ['no authorizer', undefined],
    ['no role', { scope: county }],
    ['an unknown role', { role: 'superuser', scope: county }],
    ['a malformed scope', { role: 'viewer', scope: 'county' }],
    ['a numeric scope', { role: 'viewer', scope: 500233000000 }],
  ])('refuses %s', (_, claims) => {
    refusal(() => claimsFromAuthorizer(event(claims)));
  });
});
