import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { env } from '../../infra/definitions.ts';

export class PseudonymKeyError extends Error {
  override readonly name = 'PseudonymKeyError';
}

/**
 * The deployment's pseudonymisation key: `PSEUDONYM_KEY` locally, or the
 * Secrets Manager secret named by `PSEUDONYM_SECRET_ARN` in AWS. Read once at
 * cold start; a missing key stops the function rather than storing raw IDs.
 */
export async function loadPseudonymKey(environment: NodeJS.ProcessEnv = process.env): Promise<string> {
  const direct = environment[env.pseudonymKey];
  if (direct !== undefined && direct !== '') return direct;
  const arn = environment[env.pseudonymSecretArn];
  if (arn === undefined || arn === '') {
    throw new PseudonymKeyError(`set ${env.pseudonymKey} or ${env.pseudonymSecretArn}: events cannot be pseudonymised without a key`);
  }
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  if (SecretString === undefined || SecretString.length < 32) {
    throw new PseudonymKeyError('the pseudonym secret is empty or shorter than 32 characters');
  }
  return SecretString;
}
