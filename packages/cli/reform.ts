/**
 * `reform`: the one command line of the project (`npx reform ...`).
 *
 *   reform send <file-or-folder>             POST events to /v1/events, in chunks, with progress
 *   reform indicator <id> [--division D | --org O] [--period P] [--json]
 *   reform breakdown <id> [--division D] [--period P] [--json]
 *   reform analytics --indicators a,b --periods p,q [--division D] [--breakdown children] [--json | --csv]
 *   reform outcome <source> <id> [--json]
 *   reform explain <id> [--division D | --org O] [--period P] [--events] [--json]
 *   reform revisions <publication> [--json]
 *   reform reconcile [--json] / reform rebuild [--json]
 *   reform publish <period> --title T [--json]
 *   reform target set|delete|list …
 *   reform redrive --dlq <url> [--to <url>] [--local]
 *   reform start [--port 3000] [--no-demo]     the local stack (npm start)
 *   reform token [--role producer|admin|viewer] [--division D] [--source S] [--ttl 3600]
 *   reform <command> --help, reform --version
 *
 * Everything that touches the world (fetch, streams, environment, the local
 * key) comes in through {@link CliIo}, so `run` is tested like a function.
 * Exit codes (also in `--help`): 0 success, 1 something was rejected or the API refused, 2 usage.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JWK } from 'jose';
import { claimsFor } from '../auth/claims.ts';
import { signLocalToken } from '../auth/local-tokens.ts';
import type { ClaimNames } from '../config/deployment.ts';
import { DivisionTree, loadDeploymentConfig } from '../config/deployment.ts';
import { apiVersion } from '../api/routes.ts';
import { findIndicator } from '../indicators/catalog.ts';
import type { Fetch } from './api-client.ts';
import { ReformApiClient } from './api-client.ts';
import type { Command, Connection } from './arguments.ts';
import { commandHelp, exitCodes, parseCommand, usage } from './arguments.ts';
import { CliError, UsageError } from './errors.ts';
import { readEventFiles } from './event-files.ts';
import { analyticsTable, breakdownTable, describeFigure, explanationLines, revisionLines } from './figures.ts';
import type { SendReport } from './send-events.ts';
import { formatSendReport, sendEvents } from './send-events.ts';

/** A stream the CLI writes to: stdout or stderr, or a fake. */
export interface OutputStream {
  write(text: string): void;
  readonly isTTY?: boolean;
}

/** What the CLI needs from the world. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch: Fetch;
  /** The local stack's token signing key, a private JWK (packages/local-stack `localKeys`). */
  readonly localJwtKey: () => Promise<JWK>;
  /** Folder event-file origins are shown relative to. */
  readonly cwd: string;
}

/** `reform --version`: the package version and the API contract version it speaks. */
export const cliVersion = `reform 0.1.0 (API ${apiVersion})`;

/** Where the API listens when neither `--api` nor `REFORM_API` says: the local stack. */
export const defaultApiBase = 'http://127.0.0.1:3000';
/** Lifetime of the token minted for a command when none is given. */
const commandTokenTtlSeconds = 300;

/**
 * Runs one command line (`argv` without `node` and the script) and resolves
 * to its exit code. Never throws for a user error: it is printed instead.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const print = (line: string) => io.stdout.write(`${line}\n`);
  const printError = (line: string) => io.stderr.write(`${line}\n`);
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printError(`reform: ${error.message}`);
    printError(usage);
    return 2;
  }
  const config = loadDeploymentConfig(io.env as NodeJS.ProcessEnv);
  const tree = new DivisionTree(config.root);
  try {
    switch (command.name) {
      case 'help':
        print(command.topic === undefined ? usage : `${commandHelp[command.topic]}\n${exitCodes}`);
        return 0;
      case 'version':
        print(cliVersion);
        return 0;
      case 'token': {
        const key = await io.localJwtKey();
        const division = command.division ?? (command.role === 'producer' ? undefined : tree.rootCode);
        const caller = { role: command.role, ...(division === undefined ? {} : { division }), ...(command.source === undefined ? {} : { source: command.source }) };
        print(await signLocalToken(claimsFor(caller, config.claims), key, { ttlSeconds: command.ttlSeconds }));
        return 0;
      }
      case 'analytics': {
        const client = await clientFor(command.connection, io, tree.rootCode, config.claims);
        const query = {
          indicators: command.indicators,
          periods: command.periods,
          ...(command.division === undefined ? {} : { division: command.division }),
          ...(command.orgCode === undefined ? {} : { orgCode: command.orgCode }),
          children: command.children,
        };
        if (command.format === 'csv') {
          io.stdout.write(await client.analyticsCsv(query));
          return 0;
        }
        const rows = await client.analyticsRows(query);
        if (command.format === 'json') print(JSON.stringify(rows, null, 2));
        else analyticsTable(rows, tree).forEach(print);
        return 0;
      }
      case 'reconcile': {
        const client = await clientFor(command.connection, io, tree.rootCode, config.claims);
        const result = await client.reconcile();
        print(
          command.json
            ? JSON.stringify(result, null, 2)
            : `reconcile: ${result.differenceCount} difference(s) in ${result.checkedItems} items, ${result.events} events replayed, ${result.skippedEvents.length} skipped`,
        );
        return result.differenceCount === 0 && result.skippedEvents.length === 0 ? 0 : 1;
      }
      case 'rebuild': {
        const client = await clientFor(command.connection, io, tree.rootCode, config.claims);
        const result = await client.rebuild();
        const { counters, baselines, state, events, deletedCounters, deletedState } = result.rebuilt;
        print(
          command.json
            ? JSON.stringify(result, null, 2)
            : `rebuild: ${events} events replayed; wrote ${counters} counters, ${baselines} baselines, ${state} state items; deleted ${deletedCounters} counters, ${deletedState} state items; ${result.skippedEvents.length} skipped`,
        );
        return result.skippedEvents.length === 0 ? 0 : 1;
      }
      case 'explain': {
        const client = await clientFor(command.connection, io, tree.rootCode, config.claims);
        const scope = { ...(command.division === undefined ? {} : { division: command.division }), ...(command.orgCode === undefined ? {} : { orgCode: command.orgCode }), period: command.period };
        const explained = await client.explain(command.id, scope);
        const events = command.events ? await Promise.all(explained.parts.map((p) => client.contributingEvents(command.id, { ...scope, part: p.part }))) : undefined;
        if (command.json) print(JSON.stringify(events === undefined ? explained : { ...explained, parts: explained.parts.map((p, i) => ({ ...p, listed: events[i] })) }, null, 2));
        else print(explanationLines(explained, events, findIndicator(command.id), tree).join('\n'));
        return 0;
      }
      case 'revisions': {
        const client = await clientFor(command.connection, io, tree.rootCode, config.claims);
        const revisions = await client.revisions(command.publication);
        if (command.json) print(JSON.stringify(revisions, null, 2));
        else print(revisions.length === 0 ? `no figure of ${command.publication} has moved since it was published` : revisionLines(revisions, tree).join('\n'));
        return 0;
      }
      case 'publish': {
        const client = await clientFor(command.connection, io, tree.rootCode, config.claims);
        const publication = await client.publish(command.period, command.title);
        print(
          command.json
            ? JSON.stringify(publication, null, 2)
            : `published ${publication.id}: ${publication.period} "${publication.title}", ${publication.figures} figures as of ${publication.publishedAt}\nsha256 ${publication.digest}`,
        );
        return 0;
      }
      case 'target': {
        const client = await clientFor(command.connection, io, tree.rootCode, config.claims);
        if (command.action === 'list') {
          const targets = await client.targets({ ...(command.division === undefined ? {} : { division: command.division }), ...(command.period === undefined ? {} : { period: command.period }) });
          if (command.json) print(JSON.stringify(targets, null, 2));
          else if (targets.length === 0) print('no targets');
          else for (const t of targets) print(`${t.period}  ${t.division} ${tree.node(t.division)?.name.zh ?? ''}  ${t.indicator}  ${t.value}`);
          return 0;
        }
        const key = { indicator: command.indicator ?? '', division: command.division ?? '', period: command.period ?? '' };
        if (command.action === 'delete') {
          await client.deleteTarget(key);
          print(command.json ? JSON.stringify(key, null, 2) : `target removed: ${key.indicator} ${key.division} ${key.period}`);
          return 0;
        }
        const target = await client.setTarget({ ...key, value: command.value ?? 0 });
        print(command.json ? JSON.stringify(target, null, 2) : `target set: ${target.indicator} ${target.division} ${target.period} = ${target.value}`);
        return 0;
      }
      case 'redrive': {
        const { runRedriveCommand } = await import('../ops/redrive.ts');
        return await runRedriveCommand(command.argv, io.env, print);
      }
      case 'start': {
        // Runs until Ctrl-C; loaded on demand (it brings the emulators in).
        const { describeStartFailure, isStartUsageError, startCommand } = await import('../local-stack/cli.ts');
        try {
          await startCommand([...command.argv]);
          return 0;
        } catch (error) {
          printError(isStartUsageError(error) ? `reform: ${error.message}\n${commandHelp.start}` : describeStartFailure(error));
          return isStartUsageError(error) ? 2 : 1;
        }
      }
      case 'outcome': {
        const client = await clientFor(command.connection, io, tree.rootCode, config.claims);
        const outcome = await client.eventOutcome(command.source, command.id);
        print(command.json ? JSON.stringify(outcome, null, 2) : `${outcome.source} ${outcome.id}: ${outcome.outcome}${outcome.reason === undefined ? '' : ` (${outcome.reason})`}, ${outcome.type ?? 'type unknown'}, processed ${outcome.processedAt}`);
        return outcome.outcome === 'rejected' ? 1 : 0;
      }
      case 'send': {
        const events = await readEventFiles(command.path, io.cwd);
        const client = await clientFor(command.connection, io, tree.rootCode, config.claims);
        let report: SendReport;
        try {
          report = await sendEvents(events, client, io.stderr);
        } catch (error) {
          const partial = (error as { partial?: SendReport }).partial;
          if (partial !== undefined && error instanceof CliError) {
            printError(error.message);
            formatSendReport(partial).forEach(print);
            return 1;
          }
          throw error;
        }
        formatSendReport(report).forEach(print);
        return report.results.some((r) => r.status === 'rejected') || report.results.length < report.total ? 1 : 0;
      }
      case 'indicator': {
        const client = await clientFor(command.connection, io, tree.rootCode, config.claims);
        const figure = await client.indicator(command.id, {
          ...(command.division === undefined ? {} : { division: command.division }),
          ...(command.orgCode === undefined ? {} : { orgCode: command.orgCode }),
          period: command.period,
        });
        print(command.json ? JSON.stringify(figure, null, 2) : describeFigure(figure, findIndicator(command.id), tree));
        return 0;
      }
      case 'breakdown': {
        const client = await clientFor(command.connection, io, tree.rootCode, config.claims);
        const query = {
          indicator: command.id,
          ...(command.division === undefined ? {} : { division: command.division }),
          period: command.period,
        };
        const rows = await client.analytics({ ...query, children: true });
        if (command.json) {
          print(JSON.stringify(rows, null, 2));
          return 0;
        }
        // The footer is the division's own figure: distinct persons and events
        // counted only at the county make it differ from a sum of the rows.
        const [whole] = await client.analytics({ ...query, children: false });
        breakdownTable(rows, findIndicator(command.id), tree, whole).forEach(print);
        return 0;
      }
    }
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    printError(error instanceof UsageError ? `reform: ${error.message}` : error.message);
    return 1;
  }
}

/** The API client: `--api`, `REFORM_API` or the local stack; `--token`, `REFORM_TOKEN` or a short-lived local admin token. */
async function clientFor(connection: Connection, io: CliIo, rootDivision: string, claimNames: ClaimNames): Promise<ReformApiClient> {
  const base = connection.api ?? nonEmpty(io.env['REFORM_API']) ?? defaultApiBase;
  let token = connection.token ?? nonEmpty(io.env['REFORM_TOKEN']);
  if (token === undefined) {
    let key: JWK;
    try {
      key = await io.localJwtKey();
    } catch (cause) {
      throw new CliError('no token: pass --token, set REFORM_TOKEN, or run the local stack (npm start) whose key reform can use', { cause });
    }
    token = await signLocalToken(claimsFor({ role: 'admin', division: rootDivision }, claimNames), key, { ttlSeconds: commandTokenTtlSeconds });
  }
  return new ReformApiClient(base, token, io.fetch);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The real world: process streams and environment, global fetch, the local stack's key. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    fetch: (input, init) => fetch(input, init),
    localJwtKey: async () => {
      // Imported on demand: only commands without a token need the local stack's key.
      const { localKeys } = await import('../local-stack/local-keys.ts');
      return (await localKeys()).jwtPrivateKey;
    },
    cwd: process.cwd(),
  };
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await run(process.argv.slice(2), processIo());
}
