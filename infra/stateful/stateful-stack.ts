import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { BoundTable } from '../constructs/house-function.ts';
import { countersTable, eventsQueue, ledgerTable, stateTable, tables } from '../../packages/config/resources.ts';
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
  /** Customer-managed key of the tables, the queues and the pseudonym secret. */
  readonly dataKey: Key;
  readonly eventsQueue: Queue;
  readonly eventsDeadLetterQueue: Queue;
  /** HMAC key that turns ID numbers into pseudonyms. */
  readonly pseudonymSecret: Secret;
}

function keyAttribute(attribute: KeyAttribute): Attribute {
  return { name: attribute.name, type: AttributeType.STRING };
}

/**
 * The stateful stack: everything whose loss loses data. Tables, queues and
 * the secret are built from `infra/definitions.ts`, the same definitions the
 * local stack uses, and all are encrypted with one customer-managed key.
 * Deploy it rarely; the stateless stack can be torn down and rebuilt freely.
 */
export class StatefulStack extends Stack implements StatefulResources {
  readonly tables: readonly BoundTable[];
  readonly ledger: BoundTable;
  readonly state: BoundTable;
  readonly counters: BoundTable;
  readonly dataKey: Key;
  readonly eventsQueue: Queue;
  readonly eventsDeadLetterQueue: Queue;
  readonly pseudonymSecret: Secret;

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

    const { queue, deadLetterQueue } = this.queueWithDeadLetter(eventsQueue);
    this.eventsQueue = queue;
    this.eventsDeadLetterQueue = deadLetterQueue;

    this.pseudonymSecret = new Secret(this, 'PseudonymSecret', {
      description: 'HMAC key that pseudonymises ID numbers in events; never rotate (see the README, "Deploying to AWS")',
      encryptionKey: this.dataKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.pseudonymSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'The secret is the HMAC key of every stored pseudonym: rotating it would re-key all pseudonyms and split each person into two, so it is deliberately never rotated.',
    });
  }

  private table(definition: TableDefinition): TableV2 {
    return new TableV2(this, `${definition.name}Table`, {
      partitionKey: keyAttribute(definition.partitionKey),
      ...(definition.sortKey === undefined ? {} : { sortKey: keyAttribute(definition.sortKey) }),
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
