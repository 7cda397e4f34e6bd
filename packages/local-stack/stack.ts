/**
 * The whole system on one machine, offline: DynamoDB Local and the SQS
 * emulator with the tables and queues of `packages/config/resources.ts`, the real
 * processor handler fed by a poller that behaves like the SQS event source
 * mapping, and the real API handler behind a local HTTP server on 127.0.0.1.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { JWK } from 'jose';
import { env as envNames, eventsQueue, processorEventSource, unknownOrgMaxAttempts } from '../config/resources.ts';
import type { ApiServerOptions } from './api-server.ts';
import { startApiServer } from './api-server.ts';
import { createConsoleRequestHandler } from './console-server.ts';
import { loadDeploymentConfig } from '../config/deployment.ts';
import type { RunningEmulator } from './emulators.ts';
import {
  createQueues,
  createTables,
  LocalStackError,
  localAwsEnv,
  localClientConfig,
  startDynamoDbLocal,
  startSqsEmulator,
} from './emulators.ts';
import { localKeys } from './local-keys.ts';
import type { Poller, SqsBatchHandler } from './poller.ts';
import { startPoller } from './poller.ts';

export interface LocalStackOptions {
  /** Port of the local API on 127.0.0.1. Default 3000; 0 picks a free one. */
  readonly apiPort?: number;
  /** Serve the API. Default true. */
  readonly withApi?: boolean;
  /** Run the processor on the events queue. Default true. */
  readonly withPoller?: boolean;
  /** Visibility timeout of the events queue; default as deployed (180 s). Tests use 1–5 s to see retries quickly. */
  readonly visibilityTimeoutSeconds?: number;
  /** Deliveries before the dead-letter queue; default as deployed (5). */
  readonly maxReceiveCount?: number;
  /** No progress lines from the stack itself. */
  readonly quiet?: boolean;
  /**
   * Directory where DynamoDB Local keeps the tables, so they survive a
   * restart (`npm start` uses `.local/data`). Default: in memory, gone at
   * stop — what tests want. The queues are in memory either way.
   */
  readonly dataDirectory?: string;
}

export interface LocalStack {
  /** Everything set in `process.env` for the handlers: endpoints, region, table and queue names, keys. */
  readonly env: Record<string, string>;
  /** Clients pointed at the emulators. */
  readonly ddb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  /** Base URL of the API, e.g. `http://127.0.0.1:3000`, when it runs. */
  readonly apiUrl?: string;
  /** Private RS256 JWK that signs local tokens; the API verifies them against its public JWKS. */
  readonly jwtKey: JWK;
  /** Stops the poller (after its batch in flight), the API and both emulators. */
  stop(): Promise<void>;
}

/**
 * Loads a handler module at run time. The handlers read their configuration
 * at module load, so they may be imported only once `process.env` is set.
 */
async function importHandler<T>(relativeUrl: string, exportName: string, what: string): Promise<T> {
  const url = new URL(relativeUrl, import.meta.url).href;
  const loaded = (await import(url)) as Record<string, unknown>;
  const value = loaded[exportName];
  if (typeof value !== 'function') throw new LocalStackError(`${what} (${relativeUrl}) does not export a function named ${exportName}`);
  return value as T;
}

let running = false;

/**
 * Starts the local stack. Only one can run per process: the handler modules
 * are loaded once and keep the configuration they read at load time.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  if (running) throw new LocalStackError('a local stack is already running in this process');
  running = true;
  const say = (line: string): void => {
    if (options.quiet !== true) console.log(line);
  };
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    // Reverse order: the poller and API stop before the emulators they use.
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`local stack: stopping failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    running = false;
  };

  try {
    say('starting DynamoDB Local and the SQS emulator…');
    const started = await Promise.allSettled([
      startDynamoDbLocal(options.dataDirectory === undefined ? {} : { dataDirectory: options.dataDirectory }),
      startSqsEmulator(),
    ]);
    for (const result of started) if (result.status === 'fulfilled') cleanups.push(() => result.value.stop());
    const [dynamo, queue] = started.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    }) as [RunningEmulator, RunningEmulator];

    const ddb = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    const sqs = new SQSClient(localClientConfig(queue.endpoint));
    cleanups.push(async () => {
      ddb.destroy();
      sqs.destroy();
    });
    const tableNames = await createTables(ddb);
    const queueUrls = await createQueues(sqs, undefined, {
      ...(options.visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds } : {}),
      ...(options.maxReceiveCount !== undefined ? { maxReceiveCount: options.maxReceiveCount } : {}),
    });
    const queueUrl = queueUrls[eventsQueue.envVar];
    const dlqUrl = queueUrls[eventsQueue.deadLetter.envVar];
    if (queueUrl === undefined || dlqUrl === undefined) throw new LocalStackError('the events queue was not created');

    const keys = await localKeys();
    const stackEnv: Record<string, string> = {
      ...localAwsEnv({ dynamodb: dynamo.endpoint, sqs: queue.endpoint }),
      ...tableNames,
      ...queueUrls,
      [envNames.pseudonymKey]: keys.pseudonymKey,
      // No maintenance function locally: the API runs rebuild and reconcile in-process.
      [envNames.maintenanceMode]: 'in-process',
    };
    // An unknown organisation must settle as rejected before the redrive
    // limit, as it does with the deployed settings; keep that with a low one.
    if (options.maxReceiveCount !== undefined) {
      stackEnv[envNames.eventsMaxReceiveCount] = String(options.maxReceiveCount);
      if (options.maxReceiveCount <= unknownOrgMaxAttempts) stackEnv[envNames.unknownOrgMaxAttempts] = String(Math.max(1, options.maxReceiveCount - 1));
    }
    Object.assign(process.env, stackEnv);

    if (options.withPoller !== false) {
      const handler = await importHandler<SqsBatchHandler>('../../functions/processor/handler.ts', 'handler', 'the processor');
      // As many pollers as the deployed mapping's maximum concurrency.
      const pollers: Poller[] = Array.from({ length: processorEventSource.maxConcurrency }, () =>
        startPoller({
          sqs,
          queueUrl,
          handler,
          onBatch: ({ received, failed }) => {
            if (failed > 0) say(`processor: ${failed} of ${received} events left for redelivery`);
          },
        }),
      );
      cleanups.push(async () => {
        await Promise.all(pollers.map((p) => p.stop()));
      });
    }

    let apiUrl: string | undefined;
    if (options.withApi !== false) {
      const handler = await importHandler<ApiServerOptions['handler']>('../../functions/api/handler.ts', 'handler', 'the API');
      const config = loadDeploymentConfig();
      const consoleHandler = createConsoleRequestHandler({ jwtKey: keys.jwtPrivateKey, divisions: config.root, claimNames: config.claims });
      const server = await startApiServer({ handler, jwks: keys.jwks, port: options.apiPort ?? 3000, host: '127.0.0.1', console: consoleHandler });
      cleanups.push(() => server.close());
      apiUrl = server.url;
    }

    return {
      env: stackEnv,
      ddb,
      sqs,
      queueUrl,
      dlqUrl,
      ...(apiUrl !== undefined ? { apiUrl } : {}),
      jwtKey: keys.jwtPrivateKey,
      stop: (() => {
        let stopping: Promise<void> | undefined;
        return () => (stopping ??= stopAll());
      })(),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
