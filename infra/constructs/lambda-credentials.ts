/**
 * Replaces `@aws-sdk/credential-provider-node` inside Lambda bundles (see
 * `lambda-bundling.ts`). The Lambda runtime always hands a function its
 * role's credentials in environment variables, so the default chain's other
 * links (SSO, STS web identity, INI files, IMDS, login) are dead weight:
 * about 135 KB of each minified bundle, parsed at every cold start.
 * Only bundles use this; code run with tsx keeps the SDK's full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { FromEnvInit } from '@aws-sdk/credential-provider-env';

/** Same name and call shape as the SDK's `defaultProvider`, which every client imports. */
export const defaultProvider = (init?: FromEnvInit): ReturnType<typeof fromEnv> => fromEnv(init);
