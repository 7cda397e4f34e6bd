/**
 * A document client that counts the requests sent through it, by command,
 * so benchmarks and tests can hold a request to its DynamoDB-read budget
 * without knowing how the readers read.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface RequestCounts {
  /** Requests by command name (`QueryCommand`, `BatchGetCommand`, …). */
  readonly byCommand: Map<string, number>;
  total(): number;
  reset(): void;
}

/** `doc` with every `send` counted; the original client is left untouched. */
export function countingDocumentClient(doc: DynamoDBDocumentClient): { client: DynamoDBDocumentClient; counts: RequestCounts } {
  const byCommand = new Map<string, number>();
  const client = Object.create(doc) as DynamoDBDocumentClient;
  const send = doc.send.bind(doc) as (command: object, ...rest: unknown[]) => Promise<unknown>;
  (client as unknown as { send: typeof send }).send = (command, ...rest) => {
    const name = command.constructor.name;
    byCommand.set(name, (byCommand.get(name) ?? 0) + 1);
    return send(command, ...rest);
  };
  return {
    client,
    counts: {
      byCommand,
      total: () => [...byCommand.values()].reduce((sum, n) => sum + n, 0),
      reset: () => byCommand.clear(),
    },
  };
}
