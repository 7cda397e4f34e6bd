/**
 * Why a token or a set of claims was refused. Messages name the failed check,
 * never the token or claim values.
 */
export class AuthError extends Error {
  override readonly name: string = 'AuthError';
}
