/** The `reform` command line, parsed into a typed command (no I/O here). */
import type { ParseArgsConfig } from 'node:util';
import { parseArgs } from 'node:util';
import type { Role } from '../auth/claims.ts';
import { maxTokenLifetimeSeconds } from '../auth/local-tokens.ts';
import { parseRedriveArgs } from '../ops/redrive.ts';
import { UsageError } from './errors.ts';

/** Where the API is and how to authenticate; unset fields fall back to the environment, then to the local stack. */
export interface Connection {
  readonly api?: string;
  readonly token?: string;
}

export type Command =
  | { readonly name: 'help'; readonly topic?: CommandName }
  | { readonly name: 'version' }
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
  | {
      readonly name: 'analytics';
      readonly indicators: string;
      readonly periods: string;
      readonly division?: string;
      readonly orgCode?: string;
      readonly children: boolean;
      readonly format: 'table' | 'json' | 'csv';
      readonly connection: Connection;
    }
  | { readonly name: 'reconcile' | 'rebuild'; readonly json: boolean; readonly connection: Connection }
  | { readonly name: 'redrive' | 'start'; readonly argv: readonly string[] }
  | { readonly name: 'outcome'; readonly source: string; readonly id: string; readonly json: boolean; readonly connection: Connection }
  | {
      readonly name: 'explain';
      readonly id: string;
      readonly division?: string;
      readonly orgCode?: string;
      readonly period: string;
      /** List every event of each part, not only the parts' sums. */
      readonly events: boolean;
      readonly json: boolean;
      readonly connection: Connection;
    }
  | { readonly name: 'revisions'; readonly publication: string; readonly json: boolean; readonly connection: Connection }
  | { readonly name: 'publish'; readonly period: string; readonly title: string; readonly json: boolean; readonly connection: Connection }
  | {
      readonly name: 'target';
      readonly action: 'set' | 'delete' | 'list';
      readonly indicator?: string;
      readonly division?: string;
      readonly period?: string;
      readonly value?: number;
      readonly json: boolean;
      readonly connection: Connection;
    }
  | { readonly name: 'token'; readonly role: Role; readonly division?: string; readonly source?: string; readonly ttlSeconds: number };

/** Exit codes, the same for every subcommand. */
export const exitCodes = `exit codes: 0 success; 1 the API refused or rejected something (or could not be reached); 2 wrong usage`;

const connectionHelp = `  --api URL      API base (env REFORM_API, default http://127.0.0.1:3000)
  --token T      bearer token (env REFORM_TOKEN, default: a short-lived local admin token)`;

/** Help of each subcommand: `reform <command> --help`. */
export const commandHelp = {
  send: `usage: reform send <file-or-folder> [--api URL] [--token T]
  POST events (.json: one event or an array; .ndjson: one a line) to /v1/events, in chunks, with progress.`,
  indicator: `usage: reform indicator <id> [--division D | --org O] [--period P] [--json]
  One indicator for a division (default: the token's) or an organisation.`,
  breakdown: `usage: reform breakdown <id> [--division D] [--period P] [--json]
  An indicator per child division, with the division's own figure as footer.`,
  analytics: `usage: reform analytics --indicators a,b --periods p,q [--division D [--breakdown children] | --org O] [--json | --csv]
  Many indicators × periods (× child divisions), every page followed; --csv writes the API's CSV (UTF-8 with BOM) for Excel.`,
  reconcile: `usage: reform reconcile [--json]
  Compare live counters with a replay of the recorded events (admin of the root). Exit 1 when anything differs.`,
  rebuild: `usage: reform rebuild [--json]
  Rebuild counters and state from the recorded events (admin of the root); pauses processing itself while it runs.`,
  redrive: `usage: reform redrive --dlq <url> [--to <url>] [--local] [--endpoint <url>] [--max <n>]
  Move dead-lettered events back: SQS's move task in AWS, a copy against the local emulator (--local). Prints one JSON line.`,
  start: `usage: reform start [--port 3000] [--visibility-timeout 180] [--no-demo]
  The local stack (DynamoDB Local, SQS emulator, processor, API on 127.0.0.1) with the demo data, until Ctrl-C; same as npm start.`,
  outcome: `usage: reform outcome <source> <id> [--json]
  The processing outcome of one event (also of events rejected at the edge).`,
  explain: `usage: reform explain <id> [--division D | --org O] [--period P] [--events] [--json]
  Where a figure comes from: each part's baseline and net change from events; --events lists every event with its signed effect.`,
  revisions: `usage: reform revisions <publication> [--json]
  The published figures whose live value moved since, each with the late events that moved it.`,
  publish: `usage: reform publish <period> --title T [--json]
  Freeze every indicator of every division for a period (2026, 2026-Q3, 2026-09), as of now (admin of the root).
  Prints the publication's id, figure count and SHA-256 digest of its canonical CSV.`,
  target: `usage: reform target set <indicator> --division D --period YYYY --value N [--json]
       reform target delete <indicator> --division D --period YYYY
       reform target list [--division D] [--period YYYY] [--json]
  Targets per indicator, division and year (admins within their division). A figure of exactly that year then
  carries target and progress (value ÷ target, percent, half-up to 2 decimals).`,
  token: `usage: reform token [--role producer|admin|viewer] [--division D] [--source S] [--ttl seconds]
  Mint an RS256 token the local stack accepts (at most 12 h; producers need --source).`,
} as const;

export type CommandName = keyof typeof commandHelp;

export const usage = `usage: reform <command> [options]   (reform <command> --help for one command)

  send <file-or-folder>   POST events to /v1/events
  indicator <id>          one indicator: [--division D | --org O] [--period P] [--json]
  breakdown <id>          an indicator per township of a division: [--division D] [--period P] [--json]
  analytics               indicators × periods as a table, JSON or CSV: --indicators a,b --periods p,q [--division D] [--breakdown children] [--csv|--json]
  outcome <source> <id>   the processing outcome of one event [--json]
  reconcile               compare live counters with a replay [--json]
  rebuild                 rebuild counters from the recorded events [--json]
  explain <id>            where a figure comes from: [--division D | --org O] [--period P] [--events] [--json]
  revisions <publication> published figures that moved since, with the late events [--json]
  publish <period>        freeze a period's figures into a publication: --title T [--json]
  target set|delete|list  targets per indicator, division and year [--json]
  redrive                 move dead-lettered events back: --dlq URL [--to URL] [--local]
  start                   the local stack with the demo data (npm start)
  token                   mint a local token: [--role producer|admin|viewer] [--division D] [--source S] [--ttl seconds]

${connectionHelp}
  --version      print the version
  periods: 2026, 2026-Q4, 2026-11, 2026-11-24 or all (default all)
${exitCodes}`;

const connectionOptions = { api: { type: 'string' }, token: { type: 'string' } } as const;
const divisionPattern = /^\d{12}$/;
const orgCodePattern = /^[0-9A-Z]{18}$/;
const indicatorIdPattern = /^[a-z][a-z0-9_]{0,63}$/;
/** A period a publication may freeze: not `all`. */
const periodPattern = /^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$/;
/** Longest token lifetime minted locally: the local verifier's maximum (12 h). */
const maxTtlSeconds = maxTokenLifetimeSeconds;

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
  if (name === '--version' || name === 'version') return { name: 'version' };
  if (Object.hasOwn(commandHelp, name) && (rest.includes('--help') || rest.includes('-h'))) return { name: 'help', topic: name as CommandName };
  switch (name) {
    case 'start':
      return { name, argv: rest };
    case 'redrive':
      try {
        parseRedriveArgs(rest);
      } catch (cause) {
        throw new UsageError(cause instanceof Error ? cause.message : 'invalid arguments', { cause });
      }
      return { name, argv: rest };
    case 'reconcile':
    case 'rebuild': {
      const { values, positionals } = parse(rest, { ...connectionOptions, json: { type: 'boolean' } });
      if (positionals.length > 0) throw new UsageError(`${name} takes no positional arguments`);
      return { name, json: values.json === true, connection: connectionOf(values) };
    }
    case 'analytics': {
      const { values, positionals } = parse(rest, {
        ...connectionOptions,
        indicators: { type: 'string' },
        periods: { type: 'string' },
        division: { type: 'string' },
        org: { type: 'string' },
        breakdown: { type: 'string' },
        json: { type: 'boolean' },
        csv: { type: 'boolean' },
      });
      if (positionals.length > 0) throw new UsageError('analytics takes no positional arguments');
      if (values.indicators === undefined || values.periods === undefined) throw new UsageError('--indicators and --periods are required');
      const division = checked(values.division, divisionPattern, '--division (12 digits)');
      const orgCode = checked(values.org, orgCodePattern, '--org (18-character credit code)');
      if (division !== undefined && orgCode !== undefined) throw new UsageError('give --division or --org, not both');
      if (values.breakdown !== undefined && values.breakdown !== 'children') throw new UsageError('--breakdown must be children');
      if (values.json === true && values.csv === true) throw new UsageError('give --json or --csv, not both');
      return {
        name,
        indicators: values.indicators,
        periods: values.periods,
        ...(division === undefined ? {} : { division }),
        ...(orgCode === undefined ? {} : { orgCode }),
        children: values.breakdown === 'children',
        format: values.json === true ? 'json' : values.csv === true ? 'csv' : 'table',
        connection: connectionOf(values),
      };
    }
    case 'outcome': {
      const { values, positionals } = parse(rest, { ...connectionOptions, json: { type: 'boolean' } });
      const [source, id, ...extra] = positionals;
      if (source === undefined || id === undefined || extra.length > 0) throw new UsageError('expected <source> <id>');
      return { name, source, id, json: values.json === true, connection: connectionOf(values) };
    }
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
    case 'explain': {
      const { values, positionals } = parse(rest, {
        ...connectionOptions,
        division: { type: 'string' },
        org: { type: 'string' },
        period: { type: 'string' },
        events: { type: 'boolean' },
        json: { type: 'boolean' },
      });
      const id = checked(onePositional(positionals, 'indicator id'), indicatorIdPattern, 'indicator id') as string;
      const division = checked(values.division, divisionPattern, '--division (12 digits)');
      const orgCode = checked(values.org, orgCodePattern, '--org (18-character credit code)');
      if (division !== undefined && orgCode !== undefined) throw new UsageError('give --division or --org, not both');
      const period = values.period === undefined || values.period === 'all' ? 'all' : (checked(values.period, periodPattern, '--period (YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or all)') as string);
      return {
        name,
        id,
        ...(division === undefined ? {} : { division }),
        ...(orgCode === undefined ? {} : { orgCode }),
        period,
        events: values.events === true,
        json: values.json === true,
        connection: connectionOf(values),
      };
    }
    case 'revisions': {
      const { values, positionals } = parse(rest, { ...connectionOptions, json: { type: 'boolean' } });
      const publication = checked(onePositional(positionals, 'publication id'), /^[0-9A-Za-z-]{1,64}$/, 'publication id') as string;
      return { name, publication, json: values.json === true, connection: connectionOf(values) };
    }
    case 'publish': {
      const { values, positionals } = parse(rest, { ...connectionOptions, title: { type: 'string' }, json: { type: 'boolean' } });
      const period = checked(onePositional(positionals, 'period'), periodPattern, 'period (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD)') as string;
      if (values.title === undefined || values.title.trim() === '') throw new UsageError('--title is required');
      return { name, period, title: values.title, json: values.json === true, connection: connectionOf(values) };
    }
    case 'target': {
      const { values, positionals } = parse(rest, {
        ...connectionOptions,
        division: { type: 'string' },
        period: { type: 'string' },
        value: { type: 'string' },
        json: { type: 'boolean' },
      });
      const [action, indicator, ...extra] = positionals;
      if (action !== 'set' && action !== 'delete' && action !== 'list') throw new UsageError('expected target set, target delete or target list');
      const division = checked(values.division, divisionPattern, '--division (12 digits)');
      const period = checked(values.period, /^\d{4}$/, '--period (a year, YYYY)');
      if (action === 'list') {
        if (indicator !== undefined) throw new UsageError('target list takes no indicator');
        return { name, action, ...(division === undefined ? {} : { division }), ...(period === undefined ? {} : { period }), json: values.json === true, connection: connectionOf(values) };
      }
      if (indicator === undefined || extra.length > 0) throw new UsageError(`expected target ${action} <indicator>`);
      checked(indicator, indicatorIdPattern, 'indicator id');
      if (division === undefined || period === undefined) throw new UsageError('--division and --period are required');
      let value: number | undefined;
      if (action === 'set') {
        if (values.value === undefined || !/^\d+(\.\d{1,2})?$/.test(values.value)) throw new UsageError('--value must be a positive number with at most 2 decimals');
        value = Number(values.value);
      }
      return { name, action, indicator, division, period, ...(value === undefined ? {} : { value }), json: values.json === true, connection: connectionOf(values) };
    }
    case 'token': {
      const { values, positionals } = parse(rest, { role: { type: 'string' }, division: { type: 'string' }, source: { type: 'string' }, ttl: { type: 'string' } });
      if (positionals.length > 0) throw new UsageError('token takes no positional arguments');
      const role = values.role ?? 'admin';
      if (role !== 'admin' && role !== 'viewer' && role !== 'producer') throw new UsageError('--role must be producer, admin or viewer');
      const division = checked(values.division, divisionPattern, '--division (12 digits)');
      const source = checked(values.source, /^[a-z][a-z0-9.-]{1,63}$/, '--source (a producer source)');
      if (role === 'producer' && source === undefined) throw new UsageError('a producer token needs --source');
      const ttlSeconds = values.ttl === undefined ? 3600 : Number(values.ttl);
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > maxTtlSeconds) {
        throw new UsageError(`--ttl must be a whole number of seconds from 1 to ${maxTtlSeconds}`);
      }
      return { name, role, ...(division === undefined ? {} : { division }), ...(source === undefined ? {} : { source }), ttlSeconds };
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(name.slice(0, 40))}`);
  }
}
