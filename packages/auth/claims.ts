/** The claims this API authorises on: who may do what, where. */
import * as z from 'zod/mini';
import { AuthError } from './errors.ts';

export type Role = 'admin' | 'viewer';

/** Authorisation claims: `scope` is the division code whose subtree the caller sees. */
export interface Claims {
  readonly role: Role;
  readonly scope: string;
  readonly sub?: string;
}

/** The role and scope claims as they must look, whether from a token or from API Gateway. */
export const authorisationClaims = z.object({
  role: z.enum(['admin', 'viewer']),
  scope: z.string().check(z.regex(/^\d{12}$/)),
  sub: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
});

/** The part of an API Gateway HTTP API (JWT authorizer) event this reads; no AWS types needed. */
export interface JwtAuthorizerEvent {
  readonly requestContext: {
    readonly authorizer?: { readonly jwt?: { readonly claims?: Readonly<Record<string, unknown>> } | null } | null;
  };
}

/**
 * The caller's claims as API Gateway's JWT authorizer passed them on (it has
 * already checked signature, issuer, audience and expiry).
 *
 * @throws AuthError when the claims are absent or `role`/`scope` are not valid.
 */
export function claimsFromAuthorizer(event: JwtAuthorizerEvent): Claims {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (claims === undefined || claims === null) throw new AuthError('the request carries no verified token claims');
  const parsed = authorisationClaims.safeParse({ role: claims['role'], scope: claims['scope'], sub: claims['sub'] });
  if (!parsed.success) throw new AuthError('the token lacks a valid role (admin or viewer) or scope (a 12-digit division code)');
  const { role, scope, sub } = parsed.data;
  return sub === undefined ? { role, scope } : { role, scope, sub };
}
