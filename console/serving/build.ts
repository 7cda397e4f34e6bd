/**
 * Builds the console with Vite when `console/dist` is missing or was built
 * from other sources. `npm start`, `cdk synth` and the test setup call it, so
 * none of them serves or deploys a stale console and a fresh checkout needs
 * no extra step.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `console/` at the repository root. */
export const consoleDirectory = fileURLToPath(new URL('../', import.meta.url));
/** Where Vite writes the built console. */
export const consoleDistDirectory = join(consoleDirectory, 'dist');
/** Written into the build last: the hash of the sources it was built from. */
export const sourceHashFile = '.source-hash';

const lockDirectory = join(consoleDirectory, '.build-lock');
/** A lock older than this belongs to a build that died; a build takes well under a minute. */
const staleLockMs = 5 * 60_000;

/** Every file under `directory`, or none if it does not exist. */
async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** What the console is built from: its sources, its Vite config and the locked dependency versions. */
async function sourceFiles(): Promise<string[]> {
  return [
    ...['index.html', 'vite.config.ts', 'tsconfig.json'].map((f) => join(consoleDirectory, f)),
    ...(await filesUnder(join(consoleDirectory, 'src'))),
    ...(await filesUnder(join(consoleDirectory, 'public'))),
    join(consoleDirectory, '..', 'package-lock.json'),
  ].sort();
}

/** SHA-256 over every source file's path and bytes. */
export async function consoleSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await sourceFiles()) {
    hash.update(relative(consoleDirectory, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

/** True when `console/dist` holds a build of the current sources. */
export async function consoleBuildIsFresh(): Promise<boolean> {
  const built = await readFile(join(consoleDistDirectory, sourceHashFile), 'utf8').catch(() => undefined);
  return built !== undefined && built.trim() === (await consoleSourceHash());
}

async function acquireLock(): Promise<void> {
  for (;;) {
    try {
      await mkdir(lockDirectory);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lockDirectory).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > staleLockMs) await rm(lockDirectory, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Builds the console into `console/dist` now and stamps the build with its source hash. */
export async function buildConsole(): Promise<void> {
  const hash = await consoleSourceHash();
  const { build } = await import('vite');
  await build({ configFile: join(consoleDirectory, 'vite.config.ts'), logLevel: 'warn' });
  await writeFile(join(consoleDistDirectory, sourceHashFile), `${hash}\n`);
}

/**
 * Builds the console unless `console/dist` is already a build of the current
 * sources. Two processes calling it at once build once: the second waits for
 * the first. Resolves to whether it built.
 */
export async function ensureConsoleBuilt(options: { readonly log?: (line: string) => void } = {}): Promise<boolean> {
  if (await consoleBuildIsFresh()) return false;
  await acquireLock();
  try {
    // Another process may have built it while this one waited for the lock.
    if (await consoleBuildIsFresh()) return false;
    options.log?.('building the console (console/dist)…');
    await buildConsole();
    return true;
  } finally {
    await rm(lockDirectory, { recursive: true, force: true });
  }
}
