import { env } from '../config/resources.ts';
import { awsErrorType, signedPost } from '../aws/signed-request.ts';

export class PseudonymKeyError extends Error {
  override readonly name = 'PseudonymKeyError';
}

/** GetSecretValue once per cold start, as one signed call (see signed-request.ts). */
async function getSecretString(secretId: string, environment: NodeJS.ProcessEnv): Promise<string | undefined> {
  let response;
  try {
    response = await signedPost(
      {
        service: 'secretsmanager',
        endpointVariable: 'SECRETS_MANAGER',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
        body: JSON.stringify({ SecretId: secretId }),
      },
      environment,
    );
  } catch (cause) {
    throw new PseudonymKeyError('could not read the pseudonym secret', { cause });
  }
  if (response.status !== 200) {
    const type = awsErrorType(response);
    throw new PseudonymKeyError(`GetSecretValue failed with HTTP ${response.status}${type === undefined ? '' : ` (${type})`}`);
  }
  return (JSON.parse(response.text) as { SecretString?: string }).SecretString;
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
  const secret = await getSecretString(arn, environment);
  if (secret === undefined || secret.length < 32) {
    throw new PseudonymKeyError('the pseudonym secret is empty or shorter than 32 characters');
  }
  return secret;
}
