import { afterAll, beforeAll } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localClientConfig, startDynamoDbLocal } from '../../packages/local-stack/emulators.ts';

/** DynamoDB Local for one test file, with a client and a document client (undefined attributes removed) on it. */
export interface LocalDynamoDb {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local and the two clients; `stop` closes them and the emulator. */
export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const emulator = await startDynamoDbLocal();
  const client = new DynamoDBClient(localClientConfig(emulator.endpoint));
  return {
    endpoint: emulator.endpoint,
    client,
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    stop: async () => {
      client.destroy();
      await emulator.stop();
    },
  };
}

/**
 * DynamoDB Local for the calling test file: started before its tests and
 * stopped after them. Read `client` and `doc` inside tests and hooks.
 */
export function localDynamoDbForFile(): Pick<LocalDynamoDb, 'client' | 'doc'> {
  let local: LocalDynamoDb | undefined;
  beforeAll(async () => {
    local = await startLocalDynamoDb();
  });
  afterAll(() => local?.stop());
  const started = (): LocalDynamoDb => {
    if (local === undefined) throw new Error('DynamoDB Local is not started yet: use it inside a test or a hook');
    return local;
  };
  return {
    get client() {
      return started().client;
    },
    get doc() {
      return started().doc;
    },
  };
}
