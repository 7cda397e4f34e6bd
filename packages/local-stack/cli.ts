/**
 * `reform start` (and `npm start`): the local stack with the demo data
 * loaded, until Ctrl-C. `reform token` mints tokens the local API accepts.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { eventsQueue, ledgerTable } from '../config/resources.ts';
import { claimsFor } from '../auth/claims.ts';
import { maxTokenLifetimeSeconds, signLocalToken } from '../auth/local-tokens.ts';
import { ensureConsoleBuilt } from '../../console/serving/build.ts';
import { loadDeploymentConfig } from '../config/deployment.ts';
import { demoDirectory, loadDemoEvents, messagesInQueue, sendEvents, sendRegistrationsFirst, waitUntilDrained } from './demo-data.ts';
import { adminCaller, demoTargets, holdBackLateEvents, publishDemoPeriod, setDemoTargets } from './demo-publication.ts';
import { whenLauncherDies } from './launcher-watch.ts';
import { localKeys, localStateDirectory } from './local-keys.ts';
import type { LocalStack } from './stack.ts';
import { startLocalStack } from './stack.ts';

/** Wrong command-line use: printed with the usage, exit code 2. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}

interface LedgerSummary {
  accepted: number;
  duplicates: number;
  rejected: Record<string, number>;
}

/** Outcomes recorded in the ledger. A Scan: fine for demo data, never done in the deployed system. */
async function summariseLedger(ddb: DynamoDBClient, table: string): Promise<LedgerSummary> {
  const summary: LedgerSummary = { accepted: 0, duplicates: 0, rejected: {} };
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: '#outcome, #reason, #duplicates',
        ExpressionAttributeNames: { '#outcome': 'outcome', '#reason': 'reason', '#duplicates': 'duplicates' },
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item['outcome']?.S === 'accepted') {
        summary.accepted += 1;
        summary.duplicates += Number(item['duplicates']?.N ?? 0);
      } else if (item['outcome']?.S === 'rejected') {
        const reason = item['reason']?.S ?? 'unknown';
        summary.rejected[reason] = (summary.rejected[reason] ?? 0) + 1;
      }
    }
    ExclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (ExclusiveStartKey !== undefined);
  return summary;
}

/** True when the Ledger already records any event: the tables come from an earlier run. */
async function holdsEvents(stack: LocalStack): Promise<boolean> {
  const page = await stack.ddb.send(new ScanCommand({ TableName: stack.env[ledgerTable.envVar] ?? ledgerTable.name, Limit: 1, Select: 'COUNT' }));
  return (page.Count ?? 0) > 0;
}

/** A progress line that rewrites itself on a terminal and prints every tenth update elsewhere. */
function progressLine(): { update(text: string, last?: boolean): void } {
  let updates = 0;
  return {
    update(text, last = false) {
      if (process.stdout.isTTY) process.stdout.write(`\r\x1b[2K${text}${last ? '\n' : ''}`);
      else if (last || updates % 10 === 0) console.log(text);
      updates += 1;
    },
  };
}

async function loadDemo(stack: LocalStack): Promise<void> {
  const { events, files } = await loadDemoEvents();
  if (events.length === 0) {
    console.log(`no demo data in ${demoDirectory} (*.json, *.ndjson): the tables start empty.`);
    return;
  }
  const progress = progressLine();
  const started = performance.now();
  // A few events of the set are held back until 2026-Q3 is published: they arrive late and revise it.
  const { first, late } = stack.apiUrl === undefined ? { first: events, late: [] } : holdBackLateEvents(events);
  await sendRegistrationsFirst(stack.sqs, stack.queueUrl, first, {
    onProgress: (sent, total) => progress.update(`demo data: sent ${sent}/${total} events from ${files.length} files`, sent === total),
    onCheck: ({ visible, inFlight, delayed }) => progress.update(`processing: ${visible + inFlight + delayed} events still queued`),
  });
  if (stack.apiUrl !== undefined) await publishThenRevise(stack, stack.apiUrl, late);
  const seconds = (performance.now() - started) / 1000;
  progress.update(`processing: done — ${events.length} demo events sent and applied in ${seconds.toFixed(1)} s (${(events.length / seconds).toFixed(0)} events/s)`, true);
  const summary = await summariseLedger(stack.ddb, stack.env[ledgerTable.envVar] ?? ledgerTable.name);
  const rejected = Object.entries(summary.rejected).map(([reason, count]) => `${count} ${reason}`);
  const dead = await messagesInQueue(stack.sqs, stack.dlqUrl);
  console.log(
    `ledger: ${summary.accepted} accepted, ${summary.duplicates} duplicates, ` +
      `${rejected.length === 0 ? '0 rejected' : `rejected: ${rejected.join(', ')}`}; dead-letter queue: ${dead.visible + dead.inFlight}`,
  );
}

/** Publishes 2026-Q3 through the API, sends the held-back events, sets the 2026 targets; says what it did. */
async function publishThenRevise(stack: LocalStack, apiUrl: string, late: readonly unknown[]): Promise<void> {
  const config = loadDeploymentConfig();
  const token = await signLocalToken(claimsFor({ role: 'admin', division: config.root.code }, config.claims, { sub: 'local-demo' }), stack.jwtKey, { ttlSeconds: 600 });
  const call = adminCaller(apiUrl, token);
  const publication = await publishDemoPeriod(call);
  console.log(`published ${publication.id}: ${publication.period} "${publication.title}", ${publication.figures} figures as of ${publication.publishedAt}`);
  console.log(`  sha256 ${publication.digest}   (GET /v1/publications/${publication.id}/figures, Accept: text/csv)`);
  await sendEvents(stack.sqs, stack.queueUrl, late);
  await waitUntilDrained(stack.sqs, stack.queueUrl);
  console.log(`late events: ${late.length} held-back demo events dated in ${publication.period} sent after it; the live figures moved, the edition did not`);
  await setDemoTargets(call);
  console.log(`targets: ${demoTargets.length} for 2026 (the county and two townships): npx reform target list --division ${config.root.code}`);
}

/** Where `npm start` keeps the tables unless told otherwise: `.local/data` at the repository root. */
const defaultDataDirectory = join(localStateDirectory, 'data');

async function printWhereEverythingIs(stack: LocalStack, dataDirectory: string | undefined): Promise<void> {
  const config = loadDeploymentConfig();
  const county = config.root.code;
  const adminToken = await signLocalToken(claimsFor({ role: 'admin', division: county }, config.claims, { sub: 'local-admin' }), stack.jwtKey, {
    ttlSeconds: maxTokenLifetimeSeconds,
  });
  const api = stack.apiUrl ?? '(not running)';
  const tables = ['LEDGER_TABLE', 'STATE_TABLE', 'COUNTERS_TABLE', 'PUBLICATIONS_TABLE', 'TARGETS_TABLE'].map((name) => `${name}=${stack.env[name]}`).join('  ');
  console.log(`
console         ${api}/   (sign in with any role and division)
API             ${api}
DynamoDB Local  ${stack.env['AWS_ENDPOINT_URL_DYNAMODB']}   (listens on all interfaces: no bind option)
SQS emulator    ${stack.env['AWS_ENDPOINT_URL_SQS']}   (loopback only)
tables          ${tables}
queues          ${eventsQueue.envVar}=${stack.queueUrl}
                ${eventsQueue.deadLetter.envVar}=${stack.dlqUrl}
region / keys   AWS_REGION=${stack.env['AWS_REGION']}, any access key of letters and digits, any region: one shared database
data            ${dataDirectory === undefined ? 'in memory: gone when the stack stops' : `${dataDirectory} (tables survive a restart; queued messages do not)`}

admin token (county ${county}, 12 h):
TOKEN=${adminToken}

curl -s -H "Authorization: Bearer $TOKEN" ${api}/v1/indicators
curl -s -H "Authorization: Bearer $TOKEN" '${api}/v1/indicators/skilled_workers?division=${county}&period=2026'
more tokens: npx reform token --role viewer --division <division> [--ttl 3600]   (npx reform token --help)

Ctrl-C to stop.`);
}

/** Starts the local stack, loads the demo data and prints where everything is; runs until Ctrl-C. */
export async function startCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'visibility-timeout': { type: 'string' },
      'no-demo': { type: 'boolean' },
      data: { type: 'string' },
      'in-memory': { type: 'boolean' },
    },
  });
  if (values.data !== undefined && values['in-memory'] === true) throw new UsageError('give --data <dir> or --in-memory, not both');
  if (values.data === '') throw new UsageError('--data needs a directory');
  const dataDirectory = values['in-memory'] === true ? undefined : (values.data ?? defaultDataDirectory);
  const apiPort = integerOption(values.port ?? process.env['PORT'], 'port') ?? 3000;
  const visibilityTimeoutSeconds = integerOption(values['visibility-timeout'], 'visibility-timeout');
  // One log line per event and metrics on stdout would bury the summary; either can be turned back on.
  process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
  process.env['POWERTOOLS_METRICS_DISABLED'] ??= 'true';

  let stack: LocalStack | undefined;
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      // A second Ctrl-C: the user wants out now. The JVM is killed on exit.
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: stopping the poller, the API and the emulators…`);
    if (stack !== undefined) {
      // The SQS emulator keeps messages in memory only: say what a stop loses.
      const queued = await messagesInQueue(stack.sqs, stack.queueUrl).catch(() => undefined);
      const waiting = queued === undefined ? 0 : queued.visible + queued.inFlight + queued.delayed;
      if (waiting > 0) console.log(`${waiting} queued event(s) not yet processed are dropped: the queue is in memory.`);
    }
    await stack?.stop();
    process.exit(0);
  };
  // Installed before anything starts, so Ctrl-C during start-up still stops the JVM.
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // A kill -9 of npm (or of tsx) signals nothing to this process: notice it, and stop.
  whenLauncherDies(() => void shutdown('the launching process exited'));

  // The console's address first: it is what most people came for.
  if (apiPort !== 0) console.log(`console: http://127.0.0.1:${apiPort}/ (starting…)`);
  await ensureConsoleBuilt({ log: (line) => console.log(line) });
  stack = await startLocalStack({
    apiPort,
    ...(visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds } : {}),
    ...(dataDirectory !== undefined ? { dataDirectory } : {}),
  });
  console.log(`console: ${stack.apiUrl}/ (serving; the demo data loads next)`);
  if (stopping) {
    await stack.stop();
    return;
  }
  try {
    if (values['no-demo'] !== true) {
      if (dataDirectory !== undefined && (await holdsEvents(stack))) {
        console.log(`the tables in ${dataDirectory} already hold events from an earlier run: demo data not sent again (--in-memory starts empty).`);
      } else {
        await loadDemo(stack);
      }
    }
  } catch (error) {
    await stack.stop();
    throw error;
  }
  await printWhereEverythingIs(stack, dataDirectory);
}

/** `start`'s wrong uses: exit code 2, with the usage. */
export function isStartUsageError(error: unknown): error is Error {
  return error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'));
}

/** What `reform start` prints for a failure that is not a usage error. */
export function describeStartFailure(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
    ? `${text}\nthe API port is taken: try --port 0 (any free port) or PORT=3100 npm start`
    : text;
}

