/**
 * The local stack's lifetime as a user meets it: `npm start` killed with
 * `kill -9` (npm itself, or the Node.js process that owns the JVM) leaves no
 * DynamoDB Local JVM behind, and tables written with `--data <dir>` are
 * there again after a restart, whatever access key reads them.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent, usccFor } from '../../packages/contract/fixtures.ts';
import { spawnSupervised } from '../../packages/local-stack/emulators.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';
import { waitUntilDrained } from '../support/queue.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'local-stack-lifetime-'));
const started: ChildProcess[] = [];

afterAll(() => {
  // Only what this file started, by process group id, in case a test failed half-way.
  for (const child of started) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

/** Pids of DynamoDB Local JVMs whose command line names `marker` (the test's own data directory). */
function dynamoDbJvms(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let commandLine: string;
    try {
      commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (commandLine.includes('DynamoDBLocal.jar') && commandLine.includes(marker) && /(^|\/)java /.test(commandLine)) pids.push(Number(entry));
  }
  return pids;
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

async function eventually<T>(probe: () => T, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `npm start -- --no-demo --port 0 --data <dir>` in its own process group; resolves once the stack is up. */
async function npmStart(dataDirectory: string): Promise<ChildProcess> {
  const child = spawn('npm', ['start', '--', '--no-demo', '--port', '0', '--data', dataDirectory], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' },
  });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const up = await eventually(() => output.includes('Ctrl-C to stop'), (ready) => ready || child.exitCode !== null, 90_000);
  if (!up) throw new Error(`npm start did not come up:\n${output}`);
  return child;
}

describe('kill -9 of npm start', () => {
  it('of the npm process leaves no DynamoDB Local JVM', async () => {
    const dataDirectory = join(scratch, 'kill-npm');
    const npm = await npmStart(dataDirectory);
    const jvms = dynamoDbJvms(dataDirectory);
    expect(jvms).toHaveLength(1);
    process.kill(npm.pid!, 'SIGKILL');
    expect(await eventually(() => dynamoDbJvms(dataDirectory), (pids) => pids.length === 0, 20_000)).toEqual([]);
    // On-disk mode with one shared database, as --data asked.
    expect(existsSync(join(dataDirectory, 'shared-local-instance.db'))).toBe(true);
  }, 120_000);

  it('of the Node.js process that owns the JVM leaves no DynamoDB Local JVM', async () => {
    const dataDirectory = join(scratch, 'kill-owner');
    await npmStart(dataDirectory);
    const [jvm] = dynamoDbJvms(dataDirectory);
    expect(jvm).toBeDefined();
    const owner = parentOf(jvm!);
    expect(readFileSync(`/proc/${owner}/cmdline`, 'utf8')).toContain('reform.ts');
    process.kill(owner, 'SIGKILL');
    expect(await eventually(() => dynamoDbJvms(dataDirectory), (pids) => pids.length === 0, 20_000)).toEqual([]);
  }, 120_000);
});

describe('the supervisor used where setpriv is missing', () => {
  it('kills its command as soon as its stdin closes, as it does when the stack dies', async () => {
    const marker = String(40_000 + (process.pid % 20_000));
    const supervisor = spawnSupervised('sleep', [marker], scratch);
    started.push(supervisor);
    const sleeping = () =>
      readdirSync('/proc')
        .filter((entry) => /^\d+$/.test(entry))
        .filter((entry) => {
          try {
            return readFileSync(`/proc/${entry}/cmdline`, 'utf8') === `sleep\0${marker}\0` && parentOf(Number(entry)) === supervisor.pid;
          } catch {
            return false;
          }
        });
    expect(await eventually(sleeping, (pids) => pids.length === 1, 10_000)).toHaveLength(1);
    supervisor.stdin?.destroy();
    expect(await eventually(sleeping, (pids) => pids.length === 0, 10_000)).toEqual([]);
    expect(await eventually(() => supervisor.exitCode ?? supervisor.signalCode, (code) => code !== null, 10_000)).not.toBeNull();
  });
});

describe('--data <dir>', () => {
  it('keeps the tables across a restart, and every access key sees them', async () => {
    const dataDirectory = join(scratch, 'restart');
    const orgCode = usccFor(8080);
    const registration = sampleEvent('organization.registered.v1', { id: 'kept-1', data: { orgCode } });

    const first = await startLocalStack({ withApi: false, quiet: true, dataDirectory });
    try {
      await first.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl, MessageBody: JSON.stringify(registration) }));
      await waitUntilDrained(first.sqs, first.queueUrl);
    } finally {
      await first.stop();
    }

    const second = await startLocalStack({ withApi: false, withPoller: false, quiet: true, dataDirectory });
    try {
      const key = { pk: `EVENT#${registration.source}#kept-1`, sk: 'ACCEPTED' };
      const asStack = DynamoDBDocumentClient.from(second.ddb);
      const { Item } = await asStack.send(new GetCommand({ TableName: second.env['LEDGER_TABLE'], Key: key, ConsistentRead: true }));
      expect(Item).toMatchObject({ outcome: 'accepted', type: 'organization.registered.v1' });

      const otherKey = new DynamoDBClient({
        endpoint: second.env['AWS_ENDPOINT_URL_DYNAMODB']!,
        region: 'cn-northwest-1',
        // DynamoDB Local accepts any access key made of letters and digits only.
        credentials: { accessKeyId: 'SomeoneElse42', secretAccessKey: 'anything' },
      });
      const seenByOtherKey = await DynamoDBDocumentClient.from(otherKey).send(new GetCommand({ TableName: second.env['LEDGER_TABLE'], Key: key }));
      otherKey.destroy();
      expect(seenByOtherKey.Item?.['outcome']).toBe('accepted');
    } finally {
      await second.stop();
    }
  }, 120_000);
});
