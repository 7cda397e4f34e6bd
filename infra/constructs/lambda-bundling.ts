/**
 * esbuild settings every Lambda bundle shares: the house construct deploys
 * with them and `test/bench/bundle-size.ts` measures with them, so the
 * reported size is the deployed size. The AWS SDK is bundled, not external,
 * so the functions run exactly the pinned SDK versions.
 */
import { fileURLToPath } from 'node:url';

/** ESM output has no `require`; a few CommonJS dependencies call it at runtime. */
export const lambdaBundleBanner =
  "import { createRequire as houseCreateRequire } from 'node:module'; const require = houseCreateRequire(import.meta.url);";

/** Module substitutions: import path → absolute path of the replacement. */
export const lambdaBundleAliases: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': fileURLToPath(new URL('./lambda-credentials.ts', import.meta.url)),
  'mnemonist/lru-cache': fileURLToPath(new URL('./lambda-lru-cache.ts', import.meta.url)),
};

/**
 * Left out of the bundle. `@smithy/core/event-streams` is only ever loaded by
 * a lazy `import()` for event-stream operations (e.g. Kinesis
 * SubscribeToShard); DynamoDB, SQS and Secrets Manager have none, so it is
 * never loaded. A function that starts using an event-stream API must drop
 * this exclusion.
 */
export const lambdaBundleExternals: readonly string[] = ['@smithy/core/event-streams'];
