/**
 * What the build-time substitutions of `infra/constructs/lambda-bundling.ts`
 * keep out of every function bundle, built as the deployment builds it.
 */
import { describe, expect, it } from 'vitest';
import { functionEntries, measureBundle } from '../bench/bundle-size.ts';

describe('Lambda bundles', () => {
  it.each(functionEntries())('$name bundles neither the SDK’s full credential chain nor mnemonist', async ({ name, entry }) => {
    const { packages } = await measureBundle(name, entry);
    // Their replacements: infra/constructs/lambda-credentials.ts and lambda-lru-cache.ts.
    expect(packages.has('(project)')).toBe(true);
    expect(packages.has('@aws-sdk/client-dynamodb')).toBe(true);
    for (const left of ['@aws-sdk/credential-provider-node', '@aws-sdk/credential-provider-ini', '@smithy/credential-provider-imds', 'mnemonist', 'obliterator']) {
      expect(packages.has(left), `${name} bundles ${left}`).toBe(false);
    }
  });
});
