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
