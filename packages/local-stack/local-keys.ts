/**
 * The two secrets of a local stack — the pseudonymisation key and the JWT
 * signing key — random per machine and kept in `.local/` (gitignored), so a
 * token minted by `npm run token` is accepted by the stack `npm start` runs,
 * and pseudonyms stay stable across restarts. `PSEUDONYM_KEY` and
 * `LOCAL_JWT_KEY` in the environment take precedence.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env } from '../../infra/definitions.ts';

/** Environment variable holding the JWT signing key of the local API. */
export const localJwtKeyEnv = 'LOCAL_JWT_KEY';

/** `.local/` at the repository root. */
export const localStateDirectory = fileURLToPath(new URL('../../.local/', import.meta.url));

export interface LocalKeys {
  readonly pseudonymKey: string;
  readonly jwtKey: string;
}

/** Reads `file`, creating it with a fresh random key first if it does not exist. */
async function keyInFile(file: string): Promise<string> {
  try {
    // 'wx' fails if the file exists, so two starts at once keep a single key.
    await writeFile(file, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (await readFile(file, 'utf8')).trim();
}

/** The local keys: from the environment if set there, else from (or newly into) `directory`. */
export async function localKeys(directory: string = localStateDirectory, environment: NodeJS.ProcessEnv = process.env): Promise<LocalKeys> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const fromEnv = (name: string): string | undefined => (environment[name] === '' ? undefined : environment[name]);
  return {
    pseudonymKey: fromEnv(env.pseudonymKey) ?? (await keyInFile(join(directory, 'pseudonym.key'))),
    jwtKey: fromEnv(localJwtKeyEnv) ?? (await keyInFile(join(directory, 'jwt.key'))),
  };
}
