/** Local RS256 tokens for tests, signed with a key pair made once per test file. */
import type { JWK } from 'jose';
import type { LocalSigningKeys } from '../../packages/auth/local-tokens.ts';
import { generateLocalSigningKeys, signLocalToken } from '../../packages/auth/local-tokens.ts';

export const testSigningKeys: LocalSigningKeys = await generateLocalSigningKeys();

/** A token for `claims` (contract claim names), signed with `key` (the test key by default). */
export function signedToken(claims: Readonly<Record<string, unknown>>, options: { key?: JWK; ttlSeconds?: number; now?: Date } = {}): Promise<string> {
  return signLocalToken(claims, options.key ?? testSigningKeys.privateJwk, {
    ...(options.ttlSeconds === undefined ? {} : { ttlSeconds: options.ttlSeconds }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}
