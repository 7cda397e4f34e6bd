/**
 * `npm start`: the local stack with the demo data loaded, until Ctrl-C.
 * `npm run token -- --role admin --scope 500233000000 [--ttl 3600] [--sub me]`:
 * a JWT the local API accepts.
 */
import { parseArgs } from 'node:util';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { eventsQueue, ledgerTable } from '../../infra/definitions.ts';
import { signJwt } from '../auth/jwt.ts';
import type { Role } from '../auth/claims.ts';
import { ensureConsoleBuilt } from '../../console/serving/build.ts';
import { loadDeploymentConfig } from '../config/deployment.ts';
import { demoDirectory, loadDemoEvents, messagesInQueue, sendEvents, waitUntilDrained } from './demo-data.ts';
import { localKeys } from './local-keys.ts';
import type { LocalStack } from './stack.ts';
import { startLocalStack } from './stack.ts';

/** Wrong command-line use: printed with the usage, exit code 2. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

const usage = `usage:
  tsx packages/local-stack/cli.ts start [--port 3000] [--visibility-timeout 180] [--no-demo]
  tsx packages/local-stack/cli.ts token --role admin|viewer --scope <12-digit division> [--ttl 3600] [--sub <subject>]`;

function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}

async function token(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { role: { type: 'string' }, scope: { type: 'string' }, ttl: { type: 'string' }, sub: { type: 'string' } },
  });
  if (values.role !== 'admin' && values.role !== 'viewer') throw new UsageError('--role must be admin or viewer');
  if (values.scope === undefined || !/^\d{12}$/.test(values.scope)) throw new UsageError('--scope must be a 12-digit division code');
  const role: Role = values.role;
  const { jwtKey } = await localKeys();
  const claims = { role, scope: values.scope, ...(values.sub !== undefined ? { sub: values.sub } : {}) };
  console.log(signJwt(claims, jwtKey, integerOption(values.ttl, 'ttl') ?? 3600));
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
  await sendEvents(stack.sqs, stack.queueUrl, events, (sent, total) =>
    progress.update(`demo data: sent ${sent}/${total} events from ${files.length} files`, sent === total),
  );
  await waitUntilDrained(stack.sqs, stack.queueUrl, {
    onCheck: ({ visible, inFlight, delayed }) => progress.update(`processing: ${visible + inFlight + delayed} events still queued`),
  });
  progress.update('processing: done', true);
  const summary = await summariseLedger(stack.ddb, stack.env[ledgerTable.envVar] ?? ledgerTable.name);
  const rejected = Object.entries(summary.rejected).map(([reason, count]) => `${count} ${reason}`);
  const dead = await messagesInQueue(stack.sqs, stack.dlqUrl);
  console.log(
    `ledger: ${summary.accepted} accepted, ${summary.duplicates} duplicates, ` +
      `${rejected.length === 0 ? '0 rejected' : `rejected: ${rejected.join(', ')}`}; dead-letter queue: ${dead.visible + dead.inFlight}`,
  );
}

function printWhereEverythingIs(stack: LocalStack): void {
  const county = loadDeploymentConfig().root.code;
  const adminToken = signJwt({ role: 'admin', scope: county, sub: 'local-admin' }, stack.jwtKey, 12 * 3600);
  const api = stack.apiUrl ?? '(not running)';
  const tables = ['LEDGER_TABLE', 'STATE_TABLE', 'COUNTERS_TABLE'].map((name) => `${name}=${stack.env[name]}`).join('  ');
  console.log(`
console         ${api}/   (sign in with any role and division)
API             ${api}
DynamoDB Local  ${stack.env['AWS_ENDPOINT_URL_DYNAMODB']}   (listens on all interfaces: no bind option)
SQS emulator    ${stack.env['AWS_ENDPOINT_URL_SQS']}   (loopback only)
tables          ${tables}
queues          ${eventsQueue.envVar}=${stack.queueUrl}
                ${eventsQueue.deadLetter.envVar}=${stack.dlqUrl}
region / keys   AWS_REGION=${stack.env['AWS_REGION']}, any access key (e.g. local/local)

admin token (county ${county}, 12 h):
TOKEN=${adminToken}

curl -s -H "Authorization: Bearer $TOKEN" ${api}/v1/indicators
curl -s -H "Authorization: Bearer $TOKEN" '${api}/v1/indicators/skilled_workers?division=${county}&period=2026'
more tokens: npm run token -- --role viewer --scope <division> [--ttl 3600]

Ctrl-C to stop.`);
}

async function start(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, 'visibility-timeout': { type: 'string' }, 'no-demo': { type: 'boolean' } },
  });
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
    await stack?.stop();
    process.exit(0);
  };
  // Installed before anything starts, so Ctrl-C during start-up still stops the JVM.
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  // The console's address first: it is what most people came for.
  if (apiPort !== 0) console.log(`console: http://127.0.0.1:${apiPort}/ (starting…)`);
  await ensureConsoleBuilt({ log: (line) => console.log(line) });
  stack = await startLocalStack({ apiPort, ...(visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds } : {}) });
  console.log(`console: ${stack.apiUrl}/ (serving; the demo data loads next)`);
  if (stopping) {
    await stack.stop();
    return;
  }
  try {
    if (values['no-demo'] !== true) await loadDemo(stack);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  printWhereEverythingIs(stack);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'start') await start(rest);
  else if (command === 'token') await token(rest);
  else throw new UsageError(command === undefined ? 'no command given' : `unknown command ${command}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    console.error(`${error.message}\n${usage}`);
    process.exit(2);
  }
  console.error(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') console.error('the API port is taken: try --port 0 (any free port) or PORT=3100 npm start');
  process.exit(1);
});
