export class MissingEnvironmentError extends Error {
  override readonly name = 'MissingEnvironmentError';
}

/** A required environment variable, read at module load: fail fast and say which. */
export function requireEnv(name: string, environment: NodeJS.ProcessEnv = process.env): string {
  const value = environment[name];
  if (value === undefined || value === '') throw new MissingEnvironmentError(`environment variable ${name} is not set`);
  return value;
}
