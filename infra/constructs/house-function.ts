import { Duration, RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TableDefinition } from '../../packages/config/resources.ts';
import { fencePartition } from '../../packages/config/resources.ts';
import { lambdaBundleAliases, lambdaBundleBanner, lambdaBundleExternals } from './lambda-bundling.ts';

/**
 * What the processor does to its tables: read the ledger and state, then one
 * TransactWriteItems (IAM authorises each Put, Update and ConditionCheck in it
 * individually; there is no `TransactWriteItems` action). No Scan, no Delete.
 */
export const applyEventsTableActions = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** Point and range reads only: no Scan, so a leaked role cannot dump a table. */
export const readTableActions = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;

/**
 * What maintenance reads of the table it replays from (the Ledger): one full
 * consistent Scan of the accepted events and their explain entries.
 */
export const replaySourceTableActions = ['dynamodb:Scan'] as const;

/**
 * What maintenance writes in the Ledger, and nothing more: the fence that
 * pauses processing (`UpdateItem`, only in the fence's partition: a
 * `dynamodb:LeadingKeys` condition), and the markers that say a chunked
 * event's chunks were counted whole by a rebuild (`BatchWriteItem` puts of
 * key-only items in the event's partition). No `PutItem`, `DeleteItem` or
 * other update: an event's record is never rewritten. IAM cannot narrow
 * the markers' puts further: `dynamodb:Attributes` would have to name
 * every index key too.
 */
export const fenceTableActions = ['dynamodb:UpdateItem'] as const;
export const chunkMarkerTableActions = ['dynamodb:BatchWriteItem'] as const;

/**
 * What maintenance does to the tables it rebuilds (Counters, State): scan the
 * live items, then BatchWriteItem whole-item puts and deletes. `PutItem` and
 * `DeleteItem` name exactly the writes a BatchWriteItem carries, so granting
 * them widens nothing. No UpdateItem, no Query, no GetItem.
 */
export const rebuildTableActions = ['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;

/**
 * What the maintenance function does to the Publications table: put items,
 * each conditioned on its absence (PutItem with a condition). No update, no
 * delete, no read: a publication, once written, is never touched again.
 */
export const publishTableActions = ['dynamodb:PutItem'] as const;

/** What the API does to the Targets table: read, put (set) and delete targets. */
export const targetTableActions = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;

/** KMS actions DynamoDB needs on a customer-managed key for reads. */
const kmsReadActions = ['kms:Decrypt', 'kms:DescribeKey'] as const;
/** KMS actions DynamoDB and SQS need on a customer-managed key for writes. */
const kmsWriteActions = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'] as const;

/**
 * Tag carried by every role that binds a secret's value. The pseudonym
 * secret's resource policy denies reading to every principal without it.
 */
export const secretReaderTag = { key: 'reform-indicators:secret-reader', value: 'true' } as const;

/**
 * Shortest log retention any log group of this app may have: PRC
 * Cybersecurity Law art. 21 requires network logs to be kept at least six
 * months.
 */
export const minimumLogRetention = RetentionDays.SIX_MONTHS;

/** `retention`, checked: throws when it is shorter than {@link minimumLogRetention}. */
export function checkLogRetention(retention: RetentionDays, what: string): RetentionDays {
  if (retention < minimumLogRetention) {
    throw new Error(`${what}: log retention must be at least ${minimumLogRetention} days (PRC Cybersecurity Law art. 21)`);
  }
  return retention;
}

/** A deployed table together with the definition it was built from. */
export interface BoundTable {
  readonly definition: TableDefinition;
  readonly table: ITableV2;
}

/** Properties of {@link HouseFunction}. */
export interface HouseFunctionProps {
  /** Absolute path of the handler module; it must export `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Powertools service name; also names the function's log group. */
  readonly serviceName: string;
  readonly timeout: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** Customer-managed key the function's log group is encrypted with. */
  readonly logEncryptionKey: IKey;
  /** At least {@link minimumLogRetention}. @default {@link minimumLogRetention} */
  readonly logRetention?: RetentionDays;
  /**
   * Concurrent executions reserved for (and the most allowed to) the function.
   * @default none: the function shares the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * The one house Lambda construct: Node.js 22 on ARM64, ESM bundle built by
 * the local esbuild (no Docker) with the shared settings of
 * `lambda-bundling.ts` (AWS SDK bundled), X-Ray tracing, an explicit log group
 * with retention, and its own role that starts with nothing but writing to
 * that log group. Access to tables, keys, queues and secrets is added only
 * through the typed `bind*` methods, each granting a fixed, minimal action list.
 */
export class HouseFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: checkLogRetention(props.logRetention ?? minimumLogRetention, props.serviceName),
      encryptionKey: props.logEncryptionKey,
      // Logs are the audit trail of what was rejected and why; keep them past a stack deletion.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // A role of our own instead of the default one, whose AWSLambdaBasicExecutionRole
    // managed policy may write to every log group in the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.serviceName} function`,
      inlinePolicies: {
        logs: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [this.logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      // Node 22 is the runtime the code and its esbuild target are tested for (see acknowledgement below).
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: 'ReformIndicators',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        // Source maps would roughly double the bundle and slow every cold start.
        sourceMap: false,
        bundleAwsSDK: true,
        externalModules: [...lambdaBundleExternals],
        mainFields: ['module', 'main'],
        banner: lambdaBundleBanner,
        esbuildArgs: Object.fromEntries(
          Object.entries(lambdaBundleAliases).map(([module, replacement]) => [`--alias:${module}`, replacement]),
        ),
        forceDockerBundling: false,
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Node.js 22 is deliberate: the bundles are built with esbuild target node22 and the code is tested on that line; moving to 24 is a tested upgrade, not a default.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'Only the X-Ray PutTraceSegments/PutTelemetryRecords statement added by active tracing uses *: those actions support no resource-level permissions.',
    });
  }

  /** Sets an environment variable on the function. */
  setEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }

  /**
   * Lets the function apply events to `tables`: the reads and conditional
   * writes of {@link applyEventsTableActions}, on the table ARNs only, and
   * the KMS actions the tables' key needs. Also exports each physical table
   * name under the definition's `envVar`.
   */
  bindTablesForApplyingEvents(tables: readonly BoundTable[], key: IKey): void {
    this.bindTables(tables, applyEventsTableActions, 'ApplyEvents');
    this.bindKey(key, kmsWriteActions);
  }

  /** Lets the function read `tables` with {@link readTableActions}; nothing else. */
  bindTablesForReading(tables: readonly BoundTable[], key: IKey): void {
    this.bindTables(tables, readTableActions, 'Read', { withIndexes: true });
    this.bindKey(key, kmsReadActions);
  }

  /**
   * Lets the function record outcomes in `ledger` with `dynamodb:PutItem`
   * only (the API records the events it rejects), plus the key's write actions.
   */
  bindTableForRecordingOutcomes(ledger: BoundTable, key: IKey): void {
    this.bindTables([ledger], ['dynamodb:PutItem'], 'RecordOutcomes');
    this.bindKey(key, kmsWriteActions);
  }

  /**
   * Lets the function replay `source` into `rebuilt`: {@link replaySourceTableActions}
   * on the source table, and there {@link fenceTableActions} on the fence's
   * partition and {@link chunkMarkerTableActions}; {@link rebuildTableActions}
   * on each rebuilt table (table ARNs only, no indexes), and the KMS actions
   * the tables' key needs for writes. Exports every table's physical name
   * under its definition's `envVar`.
   */
  bindTablesForRebuilding(source: BoundTable, rebuilt: readonly BoundTable[], key: IKey): void {
    this.bindTables([source], replaySourceTableActions, 'ReplaySource');
    // Pausing and resuming processing: the fence's items, in their partition only.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'FenceInReplaySource',
        actions: [...fenceTableActions],
        resources: [source.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [fencePartition] } },
      }),
    );
    this.role.addToPrincipalPolicy(new PolicyStatement({ sid: 'ChunkMarkersInReplaySource', actions: [...chunkMarkerTableActions], resources: [source.table.tableArn] }));
    this.bindTables(rebuilt, rebuildTableActions, 'Rebuild');
    this.bindKey(key, kmsWriteActions);
  }

  /**
   * Lets the function write editions into `publications` with
   * {@link publishTableActions} only, and read `counters` (the figures it
   * freezes) with {@link readTableActions}.
   */
  bindTablesForPublishing(publications: BoundTable, counters: BoundTable, key: IKey): void {
    this.bindTables([publications], publishTableActions, 'Publish');
    this.bindTables([counters], readTableActions, 'ReadFigures');
    this.bindKey(key, kmsWriteActions);
  }

  /** Lets the function set, delete and read targets ({@link targetTableActions}); nothing else on that table. */
  bindTableForTargets(targets: BoundTable, key: IKey): void {
    this.bindTables([targets], targetTableActions, 'Targets');
    this.bindKey(key, kmsWriteActions);
  }

  /**
   * Lets the function invoke `target` (`lambda:InvokeFunction` on that
   * function's ARN only: no versions, aliases or other functions) and exports
   * its name under `envVar`.
   */
  bindFunctionForInvoking(target: IFunction, envVar: string): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'InvokeFunction', actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }),
    );
    this.setEnvironment(envVar, target.functionName);
  }

  /**
   * Lets the function send to `queue` (SendMessage only; no receive or
   * delete) and exports its URL under `envVar`.
   */
  bindQueueForSending(queue: IQueue, envVar: string): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
    );
    if (queue.encryptionMasterKey !== undefined) this.bindKey(queue.encryptionMasterKey, ['kms:GenerateDataKey', 'kms:Decrypt']);
    this.setEnvironment(envVar, queue.queueUrl);
  }

  /**
   * Makes `queue` the function's event source. Batch item failures are
   * reported, so only the failed messages of a batch are redelivered.
   *
   * @returns the event source mapping's UUID (a token), which an operator needs to pause the function.
   */
  bindQueueAsEventSource(
    queue: IQueue,
    options: { readonly batchSize: number; readonly maxBatchingWindow: Duration; readonly maxConcurrency: number },
  ): string {
    const source = new SqsEventSource(queue, {
      batchSize: options.batchSize,
      maxBatchingWindow: options.maxBatchingWindow,
      reportBatchItemFailures: true,
      maxConcurrency: options.maxConcurrency,
    });
    this.function.addEventSource(source);
    return source.eventSourceMappingId;
  }

  /**
   * Lets the function read one secret's value, tags its role with
   * {@link secretReaderTag} (which the secret's resource policy requires), and
   * exports the secret's ARN under `envVar`.
   */
  bindSecretValue(secret: ISecret, envVar: string): void {
    Tags.of(this.role).add(secretReaderTag.key, secretReaderTag.value);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
    if (secret.encryptionKey !== undefined) this.bindKey(secret.encryptionKey, ['kms:Decrypt']);
    this.setEnvironment(envVar, secret.secretArn);
  }

  /** `withIndexes`: readers also query the tables' global secondary indexes (the Ledger's explain indexes). */
  private bindTables(tables: readonly BoundTable[], actions: readonly string[], sid: string, options: { withIndexes?: boolean } = {}): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: `${sid}Tables`,
        actions: [...actions],
        resources: tables.flatMap(({ definition, table }) => [
          table.tableArn,
          ...(options.withIndexes === true ? (definition.indexes ?? []).map((index) => `${table.tableArn}/index/${index.name}`) : []),
        ]),
      }),
    );
    for (const { definition, table } of tables) this.setEnvironment(definition.envVar, table.tableName);
  }

  private bindKey(key: IKey, actions: readonly string[]): void {
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources: [key.keyArn] }));
  }
}
