/**
 * The console's runtime configuration, `config.json` beside index.html: the
 * local stack serves it, CDK writes it at deploy time. One build runs
 * anywhere; only this file differs.
 */
import * as z from 'zod/mini';
import { ConfigError } from './errors.ts';

export interface DivisionNode {
  readonly code: string;
  readonly name: { readonly zh: string; readonly en: string };
  readonly children?: readonly DivisionNode[];
}

const divisionNode: z.ZodMiniType<DivisionNode> = z.object({
  code: z.string().check(z.regex(/^\d{12}$/)),
  name: z.object({ zh: z.string(), en: z.string() }),
  get children() {
    return z.optional(z.array(divisionNode));
  },
});

const runtimeConfig = z.object({
  /** Base URL of the API; empty for the console's own origin. */
  apiUrl: z.string(),
  auth: z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('local') }),
    z.object({
      mode: z.literal('oidc'),
      issuer: z.url(),
      clientId: z.string().check(z.minLength(1)),
      scope: z._default(z.string(), 'openid'),
      /** Names of the role and division claims in the access token (deployment configuration). */
      claims: z._default(z.object({ role: z.string(), division: z.string() }), { role: 'role', division: 'division' }),
    }),
  ]),
  divisions: divisionNode,
});

export type RuntimeConfig = z.infer<typeof runtimeConfig>;
export type OidcSettings = Extract<RuntimeConfig['auth'], { mode: 'oidc' }>;

/** Fetches and checks `/config.json`. */
export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  let body: unknown;
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (!response.ok) throw new ConfigError(`config.json answered ${response.status}`);
    body = await response.json();
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError('config.json could not be read', { cause });
  }
  const parsed = runtimeConfig.safeParse(body);
  if (!parsed.success) throw new ConfigError(`config.json is not valid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
