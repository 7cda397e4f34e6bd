import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { BoundTable } from '../constructs/house-function.ts';
import { secretReaderTag } from '../constructs/house-function.ts';
import { countersTable, eventsQueue, ledgerTable, publicationsTable, stateTable, tables, targetsTable } from '../../packages/config/resources.ts';
import type { KeyAttribute, QueueDefinition, TableDefinition } from '../../packages/config/resources.ts';

/**
 * What the stateless stack receives from the stateful one: typed handles,
 * never names looked up by string.
 */
export interface StatefulResources {
  /** Every table with its definition, in `tables` order. */
  readonly tables: readonly BoundTable[];
  readonly ledger: BoundTable;
  readonly state: BoundTable;
  readonly counters: BoundTable;
  /** Publications: written once by the maintenance function, read by the API. */
  readonly publications: BoundTable;
  /** Targets: read and written by the API. */
  readonly targets: BoundTable;
  /** Customer-managed key of the tables, the queues and the pseudonym secret. */
  readonly dataKey: Key;
  readonly eventsQueue: Queue;
  readonly eventsDeadLetterQueue: Queue;
  /** HMAC key that turns ID numbers into pseudonyms. */
  readonly pseudonymSecret: Secret;
  /** Customer-managed key of every log group (CloudWatch Logs may use it for this account's log groups only). */
  readonly logsKey: Key;
}

function keyAttribute(attribute: KeyAttribute): Attribute {
  return { name: attribute.name, type: AttributeType.STRING };
}

/**
 * The stateful stack: everything whose loss loses data. Tables, queues and
 * the secret are built from `packages/config/resources.ts`, the same definitions the
 * local stack uses, and all are encrypted with one customer-managed key.
 * Deploy it rarely; the stateless stack can be torn down and rebuilt freely.
 */
export class StatefulStack extends Stack implements StatefulResources {
  readonly tables: readonly BoundTable[];
  readonly ledger: BoundTable;
  readonly state: BoundTable;
  readonly counters: BoundTable;
  readonly publications: BoundTable;
  readonly targets: BoundTable;
  readonly dataKey: Key;
  readonly eventsQueue: Queue;
  readonly eventsDeadLetterQueue: Queue;
  readonly pseudonymSecret: Secret;
  readonly logsKey: Key;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.dataKey = new Key(this, 'DataKey', {
      description: 'reform-indicators: tables, event queues and the pseudonym secret',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.tables = tables.map((definition) => ({ definition, table: this.table(definition) }));
    this.ledger = this.boundTable(ledgerTable);
    this.state = this.boundTable(stateTable);
    this.counters = this.boundTable(countersTable);
    this.publications = this.boundTable(publicationsTable);
    this.targets = this.boundTable(targetsTable);

    const { queue, deadLetterQueue } = this.queueWithDeadLetter(eventsQueue);
    this.eventsQueue = queue;
    this.eventsDeadLetterQueue = deadLetterQueue;

    this.pseudonymSecret = new Secret(this, 'PseudonymSecret', {
      description: 'HMAC key that pseudonymises ID numbers in events; never rotate (see the README, "Deploying to AWS")',
      encryptionKey: this.dataKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.restrictSecretReaders(this.pseudonymSecret);
    this.logsKey = this.createLogsKey();
    Validations.of(this.pseudonymSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'The secret is the HMAC key of every stored pseudonym: rotating it would re-key all pseudonyms and split each person into two, so it is deliberately never rotated.',
    });
  }

  /**
   * Only roles tagged {@link secretReaderTag} (the functions that bind the
   * secret, see `HouseFunction.bindSecretValue`) may read the secret, and only
   * from this account: every other principal is denied, even one whose IAM
   * policy allows `secretsmanager:*` and that holds kms:Decrypt on the data
   * key (the producer roles do, to send to the encrypted queue). Two Deny
   * statements, because conditions in one statement would have to hold
   * together.
   */
  private restrictSecretReaders(secret: Secret): void {
    const readActions = ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'];
    secret.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyReadingExceptTaggedReaders',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: readActions,
        resources: ['*'],
        conditions: { StringNotEquals: { [`aws:PrincipalTag/${secretReaderTag.key}`]: secretReaderTag.value } },
      }),
    );
    secret.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyReadingFromOtherAccounts',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: readActions,
        resources: ['*'],
        conditions: { StringNotEquals: { 'aws:PrincipalAccount': this.account } },
      }),
    );
  }

  /**
   * The key of every log group. Logs are kept at least 180 days (PRC
   * Cybersecurity Law art. 21) and outlive the stateless stack, so their key
   * lives here with the data, retained. It is not the data key: whoever may
   * read logs need not be able to decrypt the tables. CloudWatch Logs's
   * principal is regional and ends in the partition's DNS suffix
   * (`logs.cn-northwest-1.amazonaws.com.cn` in AWS China), and it may use the
   * key only for log groups of this account and region (encryption context).
   */
  private createLogsKey(): Key {
    const key = new Key(this, 'LogsKey', {
      description: 'reform-indicators: CloudWatch log groups (function logs, API access logs)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogsForThisAccountsLogGroups',
        principals: [new ServicePrincipal(`logs.${this.region}.${this.urlSuffix}`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*` },
        },
      }),
    );
    return key;
  }

  private table(definition: TableDefinition): TableV2 {
    return new TableV2(this, `${definition.name}Table`, {
      partitionKey: keyAttribute(definition.partitionKey),
      ...(definition.sortKey === undefined ? {} : { sortKey: keyAttribute(definition.sortKey) }),
      globalSecondaryIndexes: (definition.indexes ?? []).map((index) => ({
        indexName: index.name,
        partitionKey: keyAttribute(index.partitionKey),
        sortKey: keyAttribute(index.sortKey),
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.include],
      })),
      ...(definition.timeToLiveAttribute === undefined ? {} : { timeToLiveAttribute: definition.timeToLiveAttribute }),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryptionV2.customerManagedKey(this.dataKey),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private boundTable(definition: TableDefinition): BoundTable {
    const bound = this.tables.find((t) => t.definition === definition);
    if (bound === undefined) throw new Error(`table ${definition.name} is not in the tables definition`);
    return bound;
  }

  private queueWithDeadLetter(definition: QueueDefinition): { queue: Queue; deadLetterQueue: Queue } {
    const deadLetterQueue = new Queue(this, `${definition.deadLetter.name}Queue`, {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.dataKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(definition.deadLetter.retentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const queue = new Queue(this, `${definition.name}Queue`, {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.dataKey,
      // Reuse a data key for 5 minutes: one KMS call per producer per 5 minutes instead of per message.
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(definition.retentionDays),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    return { queue, deadLetterQueue };
  }
}
