/** The `reform` command line, parsed into a typed command (no I/O here). */
import type { ParseArgsConfig } from 'node:util';
import { parseArgs } from 'node:util';
import type { Role } from '../auth/claims.ts';
import { UsageError } from './errors.ts';

/** Where the API is and how to authenticate; unset fields fall back to the environment, then to the local stack. */
export interface Connection {
  readonly api?: string;
  readonly token?: string;
}

export type Command =
  | { readonly name: 'help' }
  | { readonly name: 'send'; readonly path: string; readonly connection: Connection }
  | {
      readonly name: 'indicator';
      readonly id: string;
      readonly division?: string;
      readonly orgCode?: string;
      readonly period: string;
      readonly json: boolean;
      readonly connection: Connection;
    }
  | {
      readonly name: 'breakdown';
      readonly id: string;
      readonly division?: string;
      readonly period: string;
      readonly json: boolean;
      readonly connection: Connection;
    }
  | { readonly name: 'token'; readonly role: Role; readonly scope?: string; readonly ttlSeconds: number };

export const usage = `usage: reform <command> [options]

  send <file-or-folder>   POST events (.json: one event or an array; .ndjson: one a line) to /v1/events
  indicator <id>          one indicator: [--division D | --org O] [--period P] [--json]
  breakdown <id>          an indicator per township of a division: [--division D] [--period P] [--json]
  token                   mint a local token: [--role admin|viewer] [--scope D] [--ttl seconds]

  --api URL      API base (env REFORM_API, default http://127.0.0.1:3000)
  --token T      bearer token (env REFORM_TOKEN, default: a local admin token)
  periods: 2026, 2026-Q4, 2026-11, 2026-11-24 or all (default all)`;

const connectionOptions = { api: { type: 'string' }, token: { type: 'string' } } as const;
const divisionPattern = /^\d{12}$/;
const orgCodePattern = /^[0-9A-Z]{18}$/;
const indicatorIdPattern = /^[a-z][a-z0-9_]{0,63}$/;
/** Longest token lifetime minted locally: 30 days. */
const maxTtlSeconds = 30 * 24 * 3600;

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

function parse<const O extends OptionsConfig>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true as const, strict: true as const });
  } catch (cause) {
    throw new UsageError(cause instanceof Error ? cause.message : 'invalid arguments', { cause });
  }
}

function onePositional(positionals: readonly string[], what: string): string {
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError(`expected exactly one ${what}`);
  return positionals[0];
}

function checked(value: string | undefined, pattern: RegExp, what: string): string | undefined {
  if (value !== undefined && !pattern.test(value)) throw new UsageError(`${what} is not valid: ${JSON.stringify(value.slice(0, 40))}`);
  return value;
}

function connectionOf(values: { api?: unknown; token?: unknown }): Connection {
  return {
    ...(typeof values.api === 'string' ? { api: values.api } : {}),
    ...(typeof values.token === 'string' ? { token: values.token } : {}),
  };
}

/**
 * Parses `argv` (without `node` and the script).
 * @throws UsageError naming what is wrong.
 */
export function parseCommand(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return { name: 'help' };
  switch (name) {
    case 'send': {
      const { values, positionals } = parse(rest, connectionOptions);
      return { name, path: onePositional(positionals, 'file or folder'), connection: connectionOf(values) };
    }
    case 'indicator': {
      const { values, positionals } = parse(rest, {
        ...connectionOptions,
        division: { type: 'string' },
        org: { type: 'string' },
        period: { type: 'string' },
        json: { type: 'boolean' },
      });
      const id = checked(onePositional(positionals, 'indicator id'), indicatorIdPattern, 'indicator id') as string;
      const division = checked(values.division, divisionPattern, '--division (12 digits)');
      const orgCode = checked(values.org, orgCodePattern, '--org (18-character credit code)');
      if (division !== undefined && orgCode !== undefined) throw new UsageError('give --division or --org, not both');
      return {
        name,
        id,
        ...(division === undefined ? {} : { division }),
        ...(orgCode === undefined ? {} : { orgCode }),
        period: values.period ?? 'all',
        json: values.json === true,
        connection: connectionOf(values),
      };
    }
    case 'breakdown': {
      const { values, positionals } = parse(rest, {
        ...connectionOptions,
        division: { type: 'string' },
        period: { type: 'string' },
        json: { type: 'boolean' },
      });
      const id = checked(onePositional(positionals, 'indicator id'), indicatorIdPattern, 'indicator id') as string;
      const division = checked(values.division, divisionPattern, '--division (12 digits)');
      return {
        name,
        id,
        ...(division === undefined ? {} : { division }),
        period: values.period ?? 'all',
        json: values.json === true,
        connection: connectionOf(values),
      };
    }
    case 'token': {
      const { values, positionals } = parse(rest, { role: { type: 'string' }, scope: { type: 'string' }, ttl: { type: 'string' } });
      if (positionals.length > 0) throw new UsageError('token takes no positional arguments');
      const role = values.role ?? 'admin';
      if (role !== 'admin' && role !== 'viewer') throw new UsageError('--role must be admin or viewer');
      const scope = checked(values.scope, divisionPattern, '--scope (12 digits)');
      const ttlSeconds = values.ttl === undefined ? 3600 : Number(values.ttl);
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > maxTtlSeconds) {
        throw new UsageError(`--ttl must be a whole number of seconds from 1 to ${maxTtlSeconds}`);
      }
      return { name, role, ...(scope === undefined ? {} : { scope }), ttlSeconds };
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(name.slice(0, 40))}`);
  }
}
