/**
 * The one definition of the stateful resources. The CDK stateful stack builds
 * its tables and queues from this, and the local stack creates the very same
 * tables and queues in DynamoDB Local and the SQS emulator from it, so the two
 * can never drift apart. Plain data: no CDK or SDK imports here.
 */

/** Key attribute of a table: every key in this system is a string. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S';
}

/** A global secondary index: its keys and the non-key attributes it copies. */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** Attributes projected besides the table's and the index's keys. */
  readonly include: readonly string[];
  readonly purpose: string;
}

export interface TableDefinition {
  /** Logical name; used as the CDK construct id and the local table name. */
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly indexes?: readonly IndexDefinition[];
  /**
   * The attribute DynamoDB's time to live reads (epoch seconds): an item
   * holding it is deleted some time after then. Items without it are kept.
   */
  readonly timeToLiveAttribute?: string;
  /** Environment variable through which functions learn the physical name. */
  readonly envVar: string;
  readonly purpose: string;
}

export interface QueueDefinition {
  readonly name: string;
  readonly envVar: string;
  /** Seconds. Lambda requires at least the function timeout; AWS advises 6x. */
  readonly visibilityTimeoutSeconds: number;
  /** Deliveries before a message is moved to the dead-letter queue. */
  readonly maxReceiveCount: number;
  readonly retentionDays: number;
  readonly deadLetter: { readonly name: string; readonly envVar: string; readonly retentionDays: number };
}

/**
 * The attributes of the Ledger's explain entries (see packages/domain/explain.ts):
 * scope, `<day>#<source>#<id>`, and the entry's counter cells.
 */
export const explainIndexes = {
  division: { name: 'ExplainByDivision', partitionKey: 'xdp', sortKey: 'xds', cells: 'xd' },
  org: { name: 'ExplainByOrg', partitionKey: 'xop', sortKey: 'xos', cells: 'xo' },
} as const;

/**
 * Partition key of the fence's items in the Ledger (packages/storage/event-store.ts):
 * the one partition maintenance may update there (its role's
 * `dynamodb:LeadingKeys` condition, infra/constructs/house-function.ts).
 */
export const fencePartition = 'META';

/**
 * How long a maintenance run's pause of processing holds unless the run
 * resumes it first (the fence's `pausedUntil`, epoch milliseconds): longer
 * than the maintenance function can run (its 15-minute timeout;
 * test/infra/stacks.test.ts checks the two), so a run that dies without
 * resuming — timed out, out of memory, its sandbox gone — leaves processing
 * paused until then, not for good.
 */
export const maintenanceLeaseMs = 16 * 60_000;

/**
 * A maintenance run writes nothing, and gives no answer, once less than this
 * is left of its pause's lease (MaintenanceStore.assertLeaseHolds): after the
 * lease processing may go on, and a write or a comparison then could meet
 * its commits. The deployed function's timeout comes first; the local stack
 * runs maintenance in-process, with no timeout, and this is what stops it.
 */
export const maintenanceLeaseMarginMs = 60_000;

/** The index an entry of `scope` (`DIV#…` or `ORG#…`) is filed in. */
export const explainIndexOf = (scope: string): (typeof explainIndexes)[keyof typeof explainIndexes] =>
  scope.startsWith('DIV#') ? explainIndexes.division : explainIndexes.org;

/**
 * Rejections by the UTC day they were processed: only rejection records
 * carry `rejectedDay`, so the index holds nothing else. It copies what a
 * rejection may show, not the keyed hashes a record keeps.
 */
export const rejectionsIndex: IndexDefinition = {
  name: 'Rejections',
  partitionKey: { name: 'rejectedDay', type: 'S' },
  sortKey: { name: 'processedAt', type: 'S' },
  include: ['source', 'id', 'type', 'reason', 'detail', 'receivedAt', 'divisions'],
  purpose: 'the rejected events of a day, for GET /v1/rejections',
};

/**
 * The Ledger's time-to-live attribute. Only the tries of events naming an
 * unregistered organisation carry it (EventStore.countUnknownOrgTry): every
 * record of an outcome is kept.
 */
export const ledgerExpiryAttribute = 'expiresAt';

/** Every applied or rejected event, keyed by (source, id): the idempotency ledger. */
export const ledgerTable: TableDefinition = {
  name: 'Ledger',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  envVar: 'LEDGER_TABLE',
  purpose: 'event outcomes and the pseudonymised accepted events (for rebuilds)',
  timeToLiveAttribute: ledgerExpiryAttribute,
  indexes: [
    {
      name: explainIndexes.division.name,
      partitionKey: { name: explainIndexes.division.partitionKey, type: 'S' },
      sortKey: { name: explainIndexes.division.sortKey, type: 'S' },
      include: ['source', 'id', 'type', 'date', 'processedAt', explainIndexes.division.cells],
      purpose: 'what each event changed at each division, by day: the events behind a division figure',
    },
    {
      name: explainIndexes.org.name,
      partitionKey: { name: explainIndexes.org.partitionKey, type: 'S' },
      sortKey: { name: explainIndexes.org.sortKey, type: 'S' },
      include: ['source', 'id', 'type', 'date', 'processedAt', explainIndexes.org.cells],
      purpose: 'what each event changed at each organisation, by day: the events behind an organisation figure',
    },
    rejectionsIndex,
  ],
};

/** Entity state events change: organisations, persons, certificates, dispute cases. */
export const stateTable: TableDefinition = {
  name: 'State',
  partitionKey: { name: 'pk', type: 'S' },
  envVar: 'STATE_TABLE',
  purpose: 'entity state (org registry, persons, certificates, dispute cases)',
};

/** Per-scope, per-period counters that indicators are computed from. */
export const countersTable: TableDefinition = {
  name: 'Counters',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  envVar: 'COUNTERS_TABLE',
  purpose: 'counters per division or organisation and per day, month and year',
};

/**
 * Publications (editions of frozen figures): written once, conditionally, by
 * the maintenance function and never updated or deleted. The API only reads it.
 */
export const publicationsTable: TableDefinition = {
  name: 'Publications',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  envVar: 'PUBLICATIONS_TABLE',
  purpose: 'publications: the metadata and canonical CSV of each edition, per division; immutable',
};

/** Targets per division, year and indicator: the API writes these (admins within their scope). */
export const targetsTable: TableDefinition = {
  name: 'Targets',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  envVar: 'TARGETS_TABLE',
  purpose: 'targets per division, year and indicator',
};

export const tables = [ledgerTable, stateTable, countersTable, publicationsTable, targetsTable] as const;

/** Function timeout of the event processor, seconds. */
export const processorTimeoutSeconds = 30;

export const eventsQueue: QueueDefinition = {
  name: 'Events',
  envVar: 'EVENTS_QUEUE_URL',
  visibilityTimeoutSeconds: processorTimeoutSeconds * 6,
  // A batch that finds processing paused is handed back, a delivery each visibility timeout: 14 × 3 minutes outlast two
  // of the longest pauses back to back (maintenanceLeaseMs, 16 minutes: a rebuild that timed out, run again at once), so
  // maintenance never sends queued events to the dead-letter queue.
  maxReceiveCount: 15,
  retentionDays: 14,
  deadLetter: { name: 'EventsDlq', envVar: 'EVENTS_DLQ_URL', retentionDays: 14 },
};

export const queues = [eventsQueue] as const;

/** SQS event source mapping settings, mirrored by the local poller. */
export const processorEventSource = {
  /**
   * Up to 1,000 events an invocation, gathered for at most a second (and
   * never past Lambda's 6 MB payload): the processor packs a batch into
   * transactions of events that change the same counter items, one write
   * per item, so larger batches write fewer items per event and need fewer
   * round trips. 1,000 events take a few seconds even on a loaded local
   * machine, well inside the 30 s timeout. Lambda gathers until the batch
   * is full or the window ends, so an event arriving alone waits up to a
   * second (1 s is the least window Lambda allows for batches over 10;
   * `npm run bench` prints the latency).
   */
  batchSize: 1000,
  maxBatchingWindowSeconds: 1,
  reportBatchItemFailures: true,
  /**
   * Concurrent invocations. Events write only their organisation's and
   * township's counter items (upper levels are derived), so no item is
   * written by every batch; concurrent batches still meet now and then on a
   * township's month item, and then only the events that write it wait a
   * round (process-batch.ts, `commitUnlessMoved`).
   */
  maxConcurrency: 2,
} as const;

/**
 * How many times an event naming an unregistered organisation is decided
 * while processing runs before it is recorded as rejected `unknown_org`
 * (each delivery that finds the organisation still missing is one; one that
 * waits out a maintenance pause is none: the processor counts them itself,
 * EventStore.countUnknownOrgTry). Below maxReceiveCount; on the last
 * delivery such an event is rejected whatever its count, so it never
 * reaches the dead-letter queue.
 */
export const unknownOrgMaxAttempts = 3;

/** Environment variable names shared by the functions, CDK and the local stack. */
export const env = {
  pseudonymKey: 'PSEUDONYM_KEY',
  pseudonymSecretArn: 'PSEUDONYM_SECRET_ARN',
  deploymentConfig: 'DEPLOYMENT_CONFIG',
  unknownOrgMaxAttempts: 'UNKNOWN_ORG_MAX_ATTEMPTS',
  /** The events queue's redrive limit when it is not the deployed queue's (local stacks started with a low one). */
  eventsMaxReceiveCount: 'EVENTS_MAX_RECEIVE_COUNT',
  /** Name of the maintenance function the API invokes for rebuild and reconcile. */
  maintenanceFunctionName: 'MAINTENANCE_FUNCTION_NAME',
  /** `in-process`: the API runs rebuild and reconcile itself (the local stack only: it needs write access). */
  maintenanceMode: 'MAINTENANCE_MODE',
} as const;
