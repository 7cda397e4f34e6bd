/**
 * Environment variables, parsed with zod once at module load: a missing or
 * malformed value fails the cold start with the variable's name, never later
 * as a NaN or an undefined deep inside a request.
 */
import * as z from 'zod/mini';
import { ConfigError } from './deployment.ts';
import { countersTable, env, eventsQueue, ledgerTable, publicationsTable, stateTable, targetsTable, unknownOrgMaxAttempts } from './resources.ts';

/** A required variable is unset or empty. */
export class MissingEnvironmentError extends ConfigError {
  override readonly name = 'MissingEnvironmentError';
}

/** A variable is set to something its schema refuses. */
export class InvalidEnvironmentError extends ConfigError {
  override readonly name = 'InvalidEnvironmentError';
}

/** A required environment variable, read at module load: fail fast and say which. */
export function requireEnv(name: string, environment: NodeJS.ProcessEnv = process.env): string {
  const value = environment[name];
  if (value === undefined || value === '') throw new MissingEnvironmentError(`environment variable ${name} is not set`);
  return value;
}

/** Schemas of environment values: what each variable must hold, in words for the error. */
// Getters: built when first used, so a function that reads no such variable bundles none of them.
export const environmentValue = {
  get name() {
    return z.string().check(z.minLength(1, 'a non-empty name'));
  },
  get url() {
    return z.string().check(z.regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'an http(s) URL'));
  },
  get positiveInteger() {
    return z.string().check(z.regex(/^[1-9][0-9]{0,8}$/, 'a positive integer'));
  },
};

type VariableSchemas = Readonly<Record<string, z.ZodMiniType<unknown, string>>>;
type OptionalVariableSchemas = Readonly<Record<string, z.ZodMiniType<unknown, string>>>;
type Parsed<S extends VariableSchemas> = { readonly [K in keyof S]: z.infer<S[K]> };
type ParsedOptional<S extends OptionalVariableSchemas> = { readonly [K in keyof S]: z.infer<S[K]> | undefined };

/**
 * Parses the variables named by the keys of `required` (each must be set)
 * and of `optional` (an unset or empty one is `undefined`).
 *
 * @throws MissingEnvironmentError or InvalidEnvironmentError naming the first failing variable.
 */
export function parseEnvironment<R extends VariableSchemas, O extends OptionalVariableSchemas = Record<never, never>>(
  required: R,
  optional: O = {} as O,
  environment: NodeJS.ProcessEnv = process.env,
): Parsed<R> & ParsedOptional<O> {
  const out: Record<string, unknown> = {};
  const parseOne = (name: string, schema: z.ZodMiniType<unknown, string>, value: string): void => {
    const result = schema.safeParse(value);
    // The value itself is left out of the message: some variables hold keys.
    if (!result.success) throw new InvalidEnvironmentError(`environment variable ${name} must be ${result.error.issues[0]?.message ?? 'valid'}`);
    out[name] = result.data;
  };
  for (const [name, schema] of Object.entries(required)) parseOne(name, schema, requireEnv(name, environment));
  for (const [name, schema] of Object.entries(optional)) {
    const value = environment[name];
    if (value === undefined || value === '') out[name] = undefined;
    else parseOne(name, schema, value);
  }
  return out as Parsed<R> & ParsedOptional<O>;
}

/** The three table names every function that touches DynamoDB reads. */
export function tableNames(environment: NodeJS.ProcessEnv = process.env): { ledger: string; state: string; counters: string } {
  const parsed = parseEnvironment(
    { [ledgerTable.envVar]: environmentValue.name, [stateTable.envVar]: environmentValue.name, [countersTable.envVar]: environmentValue.name },
    {},
    environment,
  );
  return {
    ledger: parsed[ledgerTable.envVar] as string,
    state: parsed[stateTable.envVar] as string,
    counters: parsed[countersTable.envVar] as string,
  };
}

/** What the processor reads besides table names. */
export interface ProcessorSettings {
  /** Times an event naming an unregistered organisation is decided while processing runs before it is rejected `unknown_org`. */
  readonly unknownOrgMaxAttempts: number;
  /** The events queue's redrive limit (its maxReceiveCount): on that delivery an event still naming one is rejected whatever its tries. */
  readonly lastDelivery: number;
}

/**
 * The processor's settings: `EVENTS_MAX_RECEIVE_COUNT` (the queue's redrive
 * limit; the deployed queue's when unset) and `UNKNOWN_ORG_MAX_ATTEMPTS`
 * must be positive integers, the second below the first (else the defaults).
 */
export function processorSettings(environment: NodeJS.ProcessEnv = process.env): ProcessorSettings {
  const parsed = parseEnvironment(
    {},
    { [env.unknownOrgMaxAttempts]: environmentValue.positiveInteger, [env.eventsMaxReceiveCount]: environmentValue.positiveInteger },
    environment,
  );
  const setting = (text: string | undefined, otherwise: number): number => (text === undefined ? otherwise : Number(text));
  const attempts = setting(parsed[env.unknownOrgMaxAttempts], unknownOrgMaxAttempts);
  const lastDelivery = setting(parsed[env.eventsMaxReceiveCount], eventsQueue.maxReceiveCount);
  if (attempts >= lastDelivery) {
    throw new InvalidEnvironmentError(
      `environment variable ${env.unknownOrgMaxAttempts} must be below the queue's maxReceiveCount (${lastDelivery}), or such events are rejected on their last delivery without their tries`,
    );
  }
  return { unknownOrgMaxAttempts: attempts, lastDelivery };
}

/** How the API runs rebuild and reconcile. */
export type MaintenanceSetting = { readonly kind: 'function'; readonly functionName: string } | { readonly kind: 'in-process' } | { readonly kind: 'unconfigured' };

/** What the API function reads from its environment. */
export interface ApiSettings {
  readonly tables: { readonly ledger: string; readonly state: string; readonly counters: string; readonly publications: string; readonly targets: string };
  readonly queueUrl: string;
  readonly maintenance: MaintenanceSetting;
}

/**
 * The API's settings: table names, the events queue URL, and how maintenance
 * runs (`MAINTENANCE_FUNCTION_NAME`, or `MAINTENANCE_MODE=in-process` on the
 * local stack).
 *
 * @throws ConfigError naming the first variable that is unset or malformed.
 */
export function apiSettings(environment: NodeJS.ProcessEnv = process.env): ApiSettings {
  const eventTables = tableNames(environment);
  const parsed = parseEnvironment(
    { [eventsQueue.envVar]: environmentValue.url, [publicationsTable.envVar]: environmentValue.name, [targetsTable.envVar]: environmentValue.name },
    { [env.maintenanceFunctionName]: environmentValue.name, [env.maintenanceMode]: z.string().check(z.regex(/^in-process$/, 'in-process or unset')) },
    environment,
  );
  const functionName = parsed[env.maintenanceFunctionName] as string | undefined;
  const maintenance: MaintenanceSetting =
    functionName !== undefined
      ? { kind: 'function', functionName }
      : parsed[env.maintenanceMode] === 'in-process'
        ? { kind: 'in-process' }
        : { kind: 'unconfigured' };
  const tables = { ...eventTables, publications: parsed[publicationsTable.envVar] as string, targets: parsed[targetsTable.envVar] as string };
  return { tables, queueUrl: parsed[eventsQueue.envVar] as string, maintenance };
}
