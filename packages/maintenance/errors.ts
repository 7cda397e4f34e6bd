/** Base class of the maintenance package's errors (rebuild, reconcile). */
export class MaintenanceError extends Error {
  override readonly name: string = 'MaintenanceError';
}

/** DynamoDB kept returning unprocessed writes: the rebuild stopped part-way and must be run again. */
export class RebuildIncompleteError extends MaintenanceError {
  override readonly name = 'RebuildIncompleteError';
}

/** No way to run maintenance is configured in this environment. */
export class MaintenanceUnavailableError extends MaintenanceError {
  override readonly name = 'MaintenanceUnavailableError';
}

/**
 * Another maintenance run (rebuild, reconcile or publish) is in progress. One
 * runs at a time: two rebuilds at once would both write the same correction
 * entries. Deployed, the function's reserved concurrency of 1 makes Lambda
 * refuse the second invocation; locally the in-process runner does the same.
 */
export class MaintenanceBusyError extends MaintenanceError {
  override readonly name = 'MaintenanceBusyError';

  constructor() {
    super('another maintenance run (rebuild, reconcile or publish) is in progress; try again when it has finished');
  }
}

/**
 * The run outlasted what the caller can wait for (the API's answer must come
 * within API Gateway's 30 s); it goes on in the maintenance function, for up
 * to its 15 minutes.
 */
export class MaintenanceStillRunningError extends MaintenanceError {
  override readonly name = 'MaintenanceStillRunningError';
}

/**
 * The run outlasted its pause of processing (its lease: maintenanceLeaseMs),
 * so processing may have gone on under it: it stopped before writing or
 * answering anything more. Run it again; a rebuild stopped part-way is put
 * right by the next one.
 */
export class MaintenanceLeaseEndedError extends MaintenanceError {
  override readonly name = 'MaintenanceLeaseEndedError';

  constructor(leaseMs: number) {
    super(`the run outlasted its ${Math.round(leaseMs / 60_000)}-minute pause of processing and stopped before writing or answering anything more; run it again`);
  }
}
