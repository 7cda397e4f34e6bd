/**
 * A proxy in front of DynamoDB Local that records every request as the
 * operations IAM authorises: one per table a request names, one per item of
 * a transaction (IAM checks each Put, Update, Delete and ConditionCheck of a
 * TransactWriteItems on its own), with the index a Query or Scan reads and
 * the partition key values a write or key read names (what a
 * `dynamodb:LeadingKeys` condition sees). Everything is forwarded unchanged.
 */
import { dynamoDbProxyServer, listenOnLoopback } from './loopback-server.ts';

/** One operation as IAM sees it. */
export interface RecordedOperation {
  /** `dynamodb:GetItem`, `dynamodb:Query`, … */
  readonly action: string;
  readonly table: string;
  readonly index?: string;
  /** Partition key values of the items named; undefined for reads by range (Query, Scan). */
  readonly leadingKeys?: readonly string[];
}

type WireItem = Record<string, { S?: string }>;

/** The operations IAM authorises for one DynamoDB API call. */
export function operationsOf(target: string, input: Record<string, unknown>, partitionKeyOf: (table: string) => string): RecordedOperation[] {
  const keyOf = (table: string, item: WireItem | undefined): string[] => {
    const value = item?.[partitionKeyOf(table)]?.S;
    return value === undefined ? [] : [value];
  };
  const table = String(input['TableName'] ?? '');
  switch (target) {
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      return [{ action: `dynamodb:${target}`, table, leadingKeys: keyOf(table, input['Key'] as WireItem) }];
    case 'PutItem':
      return [{ action: 'dynamodb:PutItem', table, leadingKeys: keyOf(table, input['Item'] as WireItem) }];
    case 'Query':
    case 'Scan':
      return [{ action: `dynamodb:${target}`, table, ...(typeof input['IndexName'] === 'string' ? { index: input['IndexName'] } : {}) }];
    case 'BatchGetItem':
      return Object.entries(input['RequestItems'] as Record<string, { Keys: WireItem[] }>).map(([name, { Keys }]) => ({
        action: 'dynamodb:BatchGetItem',
        table: name,
        leadingKeys: Keys.flatMap((key) => keyOf(name, key)),
      }));
    case 'BatchWriteItem':
      return Object.entries(input['RequestItems'] as Record<string, { PutRequest?: { Item: WireItem }; DeleteRequest?: { Key: WireItem } }[]>).map(([name, requests]) => ({
        action: 'dynamodb:BatchWriteItem',
        table: name,
        leadingKeys: requests.flatMap((r) => keyOf(name, r.PutRequest?.Item ?? r.DeleteRequest?.Key)),
      }));
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const actions: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };
      return (input['TransactItems'] as Record<string, { TableName: string; Item?: WireItem; Key?: WireItem }>[]).map((entry) => {
        const [kind, detail] = Object.entries(entry)[0] as [string, { TableName: string; Item?: WireItem; Key?: WireItem }];
        return { action: `dynamodb:${actions[kind] ?? kind}`, table: detail.TableName, leadingKeys: keyOf(detail.TableName, detail.Item ?? detail.Key) };
      });
    }
    default:
      return [{ action: `dynamodb:${target}`, table }];
  }
}

/** Starts the proxy; `operations` grows with every request, in arrival order. */
export async function startRecordingProxy(
  target: string,
  partitionKeyOf: (table: string) => string,
): Promise<{ url: string; operations: RecordedOperation[]; close(): Promise<void> }> {
  const operations: RecordedOperation[] = [];
  const server = dynamoDbProxyServer(target, ({ operation, input, outgoing, forward }) => {
    operations.push(...operationsOf(operation, input, partitionKeyOf));
    forward((response) => {
      outgoing.writeHead(response.statusCode ?? 500, response.headers);
      response.pipe(outgoing);
    });
  });
  return {
    url: await listenOnLoopback(server),
    operations,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
