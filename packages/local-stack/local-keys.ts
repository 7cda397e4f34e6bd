/**
 * The two secrets of a local stack — the pseudonymisation key and the token
 * signing key (an RS256 private JWK) — random per machine and kept in
 * `.local/` (gitignored), so a token minted by `reform token` is accepted by
 * the stack `npm start` runs, and pseudonyms stay stable across restarts.
 * `PSEUDONYM_KEY` and `LOCAL_JWT_PRIVATE_JWK` in the environment take
 * precedence. The local authorizer reads only the public JWKS.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JWK } from 'jose';
import { generateLocalSigningKeys, publicJwkOf } from '../auth/local-tokens.ts';
import { env } from '../config/resources.ts';

/** Environment variable that may hold the private JWK (JSON) of local tokens. */
export const localJwtKeyEnv = 'LOCAL_JWT_PRIVATE_JWK';

/** `.local/` at the repository root. */
export const localStateDirectory = fileURLToPath(new URL('../../.local/', import.meta.url));

export interface LocalKeys {
  readonly pseudonymKey: string;
  /** Signs local tokens (the token command only). */
  readonly jwtPrivateKey: JWK;
  /** What the local authorizer verifies against. */
  readonly jwks: { readonly keys: readonly JWK[] };
}

/** Reads `file`, creating it with `fresh()` first if it does not exist. */
async function secretInFile(file: string, fresh: () => Promise<string>): Promise<string> {
  try {
    // 'wx' fails if the file exists, so two starts at once keep a single key.
    await writeFile(file, `${await fresh()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (await readFile(file, 'utf8')).trim();
}

/** The local keys: from the environment if set there, else from (or newly into) `directory`. */
export async function localKeys(directory: string = localStateDirectory, environment: NodeJS.ProcessEnv = process.env): Promise<LocalKeys> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const fromEnv = (name: string): string | undefined => (environment[name] === '' ? undefined : environment[name]);
  const privateText =
    fromEnv(localJwtKeyEnv) ??
    (await secretInFile(join(directory, 'jwt-signing-key.jwk.json'), async () => JSON.stringify((await generateLocalSigningKeys()).privateJwk)));
  const jwtPrivateKey = JSON.parse(privateText) as JWK;
  return {
    pseudonymKey: fromEnv(env.pseudonymKey) ?? (await secretInFile(join(directory, 'pseudonym.key'), async () => randomBytes(32).toString('base64url'))),
    jwtPrivateKey,
    jwks: { keys: [publicJwkOf(jwtPrivateKey)] },
  };
}
