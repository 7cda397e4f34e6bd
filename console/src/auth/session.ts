/**
 * Who is signed in. Locally the sign-in page asks the local stack to mint a
 * token (`POST /local/token`, loopback only); in AWS the deployment's
 * identity provider signs the user in with OpenID Connect authorization code
 * + PKCE (oidc-client-ts, loaded only then). The session lives in
 * sessionStorage: it ends with the browser tab.
 */
import { computed, ref } from 'vue';
import * as z from 'zod/mini';
import type { OidcSettings } from '../config.ts';
import { ApiProblemError, ConsoleError } from '../errors.ts';

export type Role = 'admin' | 'viewer';

export interface Session {
  readonly token: string;
  readonly role: Role;
  /** The division whose subtree the caller sees. */
  readonly division: string;
  /** ISO timestamp after which the API refuses the token. */
  readonly expiresAt: string;
}

const sessionSchema = z.object({
  token: z.string().check(z.minLength(1)),
  role: z.enum(['admin', 'viewer']),
  division: z.string().check(z.regex(/^\d{12}$/)),
  expiresAt: z.string(),
});

const storageKey = 'reform-console.session';

function storedSession(): Session | undefined {
  const parsed = sessionSchema.safeParse(JSON.parse(sessionStorage.getItem(storageKey) ?? 'null'));
  if (!parsed.success || Date.parse(parsed.data.expiresAt) <= Date.now()) return undefined;
  return parsed.data;
}

/** The current session, if any. */
export const session = ref<Session | undefined>(storedSession());

/** True for an admin of `rootDivision`: rebuild, reconcile and publishing are county-wide. */
export const isRootAdmin = (rootDivision: string) => computed(() => session.value?.role === 'admin' && session.value.division === rootDivision);

function begin(next: Session): void {
  session.value = next;
  sessionStorage.setItem(storageKey, JSON.stringify(next));
}

export function endSession(): void {
  session.value = undefined;
  sessionStorage.removeItem(storageKey);
}

/** Local stack only: a token for the chosen role and division. */
export async function signInLocally(role: Role, division: string): Promise<Session> {
  const response = await fetch('/local/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ role, division }),
  });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const detail = typeof body === 'object' && body !== null && 'detail' in body ? String(body.detail) : `answered ${response.status}`;
    throw new ApiProblemError(response.status, 'sign-in', detail);
  }
  const parsed = sessionSchema.safeParse(body);
  if (!parsed.success) throw new ApiProblemError(response.status, 'unreadable', 'the sign-in answer has an unexpected shape');
  begin(parsed.data);
  return parsed.data;
}

async function userManager(settings: OidcSettings) {
  const { UserManager, WebStorageStateStore } = await import('oidc-client-ts');
  return new UserManager({
    authority: settings.issuer,
    client_id: settings.clientId,
    redirect_uri: `${location.origin}/auth/callback`,
    post_logout_redirect_uri: `${location.origin}/`,
    response_type: 'code',
    scope: settings.scope,
    userStore: new WebStorageStateStore({ store: sessionStorage }),
  });
}

/** Sends the browser to the identity provider (authorization code + PKCE). */
export async function signInWithOidc(settings: OidcSettings): Promise<void> {
  await (await userManager(settings)).signinRedirect();
}

/** The role and division claims of an access token (configured names); the token's signature is the API's business. */
export function claimsOf(accessToken: string, names: OidcSettings['claims']): { role: Role; division: string } {
  const payload = accessToken.split('.')[1];
  if (payload === undefined) throw new ConsoleError('the access token is not a JWT');
  const json: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))));
  const claims = z.record(z.string(), z.unknown()).parse(json);
  const parsed = z.object({ role: z.enum(['admin', 'viewer']), division: z.string().check(z.regex(/^\d{12}$/)) }).safeParse({
    role: claims[names.role],
    division: claims[names.division],
  });
  if (!parsed.success) throw new ConsoleError(`the access token lacks a valid ${names.role} or ${names.division} claim`);
  return parsed.data;
}

/** Completes the redirect back from the identity provider. */
export async function completeOidcSignIn(settings: OidcSettings): Promise<Session> {
  const user = await (await userManager(settings)).signinRedirectCallback();
  const { role, division } = claimsOf(user.access_token, settings.claims);
  const expiresAt = new Date((user.expires_at ?? Math.floor(Date.now() / 1000) + 300) * 1000).toISOString();
  const next = { token: user.access_token, role, division, expiresAt };
  begin(next);
  return next;
}
