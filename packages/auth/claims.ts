/** The claims this API authorises on: who may do what, where. */
import * as z from 'zod/mini';
import type { ClaimNames } from '../config/deployment.ts';
import { isSourceName } from '../contract/envelope.ts';
import { AuthError } from './errors.ts';

/** The roles of contract/API.md. */
export const roles = ['producer', 'admin', 'viewer'] as const;
export type Role = (typeof roles)[number];

/**
 * The caller as the API sees it. `division` is the subtree it may see (a
 * producer may have none); `source` is the one producer source a `producer`
 * may send as.
 */
export interface Caller {
  readonly role: Role;
  readonly division?: string;
  readonly source?: string;
}

const divisionCode = z.string().check(z.regex(/^\d{12}$/));
const sourceName = z.string().check(z.refine(isSourceName));

/** A producer's claims, renamed to the contract's names: its source, and a division if it has one. */
const producerClaims = z.object({ role: z.literal('producer'), division: z.optional(divisionCode), source: sourceName });
/** An admin's or viewer's claims: a division; any source claim is ignored. */
const officialClaims = z.object({ role: z.enum(['admin', 'viewer']), division: divisionCode });

/** The part of an API Gateway HTTP API (JWT authorizer) event this reads; no AWS types needed. */
export interface JwtAuthorizerEvent {
  readonly requestContext: {
    readonly authorizer?: { readonly jwt?: { readonly claims?: Readonly<Record<string, unknown>> } | null } | null;
  };
}

/**
 * The caller from verified token claims, read under the deployment's claim
 * names. Only those names are read: in particular `scope` (OAuth 2.0's
 * granted scopes, e.g. `openid profile`) is never taken for a division.
 *
 * @throws AuthError when the role, division or source claim is missing or malformed.
 */
export function callerFromClaims(claims: Readonly<Record<string, unknown>>, names: ClaimNames): Caller {
  const renamed = { role: claims[names.role], division: claims[names.division], source: claims[names.source] };
  const parsed = renamed.role === 'producer' ? producerClaims.safeParse(renamed) : officialClaims.safeParse(renamed);
  if (!parsed.success) {
    throw new AuthError(
      `the token lacks a valid "${names.role}" (producer, admin or viewer), "${names.division}" (a 12-digit division code; optional for producers) or, for a producer, "${names.source}" (its producer source)`,
    );
  }
  const { data } = parsed;
  if (data.role === 'producer') return { role: data.role, source: data.source, ...(data.division === undefined ? {} : { division: data.division }) };
  return { role: data.role, division: data.division };
}

/**
 * The caller as API Gateway's JWT authorizer passed its claims on (it has
 * already checked signature, issuer, audience and expiry).
 *
 * @throws AuthError when the claims are absent or not valid.
 */
export function callerFromAuthorizer(event: JwtAuthorizerEvent, names: ClaimNames): Caller {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (claims === undefined || claims === null) throw new AuthError('the request carries no verified token claims');
  return callerFromClaims(claims, names);
}

/** A caller's claims under the deployment's claim names: what a token for it carries. */
export function claimsFor(caller: Caller, names: ClaimNames, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    ...extra,
    [names.role]: caller.role,
    ...(caller.division === undefined ? {} : { [names.division]: caller.division }),
    ...(caller.source === undefined ? {} : { [names.source]: caller.source }),
  };
}
